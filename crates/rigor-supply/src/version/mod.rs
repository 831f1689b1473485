//! Version orderings and the two ways advisories state affected versions: RustSec semver
//! requirements and OSV ranges and version lists.

pub mod pep440;

use crate::advisories::model::{Affected, Event, OsvRange, RangeKind};
use crate::model::Ecosystem;
use std::cmp::Ordering;

/// A version of one ecosystem, ordered as that ecosystem orders them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnyVersion {
    Pep440(pep440::Version),
    Semver(semver::Version),
}

impl AnyVersion {
    pub fn parse(ecosystem: Ecosystem, text: &str) -> Option<AnyVersion> {
        match ecosystem {
            Ecosystem::PyPI => pep440::Version::parse(text).ok().map(AnyVersion::Pep440),
            Ecosystem::Crates => semver::Version::parse(text.trim())
                .ok()
                .map(AnyVersion::Semver),
        }
    }
}

/// Whether `version` (as written in the inventory) is affected.
pub fn is_affected(ecosystem: Ecosystem, version: &str, affected: &Affected) -> bool {
    match affected {
        Affected::Semver {
            patched,
            unaffected,
        } => match semver::Version::parse(version.trim()) {
            Ok(v) => !patched.iter().chain(unaffected).any(|r| r.matches(&v)),
            // A version semver cannot read cannot be placed: not matched.
            Err(_) => false,
        },
        Affected::Osv { versions, ranges } => {
            let parsed = AnyVersion::parse(ecosystem, version);
            let listed =
                versions
                    .iter()
                    .any(|l| match (&parsed, AnyVersion::parse(ecosystem, l)) {
                        (Some(a), Some(b)) => *a == b,
                        _ => l.trim() == version.trim(),
                    });
            listed || parsed.is_some_and(|v| ranges.iter().any(|r| in_range(ecosystem, &v, r)))
        }
    }
}

/// OSV range evaluation: events sorted by version (`introduced: 0` first); the version is
/// affected after an `introduced` at or below it until a `fixed`/`limit` at or below it, or a
/// `last_affected` below it.
pub fn in_range(ecosystem: Ecosystem, v: &AnyVersion, range: &OsvRange) -> bool {
    if range.kind == RangeKind::Git {
        return false;
    }
    // (version or None for "0", event); events whose version cannot be read are left out.
    let mut events: Vec<(Option<AnyVersion>, &Event)> = range
        .events
        .iter()
        .filter_map(|e| {
            let text = match e {
                Event::Introduced(t)
                | Event::Fixed(t)
                | Event::LastAffected(t)
                | Event::Limit(t) => t,
            };
            if matches!(e, Event::Introduced(_)) && text.trim() == "0" {
                return Some((None, e));
            }
            AnyVersion::parse(ecosystem, text).map(|p| (Some(p), e))
        })
        .collect();
    events.sort_by(|a, b| match (&a.0, &b.0) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => x.cmp(y),
    });
    let mut affected = false;
    for (at, e) in &events {
        let cmp = at.as_ref().map_or(Ordering::Greater, |at| v.cmp(at));
        match e {
            Event::Introduced(_) if cmp != Ordering::Less => affected = true,
            Event::Fixed(_) | Event::Limit(_) if cmp != Ordering::Less => affected = false,
            Event::LastAffected(_) if cmp == Ordering::Greater => affected = false,
            _ => {}
        }
    }
    affected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(events: Vec<Event>) -> OsvRange {
        OsvRange {
            kind: RangeKind::Ecosystem,
            events,
        }
    }
    fn py(v: &str) -> AnyVersion {
        AnyVersion::parse(Ecosystem::PyPI, v).unwrap()
    }
    use Event::*;

    #[test]
    fn introduced_fixed_pairs() {
        let r = range(vec![
            Introduced("0".into()),
            Fixed("1.2".into()),
            Introduced("2.0".into()),
            Fixed("2.0.3".into()),
        ]);
        let at = |v: &str| in_range(Ecosystem::PyPI, &py(v), &r);
        assert!(at("0.1"));
        assert!(at("1.2rc1"));
        assert!(!at("1.2"));
        assert!(!at("1.9"));
        assert!(at("2.0"));
        assert!(at("2.0.2.post1"));
        assert!(!at("2.0.3"));
    }

    #[test]
    fn last_affected_includes_its_version() {
        let r = range(vec![Introduced("1.0".into()), LastAffected("1.4".into())]);
        assert!(in_range(Ecosystem::PyPI, &py("1.4"), &r));
        assert!(!in_range(Ecosystem::PyPI, &py("1.4.post1"), &r));
        assert!(!in_range(Ecosystem::PyPI, &py("0.9"), &r));
    }

    #[test]
    fn listed_versions_compare_as_versions() {
        let a = Affected::Osv {
            versions: vec!["2.0".into()],
            ranges: vec![],
        };
        assert!(is_affected(Ecosystem::PyPI, "2.0.0", &a));
        assert!(!is_affected(Ecosystem::PyPI, "2.0.1", &a));
    }

    #[test]
    fn semver_patched_and_unaffected() {
        let req = |s: &str| semver::VersionReq::parse(s).unwrap();
        let a = Affected::Semver {
            patched: vec![req(">= 1.2.3, < 1.3.0"), req(">= 1.3.4")],
            unaffected: vec![req("<= 0.1.2")],
        };
        let at = |v: &str| is_affected(Ecosystem::Crates, v, &a);
        assert!(!at("0.1.2"));
        assert!(at("0.1.3"));
        assert!(at("1.2.2"));
        assert!(!at("1.2.3"));
        assert!(at("1.3.0"));
        assert!(at("1.3.3"));
        assert!(!at("1.3.4"));
        assert!(!at("not-a-version"));
    }
}
