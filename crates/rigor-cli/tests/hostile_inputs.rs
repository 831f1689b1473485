//! Hostile and absurd inputs (issue 18): each ends with a clear error and its documented exit
//! code — never a panic (101), an abort (134) or a hang.

mod common;

use common::*;
use std::path::Path;
use std::time::Duration;

/// A pytest project with one passing test, and `toml` as its rigor.toml (if any).
fn one_test_project(toml: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("pytest.ini"), "[pytest]\n").unwrap();
    std::fs::create_dir_all(tmp.path().join("tests")).unwrap();
    std::fs::write(
        tmp.path().join("tests/test_one.py"),
        "def test_one():\n    pass\n",
    )
    .unwrap();
    if let Some(toml) = toml {
        std::fs::write(tmp.path().join("rigor.toml"), toml).unwrap();
    }
    tmp
}

/// Run rigor in `dir` with `args` and `env`, bounded: (exit code, stderr).
fn rigor_err(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = rigor(dir);
    cmd.args(args).timeout(Duration::from_secs(120));
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_clean_usage_error(code: i32, stderr: &str, needle: &str) {
    assert_eq!(code, 2, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
}

#[test]
fn huge_durations_are_usage_errors_not_panics() {
    let tmp = one_test_project(None);
    let (code, err) = rigor_err(
        tmp.path(),
        &["run", "--timeout", "20000000000000000000"],
        &[],
    );
    assert_clean_usage_error(code, &err, "longest duration rigor accepts");
    let (code, err) = rigor_err(tmp.path(), &["run"], &[("RIGOR_RUN_TIMEOUT", "1e30")]);
    assert_clean_usage_error(code, &err, "longest duration rigor accepts");
    let tmp = one_test_project(Some(
        "[tiers]\nsmoke = { select = \"all()\", budget = \"9999999999999999h\" }\n",
    ));
    let (code, err) = rigor_err(tmp.path(), &["run", "--tier", "smoke"], &[]);
    assert_clean_usage_error(code, &err, "longest duration rigor accepts");
}

#[test]
fn deeply_nested_selectors_are_usage_errors_not_stack_overflows() {
    let tmp = one_test_project(None);
    let parens = format!("{}all(){}", "(".repeat(10_000), ")".repeat(10_000));
    let (code, err) = rigor_err(tmp.path(), &["run", "-E", &parens], &[]);
    assert_clean_usage_error(code, &err, "nested too deeply");
    let bangs = format!("{}all()", "!".repeat(60_000));
    let (code, err) = rigor_err(tmp.path(), &["plan", "-E", &bangs], &[]);
    assert_clean_usage_error(code, &err, "nested too deeply");
    let toml = format!("[tiers]\nsmoke = {{ select = \"{parens}\" }}\n");
    let tmp = one_test_project(Some(&toml));
    let (code, err) = rigor_err(tmp.path(), &["run", "--tier", "smoke"], &[]);
    assert_clean_usage_error(code, &err, "nested too deeply");
}

#[test]
fn more_workers_than_the_machine_may_run_is_a_usage_error() {
    let tmp = one_test_project(None);
    let (code, err) = rigor_err(tmp.path(), &["run", "--jobs", "100000"], &[]);
    assert_clean_usage_error(code, &err, "more than this machine may run: at most");
    assert!(err.contains("--jobs 100000"), "{err}");
    let (code, err) = rigor_err(tmp.path(), &["run"], &[("RIGOR_RUN_JOBS", "100000")]);
    assert_clean_usage_error(code, &err, "run.jobs");
    // The maximum itself is fine; one test still gets one worker.
    let max = rigor_model::Config::max_jobs().to_string();
    let (code, err) = rigor_err(tmp.path(), &["run", "--jobs", &max], &[]);
    assert_eq!(code, 0, "{err}");
}

/// Each cause is said once: no "x: y" followed by ": y" again.
fn assert_said_once(stderr: &str, cause: &str) {
    assert_eq!(stderr.matches(cause).count(), 1, "{stderr}");
}

#[test]
fn input_that_is_not_utf8_is_malformed_input_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("bad.xml"), b"<testsuite>\xff</testsuite>").unwrap();
    std::fs::write(tmp.path().join("bad.csv"), b"time,metric\n\xff\xfe,1\n").unwrap();
    let (code, err) = rigor_err(tmp.path(), &["merge", "bad.xml"], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("bad.xml:1:12: malformed result file: the file is not valid UTF-8"),
        "{err}"
    );
    assert!(!err.contains("check the path"), "{err}");
    let (code, err) = rigor_err(tmp.path(), &["perf", "detect", "--input", "bad.csv"], &[]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("line 2, column 1") && err.contains("invalid UTF-8"),
        "{err}"
    );
    assert!(!err.contains("check the path"), "{err}");
}

