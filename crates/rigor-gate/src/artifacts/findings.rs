//! Findings of linters and scanners: SARIF files and dependency audits (rigor audit, cargo-audit,
//! pip-audit, osv-scanner), with offline advisory data to rate pip-audit's findings.

use super::file::Finder;
use crate::error::Result;
use crate::eval::Inputs;
use crate::readers::{Kind, audit, sarif};
use std::path::PathBuf;

const AUDIT_KINDS: &[Kind] = &[
    Kind::RigorAudit,
    Kind::CargoAudit,
    Kind::PipAudit,
    Kind::OsvScanner,
];

/// Read the SARIF files and audits into `inputs` (findings, audit tools, lint read, advisories).
pub fn read(
    f: &Finder,
    sarif_files: &[PathBuf],
    audit_files: &[PathBuf],
    advisories: Option<PathBuf>,
    inputs: &mut Inputs,
) -> Result<()> {
    let advisories = match advisories {
        Some(p) => Some(audit::Advisories::load(&f.root.join(p))?),
        None => None,
    };
    inputs.advisories_loaded = advisories.as_ref().is_some_and(|a| !a.is_empty());
    let mut findings = Vec::new();
    for p in sarif_files {
        let r = f.read(p, &[Kind::Sarif], "SARIF")?;
        let mut read = sarif::read_sarif(&r.label, &r.text)?;
        for x in &mut read {
            x.file = x.file.as_deref().map(f.norm);
        }
        findings.extend(read);
        inputs.lint_read = true;
        inputs.inputs.push(r.input_file());
    }
    for p in audit_files {
        let r = f.read(p, AUDIT_KINDS, "an audit")?;
        let read = match r.kind {
            Kind::RigorAudit => audit::read_rigor_audit(&r.label, &r.text)?,
            Kind::CargoAudit => audit::read_cargo_audit(&r.label, &r.text)?,
            Kind::PipAudit => audit::read_pip_audit(&r.label, &r.text, advisories.as_ref())?,
            _ => audit::read_osv_scanner(&r.label, &r.text)?,
        };
        inputs.audit_tools.push(r.kind.as_str().into());
        findings.extend(read.into_iter().map(|mut x| {
            x.file = x.file.as_deref().map(f.norm);
            x
        }));
        inputs.inputs.push(r.input_file());
    }
    if !sarif_files.is_empty() || !audit_files.is_empty() {
        inputs.findings = Some(findings);
    }
    Ok(())
}
