//! `rigor run` on a real cargo project (nextest and cargo-test discovery) and command suites.

mod common;

use common::*;

fn nextest_counts(dir: &std::path::Path) -> (u64, u64, u64) {
    let out = std::process::Command::new("cargo")
        .current_dir(dir)
        .args(["nextest", "run", "--no-fail-fast"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| l.contains("Summary ["))
        .unwrap_or_else(|| panic!("{text}"));
    let num = |word: &str| -> u64 {
        line.split(", ")
            .chain(line.split(": "))
            .find_map(|p| {
                p.trim()
                    .strip_suffix(word)
                    .and_then(|n| n.split_whitespace().last()?.parse().ok())
            })
            .unwrap_or(0)
    };
    (num(" passed"), num(" failed"), num(" skipped"))
}

#[test]
fn nextest_suite_counts_match_cargo_nextest() {
    let (_t, dir) = project("rustproj");
    let (code, summary) = run_json(&dir, &["-j", "2"]);
    assert_eq!(code, 1);
    let (passed, failed, skipped) = nextest_counts(&dir);
    assert_eq!(summary["counts"]["passed"], passed);
    assert_eq!(summary["counts"]["failed"], failed);
    assert_eq!(summary["counts"]["skipped"], skipped);
    assert_eq!(summary["suites"][0]["kind"], "nextest");
    assert_eq!(outcome_of(&summary, "rustproj::api fails"), "failed");
    assert_eq!(outcome_of(&summary, "rustproj tests::doubles"), "passed");
    let fails = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "rustproj::api fails")
        .unwrap();
    assert!(
        fails["excerpt"]
            .as_str()
            .unwrap()
            .contains("double is wrong")
    );
    assert_eq!(fails["file"], "tests/api.rs");
}

#[test]
fn cargo_test_fallback_finds_the_same_tests() {
    let (_t, dir) = project("rustproj");
    std::fs::write(
        dir.join("rigor.toml"),
        "[[suite]]\nname = \"rust\"\nkind = \"cargo-test\"\n",
    )
    .unwrap();
    let (code, summary) = run_json(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(summary["counts"]["passed"], 4);
    assert_eq!(summary["counts"]["failed"], 1);
    assert_eq!(summary["counts"]["skipped"], 1);
    assert_eq!(outcome_of(&summary, "rustproj::api ignored"), "skipped");
}

#[test]
fn a_hanging_rust_test_times_out() {
    let (_t, dir) = project("rustproj");
    let out = rigor(&dir)
        .env("RUSTPROJ_HANG", "1")
        .args(["run", "--timeout", "2s", "--format", "json"])
        .output()
        .unwrap();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(outcome_of(&summary, "hangs_unless_allowed"), "timeout");
    assert_eq!(outcome_of(&summary, "passes"), "passed");
}

#[test]
fn command_suites_pass_on_exit_zero_and_setup_failures_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("rigor.toml"),
        r#"
[[suite]]
name = "lint"
kind = "command"
commands = { ok = "true", broken = "echo 'lint: 3 problems' >&2; exit 3" }

[[suite]]
name = "needs-setup"
kind = "command"
setup = ["echo preparing; exit 7"]
commands = { never = "true" }
"#,
    )
    .unwrap();
    let (code, summary) = run_json(dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(outcome_of(&summary, "ok"), "passed");
    assert_eq!(outcome_of(&summary, "broken"), "failed");
    let broken = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "broken")
        .unwrap();
    let ex = broken["excerpt"].as_str().unwrap();
    assert!(
        ex.contains("exit code 3") && ex.contains("lint: 3 problems"),
        "{ex}"
    );
    let setup = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["suite"] == "needs-setup")
        .unwrap();
    assert_eq!(setup["outcome"], "error");
    assert!(setup["excerpt"].as_str().unwrap().contains("preparing"));
    assert!(
        !summary["tests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "never")
    );
}

#[test]
fn a_config_error_names_file_line_and_key_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("rigor.toml"),
        "[run]\njobs = 2\ntimeout = \"forever\"\n",
    )
    .unwrap();
    let out = rigor(dir).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rigor.toml:3:") && err.contains("run.timeout") && err.contains("hint:"),
        "{err}"
    );
    assert!(
        !dir.join(".rigor").exists(),
        "nothing written on a config error"
    );
}

