//! Parsing git's diff output: `--raw -z` entries and `-U0` hunks, with git's C-style path
//! quoting undone.

use crate::file::{ChangeKind, LineRange};
use std::collections::BTreeMap;

/// The line ranges of one file's hunks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHunks {
    /// New side, selection view: a pure deletion is the single line after which lines were
    /// removed (at least line 1).
    pub lines: Vec<LineRange>,
    /// Base side: a pure insertion is the base line it follows and the next one.
    pub old_lines: Vec<LineRange>,
    /// New side, diff-cover view: only lines that were added or modified.
    pub added: Vec<LineRange>,
}

/// Parse `git diff -U0` output into line ranges per (new-side) path.
pub fn parse_hunks(patch: &str) -> BTreeMap<String, FileHunks> {
    let mut out: BTreeMap<String, FileHunks> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut old_name: Option<String> = None;
    for line in patch.lines() {
        if line.starts_with("diff --git ") {
            current = None;
            old_name = None;
        } else if let Some(rest) = line.strip_prefix("--- ") {
            old_name = strip_side(rest, "a/");
            current = None;
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            current = strip_side(rest, "b/").or_else(|| old_name.clone());
        } else if let Some(rest) = line.strip_prefix("@@ ")
            && let Some(cur) = &current
        {
            add_hunk(out.entry(cur.clone()).or_default(), rest);
        }
    }
    out
}

/// Record one `@@ -a[,b] +c[,d] @@` header.
fn add_hunk(entry: &mut FileHunks, header: &str) {
    let mut parts = header.split_whitespace();
    let old = parts
        .next()
        .and_then(|s| s.strip_prefix('-'))
        .map(parse_range);
    let new = parts
        .next()
        .and_then(|s| s.strip_prefix('+'))
        .map(parse_range);
    if let Some((start, count)) = new {
        if count == 0 {
            let l = start.max(1);
            entry.lines.push(LineRange { start: l, end: l });
        } else {
            let r = LineRange {
                start,
                end: start + count - 1,
            };
            entry.lines.push(r);
            entry.added.push(r);
        }
    }
    if let Some((start, count)) = old {
        entry.old_lines.push(if count == 0 {
            LineRange {
                start: start.max(1),
                end: start + 1,
            }
        } else {
            LineRange {
                start,
                end: start + count - 1,
            }
        });
    }
}

/// `start[,count]` of a hunk header.
fn parse_range(s: &str) -> (u32, u32) {
    match s.split_once(',') {
        Some((a, b)) => (a.parse().unwrap_or(0), b.parse().unwrap_or(0)),
        None => (s.parse().unwrap_or(0), 1),
    }
}

/// The path of a `---`/`+++` line without its side prefix; `None` for `/dev/null`.
fn strip_side(rest: &str, side: &str) -> Option<String> {
    let rest = rest.trim_end_matches('\t');
    if rest == "/dev/null" {
        return None;
    }
    let unq = unquote(rest);
    Some(unq.strip_prefix(side).map(str::to_string).unwrap_or(unq))
}

