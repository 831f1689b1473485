//! An installed Python environment: every `*.dist-info/METADATA` of its site-packages
//! directories (`lib/python*/site-packages`, `lib64/…`, Windows `Lib/site-packages`, or a
//! site-packages directory given directly). The origin comes from PEP 610's `direct_url.json`
//! (a local directory, a VCS checkout or a URL instead of the index).

use super::metadata;
use crate::error::{Result, SupplyError};
use crate::model::{Ecosystem, Inventory, Origin, Package, pep503};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Whether `dir` looks like an environment rigor can read: a venv (`pyvenv.cfg`) or a
/// directory holding `*.dist-info` directories.
pub fn is_environment(dir: &Path) -> bool {
    dir.is_dir() && (dir.join("pyvenv.cfg").is_file() || !dist_infos(dir).is_empty())
}

fn dist_infos(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(".dist-info"))
        })
        .collect();
    v.sort();
    v
}

/// The site-packages directories of an environment, in a stable order.
pub fn site_packages(env: &Path) -> Vec<PathBuf> {
    if !dist_infos(env).is_empty() {
        return vec![env.to_path_buf()];
    }
    let mut found = Vec::new();
    for lib in ["lib", "lib64"] {
        let mut pys: Vec<PathBuf> = std::fs::read_dir(env.join(lib))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("python"))
            })
            .map(|p| p.join("site-packages"))
            .filter(|p| p.is_dir())
            .collect();
        pys.sort();
        found.extend(pys);
    }
    let windows = env.join("Lib").join("site-packages");
    if windows.is_dir() {
        found.push(windows);
    }
    // lib64 is often a symlink to lib: read each directory once.
    let mut seen = Vec::new();
    found.retain(|p| {
        let c = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
        let new = !seen.contains(&c);
        seen.push(c);
        new
    });
    found
}

/// The origin PEP 610 records for a distribution installed from elsewhere than an index.
fn origin(dist_info: &Path) -> Origin {
    let Ok(text) = std::fs::read_to_string(dist_info.join("direct_url.json")) else {
        return Origin::Registry;
    };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Origin::Url;
    };
    if v.get("dir_info").is_some() {
        Origin::Path
    } else if v.get("vcs_info").is_some() {
        Origin::Git
    } else {
        Origin::Url
    }
}

/// Read the environment at `env`; `label` is how it is named in findings (each package's
/// `source_file` is its METADATA under that label, its line that of `Version:`).
pub fn read(env: &Path, label: &str) -> Result<Inventory> {
    let dirs = site_packages(env);
    if dirs.is_empty() {
        return Err(SupplyError::usage(
            format!("{label}: no site-packages directory with *.dist-info in it"),
            "give a virtual environment (the directory holding pyvenv.cfg) or a site-packages directory",
        ));
    }
    let mut inv = Inventory::default();
    for dir in &dirs {
        for info in dist_infos(dir) {
            let path = info.join("METADATA");
            let shown = format!(
                "{label}/{}",
                path.strip_prefix(env).unwrap_or(&path).display()
            );
            let text = match std::fs::read(&path) {
                Ok(b) => String::from_utf8_lossy(&b).into_owned(),
                // A dist-info without METADATA is a broken install, not a package to report.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(SupplyError::read(&path, e, "check the permissions")),
            };
            let m = metadata::parse(&shown, &text)?;
            inv.packages.push(Package {
                ecosystem: Ecosystem::PyPI,
                name: m.name,
                version: m.version,
                source_file: shown,
                line: m.version_line,
                origin: origin(&info),
                hashes: Vec::new(),
                dependencies: m.requires,
                marker: None,
                licenses: m.licenses,
            });
        }
    }
    resolve_dependencies(&mut inv.packages);
    Ok(inv)
}

/// Requirements name distributions loosely (case, `_`/`.`/`-`): keep those installed, written
/// as the installed name, so that the graph links them.
fn resolve_dependencies(packages: &mut [Package]) {
    let names: HashMap<String, String> = packages
        .iter()
        .map(|p| (pep503(&p.name), p.name.clone()))
        .collect();
    for p in packages.iter_mut() {
        let mut deps: Vec<String> = p
            .dependencies
            .iter()
            .filter_map(|d| names.get(&pep503(d)).cloned())
            .collect();
        deps.dedup();
        p.dependencies = deps;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(site: &Path, dir: &str, metadata: &str) -> PathBuf {
        let d = site.join(dir);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("METADATA"), metadata).unwrap();
        d
    }

    #[test]
    fn a_venv_is_read_with_origins_and_a_linked_graph() {
        let t = tempfile::tempdir().unwrap();
        let env = t.path().join(".venv");
        let site = env.join("lib/python3.12/site-packages");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(env.join("pyvenv.cfg"), "home = /usr/bin\n").unwrap();
        dist(
            &site,
            "Requests-2.25.1.dist-info",
            "Name: Requests\nVersion: 2.25.1\nRequires-Dist: URLLib3 (<1.27)\nRequires-Dist: chardet\n",
        );
        dist(
            &site,
            "urllib3-1.26.4.dist-info",
            "Name: urllib3\nVersion: 1.26.4\nLicense-Expression: MIT\n",
        );
        let local = dist(&site, "mine-0.1.dist-info", "Name: mine\nVersion: 0.1\n");
        std::fs::write(
            local.join("direct_url.json"),
            r#"{"url": "file:///src/mine", "dir_info": {"editable": true}}"#,
        )
        .unwrap();
        std::fs::create_dir_all(site.join("broken-1.dist-info")).unwrap();
        assert!(is_environment(&env));
        let inv = read(&env, ".venv").unwrap();
        let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, vec!["Requests", "mine", "urllib3"]);
        let r = &inv.packages[0];
        assert_eq!(
            r.source_file,
            ".venv/lib/python3.12/site-packages/Requests-2.25.1.dist-info/METADATA"
        );
        assert_eq!(r.line, 2);
        assert_eq!(r.dependencies, vec!["urllib3"], "chardet is not installed");
        assert_eq!(inv.packages[1].origin, Origin::Path);
        assert_eq!(inv.packages[2].origin, Origin::Registry);
    }

    #[test]
    fn a_directory_without_distributions_is_a_usage_error() {
        let t = tempfile::tempdir().unwrap();
        assert!(!is_environment(t.path()));
        let e = read(t.path(), "empty").unwrap_err();
        assert!(e.to_string().contains("no site-packages directory"), "{e}");
    }
}
