//! The schemata rewrite: one version of a module that holds all its mutants, each behind a
//! run-time switch, so the module is written and imported once for the whole run.
//!
//! Every mutated expression `E` becomes
//! `((E with mutant 7) if _rigor_m.on(7) else (E with mutant 8) if _rigor_m.on(8) else (E'))`
//! where `E'` is `E` with the switches of the mutants inside it. `_rigor_m` is a built-in name
//! the worker installs: `on(id)` is true when mutant `id` is the active one (and, during the
//! baseline, records that the test reached the mutant). Parentheses keep the rewrite valid
//! across lines and inside any expression context; line breaks inside `E` are kept.

use crate::model::Mutant;

/// The name of the switch object the rewritten code calls.
pub const SWITCH: &str = "_rigor_m";

/// Rewrite `source` with all `mutants` (of this file) behind switches.
pub fn rewrite(source: &str, mutants: &[Mutant]) -> String {
    let mut groups: Vec<Group> = Vec::new();
    let mut sorted: Vec<&Mutant> = mutants.iter().collect();
    sorted.sort_by_key(|m| (m.expr_start, std::cmp::Reverse(m.expr_end), m.id));
    for m in sorted {
        match groups.last_mut() {
            Some(g) if g.start == m.expr_start && g.end == m.expr_end => g.mutants.push(m),
            _ => groups.push(Group {
                start: m.expr_start,
                end: m.expr_end,
                mutants: vec![m],
            }),
        }
    }
    let mut out = String::with_capacity(source.len() * 2);
    render(source, 0, source.len(), &groups, &mut out);
    out
}

struct Group<'a> {
    start: usize,
    end: usize,
    mutants: Vec<&'a Mutant>,
}

/// Write `source[start..end]` with the groups inside it (sorted by start, outer first).
fn render(source: &str, start: usize, end: usize, groups: &[Group], out: &mut String) {
    let mut pos = start;
    let mut i = 0;
    while i < groups.len() {
        let g = &groups[i];
        // The groups nested in `g` follow it directly (sorted by start, longest first).
        let inner_end = groups[i + 1..]
            .iter()
            .position(|h| h.start >= g.end)
            .map_or(groups.len(), |k| i + 1 + k);
        out.push_str(&source[pos..g.start]);
        out.push('(');
        for m in &g.mutants {
            out.push('(');
            out.push_str(&source[g.start..m.start]);
            out.push_str(&m.replacement);
            out.push_str(&source[m.end..g.end]);
            out.push_str(&format!(") if {SWITCH}.on({}) else ", m.id));
        }
        out.push('(');
        render(source, g.start, g.end, &groups[i + 1..inner_end], out);
        out.push_str("))");
        pos = g.end;
        i = inner_end;
    }
    out.push_str(&source[pos..end]);
}
