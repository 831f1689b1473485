//! Readers for benchmark and metric artifacts. Every reader parses the whole input before
//! anything is stored, and reports malformed input with the file and a position (line and column
//! for CSV and JSON syntax, a JSON path such as `$.benchmarks[2].stats.median` for wrong types).

use crate::error::PerfError;
use crate::model::{Direction, Measurement, parse_time};
use crate::stats::median;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Auto,
    Criterion,
    PytestBenchmark,
    Hyperfine,
    Gbench,
    Csv,
    Json,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Criterion => "criterion",
            Format::PytestBenchmark => "pytest-benchmark",
            Format::Hyperfine => "hyperfine",
            Format::Gbench => "gbench",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// What a file yielded.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub format: Option<Format>,
    pub measurements: Vec<Measurement>,
    /// Commit / branch / time recorded by the tool itself (pytest-benchmark's commit_info …).
    pub commit: Option<String>,
    pub branch: Option<String>,
    pub testbed: Option<String>,
    pub time: Option<i64>,
    pub warnings: Vec<String>,
}

/// CSV options (Otava's `csv_options`, `time_column`, `attributes`).
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    pub delimiter: Option<u8>,
    pub time_column: Option<String>,
}

/// Read any supported input.
pub fn read_path(path: &Path, format: Format, csv: &CsvOptions) -> Result<Parsed, PerfError> {
    let label = path.display().to_string();
    if !path.exists() {
        return Err(PerfError::Read {
            path: label,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            hint: "give the path of a benchmark result (file) or of target/criterion (directory)"
                .into(),
        });
    }
    let format = if format == Format::Auto {
        detect_format(path)?
    } else {
        format
    };
    let mut parsed = match format {
        Format::Criterion => read_criterion(path)?,
        Format::Csv => {
            let text = read_text(path)?;
            let table = parse_csv(&label, &text, csv)?;
            table.into_parsed()
        }
        other => {
            let text = read_text(path)?;
            let value = parse_json(&label, &text)?;
            let root = Node::root(&value, &label);
            match other {
                Format::PytestBenchmark => read_pytest_benchmark(root)?,
                Format::Hyperfine => read_hyperfine(root)?,
                Format::Gbench => read_gbench(root)?,
                Format::Json => read_custom(root)?,
                _ => unreachable!("handled above"),
            }
        }
    };
    parsed.format = Some(format);
    if parsed.measurements.is_empty() {
        return Err(PerfError::input(
            &label,
            "whole file",
            format!(
                "no benchmark results found in this {} input",
                format.as_str()
            ),
            "check that the benchmark tool ran and wrote its results, and the --format",
        ));
    }
    Ok(parsed)
}

fn read_text(path: &Path) -> Result<String, PerfError> {
    let label = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| PerfError::Read {
        path: label.clone(),
        source,
        hint: "check the path and permissions".into(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let (line, col) = line_col(
            &String::from_utf8_lossy(e.as_bytes()),
            e.utf8_error().valid_up_to(),
        );
        PerfError::input(
            &label,
            format!("line {line}, column {col}"),
            "invalid UTF-8",
            "benchmark results must be UTF-8 text",
        )
    })?;
    if text.trim().is_empty() {
        return Err(PerfError::input(
            &label,
            "line 1, column 1",
            "the file is empty",
            "the benchmark probably did not finish; re-run it and ingest the new file",
        ));
    }
    Ok(text)
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}

