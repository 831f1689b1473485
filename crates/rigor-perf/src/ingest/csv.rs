//! Otava-layout CSV: a time column, attribute columns, one numeric column per metric.

use super::parsed::{CsvOptions, Parsed};
use crate::error::PerfError;
use crate::model::{Direction, Measurement, parse_time};

/// One CSV record with its 1-based line and each field's 1-based column.
#[derive(Debug, Clone)]
pub struct CsvRecord {
    pub line: usize,
    pub fields: Vec<String>,
    pub columns: Vec<usize>,
}

/// A parsed Otava-layout CSV: a time column, attribute columns, one column per metric.
#[derive(Debug, Clone)]
pub struct CsvTable {
    pub file: String,
    pub headers: Vec<String>,
    pub records: Vec<CsvRecord>,
    pub time_col: Option<usize>,
    pub commit_col: Option<usize>,
    pub branch_col: Option<usize>,
    pub metric_cols: Vec<usize>,
    pub attr_cols: Vec<usize>,
    /// `values[metric][row]`: `None` for empty cells.
    pub values: Vec<Vec<Option<f64>>>,
}

fn split_records(label: &str, text: &str, delim: u8) -> Result<Vec<CsvRecord>, PerfError> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let rec_line = line;
        let mut fields = Vec::new();
        let mut columns = Vec::new();
        let mut line_start = i;
        loop {
            let col = text[line_start..i].chars().count() + 1;
            let mut field = String::new();
            if i < b.len() && b[i] == b'"' {
                let (qline, qcol) = (line, col);
                i += 1;
                let mut start = i;
                loop {
                    if i >= b.len() {
                        return Err(PerfError::input(
                            label,
                            format!("line {qline}, column {qcol}"),
                            "unterminated quoted field (truncated file?)",
                            "close the quote, or re-export the CSV",
                        ));
                    }
                    if b[i] == b'"' {
                        if b.get(i + 1) == Some(&b'"') {
                            field.push_str(&text[start..=i]);
                            i += 2;
                            start = i;
                            continue;
                        }
                        field.push_str(&text[start..i]);
                        i += 1;
                        break;
                    }
                    if b[i] == b'\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    i += 1;
                }
                // garbage after closing quote up to the delimiter is kept verbatim
                let s = i;
                while i < b.len() && b[i] != delim && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                field.push_str(&text[s..i]);
            } else {
                let s = i;
                while i < b.len() && b[i] != delim && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                field.push_str(&text[s..i]);
            }
            fields.push(field);
            columns.push(col);
            if i < b.len() && b[i] == delim {
                i += 1;
                continue;
            }
            if i < b.len() && b[i] == b'\r' {
                i += 1;
            }
            if i < b.len() && b[i] == b'\n' {
                i += 1;
                line += 1;
            }
            break;
        }
        let _ = line_start;
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue; // blank line
        }
        out.push(CsvRecord {
            line: rec_line,
            fields,
            columns,
        });
    }
    Ok(out)
}

const TIME_NAMES: &[&str] = &["time", "timestamp", "date", "datetime", "created_at"];
const COMMIT_NAMES: &[&str] = &[
    "commit",
    "sha",
    "revision",
    "hash",
    "git_commit",
    "commit_sha",
];
const ATTR_NAMES: &[&str] = &[
    "branch", "version", "tag", "build", "run", "testbed", "host", "machine",
];