#[test]
fn errors_say_their_cause_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = rigor_err(tmp.path(), &["gate", "--junit", "missing.xml"], &[]);
    assert_eq!(code, 2, "{err}");
    assert_said_once(&err, "No such file or directory");
    let (code, err) = rigor_err(tmp.path(), &["merge", "missing.json"], &[]);
    assert_eq!(code, 2, "{err}");
    assert_said_once(&err, "No such file or directory");
}

#[test]
fn tier_errors_name_the_key_at_fault_and_an_existing_page() {
    let tmp = one_test_project(Some(
        "[tiers]\nsmoke = { select = \"all()\", budget = \"5 parsecs\" }\n",
    ));
    let (code, err) = rigor_err(tmp.path(), &["run", "--tier", "smoke"], &[]);
    assert_clean_usage_error(code, &err, "`tiers.smoke.budget`");
    assert!(!err.contains("tiers.smoke.select"), "{err}");
    assert!(!err.contains("docs/tiers.md"), "{err}");
    assert!(err.contains("docs/ci.md#tiers"), "{err}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md");
    assert!(std::fs::read_to_string(root).unwrap().contains("## Tiers"));
}

#[test]
fn an_empty_tier_takes_no_time_without_a_sign() {
    let tmp = one_test_project(Some(
        "[tiers]\nsmoke = { select = \"all()\", per_file = 0 }\nrest = { select = \"all()\" }\n",
    ));
    let out = rigor(tmp.path())
        .args(["plan"])
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("-0ms"), "{text}");
}

#[test]
fn an_unopenable_history_is_exit_2_everywhere_said_once_and_kept() {
    let tmp = one_test_project(None);
    std::fs::create_dir_all(tmp.path().join(".rigor")).unwrap();
    std::fs::write(tmp.path().join(".rigor/history.db"), "not a database\n").unwrap();
    for cmd in [
        &["run"][..],
        &["list"],
        &["history"],
        &["report"],
        &["gate"],
        &["plan"],
        &["flaky"],
    ] {
        let (code, err) = rigor_err(tmp.path(), cmd, &[]);
        assert_eq!(code, 2, "{cmd:?}: {err}");
        assert!(err.contains("cannot open the history"), "{cmd:?}: {err}");
        assert_said_once(&err, "file is not a database");
        assert!(err.contains("keep a copy"), "{cmd:?}: {err}");
        assert!(
            !err.to_lowercase().contains("move it aside"),
            "{cmd:?}: {err}"
        );
    }
    let kept = std::fs::read_to_string(tmp.path().join(".rigor/history.db")).unwrap();
    assert_eq!(kept, "not a database\n", "the history is never replaced");
}

/// Make `paths` unwritable for this user, root included: permissions, and (for root, whom
/// permissions do not stop) the immutable attribute. Returns an undo function, or None when the
/// files cannot be made unwritable here.
fn make_unwritable(paths: &[&Path]) -> Option<impl Fn() + use<>> {
    use std::os::unix::fs::PermissionsExt;
    for p in paths {
        let mode = if p.is_dir() { 0o555 } else { 0o444 };
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let owned: Vec<std::path::PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    let probe = paths[0].join("probe");
    let writable = std::fs::write(&probe, "x").is_ok();
    let _ = std::fs::remove_file(&probe);
    let immutable = writable
        && std::process::Command::new("chattr")
            .arg("+i")
            .args(&owned)
            .status()
            .is_ok_and(|s| s.success());
    let undo = move || {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .args(&owned)
            .status();
        for p in &owned {
            let mode = if p.is_dir() { 0o755 } else { 0o644 };
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
        }
    };
    if writable && !immutable {
        undo();
        return None;
    }
    Some(undo)
}

#[test]
fn read_only_commands_read_a_history_they_cannot_write() {
    let tmp = one_test_project(None);
    let (code, err) = rigor_err(tmp.path(), &["run", "-j", "1"], &[]);
    assert_eq!(code, 0, "{err}");
    // The gates' tables exist once gates ran (a read-only history cannot gain them).
    let (code, err) = rigor_err(tmp.path(), &["gate"], &[]);
    assert!(code == 0 || code == 1, "{err}");
    let rigor_dir = tmp.path().join(".rigor");
    let db = rigor_dir.join("history.db");
    let Some(undo) = make_unwritable(&[&rigor_dir, &db]) else {
        panic!("cannot make .rigor unwritable on this machine (no chattr for root)");
    };
    let mut failures = Vec::new();
    for cmd in [&["history"][..], &["list"], &["report"]] {
        let (code, err) = rigor_err(tmp.path(), cmd, &[]);
        if code != 0 {
            failures.push(format!("{cmd:?} exited {code}: {err}"));
        }
    }
    // A command that records still fails, with exit 2, and never suggests discarding data.
    let (code, err) = rigor_err(tmp.path(), &["run", "-j", "1"], &[]);
    undo();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(code, 2, "{err}");
    assert!(!err.to_lowercase().contains("move it aside"), "{err}");
    assert!(err.contains("check their permissions"), "{err}");
}
