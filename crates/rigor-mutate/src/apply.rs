//! Apply one mutant to its file's text, revert it, and show it as a diff.

use crate::model::Mutant;

/// The file's text with `m` applied.
pub fn apply(source: &str, m: &Mutant) -> String {
    let mut s = String::with_capacity(source.len() + m.replacement.len());
    s.push_str(&source[..m.start]);
    s.push_str(&m.replacement);
    s.push_str(&source[m.end..]);
    s
}

/// Undo [`apply`]: put the original text back where the replacement is.
pub fn revert(mutated: &str, m: &Mutant) -> String {
    let end = m.start + m.replacement.len();
    let mut s = String::with_capacity(mutated.len());
    s.push_str(&mutated[..m.start]);
    s.push_str(&m.original);
    s.push_str(&mutated[end..]);
    s
}

/// A unified diff of the lines the mutant touches (`--- a/file`, `+++ b/file`, one hunk).
pub fn diff(source: &str, m: &Mutant) -> String {
    let line_start = source[..m.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[m.end..]
        .find('\n')
        .map_or(source.len(), |i| m.end + i);
    let before = &source[line_start..line_end];
    let after = format!(
        "{}{}{}",
        &source[line_start..m.start],
        m.replacement,
        &source[m.end..line_end]
    );
    let (nb, na) = (before.lines().count().max(1), after.lines().count().max(1));
    let mut d = format!(
        "--- a/{f}\n+++ b/{f}\n@@ -{l},{nb} +{l},{na} @@\n",
        f = m.file,
        l = m.line
    );
    for l in before.lines() {
        d.push_str(&format!("-{l}\n"));
    }
    for l in after.lines() {
        d.push_str(&format!("+{l}\n"));
    }
    d
}
