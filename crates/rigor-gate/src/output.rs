//! Renderings of a gate report: terminal table, Markdown, JSON, JUnit, SARIF 2.1.0, GitHub
//! workflow commands, GitLab code-quality JSON.

use crate::model::{GateReport, GateResult, Verdict, Violation};
use std::fmt::Write as _;

/// A renderer of a report into one format.
pub type Render = fn(&GateReport) -> String;

fn value_text(g: &GateResult) -> String {
    match g.value {
        None => "-".into(),
        Some(v) if g.unit == "%" => format!("{v:.2}%"),
        Some(v) if g.unit == "s" => format!("{v:.1}s"),
        Some(v) => format!("{v}"),
    }
}

fn threshold_text(g: &GateResult) -> String {
    match g.threshold {
        None => "-".into(),
        Some(t) => {
            let op = if g.op == ">=" { "≥" } else { "≤" };
            match g.unit.as_str() {
                "%" => format!("{op} {t}%"),
                "s" => format!("{op} {t}s"),
                _ => format!("{op} {t}"),
            }
        }
    }
}

fn verdict_word(g: &GateResult) -> &'static str {
    match g.verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Warn => "WARN",
        Verdict::Skip => "skip",
    }
}

/// A plain table for terminals, failing gates first, then their details.
pub fn terminal(r: &GateReport) -> String {
    let gates = r.sorted_gates();
    let rows: Vec<[String; 5]> = gates
        .iter()
        .map(|g| {
            [
                verdict_word(g).to_string(),
                format!("{}{}", g.gate, if g.blocking { "" } else { " (advisory)" }),
                value_text(g),
                threshold_text(g),
                g.summary.clone(),
            ]
        })
        .collect();
    let head = ["", "gate", "value", "threshold", "summary"];
    let mut w = [0usize; 5];
    for row in rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect::<Vec<_>>())
        .chain([head.to_vec()])
    {
        for (i, c) in row.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: [&str; 5]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i == 4 {
                s.push_str(c);
            } else {
                let pad = w[i] - c.chars().count();
                s.push_str(c);
                s.push_str(&" ".repeat(pad + 2));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(head));
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    for g in gates.iter().filter(|g| g.failed() && !g.details.is_empty()) {
        let _ = writeln!(out, "\n{} {}:", verdict_word(g), g.gate);
        for d in g.details.iter().take(50) {
            let _ = writeln!(out, "  {d}");
        }
        if g.details.len() > 50 {
            let _ = writeln!(out, "  … {} more", g.details.len() - 50);
        }
    }
    for n in &r.notes {
        let _ = writeln!(out, "note: {n}");
    }
    let failing = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Fail)
        .count();
    let warn = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Warn)
        .count();
    let _ = writeln!(
        out,
        "\n{}: {} gates evaluated, {failing} failing, {warn} advisory failures",
        if r.passed { "PASSED" } else { "FAILED" },
        r.evaluated()
    );
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Markdown for a PR comment or `$GITHUB_STEP_SUMMARY`: short, failing gates first, details folded.
pub fn markdown(r: &GateReport) -> String {
    let mut out = String::new();
    let failing = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Fail)
        .count();
    let warn = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Warn)
        .count();
    if r.passed {
        let _ = writeln!(
            out,
            "### ✅ rigor gates passed ({} evaluated{})\n",
            r.evaluated(),
            if warn > 0 {
                format!(", {warn} advisory failing")
            } else {
                String::new()
            }
        );
    } else {
        let _ = writeln!(
            out,
            "### ❌ rigor gates failed: {failing} blocking gate{} failing\n",
            if failing == 1 { "" } else { "s" }
        );
    }
    out.push_str("| | gate | value | threshold | summary |\n|---|---|---|---|---|\n");
    for g in r.sorted_gates() {
        let icon = match g.verdict {
            Verdict::Pass => "✅",
            Verdict::Fail => "❌",
            Verdict::Warn => "⚠️",
            Verdict::Skip => "➖",
        };
        let _ = writeln!(
            out,
            "| {icon} | `{}`{} | {} | {} | {} |",
            g.gate,
            if g.blocking { "" } else { " (advisory)" },
            value_text(g),
            md_escape(&threshold_text(g)),
            md_escape(&g.summary)
        );
    }
    for g in r
        .sorted_gates()
        .into_iter()
        .filter(|g| g.failed() && !g.details.is_empty())
    {
        let _ = writeln!(
            out,
            "\n<details><summary><code>{}</code>: {}</summary>\n",
            g.gate,
            md_escape(&g.summary)
        );
        for d in g.details.iter().take(100) {
            let _ = writeln!(out, "- {}", md_escape(d));
        }
        if g.details.len() > 100 {
            let _ = writeln!(out, "- … {} more", g.details.len() - 100);
        }
        out.push_str("\n</details>\n");
    }
    if !r.notes.is_empty() {
        out.push('\n');
        for n in &r.notes {
            let _ = writeln!(out, "> {}", md_escape(n));
        }
    }
    out
}

