//! Change-aware selection inside a plan: rigor-select over the discovered tests, plus the
//! `[select]` rules whose selectors (the full selector language) are evaluated here.

use super::facts::HistoryFacts;
use crate::change::Detected;
use crate::error::Result;
use rigor_model::{Config, SuiteKind, TestCase, TestKey};
use rigor_plan::Selector;
use rigor_runner::Discovered;
use rigor_select::{ChangeSet, Selection};
use rigor_store::Store;
use std::collections::HashMap;

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

impl SelectionInfo {
    /// No change to select by: everything runs, and says why.
    fn no_change(reason: &str, total: usize) -> SelectionInfo {
        SelectionInfo {
            change: ChangeSet::default(),
            full_run: Some(reason.to_string()),
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

/// One line about the selection, for `rigor run --changed` and `rigor ci` (on stderr).
pub fn selection_header(sel: &SelectionInfo, selected: usize) -> String {
    match &sel.full_run {
        Some(reason) => format!("selection: full run — {reason}"),
        None => format!(
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
pub(crate) fn select_by_change(
    config: &Config,
    store: &mut Store,
    detected: &Detected,
    discovered: &[Discovered],
    facts: &HistoryFacts,
    branch: Option<&str>,
) -> Result<SelectionInfo> {
    let tests: Vec<TestCase> = discovered
        .iter()
        .flat_map(|d| d.tests.iter().cloned())
        .collect();
    let change = match detected {
        Detected::Change(c) => c.clone(),
        Detected::Unavailable(reason) => return Ok(SelectionInfo::no_change(reason, tests.len())),
    };
    let (select_config, warnings): (rigor_select::SelectConfig, _) = config.section("select")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let suites: Vec<rigor_select::SuiteSpec> = discovered
        .iter()
        .map(|d| rigor_select::SuiteSpec::from_config(&d.suite))
        .collect();
    let t0 = std::time::Instant::now();
    let history = selection_history(config, store, &change, branch, &suites, &select_config)?;
    rigor_model::time::stage("plan: selection history loaded", t0);
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
    branch: Option<&str>,
    suites: &[rigor_select::SuiteSpec],
    select_config: &rigor_select::SelectConfig,
) -> Result<rigor_select::History> {
    // The churn's `git log` runs while the history is read.
    let (history, churn) = std::thread::scope(|s| {
        let churn = s.spawn(|| rigor_select::history::churn(&config.root, 100));
        let history = rigor_select::History::load(store, branch, 50);
        (history, churn.join().unwrap_or_default())
    });
    let mut history = history?;
    history.churn = churn;
    let rust = |k| matches!(k, SuiteKind::Nextest | SuiteKind::CargoTest);
    for spec in suites {
        let is_rust = rust(spec.kind);
        if (select_config.coverage_map.uses_map() && !is_rust)
            || (select_config.rust_coverage && is_rust)
        {
            history.load_coverage(store, &spec.name, change, &|p| spec.local(p))?;
        }
    }
    Ok(history)
}
