//! The Rust schemata rewrite: every mutated expression `E` of a file becomes
//! `(if crate::__rigor_m(7) { (E with mutant 7) } else if crate::__rigor_m(8) { … } else { (E') })`,
//! `E'` holding the switches of the mutants inside `E`; the crate root gets the switch
//! function ([`SWITCH_FN`]), which reads `RIGOR_MUTANT` once. The whole crate is then built once
//! with all its mutants.
//!
//! The rewrite also says which bytes of the new text belong to which mutant's branch (and which
//! to each group's original branch), so that compiler errors can be traced back to the mutants
//! that cause them.

use crate::model::{Mutant, Operator};

/// The switch function appended to the crate root (lib.rs or main.rs). The active mutant is
/// read once from `RIGOR_MUTANT`; without one, `RIGOR_MUTANT_PROBE` names a file where each
/// mutant reached is written once (the baseline's reach probe).
pub const SWITCH_FN: &str = r#"

#[doc(hidden)]
#[allow(dead_code, unused, clippy::all)]
fn __rigor_m(id: u32) -> bool {
    static ACTIVE: ::std::sync::OnceLock<u32> = ::std::sync::OnceLock::new();
    static PROBE: ::std::sync::OnceLock<Option<::std::ffi::OsString>> = ::std::sync::OnceLock::new();
    static SEEN: ::std::sync::Mutex<Option<::std::collections::HashSet<u32>>> =
        ::std::sync::Mutex::new(None);
    let active = *ACTIVE.get_or_init(|| {
        ::std::env::var("RIGOR_MUTANT").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(0)
    });
    if active == 0 {
        if let Some(path) = PROBE.get_or_init(|| ::std::env::var_os("RIGOR_MUTANT_PROBE")) {
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            if seen.get_or_insert_with(Default::default).insert(id) {
                use ::std::io::Write as _;
                if let Ok(mut f) = ::std::fs::OpenOptions::new().create(true).append(true).open(path) {
                    let _ = writeln!(f, "{id}");
                }
            }
        }
    }
    active == id
}
"#;

/// The call the rewritten expressions make.
pub const SWITCH: &str = "crate::__rigor_m";

/// Bytes of the rewritten text and what they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub start: usize,
    pub end: usize,
    /// The mutants an error inside the region is blamed on: the one mutant of a mutated
    /// branch, or every mutant of the group for the original branch.
    pub mutants: Vec<u32>,
}

/// A file rewritten with its mutants behind switches.
#[derive(Debug, Clone)]
pub struct Rewritten {
    pub text: String,
    pub regions: Vec<Region>,
}

impl Rewritten {
    /// The mutants to blame for an error at bytes `start..end`: the innermost region holding
    /// it, or none when the error is outside every switched expression.
    pub fn blame(&self, start: usize, end: usize) -> Option<&[u32]> {
        self.regions
            .iter()
            .filter(|r| r.start <= start && end <= r.end)
            .min_by_key(|r| r.end - r.start)
            .map(|r| r.mutants.as_slice())
    }
}

struct Group<'a> {
    start: usize,
    end: usize,
    mutants: Vec<&'a Mutant>,
}

/// Rewrite `source` with all `mutants` (of this file) behind switches.
pub fn rewrite(source: &str, mutants: &[Mutant]) -> Rewritten {
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
    let mut out = Rewritten {
        text: String::with_capacity(source.len() * 2),
        regions: Vec::new(),
    };
    render(source, 0, source.len(), &groups, &mut out);
    out
}

/// Write `source[start..end]` with the groups inside it (sorted by start, outer first).
fn render(source: &str, start: usize, end: usize, groups: &[Group], out: &mut Rewritten) {
    let mut pos = start;
    let mut i = 0;
    while i < groups.len() {
        let g = &groups[i];
        let inner_end = groups[i + 1..]
            .iter()
            .position(|h| h.start >= g.end)
            .map_or(groups.len(), |k| i + 1 + k);
        out.text.push_str(&source[pos..g.start]);
        out.text.push('(');
        // An expression in a block is parenthesised (`if a {..} else {..} + 1` at the start of
        // a block would be a statement); a function body (return values) is statements.
        let (open, close) = if g
            .mutants
            .iter()
            .all(|m| m.operator == Operator::ReturnValue)
        {
            ("", "")
        } else {
            ("(", ")")
        };
        for (k, m) in g.mutants.iter().enumerate() {
            if k > 0 {
                out.text.push_str(" else ");
            }
            out.text
                .push_str(&format!("if {SWITCH}({}) {{ {open}", m.id));
            let at = out.text.len();
            out.text.push_str(&source[g.start..m.start]);
            out.text.push_str(&m.replacement);
            out.text.push_str(&source[m.end..g.end]);
            // The region holds the parentheses: errors about the whole branch point at them.
            out.regions.push(Region {
                start: at - open.len(),
                end: out.text.len() + close.len(),
                mutants: vec![m.id],
            });
            out.text.push_str(close);
            out.text.push_str(" }");
        }
        out.text.push_str(" else { ");
        out.text.push_str(open);
        let at = out.text.len();
        render(source, g.start, g.end, &groups[i + 1..inner_end], out);
        out.regions.push(Region {
            start: at - open.len(),
            end: out.text.len() + close.len(),
            mutants: g.mutants.iter().map(|m| m.id).collect(),
        });
        out.text.push_str(close);
        out.text.push_str(" })");
        pos = g.end;
        i = inner_end;
    }
    out.text.push_str(&source[pos..end]);
}