/// Pick the format from the path and content.
pub fn detect_format(path: &Path) -> Result<Format, PerfError> {
    let label = path.display().to_string();
    if path.is_dir() {
        return Ok(Format::Criterion);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.ends_with(".csv") || name.ends_with(".tsv") {
        return Ok(Format::Csv);
    }
    if name == "estimates.json" || name == "sample.json" || name == "benchmark.json" {
        return Ok(Format::Criterion);
    }
    let text = read_text(path)?;
    let value = parse_json(&label, &text)?;
    let has = |k: &str| value.get(k).is_some();
    Ok(
        if has("results")
            && value["results"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r.get("command").is_some()))
        {
            Format::Hyperfine
        } else if has("benchmarks") && (has("machine_info") || has("commit_info")) {
            Format::PytestBenchmark
        } else if has("benchmarks") && has("context") {
            Format::Gbench
        } else if has("metrics") || value.is_array() {
            Format::Json
        } else if has("mean") && has("median") {
            Format::Criterion
        } else {
            return Err(PerfError::input(
                &label,
                "$",
                "cannot tell which benchmark tool wrote this JSON",
                "pass --format criterion|pytest-benchmark|hyperfine|gbench|json",
            ));
        },
    )
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Replace bare `NaN`, `Infinity`, `-Infinity` (Google Benchmark, Python's json) outside strings
/// by same-length string sentinels, so serde_json can parse and positions stay right.
fn sanitize_json(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_str = false;
    let mut start = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        let rep: Option<(&str, &str)> = if text[i..].starts_with("-Infinity") {
            Some(("-Infinity", "\"-Infini\""))
        } else if text[i..].starts_with("Infinity") {
            Some(("Infinity", "\"Infini\""))
        } else if text[i..].starts_with("NaN") {
            Some(("NaN", "\"N\""))
        } else {
            None
        };
        if let Some((tok, sub)) = rep {
            out.push_str(&text[start..i]);
            out.push_str(sub);
            i += tok.len();
            start = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[start..]);
    out
}

fn parse_json(label: &str, text: &str) -> Result<Value, PerfError> {
    let clean = sanitize_json(text);
    serde_json::from_str(&clean).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends early (truncated file?)",
            _ => "invalid JSON",
        };
        PerfError::input(
            label,
            format!("line {}, column {}", e.line(), e.column()),
            format!("{what}: {e}"),
            "the file must be complete JSON as written by the benchmark tool; re-run it if it was interrupted",
        )
    })
}

/// A JSON value with its path, for located type errors.
#[derive(Clone)]
struct Node<'a> {
    v: &'a Value,
    path: String,
    file: &'a str,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Node<'a> {
    fn root(v: &'a Value, file: &'a str) -> Self {
        Node {
            v,
            path: "$".into(),
            file,
        }
    }
    fn err(&self, message: String, hint: &str) -> PerfError {
        PerfError::input(self.file, format!("at {}", self.path), message, hint)
    }
    fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.v.get(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(Node {
                v,
                path: format!("{}.{key}", self.path),
                file: self.file,
            }),
        }
    }
    fn req(&self, key: &str, hint: &str) -> Result<Node<'a>, PerfError> {
        if !self.v.is_object() {
            return Err(self.err(format!("expected an object, found {}", kind(self.v)), hint));
        }
        self.get(key)
            .ok_or_else(|| self.err(format!("missing field `{key}`"), hint))
    }
    fn num(&self, hint: &str) -> Result<f64, PerfError> {
        match self.v {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| self.err("number out of range".into(), hint)),
            Value::String(s) if s == "N" => Ok(f64::NAN),
            Value::String(s) if s == "Infini" => Ok(f64::INFINITY),
            Value::String(s) if s == "-Infini" => Ok(f64::NEG_INFINITY),
            other => Err(self.err(format!("expected a number, found {}", kind(other)), hint)),
        }
    }
    fn string(&self, hint: &str) -> Result<&'a str, PerfError> {
        match self.v {
            Value::String(s) => Ok(s),
            other => Err(self.err(format!("expected a string, found {}", kind(other)), hint)),
        }
    }
    fn items(&self, hint: &str) -> Result<Vec<Node<'a>>, PerfError> {
        match self.v {
            Value::Array(a) => Ok(a
                .iter()
                .enumerate()
                .map(|(i, v)| Node {
                    v,
                    path: format!("{}[{i}]", self.path),
                    file: self.file,
                })
                .collect()),
            other => Err(self.err(format!("expected an array, found {}", kind(other)), hint)),
        }
    }
    fn numbers(&self, hint: &str) -> Result<Vec<f64>, PerfError> {
        self.items(hint)?.iter().map(|n| n.num(hint)).collect()
    }
    fn opt_str(&self, key: &str) -> Option<String> {
        self.v.get(key).and_then(Value::as_str).map(str::to_string)
    }
}