/// Parse an Otava-layout CSV.
pub fn parse_csv(label: &str, text: &str, opts: &CsvOptions) -> Result<CsvTable, PerfError> {
    let delim = opts
        .delimiter
        .unwrap_or_else(|| guess_delimiter(text.lines().next().unwrap_or("")));
    let mut records = split_records(label, text, delim)?;
    if records.is_empty() {
        return Err(PerfError::input(
            label,
            "line 1, column 1",
            "the file is empty",
            "an Otava CSV needs a header row",
        ));
    }
    let header = records.remove(0);
    let headers = header_names(label, &header)?;
    if records.is_empty() {
        return Err(PerfError::input(
            label,
            format!("line {}", header.line + 1),
            "the CSV has a header but no rows",
            "the export is empty or truncated",
        ));
    }
    check_row_widths(label, headers.len(), &records)?;
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_ascii_lowercase().as_str()))
    };
    let time_col = match &opts.time_column {
        Some(name) => Some(headers.iter().position(|h| h == name).ok_or_else(|| {
            PerfError::input(
                label,
                format!("line {}", header.line),
                format!("no time column `{name}` in the header"),
                format!("columns are: {}", headers.join(", ")),
            )
        })?),
        None => find(TIME_NAMES),
    };
    let commit_col = find(COMMIT_NAMES);
    let branch_col = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("branch"));
    let mut metric_cols = Vec::new();
    let mut attr_cols = Vec::new();
    let mut values = Vec::new();
    for (c, h) in headers.iter().enumerate() {
        if Some(c) == time_col || Some(c) == commit_col {
            continue;
        }
        if ATTR_NAMES.contains(&h.to_ascii_lowercase().as_str()) {
            attr_cols.push(c);
            continue;
        }
        match metric_values(label, h, c, &records)? {
            Some(col_values) => {
                metric_cols.push(c);
                values.push(col_values);
            }
            None => attr_cols.push(c),
        }
    }
    if metric_cols.is_empty() {
        return Err(PerfError::input(
            label,
            format!("line {}", header.line),
            "no metric columns (columns of numbers) found",
            "Otava's layout: a time column, attribute columns, then one numeric column per metric",
        ));
    }
    if let Some(tc) = time_col {
        check_times(label, &headers[tc], tc, &records)?;
    }
    Ok(CsvTable {
        file: label.to_string(),
        headers,
        records,
        time_col,
        commit_col,
        branch_col,
        metric_cols,
        attr_cols,
        values,
    })
}

/// The most frequent of `,`, `;` and tab in the header line.
fn guess_delimiter(first_line: &str) -> u8 {
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// The trimmed column names; every column needs one.
fn header_names(label: &str, header: &CsvRecord) -> Result<Vec<String>, PerfError> {
    let headers: Vec<String> = header.fields.iter().map(|h| h.trim().to_string()).collect();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(PerfError::input(
                label,
                format!("line {}, column {}", header.line, header.columns[i]),
                "empty column name in the header",
                "every column needs a name",
            ));
        }
    }
    Ok(headers)
}

/// Every row has as many fields as the header.
fn check_row_widths(label: &str, width: usize, records: &[CsvRecord]) -> Result<(), PerfError> {
    for r in records {
        if r.fields.len() != width {
            let col = r
                .columns
                .get(width)
                .or(r.columns.last())
                .copied()
                .unwrap_or(1);
            return Err(PerfError::input(
                label,
                format!("line {}, column {col}", r.line),
                format!(
                    "expected {width} fields as in the header, found {}",
                    r.fields.len()
                ),
                "check the delimiter and quoting of this row (a truncated file ends mid-row)",
            ));
        }
    }
    Ok(())
}

/// The values of column `c` when it is a metric column, `None` when it holds attributes. The
/// first non-empty value decides: a number makes a metric column, and then every value of the
/// column must be a number (or empty, for a missing value).
fn metric_values(
    label: &str,
    name: &str,
    c: usize,
    records: &[CsvRecord],
) -> Result<Option<Vec<Option<f64>>>, PerfError> {
    let first = records
        .iter()
        .map(|r| r.fields[c].trim())
        .find(|v| !v.is_empty());
    let is_metric = first.is_some_and(|v| parse_number(v).is_some());
    if !is_metric {
        return Ok(None);
    }
    let mut col_values = Vec::with_capacity(records.len());
    for r in records {
        let raw = r.fields[c].trim();
        if raw.is_empty() {
            col_values.push(None);
            continue;
        }
        match parse_number(raw) {
            Some(v) if v.is_finite() => col_values.push(Some(v)),
            _ => {
                return Err(PerfError::input(
                    label,
                    format!("line {}, column {}", r.line, r.columns[c]),
                    format!("`{raw}` in metric column `{name}` is not a number"),
                    "metric columns hold numbers (empty for a missing value); attribute columns must not start with a number",
                ));
            }
        }
    }
    Ok(Some(col_values))
}

