//! `rigor sbom` through the real binary; every output validated with the official tooling
//! (CycloneDX schemas bundled in cyclonedx-python-lib, spdx-tools), run by the test Python.

mod common;

use common::rigor;
use serde_json::Value;
use std::path::Path;

fn validate(kind: &str, file: &Path) -> Result<(), String> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/validate_sbom.py");
    let out = std::process::Command::new(common::python())
        .arg(script)
        .arg(kind)
        .arg(file)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("ModuleNotFoundError"),
        "the validators are missing: pip install -r scripts/test-requirements.txt\n{text}"
    );
    if out.status.success() {
        Ok(())
    } else {
        Err(text)
    }
}

fn sbom(dir: &Path, args: &[&str], name: &str) -> (std::path::PathBuf, Value) {
    let path = dir.join(name);
    let out = rigor(dir)
        .arg("sbom")
        .args(args)
        .arg("-o")
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, v)
}

#[test]
fn rust_cyclonedx_16_15_and_spdx_are_valid_and_complete() {
    let (_t, dir) = common::project("audit-rust");
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let locked = lock.matches("[[package]]").count();
    let project_pkgs = lock
        .split("[[package]]")
        .skip(1)
        .filter(|p| !p.contains("source ="))
        .count();

    let (path, v) = sbom(&dir, &[], "bom.json");
    validate("cyclonedx", &path).unwrap();
    assert_eq!(v["specVersion"], "1.6");
    let comps = v["components"].as_array().unwrap();
    assert_eq!(
        comps.len() + project_pkgs,
        locked,
        "every locked package once"
    );
    assert_eq!(v["metadata"]["component"]["name"], "audit-probe");
    let sv = comps.iter().find(|c| c["name"] == "smallvec").unwrap();
    assert_eq!(sv["purl"], "pkg:cargo/smallvec@0.6.10");
    assert_eq!(sv["scope"], "required");
    // The hash is the lockfile's checksum.
    let checksum = sv["hashes"][0]["content"].as_str().unwrap();
    assert!(lock.contains(&format!("checksum = \"{checksum}\"")));
    assert_eq!(sv["hashes"][0]["alg"], "SHA-256");
    // The graph: hyper depends on h2, the project on smallvec.
    let deps = v["dependencies"].as_array().unwrap();
    let of = |r: &str| deps.iter().find(|d| d["ref"] == r).unwrap()["dependsOn"].clone();
    assert!(
        of("pkg:cargo/hyper@0.14.9")
            .as_array()
            .unwrap()
            .contains(&Value::from("pkg:cargo/h2@0.3.18"))
    );
    assert!(
        of("pkg:cargo/audit-probe@0.0.0")
            .as_array()
            .unwrap()
            .contains(&Value::from("pkg:cargo/smallvec@0.6.10"))
    );

    let (path, v) = sbom(&dir, &["--spec", "1.5"], "bom15.json");
    validate("cyclonedx", &path).unwrap();
    assert_eq!(v["specVersion"], "1.5");

    let (path, v) = sbom(&dir, &["--format", "spdx-json"], "spdx.json");
    validate("spdx", &path).unwrap();
    assert_eq!(v["spdxVersion"], "SPDX-2.3");
    assert_eq!(
        v["packages"].as_array().unwrap().len(),
        locked + 1,
        "the project, then every package"
    );
}

#[test]
fn python_requirements_give_valid_boms_with_pinned_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let hash = "a".repeat(64);
    std::fs::write(
        dir.join("requirements.txt"),
        format!("Jinja2==2.10 --hash=sha256:{hash}\nMarkupSafe==2.1.5\nrequests>=2\n"),
    )
    .unwrap();
    std::fs::write(dir.join("requirements-dev.txt"), "pytest==8.3.4\n").unwrap();
    let (path, v) = sbom(dir, &[], "bom.json");
    validate("cyclonedx", &path).unwrap();
    let comps = v["components"].as_array().unwrap();
    let purls: Vec<&str> = comps.iter().map(|c| c["purl"].as_str().unwrap()).collect();
    assert_eq!(
        purls,
        [
            "pkg:pypi/pytest@8.3.4",
            "pkg:pypi/jinja2@2.10",
            "pkg:pypi/markupsafe@2.1.5"
        ]
    );
    assert_eq!(comps[0]["scope"], "optional", "from requirements-dev.txt");
    assert_eq!(comps[1]["hashes"][0]["content"], hash);
    let (path, _) = sbom(dir, &["--format", "spdx-json"], "spdx.json");
    validate("spdx", &path).unwrap();
}

