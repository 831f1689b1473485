//! `rigor perf ingest`: one line per file, read (`--dry-run`) or stored.

use crate::display::short;
use crate::engine::ingest::{IngestPlan, PlannedFile};
use std::fmt::Write as _;

/// The warnings of the files read, one `warning:` line each.
pub fn warnings(plan: &IngestPlan) -> String {
    let mut s = String::new();
    for w in plan.files.iter().flat_map(|f| &f.parsed.warnings) {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

/// What would be stored.
pub fn dry_run(plan: &IngestPlan) -> String {
    let mut s = String::new();
    for f in &plan.files {
        let _ = writeln!(
            s,
            "{}: {} results ({}) for commit {} on {} — not stored (--dry-run)",
            f.path.display(),
            f.parsed.measurements.len(),
            f.format_name(),
            commit(f),
            branch(f)
        );
    }
    s
}

/// What was stored: `stored[i]` results of the plan's i-th file.
pub fn stored(plan: &IngestPlan, stored: &[usize]) -> String {
    let mut s = String::new();
    for (f, n) in plan.files.iter().zip(stored) {
        let _ = writeln!(
            s,
            "ingested {n} results from {} ({}; {} with raw samples) for commit {} on {} [testbed {}]",
            f.path.display(),
            f.format_name(),
            f.with_samples(),
            commit(f),
            branch(f),
            plan.testbed
        );
    }
    s
}

fn commit(f: &PlannedFile) -> &str {
    if f.commit.is_empty() {
        "(per row)"
    } else {
        short(&f.commit)
    }
}

fn branch(f: &PlannedFile) -> &str {
    f.branch.as_deref().unwrap_or("(no branch)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Format, Parsed};
    use crate::model::{Direction, Measurement};
    use std::path::PathBuf;

    fn plan() -> IngestPlan {
        let mut with = Measurement::new("a", "ms", Direction::LowerIsBetter, 1.0);
        with.samples = vec![1.0, 1.1];
        let without = Measurement::new("b", "ms", Direction::LowerIsBetter, 2.0);
        IngestPlan {
            testbed: "default".into(),
            files: vec![
                PlannedFile {
                    path: PathBuf::from("r.json"),
                    parsed: Parsed {
                        format: Some(Format::Json),
                        measurements: vec![with, without],
                        warnings: vec!["odd value".into()],
                        ..Parsed::default()
                    },
                    commit: "0123456789abcdef".into(),
                    branch: Some("main".into()),
                },
                PlannedFile {
                    path: PathBuf::from("o.csv"),
                    parsed: Parsed {
                        format: Some(Format::Csv),
                        ..Parsed::default()
                    },
                    commit: String::new(),
                    branch: None,
                },
            ],
        }
    }

    #[test]
    fn lines_per_file() {
        let p = plan();
        assert_eq!(warnings(&p), "warning: odd value\n");
        assert_eq!(
            dry_run(&p),
            "r.json: 2 results (json) for commit 0123456789 on main — not stored (--dry-run)\n\
             o.csv: 0 results (csv) for commit (per row) on (no branch) — not stored (--dry-run)\n"
        );
        assert_eq!(
            stored(&p, &[2, 0]).lines().next().unwrap(),
            "ingested 2 results from r.json (json; 1 with raw samples) for commit 0123456789 on main [testbed default]"
        );
    }
}
