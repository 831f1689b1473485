//! rigor's custom-metric JSON (`{"metrics": [...]}` or a bare array), see docs/perf.md.

use super::json::{Node, finite_or_err};
use super::parsed::Parsed;
use crate::error::PerfError;
use crate::model::{Direction, Measurement, parse_time};
use crate::stats::median;
use serde_json::Value;

const CUSTOM_HINT: &str = "rigor's metric JSON: {\"metrics\": [{\"name\": \"accuracy\", \"unit\": \"%\", \"direction\": \"higher_is_better\", \"value\": 91.2, \"samples\": [...]}]} (see docs/perf.md)";

pub(super) fn read(root: Node) -> Result<Parsed, PerfError> {
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
