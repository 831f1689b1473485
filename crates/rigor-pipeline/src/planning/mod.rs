//! Planning for `rigor run`, `rigor plan` and `rigor ci`: discovery, history facts, the change's
//! selection, `-E` filters, shards (LPT) and tiers, turned into ordered batches for the runner.

mod facts;
mod order;
mod pinned;
mod selection;

pub use facts::{HistoryFacts, UNKNOWN_TEST_S};
pub use pinned::load_pinned;
pub use selection::{SelectionInfo, selection_header, short};

use crate::change::Detected;
use crate::error::{PipelineError, Result};
use rigor_model::{Config, TestCase};
use rigor_plan::tier::{Tier, TierConfig, TierError, tier_index};
use rigor_plan::{Selector, ShardSpec};
use rigor_runner::{Batch, Discovered};
use rigor_store::Store;

/// The configured tiers, in order.
pub fn load_tiers(config: &Config) -> Result<Vec<Tier>> {
    let (table, warnings): (toml::Table, _) = config.section("tiers")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let mut tiers = Vec::new();
    for (name, value) in table {
        let tc: TierConfig = value.try_into().map_err(|e: toml::de::Error| {
            config.error_at(
                &format!("tiers.{name}"),
                e.message().to_string(),
                "a tier is { select = \"…\", budget = \"30s\", per_file = 1 }",
            )
        })?;
        tiers.push(Tier::from_config(&name, &tc).map_err(|e| {
            // Located at the key at fault; the selector's error carries its own hint.
            let (key, hint) = match &e {
                TierError::Budget { .. } => {
                    ("budget", "e.g. budget = \"30s\"; see docs/ci.md#tiers")
                }
                _ => ("select", "see docs/ci.md#tiers"),
            };
            config.error_at(&format!("tiers.{name}.{key}"), e.to_string(), hint)
        })?);
    }
    Ok(tiers)
}

/// What to plan.
#[derive(Debug, Default, Clone)]
pub struct PlanRequest {
    pub suites: Vec<String>,
    pub extra: Vec<String>,
    pub expr: Option<String>,
    /// Run tiers up to and including this one (`Some("")` is not allowed).
    pub up_to_tier: Option<String>,
    /// Plan every tier (rigor ci).
    pub all_tiers: bool,
    pub shard: Option<ShardSpec>,
    pub jobs: usize,
    pub keep_output: bool,
    /// Precision mode: record per-test coverage into this directory (pytest suites).
    pub coverage_map: Option<rigor_model::MapRecording>,
    /// Change-aware selection: only the tests the change can break (the change detected once
    /// by the caller).
    pub change: Option<Detected>,
    /// Plan from the history without the runs at the current commit (sharded plans: every
    /// shard of a commit computes the same split, whenever it starts). Implied by `shard`.
    pub stable_facts: bool,
    /// A plan pinned by `rigor run --plan FILE --shard K/N`: exactly that shard's tests.
    pub pinned: Option<Pinned>,
}

/// One shard of a plan file (`rigor plan --shards N --format json`).
#[derive(Debug, Clone)]
pub struct Pinned {
    /// 1-based shard.
    pub index: usize,
    /// The shard's tests.
    pub tests: std::collections::HashSet<rigor_model::TestKey>,
    /// Every shard's estimated load, as planned.
    pub loads: Vec<f64>,
}

/// One planned test.
#[derive(Debug, Clone)]
pub struct PlannedTest {
    pub suite: usize,
    pub test: TestCase,
    pub estimated_s: f64,
    pub tier: Option<String>,
    /// 1-based shard, when sharding.
    pub shard: Option<usize>,
}

pub struct Planned {
    pub discovered: Vec<Discovered>,
    /// In run order.
    pub tests: Vec<PlannedTest>,
    pub batches: Vec<Batch>,
    pub tiers: Vec<(String, usize, f64)>,
    /// Per-shard loads (all shards), when sharding.
    pub shard_loads: Vec<f64>,
    pub selection: Option<SelectionInfo>,
}

/// The tiers a request plans: up to `up_to_tier`, all of them, or none.
fn requested_tiers(config: &Config, req: &PlanRequest) -> Result<Vec<Tier>> {
    if req.up_to_tier.is_none() && !req.all_tiers {
        return Ok(Vec::new());
    }
    let all = load_tiers(config)?;
    Ok(match &req.up_to_tier {
        Some(name) => {
            let i = tier_index(&all, name)?;
            all.into_iter().take(i + 1).collect()
        }
        None => all,
    })
}

