//! The audit's policy: which findings fail it (severity threshold, unknown severities,
//! informational advisories) and which are accepted (ignores with a reason and an expiry date;
//! an expired ignore is an error, never silently dropped).

use super::Finding;
use crate::config::{AuditConfig, Ignore};
use crate::severity::Severity;
use serde::Serialize;

/// A problem with one `[[audit.ignore]]` entry: its index, the key at fault, the message.
#[derive(Debug, Clone, PartialEq)]
pub struct IgnoreProblem {
    pub index: usize,
    pub key: &'static str,
    pub message: String,
    pub hint: &'static str,
}

/// Check every ignore entry against `today` (`YYYY-MM-DD`).
pub fn check_ignores(ignores: &[Ignore], today: &str) -> Result<(), IgnoreProblem> {
    for (index, ig) in ignores.iter().enumerate() {
        let problem = |key, message: String, hint| IgnoreProblem {
            index,
            key,
            message,
            hint,
        };
        if ig.id.trim().is_empty() {
            return Err(problem(
                "id",
                "an ignore without an advisory id".into(),
                "id = \"RUSTSEC-2020-0071\" (an id or any alias)",
            ));
        }
        if ig.reason.trim().is_empty() {
            return Err(problem(
                "reason",
                format!("the ignore of {} gives no reason", ig.id),
                "say why it is accepted: reason = \"not reachable: we never call localtime_r\"",
            ));
        }
        if !is_date(&ig.expires) {
            return Err(problem(
                "expires",
                format!(
                    "the ignore of {} has no valid expiry date (`{}`)",
                    ig.id, ig.expires
                ),
                "expires = \"YYYY-MM-DD\" (the last day it holds)",
            ));
        }
        if ig.expires.as_str() < today {
            return Err(problem(
                "expires",
                format!(
                    "the ignore of {} expired on {} (today is {today}): the advisory counts again",
                    ig.id, ig.expires
                ),
                "fix the dependency, or review the reason and set a new expiry date",
            ));
        }
    }
    Ok(())
}

/// `YYYY-MM-DD` with a plausible month and day.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// A finding accepted by an ignore.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    #[serde(flatten)]
    pub finding: Finding,
    pub reason: String,
    pub expires: String,
}

/// The ignore entry that accepts `f`, if any.
pub fn ignore_for<'a>(f: &Finding, ignores: &'a [Ignore]) -> Option<&'a Ignore> {
    ignores.iter().find(|ig| {
        f.ids().any(|id| id.eq_ignore_ascii_case(ig.id.trim()))
            && ig
                .package
                .as_ref()
                .is_none_or(|p| f.ecosystem.normalize(p) == f.ecosystem.normalize(&f.package))
    })
}

/// Whether a (not ignored) finding fails the audit under `cfg`.
pub fn fails(f: &Finding, cfg: &AuditConfig) -> bool {
    if !f.is_vulnerability() {
        return cfg.fail_on_informational;
    }
    match f.severity {
        Severity::Unknown => cfg.fail_on_unknown,
        s => s >= cfg.fail_on && s != Severity::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ecosystem;

    fn ig(id: &str, reason: &str, expires: &str) -> Ignore {
        Ignore {
            id: id.into(),
            reason: reason.into(),
            expires: expires.into(),
            package: None,
        }
    }

    fn finding(sev: Severity, kind: &str) -> Finding {
        Finding {
            package: "Demo_Pkg".into(),
            version: "1".into(),
            ecosystem: Ecosystem::PyPI,
            id: "PYSEC-1".into(),
            aliases: vec!["CVE-9".into()],
            kind: kind.into(),
            severity: sev,
            score: None,
            cvss: None,
            fixed_in: vec![],
            source_file: "r.txt".into(),
            line: 1,
            title: String::new(),
            url: None,
        }
    }

    #[test]
    fn ignores_need_reason_and_future_expiry() {
        let today = "2026-11-28";
        assert!(check_ignores(&[ig("X", "ok", "2026-11-28")], today).is_ok());
        let e = check_ignores(
            &[ig("X", "ok", "2026-11-28"), ig("Y", "", "2027-01-01")],
            today,
        )
        .unwrap_err();
        assert_eq!((e.index, e.key), (1, "reason"));
        let e = check_ignores(&[ig("X", "ok", "2026-11-27")], today).unwrap_err();
        assert_eq!(e.key, "expires");
        assert!(e.message.contains("expired on 2026-11-27"), "{}", e.message);
        let e = check_ignores(&[ig("X", "ok", "soon")], today).unwrap_err();
        assert!(e.message.contains("no valid expiry"), "{}", e.message);
    }

    #[test]
    fn ignores_match_ids_aliases_and_package() {
        let f = finding(Severity::High, "vulnerability");
        assert!(ignore_for(&f, &[ig("cve-9", "r", "2099-01-01")]).is_some());
        assert!(ignore_for(&f, &[ig("CVE-8", "r", "2099-01-01")]).is_none());
        let mut scoped = ig("PYSEC-1", "r", "2099-01-01");
        scoped.package = Some("demo.pkg".into());
        assert!(ignore_for(&f, std::slice::from_ref(&scoped)).is_some());
        scoped.package = Some("other".into());
        assert!(ignore_for(&f, &[scoped]).is_none());
    }

    #[test]
    fn threshold_unknown_and_informational() {
        let mut cfg = AuditConfig {
            fail_on: Severity::High,
            ..AuditConfig::default()
        };
        assert!(!fails(&finding(Severity::Medium, "vulnerability"), &cfg));
        assert!(fails(&finding(Severity::High, "vulnerability"), &cfg));
        assert!(fails(&finding(Severity::Unknown, "vulnerability"), &cfg));
        cfg.fail_on_unknown = false;
        assert!(!fails(&finding(Severity::Unknown, "vulnerability"), &cfg));
        assert!(!fails(&finding(Severity::Critical, "unmaintained"), &cfg));
        cfg.fail_on_informational = true;
        assert!(fails(&finding(Severity::Unknown, "unsound"), &cfg));
        cfg.fail_on = Severity::Low;
        assert!(!fails(&finding(Severity::None, "vulnerability"), &cfg));
    }
}
