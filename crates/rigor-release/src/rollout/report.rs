//! The rollouts section of `rigor report`'s HTML page.

use super::record::Row;
use rigor_model::escape::html;
use std::fmt::Write;

/// A table of the recent rollouts; empty when there are none.
pub fn html_section(rows: &[Row]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<h2>Rollouts</h2>\n<table>\n<tr><th>#</th><th>started (UTC)</th><th>commit</th><th>decision</th><th>green traffic</th><th>analyses</th><th>readiness</th><th>reason</th></tr>\n",
    );
    for r in rows {
        let color = if r.decision == "promoted" {
            "#1a7f37"
        } else {
            "#cf222e"
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td style=\"color:{color}\"><b>{}</b>{}</td><td>{:.1} s</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r.id,
            html(&rigor_model::time::utc(r.started)),
            html(
                r.commit
                    .as_deref()
                    .map(|c| &c[..c.len().min(10)])
                    .unwrap_or("-")
            ),
            html(&r.decision.replace('_', " ")),
            if r.manual { " (by hand)" } else { "" },
            r.green_exposure_s,
            r.analyses,
            html(&r.readiness),
            html(&r.reason),
        );
    }
    s.push_str("</table>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_escaped_and_colored() {
        let row = Row {
            id: 3,
            started: 0.0,
            finished: 1.0,
            commit: Some("0123456789abcdef".into()),
            blue: "b".into(),
            green: "g".into(),
            steps: "[100]".into(),
            decision: "rolled_back".into(),
            manual: false,
            reason: "latency <+40 %>".into(),
            forced: false,
            readiness: "gates passed".into(),
            green_exposure_s: 2.5,
            analyses: 4,
        };
        let h = html_section(&[row]);
        assert!(
            h.contains("rolled back") && h.contains("&lt;+40 %&gt;") && h.contains("0123456789<")
        );
        assert!(html_section(&[]).is_empty());
    }
}