/// Undo git's C-style quoting of unusual path names (`"caf\303\251 x.py"`); an unquoted path
/// is returned as it is.
pub fn unquote(s: &str) -> String {
    let Some(inner) = s
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .filter(|_| s.len() >= 2)
    else {
        return s.to_string();
    };
    let mut bytes = Vec::new();
    let mut it = inner.bytes().peekable();
    while let Some(c) = it.next() {
        if c != b'\\' {
            bytes.push(c);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(d @ b'0'..=b'7') => {
                let mut v = (d - b'0') as u32;
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + (n - b'0') as u32;
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// A status letter's kind, and whether the entry names two paths (old, new).
fn kind_of(status: &str) -> (ChangeKind, bool) {
    match status.chars().next().unwrap_or('M') {
        'A' => (ChangeKind::Added, false),
        'D' => (ChangeKind::Deleted, false),
        'R' => (ChangeKind::Renamed, true),
        'C' => (ChangeKind::Copied, true),
        'T' => (ChangeKind::TypeChanged, false),
        _ => (ChangeKind::Modified, false),
    }
}

/// The output of `git diff --raw -p -z`: its entries (kind, path, and the old path of a rename
/// or copy) and the patch that follows them. Each entry is `:MODE MODE SHA SHA STATUS` then one path (two for
/// a rename or copy), NUL-terminated; a NUL ends the entries.
pub fn parse_raw_patch(out: &[u8]) -> (Vec<(ChangeKind, String, Option<String>)>, String) {
    let mut entries = Vec::new();
    let mut pos = 0;
    let token = |pos: &mut usize| -> String {
        let start = (*pos).min(out.len());
        let end = out[start..]
            .iter()
            .position(|b| *b == 0)
            .map_or(out.len(), |e| start + e);
        *pos = end + 1;
        String::from_utf8_lossy(&out[start..end]).into_owned()
    };
    while out.get(pos) == Some(&b':') {
        let header = token(&mut pos);
        let status = header.rsplit(' ').next().unwrap_or("M");
        let (kind, two) = kind_of(status);
        let first = token(&mut pos);
        if two {
            let second = token(&mut pos);
            entries.push((kind, second, Some(first)));
        } else {
            entries.push((kind, first, None));
        }
    }
    if out.get(pos) == Some(&0) {
        pos += 1;
    }
    let patch = String::from_utf8_lossy(out.get(pos..).unwrap_or_default()).into_owned();
    (entries, patch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u32, end: u32) -> LineRange {
        LineRange { start, end }
    }

    #[test]
    fn hunks_give_new_old_and_added_ranges() {
        let patch = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -3 +3 @@ def f\n-a\n+b\n@@ -10,0 +11,2 @@\n+c\n+d\n@@ -20,2 +21,0 @@\n-e\n-f\n";
        let h = &parse_hunks(patch)["x.py"];
        assert_eq!(h.lines, vec![r(3, 3), r(11, 12), r(21, 21)]);
        assert_eq!(h.old_lines, vec![r(3, 3), r(10, 11), r(20, 21)]);
        assert_eq!(h.added, vec![r(3, 3), r(11, 12)]);
    }

    #[test]
    fn deleted_files_are_keyed_by_their_old_path_and_renames_by_the_new() {
        let patch = "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\ndiff --git a/o.py b/n.py\n--- a/o.py\n+++ b/n.py\n@@ -1 +1 @@\n-x\n+y\n";
        let h = parse_hunks(patch);
        assert!(h["gone.py"].added.is_empty());
        assert_eq!(h["n.py"].added, vec![r(1, 1)]);
    }

    #[test]
    fn quoted_paths_are_unquoted() {
        assert_eq!(
            strip_side("\"b/caf\\303\\251 x.py\"", "b/").unwrap(),
            "café x.py"
        );
        assert_eq!(unquote("\"a\\tb\\\"c\\\\\""), "a\tb\"c\\");
        assert_eq!(unquote("plain"), "plain");
        let patch = "diff --git \"a/sp ace\\tt.py\" \"b/sp ace\\tt.py\"\n--- \"a/sp ace\\tt.py\"\n+++ \"b/sp ace\\tt.py\"\n@@ -0,0 +1 @@\n+z\n";
        assert_eq!(parse_hunks(patch)["sp ace\tt.py"].added, vec![r(1, 1)]);
        assert_eq!(strip_side("/dev/null", "a/"), None);
    }

    #[test]
    fn raw_entries_and_the_patch_come_apart() {
        let out = b":100644 100644 d9bedee 55c4980 R080\0old.py\0new.py\0:100644 000000 1191247 0000000 D\0we ird.py\0:100644 100644 de98044 0000000 M\0x.py\0\0diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -2 +2 @@ a\n-b\n+B\n";
        let (entries, patch) = parse_raw_patch(out);
        assert_eq!(
            entries,
            vec![
                (ChangeKind::Renamed, "new.py".into(), Some("old.py".into())),
                (ChangeKind::Deleted, "we ird.py".into(), None),
                (ChangeKind::Modified, "x.py".into(), None),
            ]
        );
        assert_eq!(parse_hunks(&patch)["x.py"].added, vec![r(2, 2)]);
        assert_eq!(parse_raw_patch(b""), (Vec::new(), String::new()));
    }
}
