//! One changed file and its line ranges.

use serde::{Deserialize, Serialize};

/// How a file changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
    Renamed,
    Copied,
    /// Mode or type change (file ↔ symlink).
    TypeChanged,
    /// Not tracked by git and not ignored.
    Untracked,
}

/// An inclusive range of 1-based line numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineRange {
    pub start: u32,
    pub end: u32,
}

impl LineRange {
    pub fn contains(&self, line: u32) -> bool {
        self.start <= line && line <= self.end
    }
}

/// One changed file, with paths relative to the root given to [`ChangeSet::detect`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangedFile {
    /// Path after the change (for deletions: the deleted path).
    pub path: String,
    /// Path before a rename or copy.
    pub old_path: Option<String>,
    pub kind: ChangeKind,
    /// Changed lines on the new side. A pure deletion of lines is recorded as the single
    /// line after which the lines were removed (at least line 1).
    pub lines: Vec<LineRange>,
    /// Changed lines on the base side (what a coverage map recorded at the base refers to).
    /// A pure insertion is recorded as the base line it follows and the next one.
    pub old_lines: Vec<LineRange>,
    /// Lines added or modified on the new side (diff-cover's changed lines); every line of an
    /// untracked file.
    #[serde(default)]
    pub added: Vec<LineRange>,
}

impl ChangedFile {
    /// The path on the base side (the old path of a rename, else the path).
    pub fn base_path(&self) -> &str {
        self.old_path.as_deref().unwrap_or(&self.path)
    }
}
