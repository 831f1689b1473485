//! The mutation engine's data: mutants, their verdicts, and a run's results.

use serde::{Deserialize, Serialize};

/// The kind of change a mutant makes (the "operator" of mutation testing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// `<` → `<=`, `==` → `!=`, `in` → `not in`, …
    Comparison,
    /// `+` → `-`, `*` → `/`, …
    Arithmetic,
    /// `and` ↔ `or`
    Boolean,
    /// `not x` → `x`, `-x` → `x`
    Unary,
    /// `0` → `1`, `n` → `n + 1`, `True` ↔ `False`, `"s"` → `"XXsXX"`
    Constant,
    /// `return x` → `return None`
    ReturnValue,
    /// `if c:` → `if not (c):`
    Condition,
    /// A call statement removed (`f(x)` → `None`)
    CallDeletion,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Comparison => "comparison",
            Operator::Arithmetic => "arithmetic",
            Operator::Boolean => "boolean",
            Operator::Unary => "unary",
            Operator::Constant => "constant",
            Operator::ReturnValue => "return_value",
            Operator::Condition => "condition",
            Operator::CallDeletion => "call_deletion",
        }
    }

    /// The mutator name of Stryker's report format.
    pub fn stryker_name(self) -> &'static str {
        match self {
            Operator::Comparison => "EqualityOperator",
            Operator::Arithmetic => "ArithmeticOperator",
            Operator::Boolean => "LogicalOperator",
            Operator::Unary => "UnaryOperator",
            Operator::Constant => "Literal",
            Operator::ReturnValue => "ReturnValue",
            Operator::Condition => "ConditionalExpression",
            Operator::CallDeletion => "BlockStatement",
        }
    }
}

/// One mutant of one file: the bytes `start..end` of the source become `replacement`.
/// `expr_start..expr_end` is the enclosing expression the schemata switch on (it contains
/// `start..end`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutant {
    /// Run-wide id (1-based, stable for one run; the switch value).
    pub id: u32,
    /// Path relative to the project root, `/`-separated.
    pub file: String,
    /// 1-based line and column (in characters) of `start`.
    pub line: u32,
    pub column: u32,
    /// 1-based line and column just past `end`.
    pub end_line: u32,
    pub end_column: u32,
    pub start: usize,
    pub end: usize,
    pub expr_start: usize,
    pub expr_end: usize,
    pub operator: Operator,
    pub original: String,
    pub replacement: String,
    /// The enclosing function, `Class.method` or `name` (`""` at module level).
    pub function: String,
}

impl Mutant {
    /// A key that identifies the mutant inside one version of its file.
    pub fn signature(&self) -> String {
        format!(
            "{}:{}:{}:{}",
            self.start,
            self.end,
            self.operator.as_str(),
            self.replacement
        )
    }

    /// `original → replacement` for people.
    pub fn describe(&self) -> String {
        format!(
            "{}: `{}` → `{}`",
            self.operator.as_str(),
            one_line(&self.original),
            one_line(&self.replacement)
        )
    }
}

/// Collapse whitespace runs so that a multi-line span reads on one line.
pub fn one_line(s: &str) -> String {
    let v: Vec<&str> = s.split_whitespace().collect();
    let j = v.join(" ");
    if j.chars().count() > 80 {
        let mut t: String = j.chars().take(77).collect();
        t.push_str("...");
        t
    } else {
        j
    }
}

/// What running a mutant's tests found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A test failed.
    Killed,
    /// Every selected test passed.
    Survived,
    /// The tests did not finish in time (counted as killed).
    Timeout,
    /// No test reaches the mutated code.
    NoCoverage,
    /// The mutant cannot run (does not parse / compile).
    Unviable,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Killed => "killed",
            Verdict::Survived => "survived",
            Verdict::Timeout => "timeout",
            Verdict::NoCoverage => "no_coverage",
            Verdict::Unviable => "unviable",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "killed" => Verdict::Killed,
            "survived" => Verdict::Survived,
            "timeout" => Verdict::Timeout,
            "no_coverage" => Verdict::NoCoverage,
            "unviable" => Verdict::Unviable,
            _ => return None,
        })
    }

    /// Stryker's status name.
    pub fn stryker(self) -> &'static str {
        match self {
            Verdict::Killed => "Killed",
            Verdict::Survived => "Survived",
            Verdict::Timeout => "Timeout",
            Verdict::NoCoverage => "NoCoverage",
            Verdict::Unviable => "CompileError",
        }
    }
}

/// Where a mutant's tests came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestSource {
    /// Tests whose recorded coverage-map lines include the mutated line.
    CoverageMap,
    /// No coverage map for the file: the tests the import graph says reach the module.
    ImportGraph,
    /// The verdict was kept from an earlier run (file and tests unchanged).
    Cached,
    /// Rust: the tests the baseline's reach probe saw executing the mutated code.
    Probe,
}

impl TestSource {
    pub fn as_str(self) -> &'static str {
        match self {
            TestSource::CoverageMap => "coverage-map",
            TestSource::ImportGraph => "import-graph",
            TestSource::Cached => "cached",
            TestSource::Probe => "probe",
        }
    }
}

/// A mutant's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MutantResult {
    pub mutant: Mutant,
    pub verdict: Verdict,
    /// Tests run against the mutant, in order (the last one killed it when killed).
    pub tests_run: Vec<String>,
    pub killed_by: Option<String>,
    /// Where the candidate tests came from.
    pub source: TestSource,
    /// Candidate tests (before the baseline's reach narrowed them to `tests_run`'s pool).
    pub candidates: usize,
    /// Seconds spent running this mutant's tests.
    pub duration_s: f64,
    /// Kept from an earlier run.
    pub cached: bool,
}

/// Counts and score of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub mutants: usize,
    pub killed: usize,
    pub survived: usize,
    pub timeout: usize,
    pub no_coverage: usize,
    pub unviable: usize,
    pub cached: usize,
    /// killed (timeouts included) / (killed + timeouts + survived + no coverage), in percent;
    /// None when no mutant counts.
    pub score: Option<f64>,
}

impl Summary {
    pub fn of(results: &[MutantResult]) -> Summary {
        let mut s = Summary {
            mutants: results.len(),
            ..Summary::default()
        };
        for r in results {
            match r.verdict {
                Verdict::Killed => s.killed += 1,
                Verdict::Survived => s.survived += 1,
                Verdict::Timeout => s.timeout += 1,
                Verdict::NoCoverage => s.no_coverage += 1,
                Verdict::Unviable => s.unviable += 1,
            }
            s.cached += usize::from(r.cached);
        }
        let detected = s.killed + s.timeout;
        let valid = detected + s.survived + s.no_coverage;
        s.score = (valid > 0).then(|| 100.0 * detected as f64 / valid as f64);
        s
    }
}
