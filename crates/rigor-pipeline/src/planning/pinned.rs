//! A pinned plan: `rigor plan --shards N --format json > plan.json`, then on each job
//! `rigor run --plan plan.json --shard K/N` runs exactly shard K's tests of that file, whatever
//! the history recorded since.

use super::Pinned;
use crate::error::{PipelineError, Result};
use rigor_model::TestKey;
use rigor_plan::ShardSpec;
use rigor_select::Plan;
use std::path::Path;

/// Shard `spec` of the plan file at `path`.
pub fn load_pinned(path: &Path, spec: ShardSpec) -> Result<Pinned> {
    let text = std::fs::read_to_string(path).map_err(|source| PipelineError::Io {
        action: "read the plan",
        path: path.display().to_string(),
        source,
        hint: "write it with `rigor plan --shards N --format json > plan.json`",
    })?;
    pinned_of(&text, path, spec)
}

fn bad(path: &Path, message: String) -> PipelineError {
    PipelineError::PlanFile {
        path: path.display().to_string(),
        message,
    }
}

fn pinned_of(text: &str, path: &Path, spec: ShardSpec) -> Result<Pinned> {
    let plan: Plan = serde_json::from_str(text).map_err(|e| {
        bad(
            path,
            format!(
                "not a rigor plan (line {}, column {}): {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    if plan.schema != Plan::SCHEMA {
        return Err(bad(
            path,
            format!("schema `{}`, expected `{}`", plan.schema, Plan::SCHEMA),
        ));
    }
    if plan.shards.is_empty() {
        return Err(PipelineError::Usage {
            what: format!("--plan {}", path.display()),
            message: "the plan has no shards".into(),
            hint: "write it with `rigor plan --shards N --format json`".into(),
        });
    }
    if plan.shards.len() != spec.total {
        return Err(PipelineError::Usage {
            what: format!("--plan {} --shard {spec}", path.display()),
            message: format!(
                "the plan has {} shards, not {}",
                plan.shards.len(),
                spec.total
            ),
            hint: format!("use --shard K/{}", plan.shards.len()),
        });
    }
    if let Some(t) = plan
        .tests
        .iter()
        .find(|t| t.shard.is_none_or(|s| s == 0 || s > spec.total))
    {
        return Err(bad(
            path,
            format!(
                "test {}::{} has no shard in 1..={}",
                t.suite, t.id, spec.total
            ),
        ));
    }
    let mut loads = vec![0.0; spec.total];
    for s in &plan.shards {
        if let Some(l) = s.index.checked_sub(1).and_then(|i| loads.get_mut(i)) {
            *l = s.estimated_s;
        }
    }
    Ok(Pinned {
        index: spec.index,
        tests: plan
            .tests
            .iter()
            .filter(|t| t.shard == Some(spec.index))
            .map(|t| TestKey::new(t.suite.clone(), t.id.clone()))
            .collect(),
        loads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_json(shards: &[(usize, usize)], tests: &[(&str, Option<usize>)]) -> String {
        let shards: Vec<_> = shards
            .iter()
            .map(|(i, n)| serde_json::json!({"index": i, "tests": n, "estimated_s": 1.0}))
            .collect();
        let tests: Vec<_> = tests
            .iter()
            .map(|(id, s)| {
                serde_json::json!({"id": id, "suite": "py", "reasons": [], "risk": 0.0,
                "estimated_s": 0.5, "tier": null, "shard": s, "file": null, "markers": []})
            })
            .collect();
        serde_json::json!({"schema": "rigor.plan/1", "base": null, "head": null, "base_source": null,
            "changed_files": [], "full_run": "--all", "total": tests.len(), "discovered": tests.len(),
            "estimated_s": 1.0, "jobs": 1, "tiers": [], "shards": shards, "tests": tests,
            "skipped": [], "notes": []})
        .to_string()
    }

    fn spec(index: usize, total: usize) -> ShardSpec {
        ShardSpec { index, total }
    }

    #[test]
    fn a_shard_of_the_plan_is_exactly_its_tests() {
        let text = plan_json(
            &[(1, 2), (2, 1)],
            &[("a", Some(1)), ("b", Some(2)), ("c", Some(1))],
        );
        let p = pinned_of(&text, Path::new("plan.json"), spec(1, 2)).unwrap();
        let mut ids: Vec<_> = p.tests.iter().map(|k| k.id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["a", "c"]);
        assert_eq!(p.loads, [1.0, 1.0]);
        let p2 = pinned_of(&text, Path::new("plan.json"), spec(2, 2)).unwrap();
        assert_eq!(p2.tests.len(), 1);
    }

    #[test]
    fn a_plan_that_does_not_fit_the_shard_is_refused() {
        let text = plan_json(&[(1, 1), (2, 1)], &[("a", Some(1)), ("b", Some(2))]);
        let err = pinned_of(&text, Path::new("plan.json"), spec(1, 3)).unwrap_err();
        assert!(err.to_string().contains("has 2 shards, not 3"), "{err}");
        let unsharded = plan_json(&[], &[("a", None)]);
        let err = pinned_of(&unsharded, Path::new("p.json"), spec(1, 1)).unwrap_err();
        assert!(err.to_string().contains("no shards"), "{err}");
        let err = pinned_of("{", Path::new("p.json"), spec(1, 1)).unwrap_err();
        assert!(
            err.to_string().contains("p.json: not a rigor plan (line 1"),
            "{err}"
        );
        assert_eq!(rigor_model::exit::HasExitCode::exit_code(&err), 3);
        let holes = plan_json(&[(1, 1)], &[("a", None)]);
        let err = pinned_of(&holes, Path::new("p.json"), spec(1, 1)).unwrap_err();
        assert!(err.to_string().contains("py::a has no shard"), "{err}");
    }
}
