//! Software bills of materials from the inventories: CycloneDX 1.6 / 1.5 JSON and SPDX 2.3 JSON.
//! Components carry a package URL, version, hashes (Cargo.lock checksums, pinned requirement
//! hashes), scope, and the dependency graph where the input records it (Cargo.lock).

pub mod cyclonedx;
pub mod licenses;
pub mod spdx;

use crate::inventory::Input;
use crate::model::{Ecosystem, License, Origin, Package};
use std::path::PathBuf;

/// One component of the bill.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub ecosystem: Ecosystem,
    pub name: String,
    pub version: String,
    pub purl: String,
    /// (algorithm, hex digest) with the algorithm as written (`sha256`).
    pub hashes: Vec<(String, String)>,
    /// `required`, or `optional` for development/test requirement files.
    pub scope: &'static str,
    /// purls of its dependencies.
    pub depends_on: Vec<String>,
    /// A package of the project itself (a workspace member), not a dependency.
    pub is_project: bool,
    /// Declared licences (dist METADATA, Cargo's registry source cache); empty when unknown.
    pub licenses: Vec<License>,
}

/// The project and its components, in input order without duplicates.
#[derive(Debug, Clone)]
pub struct Bill {
    pub name: String,
    pub components: Vec<Component>,
}

/// A package URL: `pkg:cargo/name@version`, `pkg:pypi/normalised-name@version`.
pub fn purl(p: &Package) -> String {
    let name = match p.ecosystem {
        Ecosystem::Crates => p.name.clone(),
        Ecosystem::PyPI => crate::model::pep503(&p.name),
    };
    format!(
        "pkg:{}/{}@{}",
        p.ecosystem.purl_type(),
        encode(&name),
        encode(&p.version)
    )
}

/// Percent-encoding of the characters a purl segment may not hold.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn scope_of(file: &str) -> &'static str {
    let f = file.to_ascii_lowercase();
    if ["dev", "test", "lint", "doc"].iter().any(|k| f.contains(k)) {
        "optional"
    } else {
        "required"
    }
}

/// The bill of `inputs` for the project `name`, crate licences from Cargo's local registry
/// source cache when there is one.
pub fn bill(name: &str, inputs: &[Input]) -> Bill {
    let sources = licenses::cargo_home()
        .map(|h| licenses::registry_sources(&h))
        .unwrap_or_default();
    bill_with(name, inputs, &sources)
}

/// The licences of a package: as its input declares them, else (a crate from the registry)
/// from the registry sources.
fn licenses_of(p: &Package, sources: &[PathBuf]) -> Vec<License> {
    if !p.licenses.is_empty() || p.ecosystem != Ecosystem::Crates || p.origin != Origin::Registry {
        return p.licenses.clone();
    }
    licenses::crate_license(sources, &p.name, &p.version)
        .into_iter()
        .collect()
}

/// The bill of `inputs` with crate licences looked up in `sources` (`registry/src/*`).
pub fn bill_with(name: &str, inputs: &[Input], sources: &[PathBuf]) -> Bill {
    let mut components: Vec<Component> = Vec::new();
    for input in inputs {
        let pkgs = &input.inventory.packages;
        for p in pkgs {
            let purl = purl(p);
            if components.iter().any(|c| c.purl == purl) {
                continue;
            }
            let depends_on = p
                .dependencies
                .iter()
                .filter_map(|d| {
                    let mut it = d.split_whitespace();
                    let (n, v) = (it.next()?, it.next());
                    pkgs.iter()
                        .find(|q| q.name == n && v.is_none_or(|v| q.version == v))
                        .map(self::purl)
                })
                .collect();
            components.push(Component {
                ecosystem: p.ecosystem,
                name: p.name.clone(),
                version: p.version.clone(),
                hashes: p
                    .hashes
                    .iter()
                    .filter_map(|h| h.split_once(':'))
                    .map(|(a, d)| (a.to_ascii_lowercase(), d.to_ascii_lowercase()))
                    .collect(),
                scope: scope_of(&p.source_file),
                depends_on,
                is_project: p.origin == Origin::Path && p.ecosystem == Ecosystem::Crates,
                licenses: licenses_of(p, sources),
                purl,
            });
        }
    }
    Bill {
        name: name.to_string(),
        components,
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `SOURCE_DATE_EPOCH` when set (reproducible builds), else now.
pub fn timestamp() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64())
        });
    rigor_model::time::utc(secs).replace(' ', "T") + "Z"
}

/// A UUID (version 4 layout) derived from the bill's content and time, so that the same
/// project at the same time gives the same serial number.
pub fn uuid(seed: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut words = [0u64; 2];
    for (i, w) in words.iter_mut().enumerate() {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (i, seed).hash(&mut h);
        *w = h.finish();
    }
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&words[0].to_be_bytes());
    b[8..].copy_from_slice(&words[1].to_be_bytes());
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls_are_normalised_and_encoded() {
        let p = Package {
            ecosystem: Ecosystem::PyPI,
            name: "Zope.Interface".into(),
            version: "5.0+local".into(),
            source_file: "r.txt".into(),
            line: 1,
            origin: Origin::Registry,
            hashes: vec![],
            dependencies: vec![],
            marker: None,
            licenses: vec![],
        };
        assert_eq!(purl(&p), "pkg:pypi/zope-interface@5.0%2Blocal");
    }

    #[test]
    fn uuids_are_deterministic_and_well_formed() {
        let a = uuid("x");
        assert_eq!(a, uuid("x"));
        assert_ne!(a, uuid("y"));
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }

    #[test]
    fn dev_files_are_optional() {
        assert_eq!(scope_of("requirements-dev.txt"), "optional");
        assert_eq!(scope_of("Cargo.lock"), "required");
    }
}
