//! A plain table for terminals, failing gates first, then their details.

use super::cells::{count, threshold_text, value_text, verdict_word};
use crate::model::{GateReport, Verdict};
use std::fmt::Write as _;

/// The table, the failing gates' details, the notes and a verdict line.
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
    let _ = writeln!(
        out,
        "\n{}: {} gates evaluated, {} failing, {} advisory failures",
        if r.passed { "PASSED" } else { "FAILED" },
        r.evaluated(),
        count(r, Verdict::Fail),
        count(r, Verdict::Warn)
    );
    out
}
