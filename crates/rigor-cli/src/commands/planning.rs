//! Shared planning for `rigor run`, `rigor plan` and `rigor ci`: discovery, history facts,
//! `-E` filters, shards (LPT) and tiers, turned into ordered batches for the runner.

use anyhow::{Context, Result};
use rigor_model::{Config, TestCase, TestKey};
use rigor_plan::selector::Facts;
use rigor_plan::tier::{Tier, TierConfig, plan_tiers, tier_index};
use rigor_plan::{Selector, ShardSpec, lpt};
use rigor_runner::{Batch, Discovered};
use rigor_select::{ChangeSet, OrderItem, Selection, order_by_risk};
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

impl SelectionInfo {
    /// Without an explicit base and without a git change: everything runs, and says why.
    fn no_change(err: &rigor_select::SelectError, total: usize) -> SelectionInfo {
        let reason = format!(
            "no change to select by ({})",
            err.to_string().lines().next().unwrap_or("")
        );
        SelectionInfo {
            change: ChangeSet::default(),
            full_run: Some(reason),
            reasons: HashMap::new(),
            risk: HashMap::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            total,
        }
    }

    fn from_selection(sel: Selection, change: ChangeSet, total: usize) -> SelectionInfo {
        let mut reasons = HashMap::new();
        let mut risk = HashMap::new();
        for t in sel.selected {
            risk.insert(t.key.clone(), t.risk);
            reasons.insert(t.key, t.reasons);
        }
        SelectionInfo {
            change,
            full_run: sel.full_run,
            reasons,
            risk,
            skipped: sel.skipped,
            notes: sel.notes,
            total,
        }
    }

    /// Path → selector rules the selection deferred (selectors of the full language): their
    /// tests join the selection with risk 0.
    fn add_deferred_rules(
        &mut self,
        config: &Config,
        rules: &[(String, String)],
        tests: &[TestCase],
        facts: &HistoryFacts,
    ) -> Result<()> {
        for (path_rule, selector_text) in rules {
            let selector = Selector::parse(selector_text).map_err(|e| {
                config.error_at(
                    "select.rules",
                    format!("rule for `{path_rule}`: {e}"),
                    "rules are { path = GLOB, select = SELECTOR }",
                )
            })?;
            for t in tests.iter().filter(|t| selector.matches(t, facts)) {
                self.reasons
                    .entry(t.key.clone())
                    .or_default()
                    .push(format!("[select] rule `{path_rule}` → `{selector_text}`"));
                self.risk.entry(t.key.clone()).or_insert(0.0);
            }
        }
        let reasons = &self.reasons;
        self.skipped.retain(|(k, _)| !reasons.contains_key(k));
        Ok(())
    }
}

/// One line on stderr about the selection, for `rigor run --changed` and `rigor ci`.
pub fn print_selection_header(sel: &SelectionInfo, selected: usize) {
    match &sel.full_run {
        Some(reason) => eprintln!("selection: full run — {reason}"),
        None => eprintln!(
            "selection: {selected} of {} tests for {} changed files (base {} — {})",
            sel.total,
            sel.change.files.len(),
            short(&sel.change.base),
            sel.change.base_source
        ),
    }
}

/// The first ten characters of a commit.
pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
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
    let tests: Vec<TestCase> = discovered
        .iter()
        .flat_map(|d| d.tests.iter().cloned())
        .collect();
    let t0 = std::time::Instant::now();
    let change = match ChangeSet::detect(&config.root, req.base.as_deref()) {
        Ok(c) => c,
        Err(e) if req.base.is_none() => return Ok(SelectionInfo::no_change(&e, tests.len())),
        Err(e) => return Err(e.into()),
    };
    if std::env::var_os("RIGOR_SELECT_TIMING").is_some() {
        eprintln!("select: change detected {:?}", t0.elapsed());
    }
    let (select_config, warnings): (rigor_select::SelectConfig, _) = config.section("select")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let suites: Vec<rigor_select::SuiteSpec> = discovered
        .iter()
        .map(|d| rigor_select::SuiteSpec::from_config(&d.suite))
        .collect();
    let history = selection_history(config, store, &change, &suites, &select_config)?;
    let input = rigor_select::SelectInput {
        root: &config.root,
        config: &select_config,
        suites: &suites,
        history: &history,
    };
    let mut sel = rigor_select::select(&input, &change, &tests)?;
    let deferred = std::mem::take(&mut sel.deferred_rules);
    let mut info = SelectionInfo::from_selection(sel, change, tests.len());
    info.add_deferred_rules(config, &deferred, &tests, facts)?;
    Ok(info)
}

