//! Where people look: the terminal ([`text`]), a stable JSON document ([`json`], schema
//! `rigor.triage/1` in docs/triage.md) and Markdown for a PR comment ([`markdown`]).

pub mod json;
pub mod markdown;
pub mod text;

use crate::triage::{Failure, Group, Report};

/// The group of a failure's signature.
pub(crate) fn group_of<'a>(report: &'a Report, f: &Failure) -> Option<&'a Group> {
    report.groups.iter().find(|g| g.signature == f.signature.id)
}

/// "new in this run" or "seen in N runs since DATE (run #K)".
pub(crate) fn seen_words(report: &Report, g: &Group) -> String {
    if g.new {
        "new in this run".into()
    } else {
        format!(
            "seen in {} runs since {} (run #{})",
            g.seen_runs,
            rigor_model::time::utc(g.first_seen_at),
            g.first_seen_run
        )
    }
    .replace(&format!("(run #{})", report.run.id), "(this run)")
}

/// The counts per cause, most frequent first: `regression 2 · flaky 1`.
pub(crate) fn counts_line(report: &Report) -> String {
    let mut counts: Vec<_> = report.counts().into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
        .iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub(crate) fn run_words(report: &Report) -> String {
    let r = &report.run;
    let commit = r
        .commit
        .as_deref()
        .map(|c| c.chars().take(8).collect::<String>());
    let mut s = format!("run #{}", r.id);
    match (commit, &r.branch) {
        (Some(c), Some(b)) => s.push_str(&format!(" (commit {c} on {b})")),
        (Some(c), None) => s.push_str(&format!(" (commit {c})")),
        _ => {}
    }
    s
}
