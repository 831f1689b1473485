//! What a caller asks of the gates: the inputs to evaluate and what to do with the report.

use std::path::PathBuf;

/// Which run's test results the tests gate judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunEvidence {
    /// A run of the history: the run of this pipeline (`rigor ci`) or one named with `--run`.
    Run(i64),
    /// The change selected no tests, so none ran for this commit: the tests gate passes with
    /// `no tests selected for this change` and never judges another commit's run.
    NoTestsSelected,
    /// The history's last finished run (what `rigor gate` alone does).
    #[default]
    Latest,
    /// No run of the history (`rigor gate --no-run`): tests only from JUnit files.
    Ignored,
}

/// An evaluation's inputs: artifacts named explicitly (they replace `[artifacts]` discovery;
/// relative paths are relative to the project root), the run and the change's base.
#[derive(Debug, Clone, Default)]
pub struct GateRequest {
    pub coverage: Vec<PathBuf>,
    pub junit: Vec<PathBuf>,
    pub sarif: Vec<PathBuf>,
    pub audit: Vec<PathBuf>,
    pub mutation: Vec<PathBuf>,
    pub perf: Vec<PathBuf>,
    pub advisories: Option<PathBuf>,
    /// Base revision of the change (`--base`, or the base `rigor ci` resolved); `None`: CI
    /// variables, merge-base with the default branch, HEAD~1.
    pub base: Option<String>,
    /// The change, when the caller detected it already (`rigor ci` detects it once for
    /// selection and gates); it wins over `base`.
    pub change: Option<rigor_vcs::ChangeSet>,
    /// The run whose results feed the tests gate.
    pub evidence: RunEvidence,
}

/// Files to write a report to besides the `[report]` ones (paths as given: absolute, or
/// relative to the current directory).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputFiles {
    pub markdown: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub sarif: Option<PathBuf>,
    pub gitlab: Option<PathBuf>,
}

/// What to do with an evaluated report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFlags {
    /// Record the evaluation in the gate history (`rigor gate --no-record` turns it off).
    pub record: bool,
    pub files: OutputFiles,
}

impl Default for OutputFlags {
    fn default() -> Self {
        OutputFlags {
            record: true,
            files: OutputFiles::default(),
        }
    }
}