#[test]
fn the_validators_reject_a_broken_bom() {
    // The check above can fail: a bill without its required bomFormat is refused.
    let tmp = tempfile::tempdir().unwrap();
    let (path, mut v) = {
        std::fs::write(tmp.path().join("requirements.txt"), "x==1\n").unwrap();
        sbom(tmp.path(), &[], "bom.json")
    };
    v.as_object_mut().unwrap().remove("bomFormat");
    std::fs::write(&path, v.to_string()).unwrap();
    assert!(validate("cyclonedx", &path).is_err());
}

#[test]
fn no_input_is_exit_4_and_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    let out = rigor(tmp.path())
        .args(["sbom", "-o", "bom.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(!tmp.path().join("bom.json").exists());
}

/// A Cargo home whose registry source cache holds two of the fixture's crates, as a build
/// leaves it (`registry/src/<index>/<name>-<version>/Cargo.toml`).
fn cargo_home_with(dir: &Path) -> std::path::PathBuf {
    let home = dir.join("cargo-home");
    let idx = home.join("registry/src/index.test-0123456789abcdef");
    for (krate, license) in [
        ("smallvec-0.6.10", "MIT/Apache-2.0"),
        ("hyper-0.14.9", "MIT"),
    ] {
        std::fs::create_dir_all(idx.join(krate)).unwrap();
        std::fs::write(
            idx.join(krate).join("Cargo.toml"),
            format!("[package]\nname = \"x\"\nlicense = \"{license}\"\n"),
        )
        .unwrap();
    }
    home
}

#[test]
fn crate_licences_come_from_the_registry_cache_and_validate() {
    let (_t, dir) = common::project("audit-rust");
    let home = cargo_home_with(&dir);
    let run = |args: &[&str], name: &str| {
        let path = dir.join(name);
        let out = rigor(&dir)
            .env("CARGO_HOME", &home)
            .arg("sbom")
            .args(args)
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        (path, v)
    };
    for spec in ["1.6", "1.5"] {
        let (path, v) = run(&["--spec", spec], "bom.json");
        validate("cyclonedx", &path).unwrap();
        let comp = |n: &str| {
            v["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == n)
                .unwrap()
                .clone()
        };
        assert_eq!(
            comp("smallvec")["licenses"],
            serde_json::json!([{"expression": "MIT OR Apache-2.0"}])
        );
        assert_eq!(
            comp("hyper")["licenses"],
            serde_json::json!([{"expression": "MIT"}])
        );
        assert!(
            comp("h2").get("licenses").is_none(),
            "not in the cache: none"
        );
    }
    let (path, v) = run(&["--format", "spdx-json"], "spdx.json");
    validate("spdx", &path).unwrap();
    let declared = |n: &str| {
        v["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == n)
            .unwrap()["licenseDeclared"]
            .clone()
    };
    assert_eq!(declared("smallvec"), "MIT OR Apache-2.0");
    assert_eq!(declared("h2"), "NOASSERTION");
}

#[test]
fn a_venv_bill_carries_metadata_licences_and_the_graph() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let site = dir.join(".venv/lib/python3.12/site-packages");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(dir.join(".venv/pyvenv.cfg"), "home = /usr/bin\n").unwrap();
    for (d, meta) in [
        (
            "requests-2.25.1.dist-info",
            "Name: requests\nVersion: 2.25.1\nLicense: Apache 2.0\nRequires-Dist: urllib3 (<1.27)\n",
        ),
        (
            "urllib3-1.26.4.dist-info",
            "Name: urllib3\nVersion: 1.26.4\nClassifier: License :: OSI Approved :: MIT License\n",
        ),
        (
            "packaging-24.2.dist-info",
            "Name: packaging\nVersion: 24.2\nLicense-Expression: Apache-2.0 OR BSD-2-Clause\n",
        ),
    ] {
        std::fs::create_dir_all(site.join(d)).unwrap();
        std::fs::write(site.join(d).join("METADATA"), meta).unwrap();
    }
    let (path, v) = sbom(dir, &[], "bom.json");
    validate("cyclonedx", &path).unwrap();
    let comp = |n: &str| {
        v["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == n)
            .unwrap_or_else(|| panic!("{n} in {v:#}"))
            .clone()
    };
    assert_eq!(
        comp("requests")["licenses"],
        serde_json::json!([{"license": {"name": "Apache 2.0"}}])
    );
    assert_eq!(
        comp("urllib3")["licenses"],
        serde_json::json!([{"license": {"name": "MIT License"}}])
    );
    assert_eq!(
        comp("packaging")["licenses"],
        serde_json::json!([{"expression": "Apache-2.0 OR BSD-2-Clause"}])
    );
    let deps = v["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["ref"] == "pkg:pypi/requests@2.25.1")
        .unwrap();
    assert_eq!(
        deps["dependsOn"],
        serde_json::json!(["pkg:pypi/urllib3@1.26.4"])
    );
    let (path, v) = sbom(dir, &["--format", "spdx-json"], "spdx.json");
    validate("spdx", &path).unwrap();
    let declared: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["licenseDeclared"].as_str().unwrap())
        .collect();
    assert!(
        declared.contains(&"Apache-2.0 OR BSD-2-Clause"),
        "{declared:?}"
    );
}

/// The scope, by name, of every component of a CycloneDX bill.
fn scopes(v: &Value) -> Vec<(String, String)> {
    let mut s: Vec<(String, String)> = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["scope"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    s.sort();
    s
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn rust_bills_follow_cargos_resolved_graph_for_the_host() {
    // app: lib (normal) → shared; build-helper (build) → shared, codegen; test-helper (dev);
    // win-only (cfg(windows)). Only path dependencies: cargo answers offline.
    let (_t, root) = common::project("cargo-platform");
    let dir = root.join("app");
    let (path, v) = sbom(&dir, &[], "bom.json");
    validate("cyclonedx", &path).unwrap();
    assert_eq!(
        scopes(&v),
        pairs(&[
            ("build-helper", "excluded"),
            ("codegen", "excluded"),
            ("lib", "required"),
            ("shared", "required"),
        ]),
        "dev-only and Windows-only crates left out, build-only ones excluded"
    );
    assert_eq!(v["metadata"]["component"]["name"], "app");
    let lib = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "lib")
        .unwrap();
    assert_eq!(lib["purl"], "pkg:cargo/lib@1.2.3%2Bmeta.1");
    let deps = v["dependencies"].as_array().unwrap();
    let app = deps
        .iter()
        .find(|d| d["ref"] == "pkg:cargo/app@0.1.0")
        .unwrap();
    assert_eq!(
        app["dependsOn"],
        serde_json::json!([
            "pkg:cargo/build-helper@0.3.0",
            "pkg:cargo/lib@1.2.3%2Bmeta.1"
        ])
    );
    let prop = &v["metadata"]["properties"][0];
    assert_eq!(prop["name"], "rigor:cargo-scope");
    assert!(
        prop["value"]
            .as_str()
            .unwrap()
            .contains("cargo's resolved graph for "),
        "{prop}"
    );

    // --all-platforms: the whole lockfile again.
    let (path, v) = sbom(&dir, &["--all-platforms"], "all.json");
    validate("cyclonedx", &path).unwrap();
    let names: Vec<String> = scopes(&v).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "build-helper",
            "codegen",
            "lib",
            "shared",
            "test-helper",
            "win-only"
        ]
    );
    assert!(
        v["metadata"]["properties"][0]["value"]
            .as_str()
            .unwrap()
            .contains("--all-platforms")
    );

    // Without cargo: the lockfile closure, said in the bill and on stderr.
    let out = rigor(&dir)
        .args(["sbom", "--format", "spdx-json", "-o", "fallback.json"])
        .env("CARGO", dir.join("no-such-cargo"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fallback: cannot run"), "{err}");
    let path = dir.join("fallback.json");
    validate("spdx", &path).unwrap();
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        v["packages"].as_array().unwrap().len(),
        1 + 7,
        "the project, then every locked package"
    );
    assert!(
        v["creationInfo"]["comment"]
            .as_str()
            .unwrap()
            .contains("every package of the lockfile, all platforms (fallback: cannot run")
    );
}

#[test]
fn a_lockfile_whose_manifest_disagrees_falls_back_and_says_why() {
    // `--locked`: cargo refuses a lockfile that would need changing; nothing is rewritten.
    let (_t, root) = common::project("cargo-platform");
    let dir = root.join("app");
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(
            "[dev-dependencies]\ntest-helper",
            "[dev-dependencies]\ncodegen = { path = \"../codegen\" }\ntest-helper",
        ),
    )
    .unwrap();
    let lock_before = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let out = rigor(&dir)
        .args(["sbom", "-o", "bom.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("fallback: `cargo metadata --offline --locked` failed"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.lock")).unwrap(),
        lock_before
    );
}
