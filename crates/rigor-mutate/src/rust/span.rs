//! Byte offsets, lines and columns of syn spans in the file's text.

use proc_macro2::{LineColumn, Span};

/// Where each line starts, to turn proc-macro2's line/column (columns in characters) into
/// byte offsets.
pub struct LineIndex<'a> {
    src: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(src: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { src, starts }
    }

    /// The byte offset of a 1-based line and 0-based character column.
    pub fn offset(&self, lc: LineColumn) -> usize {
        let Some(&start) = self.starts.get(lc.line.saturating_sub(1)) else {
            return self.src.len();
        };
        let line = &self.src[start..];
        start
            + line
                .char_indices()
                .nth(lc.column)
                .map_or(line.len(), |(i, _)| i)
    }

    /// The byte range of a span.
    pub fn range(&self, span: Span) -> (usize, usize) {
        (self.offset(span.start()), self.offset(span.end()))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self.src[start..offset].chars().count() + 1;
        (line as u32, col as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_within_a_line() {
        let src = "fn f() {\n    let é = 1 < 2;\n}\n";
        let ix = LineIndex::new(src);
        let lt = src.find('<').unwrap();
        assert_eq!(
            ix.offset(LineColumn {
                line: 2,
                column: 14
            }),
            lt
        );
        assert_eq!(ix.line_col(lt), (2, 15));
        assert_eq!(ix.line_col(0), (1, 1));
    }
}
