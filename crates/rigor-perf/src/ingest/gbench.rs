//! Google Benchmark's `--benchmark_format=json` output: iterations become samples, aggregates are
//! used when no iteration was reported.

use super::json::Node;
use super::parsed::Parsed;
use crate::error::PerfError;
use crate::model::{Direction, Measurement, parse_time};
use crate::stats::median;
use serde_json::Value;
use std::collections::BTreeMap;

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

pub(super) fn read(root: Node) -> Result<Parsed, PerfError> {
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
