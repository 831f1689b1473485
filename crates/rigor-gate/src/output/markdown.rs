//! Markdown for a PR comment or `$GITHUB_STEP_SUMMARY`: short, failing gates first, details folded.

use super::cells::{count, threshold_text, value_text};
use crate::model::{GateReport, Verdict};
use rigor_model::escape;
use std::fmt::Write as _;

/// The headline, the table of gates, the failing gates' details and the notes.
pub fn markdown(r: &GateReport) -> String {
    let mut out = String::new();
    let failing = count(r, Verdict::Fail);
    let warn = count(r, Verdict::Warn);
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
            escape::markdown(&threshold_text(g)),
            escape::markdown(&g.summary)
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
            escape::markdown(&g.summary)
        );
        for d in g.details.iter().take(100) {
            let _ = writeln!(out, "- {}", escape::markdown(d));
        }
        if g.details.len() > 100 {
            let _ = writeln!(out, "- … {} more", g.details.len() - 100);
        }
        out.push_str("\n</details>\n");
    }
    if !r.notes.is_empty() {
        out.push('\n');
        for n in &r.notes {
            let _ = writeln!(out, "> {}", escape::markdown(n));
        }
    }
    out
}
