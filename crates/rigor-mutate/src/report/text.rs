//! The human output: a summary, then each survivor with its diff and the tests that ran.

use crate::apply;
use crate::engine::{FileMutants, Outcome};
use crate::model::Verdict;
use std::collections::HashMap;
use std::fmt::Write;

/// `rigor mutate --list`.
pub fn list(files: &[FileMutants]) -> String {
    let mut s = String::new();
    let n: usize = files.iter().map(|f| f.mutants.len()).sum();
    for f in files {
        for m in &f.mutants {
            let func = if m.function.is_empty() {
                String::new()
            } else {
                format!(" in {}", m.function)
            };
            let _ = writeln!(
                s,
                "#{:<5} {}:{}:{}{func}  {}",
                m.id,
                m.file,
                m.line,
                m.column,
                m.describe()
            );
        }
    }
    let _ = writeln!(s, "{n} mutant(s) in {} file(s)", files.len());
    s
}

/// The summary and the survivors.
pub fn run(files: &[FileMutants], out: &Outcome) -> String {
    let sources: HashMap<&str, &str> = files
        .iter()
        .map(|f| (f.file.as_str(), f.source.as_str()))
        .collect();
    let mut s = String::new();
    for r in out
        .results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Survived | Verdict::NoCoverage))
    {
        let m = &r.mutant;
        let what = if r.verdict == Verdict::Survived {
            format!(
                "survived {} test(s) ({})",
                r.tests_run.len(),
                r.source.as_str()
            )
        } else {
            "no test reaches it".to_string()
        };
        let _ = writeln!(
            s,
            "#{} {}:{} {} — {what}",
            m.id,
            m.file,
            m.line,
            m.describe()
        );
        if let Some(src) = sources.get(m.file.as_str()) {
            for l in apply::diff(src, m).lines() {
                let _ = writeln!(s, "    {l}");
            }
        }
        for t in r.tests_run.iter().take(5) {
            let _ = writeln!(s, "    ran: {t}");
        }
        if r.tests_run.len() > 5 {
            let _ = writeln!(s, "    ran: … and {} more", r.tests_run.len() - 5);
        }
    }
    for n in &out.notes {
        let _ = writeln!(s, "note: {n}");
    }
    let sm = &out.summary;
    let score = sm.score.map_or("n/a".to_string(), |v| format!("{v:.1}%"));
    let _ = writeln!(
        s,
        "mutation score {score}: {} mutants — {} killed, {} timeout, {} survived, {} not covered, {} unviable ({} kept from earlier runs)",
        sm.mutants, sm.killed, sm.timeout, sm.survived, sm.no_coverage, sm.unviable, sm.cached
    );
    if let Some(b) = &out.baseline {
        let _ = writeln!(
            s,
            "baseline: {} test(s) in {:.1}s on {} worker(s)",
            b.tests, b.seconds, out.workers
        );
    }
    s
}
