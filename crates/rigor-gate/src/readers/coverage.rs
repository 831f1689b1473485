//! Line coverage: coverage.py JSON, Cobertura XML (coverage.py, others), LCOV.
//!
//! Every reader yields measured lines with their hit counts per file; a line that is not in the
//! report is not measured (diff-cover semantics).

use super::{XmlCtx, parse_json, parse_xml};
use crate::error::{GateError, Pos, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Measured lines of one file: line → hits (0 = not covered).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileCoverage {
    pub lines: BTreeMap<u32, u64>,
}

impl FileCoverage {
    pub fn covered(&self) -> usize {
        self.lines.values().filter(|&&h| h > 0).count()
    }
    pub fn measured(&self) -> usize {
        self.lines.len()
    }
}

/// A coverage report: files (paths as written in the report, resolved against its sources).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Coverage {
    pub files: BTreeMap<String, FileCoverage>,
}

impl Coverage {
    pub fn covered(&self) -> usize {
        self.files.values().map(FileCoverage::covered).sum()
    }
    pub fn measured(&self) -> usize {
        self.files.values().map(FileCoverage::measured).sum()
    }
    /// Line coverage in percent, None when nothing is measured.
    pub fn percent(&self) -> Option<f64> {
        pct(self.covered(), self.measured())
    }
    /// Merge another report (e.g. from several jobs): a line's hits are summed.
    pub fn merge(&mut self, other: Coverage) {
        for (f, fc) in other.files {
            let into = self.files.entry(f).or_default();
            for (l, h) in fc.lines {
                let e = into.lines.entry(l).or_insert(0);
                *e = e.saturating_add(h);
            }
        }
    }
}

pub fn pct(covered: usize, measured: usize) -> Option<f64> {
    (measured > 0).then(|| 100.0 * covered as f64 / measured as f64)
}

const PY_HINT: &str = "expected the output of `coverage json` (coverage.py 5+): {\"meta\":…, \"files\": {path: {\"executed_lines\": […], \"missing_lines\": […]}}}";

#[derive(Deserialize)]
struct PyJson {
    #[allow(dead_code)]
    meta: serde_json::Value,
    files: BTreeMap<String, PyFile>,
}

#[derive(Deserialize)]
struct PyFile {
    executed_lines: Vec<u32>,
    missing_lines: Vec<u32>,
    #[serde(default)]
    excluded_lines: Vec<u32>,
    #[serde(default)]
    summary: Option<PySummary>,
}

#[derive(Deserialize)]
struct PySummary {
    num_statements: usize,
}

/// coverage.py JSON (`coverage json`).
///
/// coverage.py lists *executed* lines, which can include lines that are not statements (a
/// docstring's line, executed by the interpreter); its summary counts statements. Where the two
/// disagree and the source is at hand, use [`read_coveragepy_json_with_source`].
pub fn read_coveragepy_json(file: &str, text: &str) -> Result<Coverage> {
    read_coveragepy_json_with_source(file, text, &|_| None)
}

/// coverage.py JSON, dropping executed non-statement lines: excluded lines always; then, when a
/// file's executed and missing lines still outnumber its `summary.num_statements`, the surplus is
/// looked for among the docstring lines of its source (`source(path)`), which coverage.py does not
/// count as statements.
pub fn read_coveragepy_json_with_source(
    file: &str,
    text: &str,
    source: &dyn Fn(&str) -> Option<String>,
) -> Result<Coverage> {
    let doc: PyJson = parse_json(file, text, "coverage.py JSON", PY_HINT)?;
    let mut cov = Coverage::default();
    for (path, f) in doc.files {
        let fc = cov.files.entry(path.clone()).or_default();
        for l in &f.executed_lines {
            fc.lines.insert(*l, 1);
        }
        for l in &f.missing_lines {
            fc.lines.entry(*l).or_insert(0);
        }
        // excluded lines (`# pragma: no cover`, `if TYPE_CHECKING:` …) are never statements,
        // though coverage.py may list them as executed
        for l in &f.excluded_lines {
            fc.lines.remove(l);
        }
        let Some(statements) = f.summary.map(|s| s.num_statements) else {
            continue;
        };
        let mut surplus = fc.lines.len().saturating_sub(statements);
        if surplus == 0 {
            continue;
        }
        let Some(src) = source(&path) else { continue };
        for l in docstring_lines(&src) {
            if surplus == 0 {
                break;
            }
            if fc.lines.get(&l) == Some(&1) {
                fc.lines.remove(&l);
                surplus -= 1;
            }
        }
    }
    Ok(cov)
}

