//! Python lockfiles: `poetry.lock`, `uv.lock`, `pylock.toml` (PEP 751) and `Pipfile.lock`. Each
//! package with its version, origin (registry, git, path, URL), hashes, dependencies and line.

use crate::error::{Result, SupplyError, line_of, toml_line};
use crate::model::{Ecosystem, Inventory, Origin, Package, Unpinned, pep503};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The line of the n-th table header `header` (`[[package]]`).
fn header_lines(text: &str, header: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .map(|(i, _)| i + 1)
        .collect()
}

fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str, hint: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| {
        SupplyError::malformed(file, toml_line(text, &e), e.message().to_string(), hint)
    })
}

fn package(file: &str, line: usize, name: &str, version: &str, origin: Origin) -> Package {
    Package {
        ecosystem: Ecosystem::PyPI,
        name: name.to_string(),
        version: version.to_string(),
        source_file: file.to_string(),
        line,
        origin,
        hashes: Vec::new(),
        dependencies: Vec::new(),
        marker: None,
        licenses: vec![],
    }
}

// ------------------------------------------------------------------ poetry.lock

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPkg>,
}
#[derive(Deserialize)]
struct PoetryPkg {
    name: String,
    version: String,
    #[serde(default)]
    files: Vec<PoetryFile>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    source: Option<PoetrySource>,
}
#[derive(Deserialize)]
struct PoetryFile {
    #[serde(default)]
    hash: String,
}
#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type")]
    kind: String,
}

pub fn read_poetry(file: &str, text: &str) -> Result<Inventory> {
    let lock: PoetryLock = parse_toml(
        file,
        text,
        "a poetry.lock has [[package]] tables with name, version, files; regenerate it with `poetry lock`",
    )?;
    let lines = header_lines(text, "[[package]]");
    let packages = lock
        .package
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let origin = match p.source.as_ref().map(|s| s.kind.as_str()) {
                None | Some("legacy") => Origin::Registry,
                Some("git") => Origin::Git,
                Some("directory") | Some("file") => Origin::Path,
                Some(_) => Origin::Url,
            };
            let mut pkg = package(
                file,
                lines.get(i).copied().unwrap_or(1),
                &p.name,
                &p.version,
                origin,
            );
            pkg.hashes = p
                .files
                .into_iter()
                .map(|f| f.hash)
                .filter(|h| !h.is_empty())
                .collect();
            pkg.dependencies = p.dependencies.keys().map(|d| pep503(d)).collect();
            pkg
        })
        .collect();
    Ok(Inventory {
        packages,
        unpinned: Vec::new(),
    })
}

// ------------------------------------------------------------------ uv.lock

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPkg>,
}
#[derive(Deserialize)]
struct UvPkg {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default)]
    sdist: Option<UvArtifact>,
    #[serde(default)]
    wheels: Vec<UvArtifact>,
}
#[derive(Deserialize)]
struct UvDep {
    name: String,
}
#[derive(Deserialize)]
struct UvArtifact {
    #[serde(default)]
    hash: Option<String>,
}

pub fn read_uv(file: &str, text: &str) -> Result<Inventory> {
    let lock: UvLock = parse_toml(
        file,
        text,
        "a uv.lock has [[package]] tables with name, version, source; regenerate it with `uv lock`",
    )?;
    let lines = header_lines(text, "[[package]]");
    let mut inv = Inventory::default();
    for (i, p) in lock.package.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let origin = if p.source.contains_key("registry") {
            Origin::Registry
        } else if p.source.contains_key("git") {
            Origin::Git
        } else if p.source.contains_key("url") {
            Origin::Url
        } else {
            Origin::Path
        };
        let Some(version) = p.version else {
            if origin != Origin::Path {
                inv.unpinned.push(Unpinned {
                    name: pep503(&p.name),
                    requirement: p.name.clone(),
                    source_file: file.into(),
                    line,
                });
            }
            continue;
        };
        let mut pkg = package(file, line, &p.name, &version, origin);
        pkg.hashes = p
            .sdist
            .into_iter()
            .chain(p.wheels)
            .filter_map(|a| a.hash)
            .collect();
        pkg.dependencies = p.dependencies.iter().map(|d| pep503(&d.name)).collect();
        inv.packages.push(pkg);
    }
    Ok(inv)
}

