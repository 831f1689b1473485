//! `rigor audit` through the real binary against the real RustSec and PyPA snapshots.

mod common;

use common::advisories;
use common::rigor;
use serde_json::Value;
use std::path::Path;

fn audit_json(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = rigor(dir)
        .arg("audit")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}); stderr:\n{stderr}"));
    (out.status.code().unwrap_or(-1), v, stderr)
}

fn finding<'a>(v: &'a Value, list: &str, id: &str, package: &str) -> &'a Value {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id && f["package"] == package)
        .unwrap_or_else(|| panic!("no {id} for {package} in {list}: {v:#}"))
}

#[test]
fn rust_probe_findings_from_the_rustsec_snapshot() {
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    let (code, v, _) = audit_json(&dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(code, 1, "vulnerabilities fail the audit");
    assert_eq!(v["schema"], "rigor.audit/1");
    assert_eq!(v["inputs"][0]["file"], "Cargo.lock");
    // smallvec 0.6.10: RUSTSEC-2021-0003 (CVSS 3.1 9.8), patched >= 0.6.14 (< 1.0) or >= 1.6.1.
    let f = finding(&v, "findings", "RUSTSEC-2021-0003", "smallvec");
    assert_eq!(f["version"], "0.6.10");
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["score"], 9.8);
    assert_eq!(
        f["aliases"],
        serde_json::json!(["CVE-2021-25900", "GHSA-43w2-9j62-hq99"])
    );
    assert_eq!(
        f["fixed_in"],
        serde_json::json!([">=0.6.14, <1.0.0", ">=1.6.1"])
    );
    assert_eq!(f["source_file"], "Cargo.lock");
    // Informational advisories are kept apart, with their kind.
    let i = finding(&v, "informational", "RUSTSEC-2024-0375", "atty");
    assert_eq!(i["kind"], "unmaintained");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["kind"] == "vulnerability"),
        "no informational advisory among the vulnerabilities"
    );
    // A version outside every affected range is not reported: regex 1.5.4 has
    // RUSTSEC-2022-0013 (patched >= 1.5.5) but nothing else.
    let regex: Vec<&Value> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"] == "regex")
        .collect();
    assert_eq!(regex.len(), 1, "{regex:?}");
}

#[test]
fn withdrawn_advisories_are_never_reported() {
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    let (_, v, _) = audit_json(&dir, &["--db", db.to_str().unwrap()]);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .chain(v["informational"].as_array().unwrap())
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    // Every withdrawn advisory of the snapshot, read from the files themselves.
    let mut withdrawn = Vec::new();
    for dir in std::fs::read_dir(db.join("crates")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            if text.lines().any(|l| l.starts_with("withdrawn")) {
                let id = text.lines().find_map(|l| l.strip_prefix("id = ")).unwrap();
                withdrawn.push(id.trim_matches('"').to_string());
            }
        }
    }
    assert!(!withdrawn.is_empty());
    for w in &withdrawn {
        assert!(!ids.contains(&w.as_str()), "withdrawn {w} reported");
    }
}

