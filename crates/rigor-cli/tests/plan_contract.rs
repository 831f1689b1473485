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
