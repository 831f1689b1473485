//! `rigor triage --format markdown`: a PR comment — a table of the failures by signature with
//! cause, confidence and fix, then the evidence per failure in a collapsed section.

use super::{counts_line, run_words, seen_words};
use crate::triage::Report;
use rigor_model::escape::markdown as md;
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### rigor triage — {}\n", md(&run_words(report)));
    if report.failures.is_empty() {
        let _ = writeln!(s, "No failures to explain.");
        return s;
    }
    let _ = writeln!(
        s,
        "**{} failure(s)**: {}\n",
        report.failures.len(),
        md(&counts_line(report))
    );
    let _ = writeln!(
        s,
        "| cause | confidence | tests | failure | history | fix |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for g in &report.groups {
        let Some(f) = report
            .failures
            .iter()
            .find(|f| f.signature.id == g.signature)
        else {
            continue;
        };
        let tests: Vec<String> = g
            .tests
            .iter()
            .take(3)
            .map(|t| format!("`{}`", t.replace('`', "'")))
            .collect();
        let more = if g.tests.len() > 3 {
            format!(" +{}", g.tests.len() - 3)
        } else {
            String::new()
        };
        let fix = match f.fix.commands.first() {
            Some(c) => format!(
                "{}<br>`{}`",
                md(&f.fix.action),
                c.replace('`', "'").replace('|', "\\|")
            ),
            None => md(&f.fix.action),
        };
        let _ = writeln!(
            s,
            "| **{}** | {:.0} % | {}{more} | {} | {} | {} |",
            f.cause,
            f.confidence * 100.0,
            tests.join(", "),
            md(&g.headline).replace('|', "\\|"),
            md(&seen_words(report, g)),
            fix
        );
    }
    let _ = writeln!(s, "\n<details><summary>Evidence</summary>\n");
    for f in &report.failures {
        let _ = writeln!(s, "- `{}` — **{}**", f.test.replace('`', "'"), f.cause);
        for e in &f.evidence {
            let _ = writeln!(s, "  - {}", md(e));
        }
    }
    let _ = writeln!(s, "\n</details>");
    s
}