#[test]
fn ignores_need_a_reason_and_expire_loudly() {
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    std::fs::write(
        dir.join("rigor.toml"),
        "[audit]\nfail_on = \"critical\"\nfail_on_unknown = false\n\n[[audit.ignore]]\nid = \"CVE-2021-25900\"\nreason = \"insert_many is never called\"\nexpires = \"2999-01-01\"\n\n[[audit.ignore]]\nid = \"RUSTSEC-2021-0079\"\nreason = \"server side unused\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let (code, v, _) = audit_json(&dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(
        code, 0,
        "both criticals ignored, the rest is below the threshold: {v:#}"
    );
    let ignored: Vec<&str> = v["ignored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ignored, vec!["RUSTSEC-2021-0003", "RUSTSEC-2021-0079"]);
    assert_eq!(v["ignored"][0]["reason"], "insert_many is never called");

    std::fs::write(
        dir.join("rigor.toml"),
        "[[audit.ignore]]\nid = \"RUSTSEC-2021-0003\"\nreason = \"old\"\nexpires = \"2020-01-01\"\n",
    )
    .unwrap();
    let out = rigor(&dir)
        .args(["audit", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "nothing printed on a configuration error"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rigor.toml:4:"), "{err}");
    assert!(err.contains("expired on 2020-01-01"), "{err}");
}

#[test]
fn bad_inputs_fail_with_their_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = advisories::rustsec();
    // No input: 4.
    let out = rigor(tmp.path())
        .args(["audit", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A malformed lockfile: 3, located.
    std::fs::write(
        tmp.path().join("Cargo.lock"),
        "version = 4\n\n[[package]]\nname = 3\n",
    )
    .unwrap();
    let out = rigor(tmp.path())
        .args(["audit", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Cargo.lock:4:"), "{err}");
    // No database: 2.
    let out = rigor(tmp.path()).args(["audit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--db"));
    // A directory that is no database: 2.
    let out = rigor(tmp.path())
        .args(["audit", "--db", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sarif_locates_findings_in_the_lockfile() {
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    let out = rigor(&dir)
        .args(["audit", "--format", "sarif", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(r["level"], "error");
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let line = r["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .unwrap() as usize;
    assert_eq!(lock.lines().nth(line - 1), Some("[[package]]"));
    assert_eq!(lock.lines().nth(line), Some("name = \"smallvec\""));
    let rule = v["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "RUSTSEC-2021-0003")
        .unwrap();
    assert_eq!(rule["properties"]["security-severity"], "9.8");
}

#[test]
fn the_table_is_stable() {
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    // No registry index cache (an empty Cargo home): the yank check says so.
    let home = tempfile::tempdir().unwrap();
    let out = rigor(&dir)
        .args(["audit", "--db", db.to_str().unwrap()])
        .env("CARGO_HOME", home.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).replace(db.to_str().unwrap(), "[DB]");
    insta::assert_snapshot!(text);
}

#[test]
fn python_requirements_against_the_pypa_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("base.txt"), "Jinja2==2.10 --hash=sha256:0123\n").unwrap();
    std::fs::write(
        dir.join("requirements.txt"),
        "-r base.txt\nurllib3==1.26.4 ; python_version >= \"3\"  # pinned\nrequests>=2\nurllib3_secure==0.1\n",
    )
    .unwrap();
    let db = advisories::pypa();
    let (code, v, stderr) = audit_json(dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(v["databases"][0]["kind"], "osv");
    // urllib3 1.26.4: PYSEC-2023-192 (CVSS 3.1 8.1, fixed 1.26.17 and 2.0.6).
    let f = finding(&v, "findings", "PYSEC-2023-192", "urllib3");
    assert_eq!(
        (f["severity"].as_str(), f["score"].as_f64()),
        (Some("high"), Some(8.1))
    );
    let fixed: Vec<&str> = f["fixed_in"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(fixed.contains(&"1.26.17"), "{fixed:?}");
    assert_eq!(
        (f["source_file"].as_str(), f["line"].as_u64()),
        (Some("requirements.txt"), Some(2))
    );
    // The included file's pin is audited and located in that file; the name is normalised.
    let j = finding(&v, "findings", "PYSEC-2019-217", "Jinja2");
    assert_eq!(j["source_file"], "base.txt");
    assert!(
        j["aliases"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("CVE-"))
    );
    // Unpinned requirements are reported, not skipped silently.
    assert_eq!(v["unpinned"][0]["requirement"], "requests>=2");
    assert_eq!(v["summary"]["unpinned"], 1);
    // A package without advisories gives nothing.
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["package"] == "urllib3_secure")
    );
}

#[test]
fn ci_runs_the_configured_audit_and_the_security_gate_reads_it() {
    let (_t, dir) = common::project("pysel");
    std::fs::write(dir.join("requirements.txt"), "urllib3==1.26.4\n").unwrap();
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n").unwrap();
    let db = advisories::pypa();
    std::fs::write(
        dir.join("rigor.toml"),
        format!(
            "[audit]\ndatabases = [{:?}]\n\n[gates]\nsecurity = {{ fail_on = \"high\" }}\n",
            db.to_str().unwrap()
        ),
    )
    .unwrap();
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::git(&dir, &["add", "-A"]);
    rigor_testkit::git(&dir, &["commit", "-q", "-m", "init"]);
    let out = rigor(&dir).arg("ci").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("audit: 1 packages, 3 vulnerabilities"),
        "{stderr}"
    );
    let sec = stderr
        .lines()
        .find(|l| l.contains("security"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(sec.starts_with("FAIL"), "{sec}");
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(".rigor/audit.json")).unwrap())
            .unwrap();
    assert_eq!(written["schema"], "rigor.audit/1");

    // Without [audit], the older audit is removed and the security gate has no input.
    std::fs::write(dir.join("rigor.toml"), "").unwrap();
    let out = rigor(&dir).arg("ci").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!dir.join(".rigor/audit.json").exists());
}

/// A RustSec-shaped database in a local git repository (file://, no network), cloned; a new
/// advisory committed upstream reaches the audit through `--update` only.
#[test]
fn update_pulls_a_git_checkout_of_the_database() {
    let (_t, dir) = common::project("audit-rust");
    let tmp = tempfile::tempdir().unwrap();
    let upstream = tmp.path().join("upstream");
    let snapshot = advisories::rustsec();
    std::fs::create_dir_all(upstream.join("crates/regex")).unwrap();
    std::fs::copy(
        snapshot.join("crates/regex/RUSTSEC-2022-0013.md"),
        upstream.join("crates/regex/RUSTSEC-2022-0013.md"),
    )
    .unwrap();
    let git = rigor_testkit::git;
    git(&upstream, &["init", "-q", "-b", "main"]);
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "one advisory"]);
    let clone = tmp.path().join("clone");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            &format!("file://{}", upstream.display()),
            "clone",
        ],
    );
    let db = clone.to_str().unwrap();
    let ids = |v: &Value| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, v, _) = audit_json(&dir, &["--db", db]);
    assert_eq!(ids(&v), ["RUSTSEC-2022-0013"]);

    // Upstream publishes the smallvec advisory.
    std::fs::create_dir_all(upstream.join("crates/smallvec")).unwrap();
    std::fs::copy(
        snapshot.join("crates/smallvec/RUSTSEC-2021-0003.md"),
        upstream.join("crates/smallvec/RUSTSEC-2021-0003.md"),
    )
    .unwrap();
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "smallvec"]);
    let (_, v, _) = audit_json(&dir, &["--db", db, "--offline"]);
    assert_eq!(
        ids(&v),
        ["RUSTSEC-2022-0013"],
        "offline: the checkout as it is"
    );
    let (_, v, stderr) = audit_json(&dir, &["--db", db, "--update"]);
    assert!(
        stderr.contains("updated ") && stderr.contains(" → "),
        "{stderr}"
    );
    assert_eq!(ids(&v), ["RUSTSEC-2021-0003", "RUSTSEC-2022-0013"]);
    assert_eq!(v["databases"][0]["updated"].as_str().unwrap().len(), 10);

    // A directory that is not a checkout cannot be updated: exit 2, nothing printed.
    let out = rigor(&dir)
        .args(["audit", "--update", "--db", snapshot.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a git checkout"));
}

#[test]
fn python_lockfiles_are_found_and_audited() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("uv.lock"),
        "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"urllib3\"\nversion = \"1.26.4\"\nsource = { registry = \"https://example.invalid/simple\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Pipfile.lock"),
        "{\n  \"default\": {\n    \"jinja2\": {\"version\": \"==2.10\"}\n  },\n  \"develop\": {}\n}\n",
    )
    .unwrap();
    let db = advisories::pypa();
    let (code, v, stderr) = audit_json(dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    let kinds: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["pipfile-lock", "uv-lock"]);
    let u = finding(&v, "findings", "PYSEC-2023-192", "urllib3");
    assert_eq!(
        (u["source_file"].as_str(), u["line"].as_u64()),
        (Some("uv.lock"), Some(8))
    );
    let j = finding(&v, "findings", "PYSEC-2019-217", "jinja2");
    assert_eq!(
        (j["source_file"].as_str(), j["line"].as_u64()),
        (Some("Pipfile.lock"), Some(3))
    );
    // The editable project itself is not audited.
    assert!(
        !v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["package"] == "app")
    );
}

