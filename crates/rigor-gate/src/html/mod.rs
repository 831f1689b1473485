//! `rigor report --html`: one self-contained page (inline CSS and SVG, no script, no network).

pub mod charts;
pub mod data;
pub mod page;
pub mod style;
pub mod timeline;
pub mod write;

pub use data::ReportData;
pub use page::render;
pub use write::{ReportRequest, write_report};
