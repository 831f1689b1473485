//! `rigor perf report`: a self-contained HTML page (no scripts, no network) with the alerts, then
//! one inline SVG chart per series.

use super::svg;
use crate::display::{interval, short};
use crate::engine::report::{Chart, ReportPage};
use crate::model::format_time;
use crate::store::Alert;
use rigor_model::escape::html as escape;
use std::fmt::Write as _;
use std::path::Path;

/// The whole page.
pub fn page(p: &ReportPage) -> String {
    let mut s = String::new();
    let title = escape(&p.title);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>\
body{{font-family:system-ui,sans-serif;margin:2em;color:#223}}h2{{font-size:1.05em;margin:1.6em 0 .4em}}\
table{{border-collapse:collapse;font-size:.9em}}td,th{{border:1px solid #ccd;padding:.25em .5em;text-align:left}}\
.open{{color:#d62828;font-weight:bold}}.acknowledged{{color:#e76f51}}.resolved{{color:#2a9d8f}}.legend span{{margin-right:1.2em}}\
</style></head><body>\n<h1>{title}</h1>\n<p>Generated {} · {} series · {} alerts</p>\n\
<p class=\"legend\"><span style=\"color:#264653\">● points</span><span style=\"color:#f4a261\">— rolling median (5)</span>\
<span style=\"color:#d62828\">┆ change point</span><span style=\"color:#2a9d8f\">▬ baseline band</span>\
<span style=\"color:#e76f51\">- - regression threshold</span></p>\n",
        escape(&format_time(p.generated)),
        p.charts.len(),
        p.alerts.len()
    );
    alerts(&mut s, &p.alerts);
    for c in &p.charts {
        chart(&mut s, c);
    }
    s.push_str("</body></html>\n");
    s
}

/// The confirmation of a page written to `path`.
pub fn written(path: &Path, p: &ReportPage) -> String {
    format!(
        "wrote {} ({} charts, {} alerts)\n",
        path.display(),
        p.charts.len(),
        p.alerts.len()
    )
}

/// The alerts table.
fn alerts(s: &mut String, alerts: &[Alert]) {
    s.push_str("<h2 id=\"alerts\">Alerts</h2>\n");
    if alerts.is_empty() {
        s.push_str("<p>No alerts.</p>\n");
        return;
    }
    s.push_str("<table><tr><th>#</th><th>state</th><th>benchmark</th><th>kind</th><th>change</th><th>interval</th><th>p</th><th>commits</th><th>files</th><th>also moved</th></tr>\n");
    for a in alerts {
        let ci = interval(a.ci_low_pct, a.ci_high_pct).unwrap_or_else(|| "–".into());
        let range = match &a.range_from {
            Some(f) => format!("{}..{}", short(f), short(&a.range_to)),
            None => short(&a.range_to).to_string(),
        };
        let related: Vec<String> = a
            .related
            .iter()
            .map(|r| format!("{} ({:+.1}%)", r.benchmark, r.change_pct))
            .collect();
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{:+.1}%</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            a.id,
            escape(&a.state),
            escape(&a.state),
            escape(&a.benchmark),
            escape(&a.kind),
            a.change_pct,
            ci,
            a.p_value
                .map(|p| format!("{p:.2e}"))
                .unwrap_or_else(|| "–".into()),
            escape(&range),
            escape(&a.files.join(", ")),
            escape(&related.join(", "))
        );
    }
    s.push_str("</table>\n");
}

/// A series' heading, its change points, and its chart.
fn chart(s: &mut String, c: &Chart) {
    let _ = writeln!(s, "<h2>{}</h2>", escape(&c.name));
    if !c.change_points.is_empty() {
        let list: Vec<String> = c
            .change_points
            .iter()
            .map(|(i, p)| {
                format!(
                    "{} ({:+.1}%)",
                    c.labels.get(*i).map(String::as_str).unwrap_or("?"),
                    p
                )
            })
            .collect();
        let _ = writeln!(s, "<p>Change points: {}</p>", escape(&list.join(", ")));
    }
    s.push_str(&svg::chart(c));
    s.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    #[test]
    fn chart_has_every_layer_and_no_external_resources() {
        let values: Vec<f64> = (0..40)
            .map(|i| if i < 20 { 100.0 } else { 120.0 } + (i % 3) as f64)
            .collect();
        let c = Chart {
            name: "parse <json>".into(),
            unit: "ns".into(),
            direction: Direction::LowerIsBetter,
            labels: (0..40).map(|i| format!("c{i}")).collect(),
            values,
            change_points: vec![(20, 20.0)],
            baseline: Some(101.0),
            band: 0.01,
            threshold: 0.15,
            alerts: vec![
                crate::engine::report::ChartAlert {
                    id: 7,
                    index: Some(25),
                    commit: "c25".into(),
                    change_pct: 492.5,
                },
                crate::engine::report::ChartAlert {
                    id: 8,
                    index: None,
                    commit: "feature1".into(),
                    change_pct: 12.0,
                },
            ],
        };
        let p = ReportPage {
            title: "perf".into(),
            charts: vec![c],
            alerts: Vec::new(),
            generated: 1_795_000_000,
        };
        let page = page(&p);
        assert!(page.contains("<svg"));
        assert!(page.contains("class=\"change-point\""));
        assert!(page.contains("class=\"rolling-median\""));
        // The alerted point is ringed; an alert on a commit not shown is said so.
        assert!(page.contains("class=\"alert\"") && page.contains("+492.5%"));
        assert!(page.contains("#8 +12.0% at feature1 — not on the branch shown"));
        // Axis labels are round numbers, never 96.7898-like.
        for label in ["100", "110", "120"] {
            assert!(page.contains(&format!(">{label}</text>")), "tick {label}");
        }
        assert!(page.contains("class=\"baseline-band\""));
        assert_eq!(page.matches("class=\"point\"").count(), 40);
        assert!(page.contains("parse &lt;json&gt;"));
        assert!(!page.contains("http://") && !page.contains("https://"));
        assert!(!page.contains("<script"));
        assert_eq!(
            written(Path::new("out/perf.html"), &p),
            "wrote out/perf.html (1 charts, 0 alerts)\n"
        );
    }
}
