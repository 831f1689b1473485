//! The terminal report: a header with counts per cause, then each failure with its cause,
//! confidence, signature (and whether it is new), evidence and fix.

use super::{counts_line, group_of, run_words, seen_words};
use crate::triage::{Failure, Report};
use std::fmt::Write;

pub fn render(report: &Report) -> String {
    let mut s = String::new();
    if report.failures.is_empty() {
        let _ = writeln!(
            s,
            "Triage of {}: no failures to explain.",
            run_words(report)
        );
        return s;
    }
    let _ = writeln!(
        s,
        "Triage of {}: {} failure(s) in {} signature(s) — {}",
        run_words(report),
        report.failures.len(),
        report.groups.len(),
        counts_line(report)
    );
    for f in &report.failures {
        s.push('\n');
        failure(report, f, &mut s);
    }
    s
}

fn failure(report: &Report, f: &Failure, s: &mut String) {
    let _ = writeln!(
        s,
        "{} ({:.0} %)  {}::{}",
        f.cause.as_str().to_uppercase(),
        f.confidence * 100.0,
        f.suite,
        f.test
    );
    let seen = group_of(report, f)
        .map(|g| seen_words(report, g))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "  signature {}  {}  [{seen}]",
        f.signature.id,
        f.signature.headline()
    );
    for (i, e) in f.evidence.iter().enumerate() {
        let _ = writeln!(s, "  {} {e}", if i == 0 { "why:" } else { "    " });
    }
    let _ = writeln!(s, "  fix: {}", f.fix.action);
    for c in &f.fix.commands {
        let _ = writeln!(s, "       $ {c}");
    }
}

/// The few lines `rigor ci` prints after a red run: counts, then one line per signature with
/// its cause and fix.
pub fn summary(report: &Report) -> String {
    let mut s = String::new();
    if report.failures.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "\nTriage of {}: {}",
        run_words(report),
        counts_line(report)
    );
    for g in &report.groups {
        let Some(f) = report
            .failures
            .iter()
            .find(|f| f.signature.id == g.signature)
        else {
            continue;
        };
        let more = if g.tests.len() > 1 {
            format!(" (+{} more)", g.tests.len() - 1)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "  {:<14} {:>3.0} %  {}{more}\n                  {} [{}]\n                  fix: {}{}",
            f.cause.as_str(),
            f.confidence * 100.0,
            f.test,
            g.headline,
            seen_words(report, g),
            f.fix.action,
            f.fix
                .commands
                .first()
                .map(|c| format!("\n                       $ {c}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(s, "  details: rigor triage --run {}", report.run.id);
    s
}

/// The result of `rigor bisect` for people.
pub fn bisect(r: &crate::bisect::BisectReport) -> String {
    let mut s = String::new();
    let short = |c: &str| c.chars().take(10).collect::<String>();
    match &r.culprit {
        Some(c) => {
            let _ = writeln!(s, "first bad commit: {} {}", short(&c.commit), c.subject);
            let _ = writeln!(s, "  author: {}  ({})", c.author, c.date);
            let _ = writeln!(s, "  changed: {}", c.changed_files.join(", "));
        }
        None => {
            let _ = writeln!(
                s,
                "no single first bad commit: the tests could not run on some commits; it is one of {}",
                r.candidates
                    .iter()
                    .map(|c| short(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let _ = writeln!(
        s,
        "  {} test run(s) between {} (good) and {} (bad), tests: {}",
        r.runs(),
        short(&r.good),
        short(&r.bad),
        r.tests.join(", ")
    );
    s
}
