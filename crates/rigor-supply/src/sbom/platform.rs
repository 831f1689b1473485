//! The Rust packages a build for one platform uses: cargo's resolved graph for the host
//! (`cargo metadata --filter-platform <host> --offline --locked`), read into a scope per
//! package and the dependency edges. Normal dependencies reached from the workspace members
//! are `required`; packages reached only through a build dependency (build scripts,
//! proc-macros' build-time helpers) are `excluded` (used to build, not shipped);
//! dev-dependencies are left out; packages only another platform uses are not in the graph.
//! Nothing is fetched: when cargo cannot answer offline, the caller falls back to the lockfile.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;
use std::process::Command;

/// A package by name and version, as Cargo.lock and cargo metadata both name it.
pub type Key = (String, String);

/// Cargo's resolved graph for one platform.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resolved {
    /// The target triple the graph was filtered for.
    pub triple: String,
    /// Every package the platform's build uses, with its CycloneDX scope.
    pub scopes: BTreeMap<Key, &'static str>,
    /// The non-dev dependencies of each package (into packages of `scopes`).
    pub edges: BTreeMap<Key, Vec<Key>>,
    /// The workspace members (the project's own packages).
    pub members: BTreeSet<Key>,
}

/// The host triple of the toolchain (`rustc -vV`, `RUSTC` when set).
pub fn host_triple() -> Result<String, String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", rustc.to_string_lossy()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .ok_or_else(|| "`rustc -vV` printed no `host:` line".to_string())
}

/// Ask cargo (`CARGO` when set, else `cargo` on PATH) for the graph of the workspace whose
/// manifest is `manifest`, filtered for `triple`, offline and with the lockfile as it is.
pub fn resolve(manifest: &Path, triple: &str) -> Result<Resolved, String> {
    if !manifest.is_file() {
        return Err(format!("no {} beside the lockfile", manifest.display()));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", triple, "--manifest-path"])
        .arg(manifest)
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", cargo.to_string_lossy()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or_else(|| err.lines().next().unwrap_or(""));
        return Err(format!(
            "`cargo metadata --offline --locked` failed: {}",
            first.trim()
        ));
    }
    let doc: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    from_metadata(&doc, triple)
}

/// How a resolved dependency edge is used: normal, build-only or dev-only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Build,
    Dev,
}

/// The strongest kind of an edge: any normal use makes it normal, else any build use.
fn edge_kind(dep: &Value) -> Kind {
    let kinds: Vec<Option<&str>> = match dep.get("dep_kinds").and_then(Value::as_array) {
        Some(ks) => ks
            .iter()
            .map(|k| k.get("kind").and_then(Value::as_str))
            .collect(),
        None => vec![None],
    };
    if kinds.iter().any(Option::is_none) {
        Kind::Normal
    } else if kinds.contains(&Some("build")) {
        Kind::Build
    } else {
        Kind::Dev
    }
}

