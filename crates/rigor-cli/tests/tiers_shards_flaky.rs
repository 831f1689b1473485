//! Tiers, `rigor ci`, shards and merge, flaky scores and quarantine, CI provider outputs.

mod common;

use common::*;
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    std::fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
    std::fs::write(dir.join(rel), text).unwrap();
}

#[test]
fn ci_stops_after_the_first_tier_that_fails_and_says_so() {
    let (_t, dir) = project("pyproj");
    // Make the suite green except one failure that only the `advanced` tier (slow marker) holds.
    write(
        &dir,
        "tests/test_broken.py",
        "def test_fixed():\n    pass\n",
    );
    let basic = std::fs::read_to_string(dir.join("tests/test_basic.py")).unwrap();
    let basic = basic
        .replace(
            "assert add(2, 2) == 5, \"arithmetic is broken\"",
            "assert add(2, 2) == 4",
        )
        .replace("raise RuntimeError(\"fixture exploded\")", "return 1");
    write(&dir, "tests/test_basic.py", &basic);
    write(
        &dir,
        "tests/test_slow.py",
        "import time\nimport pytest\n\n\n@pytest.mark.slow\ndef test_slow():\n    time.sleep(0.2)\n    assert False, 'injected'\n",
    );
    let out = rigor(&dir)
        .args(["ci", "--no-gates", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = json_of(&out);
    let tiers: Vec<(&str, u64)> = s["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap(), t["failed"].as_u64().unwrap()))
        .collect();
    assert_eq!(tiers.last().unwrap(), &("advanced", 1), "{tiers:?}");
    assert!(tiers[..tiers.len() - 1].iter().all(|t| t.1 == 0));
    assert_eq!(s["stopped_at_tier"], "advanced");
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("stopped after tier `advanced`, which failed"),
        "{text}"
    );
    // A failure in the smoke tier stops the run right there.
    write(
        &dir,
        "tests/test_slow.py",
        "def test_quick_but_broken():\n    assert False\n",
    );
    let out = rigor(&dir)
        .args(["ci", "--no-gates", "--format", "json"])
        .output()
        .unwrap();
    let s = json_of(&out);
    assert_eq!(s["stopped_at_tier"], "smoke", "{s:#}");
    assert_eq!(s["tiers"].as_array().unwrap().len(), 1);
}

#[test]
fn run_up_to_a_tier_and_filter_with_selectors() {
    let (_t, dir) = project("pyproj");
    let listed = String::from_utf8_lossy(
        &rigor(&dir)
            .args(["list", "--tier", "advanced"])
            .output()
            .unwrap()
            .stdout,
    )
    .to_string();
    assert!(
        listed.starts_with("tier advanced: 1 tests")
            && listed.contains("tests/test_slow.py::test_slow"),
        "{listed}"
    );
    let (_, s) = run_json(&dir, &["--tier", "fast"]);
    assert!(
        s["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| !t["id"].as_str().unwrap().contains("test_slow")),
        "slow tests are not in smoke or fast"
    );
    let (_, s) = run_json(&dir, &["-E", "test(test_param) & not test(0-0-0)"]);
    let mut ids: Vec<&str> = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .filter(|id| *id != "tests/test_broken.py")
        .collect();
    ids.sort();
    assert_eq!(
        ids,
        [
            "tests/test_basic.py::test_param[1-1-2]",
            "tests/test_basic.py::test_param[2-3-5]"
        ],
        "collection errors are still reported; the filter keeps two tests"
    );
    let out = rigor(&dir)
        .args(["run", "-E", "marker(slow) & bogus()"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown selector `bogus`")
            && err.contains("column 16")
            && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn shards_cover_the_run_and_are_the_same_on_a_second_clone() {
    let (_t, dir) = project("pyproj");
    run_json(&dir, &[]);
    let plan = |d: &Path| {
        json_of(
            &rigor(d)
                .args(["plan", "--shards", "3", "--format", "json"])
                .output()
                .unwrap(),
        )
    };
    let a = plan(&dir);
    // A second clone with the same history plans the same shards.
    let (_t2, other) = project("pyproj");
    std::fs::create_dir_all(other.join(".rigor")).unwrap();
    std::fs::copy(
        dir.join(".rigor/history.db"),
        other.join(".rigor/history.db"),
    )
    .unwrap();
    let b = plan(&other);
    let assignment = |p: &serde_json::Value| {
        let mut v: Vec<(String, u64)> = p["tests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["id"].as_str().unwrap().to_string(),
                    t["shard"].as_u64().unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(assignment(&a), assignment(&b));
    // Running every shard, each on its own clone with the same history (as CI jobs do), runs
    // every test exactly once.
    let mut ran = Vec::new();
    for k in 1..=3 {
        let (_tk, clone) = project("pyproj");
        std::fs::create_dir_all(clone.join(".rigor")).unwrap();
        std::fs::copy(
            dir.join(".rigor/history.db"),
            clone.join(".rigor/history.db"),
        )
        .unwrap();
        let (_, s) = run_json(&clone, &["--shard", &format!("{k}/3")]);
        ran.extend(
            s["tests"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|t| t["id"] != "tests/test_broken.py")
                .map(|t| t["id"].as_str().unwrap().to_string()),
        );
    }
    ran.sort();
    let mut planned: Vec<String> = assignment(&a).into_iter().map(|(id, _)| id).collect();
    planned.sort();
    assert_eq!(ran, planned);
    // GitLab's variables select the shard too.
    let out = rigor(&dir)
        .env("CI_NODE_INDEX", "2")
        .env("CI_NODE_TOTAL", "3")
        .args(["run", "--format", "json"])
        .output()
        .unwrap();
    let s = json_of(&out);
    let n = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["id"] != "tests/test_broken.py")
        .count();
    assert_eq!(n, assignment(&a).iter().filter(|(_, k)| *k == 2).count());
}

#[test]
fn github_matrix_gitlab_pipeline_and_merge() {
    let (_t, dir) = project("pyproj");
    let out = rigor(&dir)
        .args(["plan", "--shards", "4", "--format", "github-matrix"])
        .output()
        .unwrap();
    let m = json_of(&out);
    let shards: Vec<&str> = m["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["shard"].as_str().unwrap())
        .collect();
    assert_eq!(shards, ["1/4", "2/4", "3/4", "4/4"]);
    let out = rigor(&dir)
        .args(["plan", "--shards", "2", "--format", "gitlab"])
        .output()
        .unwrap();
    let yaml = String::from_utf8_lossy(&out.stdout);
    assert!(
        yaml.contains("rigor-shard-2:") && yaml.contains("rigor run --shard 2/2"),
        "{yaml}"
    );

    // Two shards' results merged into a fresh clone's history give it every duration.
    let mut files = Vec::new();
    for k in 1..=2 {
        let out = rigor(&dir)
            .args(["run", "--shard", &format!("{k}/2"), "--format", "json"])
            .output()
            .unwrap();
        let f = dir.join(format!("shard-{k}.json"));
        std::fs::write(&f, &out.stdout).unwrap();
        files.push(f);
    }
    rigor(&dir)
        .args(["run", "--junit", "all.xml"])
        .output()
        .unwrap();
    let (_t2, fresh) = project("pyproj");
    let out = rigor(&fresh)
        .arg("merge")
        .args(&files)
        .arg(dir.join("all.xml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = json_of(
        &rigor(&fresh)
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(runs.as_array().unwrap().len(), 3);
    let listed = json_of(
        &rigor(&fresh)
            .args(["list", "--format", "json"])
            .output()
            .unwrap(),
    );
    for id in [
        "tests/test_basic.py::test_pass",
        "tests/test_basic.py::test_fail",
        "tests/test_basic.py::TestGroup::test_in_class",
    ] {
        let est = listed["suites"][0]["tests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == id)
            .unwrap()["estimated_s"]
            .clone();
        assert!(
            est.is_number(),
            "{id} has a duration after the merge: {listed:#}"
        );
    }
    let slow = listed["suites"][0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "tests/test_slow.py::test_slow")
        .unwrap();
    assert!(slow["estimated_s"].as_f64().unwrap() >= 1.0, "{slow}");
    // Malformed input: exit 3, nothing recorded.
    std::fs::write(
        fresh.join("bad.json"),
        "{\"schema\": \"rigor.run/1\", \"tests\": [",
    )
    .unwrap();
    let out = rigor(&fresh).args(["merge", "bad.json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json:1:"));
    let runs = json_of(
        &rigor(&fresh)
            .args(["history", "--format", "json"])
            .output()
            .unwrap(),
    );
    assert_eq!(runs.as_array().unwrap().len(), 3);
}

#[test]
fn a_flaky_test_is_scored_quarantined_and_the_build_passes_naming_it() {
    let (_t, dir) = project("pyflaky");
    let state = dir.join("state");
    for _ in 0..3 {
        let out = rigor(&dir)
            .env("FLAKY_STATE", &state)
            .args(["run", "--retries", "1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let scores = json_of(
        &rigor(&dir)
            .args(["flaky", "--format", "json"])
            .output()
            .unwrap(),
    );
    let t = &scores[0];
    assert_eq!(t["id"], "tests/test_flaky.py::test_every_other_attempt");
    assert!(t["score"].as_f64().unwrap() >= 0.9, "{scores:#}");
    assert_eq!(t["retried_passes"], 3);
    rigor(&dir)
        .args([
            "flaky",
            "quarantine",
            "tests/test_flaky.py::test_every_other_attempt",
            "--reason",
            "races the clock",
            "--days",
            "14",
        ])
        .assert()
        .success();
    // Without retries it fails now, but quarantined: the build passes and says so.
    let out = rigor(&dir)
        .env("FLAKY_STATE", &state)
        .args(["run", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = json_of(&out);
    assert_eq!(s["quarantined_failures"], 1);
    let t = s["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["quarantined"] == true)
        .unwrap();
    assert_eq!(t["outcome"], "failed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("Quarantined failures"));
    let junit = dir.join("j.xml");
    rigor(&dir)
        .env("FLAKY_STATE", &state)
        .args(["run", "--junit"])
        .arg(&junit)
        .output()
        .unwrap();
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("test_every_other_attempt")
    );
    let listed =
        String::from_utf8_lossy(&rigor(&dir).arg("flaky").output().unwrap().stdout).to_string();
    assert!(
        listed.contains("QUARANTINED") && listed.contains("races the clock"),
        "{listed}"
    );
    rigor(&dir)
        .args([
            "flaky",
            "release",
            "tests/test_flaky.py::test_every_other_attempt",
        ])
        .assert()
        .success();
    let out = rigor(&dir)
        .env("FLAKY_STATE", &state)
        .args(["run"])
        .output()
        .unwrap();
    let n: u64 = std::fs::read_to_string(&state)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(if n % 2 == 1 { 1 } else { 0 }),
        "after release, failures fail again"
    );
}

#[test]
fn auto_quarantine_above_the_threshold_when_enabled() {
    let (_t, dir) = project("pyflaky");
    write(
        &dir,
        "rigor.toml",
        "[flaky]\nauto_quarantine = true\nthreshold = 0.5\n",
    );
    let state = dir.join("state");
    let out = rigor(&dir)
        .env("FLAKY_STATE", &state)
        .args(["run", "--retries", "1"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "quarantined python::tests/test_flaky.py::test_every_other_attempt (auto: flakiness score"
    ));
    let listed =
        String::from_utf8_lossy(&rigor(&dir).arg("flaky").output().unwrap().stdout).to_string();
    assert!(listed.contains("QUARANTINED"), "{listed}");
}

#[test]
fn github_actions_gets_annotations_a_summary_and_outputs() {
    let (_t, dir) = project("pyproj");
    let summary = dir.join("summary.md");
    let outputs = dir.join("outputs.txt");
    let out = rigor(&dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &outputs)
        .arg("run")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let ann: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error"))
        .collect();
    assert_eq!(ann.len(), 3, "{stdout}");
    assert!(ann.iter().any(|l| l.starts_with("::error file=tests/test_basic.py,line=9,title=failed python%3A%3Atests/test_basic.py%3A%3Atest_fail::")), "{ann:?}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.contains("### rigor: ❌ failed") && md.contains("<details>"),
        "{md}"
    );
    let o = std::fs::read_to_string(&outputs).unwrap();
    assert!(
        o.contains("status=failed\n") && o.contains("failed=3\n"),
        "{o}"
    );
}

/// Issue 17, item 2: tests that fail on every run of a broken branch and pass on main — the
/// runs of the two interleaved — are a regression, not flaky: `rigor flaky` scores them 0.
#[test]
fn failing_on_a_broken_branch_and_passing_on_main_is_not_flaky() {
    use rigor_testkit::git;
    let (_t, dir) = project("pysel");
    write(
        &dir,
        ".gitignore",
        ".rigor/\n__pycache__/\n.pytest_cache/\n",
    );
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    git(&dir, &["checkout", "-q", "-b", "broken"]);
    write(&dir, "pkg/a.py", "def double(x):\n    return 3 * x\n");
    git(&dir, &["commit", "-q", "-am", "break double"]);
    let mut codes = Vec::new();
    for branch in ["main", "broken", "main", "broken", "main", "broken"] {
        git(&dir, &["checkout", "-q", branch]);
        let out = rigor(&dir).args(["run"]).output().unwrap();
        codes.push(out.status.code());
    }
    assert_eq!(codes, [0, 1, 0, 1, 0, 1].map(Some));
    let out = rigor(&dir)
        .args(["flaky", "--format", "json"])
        .output()
        .unwrap();
    let scores = json_of(&out);
    assert_eq!(scores, serde_json::json!([]), "{scores:#}");
}
