//! GitHub Actions workflow commands (annotations), within GitHub's limit per step.

use crate::model::{GateReport, Verdict, Violation};
use rigor_model::escape::{github_data, github_property};
use std::fmt::Write as _;

/// GitHub has a limit of annotations per step and type.
pub const GITHUB_LIMIT: usize = 10;

/// At most 10 annotations per type (error, warning, notice); when there are more, the 10th of
/// that type summarises the rest.
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
                github_property(&format!("rigor gate {}", g.gate)),
                github_data(&g.summary)
            ));
        }
        for v in own {
            let lvl = match v.level.as_str() {
                "error" => 0,
                "warning" => 1,
                _ => 2,
            };
            let line = annotation(by_level[lvl].0, &g.gate, v);
            by_level[lvl].1.push(line);
        }
    }
    let mut out = String::new();
    for (level, lines) in &by_level {
        if lines.len() <= GITHUB_LIMIT {
            for l in lines {
                out.push_str(l);
                out.push('\n');
            }
            continue;
        }
        for l in &lines[..GITHUB_LIMIT - 1] {
            out.push_str(l);
            out.push('\n');
        }
        let rest = lines.len() - (GITHUB_LIMIT - 1);
        let _ = writeln!(
            out,
            "::{level} title=rigor gate::{}",
            github_data(&format!(
                "{rest} more {level} annotations not shown (GitHub shows {GITHUB_LIMIT} per step); see the job summary or the SARIF report"
            ))
        );
    }
    out
}

/// One located violation as a workflow command of `level`.
fn annotation(level: &str, gate: &str, v: &Violation) -> String {
    let mut props = format!("file={}", github_property(v.file.as_deref().unwrap_or("")));
    if let Some(l) = v.line {
        let _ = write!(props, ",line={l}");
        if let Some(e) = v.end_line {
            let _ = write!(props, ",endLine={e}");
        }
    }
    let _ = write!(
        props,
        ",title={}",
        github_property(&format!("rigor {gate}"))
    );
    format!("::{level} {props}::{}", github_data(&v.message))
}
