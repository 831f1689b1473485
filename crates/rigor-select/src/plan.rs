//! The plan of a change: the document `rigor plan --format json` prints (schema `rigor.plan/1`,
//! documented in docs/json.md). The binary fills it and serialises it as it is; fields are only
//! ever added within the schema version.

use serde::{Deserialize, Serialize};

/// What tests would run for a change, why, in which order, tier and shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Always [`Plan::SCHEMA`].
    pub schema: String,
    /// Full SHA of the base; `None` with `--all` or outside git.
    pub base: Option<String>,
    pub head: Option<String>,
    /// How the base was chosen (`merge-base with origin/HEAD`, `--base`, …).
    pub base_source: Option<String>,
    /// Changed paths, relative to the project root.
    pub changed_files: Vec<String>,
    /// Why everything runs (`pyproject.toml changed`, `--all`, …), or `None`.
    pub full_run: Option<String>,
    /// Tests planned.
    pub total: usize,
    /// Tests discovered.
    pub discovered: usize,
    /// Estimated serial seconds of the planned tests.
    pub estimated_s: f64,
    /// Workers the tier budgets assume.
    pub jobs: usize,
    pub tiers: Vec<PlanTier>,
    /// With `--shards N`.
    pub shards: Vec<PlanShard>,
    /// In run order.
    pub tests: Vec<PlannedTest>,
    pub skipped: Vec<SkippedTest>,
    pub notes: Vec<String>,
    /// Test files the runner could not collect (an import error, …): their tests cannot be
    /// planned, so the files themselves are reported — `rigor run` and `rigor ci` record each
    /// as an error.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
}

/// A test file that could not be collected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollectionError {
    pub suite: String,
    /// The file (or the runner's id for it).
    pub file: String,
    /// The error's first line.
    pub message: String,
}

impl Plan {
    pub const SCHEMA: &'static str = "rigor.plan/1";
}

/// A tier of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanTier {
    pub name: String,
    pub tests: usize,
    pub estimated_s: f64,
}

/// A shard of the plan (1-based `index`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanShard {
    pub index: usize,
    pub tests: usize,
    pub estimated_s: f64,
}

/// A planned test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedTest {
    /// The runner's own id (pytest node id; nextest `binary-id test-name`; a command's name).
    pub id: String,
    pub suite: String,
    pub reasons: Vec<String>,
    /// Risk in [0, 1], to six decimals (see [`crate::round_risk`]).
    pub risk: f64,
    pub estimated_s: f64,
    pub tier: Option<String>,
    /// 1-based shard, with `--shards N`.
    pub shard: Option<usize>,
    pub file: Option<String>,
    pub markers: Vec<String>,
}

/// A test left out of a plan, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkippedTest {
    pub id: String,
    pub suite: String,
    pub why: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_json_is_the_documented_schema() {
        let plan = Plan {
            schema: Plan::SCHEMA.into(),
            base: Some("9f2c".into()),
            head: Some("41aa".into()),
            base_source: Some("--base".into()),
            changed_files: vec!["pkg/a.py".into()],
            full_run: None,
            total: 1,
            discovered: 3,
            estimated_s: 0.5,
            jobs: 2,
            tiers: vec![PlanTier {
                name: "smoke".into(),
                tests: 1,
                estimated_s: 0.5,
            }],
            shards: vec![PlanShard {
                index: 1,
                tests: 1,
                estimated_s: 0.5,
            }],
            tests: vec![PlannedTest {
                id: "tests/test_a.py::test_a".into(),
                suite: "python".into(),
                reasons: vec!["its own file tests/test_a.py changed".into()],
                risk: 0.5,
                estimated_s: 0.5,
                tier: Some("smoke".into()),
                shard: Some(1),
                file: Some("tests/test_a.py".into()),
                markers: vec![],
            }],
            skipped: vec![SkippedTest {
                id: "tests/test_b.py::test_b".into(),
                suite: "python".into(),
                why: "nothing changed".into(),
            }],
            notes: vec![],
            collection_errors: vec![CollectionError {
                suite: "python".into(),
                file: "tests/test_c.py".into(),
                message: "ImportError: cannot import name 'gone'".into(),
            }],
        };
        let v = serde_json::to_value(&plan).unwrap();
        assert_eq!(
            v,
            json!({
                "schema": "rigor.plan/1", "base": "9f2c", "head": "41aa", "base_source": "--base",
                "changed_files": ["pkg/a.py"], "full_run": null, "total": 1, "discovered": 3,
                "estimated_s": 0.5, "jobs": 2,
                "tiers": [{"name": "smoke", "tests": 1, "estimated_s": 0.5}],
                "shards": [{"index": 1, "tests": 1, "estimated_s": 0.5}],
                "tests": [{"id": "tests/test_a.py::test_a", "suite": "python",
                           "reasons": ["its own file tests/test_a.py changed"], "risk": 0.5,
                           "estimated_s": 0.5, "tier": "smoke", "shard": 1,
                           "file": "tests/test_a.py", "markers": []}],
                "skipped": [{"id": "tests/test_b.py::test_b", "suite": "python", "why": "nothing changed"}],
                "notes": [],
                "collection_errors": [{"suite": "python", "file": "tests/test_c.py",
                                       "message": "ImportError: cannot import name 'gone'"}]
            })
        );
        let back: Plan = serde_json::from_value(v).unwrap();
        assert_eq!(back, plan);
    }
}