// ------------------------------------------------------------------ pylock.toml (PEP 751)

#[derive(Deserialize)]
struct PyLock {
    #[serde(rename = "lock-version")]
    lock_version: String,
    #[serde(default)]
    packages: Vec<PyLockPkg>,
}
#[derive(Deserialize)]
struct PyLockPkg {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    marker: Option<String>,
    #[serde(default)]
    dependencies: Vec<BTreeMap<String, toml::Value>>,
    #[serde(default)]
    vcs: Option<toml::Value>,
    #[serde(default)]
    directory: Option<toml::Value>,
    #[serde(default)]
    archive: Option<toml::Value>,
    #[serde(default)]
    sdist: Option<PyLockFile>,
    #[serde(default)]
    wheels: Vec<PyLockFile>,
}
#[derive(Deserialize)]
struct PyLockFile {
    #[serde(default)]
    hashes: BTreeMap<String, String>,
}

pub fn read_pylock(file: &str, text: &str) -> Result<Inventory> {
    let hint = "a pylock.toml (PEP 751) has lock-version and [[packages]] tables with name, version, sdist/wheels";
    let lock: PyLock = parse_toml(file, text, hint)?;
    if !lock.lock_version.starts_with("1.") {
        let line = text.find("lock-version").map_or(1, |o| line_of(text, o));
        return Err(SupplyError::malformed(
            file,
            line,
            format!(
                "lock-version {} is not supported (1.x is)",
                lock.lock_version
            ),
            hint,
        ));
    }
    let lines = header_lines(text, "[[packages]]");
    let mut inv = Inventory::default();
    for (i, p) in lock.packages.into_iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(1);
        let origin = if p.vcs.is_some() {
            Origin::Git
        } else if p.directory.is_some() {
            Origin::Path
        } else if p.archive.is_some() {
            Origin::Url
        } else {
            Origin::Registry
        };
        let Some(version) = p.version else {
            inv.unpinned.push(Unpinned {
                name: pep503(&p.name),
                requirement: p.name.clone(),
                source_file: file.into(),
                line,
            });
            continue;
        };
        let mut pkg = package(file, line, &p.name, &version, origin);
        pkg.marker = p.marker;
        pkg.hashes = p
            .sdist
            .into_iter()
            .chain(p.wheels)
            .flat_map(|f| f.hashes.into_iter().map(|(a, h)| format!("{a}:{h}")))
            .collect();
        pkg.dependencies = p
            .dependencies
            .iter()
            .filter_map(|d| d.get("name").and_then(|n| n.as_str()).map(pep503))
            .collect();
        inv.packages.push(pkg);
    }
    Ok(inv)
}

// ------------------------------------------------------------------ Pipfile.lock

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: BTreeMap<String, PipfilePkg>,
    #[serde(default)]
    develop: BTreeMap<String, PipfilePkg>,
}
#[derive(Deserialize)]
struct PipfilePkg {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    #[serde(default)]
    markers: Option<String>,
}

