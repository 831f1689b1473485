//! What the stages share: the inputs of one selection, the reasons and risk factors gathered so
//! far, and the optional stage timings.

use super::types::{SelectInput, SuiteSpec};
use crate::change::ChangeSet;
use crate::config::CompiledConfig;
use crate::risk::RiskFactors;
use rigor_model::{TestCase, TestKey};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// At most this many reasons are kept per test.
const MAX_REASONS: usize = 8;

/// The inputs of one selection, read by every stage.
pub(super) struct Ctx<'a> {
    pub input: &'a SelectInput<'a>,
    pub cfg: CompiledConfig,
    pub change: &'a ChangeSet,
    pub tests: &'a [TestCase],
    pub by_suite: HashMap<&'a str, &'a SuiteSpec>,
    pub timing: Timing,
}

impl<'a> Ctx<'a> {
    pub fn new(
        input: &'a SelectInput<'a>,
        cfg: CompiledConfig,
        change: &'a ChangeSet,
        tests: &'a [TestCase],
    ) -> Ctx<'a> {
        Ctx {
            input,
            cfg,
            change,
            tests,
            by_suite: input.suites.iter().map(|s| (s.name.as_str(), s)).collect(),
            timing: Timing::from_env(),
        }
    }
}

/// Reasons and risk factors of the tests selected so far.
#[derive(Default)]
pub(super) struct Acc {
    pub reasons: BTreeMap<TestKey, Vec<String>>,
    pub factors: HashMap<TestKey, RiskFactors>,
    /// Why a test was left out by a finer decision (the Rust coverage map), if it stays out.
    pub out: HashMap<TestKey, String>,
    /// (suite, binary id, project-relative path): the Rust coverage map decided the binary's
    /// tests for that changed file, so a test whose own file it is needs no other reason.
    pub rust_narrowed: std::collections::HashSet<(String, String, String)>,
}

impl Acc {
    /// Select `key` for `reason`; returns its risk factors to update.
    pub fn add(&mut self, key: &TestKey, reason: String) -> &mut RiskFactors {
        let r = self.reasons.entry(key.clone()).or_default();
        if !r.contains(&reason) && r.len() < MAX_REASONS {
            r.push(reason);
        }
        self.factors.entry(key.clone()).or_default()
    }

    /// Add a remark to an already selected test's reasons.
    pub fn note(&mut self, key: &TestKey, remark: &str) {
        if let Some(r) = self.reasons.get_mut(key)
            && r.len() < MAX_REASONS
            && !r.iter().any(|x| x == remark)
        {
            r.push(remark.to_string());
        }
    }
}

/// Stage timings on stderr, with `RIGOR_SELECT_TIMING` set.
pub(super) struct Timing {
    on: bool,
    t0: Instant,
}

impl Timing {
    fn from_env() -> Timing {
        Timing {
            on: std::env::var_os("RIGOR_SELECT_TIMING").is_some(),
            t0: Instant::now(),
        }
    }

    pub fn on(&self) -> bool {
        self.on
    }

    /// `select: WHAT <elapsed>`.
    pub fn mark(&self, what: &str) {
        if self.on {
            eprintln!("select: {what} {:?}", self.t0.elapsed());
        }
    }
}
