//! `--format json`: the report as the documented `rigor.audit/1` contract.

use crate::audit::report::AuditReport;

pub fn render(r: &AuditReport) -> String {
    let mut s = serde_json::to_string_pretty(r).expect("an audit report serialises");
    s.push('\n');
    s
}
