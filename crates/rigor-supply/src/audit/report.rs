//! The audit's result: findings split into vulnerabilities, informational advisories and
//! ignored ones, the unpinned requirements, counts and the verdict (`rigor.audit/1`).

use super::policy::{Ignored, fails, ignore_for};
use super::{Finding, find};
use crate::advisories::yanked::{self, YankCheck, Yanked};
use crate::advisories::{Database, DbInfo};
use crate::config::AuditConfig;
use crate::inventory::{Input, InputKind};
use crate::model::Unpinned;
use crate::severity::Severity;
use serde::Serialize;
use std::path::PathBuf;

/// The JSON contract's name and version.
pub const SCHEMA: &str = "rigor.audit/1";

#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub schema: &'static str,
    pub databases: Vec<DbInfo>,
    pub inputs: Vec<InputSummary>,
    /// Vulnerabilities, not ignored, most severe first.
    pub findings: Vec<Finding>,
    /// Informational advisories (unmaintained, unsound, notice), apart.
    pub informational: Vec<Finding>,
    pub ignored: Vec<Ignored>,
    /// Requirements that pin no version: not audited.
    pub unpinned: Vec<Unpinned>,
    /// Crate versions the local registry index cache marks yanked.
    pub yanked: Vec<Yanked>,
    /// What the yank check could do (`checked`, `unavailable`, `not-applicable`).
    pub yank_check: YankCheck,
    pub summary: Summary,
    /// No finding fails the policy.
    pub passed: bool,
    /// The policy's threshold, for readers.
    pub fail_on: Severity,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputSummary {
    pub file: String,
    pub kind: InputKind,
    pub packages: usize,
    pub unpinned: usize,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub packages: usize,
    pub vulnerabilities: usize,
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub none: usize,
    pub unknown: usize,
    pub informational: usize,
    pub ignored: usize,
    pub unpinned: usize,
    pub yanked: usize,
    /// Findings (and yanked crates with `fail_on_yanked`) that fail the policy.
    pub failing: usize,
}

/// Audit `inputs` against `db` under the policy in `cfg` (ignores already checked), yanked
/// crates from the registry index `caches`.
pub fn build(
    inputs: &[Input],
    db: &Database,
    cfg: &AuditConfig,
    caches: &[PathBuf],
) -> AuditReport {
    let mut findings = Vec::new();
    let mut informational = Vec::new();
    let mut ignored = Vec::new();
    for f in find(inputs, db) {
        if let Some(ig) = ignore_for(&f, &cfg.ignore) {
            ignored.push(Ignored {
                finding: f,
                reason: ig.reason.clone(),
                expires: ig.expires.clone(),
            });
        } else if f.is_vulnerability() {
            findings.push(f);
        } else {
            informational.push(f);
        }
    }
    // Most severe first; then by file, line and id for a stable order.
    let order = |a: &Finding, b: &Finding| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| b.score.unwrap_or(-1.0).total_cmp(&a.score.unwrap_or(-1.0)))
            .then_with(|| a.source_file.cmp(&b.source_file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.id.cmp(&b.id))
    };
    findings.sort_by(order);
    informational.sort_by(order);
    ignored.sort_by(|a, b| order(&a.finding, &b.finding));
    let unpinned: Vec<Unpinned> = inputs
        .iter()
        .flat_map(|i| i.inventory.unpinned.iter().cloned())
        .collect();
    let packages: Vec<_> = inputs.iter().flat_map(|i| &i.inventory.packages).collect();
    let (yanked, yank_check) = yanked::check(&packages, caches);
    let failing = findings
        .iter()
        .chain(&informational)
        .filter(|f| fails(f, cfg))
        .count()
        + if cfg.fail_on_yanked { yanked.len() } else { 0 };
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let summary = Summary {
        packages: inputs.iter().map(|i| i.inventory.packages.len()).sum(),
        vulnerabilities: findings.len(),
        critical: n(Severity::Critical),
        high: n(Severity::High),
        medium: n(Severity::Medium),
        low: n(Severity::Low),
        none: n(Severity::None),
        unknown: n(Severity::Unknown),
        informational: informational.len(),
        ignored: ignored.len(),
        unpinned: unpinned.len(),
        yanked: yanked.len(),
        failing,
    };
    AuditReport {
        schema: SCHEMA,
        databases: db.infos.clone(),
        inputs: inputs
            .iter()
            .map(|i| InputSummary {
                file: i.file.clone(),
                kind: i.kind,
                packages: i.inventory.packages.len(),
                unpinned: i.inventory.unpinned.len(),
            })
            .collect(),
        findings,
        informational,
        ignored,
        unpinned,
        yanked,
        yank_check,
        passed: failing == 0,
        fail_on: cfg.fail_on,
        summary,
    }
}