fn finite_or_err(node_path: &Node, v: f64, hint: &str) -> Result<f64, PerfError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(node_path.err(format!("expected a finite number, found {v}"), hint))
    }
}

// ---------------------------------------------------------------------------------------------
// criterion

const CRITERION_HINT: &str = "criterion writes target/criterion/<bench>/new/estimates.json and sample.json; ingest the target/criterion directory";

fn read_criterion(path: &Path) -> Result<Parsed, PerfError> {
    // accept target/criterion, a benchmark dir, its new/ dir, or a file inside new/
    let mut start = path.to_path_buf();
    if start.is_file() {
        start = start.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    if start.file_name().is_some_and(|n| n == "new") {
        start = start.parent().map(Path::to_path_buf).unwrap_or_default();
    }
    let mut dirs = Vec::new();
    find_criterion_benches(&start, &mut dirs)?;
    dirs.sort();
    let mut parsed = Parsed::default();
    for dir in dirs {
        let new = dir.join("new");
        let label_of = |f: &str| new.join(f).display().to_string();
        let name = match std::fs::read_to_string(new.join("benchmark.json")) {
            Ok(text) => {
                let label = label_of("benchmark.json");
                let v = parse_json(&label, &text)?;
                let root = Node::root(&v, &label);
                root.req("full_id", CRITERION_HINT)?
                    .string(CRITERION_HINT)?
                    .to_string()
            }
            Err(_) => {
                let rel = dir.strip_prefix(&start).unwrap_or(&dir);
                let rel = if rel.as_os_str().is_empty() {
                    dir.file_name().map(PathBuf::from).unwrap_or_default()
                } else {
                    rel.to_path_buf()
                };
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            }
        };
        let est_label = label_of("estimates.json");
        let est_text = read_text(&new.join("estimates.json"))?;
        let est = parse_json(&est_label, &est_text)?;
        let est = Node::root(&est, &est_label);
        let mean = est.req("mean", CRITERION_HINT)?;
        let point = mean.req("point_estimate", CRITERION_HINT)?;
        let mean_value = finite_or_err(&point, point.num(CRITERION_HINT)?, CRITERION_HINT)?;
        let mut m = Measurement::new(name, "ns", Direction::LowerIsBetter, mean_value);
        if let Some(median) = est.get("median") {
            let p = median.req("point_estimate", CRITERION_HINT)?;
            m.value = finite_or_err(&p, p.num(CRITERION_HINT)?, CRITERION_HINT)?;
        }
        let sample_path = new.join("sample.json");
        if sample_path.exists() {
            let label = sample_path.display().to_string();
            let text = read_text(&sample_path)?;
            let v = parse_json(&label, &text)?;
            let root = Node::root(&v, &label);
            let iters_node = root.req("iters", CRITERION_HINT)?;
            let times_node = root.req("times", CRITERION_HINT)?;
            let iters = iters_node.numbers(CRITERION_HINT)?;
            let times = times_node.numbers(CRITERION_HINT)?;
            if iters.len() != times.len() {
                return Err(times_node.err(
                    format!(
                        "`times` has {} entries but `iters` has {}",
                        times.len(),
                        iters.len()
                    ),
                    CRITERION_HINT,
                ));
            }
            for (i, (it, t)) in iters.iter().zip(&times).enumerate() {
                if *it <= 0.0 || !t.is_finite() || *t < 0.0 {
                    return Err(PerfError::input(
                        &label,
                        format!("at $.iters[{i}] / $.times[{i}]"),
                        format!("invalid sample: {t} ns over {it} iterations"),
                        CRITERION_HINT,
                    ));
                }
                m.samples.push(t / it);
            }
        }
        parsed.measurements.push(m);
    }
    if parsed.measurements.is_empty() {
        return Err(PerfError::input(
            &path.display().to_string(),
            "directory",
            "no criterion results (<bench>/new/estimates.json) below this directory",
            CRITERION_HINT,
        ));
    }
    Ok(parsed)
}

fn find_criterion_benches(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), PerfError> {
    if dir.join("new").join("estimates.json").is_file() {
        out.push(dir.to_path_buf());
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            return Err(PerfError::Read {
                path: dir.display().to_string(),
                source,
                hint: CRITERION_HINT.into(),
            });
        }
    };
    let mut subdirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subdirs.sort();
    for sub in subdirs {
        let name = sub.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if matches!(name, "new" | "base" | "change" | "report") {
            continue;
        }
        find_criterion_benches(&sub, out)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// pytest-benchmark

const PYTEST_HINT: &str = "expected pytest-benchmark's --benchmark-json output: {\"benchmarks\": [{\"fullname\": …, \"stats\": {\"median\": …}}]}";

fn read_pytest_benchmark(root: Node) -> Result<Parsed, PerfError> {
    let mut parsed = Parsed::default();
    if let Some(ci) = root.get("commit_info") {
        parsed.commit = ci.opt_str("id");
        parsed.branch = ci.opt_str("branch");
    }
    if let Some(mi) = root.get("machine_info") {
        parsed.testbed = mi.opt_str("node");
    }
    parsed.time = root.opt_str("datetime").and_then(|s| parse_time(&s));
    for b in root.req("benchmarks", PYTEST_HINT)?.items(PYTEST_HINT)? {
        let name = match b.get("fullname") {
            Some(n) => n.string(PYTEST_HINT)?.to_string(),
            None => b.req("name", PYTEST_HINT)?.string(PYTEST_HINT)?.to_string(),
        };
        let stats = b.req("stats", PYTEST_HINT)?;
        let med = stats.req("median", PYTEST_HINT)?;
        let value = finite_or_err(&med, med.num(PYTEST_HINT)?, PYTEST_HINT)?;
        let mut m = Measurement::new(name, "s", Direction::LowerIsBetter, value);
        if let Some(data) = stats.get("data") {
            m.samples = data.numbers(PYTEST_HINT)?;
        }
        if let Some(g) = b.opt_str("group") {
            m.attributes.insert("group".into(), g);
        }
        parsed.measurements.push(m);
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// hyperfine

const HYPERFINE_HINT: &str =
    "expected hyperfine's --export-json output: {\"results\": [{\"command\": …, \"times\": […]}]}";

fn read_hyperfine(root: Node) -> Result<Parsed, PerfError> {
    let mut parsed = Parsed::default();
    for r in root.req("results", HYPERFINE_HINT)?.items(HYPERFINE_HINT)? {
        let name = r
            .req("command", HYPERFINE_HINT)?
            .string(HYPERFINE_HINT)?
            .to_string();
        let mut samples = Vec::new();
        if let Some(t) = r.get("times") {
            samples = t.numbers(HYPERFINE_HINT)?;
        }
        let value = match r.get("median") {
            Some(n) => finite_or_err(&n, n.num(HYPERFINE_HINT)?, HYPERFINE_HINT)?,
            None if !samples.is_empty() => median(&samples),
            None => {
                let n = r.req("mean", HYPERFINE_HINT)?;
                finite_or_err(&n, n.num(HYPERFINE_HINT)?, HYPERFINE_HINT)?
            }
        };
        let mut m = Measurement::new(name, "s", Direction::LowerIsBetter, value);
        m.samples = samples;
        if let Some(Value::Object(params)) = r.get("parameters").map(|n| n.v) {
            for (k, v) in params {
                m.attributes.insert(
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                );
            }
        }
        parsed.measurements.push(m);
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// Google Benchmark

const GBENCH_HINT: &str = "expected Google Benchmark's --benchmark_format=json output: {\"context\": …, \"benchmarks\": [{\"name\": …, \"real_time\": …, \"time_unit\": \"ns\"}]}";

fn unit_factor(unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => 1.0,
        "us" => 1e3,
        "ms" => 1e6,
        "s" => 1e9,
        _ => return None,
    })
}

fn read_gbench(root: Node) -> Result<Parsed, PerfError> {
    let mut parsed = Parsed::default();
    if let Some(ctx) = root.get("context") {
        parsed.time = ctx.opt_str("date").and_then(|s| parse_time(&s));
        parsed.testbed = ctx.opt_str("host_name");
    }
    // name → (iteration samples, aggregates by name)
    let mut order: Vec<String> = Vec::new();
    let mut iterations: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut aggregates: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for b in root.req("benchmarks", GBENCH_HINT)?.items(GBENCH_HINT)? {
        let name = b.req("name", GBENCH_HINT)?.string(GBENCH_HINT)?.to_string();
        let run_name = b.opt_str("run_name").unwrap_or_else(|| name.clone());
        if b.v.get("error_occurred").and_then(Value::as_bool) == Some(true) {
            let msg = b.opt_str("error_message").unwrap_or_default();
            parsed.warnings.push(format!(
                "{}: benchmark `{name}` reported an error ({msg}); skipped",
                b.path
            ));
            continue;
        }
        let unit = b
            .get("time_unit")
            .map(|u| u.string(GBENCH_HINT))
            .transpose()?
            .unwrap_or("ns");
        let factor = unit_factor(unit).ok_or_else(|| {
            b.get("time_unit").unwrap_or(b.clone()).err(
                format!("unknown time unit `{unit}`"),
                "Google Benchmark uses ns, us, ms or s",
            )
        })?;
        let rt_node = b.req("real_time", GBENCH_HINT)?;
        let rt = rt_node.num(GBENCH_HINT)?;
        if !order.contains(&run_name) {
            order.push(run_name.clone());
        }
        if !rt.is_finite() {
            parsed.warnings.push(format!(
                "{}: real_time is {rt}; sample skipped",
                rt_node.path
            ));
            continue;
        }
        let run_type = b.opt_str("run_type").unwrap_or_else(|| "iteration".into());
        if run_type == "aggregate" {
            let agg = b.opt_str("aggregate_name").unwrap_or_default();
            aggregates
                .entry(run_name)
                .or_default()
                .insert(agg, rt * factor);
        } else {
            iterations.entry(run_name).or_default().push(rt * factor);
        }
    }
    for name in order {
        let samples = iterations.remove(&name).unwrap_or_default();
        let value = if !samples.is_empty() {
            median(&samples)
        } else if let Some(aggs) = aggregates.get(&name) {
            match aggs.get("median").or_else(|| aggs.get("mean")) {
                Some(v) => *v,
                None => continue,
            }
        } else {
            continue;
        };
        let mut m = Measurement::new(name, "ns", Direction::LowerIsBetter, value);
        m.samples = samples;
        parsed.measurements.push(m);
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// rigor's custom-metric JSON

const CUSTOM_HINT: &str = "rigor's metric JSON: {\"metrics\": [{\"name\": \"accuracy\", \"unit\": \"%\", \"direction\": \"higher_is_better\", \"value\": 91.2, \"samples\": [...]}]} (see docs/perf.md)";

fn read_custom(root: Node) -> Result<Parsed, PerfError> {
    let mut parsed = Parsed::default();
    let list = if root.v.is_array() {
        root.clone()
    } else {
        parsed.commit = root.opt_str("commit");
        parsed.branch = root.opt_str("branch");
        parsed.testbed = root.opt_str("testbed");
        if let Some(t) = root.get("time") {
            let s = match t.v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            parsed.time = Some(parse_time(&s).ok_or_else(|| {
                t.err(
                    format!("cannot read `{s}` as a time"),
                    "use RFC 3339, e.g. 2026-11-27T09:00:00Z, or Unix seconds",
                )
            })?);
        }
        root.req("metrics", CUSTOM_HINT)?
    };
    for item in list.items(CUSTOM_HINT)? {
        let name = item
            .req("name", CUSTOM_HINT)?
            .string(CUSTOM_HINT)?
            .to_string();
        if name.trim().is_empty() {
            return Err(item.err("empty metric name".into(), CUSTOM_HINT));
        }
        let unit = item
            .req("unit", CUSTOM_HINT)?
            .string(CUSTOM_HINT)?
            .to_string();
        let dir_node = item.req("direction", CUSTOM_HINT)?;
        let dir_text = dir_node.string(CUSTOM_HINT)?;
        let direction = Direction::parse(dir_text).ok_or_else(|| {
            dir_node.err(
                format!("unknown direction `{dir_text}`"),
                "use \"lower_is_better\" or \"higher_is_better\"",
            )
        })?;
        let samples = match item.get("samples") {
            Some(s) => {
                let v = s.numbers(CUSTOM_HINT)?;
                for (i, x) in v.iter().enumerate() {
                    if !x.is_finite() {
                        return Err(PerfError::input(
                            s.file,
                            format!("at {}[{i}]", s.path),
                            format!("sample is {x}"),
                            "samples must be finite numbers",
                        ));
                    }
                }
                v
            }
            None => Vec::new(),
        };
        let value = match item.get("value") {
            Some(v) => finite_or_err(&v, v.num(CUSTOM_HINT)?, CUSTOM_HINT)?,
            None if !samples.is_empty() => median(&samples),
            None => {
                return Err(item.err("missing field `value` (or `samples`)".into(), CUSTOM_HINT));
            }
        };
        let mut m = Measurement::new(name, unit, direction, value);
        m.measure = item.opt_str("measure").unwrap_or_else(|| "value".into());
        m.samples = samples;
        m.commit = item.opt_str("commit");
        if let Some(Value::Object(attrs)) = item.get("attributes").map(|n| n.v) {
            for (k, v) in attrs {
                m.attributes.insert(
                    k.clone(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                );
            }
        }
        parsed.measurements.push(m);
    }
    Ok(parsed)
}

// ---------------------------------------------------------------------------------------------
// Otava CSV

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
    /// values[metric][row]: None for empty cells.
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
    let first_line = text.lines().next().unwrap_or("");
    let delim = opts.delimiter.unwrap_or_else(|| {
        [b',', b';', b'\t']
            .into_iter()
            .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
            .unwrap_or(b',')
    });
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
    if records.is_empty() {
        return Err(PerfError::input(
            label,
            format!("line {}", header.line + 1),
            "the CSV has a header but no rows",
            "the export is empty or truncated",
        ));
    }
    for r in &records {
        if r.fields.len() != headers.len() {
            let col = r
                .columns
                .get(headers.len())
                .or(r.columns.last())
                .copied()
                .unwrap_or(1);
            return Err(PerfError::input(
                label,
                format!("line {}, column {col}", r.line),
                format!(
                    "expected {} fields as in the header, found {}",
                    headers.len(),
                    r.fields.len()
                ),
                "check the delimiter and quoting of this row (a truncated file ends mid-row)",
            ));
        }
    }
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
        // the first non-empty value decides: a number makes a metric column, and then every
        // value of the column must be a number
        let first = records
            .iter()
            .map(|r| r.fields[c].trim())
            .find(|v| !v.is_empty());
        let is_metric = first.is_some_and(|v| parse_number(v).is_some());
        if !is_metric {
            attr_cols.push(c);
            continue;
        }
        let mut col_values = Vec::with_capacity(records.len());
        for r in &records {
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
                        format!("`{raw}` in metric column `{h}` is not a number"),
                        "metric columns hold numbers (empty for a missing value); attribute columns must not start with a number",
                    ));
                }
            }
        }
        metric_cols.push(c);
        values.push(col_values);
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
        for r in &records {
            let raw = r.fields[tc].trim();
            if parse_time(raw).is_none() {
                return Err(PerfError::input(
                    label,
                    format!("line {}, column {}", r.line, r.columns[tc]),
                    format!(
                        "cannot read `{raw}` in time column `{}` as a time",
                        headers[tc]
                    ),
                    "use ISO 8601 (2026-11-27 09:00:00+00:00) or Unix seconds",
                ));
            }
        }
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

    fn into_parsed(self) -> Parsed {
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
    fn sanitize_keeps_positions_and_strings() {
        let t = r#"{"a": NaN, "b": "NaN Infinity", "c": -Infinity, "d": Infinity}"#;
        let s = sanitize_json(t);
        assert_eq!(s.len(), t.len());
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["b"], "NaN Infinity");
        let root = Node::root(&v, "x");
        assert!(root.get("a").unwrap().num("").unwrap().is_nan());
        assert_eq!(root.get("c").unwrap().num("").unwrap(), f64::NEG_INFINITY);
        assert_eq!(root.get("d").unwrap().num("").unwrap(), f64::INFINITY);
    }

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
