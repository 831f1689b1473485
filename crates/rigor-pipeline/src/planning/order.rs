//! Which planned tests this plan runs (its shard's) and in which order: LPT shards, then tier by
//! tier (rigor-plan decides the members), each in rigor-select's run order when there is a
//! change, else longest expected first.

use super::PlannedTest;
use super::facts::HistoryFacts;
use super::selection::SelectionInfo;
use rigor_model::TestCase;
use rigor_plan::tier::{Tier, plan_tiers};
use rigor_plan::{ShardSpec, lpt};
use rigor_select::{OrderItem, order_by_risk};

/// Shards split the candidates first (LPT on the expected durations): each candidate's 1-based
/// shard and every shard's load.
pub(crate) fn split_shards(
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
pub(crate) struct Chosen<'a> {
    pub(crate) all: &'a [(usize, TestCase)],
    /// Indices into `all`.
    pub(crate) mine: Vec<usize>,
    pub(crate) shard_of: &'a [Option<usize>],
    pub(crate) facts: &'a HistoryFacts,
    pub(crate) selection: Option<&'a SelectionInfo>,
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
    pub(crate) fn untiered(&self) -> Vec<PlannedTest> {
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
    pub(crate) fn tiered(
        &self,
        tiers: &[Tier],
        jobs: usize,
    ) -> (Vec<PlannedTest>, Vec<(String, usize, f64)>) {
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
