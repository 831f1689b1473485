//! Alerts: list them, acknowledge or resolve one, and announce the ones a comparison or a
//! detection opened (to the caller, and to the webhook when one is configured).

use super::project_name;
use crate::display::alert_line;
use crate::error::PerfError;
use crate::settings::Settings;
use crate::store::{self, Alert};
use crate::webhook::{self, Delivery};
use rigor_model::Config;
use serde_json::json;
use std::time::Duration;

/// The state of an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Open,
    /// Known and being handled; still listed under `acknowledged`.
    Acknowledged,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Open => "open",
            AlertState::Acknowledged => "acknowledged",
            AlertState::Resolved => "resolved",
        }
    }
}

/// Which alerts to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AlertQuery {
    /// Only alerts in this state; every alert when `None`.
    pub state: Option<AlertState>,
}

/// A change of an alert's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertChange {
    pub id: i64,
    pub state: AlertState,
    pub note: Option<String>,
}

/// Whether an operation records alerts for what it finds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Alerting {
    /// Record nothing.
    #[default]
    Off,
    /// Record alerts; post newly opened ones to this webhook (default: `[perf].webhook`).
    Record { webhook: Option<String> },
}

/// The alerts an operation opened, and what became of their webhook post.
#[derive(Debug, Clone, Default)]
pub struct Announcement {
    pub opened: Vec<Alert>,
    pub webhook: Option<WebhookPost>,
}

/// A webhook post of newly opened alerts.
#[derive(Debug, Clone)]
pub struct WebhookPost {
    pub url: String,
    pub delivery: Delivery,
    /// How long the post was waited for, in seconds.
    pub timeout_s: f64,
}

/// The alerts of a query, oldest first.
pub fn list(config: &Config, query: &AlertQuery) -> Result<Vec<Alert>, PerfError> {
    let st = store::open(config)?;
    store::alerts(&st, query.state.map(AlertState::as_str))
}

/// Set an alert's state (and note); an unknown id is a usage error.
pub fn change(config: &Config, change: &AlertChange) -> Result<(), PerfError> {
    let st = store::open(config)?;
    let id = change.id;
    if !store::set_alert_state(&st, id, change.state.as_str(), change.note.as_deref())? {
        return Err(PerfError::usage(
            format!("there is no alert #{id}"),
            "see `rigor perf alerts --state all`",
        ));
    }
    Ok(())
}

/// Announce newly opened alerts: return them, and post them to the webhook (the requested one,
/// else `[perf].webhook`), waiting at most `[perf].webhook_timeout`.
pub(crate) fn announce(
    config: &Config,
    settings: &Settings,
    conn: &rigor_store::Store,
    opened: &[i64],
    webhook: Option<&str>,
) -> Result<Announcement, PerfError> {
    if opened.is_empty() {
        return Ok(Announcement::default());
    }
    let new: Vec<Alert> = store::alerts(conn, None)?
        .into_iter()
        .filter(|a| opened.contains(&a.id))
        .collect();
    let Some(url) = webhook
        .map(str::to_string)
        .or_else(|| settings.webhook.clone())
    else {
        return Ok(Announcement {
            opened: new,
            webhook: None,
        });
    };
    let body = webhook_body(config, &new);
    let delivery = webhook::deliver_with_deadline(
        &url,
        body,
        Duration::from_secs_f64(settings.webhook_timeout_s),
    );
    Ok(Announcement {
        opened: new,
        webhook: Some(WebhookPost {
            url,
            delivery,
            timeout_s: settings.webhook_timeout_s,
        }),
    })
}

/// The webhook's JSON: a Slack-compatible `text` and the alerts themselves.
fn webhook_body(config: &Config, new: &[Alert]) -> String {
    let text = format!(
        "rigor perf: {} new performance alert{} in {}\n{}",
        new.len(),
        if new.len() == 1 { "" } else { "s" },
        project_name(config).unwrap_or_default(),
        new.iter()
            .map(|a| format!("• {}", alert_line(a)))
            .collect::<Vec<_>>()
            .join("\n")
    );
    json!({ "text": text, "alerts": new }).to_string()
}