/// The tests a plan chooses from, flattened as (suite index, test): those the `-E` filter and
/// the change-aware selection keep.
fn candidates(
    discovered: &[Discovered],
    expr: Option<&Selector>,
    selection: Option<&SelectionInfo>,
    facts: &HistoryFacts,
) -> Vec<(usize, TestCase)> {
    let mut all = Vec::new();
    for (si, d) in discovered.iter().enumerate() {
        for t in &d.tests {
            if expr.is_some_and(|e| !e.matches(t, facts)) {
                continue;
            }
            if let Some(sel) = selection
                && sel.full_run.is_none()
                && !sel.reasons.contains_key(&t.key)
            {
                continue;
            }
            all.push((si, t.clone()));
        }
    }
    all
}

/// Batches for the runner: within a tier, one batch per suite (suites run one after another),
/// in order of first appearance.
fn batches(tests: &[PlannedTest]) -> Vec<Batch> {
    let mut merged: Vec<Batch> = Vec::new();
    for t in tests {
        let item = (t.test.clone(), t.estimated_s);
        match merged
            .iter_mut()
            .find(|m| m.tier == t.tier && m.suite == t.suite)
        {
            Some(m) => m.tests.push(item),
            None => merged.push(Batch {
                tier: t.tier.clone(),
                suite: t.suite,
                tests: vec![item],
            }),
        }
    }
    merged
}

/// A suite whose discovery found files it could not collect runs at least an empty batch, first,
/// so that those errors are recorded even when no test of it was planned (a change that breaks
/// a test module at import must never pass as "nothing to run").
fn with_collection_errors(mut batches: Vec<Batch>, discovered: &[Discovered]) -> Vec<Batch> {
    let tier = batches.first().and_then(|b| b.tier.clone());
    for (i, d) in discovered.iter().enumerate().rev() {
        if !d.errors.is_empty() && !batches.iter().any(|b| b.suite == i) {
            batches.insert(
                0,
                Batch {
                    tier: tier.clone(),
                    suite: i,
                    tests: Vec::new(),
                },
            );
        }
    }
    batches
}

/// A pinned plan's shard: only its tests (those still discovered) run; a note names the
/// planned tests that are gone.
fn pinned_shard(all: &mut Vec<(usize, TestCase)>, p: &Pinned) -> (Vec<Option<usize>>, Vec<f64>) {
    all.retain(|(_, t)| p.tests.contains(&t.key));
    if all.len() < p.tests.len() {
        eprintln!(
            "note: {} tests of shard {} of the plan are not among the discovered tests (removed or renamed since planning, or filtered out)",
            p.tests.len() - all.len(),
            p.index
        );
    }
    (vec![Some(p.index); all.len()], p.loads.clone())
}

/// Discover, select by the change, filter, shard, tier and order: everything `rigor run`,
/// `rigor plan` and `rigor ci` run, in run order and as batches for the runner.
pub fn plan(config: &Config, store: &mut Store, req: &PlanRequest) -> Result<Planned> {
    let t0 = std::time::Instant::now();
    let expr = parse_expr(req)?;
    let tiers = requested_tiers(config, req)?;
    let cached = matches!(req.change, Some(Detected::Change(_)));
    let discovered = discover(config, req, cached)?;
    plan_discovered(config, store, req, (expr, tiers, discovered), t0)
}

/// [`plan`] for a change still to detect: `detect` runs (git) while the tests are discovered
/// (pytest, or the discovery cache), since neither needs the other; what it finds is the
/// request's change.
pub fn plan_detecting(
    config: &Config,
    store: &mut Store,
    req: &PlanRequest,
    detect: impl FnOnce() -> Result<Detected> + Send,
) -> Result<Planned> {
    // Only when discovery is likely served by its cache: a full collection takes seconds, and a
    // change that cannot be detected (an unknown `--base`) should fail before one starts.
    if !rigor_runner::run::discovery_cache_exists(&config.root) {
        let req = PlanRequest {
            change: Some(detect()?),
            ..req.clone()
        };
        return plan(config, store, &req);
    }
    let t0 = std::time::Instant::now();
    let expr = parse_expr(req)?;
    let tiers = requested_tiers(config, req)?;
    let (change, discovered) = std::thread::scope(|s| {
        let change = s.spawn(detect);
        // The discovery cache validates itself; whether the change is known does not matter.
        let discovered = discover(config, req, true);
        let change = change.join().expect("change detection does not panic");
        (change, discovered)
    });
    let req = PlanRequest {
        change: Some(change?),
        ..req.clone()
    };
    plan_discovered(config, store, &req, (expr, tiers, discovered?), t0)
}

