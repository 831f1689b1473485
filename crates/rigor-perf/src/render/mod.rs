//! Renderers: the engine's results as text, Markdown, JSON or HTML. Each is a function from a
//! result to the string to show; writing it out is the caller's job.

pub mod alerts;
pub mod baseline;
pub mod compare;
pub mod detect;
pub mod history;
pub mod html;
pub mod ingest;
pub mod svg;

use serde::Serialize;

/// Pretty JSON with a final newline.
pub fn json(value: &impl Serialize) -> String {
    serde_json::to_string_pretty(value).expect("report types serialize") + "\n"
}

/// Alert ids as `#1, #2`.
fn alert_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(|i| format!("#{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
