//! Shared planning for `rigor run`, `rigor plan` and `rigor ci`: discovery, history facts,
//! `-E` filters, shards (LPT) and tiers, turned into ordered batches for the runner.

use anyhow::{Context, Result};
use rigor_model::{Config, TestCase, TestKey};
use rigor_plan::selector::Facts;
use rigor_plan::tier::{Tier, TierConfig, plan_tiers, tier_index};
use rigor_plan::{Selector, ShardSpec, lpt};
use rigor_runner::{Batch, Discovered};
use rigor_store::Store;
use std::collections::{HashMap, HashSet};

/// Seconds assumed for a test of a suite that has no history at all.
pub const UNKNOWN_TEST_S: f64 = 0.1;

/// What the history says about tests, for selectors and priorities.
pub struct HistoryFacts {
    pub estimates: HashMap<TestKey, f64>,
    pub typical: HashMap<String, f64>,
    pub failing: HashSet<TestKey>,
    pub known: HashSet<TestKey>,
}

impl HistoryFacts {
    pub fn load(store: &Store, suites: &[&str], branch: Option<&str>) -> Result<HistoryFacts> {
        let mut estimates = HashMap::new();
        let mut typical = HashMap::new();
        let mut known = HashSet::new();
        for s in suites {
            let (e, t) = rigor_runner::run::estimates(store, s)?;
            typical.insert(s.to_string(), if e.is_empty() { UNKNOWN_TEST_S } else { t });
            estimates.extend(e);
            known.extend(
                store
                    .known_tests(s)?
                    .into_iter()
                    .map(|id| TestKey::new(*s, id)),
            );
        }
        Ok(HistoryFacts {
            estimates,
            typical,
            failing: store.failing_tests(branch)?,
            known,
        })
    }

    /// Expected seconds: history, else the suite's typical test.
    pub fn expected(&self, t: &TestCase) -> f64 {
        self.estimates.get(&t.key).copied().unwrap_or_else(|| {
            self.typical
                .get(&t.key.suite)
                .copied()
                .unwrap_or(UNKNOWN_TEST_S)
        })
    }
}

impl Facts for HistoryFacts {
    fn estimate(&self, t: &TestCase) -> Option<f64> {
        self.estimates.get(&t.key).copied()
    }
    fn failed_last(&self, t: &TestCase) -> bool {
        self.failing.contains(&t.key)
    }
    fn is_new(&self, t: &TestCase) -> bool {
        !self.known.contains(&t.key)
    }
}

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
            config.error_at(
                &format!("tiers.{name}.select"),
                e.to_string(),
                "see docs/tiers.md",
            )
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
    pub coverage_map: Option<std::path::PathBuf>,
    /// Change-aware selection: only the tests the change (against this base) can break.
    pub change: Option<ChangeRequest>,
}

/// Select by the change against `base` (None: CI variables, merge-base with the default
/// branch, else HEAD~1).
#[derive(Debug, Default, Clone)]
pub struct ChangeRequest {
    pub base: Option<String>,
}