pub fn read_pipfile(file: &str, text: &str) -> Result<Inventory> {
    let lock: PipfileLock = serde_json::from_str(text).map_err(|e| {
        SupplyError::malformed(file, e.line(), e.to_string(), "a Pipfile.lock is JSON with \"default\" and \"develop\" maps of {\"version\": \"==1.2.3\", \"hashes\": […]}; regenerate it with `pipenv lock`")
    })?;
    let mut inv = Inventory::default();
    for (name, p) in lock.default.into_iter().chain(lock.develop) {
        let line = text
            .find(&format!("\"{name}\": {{"))
            .map_or(1, |o| line_of(text, o));
        match p.version.as_deref().and_then(|v| v.strip_prefix("==")) {
            Some(v) => {
                let mut pkg = package(file, line, &name, v, Origin::Registry);
                pkg.hashes = p.hashes;
                pkg.marker = p.markers;
                inv.packages.push(pkg);
            }
            None => inv.unpinned.push(Unpinned {
                name: pep503(&name),
                requirement: format!("{name}{}", p.version.unwrap_or_default()),
                source_file: file.into(),
                line,
            }),
        }
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poetry() {
        let t = "[[package]]\nname = \"Jinja2\"\nversion = \"2.10\"\nfiles = [{file = \"j.whl\", hash = \"sha256:ab\"}]\n\n[package.dependencies]\nMarkupSafe = \">=0.23\"\n\n[[package]]\nname = \"mine\"\nversion = \"0.1\"\n\n[package.source]\ntype = \"directory\"\nurl = \"../mine\"\n";
        let inv = read_poetry("poetry.lock", t).unwrap();
        assert_eq!(inv.packages.len(), 2);
        let j = &inv.packages[0];
        assert_eq!(
            (j.version.as_str(), j.line, j.origin),
            ("2.10", 1, Origin::Registry)
        );
        assert_eq!(j.hashes, vec!["sha256:ab"]);
        assert_eq!(j.dependencies, vec!["markupsafe"]);
        assert_eq!(
            (inv.packages[1].line, inv.packages[1].origin),
            (9, Origin::Path)
        );
        let e = read_poetry("poetry.lock", "[[package]]\nname = 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("poetry.lock:2:"), "{e}");
    }

    #[test]
    fn uv() {
        let t = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\ndependencies = [{ name = \"urllib3\" }]\n\n[[package]]\nname = \"urllib3\"\nversion = \"1.26.4\"\nsource = { registry = \"https://example.invalid/simple\" }\nsdist = { url = \"u\", hash = \"sha256:cd\", size = 1 }\nwheels = [{ url = \"w\", hash = \"sha256:ef\", size = 1 }]\n";
        let inv = read_uv("uv.lock", t).unwrap();
        assert_eq!(inv.packages[0].origin, Origin::Path);
        let u = &inv.packages[1];
        assert_eq!(
            (u.name.as_str(), u.version.as_str(), u.line, u.origin),
            ("urllib3", "1.26.4", 9, Origin::Registry)
        );
        assert_eq!(u.hashes, vec!["sha256:cd", "sha256:ef"]);
    }

    #[test]
    fn pylock() {
        let t = "lock-version = \"1.0\"\ncreated-by = \"x\"\n\n[[packages]]\nname = \"urllib3\"\nversion = \"1.26.4\"\nmarker = \"python_version >= '3'\"\n\n[[packages.wheels]]\nname = \"urllib3-1.26.4-py3-none-any.whl\"\nurl = \"w\"\nhashes = { sha256 = \"ab\" }\n\n[[packages]]\nname = \"local\"\n\n[packages.directory]\npath = \"./local\"\n";
        let inv = read_pylock("pylock.toml", t).unwrap();
        let u = &inv.packages[0];
        assert_eq!(
            (u.line, u.hashes.clone()),
            (4, vec!["sha256:ab".to_string()])
        );
        assert_eq!(u.marker.as_deref(), Some("python_version >= '3'"));
        assert_eq!(inv.unpinned[0].name, "local");
        let e = read_pylock("pylock.toml", "lock-version = \"2.0\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("pylock.toml:1: lock-version 2.0"), "{e}");
    }

    #[test]
    fn pipfile() {
        let t = "{\n  \"_meta\": {},\n  \"default\": {\n    \"urllib3\": {\n      \"hashes\": [\"sha256:ab\"],\n      \"version\": \"==1.26.4\"\n    }\n  },\n  \"develop\": {\n    \"pytest\": {\"version\": \"*\"}\n  }\n}\n";
        let inv = read_pipfile("Pipfile.lock", t).unwrap();
        assert_eq!(
            (inv.packages[0].version.as_str(), inv.packages[0].line),
            ("1.26.4", 4)
        );
        assert_eq!(inv.unpinned[0].requirement, "pytest*");
        let e = read_pipfile("Pipfile.lock", "{\n\"default\": 3}")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("Pipfile.lock:2:"), "{e}");
    }
}
