//! Rust change inside a test binary: with `[select] rust_coverage = true` and a fresh map, the
//! tests of each affected binary that cover the changed lines ([`crate::rustcov`]).

use super::precision::stale;
use super::state::Ctx;
use super::text::short;
use super::types::SuiteSpec;
use crate::change::ChangeKind;
use crate::history::CoverageMap;
use crate::rust::binary_of;
use crate::rustcov::{BinaryDecision, decide_binary, in_const_fn};
use std::collections::{BTreeMap, HashMap};

/// What the map decided for one binary.
pub(super) enum Narrowed {
    /// Every test of the binary, with why the map could not narrow it.
    Whole(String),
    /// Test id → reason; the others stay out with `skip`.
    Tests {
        selected: HashMap<String, String>,
        skip: String,
    },
}

/// Per affected binary (nextest binary id), what the Rust coverage map decides for the changed
/// file `local` (change index `fi`). Empty when the setting is off; a map that cannot decide
/// adds one note and decides nothing (the binaries run whole).
pub(super) fn narrow(
    ctx: &Ctx,
    s: &SuiteSpec,
    local: &str,
    fi: usize,
    bins: &BTreeMap<String, (String, u32)>,
    notes: &mut Vec<String>,
) -> HashMap<String, Narrowed> {
    let mut out = HashMap::new();
    if !ctx.cfg.rust_coverage || !local.ends_with(".rs") {
        return out;
    }
    let (m, ranges) = match usable(ctx, s, local, fi) {
        Ok(x) => x,
        Err(why) => {
            notes.push(why);
            return out;
        }
    };
    let path = s.global(local);
    let lines = &m.lines[local];
    for b in bins.keys() {
        let tests: Vec<&str> = ctx
            .tests
            .iter()
            .filter(|t| t.key.suite == s.name && binary_of(&t.key.id) == b)
            .map(|t| t.key.id.as_str())
            .collect();
        let d = match decide_binary(&path, b, &tests, lines, &m.tests, &ranges) {
            BinaryDecision::Whole(w) => Narrowed::Whole(w),
            BinaryDecision::Narrow {
                selected,
                skip_reason,
            } => Narrowed::Tests {
                selected: selected.into_iter().collect(),
                skip: format!("{skip_reason} at {}", short(&m.commit)),
            },
        };
        out.insert(b.clone(), d);
    }
    out
}

/// A map that can decide, and the changed base-side line ranges (inclusive).
type Usable<'c> = (&'c CoverageMap, Vec<(u32, u32)>);

/// The suite's map and the changed base-side ranges, when the map can decide for the file; or
/// why it cannot (`…: whole binaries`).
fn usable<'c>(ctx: &'c Ctx, s: &SuiteSpec, local: &str, fi: usize) -> Result<Usable<'c>, String> {
    let path = s.global(local);
    let cf = &ctx.change.files[fi];
    let root = ctx.input.root;
    let Some(m) = ctx.input.history.coverage.get(&s.name) else {
        return Err(format!(
            "{path}: no Rust coverage map of suite {} (a full `rigor run` records it): whole binaries",
            s.name
        ));
    };
    if !matches!(cf.kind, ChangeKind::Modified) || cf.old_lines.is_empty() {
        return Err(format!(
            "{path}: added, deleted or renamed: the Rust coverage map does not decide (whole binaries)"
        ));
    }
    if !m.lines.contains_key(local) {
        return Err(format!(
            "{path} is not in the Rust coverage map of suite {}: whole binaries",
            s.name
        ));
    }
    if let Some(why) = stale(root, &ctx.change.base, &path, m.contents.get(local)) {
        return Err(format!("{why} (Rust: whole binaries)"));
    }
    if let Some(why) = sources_moved(ctx, s, &m.commit) {
        return Err(why);
    }
    let ranges: Vec<(u32, u32)> = cf.old_lines.iter().map(|r| (r.start, r.end)).collect();
    let src = rigor_vcs::git::show(root, &ctx.change.base, &path).unwrap_or_default();
    if let Some(l) = in_const_fn(&String::from_utf8_lossy(&src), &ranges) {
        return Err(format!(
            "changed line {path}:{l} is in a `const fn` (it may run at compile time, unseen by coverage): whole binaries"
        ));
    }
    Ok((m, ranges))
}

/// Why the map's rows of other files may not hold at the base: Rust sources or manifests of the
/// suite changed between the recording's commit and the base (or git cannot tell).
fn sources_moved(ctx: &Ctx, s: &SuiteSpec, recorded: &str) -> Option<String> {
    let root = ctx.input.root;
    let base = rigor_vcs::git::rev_parse(root, &ctx.change.base);
    if base.as_deref() == Some(recorded) {
        return None;
    }
    let scope = if s.global("").is_empty() {
        ".".to_string()
    } else {
        s.global("")
    };
    let diff = rigor_vcs::git::text(
        root,
        &[
            "diff",
            "--name-only",
            recorded,
            &ctx.change.base,
            "--",
            &scope,
        ],
    );
    match diff {
        Ok(names) => names
            .lines()
            .find(|n| n.ends_with(".rs") || n.contains("Cargo."))
            .map(|n| {
                format!(
                    "the Rust coverage map was recorded at {} and {n} changed before the base {}: whole binaries",
                    short(recorded),
                    short(&ctx.change.base)
                )
            }),
        Err(e) => Some(format!(
            "the Rust coverage map's commit {} cannot be compared with the base: {e}: whole binaries",
            short(recorded)
        )),
    }
}