/// The graph from `cargo metadata` JSON (format version 1).
pub fn from_metadata(doc: &Value, triple: &str) -> Result<Resolved, String> {
    let bad = |what: &str| format!("cargo metadata JSON without {what}");
    let mut keys: BTreeMap<&str, Key> = BTreeMap::new();
    for p in doc["packages"].as_array().ok_or_else(|| bad("packages"))? {
        let (Some(id), Some(n), Some(v)) =
            (p["id"].as_str(), p["name"].as_str(), p["version"].as_str())
        else {
            return Err(bad("package id/name/version"));
        };
        keys.insert(id, (n.to_string(), v.to_string()));
    }
    let mut graph: BTreeMap<&str, Vec<(&str, Kind)>> = BTreeMap::new();
    for node in doc["resolve"]["nodes"]
        .as_array()
        .ok_or_else(|| bad("resolve"))?
    {
        let id = node["id"].as_str().ok_or_else(|| bad("node id"))?;
        let deps = node["deps"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        let out = deps
            .iter()
            .filter_map(|d| Some((d["pkg"].as_str()?, edge_kind(d))))
            .collect();
        graph.insert(id, out);
    }
    let members: Vec<&str> = doc["workspace_members"]
        .as_array()
        .ok_or_else(|| bad("workspace_members"))?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let required = reach(&graph, &members, &[Kind::Normal]);
    let used = reach(&graph, &members, &[Kind::Normal, Kind::Build]);
    let key = |id: &str| {
        keys.get(id)
            .cloned()
            .ok_or_else(|| bad("a package of the graph"))
    };
    let mut r = Resolved {
        triple: triple.to_string(),
        ..Resolved::default()
    };
    for id in &members {
        r.members.insert(key(id)?);
    }
    for id in &used {
        let scope = if required.contains(id) {
            "required"
        } else {
            "excluded"
        };
        r.scopes.insert(key(id)?, scope);
        let deps = graph.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let mut ds = Vec::new();
        for (d, k) in deps {
            if *k != Kind::Dev && used.contains(d) {
                ds.push(key(d)?);
            }
        }
        r.edges.insert(key(id)?, ds);
    }
    Ok(r)
}

/// The packages reached from `roots` over edges of the given kinds (dev-dependencies count
/// only for workspace members, and are never followed here).
fn reach<'a>(
    graph: &BTreeMap<&'a str, Vec<(&'a str, Kind)>>,
    roots: &[&'a str],
    kinds: &[Kind],
) -> BTreeSet<&'a str> {
    let mut seen: BTreeSet<&str> = roots.iter().copied().collect();
    let mut queue: VecDeque<&str> = roots.iter().copied().collect();
    while let Some(id) = queue.pop_front() {
        for (d, k) in graph.get(id).map(Vec::as_slice).unwrap_or(&[]) {
            if kinds.contains(k) && seen.insert(d) {
                queue.push_back(d);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn dep(pkg: &str, kinds: &[Option<&str>]) -> Value {
        let ks: Vec<Value> = kinds
            .iter()
            .map(|k| json!({"kind": k, "target": null}))
            .collect();
        json!({"name": pkg, "pkg": pkg, "dep_kinds": ks})
    }

    fn doc(nodes: &[(&str, Vec<Value>)], members: &[&str]) -> Value {
        let packages: Vec<Value> = nodes
            .iter()
            .map(|(id, _)| json!({"id": id, "name": id, "version": "1.0.0"}))
            .collect();
        let ns: Vec<Value> = nodes
            .iter()
            .map(|(id, d)| json!({"id": id, "deps": d}))
            .collect();
        json!({"packages": packages, "workspace_members": members, "resolve": {"nodes": ns}})
    }

    fn k(n: &str) -> Key {
        (n.to_string(), "1.0.0".to_string())
    }

    #[test]
    fn normal_build_and_dev_edges() {
        let d = doc(
            &[
                (
                    "app",
                    vec![
                        dep("lib", &[None]),
                        dep("cc", &[Some("build")]),
                        dep("test-helper", &[Some("dev")]),
                    ],
                ),
                (
                    "lib",
                    vec![dep("cc", &[Some("build")]), dep("memchr", &[None])],
                ),
                ("cc", vec![dep("shlex", &[None])]),
                ("shlex", vec![]),
                ("memchr", vec![]),
                ("test-helper", vec![dep("memchr", &[None])]),
            ],
            &["app"],
        );
        let r = from_metadata(&d, "x86_64-unknown-linux-gnu").unwrap();
        let scopes: Vec<(&str, &str)> = r.scopes.iter().map(|(k, s)| (k.0.as_str(), *s)).collect();
        assert_eq!(
            scopes,
            vec![
                ("app", "required"),
                ("cc", "excluded"),
                ("lib", "required"),
                ("memchr", "required"),
                ("shlex", "excluded")
            ]
        );
        assert_eq!(r.edges[&k("app")], vec![k("lib"), k("cc")]);
        assert_eq!(r.edges[&k("lib")], vec![k("cc"), k("memchr")]);
        assert_eq!(r.members.iter().collect::<Vec<_>>(), vec![&k("app")]);
    }

    #[test]
    fn an_edge_used_both_ways_is_normal() {
        let d = doc(
            &[
                ("app", vec![dep("x", &[Some("build"), None])]),
                ("x", vec![]),
            ],
            &["app"],
        );
        let r = from_metadata(&d, "t").unwrap();
        assert_eq!(r.scopes[&k("x")], "required");
    }

    #[test]
    fn malformed_metadata_is_an_error() {
        assert!(
            from_metadata(&json!({}), "t")
                .unwrap_err()
                .contains("packages")
        );
        let d = json!({"packages": [], "workspace_members": ["a"], "resolve": {"nodes": [{"id": "a", "deps": []}]}});
        assert!(
            from_metadata(&d, "t")
                .unwrap_err()
                .contains("a package of the graph")
        );
    }

    #[test]
    fn a_missing_manifest_is_a_reason_not_a_panic() {
        let e = resolve(Path::new("/nonexistent/Cargo.toml"), "t").unwrap_err();
        assert!(e.contains("no /nonexistent/Cargo.toml"), "{e}");
    }

    proptest! {
        /// Properties over random graphs: every required package is reached over normal edges
        /// only (so adding build edges never changes the required set), members are required,
        /// and every edge ends inside the kept packages.
        #[test]
        fn required_is_the_normal_closure(
            edges in proptest::collection::vec((0usize..8, 0usize..8, 0u8..3), 0..24),
        ) {
            let names: Vec<String> = (0..8).map(|i| format!("p{i}")).collect();
            let build = |with_build: bool| {
                let nodes: Vec<(&str, Vec<Value>)> = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| {
                        let ds = edges
                            .iter()
                            .filter(|(a, _, kd)| *a == i && (with_build || *kd != 1))
                            .map(|(_, b, kd)| dep(&names[*b], &[[None, Some("build"), Some("dev")][*kd as usize]]))
                            .collect();
                        (n.as_str(), ds)
                    })
                    .collect();
                from_metadata(&doc(&nodes, &["p0"]), "t").unwrap()
            };
            let full = build(true);
            let normal_only = build(false);
            let req = |r: &Resolved| r.scopes.iter().filter(|(_, s)| **s == "required").map(|(k, _)| k.clone()).collect::<Vec<_>>();
            prop_assert_eq!(req(&full), req(&normal_only));
            prop_assert_eq!(full.scopes.get(&k("p0")), Some(&"required"));
            for ds in full.edges.values() {
                for d in ds {
                    prop_assert!(full.scopes.contains_key(d));
                }
            }
        }
    }
}
