//! `rigor perf alerts`, and the notes on alerts an operation opened.

use crate::display::{alert_line, interval, p_value, short};
use crate::engine::alerts::{AlertChange, Announcement};
use crate::store::Alert;
use crate::webhook::Delivery;
use rigor_model::escape;
use serde_json::json;
use std::fmt::Write as _;

/// One line per alert and a count.
pub fn text(alerts: &[Alert]) -> String {
    let mut s = String::new();
    for a in alerts {
        let _ = writeln!(s, "{}", alert_line(a));
    }
    let _ = writeln!(s, "{} alert(s)", alerts.len());
    s
}

/// `{"alerts": [...]}`.
pub fn json(alerts: &[Alert]) -> String {
    super::json(&json!({ "alerts": alerts }))
}

/// A Markdown table.
pub fn markdown(alerts: &[Alert]) -> String {
    let mut s = String::from(
        "### Performance alerts\n\n| # | state | benchmark | kind | change | interval | p | commits | files | also moved |\n|---|---|---|---|---:|---|---:|---|---|---|\n",
    );
    for a in alerts {
        let range = match &a.range_from {
            Some(f) => format!("`{}..{}`", short(f), short(&a.range_to)),
            None => format!("`{}`", short(&a.range_to)),
        };
        let related = a
            .related
            .iter()
            .map(|r| format!("{} {:+.1}%", r.benchmark, r.change_pct))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "| {} | {} | `{}` | {} | {:+.1}% | {} | {} | {} | {} | {} |",
            a.id,
            a.state,
            escape::markdown(&a.benchmark),
            a.kind,
            a.change_pct,
            interval(a.ci_low_pct, a.ci_high_pct).unwrap_or_else(|| "–".into()),
            p_value(a.p_value),
            range,
            escape::markdown(&a.files.join(", ")),
            escape::markdown(&related)
        );
    }
    if alerts.is_empty() {
        s.push_str("\nNo alerts.\n");
    }
    s
}

/// The confirmation of a state change.
pub fn changed(change: &AlertChange) -> String {
    format!("alert #{} {}\n", change.id, change.state.as_str())
}

/// The alerts an operation opened and the webhook's outcome, for the error stream.
pub fn announcement(a: &Announcement) -> String {
    let mut s = String::new();
    for alert in &a.opened {
        let _ = writeln!(s, "alert opened: {}", alert_line(alert));
    }
    if let Some(post) = &a.webhook {
        let url = &post.url;
        let _ = match &post.delivery {
            Delivery::Delivered { attempts, status } => writeln!(
                s,
                "webhook: delivered (HTTP {status}, {attempts} attempt(s))"
            ),
            Delivery::Failed { attempts, error } => writeln!(
                s,
                "warning: webhook {url} failed after {attempts} attempt(s): {error}"
            ),
            Delivery::Pending => writeln!(
                s,
                "warning: webhook {url} did not answer within {}s; not waiting longer",
                post.timeout_s
            ),
        };
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::alerts::{AlertState, WebhookPost};
    use crate::model::Direction;
    use crate::store::Related;

    fn alert() -> Alert {
        Alert {
            id: 3,
            key: "pairwise:1:abc".into(),
            kind: "pairwise".into(),
            benchmark: "parse|json".into(),
            testbed: "default".into(),
            unit: "ms".into(),
            direction: Direction::LowerIsBetter,
            state: "open".into(),
            branch: Some("main".into()),
            commit: "bbbbbbbbbbbbbbbb".into(),
            range_from: Some("aaaaaaaaaaaaaaaa".into()),
            range_to: "bbbbbbbbbbbbbbbb".into(),
            files: vec!["src/parse.rs".into()],
            change_pct: 25.04,
            ci_low_pct: Some(20.0),
            ci_high_pct: Some(30.0),
            p_value: Some(0.001),
            related: vec![Related {
                benchmark: "render".into(),
                change_pct: 5.0,
            }],
            message: String::new(),
            first_seen: 0,
            last_seen: 0,
            occurrences: 1,
            note: None,
        }
    }

    #[test]
    fn markdown_keeps_one_cell_per_field() {
        let md = markdown(&[alert()]);
        assert!(
            md.contains("| 3 | open | `parse\\|json` | pairwise | +25.0% | [+20.0%, +30.0%] | 0.0010 | `aaaaaaaaaa..bbbbbbbbbb` | src/parse.rs | render +5.0% |"),
            "{md}"
        );
        assert!(markdown(&[]).ends_with("\nNo alerts.\n"));
    }

    #[test]
    fn announcement_lists_opened_alerts_then_the_webhook() {
        let a = Announcement {
            opened: vec![alert()],
            webhook: Some(WebhookPost {
                url: "http://hooks.example/x".into(),
                delivery: Delivery::Pending,
                timeout_s: 5.0,
            }),
        };
        let text = announcement(&a);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("alert opened: #3 [open] parse|json +25.0%"));
        assert_eq!(
            lines[1],
            "warning: webhook http://hooks.example/x did not answer within 5s; not waiting longer"
        );
        assert_eq!(announcement(&Announcement::default()), "");
        let change = AlertChange {
            id: 3,
            state: AlertState::Acknowledged,
            note: None,
        };
        assert_eq!(changed(&change), "alert #3 acknowledged\n");
    }
}
