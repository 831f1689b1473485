//! Errors of the gate area, each with what failed, where and a hint.

use rigor_model::exit::{self, HasExitCode};
use std::fmt;

/// A position in an input file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Positions of many byte offsets in one text, each in O(log lines): the line starts are found
/// once, a line by binary search, and the column counted from the previous lookup when the
/// offsets come in order on one line (as a parser's do), so a whole file costs linear time even
/// on a single very long line.
pub struct LineIndex<'a> {
    text: &'a [u8],
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    /// The last lookup: (offset, its line index, its column).
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let text = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(
            text.iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, 0, 1)),
        }
    }

    /// Line and column (in characters) of a byte offset; past the end is the end.
    pub fn pos(&self, offset: usize) -> Pos {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let (last_offset, last_line, last_column) = self.last.get();
        let (from, column) = if last_line == line && last_offset <= offset {
            (last_offset, last_column)
        } else {
            (self.starts[line], 1)
        };
        // Characters are counted as the bytes that do not continue a UTF-8 sequence.
        let column = column
            + self.text[from..offset]
                .iter()
                .filter(|&&b| b & 0xC0 != 0x80)
                .count();
        self.last.set((offset, line, column));
        Pos {
            line: line + 1,
            column,
        }
    }
}

impl Pos {
    /// Line and column of a byte offset in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Pos { line, column }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A malformed input artifact: exit 3, nothing recorded.
    #[error("{file}:{pos}: malformed {format}: {message}\n  hint: {hint}")]
    Malformed {
        file: String,
        pos: Pos,
        format: &'static str,
        message: String,
        hint: String,
    },
    #[error(
        "cannot read {path}: {source}\n  hint: check the path given with the flag or in [artifacts]"
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot write {path}: {source}\n  hint: check that the directory exists and is writable"
    )]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Usage or configuration error: exit 2.
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
    #[error(transparent)]
    Config(#[from] rigor_model::ConfigError),
    #[error("{0}")]
    Store(#[from] rigor_store::StoreError),
    #[error(
        "gate history query failed: {0}\n  hint: move .rigor/history.db aside if it is damaged"
    )]
    Sql(#[from] rusqlite::Error),
    #[error("git failed: {message}\n  hint: {hint}")]
    Git { message: String, hint: String },
    /// Nothing to evaluate where something was required: exit 4.
    #[error("{message}\n  hint: {hint}")]
    Nothing { message: String, hint: String },
}

impl HasExitCode for GateError {
    fn exit_code(&self) -> i32 {
        match self {
            // a path that does not exist is a usage error; an unreadable file is bad input
            GateError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                exit::USAGE
            }
            GateError::Malformed { .. } | GateError::Read { .. } => exit::BAD_INPUT,
            GateError::Nothing { .. } => exit::NOTHING,
            // usage, configuration, the history store, git
            _ => exit::USAGE,
        }
    }
}

impl GateError {
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> GateError {
        GateError::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub(crate) fn malformed(
        file: &str,
        pos: Pos,
        format: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> GateError {
        GateError::Malformed {
            file: file.to_string(),
            pos,
            format,
            message: message.into(),
            hint: hint.into(),
        }
    }
}

pub type Result<T> = std::result::Result<T, GateError>;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The index gives what a rescan from the start gives, in any order of lookups.
        #[test]
        fn line_index_agrees_with_a_rescan(
            text in "(a|é|\n|<|😀){0,60}",
            offsets in prop::collection::vec(0usize..80, 0..12),
        ) {
            let index = LineIndex::new(&text);
            let mut sorted = offsets.clone();
            sorted.sort();
            for off in offsets.iter().chain(&sorted) {
                let off = (*off).min(text.len());
                prop_assert_eq!(index.pos(off), Pos::of_offset(&text, off), "offset {}", off);
            }
        }
    }

    #[test]
    fn line_index_counts_characters_and_lines() {
        let text = "ab\néé<x\n\nz";
        let i = LineIndex::new(text);
        assert_eq!(i.pos(0), Pos { line: 1, column: 1 });
        assert_eq!(i.pos(3), Pos { line: 2, column: 1 });
        assert_eq!(i.pos(7), Pos { line: 2, column: 3 }, "after two é");
        assert_eq!(i.pos(9), Pos { line: 2, column: 5 });
        assert_eq!(i.pos(10), Pos { line: 3, column: 1 });
        assert_eq!(i.pos(1), Pos { line: 1, column: 2 }, "backwards");
        assert_eq!(i.pos(999), Pos { line: 4, column: 2 }, "past the end");
    }

    #[test]
    fn exit_codes_by_kind() {
        let code = |e: GateError| HasExitCode::exit_code(&e);
        let io = |kind| std::io::Error::new(kind, "x");
        assert_eq!(
            code(GateError::malformed(
                "f",
                Pos { line: 1, column: 1 },
                "LCOV",
                "m",
                "h"
            )),
            exit::BAD_INPUT
        );
        assert_eq!(
            code(GateError::Read {
                path: "f".into(),
                source: io(std::io::ErrorKind::NotFound)
            }),
            exit::USAGE,
            "a path that does not exist is a usage error"
        );
        assert_eq!(
            code(GateError::Read {
                path: "f".into(),
                source: io(std::io::ErrorKind::PermissionDenied)
            }),
            exit::BAD_INPUT
        );
        assert_eq!(
            code(GateError::Nothing {
                message: "m".into(),
                hint: "h".into()
            }),
            exit::NOTHING
        );
        let store = rigor_store::StoreError::CreateDir {
            path: "d".into(),
            source: io(std::io::ErrorKind::PermissionDenied),
        };
        assert_eq!(code(store.into()), exit::USAGE, "store errors exit 2");
        assert_eq!(code(GateError::usage("m", "h")), exit::USAGE);
    }
}
