//! `rigor plan --format json` prints rigor-select's `Plan` (schema `rigor.plan/1`, docs/json.md)
//! with the tests in rigor-select's run order.

mod common;

use common::*;
use rigor_testkit::git;

fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn the_plan_json_is_the_library_plan_in_run_order() {
    let (_t, dir) = project("pysel");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n").unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    assert_eq!(run_json(&dir, &[]).0, 0);
    // Both modules change: every test is selected, the own-module tests with more risk.
    std::fs::write(dir.join("pkg/a.py"), "def double(x):\n    return x + x\n").unwrap();
    std::fs::write(
        dir.join("tests/test_b.py"),
        "from pkg.b import shout\n\n\ndef test_shout():\n    assert shout(\"a\") == \"A!\"\n",
    )
    .unwrap();

    let out = rigor(&dir)
        .args(["plan", "--format", "json", "--shards", "2"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        keys(&v),
        [
            "base",
            "base_source",
            "changed_files",
            "collection_errors",
            "discovered",
            "estimated_s",
            "full_run",
            "head",
            "jobs",
            "notes",
            "schema",
            "shards",
            "skipped",
            "tests",
            "tiers",
            "total"
        ]
    );
    assert_eq!(
        keys(&v["tests"][0]),
        [
            "estimated_s",
            "file",
            "id",
            "markers",
            "reasons",
            "risk",
            "shard",
            "suite",
            "tier"
        ]
    );
    assert_eq!(keys(&v["shards"][0]), ["estimated_s", "index", "tests"]);
    let plan: rigor_select::Plan = serde_json::from_value(v).unwrap();
    assert_eq!(plan.schema, rigor_select::Plan::SCHEMA);
    assert_eq!(plan.total, 3);
    assert_eq!(plan.discovered, 3);
    assert_eq!(plan.changed_files, ["pkg/a.py", "tests/test_b.py"]);
    // Within each tier, the run order is rigor-select's.
    let tiers: Vec<Option<String>> = plan.tests.iter().map(|t| t.tier.clone()).collect();
    for tier in tiers.iter().collect::<std::collections::BTreeSet<_>>() {
        let members: Vec<&rigor_select::PlannedTest> =
            plan.tests.iter().filter(|t| &t.tier == tier).collect();
        let keys: Vec<rigor_model::TestKey> = members
            .iter()
            .map(|t| rigor_model::TestKey::new(&t.suite, &t.id))
            .collect();
        let items: Vec<rigor_select::OrderItem> = members
            .iter()
            .zip(&keys)
            .map(|(t, key)| rigor_select::OrderItem {
                suite_rank: 0,
                key,
                risk: t.risk,
                estimated_s: t.estimated_s,
            })
            .collect();
        let order = rigor_select::order_by_risk(&items);
        assert_eq!(order, (0..items.len()).collect::<Vec<_>>(), "{members:?}");
    }
    let shards: usize = plan.shards.iter().map(|s| s.tests).sum();
    assert_eq!(shards, 3);

    // The text view renders the same plan.
    let out = rigor(&dir).args(["plan", "--explain"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("change: 2 files against") && text.contains("3 of 3 tests selected"),
        "{text}"
    );
    for t in &plan.tests {
        assert!(text.contains(&format!("{}::{}", t.suite, t.id)), "{text}");
        assert!(text.contains(&format!("↳ {}", t.reasons[0])), "{text}");
    }
}

/// The pysel fixture with a class-decorating helper and a lazily importing module, committed.
fn decorated_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = project("pysel");
    std::fs::write(dir.join(".gitignore"), ".rigor/\n__pycache__/\n").unwrap();
    std::fs::write(
        dir.join("pkg/deco.py"),
        "def register(cls):\n    cls.registered = True\n    return cls\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("pkg/lazy.py"),
        "def plain(x):\n    return x + 1\n\n\ndef loud(s):\n    from pkg import b\n    return b.shout(s)\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/test_k.py"),
        "from pkg.deco import register\n\n\n@register\nclass TestK:\n    def test_k(self):\n        assert self.registered\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("tests/test_lazy.py"),
        "from pkg.lazy import plain, loud\n\n\ndef test_plain():\n    assert plain(1) == 2\n\n\ndef test_loud():\n    assert loud(\"a\") == \"A!\"\n",
    )
    .unwrap();
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "init"]);
    (t, dir)
}

#[test]
fn a_class_decorator_that_raises_is_a_collection_error_in_the_plan() {
    let (_t, dir) = decorated_project();
    std::fs::write(
        dir.join("pkg/deco.py"),
        "def register(cls):\n    raise RuntimeError(\"register is broken\")\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "break the decorator"]);
    let out = rigor(&dir)
        .args(["plan", "--base", "HEAD~1", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let errors = v["collection_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["suite"], "python");
    assert_eq!(errors[0]["file"], "tests/test_k.py");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("register is broken"), "{message}");
    let out = rigor(&dir)
        .args(["plan", "--base", "HEAD~1", "--explain"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines().any(
            |l| l.starts_with("collection error: python::tests/test_k.py")
                && l.contains("register is broken")
        ),
        "{text}"
    );
}

#[test]
fn explain_shows_the_function_level_chain_and_a_lazy_import_selects_only_its_function() {
    let (_t, dir) = decorated_project();
    std::fs::write(
        dir.join("pkg/b.py"),
        "def shout(s):\n    return s.upper() + \"!!\"[:1]\n",
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "change shout"]);
    let out = rigor(&dir)
        .args(["plan", "--base", "HEAD~1", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut ids: Vec<&str> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    // `plain` is in a module that imports pkg.b only inside `loud`: its test is not selected.
    assert_eq!(
        ids,
        [
            "tests/test_b.py::test_shout",
            "tests/test_lazy.py::test_loud"
        ],
        "{v}"
    );
    let loud = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "tests/test_lazy.py::test_loud")
        .unwrap();
    let reason = loud["reasons"][0].as_str().unwrap();
    assert!(
        reason.ends_with(
            "symbols: `test_loud` → `loud` (pkg/lazy.py) → `shout` (pkg/b.py) (changed)"
        ),
        "{reason}"
    );
    let skipped = v["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s["id"] == "tests/test_lazy.py::test_plain"
                && s["why"]
                    .as_str()
                    .unwrap()
                    .contains("reaches none of the changed definitions")),
        "{v}"
    );
}