/// What selection reads from the history: failures, known tests, co-failures, churn and (when
/// `[select].coverage_map` is on) the coverage maps.
fn selection_history(
    config: &Config,
    store: &mut Store,
    change: &ChangeSet,
    suites: &[rigor_select::SuiteSpec],
    select_config: &rigor_select::SelectConfig,
) -> Result<rigor_select::History> {
    let branch = rigor_runner::git::branch(&config.root);
    let mut history = rigor_select::History::load(store, branch.as_deref(), 50)?;
    history.load_churn(&config.root, 100)?;
    if select_config.coverage_map {
        for spec in suites {
            history.load_coverage(store, &spec.name, change, &|p| spec.local(p))?;
        }
    }
    Ok(history)
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

/// Shards split the candidates first (LPT on the expected durations): each candidate's 1-based
/// shard and every shard's load.
fn split_shards(
    all: &[(usize, TestCase)],
    facts: &HistoryFacts,
    shard: Option<ShardSpec>,
) -> (Vec<Option<usize>>, Vec<f64>) {
    let mut shard_of = vec![None; all.len()];
    let Some(spec) = shard else {
        return (shard_of, Vec::new());
    };
    let items: Vec<(String, f64)> = all
        .iter()
        .map(|(_, t)| (t.key.to_string(), facts.expected(t)))
        .collect();
    let shards = lpt(&items, spec.total);
    for (k, s) in shards.iter().enumerate() {
        for &i in &s.items {
            shard_of[i] = Some(k + 1);
        }
    }
    (shard_of, shards.iter().map(|s| s.load).collect())
}

/// The candidates this plan runs (its shard's), and how to order them.
struct Chosen<'a> {
    all: &'a [(usize, TestCase)],
    /// Indices into `all`.
    mine: Vec<usize>,
    shard_of: &'a [Option<usize>],
    facts: &'a HistoryFacts,
    selection: Option<&'a SelectionInfo>,
}

impl Chosen<'_> {
    fn risk(&self, t: &TestCase) -> f64 {
        self.selection
            .and_then(|s| s.risk.get(&t.key).copied())
            .unwrap_or(0.0)
    }

    fn planned(&self, i: usize, estimated_s: f64, tier: Option<String>) -> PlannedTest {
        PlannedTest {
            suite: self.all[i].0,
            test: self.all[i].1.clone(),
            estimated_s,
            tier,
            shard: self.shard_of[i],
        }
    }

    /// `members` (indices into `all`) in rigor-select's run order: suite by suite (in order of
    /// first appearance, as the runner's batches run them), highest risk first, cheap first
    /// among equals.
    fn by_risk(&self, members: &[usize]) -> Vec<usize> {
        let mut suites: Vec<usize> = Vec::new();
        let items: Vec<OrderItem> = members
            .iter()
            .map(|&i| {
                let (suite, t) = &self.all[i];
                let suite_rank = suites.iter().position(|s| s == suite).unwrap_or_else(|| {
                    suites.push(*suite);
                    suites.len() - 1
                });
                OrderItem {
                    suite_rank,
                    key: &t.key,
                    risk: self.risk(t),
                    estimated_s: self.facts.expected(t),
                }
            })
            .collect();
        order_by_risk(&items)
            .into_iter()
            .map(|k| members[k])
            .collect()
    }

    /// Without tiers. With a change: rigor-select's run order ([`Chosen::by_risk`]).
    /// Otherwise longest expected first (the scheduler's order), suite by suite.
    fn untiered(&self) -> Vec<PlannedTest> {
        let all = self.all;
        let order: Vec<usize> = if self.selection.is_some() {
            self.by_risk(&self.mine)
        } else {
            let mut order = self.mine.clone();
            order.sort_by(|&a, &b| {
                let (ea, eb) = (
                    self.facts.expected(&all[a].1),
                    self.facts.expected(&all[b].1),
                );
                all[a].0.cmp(&all[b].0).then(eb.total_cmp(&ea))
            });
            order
        };
        order
            .into_iter()
            .map(|i| self.planned(i, self.facts.expected(&all[i].1), None))
            .collect()
    }

    /// Tier by tier: rigor-plan decides each tier's members (priorities, budgets, per-file
    /// limits); with a change, each tier runs them in rigor-select's run order. Also the
    /// tiers' summary (name, tests, estimated serial seconds).
    fn tiered(&self, tiers: &[Tier], jobs: usize) -> (Vec<PlannedTest>, Vec<(String, usize, f64)>) {
        let cases: Vec<TestCase> = self.mine.iter().map(|&i| self.all[i].1.clone()).collect();
        let est: Vec<f64> = cases.iter().map(|t| self.facts.expected(t)).collect();
        let risks: Vec<f64> = cases.iter().map(|t| self.risk(t)).collect();
        let tp = plan_tiers(
            &cases,
            &est,
            self.selection.map(|_| risks.as_slice()),
            tiers,
            jobs.max(1),
            self.facts,
        );
        let mut tests = Vec::new();
        let mut summary = Vec::new();
        for (name, members, used) in &tp.tiers {
            summary.push((name.clone(), members.len(), *used));
            let members: Vec<usize> = members.iter().map(|&m| self.mine[m]).collect();
            let order = if self.selection.is_some() {
                self.by_risk(&members)
            } else {
                members
            };
            for i in order {
                let estimated_s = self.facts.expected(&self.all[i].1);
                tests.push(self.planned(i, estimated_s, Some(name.clone())));
            }
        }
        (tests, summary)
    }
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

/// Discover, select by the change, filter, shard, tier and order: everything `rigor run`,
/// `rigor plan` and `rigor ci` run, in run order and as batches for the runner.
pub fn plan(config: &Config, store: &mut Store, req: &PlanRequest) -> Result<Planned> {
    let expr = match &req.expr {
        Some(e) => Some(Selector::parse(e).map_err(|e| anyhow::anyhow!("-E: {e}"))?),
        None => None,
    };
    let tiers = requested_tiers(config, req)?;
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
    let all = candidates(&discovered, expr.as_ref(), selection.as_ref(), &facts);
    let (shard_of, shard_loads) = split_shards(&all, &facts, req.shard);
    let chosen = Chosen {
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
    Ok(Planned {
        batches: batches(&tests),
        discovered,
        tests,
        tiers,
        shard_loads,
        selection,
    })
}