#[test]
fn unknown_keys_are_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("rigor.toml"), "[run]\njobz = 2\n[[suite]]\nname = \"c\"\nkind = \"command\"\ncommands = { a = \"true\" }\n").unwrap();
    let out = rigor(dir).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rigor.toml:2: unknown key `run.jobz`"));
}

#[test]
fn no_tests_exits_4() {
    let tmp = tempfile::tempdir().unwrap();
    let out = rigor(tmp.path()).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
}

#[test]
fn init_detects_pytest_and_cargo_and_writes_a_loadable_config() {
    let (_t, dir) = project("pyproj");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname='x'\nversion='0.1.0'\n",
    )
    .unwrap();
    rigor(&dir).arg("init").assert().success();
    let text = std::fs::read_to_string(dir.join("rigor.toml")).unwrap();
    assert!(
        text.contains("kind = \"pytest\"") && text.contains("kind = \"nextest\""),
        "{text}"
    );
    // Outside a git repository there is no .gitignore to offer.
    assert!(!dir.join(".gitignore").exists());
    // A second init refuses to overwrite.
    let out = rigor(&dir).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    // The written file loads without warnings.
    let out = rigor(&dir)
        .args(["list", "--suite", "python"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

#[test]
fn the_human_summary_is_stable() {
    let (_t, dir) = project("pyproj");
    let out = rigor(&dir).args(["run", "-j", "2"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    // Durations, run ids and paths vary: redact them; order of slowest ties varies: drop that list.
    let re_dur = regex_lite(&text);
    let summary: Vec<&str> = re_dur
        .lines()
        .filter(|l| {
            !l.starts_with("  ")
                || l.starts_with("  FAILED")
                || l.starts_with("  ERROR")
                || l.starts_with("      ")
        })
        .collect();
    let mut filtered = Vec::new();
    let mut in_slowest = false;
    for l in summary {
        if l.starts_with("Slowest") {
            in_slowest = true;
            continue;
        }
        if in_slowest && l.is_empty() {
            in_slowest = false;
        }
        if !in_slowest && !l.contains("importlib") && !l.contains("_bootstrap") {
            filtered.push(l);
        }
    }
    insta::assert_snapshot!(filtered.join("\n"));
}

/// Replace durations and temp paths with placeholders.
fn regex_lite(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = line.to_string();
        if let Some(pos) = l.find("/tmp/") {
            let end = l[pos..]
                .find("/pyproj/")
                .map(|e| pos + e + "/pyproj/".len())
                .unwrap_or(pos);
            l.replace_range(pos..end, "[TMP]/");
        }
        let words: Vec<String> = l
            .split(' ')
            .map(|w| {
                let core = w.trim_end_matches([',', ')']);
                let is_dur = (core.ends_with("ms") || core.ends_with('s'))
                    && core
                        .trim_end_matches("ms")
                        .trim_end_matches('s')
                        .parse::<f64>()
                        .is_ok();
                if is_dur {
                    w.replace(core, "[DUR]")
                } else if core.starts_with("#") && core[1..].parse::<u64>().is_ok() {
                    w.replace(core, "#[RUN]")
                } else {
                    w.to_string()
                }
            })
            .collect();
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

#[test]
fn the_json_summary_contract_is_stable() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("rigor.toml"),
        "[[suite]]\nname = \"checks\"\nkind = \"command\"\ncommands = { a_ok = \"true\", b_broken = \"echo nope >&2; exit 2\" }\n",
    )
    .unwrap();
    let (code, mut summary) = run_json(dir, &["-j", "1"]);
    assert_eq!(code, 1);
    // Process-per-test suites end with their last result (no grace period for workers that do
    // not exist): two trivial commands take far less than the 30 s teardown grace of pytest.
    assert!(summary["wall_s"].as_f64().unwrap() < 10.0, "{summary}");
    // Results arrive in completion order; sort for a stable snapshot.
    summary["tests"]
        .as_array_mut()
        .unwrap()
        .sort_by_key(|t| t["id"].as_str().unwrap().to_string());
    insta::assert_json_snapshot!(summary, {
        ".run_id" => "[run]",
        ".wall_s" => "[duration]",
        ".prepare_s" => "[duration]",
        ".commit" => "[commit]",
        ".branch" => "[branch]",
        ".tests[].duration_s" => "[duration]",
        ".tests[].start_s" => "[duration]",
        ".tiers" => "[tiers]",
    });
}
