//! Software bills of materials from the inventories: CycloneDX 1.6 / 1.5 JSON and SPDX 2.3 JSON.
//! Components carry a package URL, version, hashes (Cargo.lock checksums, pinned requirement
//! hashes), scope, and the dependency graph where the input records it (Cargo.lock).

pub mod cyclonedx;
pub mod licenses;
pub mod platform;
pub mod spdx;

use crate::inventory::{Input, InputKind};
use crate::model::{Ecosystem, License, Origin, Package};
use platform::Resolved;
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
    /// How the bill was made, as (name, value) pairs: CycloneDX `metadata.properties`, the
    /// SPDX creation comment (`rigor:cargo-scope` says which Rust packages are listed).
    pub properties: Vec<(String, String)>,
}

/// Choices of `rigor sbom`.
#[derive(Debug, Clone, Default)]
pub struct BillOptions {
    /// List every package of a Cargo.lock (all platforms, build and dev dependencies) instead
    /// of cargo's resolved graph for the host.
    pub all_platforms: bool,
}

/// How the packages of one Cargo.lock were chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum CargoScope {
    /// Cargo's resolved graph for this target triple.
    Host(Resolved),
    /// The whole lockfile, as asked (`--all-platforms`).
    AllPlatforms,
    /// The whole lockfile because cargo could not answer offline (the reason).
    Fallback(String),
}

impl CargoScope {
    /// The scope of the lockfile at `input` (its manifest is the `Cargo.toml` beside it).
    pub fn of(input: &Input, opts: &BillOptions) -> CargoScope {
        if opts.all_platforms {
            return CargoScope::AllPlatforms;
        }
        let manifest = input
            .path
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("Cargo.toml");
        match platform::host_triple().and_then(|t| platform::resolve(&manifest, &t)) {
            Ok(r) => CargoScope::Host(r),
            Err(reason) => CargoScope::Fallback(reason),
        }
    }

    /// The `rigor:cargo-scope` property of the bill.
    pub fn describe(&self, file: &str) -> String {
        match self {
            CargoScope::Host(r) => format!(
                "{file}: cargo's resolved graph for {} (build-only dependencies excluded, dev-dependencies left out)",
                r.triple
            ),
            CargoScope::AllPlatforms => {
                format!("{file}: every package of the lockfile, all platforms (--all-platforms)")
            }
            CargoScope::Fallback(why) => {
                format!("{file}: every package of the lockfile, all platforms (fallback: {why})")
            }
        }
    }
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

/// Percent-encoding of a purl name or version as the purl specification's "Character
/// encoding" section asks: the UTF-8 bytes of everything but the alphanumerics, the punctuation
/// `.-_~` and the colon (which must never be encoded) become `%XX` — so `+` (semver build
/// metadata, PEP 440 local versions) is `%2B`, `!` (PEP 440 epochs) `%21`, a space `%20`.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
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
/// source cache when there is one; each Cargo.lock narrowed to cargo's resolved graph for the
/// host unless `opts.all_platforms` (or cargo cannot answer offline).
pub fn bill(name: &str, inputs: &[Input], opts: &BillOptions) -> Bill {
    let sources = licenses::cargo_home()
        .map(|h| licenses::registry_sources(&h))
        .unwrap_or_default();
    let scopes: Vec<Option<CargoScope>> = inputs
        .iter()
        .map(|i| (i.kind == InputKind::CargoLock).then(|| CargoScope::of(i, opts)))
        .collect();
    bill_with(name, inputs, &scopes, &sources)
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

/// The purls of what `p` depends on: from the resolved graph when there is one, else as its
/// input records them.
fn depends_on(p: &Package, pkgs: &[Package], resolved: Option<&Resolved>) -> Vec<String> {
    if let Some(r) = resolved {
        let key = (p.name.clone(), p.version.clone());
        return r
            .edges
            .get(&key)
            .map(|ds| {
                ds.iter()
                    .filter_map(|(n, v)| pkgs.iter().find(|q| &q.name == n && &q.version == v))
                    .map(purl)
                    .collect()
            })
            .unwrap_or_default();
    }
    p.dependencies
        .iter()
        .filter_map(|d| {
            let mut it = d.split_whitespace();
            let (n, v) = (it.next()?, it.next());
            pkgs.iter()
                .find(|q| q.name == n && v.is_none_or(|v| q.version == v))
                .map(self::purl)
        })
        .collect()
}

/// The bill of `inputs` (with the Cargo scope of each Cargo.lock input, `None` for others)
/// with crate licences looked up in `sources` (`registry/src/*`).
pub fn bill_with(
    name: &str,
    inputs: &[Input],
    scopes: &[Option<CargoScope>],
    sources: &[PathBuf],
) -> Bill {
    let mut components: Vec<Component> = Vec::new();
    let mut properties = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let scope = scopes.get(i).and_then(Option::as_ref);
        if let Some(s) = scope {
            properties.push(("rigor:cargo-scope".to_string(), s.describe(&input.file)));
        }
        let resolved = match scope {
            Some(CargoScope::Host(r)) => Some(r),
            _ => None,
        };
        let pkgs = &input.inventory.packages;
        for p in pkgs {
            let key = (p.name.clone(), p.version.clone());
            let resolved_scope = match resolved {
                Some(r) => match r.scopes.get(&key) {
                    Some(s) => Some(*s),
                    None => continue,
                },
                None => None,
            };
            let purl = purl(p);
            if components.iter().any(|c| c.purl == purl) {
                continue;
            }
            let depends_on = depends_on(p, pkgs, resolved);
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
                scope: resolved_scope.unwrap_or_else(|| scope_of(&p.source_file)),
                depends_on,
                is_project: match resolved {
                    Some(r) => r.members.contains(&key),
                    None => p.origin == Origin::Path && p.ecosystem == Ecosystem::Crates,
                },
                licenses: licenses_of(p, sources),
                purl,
            });
        }
    }
    Bill {
        name: name.to_string(),
        components,
        properties,
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
    fn purl_encoding_follows_the_specification() {
        assert_eq!(encode("0.12.20+1.1.0"), "0.12.20%2B1.1.0");
        assert_eq!(encode("1!2.0.post1"), "1%212.0.post1");
        assert_eq!(encode("sha256:ab"), "sha256:ab");
        assert_eq!(encode("a b/c@d?e#f"), "a%20b%2Fc%40d%3Fe%23f");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("1.0.0-rc.1~x_y"), "1.0.0-rc.1~x_y");
    }

    fn decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }

    proptest::proptest! {
        /// Any string round-trips through encode/decode, and the encoded form holds only the
        /// specification's permitted characters, no separator but `:`.
        #[test]
        fn purl_encoding_round_trips(s in "\\PC{0,24}") {
            let e = encode(&s);
            proptest::prop_assert_eq!(decode(&e), s.as_bytes().to_vec());
            proptest::prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~:%".contains(&b)), "{}", e);
        }
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
