//! Scenario runners shared by the history tests on either engine (store_teams.rs on SQLite,
//! store_postgres.rs on PostgreSQL): one copy of each.

use super::{json_of, python, rigor};
use std::path::Path;
use std::process::{Command, Stdio};

/// `n` generated tests whose durations (ms) come from `durations.txt`, beside the fixture's.
pub fn add_many(dir: &Path, durations_ms: &[u64]) {
    let text: Vec<String> = durations_ms.iter().map(|d| d.to_string()).collect();
    std::fs::write(dir.join("tests/durations.txt"), text.join("\n")).unwrap();
    std::fs::write(
        dir.join("tests/test_many.py"),
        format!(
            "import os, time\nimport pytest\n\nD = [int(x) for x in open(os.path.join(os.path.dirname(__file__), 'durations.txt')).read().split()]\n\n\n@pytest.mark.parametrize('i', range({}))\ndef test_many(i):\n    time.sleep(D[i] / 1000)\n",
            durations_ms.len()
        ),
    )
    .unwrap();
}

/// Eight `rigor run` processes of the pyproj fixture (150 extra tests), started at once against
/// the history at `url` (`None`: the project's default SQLite file). Every run's results, as
/// its own JSON summary lists them, are all in the history, with 8 distinct run ids, and no
/// process printed any of `lock_words` (the engine's lock or conflict errors).
pub fn eight_concurrent_runs_lose_nothing(dir: &Path, url: Option<&str>, lock_words: &[&str]) {
    add_many(dir, &[0; 150]);
    let with_url = |c: &mut Command| {
        if let Some(url) = url {
            c.env("RIGOR_STORE_URL", url);
        }
    };
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_rigor"));
            with_url(&mut c);
            c.current_dir(dir)
                .env("RIGOR_PYTHON_INTERPRETER", python())
                .args(["run", "-j", "1", "--format", "json"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut per_run = Vec::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(1),
            "the fixture has failing tests: {err}"
        );
        assert!(!lock_words.iter().any(|w| err.contains(w)), "{err}");
        let s = json_of(&out);
        per_run.push((
            s["run_id"].as_i64().unwrap(),
            s["tests"].as_array().unwrap().len(),
        ));
    }
    let mut history = rigor(dir);
    if let Some(url) = url {
        history.env("RIGOR_STORE_URL", url);
    }
    let history = json_of(
        &history
            .args(["history", "-n", "50", "--format", "json"])
            .output()
            .unwrap(),
    );
    let runs = history.as_array().unwrap();
    assert_eq!(runs.len(), 8, "one run per process");
    let mut ids: Vec<i64> = per_run.iter().map(|r| r.0).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 8, "every run has its own id: {per_run:?}");
    for (id, n) in per_run {
        let run = runs.iter().find(|r| r["id"] == id).unwrap();
        let recorded: u64 = run["counts"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(recorded, n as u64, "run {id}: every result recorded");
        assert!(n >= 150, "run {id} ran {n} tests");
        assert_eq!(run["status"], "failed");
    }
}

/// The `pysel` fixture as a git checkout with the coverage map on (`[select] coverage_map =
/// "auto"`), its `.gitignore` listing `ignored`, committed on `main`.
pub fn pysel_checkout(ignored: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = super::project("pysel");
    std::fs::write(dir.join(".gitignore"), ignored).unwrap();
    std::fs::write(
        dir.join("rigor.toml"),
        "[select]\ncoverage_map = \"auto\"\n",
    )
    .unwrap();
    rigor_testkit::git(&dir, &["init", "-q", "-b", "main"]);
    rigor_testkit::commit_all(&dir, "first");
    (t, dir)
}
