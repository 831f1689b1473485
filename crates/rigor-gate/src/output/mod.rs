//! Renderings of a gate report: terminal table, Markdown, JSON, JUnit, SARIF 2.1.0, GitHub
//! workflow commands, GitLab code-quality JSON. One module per format.

pub mod cells;
pub mod github;
pub mod gitlab;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod terminal;

pub use github::{GITHUB_LIMIT, github};
pub use gitlab::gitlab;
pub use junit::junit;
pub use markdown::markdown;
pub use sarif::sarif;
pub use terminal::terminal;

use crate::model::GateReport;

/// A renderer of a report into one format.
pub type Render = fn(&GateReport) -> String;

/// The formats a report renders to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for terminals.
    Table,
    Markdown,
    Json,
    Junit,
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab code-quality JSON.
    Gitlab,
}

impl Format {
    /// The renderer of this format.
    pub fn renderer(self) -> Render {
        match self {
            Format::Table => terminal,
            Format::Markdown => markdown,
            Format::Json => json,
            Format::Junit => junit,
            Format::Sarif => sarif,
            Format::Github => github,
            Format::Gitlab => gitlab,
        }
    }
}

/// Render `report` in `format`.
pub fn render(format: Format, report: &GateReport) -> String {
    format.renderer()(report)
}

/// The report as JSON (the schema in docs/gates.md).
pub fn json(r: &GateReport) -> String {
    serde_json::to_string_pretty(r).expect("reports serialize") + "\n"
}
