//! What a gate evaluation looks at: the inputs read from artifacts, the history and the change.

use crate::change::ChangedLines;
use crate::model::InputFile;
use crate::readers::audit::Finding;
use crate::readers::coverage::Coverage;
use crate::readers::mutation::MutationReport;
use crate::readers::perf::PerfCompare;
use rigor_model::Outcome;

/// One test result, from the history or a JUnit file.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    pub id: String,
    pub outcome: Outcome,
    pub duration_s: f64,
    pub start_s: Option<f64>,
    pub tier: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub excerpt: Option<String>,
}

/// Test results of a run.
#[derive(Debug, Clone, Default)]
pub struct TestsInput {
    /// Where they came from ("run 12", "junit.xml").
    pub source: String,
    pub results: Vec<TestOutcome>,
    /// Wall time of the whole run when known.
    pub wall_s: Option<f64>,
}

/// What the tests gate judges.
#[derive(Debug, Clone, Default)]
pub enum TestsEvidence {
    /// No run in the history and no JUnit file: the gate is skipped.
    #[default]
    Missing,
    /// The change selected no tests, so no test ran for this commit: the gate passes and says so.
    NoneSelected,
    /// The results of a run or of JUnit files.
    Results(TestsInput),
}

impl TestsEvidence {
    /// The test results, if any ran.
    pub fn results(&self) -> &[TestOutcome] {
        match self {
            TestsEvidence::Results(t) => &t.results,
            _ => &[],
        }
    }
}

/// Everything a gate evaluation looks at.
#[derive(Debug, Default)]
pub struct Inputs {
    pub tests: TestsEvidence,
    /// Coverage with repository-relative paths.
    pub coverage: Option<Coverage>,
    pub changed: Option<ChangedLines>,
    /// Coverage of the base recorded in the gate history (percent).
    pub base_coverage: Option<(f64, String)>,
    pub findings: Option<Vec<Finding>>,
    /// Audit tools read (for notes about unknown severities).
    pub audit_tools: Vec<String>,
    pub advisories_loaded: bool,
    pub lint_read: bool,
    pub mutation: Option<MutationReport>,
    pub perf: Option<PerfCompare>,
    pub inputs: Vec<InputFile>,
    pub notes: Vec<String>,
}