fn parse_expr(req: &PlanRequest) -> Result<Option<Selector>> {
    req.expr
        .as_ref()
        .map(|e| {
            Selector::parse(e).map_err(|m| PipelineError::Usage {
                what: format!("-E {e}"),
                message: m.to_string(),
                hint:
                    "selectors look like `not marker(slow) & path(tests/unit/**)`; see docs/ci.md"
                        .into(),
            })
        })
        .transpose()
}

/// The suites' tests; through the discovery cache when `cached` (a change-aware plan
/// re-collects only the test files the change can alter).
fn discover(config: &Config, req: &PlanRequest, cached: bool) -> Result<Vec<Discovered>> {
    let memo = config.root.join(".rigor").join("cache");
    let judge = |root: &std::path::Path,
                 changed: &std::collections::BTreeSet<String>,
                 test_files: &std::collections::BTreeSet<String>,
                 modules: &std::collections::BTreeMap<String, String>| {
        let view = rigor_select::collection::CollectionView {
            root,
            test_files,
            modules,
            memo: Some(&memo),
        };
        match rigor_select::collection::recollect(&view, changed) {
            rigor_select::collection::Recollect::All(why) => Err(why),
            rigor_select::collection::Recollect::Files(files) => Ok(files),
        }
    };
    Ok(rigor_runner::run::discover_cached(
        config,
        &req.suites,
        &req.extra,
        &rigor_runner::run::PrepareOptions {
            keep_output: req.keep_output,
            coverage_map: req.coverage_map.clone(),
        },
        cached.then_some(&judge as rigor_runner::run::DiscoveryJudge),
    )?)
}

/// The rest of planning, once the tests are discovered.
fn plan_discovered(
    config: &Config,
    store: &mut Store,
    req: &PlanRequest,
    (expr, tiers, discovered): (Option<Selector>, Vec<Tier>, Vec<Discovered>),
    t0: std::time::Instant,
) -> Result<Planned> {
    rigor_model::time::stage("plan: tests discovered", t0);
    let names: Vec<&str> = discovered.iter().map(|d| d.suite.name.as_str()).collect();
    let branch = rigor_vcs::branch(&config.root);
    let exclude = match req.stable_facts || req.shard.is_some() {
        true => rigor_vcs::commit(&config.root),
        false => None,
    };
    let facts = HistoryFacts::load_excluding(store, &names, branch.as_deref(), exclude.as_deref())?;
    rigor_model::time::stage("plan: history facts loaded", t0);
    let selection = match &req.change {
        Some(c) => Some(selection::select_by_change(
            config,
            store,
            c,
            &discovered,
            &facts,
            branch.as_deref(),
        )?),
        None => None,
    };
    rigor_model::time::stage("plan: selection done", t0);
    let mut all = candidates(&discovered, expr.as_ref(), selection.as_ref(), &facts);
    let (shard_of, shard_loads) = match &req.pinned {
        Some(p) => pinned_shard(&mut all, p),
        None => order::split_shards(&all, &facts, req.shard),
    };
    let chosen = order::Chosen {
        all: &all,
        mine: (0..all.len())
            .filter(|&i| req.shard.is_none_or(|s| shard_of[i] == Some(s.index)))
            .collect(),
        shard_of: &shard_of,
        facts: &facts,
        selection: selection.as_ref(),
    };
    let (tests, tiers) = if tiers.is_empty() {
        (chosen.untiered(), Vec::new())
    } else {
        chosen.tiered(&tiers, req.jobs)
    };
    rigor_model::time::stage("plan: ordered", t0);
    Ok(Planned {
        batches: with_collection_errors(batches(&tests), &discovered),
        discovered,
        tests,
        tiers,
        shard_loads,
        selection,
    })
}
