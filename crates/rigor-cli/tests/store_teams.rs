//! A history shared by many jobs: concurrent writers lose nothing, shards of one commit are
//! disjoint and complete whenever they start, and a plan file pins the split.

mod common;

use common::stores::add_many;
use common::*;
use std::collections::BTreeSet;
use std::path::Path;

/// The ids of a run's tests (collection errors left out).
fn ran(s: &serde_json::Value) -> Vec<String> {
    s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] != "tests/test_broken.py")
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every test `rigor list` discovers.
fn discovered(dir: &Path) -> BTreeSet<String> {
    let out = rigor(dir)
        .args(["list", "--format", "json"])
        .output()
        .unwrap();
    let v = json_of(&out);
    v["suites"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}"))
        .iter()
        .flat_map(|s| s["tests"].as_array().unwrap().iter())
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

/// Shards run one after another: each test exactly once, all of them.
fn assert_disjoint_and_complete(shards: &[Vec<String>], all: &BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    for (k, s) in shards.iter().enumerate() {
        for id in s {
            assert!(
                seen.insert(id.clone()),
                "{id} ran twice (again in shard {})",
                k + 1
            );
        }
    }
    assert_eq!(&seen, all, "the shards together ran every test");
}

#[test]
fn eight_concurrent_runs_into_one_sqlite_history_lose_nothing() {
    let (_t, dir) = project("pyproj");
    stores::eight_concurrent_runs_lose_nothing(&dir, None, &["locked", "busy"]);
}

#[test]
fn shards_of_one_commit_run_one_after_another_are_disjoint_and_complete() {
    let (_t, dir) = project("pyproj");
    std::fs::remove_file(dir.join("tests/test_slow.py")).unwrap();
    // History from an earlier commit: durations rising with the index.
    let rising: Vec<u64> = (0..24).map(|i| i * 4).collect();
    add_many(&dir, &rising);
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "first");
    run_json(&dir, &[]);
    // The new commit reverses them: what a shard of it records would move the next shard's
    // split if shards planned from it.
    let falling: Vec<u64> = rising.iter().rev().copied().collect();
    add_many(&dir, &falling);
    rigor_testkit::commit_all(&dir, "second");
    let all = discovered(&dir);
    let shards: Vec<Vec<String>> = (1..=4)
        .map(|k| {
            let (_, s) = run_json(&dir, &["--shard", &format!("{k}/4")]);
            ran(&s)
        })
        .collect();
    assert_disjoint_and_complete(&shards, &all);
}

#[test]
fn a_plan_file_pins_the_split_for_every_shard() {
    let (_t, dir) = project("pyproj");
    std::fs::remove_file(dir.join("tests/test_slow.py")).unwrap();
    add_many(&dir, &(0..20).map(|i| (i % 5) * 5).collect::<Vec<_>>());
    run_json(&dir, &[]);
    let out = rigor(&dir)
        .args(["plan", "--all", "--shards", "3", "--format", "json"])
        .output()
        .unwrap();
    let plan = json_of(&out);
    std::fs::write(dir.join("plan.json"), &out.stdout).unwrap();
    // Durations change after planning; the pinned split does not.
    add_many(&dir, &(0..20).map(|i| 40 - 2 * i).collect::<Vec<_>>());
    let all = discovered(&dir);
    let mut shards = Vec::new();
    for k in 1..=3 {
        let (_, s) = run_json(&dir, &["--plan", "plan.json", "--shard", &format!("{k}/3")]);
        let mine: BTreeSet<String> = plan["tests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["shard"] == k)
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        let got = ran(&s);
        assert_eq!(
            got.iter().cloned().collect::<BTreeSet<_>>(),
            mine,
            "shard {k}"
        );
        shards.push(got);
    }
    assert_disjoint_and_complete(&shards, &all);
}

#[test]
fn a_bad_plan_file_is_refused_before_anything_runs() {
    let (_t, dir) = project("pyproj");
    let run = |args: &[&str]| rigor(&dir).arg("run").args(args).output().unwrap();
    std::fs::write(dir.join("plan.json"), "{ not json").unwrap();
    let out = run(&["--plan", "plan.json", "--shard", "1/2"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("plan.json: not a rigor plan (line 1") && err.contains("hint:"),
        "{err}"
    );
    let out = run(&["--plan", "plan.json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("add --shard K/N"), "{err}");
    let plan = rigor(&dir)
        .args(["plan", "--all", "--shards", "2", "--format", "json"])
        .output()
        .unwrap();
    std::fs::write(dir.join("plan.json"), &plan.stdout).unwrap();
    let out = run(&["--plan", "plan.json", "--shard", "1/3"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("the plan has 2 shards, not 3"), "{err}");
    assert!(!dir.join(".rigor/history.db").exists() || history_is_empty(&dir));
}

fn history_is_empty(dir: &Path) -> bool {
    let v = json_of(
        &rigor(dir)
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    v.as_array().unwrap().is_empty()
}

#[test]
fn store_backup_restore_check_and_prune_through_the_cli() {
    let (_t, dir) = project("pyproj");
    std::fs::remove_file(dir.join("tests/test_slow.py")).unwrap();
    for _ in 0..3 {
        run_json(&dir, &[]);
    }
    let store = |args: &[&str]| rigor(&dir).arg("store").args(args).output().unwrap();
    let check = json_of(&store(&["check", "--format", "json"]));
    assert_eq!(
        (check["engine"].as_str(), check["ok"].as_bool()),
        (Some("sqlite"), Some(true))
    );
    assert_eq!(check["runs"], 3);
    let results = check["results"].as_u64().unwrap();
    assert!(
        check["areas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["area"] == "core")
    );
    // A backup taken now; a later run; the restore brings back the three runs.
    let out = store(&["backup", "backup.db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = store(&["backup", "backup.db"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an existing backup is not overwritten"
    );
    run_json(&dir, &[]);
    assert_eq!(json_of(&store(&["check", "--format", "json"]))["runs"], 4);
    let out = store(&["restore", "backup.db"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let check = json_of(&store(&["check", "--format", "json"]));
    assert_eq!(
        (check["runs"].as_u64(), check["results"].as_u64()),
        (Some(3), Some(results))
    );
    // Restoring something that is not a history changes nothing.
    std::fs::write(dir.join("junk.db"), "not sqlite").unwrap();
    let out = store(&["restore", "junk.db"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json_of(&store(&["check", "--format", "json"]))["runs"], 3);
    // Retention: without a limit it refuses; a dry run removes nothing; then the oldest go.
    let out = store(&["prune"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--keep-runs"));
    let dry = json_of(&store(&[
        "prune",
        "--keep-runs",
        "1",
        "--dry-run",
        "--format",
        "json",
    ]));
    assert_eq!(
        (dry["runs_removed"].as_u64(), dry["dry_run"].as_bool()),
        (Some(2), Some(true))
    );
    assert_eq!(json_of(&store(&["check", "--format", "json"]))["runs"], 3);
    let done = json_of(&store(&["prune", "--keep-runs", "1", "--format", "json"]));
    assert_eq!(done["runs_removed"], 2);
    assert_eq!(done["results_removed"], dry["results_removed"]);
    let history = json_of(
        &rigor(&dir)
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(history.as_array().unwrap().len(), 1);
}
