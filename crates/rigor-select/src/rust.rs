//! The Rust impact graph of one cargo suite, from `cargo metadata --no-deps`.
//!
//! Granularity is the package and the test binary: a changed file belongs to the package whose
//! directory is its longest prefix; `src/**`, `build.rs` and `Cargo.toml` affect every test binary
//! of the package and of the workspace packages that depend on it (transitively); a file that is
//! an integration test's own root (`tests/api.rs`) affects only that binary; other files under
//! `tests/` (shared `tests/common/mod.rs`) affect every integration test binary of the package;
//! `examples/` and `benches/` affect no test. `Cargo.lock`, toolchain files, `.cargo/config*` and
//! a virtual workspace manifest are full-run triggers.

use crate::error::{Result, SelectError};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustTarget {
    pub name: String,
    pub kinds: Vec<String>,
    /// Root source file, relative to the suite root.
    pub src_path: String,
}

impl RustTarget {
    /// nextest's binary id for this target in `package`.
    pub fn binary_id(&self, package: &str) -> String {
        let k = self.kinds.first().map(String::as_str).unwrap_or("lib");
        match k {
            "lib" | "rlib" | "dylib" | "cdylib" | "staticlib" | "proc-macro" => package.to_string(),
            "test" => format!("{package}::{}", self.name),
            other => format!("{package}::{other}/{}", self.name),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustPackage {
    pub name: String,
    /// Directory relative to the suite root ("" for the root package).
    pub dir: String,
    pub targets: Vec<RustTarget>,
    /// Names of the workspace packages this one depends on (any kind).
    pub deps: Vec<String>,
}

/// What a changed file means for the Rust suite.
#[derive(Debug, Clone, PartialEq)]
pub enum RustImpact {
    /// Every test: with the reason.
    FullRun(String),
    /// These binaries (nextest binary ids), each with a reason.
    Binaries(BTreeMap<String, (String, u32)>),
    /// The file is in a package but affects no test (examples, benches, docs).
    Nothing(String),
    /// Not a file of this workspace.
    NotOurs,
}

#[derive(Debug, Clone, Default)]
pub struct RustGraph {
    pub packages: Vec<RustPackage>,
}

impl RustGraph {
    /// Run `cargo metadata --format-version 1 --no-deps --offline` in `suite_root`.
    pub fn load(suite_root: &Path) -> Result<RustGraph> {
        let out = Command::new("cargo")
            .current_dir(suite_root)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .output()
            .map_err(|e| SelectError::CargoMetadata {
                dir: suite_root.display().to_string(),
                message: e.to_string(),
            })?;
        if !out.status.success() {
            return Err(SelectError::CargoMetadata {
                dir: suite_root.display().to_string(),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        Self::from_metadata_json(suite_root, &String::from_utf8_lossy(&out.stdout))
    }

    /// Parse `cargo metadata` JSON; paths are made relative to `suite_root`.
    pub fn from_metadata_json(suite_root: &Path, json: &str) -> Result<RustGraph> {
        let bad = |m: &str| SelectError::Parse {
            what: "cargo metadata output",
            path: suite_root.display().to_string(),
            message: m.to_string(),
            hint: "run `cargo metadata --format-version 1 --no-deps` and check its output",
        };
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(&e.to_string()))?;
        let root = std::fs::canonicalize(suite_root).unwrap_or_else(|_| suite_root.to_path_buf());
        let rel = |p: &str| -> String {
            let pp = Path::new(p);
            let pp = std::fs::canonicalize(pp).unwrap_or_else(|_| pp.to_path_buf());
            pp.strip_prefix(&root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| pp.to_string_lossy().into_owned())
        };
        let pkgs = v
            .get("packages")
            .and_then(|p| p.as_array())
            .ok_or_else(|| bad("no `packages` array"))?;
        let mut names = BTreeSet::new();
        let mut packages = Vec::new();
        for p in pkgs {
            let name = p
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_default()
                .to_string();
            let manifest = p
                .get("manifest_path")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            let dir = rel(manifest)
                .trim_end_matches("Cargo.toml")
                .trim_end_matches('/')
                .to_string();
            let targets = p
                .get("targets")
                .and_then(|t| t.as_array())
                .map(|ts| {
                    ts.iter()
                        .map(|t| RustTarget {
                            name: t
                                .get("name")
                                .and_then(|n| n.as_str())
                                .unwrap_or_default()
                                .to_string(),
                            kinds: t
                                .get("kind")
                                .and_then(|k| k.as_array())
                                .map(|k| {
                                    k.iter()
                                        .filter_map(|x| x.as_str().map(String::from))
                                        .collect()
                                })
                                .unwrap_or_default(),
                            src_path: rel(t
                                .get("src_path")
                                .and_then(|n| n.as_str())
                                .unwrap_or_default()),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let deps = p
                .get("dependencies")
                .and_then(|d| d.as_array())
                .map(|ds| {
                    ds.iter()
                        .filter(|d| d.get("path").is_some_and(|x| !x.is_null()))
                        .filter_map(|d| d.get("name").and_then(|n| n.as_str()).map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            names.insert(name.clone());
            packages.push(RustPackage {
                name,
                dir,
                targets,
                deps,
            });
        }
        for p in &mut packages {
            p.deps.retain(|d| names.contains(d));
        }
        Ok(RustGraph { packages })
    }

    fn package_of(&self, path: &str) -> Option<&RustPackage> {
        self.packages
            .iter()
            .filter(|p| {
                p.dir.is_empty() || path == p.dir || path.starts_with(&format!("{}/", p.dir))
            })
            .max_by_key(|p| p.dir.len())
    }

    /// Packages that depend on `name`, transitively, with their distance (1 = direct).
    pub fn reverse_dependents(&self, name: &str) -> BTreeMap<String, u32> {
        let mut rev: HashMap<&str, Vec<&str>> = HashMap::new();
        for p in &self.packages {
            for d in &p.deps {
                rev.entry(d.as_str()).or_default().push(p.name.as_str());
            }
        }
        let mut out = BTreeMap::new();
        let mut frontier = vec![(name.to_string(), 0u32)];
        while let Some((n, d)) = frontier.pop() {
            for r in rev.get(n.as_str()).into_iter().flatten() {
                if *r != name && !out.contains_key(*r) {
                    out.insert(r.to_string(), d + 1);
                    frontier.push((r.to_string(), d + 1));
                }
            }
        }
        out
    }

    /// What changing `path` (relative to the suite root) means.
    pub fn impact(&self, path: &str) -> RustImpact {
        let base = path.rsplit('/').next().unwrap_or(path);
        if matches!(
            base,
            "Cargo.lock" | "rust-toolchain" | "rust-toolchain.toml"
        ) || path.starts_with(".cargo/config")
            || path.contains("/.cargo/config")
        {
            return RustImpact::FullRun(format!("{path} changes how every Rust test builds"));
        }
        let Some(pkg) = self.package_of(path) else {
            if base == "Cargo.toml" {
                return RustImpact::FullRun(format!("{path} is the workspace manifest"));
            }
            return RustImpact::NotOurs;
        };
        let within = if pkg.dir.is_empty() {
            path.to_string()
        } else {
            path[pkg.dir.len()..].trim_start_matches('/').to_string()
        };
        let mut out: BTreeMap<String, (String, u32)> = BTreeMap::new();
        let all_of =
            |p: &RustPackage, why: &str, dist: u32, out: &mut BTreeMap<String, (String, u32)>| {
                for t in &p.targets {
                    if t.kinds
                        .iter()
                        .any(|k| k == "example" || k == "bench" || k == "custom-build")
                    {
                        continue;
                    }
                    out.entry(t.binary_id(&p.name))
                        .or_insert((why.to_string(), dist));
                }
            };
        let own_target = pkg.targets.iter().find(|t| t.src_path == path);
        if let Some(t) = own_target
            && t.kinds.iter().any(|k| k == "test" || k == "bin")
        {
            out.insert(
                t.binary_id(&pkg.name),
                (
                    format!(
                        "{path} is the root of test binary {}",
                        t.binary_id(&pkg.name)
                    ),
                    0,
                ),
            );
            return RustImpact::Binaries(out);
        }
        if within.starts_with("examples/") || within.starts_with("benches/") {
            return RustImpact::Nothing(format!(
                "{path} is an example or benchmark of {}",
                pkg.name
            ));
        }
        if within.ends_with(".md") {
            return RustImpact::Nothing(format!("{path} is documentation"));
        }
        if within.starts_with("tests/") {
            for t in &pkg.targets {
                if t.kinds.iter().any(|k| k == "test") {
                    out.insert(
                        t.binary_id(&pkg.name),
                        (
                            format!("{path} is shared by the integration tests of {}", pkg.name),
                            1,
                        ),
                    );
                }
            }
            return RustImpact::Binaries(out);
        }
        let why = if within == "Cargo.toml" || within == "build.rs" {
            format!("{path} builds package {}", pkg.name)
        } else {
            format!("{path} is in package {}", pkg.name)
        };
        all_of(pkg, &why, 1, &mut out);
        for (dep, d) in self.reverse_dependents(&pkg.name) {
            if let Some(p) = self.packages.iter().find(|p| p.name == dep) {
                all_of(
                    p,
                    &format!("{dep} depends on {} ({path})", pkg.name),
                    d + 1,
                    &mut out,
                );
            }
        }
        RustImpact::Binaries(out)
    }
}

/// The binary id of a nextest test id (`binary-id test-name`) or a cargo-test id.
pub fn binary_of(test_id: &str) -> &str {
    test_id.split_once(' ').map(|(b, _)| b).unwrap_or(test_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph() -> RustGraph {
        let json = r#"{"packages":[
          {"name":"core","manifest_path":"/w/core/Cargo.toml","dependencies":[{"name":"serde","path":null}],
           "targets":[{"name":"core","kind":["lib"],"src_path":"/w/core/src/lib.rs"},
                      {"name":"api","kind":["test"],"src_path":"/w/core/tests/api.rs"},
                      {"name":"bench1","kind":["bench"],"src_path":"/w/core/benches/bench1.rs"}]},
          {"name":"app","manifest_path":"/w/app/Cargo.toml","dependencies":[{"name":"core","path":"/w/core"}],
           "targets":[{"name":"app","kind":["bin"],"src_path":"/w/app/src/main.rs"}]},
          {"name":"other","manifest_path":"/w/other/Cargo.toml","dependencies":[],
           "targets":[{"name":"other","kind":["lib"],"src_path":"/w/other/src/lib.rs"}]}
        ]}"#;
        RustGraph::from_metadata_json(Path::new("/w"), json).unwrap()
    }

    fn bins(i: RustImpact) -> Vec<String> {
        match i {
            RustImpact::Binaries(b) => b.into_keys().collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn src_change_reaches_package_and_dependents() {
        assert_eq!(
            bins(graph().impact("core/src/parse.rs")),
            vec!["app::bin/app", "core", "core::api"]
        );
    }

    #[test]
    fn an_integration_test_file_is_its_own_binary() {
        assert_eq!(bins(graph().impact("core/tests/api.rs")), vec!["core::api"]);
        assert_eq!(
            bins(graph().impact("core/tests/common/mod.rs")),
            vec!["core::api"]
        );
    }

    #[test]
    fn lockfile_and_toolchain_are_full_runs_and_benches_nothing() {
        let g = graph();
        assert!(matches!(g.impact("Cargo.lock"), RustImpact::FullRun(_)));
        assert!(matches!(
            g.impact("rust-toolchain.toml"),
            RustImpact::FullRun(_)
        ));
        assert!(matches!(
            g.impact("core/benches/bench1.rs"),
            RustImpact::Nothing(_)
        ));
        assert!(matches!(g.impact("Cargo.toml"), RustImpact::FullRun(_)));
        assert_eq!(bins(g.impact("other/Cargo.toml")), vec!["other"]);
    }
}