/// Every value of the time column reads as a time.
fn check_times(label: &str, name: &str, tc: usize, records: &[CsvRecord]) -> Result<(), PerfError> {
    for r in records {
        let raw = r.fields[tc].trim();
        if parse_time(raw).is_none() {
            return Err(PerfError::input(
                label,
                format!("line {}, column {}", r.line, r.columns[tc]),
                format!("cannot read `{raw}` in time column `{name}` as a time"),
                "use ISO 8601 (2026-11-27 09:00:00+00:00) or Unix seconds",
            ));
        }
    }
    Ok(())
}

fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("nan")
        || t.eq_ignore_ascii_case("inf")
        || t.eq_ignore_ascii_case("infinity")
    {
        return None;
    }
    t.parse::<f64>().ok()
}

impl CsvTable {
    pub fn metric_names(&self) -> Vec<&str> {
        self.metric_cols
            .iter()
            .map(|&c| self.headers[c].as_str())
            .collect()
    }

    pub fn time_text(&self, row: usize) -> Option<&str> {
        self.time_col.map(|c| self.records[row].fields[c].trim())
    }

    pub fn commit(&self, row: usize) -> Option<&str> {
        self.commit_col
            .map(|c| self.records[row].fields[c].trim())
            .filter(|s| !s.is_empty())
    }

    /// A metric's present values with their row numbers.
    pub fn series(&self, metric: usize) -> (Vec<usize>, Vec<f64>) {
        let mut rows = Vec::new();
        let mut vals = Vec::new();
        for (r, v) in self.values[metric].iter().enumerate() {
            if let Some(v) = v {
                rows.push(r);
                vals.push(*v);
            }
        }
        (rows, vals)
    }

    pub(super) fn into_parsed(self) -> Parsed {
        let mut parsed = Parsed::default();
        for (mi, &c) in self.metric_cols.iter().enumerate() {
            for (r, rec) in self.records.iter().enumerate() {
                let Some(v) = self.values[mi][r] else {
                    continue;
                };
                let mut m =
                    Measurement::new(self.headers[c].clone(), "", Direction::LowerIsBetter, v);
                m.measure = "value".into();
                m.commit = self.commit(r).map(str::to_string);
                m.branch = self
                    .branch_col
                    .map(|b| rec.fields[b].trim().to_string())
                    .filter(|s| !s.is_empty());
                m.time = self.time_col.and_then(|t| parse_time(&rec.fields[t]));
                for &a in &self.attr_cols {
                    m.attributes
                        .insert(self.headers[a].clone(), rec.fields[a].trim().to_string());
                }
                parsed.measurements.push(m);
            }
        }
        // keep rows in file order across metrics (row-major), so history order follows the file
        parsed.measurements.sort_by_key(|m| m.time.unwrap_or(0));
        parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_positions() {
        let text = "time,commit,note,latency\n2026-01-01,a1,\"hello, world\",1.5\n2026-01-02,a2,\"x\"\"y\",2.5\n";
        let t = parse_csv("f.csv", text, &CsvOptions::default()).unwrap();
        assert_eq!(t.metric_names(), vec!["latency"]);
        assert_eq!(t.records[0].fields[2], "hello, world");
        assert_eq!(t.records[1].fields[2], "x\"y");
        assert_eq!(t.commit(1), Some("a2"));
        let err = parse_csv(
            "f.csv",
            "time,latency\n2026-01-01,1.5\n2026-01-02,abc\n",
            &CsvOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("f.csv: line 3, column 12"), "{err}");
        let err = parse_csv(
            "f.csv",
            "time,latency\n2026-01-01,1.5\n2026-01-02\n",
            &CsvOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
    }
}
