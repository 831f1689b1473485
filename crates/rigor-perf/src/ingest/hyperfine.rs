//! hyperfine's `--export-json` output.

use super::json::{Node, finite_or_err};
use super::parsed::Parsed;
use crate::error::PerfError;
use crate::model::{Direction, Measurement};
use crate::stats::median;
use serde_json::Value;

const HYPERFINE_HINT: &str =
    "expected hyperfine's --export-json output: {\"results\": [{\"command\": …, \"times\": […]}]}";

pub(super) fn read(root: Node) -> Result<Parsed, PerfError> {
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
