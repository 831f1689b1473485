//! JUnit XML: each gate a test case (failure = blocking gate failed, skipped = not evaluated;
//! advisory failures pass with the reason in system-out).

use super::cells::{count, threshold_text, value_text};
use crate::model::{GateReport, GateResult, Verdict};
use rigor_model::escape;
use std::fmt::Write as _;

/// The report as one JUnit test suite.
pub fn junit(r: &GateReport) -> String {
    let n = r.gates.len();
    let failures = count(r, Verdict::Fail);
    let skipped = count(r, Verdict::Skip);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"rigor gates\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"rigor.gates\" tests=\"{n}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    for g in &r.gates {
        test_case(&mut out, g);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn test_case(out: &mut String, g: &GateResult) {
    let _ = write!(
        out,
        "    <testcase classname=\"rigor.gates\" name=\"{}\" time=\"0\">",
        escape::xml(&g.gate)
    );
    let body = || {
        let mut b = format!(
            "value: {}\nthreshold: {}\n",
            value_text(g),
            threshold_text(g)
        );
        for d in &g.details {
            b.push_str(d);
            b.push('\n');
        }
        escape::xml(&b)
    };
    let summary = escape::xml(&g.summary);
    let _ = match g.verdict {
        Verdict::Fail => write!(
            out,
            "\n      <failure message=\"{summary}\" type=\"gate\">{}</failure>\n    ",
            body()
        ),
        Verdict::Skip => write!(out, "\n      <skipped message=\"{summary}\"/>\n    "),
        Verdict::Warn => write!(
            out,
            "\n      <system-out>advisory gate failed: {summary}\n{}</system-out>\n    ",
            body()
        ),
        Verdict::Pass => write!(out, "\n      <system-out>{summary}</system-out>\n    "),
    };
    out.push_str("</testcase>\n");
}