/// Lines where a docstring starts: a string literal that is the first statement of the module or
/// follows a line ending in `:` (a `def`/`class` header).
pub fn docstring_lines(src: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut prev_code: Option<&str> = None;
    let mut in_string: Option<&str> = None;
    for (i, raw) in src.lines().enumerate() {
        let line = raw.trim();
        if let Some(q) = in_string {
            // inside a multi-line string: look for its end only
            if line.contains(q) {
                in_string = None;
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let body = line.trim_start_matches(|c: char| "rRuUbBfF".contains(c));
        let quote = ["\"\"\"", "\'\'\'", "\"", "\'"]
            .into_iter()
            .find(|q| body.starts_with(q));
        if quote.is_some() && prev_code.is_none_or(|p| p.ends_with(':')) {
            out.push(i as u32 + 1);
        }
        if let Some(q) = quote.filter(|q| q.len() == 3)
            && !body[3..].contains(q)
        {
            in_string = Some(q);
        }
        prev_code = Some(line);
    }
    out
}

const COB_HINT: &str = "expected Cobertura XML (`coverage xml`, cargo-llvm-cov --cobertura): <coverage><packages><package><classes><class filename=…><lines><line number=… hits=…/>";

/// Cobertura XML. Relative class file names are resolved against the `<source>` that holds them
/// (checked on disk), else the first `<source>`.
pub fn read_cobertura(file: &str, text: &str) -> Result<Coverage> {
    let root = parse_xml(file, text, "Cobertura XML", COB_HINT)?;
    let ctx = XmlCtx {
        file,
        format: "Cobertura XML",
        hint: COB_HINT,
    };
    if root.name != "coverage" {
        return Err(ctx.err(
            root.pos,
            format!("the root element is <{}>, expected <coverage>", root.name),
        ));
    }
    let sources: Vec<String> = root
        .child("sources")
        .map(|s| {
            s.children_named("source")
                .map(|e| e.text.trim().to_string())
                .collect()
        })
        .unwrap_or_default();
    let mut classes = Vec::new();
    root.descendants("class", &mut classes);
    let mut cov = Coverage::default();
    for class in classes {
        let name = ctx.req(class, "filename")?;
        let path = resolve_source(&sources, name);
        let fc = cov.files.entry(path).or_default();
        let Some(lines) = class.child("lines") else {
            continue;
        };
        for line in lines.children_named("line") {
            let n: u32 = ctx
                .num(line, "number")?
                .ok_or_else(|| ctx.err(line.pos, "<line> lacks the required attribute `number`"))?;
            let hits: u64 = match line.attr("hits") {
                // some writers emit hits as a float ("1.0")
                Some(h) => h
                    .trim()
                    .parse::<u64>()
                    .or_else(|_| h.trim().parse::<f64>().map(|f| f as u64))
                    .map_err(|_| {
                        ctx.err(
                            line.pos,
                            format!("<line> attribute `hits` = \"{h}\" is not a valid integer"),
                        )
                    })?,
                None => return Err(ctx.err(line.pos, "<line> lacks the required attribute `hits`")),
            };
            let e = fc.lines.entry(n).or_insert(0);
            *e = (*e).max(hits);
        }
    }
    Ok(cov)
}

fn resolve_source(sources: &[String], name: &str) -> String {
    if Path::new(name).is_absolute() || sources.is_empty() {
        return name.to_string();
    }
    for s in sources {
        let p = Path::new(s).join(name);
        if p.exists() {
            return p.to_string_lossy().into_owned();
        }
    }
    Path::new(&sources[0])
        .join(name)
        .to_string_lossy()
        .into_owned()
}

const LCOV_HINT: &str =
    "expected LCOV tracefile records: SF:<path>, DA:<line>,<hits>, …, end_of_record";

/// LCOV tracefile (`coverage lcov`, cargo-llvm-cov --lcov, genhtml input).
pub fn read_lcov(file: &str, text: &str) -> Result<Coverage> {
    let last_line = text.lines().count();
    let cut_short = !text.ends_with('\n');
    let err = |line: usize, column: usize, msg: String| {
        let msg = if cut_short && line == last_line {
            format!("{msg} (the file ends inside this line: truncated?)")
        } else {
            msg
        };
        GateError::malformed(file, Pos { line, column }, "LCOV", msg, LCOV_HINT)
    };
    if text.trim().is_empty() {
        return Err(err(1, 1, "the file is empty".into()));
    }
    let mut cov = Coverage::default();
    let mut current: Option<(String, usize)> = None;
    let mut records = 0;
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line == "end_of_record" {
            if current.take().is_none() {
                return Err(err(
                    ln,
                    1,
                    "`end_of_record` without a preceding `SF:`".into(),
                ));
            }
            records += 1;
            continue;
        }
        let Some((tag, value)) = line.split_once(':') else {
            return Err(err(
                ln,
                1,
                format!("`{line}` is not a `TAG:value` record line"),
            ));
        };
        let vcol = tag.len() + 2;
        match tag {
            "SF" => {
                if let Some((_, at)) = &current {
                    return Err(err(
                        ln,
                        1,
                        format!(
                            "`SF:` while the record opened at line {at} is not closed by `end_of_record`"
                        ),
                    ));
                }
                if value.trim().is_empty() {
                    return Err(err(ln, vcol, "`SF:` without a path".into()));
                }
                cov.files.entry(value.to_string()).or_default();
                current = Some((value.to_string(), ln));
            }
            "DA" => {
                let Some((path, _)) = &current else {
                    return Err(err(
                        ln,
                        1,
                        "`DA:` outside a record (no `SF:` before it)".into(),
                    ));
                };
                let mut parts = value.split(',');
                let n = parts.next().unwrap_or("");
                let h = parts.next();
                let n: u32 = n
                    .trim()
                    .parse()
                    .map_err(|_| err(ln, vcol, format!("line number `{n}` is not an integer")))?;
                let Some(h) = h else {
                    return Err(err(ln, vcol, format!("`DA:{value}` lacks the hit count")));
                };
                let hcol = vcol + value.find(',').unwrap_or(0) + 1;
                // hit counts may be negative or fractional in some writers (gcov); clamp
                let hits: u64 = match h.trim().parse::<i64>() {
                    Ok(v) => v.max(0) as u64,
                    Err(_) => h
                        .trim()
                        .parse::<f64>()
                        .map(|f| f.max(0.0) as u64)
                        .map_err(|_| err(ln, hcol, format!("hit count `{h}` is not a number")))?,
                };
                let fc = cov.files.get_mut(path).expect("SF inserted the file");
                let e = fc.lines.entry(n).or_insert(0);
                *e = e.saturating_add(hits);
            }
            _ => {} // TN, FN, FNDA, FNF, FNH, BRDA, BRF, BRH, LF, LH, VER
        }
    }
    if let Some((path, at)) = current {
        let last = text.lines().count().max(1);
        return Err(err(
            last,
            1,
            format!(
                "unexpected end of file (truncated?): the record for `{path}` opened at line {at} has no `end_of_record`"
            ),
        ));
    }
    if records == 0 {
        return Err(err(1, 1, "no `SF:` record in the file".into()));
    }
    Ok(cov)
}
