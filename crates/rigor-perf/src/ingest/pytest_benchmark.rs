//! pytest-benchmark's `--benchmark-json` output.

use super::json::{Node, finite_or_err};
use super::parsed::Parsed;
use crate::error::PerfError;
use crate::model::{Direction, Measurement, parse_time};

const PYTEST_HINT: &str = "expected pytest-benchmark's --benchmark-json output: {\"benchmarks\": [{\"fullname\": …, \"stats\": {\"median\": …}}]}";

pub(super) fn read(root: Node) -> Result<Parsed, PerfError> {
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
