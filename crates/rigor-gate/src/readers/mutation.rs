//! Mutation testing: Stryker's mutation-testing-report JSON (schema shared by Stryker, Infection
//! and others), cargo-mutants `mutants.out/outcomes.json`, mutmut's CI/CD stats JSON.
//!
//! Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker defines
//! it; compile/runtime errors, unviable and ignored mutants are left out.

use super::parse_json;
use crate::error::{GateError, Pos, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MutantCounts {
    pub killed: u64,
    pub timeout: u64,
    pub survived: u64,
    pub no_coverage: u64,
    /// Not counted in the score (compile errors, unviable, ignored, pending).
    pub excluded: u64,
}

impl MutantCounts {
    pub fn detected(&self) -> u64 {
        self.killed + self.timeout
    }
    pub fn valid(&self) -> u64 {
        self.killed + self.timeout + self.survived + self.no_coverage
    }
    /// Score in percent, None when no valid mutant.
    pub fn score(&self) -> Option<f64> {
        (self.valid() > 0).then(|| 100.0 * self.detected() as f64 / self.valid() as f64)
    }
    pub fn add(&mut self, o: &MutantCounts) {
        self.killed += o.killed;
        self.timeout += o.timeout;
        self.survived += o.survived;
        self.no_coverage += o.no_coverage;
        self.excluded += o.excluded;
    }
}

/// A surviving (or uncovered) mutant with its place, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Survivor {
    pub file: String,
    pub line: Option<u32>,
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MutationReport {
    pub tool: String,
    pub total: MutantCounts,
    /// Per source file when the tool tells (not mutmut's stats).
    pub files: BTreeMap<String, MutantCounts>,
    pub survivors: Vec<Survivor>,
}

// ---------------------------------------------------------------- Stryker

const STRYKER_HINT: &str = "expected a mutation-testing-report-schema JSON: {\"schemaVersion\": \"1\", \"files\": {path: {\"mutants\": [{\"status\": \"Killed\", \"location\": …}]}}}";

#[derive(Deserialize)]
struct Stryker {
    #[serde(rename = "schemaVersion")]
    #[allow(dead_code)]
    schema_version: String,
    files: BTreeMap<String, StrykerFile>,
}
#[derive(Deserialize)]
struct StrykerFile {
    mutants: Vec<StrykerMutant>,
}
#[derive(Deserialize)]
struct StrykerMutant {
    #[serde(rename = "mutatorName", default)]
    mutator: String,
    #[serde(default)]
    replacement: Option<String>,
    location: StrykerLocation,
    status: String,
}
#[derive(Deserialize)]
struct StrykerLocation {
    start: StrykerPos,
}
#[derive(Deserialize)]
struct StrykerPos {
    line: u32,
}

pub fn read_stryker(file: &str, text: &str) -> Result<MutationReport> {
    let doc: Stryker = parse_json(file, text, "Stryker mutation report", STRYKER_HINT)?;
    let mut rep = MutationReport {
        tool: "stryker".into(),
        ..Default::default()
    };
    for (path, f) in doc.files {
        let mut c = MutantCounts::default();
        for m in f.mutants {
            match m.status.as_str() {
                "Killed" => c.killed += 1,
                "Timeout" => c.timeout += 1,
                "Survived" | "NoCoverage" => {
                    if m.status == "Survived" {
                        c.survived += 1
                    } else {
                        c.no_coverage += 1
                    }
                    rep.survivors.push(Survivor {
                        file: path.clone(),
                        line: Some(m.location.start.line),
                        description: format!(
                            "{} mutant {}{}",
                            if m.status == "Survived" {
                                "survived"
                            } else {
                                "not covered"
                            },
                            m.mutator,
                            m.replacement
                                .as_deref()
                                .map(|r| format!(" → `{r}`"))
                                .unwrap_or_default()
                        ),
                    });
                }
                "CompileError" | "RuntimeError" | "Ignored" | "Pending" => c.excluded += 1,
                other => {
                    let off = text.find(&format!("\"{other}\"")).unwrap_or(0);
                    return Err(GateError::malformed(
                        file,
                        Pos::of_offset(text, off),
                        "Stryker mutation report",
                        format!("unknown mutant status \"{other}\""),
                        "status is one of Killed, Survived, NoCoverage, Timeout, CompileError, RuntimeError, Ignored, Pending",
                    ));
                }
            }
        }
        rep.total.add(&c);
        rep.files.insert(path, c);
    }
    Ok(rep)
}

// ---------------------------------------------------------------- cargo-mutants

const MUTANTS_HINT: &str = "expected cargo-mutants `mutants.out/outcomes.json`: {\"outcomes\": [{\"scenario\": \"Baseline\" | {\"Mutant\": {\"file\", \"span\"…}}, \"summary\": \"CaughtMutant\"…}]}";

#[derive(Deserialize)]
struct Mutants {
    outcomes: Vec<MutantOutcome>,
}
#[derive(Deserialize)]
struct MutantOutcome {
    scenario: Scenario,
    summary: String,
}
#[derive(Deserialize)]
#[serde(untagged)]
enum Scenario {
    #[allow(dead_code)]
    Named(String),
    Mutant {
        #[serde(rename = "Mutant")]
        mutant: CargoMutant,
    },
}
#[derive(Deserialize)]
struct CargoMutant {
    file: String,
    #[serde(default)]
    span: Option<Span>,
    #[serde(default)]
    replacement: Option<String>,
    #[serde(default)]
    function: Option<serde_json::Value>,
}
#[derive(Deserialize)]
struct Span {
    start: SpanPos,
}
#[derive(Deserialize)]
struct SpanPos {
    line: u32,
}

pub fn read_cargo_mutants(file: &str, text: &str) -> Result<MutationReport> {
    let doc: Mutants = parse_json(file, text, "cargo-mutants outcomes.json", MUTANTS_HINT)?;
    let mut rep = MutationReport {
        tool: "cargo-mutants".into(),
        ..Default::default()
    };
    for o in doc.outcomes {
        let Scenario::Mutant { mutant } = o.scenario else {
            continue;
        };
        let c = rep.files.entry(mutant.file.clone()).or_default();
        match o.summary.as_str() {
            "CaughtMutant" => c.killed += 1,
            "Timeout" => c.timeout += 1,
            "MissedMutant" => {
                c.survived += 1;
                let func = mutant
                    .function
                    .as_ref()
                    .and_then(|f| f.get("function_name"))
                    .and_then(|n| n.as_str())
                    .map(|n| format!(" in {n}"))
                    .unwrap_or_default();
                rep.survivors.push(Survivor {
                    file: mutant.file.clone(),
                    line: mutant.span.as_ref().map(|s| s.start.line),
                    description: format!(
                        "missed mutant{func}: replace with `{}`",
                        mutant.replacement.as_deref().unwrap_or("?")
                    ),
                });
            }
            "Unviable" | "Success" | "Failure" => c.excluded += 1,
            other => {
                let off = text.find(&format!("\"{other}\"")).unwrap_or(0);
                return Err(GateError::malformed(
                    file,
                    Pos::of_offset(text, off),
                    "cargo-mutants outcomes.json",
                    format!("unknown outcome summary \"{other}\""),
                    "summary is one of CaughtMutant, MissedMutant, Timeout, Unviable, Success, Failure",
                ));
            }
        }
    }
    for c in rep.files.values() {
        rep.total.add(c);
    }
    Ok(rep)
}

// ---------------------------------------------------------------- mutmut

const MUTMUT_HINT: &str = "expected `mutmut export-cicd-stats` output (mutants/mutmut-cicd-stats.json): {\"killed\", \"survived\", \"total\", \"no_tests\", \"timeout\", …}";

#[derive(Deserialize)]
struct Mutmut {
    killed: u64,
    survived: u64,
    #[allow(dead_code)]
    total: u64,
    #[serde(default)]
    no_tests: u64,
    #[serde(default)]
    timeout: u64,
    #[serde(default)]
    skipped: u64,
    #[serde(default)]
    suspicious: u64,
    #[serde(default)]
    segfault: u64,
}

pub fn read_mutmut(file: &str, text: &str) -> Result<MutationReport> {
    let m: Mutmut = parse_json(file, text, "mutmut CI stats JSON", MUTMUT_HINT)?;
    Ok(MutationReport {
        tool: "mutmut".into(),
        total: MutantCounts {
            killed: m.killed + m.segfault,
            timeout: m.timeout,
            survived: m.survived,
            no_coverage: m.no_tests,
            excluded: m.skipped + m.suspicious,
        },
        files: BTreeMap::new(),
        survivors: Vec::new(),
    })
}