#[test]
fn yanked_crates_come_from_the_local_registry_index_cache() {
    use rigor_supply::advisories::yanked::{index_path, write_cache};
    let (_t, dir) = common::project("audit-rust");
    let db = advisories::rustsec();
    // A fabricated index cache: smallvec 0.6.10 yanked, hyper 0.14.9 not; nothing else listed.
    let index = dir.join("index");
    for (name, versions) in [
        ("smallvec", vec![("0.6.9", false), ("0.6.10", true)]),
        ("hyper", vec![("0.14.9", false)]),
    ] {
        let file = index.join(".cache").join(index_path(name));
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, write_cache(&versions, name)).unwrap();
    }
    std::fs::write(
        dir.join("rigor.toml"),
        "[audit]\nregistry_index = \"index\"\n",
    )
    .unwrap();
    let (_, v, _) = audit_json(&dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(
        v["yanked"],
        serde_json::json!([{"package": "smallvec", "version": "0.6.10", "source_file": "Cargo.lock", "line": v["yanked"][0]["line"]}])
    );
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let line = v["yanked"][0]["line"].as_u64().unwrap() as usize;
    assert_eq!(lock.lines().nth(line), Some("name = \"smallvec\""));
    assert_eq!(v["yank_check"]["status"], "checked");
    let checked = v["yank_check"]["checked"].as_u64().unwrap();
    assert_eq!(v["yank_check"]["unknown"].as_u64().unwrap(), checked - 2);
    assert_eq!(v["summary"]["yanked"], 1);
    let failing = v["summary"]["failing"].as_u64().unwrap();
    // fail_on_yanked counts it against the policy.
    std::fs::write(
        dir.join("rigor.toml"),
        "[audit]\nregistry_index = \"index\"\nfail_on_yanked = true\n",
    )
    .unwrap();
    let (_, v, _) = audit_json(&dir, &["--db", db.to_str().unwrap()]);
    assert_eq!(v["summary"]["failing"].as_u64().unwrap(), failing + 1);
    // The table lists it.
    let out = rigor(&dir)
        .args(["audit", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "yanked (withdrawn from the registry by their authors):\n  smallvec 0.6.10  Cargo.lock:"
        ),
        "{text}"
    );
    // A configured index that is not there: exit 2, nothing printed.
    std::fs::write(
        dir.join("rigor.toml"),
        "[audit]\nregistry_index = \"nope\"\n",
    )
    .unwrap();
    let out = rigor(&dir)
        .args(["audit", "--db", db.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("registry_index"));
    // No index at all: said, never fetched.
    std::fs::remove_file(dir.join("rigor.toml")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = rigor(&dir)
        .args(["audit", "--format", "json", "--db", db.to_str().unwrap()])
        .env("CARGO_HOME", home.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["yank_check"]["status"], "unavailable");
    assert_eq!(v["yanked"], serde_json::json!([]));
}