pub fn json(r: &GateReport) -> String {
    serde_json::to_string_pretty(r).expect("reports serialize") + "\n"
}

pub fn xml_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // characters XML 1.0 forbids
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {
                o.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => o.push(c),
        }
    }
    o
}

/// JUnit XML: each gate a test case (failure = blocking gate failed, skipped = not evaluated;
/// advisory failures pass with the reason in system-out).
pub fn junit(r: &GateReport) -> String {
    let n = r.gates.len();
    let failures = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Fail)
        .count();
    let skipped = r
        .gates
        .iter()
        .filter(|g| g.verdict == Verdict::Skip)
        .count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rigor gates\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"rigor.gates\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    for g in &r.gates {
        let _ = write!(
            out,
            "    <testcase classname=\"rigor.gates\" name=\"{}\" time=\"0\">",
            xml_escape(&g.gate)
        );
        let body = || {
            let mut b = format!(
                "value: {}\nthreshold: {}\n",
                value_text(g),
                threshold_text(g)
            );
            for d in &g.details {
                b.push_str(d);
                b.push('\n');
            }
            xml_escape(&b)
        };
        match g.verdict {
            Verdict::Fail => {
                let _ = write!(
                    out,
                    "\n      <failure message=\"{}\" type=\"gate\">{}</failure>\n    ",
                    xml_escape(&g.summary),
                    body()
                );
            }
            Verdict::Skip => {
                let _ = write!(
                    out,
                    "\n      <skipped message=\"{}\"/>\n    ",
                    xml_escape(&g.summary)
                );
            }
            Verdict::Warn => {
                let _ = write!(
                    out,
                    "\n      <system-out>advisory gate failed: {}\n{}</system-out>\n    ",
                    xml_escape(&g.summary),
                    body()
                );
            }
            Verdict::Pass => {
                let _ = write!(
                    out,
                    "\n      <system-out>{}</system-out>\n    ",
                    xml_escape(&g.summary)
                );
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn located(r: &GateReport) -> Vec<(&GateResult, &Violation)> {
    r.gates
        .iter()
        .flat_map(|g| g.violations.iter().map(move |v| (g, v)))
        .filter(|(_, v)| v.file.is_some())
        .collect()
}

/// SARIF 2.1.0 with one result per located violation.
pub fn sarif(r: &GateReport) -> String {
    use serde_json::json;
    let items = located(r);
    let mut rule_ids: Vec<String> = items.iter().map(|(_, v)| v.rule.clone()).collect();
    rule_ids.sort();
    rule_ids.dedup();
    let rules: Vec<_> = rule_ids
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "name": id.replace(['.', '[', ']', '/', '-'], "_"),
                "shortDescription": {"text": format!("rigor gate rule {id}")},
            })
        })
        .collect();
    let results: Vec<_> = items
        .iter()
        .map(|(g, v)| {
            let mut region = serde_json::Map::new();
            if let Some(l) = v.line {
                region.insert("startLine".into(), json!(l.max(1)));
                if let Some(e) = v.end_line {
                    region.insert("endLine".into(), json!(e.max(l)));
                }
            }
            let mut loc = json!({"physicalLocation": {"artifactLocation": {"uri": v.file, "uriBaseId": "%SRCROOT%"}}});
            if !region.is_empty() {
                loc["physicalLocation"]["region"] = serde_json::Value::Object(region);
            }
            json!({
                "ruleId": v.rule,
                "ruleIndex": rule_ids.iter().position(|x| x == &v.rule),
                "level": match v.level.as_str() { "error" => "error", "warning" => "warning", _ => "note" },
                "message": {"text": v.message},
                "locations": [loc],
                "properties": {"gate": g.gate, "verdict": g.verdict.as_str()},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rigor",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).expect("serializes") + "\n"
}

fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub has a limit of annotations per step and type.
pub const GITHUB_LIMIT: usize = 10;

/// GitHub Actions workflow commands: at most 10 annotations per type (error, warning, notice);
/// when there are more, the 10th of that type summarises the rest.
pub fn github(r: &GateReport) -> String {
    let mut by_level: [(&str, Vec<String>); 3] =
        [("error", vec![]), ("warning", vec![]), ("notice", vec![])];
    for g in r.sorted_gates() {
        let own: Vec<&Violation> = g.violations.iter().filter(|v| v.file.is_some()).collect();
        if g.failed() && own.is_empty() {
            let lvl = if g.verdict == Verdict::Fail { 0 } else { 1 };
            by_level[lvl].1.push(format!(
                "::{} title={}::{}",
                by_level[lvl].0,
                gh_prop(&format!("rigor gate {}", g.gate)),
                gh_data(&g.summary)
            ));
        }
        for v in own {
            let lvl = match v.level.as_str() {
                "error" => 0,
                "warning" => 1,
                _ => 2,
            };
            let mut props = format!("file={}", gh_prop(v.file.as_deref().unwrap_or("")));
            if let Some(l) = v.line {
                let _ = write!(props, ",line={l}");
                if let Some(e) = v.end_line {
                    let _ = write!(props, ",endLine={e}");
                }
            }
            let _ = write!(props, ",title={}", gh_prop(&format!("rigor {}", g.gate)));
            by_level[lvl].1.push(format!(
                "::{} {props}::{}",
                by_level[lvl].0,
                gh_data(&v.message)
            ));
        }
    }
    let mut out = String::new();
    for (level, lines) in &by_level {
        if lines.len() <= GITHUB_LIMIT {
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
        } else {
            for l in &lines[..GITHUB_LIMIT - 1] {
                out.push_str(l);
                out.push('\n');
            }
            let rest = lines.len() - (GITHUB_LIMIT - 1);
            let _ = writeln!(
                out,
                "::{level} title=rigor gate::{}",
                gh_data(&format!(
                    "{rest} more {level} annotations not shown (GitHub shows {GITHUB_LIMIT} per step); see the job summary or the SARIF report"
                ))
            );
        }
    }
    out
}

/// A stable fingerprint (FNV-1a 64, hex) for code-quality issues.
fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

/// GitLab code-quality report (a JSON array of issues with path and line).
pub fn gitlab(r: &GateReport) -> String {
    use serde_json::json;
    let issues: Vec<_> = located(r)
        .into_iter()
        .map(|(g, v)| {
            let severity = if v.message.starts_with("critical") {
                "critical"
            } else {
                match v.level.as_str() {
                    "error" => "major",
                    "warning" => "minor",
                    _ => "info",
                }
            };
            let line = v.line.unwrap_or(1).max(1);
            let file = v.file.as_deref().unwrap_or("");
            json!({
                "type": "issue",
                "check_name": format!("rigor/{}", v.rule),
                "description": v.message,
                "categories": [if g.gate == "security" { "Security" } else { "Bug Risk" }],
                "severity": severity,
                "fingerprint": fingerprint(&[&g.gate, &v.rule, file, &line.to_string(), &v.message]),
                "location": {"path": file, "lines": {"begin": line, "end": v.end_line.unwrap_or(line).max(line)}},
            })
        })
        .collect();
    serde_json::to_string_pretty(&issues).expect("serializes") + "\n"
}
