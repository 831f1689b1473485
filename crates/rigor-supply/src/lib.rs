//! rigor's supply chain: what a project pins ([`inventory`]), what is known about it
//! ([`advisories`]), how versions compare ([`version`]), how bad it is ([`severity`]), the audit
//! with its policy ([`audit`]) and the renderings ([`output`]).

pub mod advisories;
pub mod error;
pub mod inventory;
pub mod model;
pub mod severity;
pub mod version;

pub use error::SupplyError;
pub mod audit;
pub mod config;
pub mod output;
pub mod run;
pub mod sbom;

pub use audit::report::AuditReport;
pub use config::AuditConfig;