/// What change-aware selection decided.
pub struct SelectionInfo {
    pub change: rigor_select::ChangeSet,
    pub full_run: Option<String>,
    pub reasons: HashMap<TestKey, Vec<String>>,
    pub risk: HashMap<TestKey, f64>,
    pub skipped: Vec<(TestKey, String)>,
    pub notes: Vec<String>,
    /// Tests discovered in the selected suites (before selection).
    pub total: usize,
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

/// Change-aware selection over the discovered tests (rigor-select), plus `[select]` rules whose
/// selectors this crate evaluates.
fn select_by_change(
    config: &Config,
    store: &mut Store,
    req: &ChangeRequest,
    discovered: &[Discovered],
    facts: &HistoryFacts,
) -> Result<SelectionInfo> {
    let change = match rigor_select::ChangeSet::detect(&config.root, req.base.as_deref()) {
        Ok(c) => c,
        // Without an explicit base, no git change means: run everything, and say why.
        Err(e) if req.base.is_none() => {
            let tests = discovered.iter().map(|d| d.tests.len()).sum();
            let reason = format!(
                "no change to select by ({})",
                e.to_string().lines().next().unwrap_or("")
            );
            return Ok(SelectionInfo {
                change: rigor_select::ChangeSet::default(),
                full_run: Some(reason),
                reasons: HashMap::new(),
                risk: HashMap::new(),
                skipped: Vec::new(),
                notes: Vec::new(),
                total: tests,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let (select_config, warnings): (rigor_select::SelectConfig, _) = config.section("select")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let branch = rigor_runner::git::branch(&config.root);
    let mut history = rigor_select::History::load(store, branch.as_deref(), 50)?;
    history.load_churn(&config.root, 100)?;
    let suites: Vec<rigor_select::SuiteSpec> = discovered
        .iter()
        .map(|d| rigor_select::SuiteSpec::from_config(&d.suite))
        .collect();
    if select_config.coverage_map {
        for spec in &suites {
            history.load_coverage(store, &spec.name, &change, &|p| spec.local(p))?;
        }
    }
    let tests: Vec<TestCase> = discovered
        .iter()
        .flat_map(|d| d.tests.iter().cloned())
        .collect();
    let input = rigor_select::SelectInput {
        root: &config.root,
        config: &select_config,
        suites: &suites,
        history: &history,
    };
    let sel = rigor_select::select(&input, &change, &tests)?;
    let mut reasons: HashMap<TestKey, Vec<String>> = HashMap::new();
    let mut risk: HashMap<TestKey, f64> = HashMap::new();
    for t in &sel.selected {
        reasons.insert(t.key.clone(), t.reasons.clone());
        risk.insert(t.key.clone(), t.risk);
    }
    // Path → selector rules: the selection names the rules a changed path hit.
    for (path_rule, selector_text) in &sel.deferred_rules {
        let selector = Selector::parse(selector_text).map_err(|e| {
            config.error_at(
                "select.rules",
                format!("rule for `{path_rule}`: {e}"),
                "rules are { path = GLOB, select = SELECTOR }",
            )
        })?;
        for t in tests.iter().filter(|t| selector.matches(t, facts)) {
            reasons
                .entry(t.key.clone())
                .or_default()
                .push(format!("[select] rule `{path_rule}` → `{selector_text}`"));
            risk.entry(t.key.clone()).or_insert(0.0);
        }
    }
    let skipped = sel
        .skipped
        .iter()
        .filter(|(k, _)| !reasons.contains_key(k))
        .cloned()
        .collect();
    Ok(SelectionInfo {
        full_run: sel.full_run.clone(),
        total: tests.len(),
        reasons,
        risk,
        skipped,
        notes: sel.notes.clone(),
        change,
    })
}

pub fn plan(config: &Config, store: &mut Store, req: &PlanRequest) -> Result<Planned> {
    let expr = match &req.expr {
        Some(e) => Some(Selector::parse(e).map_err(|e| anyhow::anyhow!("-E: {e}"))?),
        None => None,
    };
    let tiers = if req.up_to_tier.is_some() || req.all_tiers {
        let all = load_tiers(config)?;
        match &req.up_to_tier {
            Some(name) => {
                let i = tier_index(&all, name)?;
                all.into_iter().take(i + 1).collect()
            }
            None => all,
        }
    } else {
        Vec::new()
    };
    let discovered = rigor_runner::run::discover_with(
        config,
        &req.suites,
        &req.extra,
        &rigor_runner::run::PrepareOptions {
            keep_output: req.keep_output,
            coverage_map: req.coverage_map.clone(),
        },
    )
    .context("discovering the tests")?;
    let names: Vec<&str> = discovered.iter().map(|d| d.suite.name.as_str()).collect();
    let branch = rigor_runner::git::branch(&config.root);
    let facts = HistoryFacts::load(store, &names, branch.as_deref())?;
    let selection = match &req.change {
        Some(c) => Some(select_by_change(config, store, c, &discovered, &facts)?),
        None => None,
    };
    let risk_of = |t: &TestCase| selection.as_ref().and_then(|s| s.risk.get(&t.key).copied());

    // All candidate tests, flattened: (suite index, test).
    let mut all: Vec<(usize, TestCase)> = Vec::new();
    for (si, d) in discovered.iter().enumerate() {
        for t in &d.tests {
            if let Some(e) = &expr
                && !e.matches(t, &facts)
            {
                continue;
            }
            if let Some(sel) = &selection
                && sel.full_run.is_none()
                && !sel.reasons.contains_key(&t.key)
            {
                continue;
            }
            all.push((si, t.clone()));
        }
    }

    // Shards split the planned set first; tiers then order each shard.
    let mut shard_of: Vec<Option<usize>> = vec![None; all.len()];
    let mut shard_loads = Vec::new();
    if let Some(spec) = req.shard {
        let items: Vec<(String, f64)> = all
            .iter()
            .map(|(_, t)| (t.key.to_string(), facts.expected(t)))
            .collect();
        let shards = lpt(&items, spec.total);
        shard_loads = shards.iter().map(|s| s.load).collect();
        for (k, s) in shards.iter().enumerate() {
            for &i in &s.items {
                shard_of[i] = Some(k + 1);
            }
        }
    }
    let mine: Vec<usize> = (0..all.len())
        .filter(|&i| req.shard.is_none_or(|s| shard_of[i] == Some(s.index)))
        .collect();

    let mut tests = Vec::new();
    let mut tier_summary = Vec::new();
    if tiers.is_empty() {
        // With a change: highest risk first, cheap first among equals. Otherwise longest
        // expected first (the scheduler's order), suite by suite.
        let mut order = mine.clone();
        order.sort_by(|&a, &b| {
            if selection.is_some() {
                let (ra, rb) = (
                    risk_of(&all[a].1).unwrap_or(0.0),
                    risk_of(&all[b].1).unwrap_or(0.0),
                );
                return all[a].0.cmp(&all[b].0).then(rb.total_cmp(&ra)).then(
                    facts
                        .expected(&all[a].1)
                        .total_cmp(&facts.expected(&all[b].1)),
                );
            }
            all[a].0.cmp(&all[b].0).then(
                facts
                    .expected(&all[b].1)
                    .total_cmp(&facts.expected(&all[a].1)),
            )
        });
        for i in order {
            tests.push(PlannedTest {
                suite: all[i].0,
                estimated_s: facts.expected(&all[i].1),
                test: all[i].1.clone(),
                tier: None,
                shard: shard_of[i],
            });
        }
    } else {
        let cases: Vec<TestCase> = mine.iter().map(|&i| all[i].1.clone()).collect();
        let est: Vec<f64> = cases.iter().map(|t| facts.expected(t)).collect();
        let risks: Vec<f64> = cases.iter().map(|t| risk_of(t).unwrap_or(0.0)).collect();
        let tp = plan_tiers(
            &cases,
            &est,
            selection.as_ref().map(|_| risks.as_slice()),
            &tiers,
            req.jobs.max(1),
            &facts,
        );
        for (name, members, used) in &tp.tiers {
            tier_summary.push((name.clone(), members.len(), *used));
            for &m in members {
                let i = mine[m];
                tests.push(PlannedTest {
                    suite: all[i].0,
                    estimated_s: est[m],
                    test: all[i].1.clone(),
                    tier: Some(name.clone()),
                    shard: shard_of[i],
                });
            }
        }
    }

    // Batches: consecutive tests of the same (tier, suite).
    let mut batches: Vec<Batch> = Vec::new();
    for t in &tests {
        match batches.last_mut() {
            Some(b) if b.tier == t.tier && b.suite == t.suite => {
                b.tests.push((t.test.clone(), t.estimated_s))
            }
            _ => batches.push(Batch {
                tier: t.tier.clone(),
                suite: t.suite,
                tests: vec![(t.test.clone(), t.estimated_s)],
            }),
        }
    }
    // Within a tier, group each suite's tests into one batch (suites run one after another).
    let mut merged: Vec<Batch> = Vec::new();
    for b in batches {
        if let Some(m) = merged
            .iter_mut()
            .find(|m| m.tier == b.tier && m.suite == b.suite)
        {
            m.tests.extend(b.tests);
        } else {
            merged.push(b);
        }
    }
    Ok(Planned {
        discovered,
        tests,
        batches: merged,
        tiers: tier_summary,
        shard_loads,
        selection,
    })
}
