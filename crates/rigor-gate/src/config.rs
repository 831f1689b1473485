//! The `[gates]`, `[components]`, `[artifacts]` and `[report]` sections of `rigor.toml`.
//!
//! Every gate has the defaults of the quality strategy and is evaluated when its input exists;
//! `enabled = false` turns one off.

use crate::error::{GateError, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(default)]
pub struct GatesConfig {
    pub tests: TestsGate,
    pub coverage: CoverageGate,
    pub perf: PerfGate,
    pub security: SecurityGate,
    pub mutation: MutationGate,
    pub lint: LintGate,
    /// Thresholds per criticality (`critical`, `core`, `extended`) for components.
    pub criticality: BTreeMap<String, LevelThresholds>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct TestsGate {
    pub enabled: bool,
    pub blocking: bool,
    /// The tier whose wall time is capped (the critical path).
    pub critical_tier: String,
    /// Its budget, e.g. "30s" (default: the tier's own `budget` in `[tiers]`, else 30 s).
    pub critical_budget: Option<String>,
    /// Optional cap on the whole run's wall time, e.g. "15m".
    pub max_duration: Option<String>,
    /// Test ids (`suite::id`) left out of the verdict (quarantined).
    pub quarantine: Vec<String>,
}

impl Default for TestsGate {
    fn default() -> Self {
        TestsGate {
            enabled: true,
            blocking: true,
            critical_tier: "smoke".into(),
            critical_budget: None,
            max_duration: None,
            quarantine: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct CoverageGate {
    pub enabled: bool,
    pub blocking: bool,
    /// Overall line coverage ≥ min (percent).
    pub min: Option<f64>,
    /// Coverage of changed lines ≥ changed_lines_min (percent).
    pub changed_lines_min: Option<f64>,
    /// No drop of more than this many points below the base's recorded coverage.
    pub max_drop: Option<f64>,
}

impl Default for CoverageGate {
    fn default() -> Self {
        CoverageGate {
            enabled: true,
            blocking: true,
            min: Some(85.0),
            changed_lines_min: Some(90.0),
            max_drop: Some(1.0),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct PerfGate {
    pub enabled: bool,
    pub blocking: bool,
    /// "15%" or 15.
    pub max_regression: Percent,
}

impl Default for PerfGate {
    fn default() -> Self {
        PerfGate {
            enabled: true,
            blocking: true,
            max_regression: Percent(15.0),
        }
    }
}

/// A percentage written as `"15%"` or `15`.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Percent(pub f64);

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum P {
            N(f64),
            I(i64),
            S(String),
        }
        match P::deserialize(d)? {
            P::N(f) => Ok(Percent(f)),
            P::I(i) => Ok(Percent(i as f64)),
            P::S(s) => s
                .trim()
                .trim_end_matches('%')
                .trim()
                .parse()
                .map(Percent)
                .map_err(|_| {
                    serde::de::Error::custom(format!("`{s}` is not a percentage like \"15%\""))
                }),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct SecurityGate {
    pub enabled: bool,
    pub blocking: bool,
    pub max_critical: u64,
    pub max_high: Option<u64>,
    /// Findings whose severity is unknown (pip-audit without advisory data); unlimited by default.
    pub max_unknown: Option<u64>,
    /// Fail on any finding at or above this severity (`low`, `medium`, `high`, `critical`).
    pub fail_on: Option<rigor_supply::severity::Severity>,
}

impl Default for SecurityGate {
    fn default() -> Self {
        SecurityGate {
            enabled: true,
            blocking: true,
            max_critical: 0,
            max_high: None,
            max_unknown: None,
            fail_on: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct MutationGate {
    pub enabled: bool,
    pub blocking: bool,
    pub min_score: f64,
}

impl Default for MutationGate {
    fn default() -> Self {
        MutationGate {
            enabled: true,
            blocking: false,
            min_score: 85.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct LintGate {
    pub enabled: bool,
    pub blocking: bool,
    /// SARIF results of level `error` that are not security findings.
    pub max_errors: u64,
    pub max_warnings: Option<u64>,
    /// Command suites whose failing tests are lint/syntax errors (e.g. `[[suite]] name = "lint"`).
    pub suites: Vec<String>,
}

impl Default for LintGate {
    fn default() -> Self {
        LintGate {
            enabled: true,
            blocking: true,
            max_errors: 0,
            max_warnings: None,
            suites: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Criticality {
    Critical,
    Core,
    Extended,
}

impl Criticality {
    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::Core => "core",
            Criticality::Extended => "extended",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LevelThresholds {
    pub coverage_min: Option<f64>,
    pub changed_lines_min: Option<f64>,
    pub mutation_min: Option<f64>,
    pub blocking: Option<bool>,
}

/// `[components.NAME]`: path globs with a criticality and optional own thresholds.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Component {
    pub paths: Vec<String>,
    pub criticality: Criticality,
    #[serde(default)]
    pub coverage_min: Option<f64>,
    #[serde(default)]
    pub changed_lines_min: Option<f64>,
    #[serde(default)]
    pub mutation_min: Option<f64>,
    #[serde(default)]
    pub blocking: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct ComponentsConfig(pub BTreeMap<String, Component>);

/// Resolved components: matched in order of criticality, then name; first match wins.
pub struct Components {
    pub list: Vec<(String, Component, GlobSet)>,
}

impl Components {
    pub fn build(cfg: &ComponentsConfig) -> Result<Components> {
        let mut list = Vec::new();
        for (name, c) in &cfg.0 {
            let mut b = GlobSetBuilder::new();
            for p in &c.paths {
                b.add(Glob::new(p).map_err(|e| {
                    GateError::usage(
                        format!("[components.{name}] path glob `{p}` is invalid: {e}"),
                        "globs are like \"src/payments/**\" (relative to the repository root)",
                    )
                })?);
            }
            let set = b.build().map_err(|e| {
                GateError::usage(format!("[components.{name}]: {e}"), "check the globs")
            })?;
            list.push((name.clone(), c.clone(), set));
        }
        list.sort_by(|a, b| {
            a.1.criticality
                .cmp(&b.1.criticality)
                .then_with(|| a.0.cmp(&b.0))
        });
        Ok(Components { list })
    }

    /// The component of a repository-relative path.
    pub fn of(&self, path: &str) -> Option<usize> {
        self.list.iter().position(|(_, _, g)| g.is_match(path))
    }
}

/// `[artifacts]`: where to find inputs when no flag names them. Each list is tried in order and
/// the first existing file is used (relative to the project root); flags add files explicitly.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ArtifactsConfig {
    pub coverage: Vec<String>,
    pub junit: Vec<String>,
    /// All existing files are read (several scanners).
    pub sarif: Vec<String>,
    /// All existing files are read.
    pub audit: Vec<String>,
    pub mutation: Vec<String>,
    pub perf: Vec<String>,
    /// Offline OSV advisory data (directory of JSON entries or one JSON file) to rate pip-audit.
    pub advisories: Option<String>,
}

impl Default for ArtifactsConfig {
    fn default() -> Self {
        let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
        ArtifactsConfig {
            coverage: v(&[
                "coverage.xml",
                "coverage.json",
                "lcov.info",
                "coverage/lcov.info",
                "target/llvm-cov/lcov.info",
            ]),
            junit: Vec::new(),
            sarif: v(&[
                "results.sarif",
                "rigor-lint.sarif",
                "clippy.sarif",
                "ruff.sarif",
                "semgrep.sarif",
            ]),
            audit: v(&[
                ".rigor/audit.json",
                "rigor-audit.json",
                "cargo-audit.json",
                "pip-audit.json",
                "osv-scanner.json",
            ]),
            mutation: v(&[
                "mutants.out/outcomes.json",
                "reports/mutation/mutation.json",
                "mutants/mutmut-cicd-stats.json",
                "mutmut-cicd-stats.json",
            ]),
            perf: v(&[".rigor/perf-compare.json", "perf-compare.json"]),
            advisories: None,
        }
    }
}

/// `[report]`: outputs written by `rigor gate` / `rigor ci` (paths relative to the project root).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ReportConfig {
    pub markdown: Option<String>,
    pub json: Option<String>,
    pub junit: Option<String>,
    pub sarif: Option<String>,
    pub gitlab: Option<String>,
    pub html: Option<String>,
    /// Print GitHub annotations and append to $GITHUB_STEP_SUMMARY: "auto" (when
    /// GITHUB_ACTIONS=true), "always" or "never".
    pub github: String,
    /// Runs shown in trends.
    pub trend_runs: usize,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            markdown: None,
            json: None,
            junit: None,
            sarif: None,
            gitlab: None,
            html: None,
            github: "auto".into(),
            trend_runs: 20,
        }
    }
}

/// All sections, read with unknown-key warnings.
pub struct Settings {
    pub gates: GatesConfig,
    pub components: ComponentsConfig,
    pub artifacts: ArtifactsConfig,
    pub report: ReportConfig,
}

impl Settings {
    pub fn load(config: &rigor_model::Config) -> Result<(Settings, Vec<String>)> {
        let mut warnings = Vec::new();
        let (gates, w) = config.section::<GatesConfig>("gates")?;
        warnings.extend(w);
        let (components, w) = config.section::<ComponentsConfig>("components")?;
        warnings.extend(w);
        let (artifacts, w) = config.section::<ArtifactsConfig>("artifacts")?;
        warnings.extend(w);
        let (report, w) = config.section::<ReportConfig>("report")?;
        warnings.extend(w);
        for k in gates.criticality.keys() {
            if !["critical", "core", "extended"].contains(&k.as_str()) {
                return Err(config
                    .error_at(
                        &format!("gates.criticality.{k}"),
                        format!("`{k}` is not a criticality"),
                        "use critical, core or extended",
                    )
                    .into());
            }
        }
        for (key, value) in [
            ("gates.tests.critical_budget", &gates.tests.critical_budget),
            ("gates.tests.max_duration", &gates.tests.max_duration),
        ] {
            if let Some(v) = value
                && parse_seconds(v).is_none()
            {
                return Err(config
                    .error_at(
                        key,
                        format!("`{v}` is not a duration"),
                        "e.g. \"30s\", \"2m\", \"1h30m\"",
                    )
                    .into());
            }
        }
        if !["auto", "always", "never"].contains(&report.github.as_str()) {
            return Err(config
                .error_at(
                    "report.github",
                    format!("`{}` is not auto, always or never", report.github),
                    "report.github = \"auto\"",
                )
                .into());
        }
        Ok((
            Settings {
                gates,
                components,
                artifacts,
                report,
            },
            warnings,
        ))
    }
}

/// Parse "30s", "2m", "1h30m", "1.5s" into seconds.
pub fn parse_seconds(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(v) = s.parse::<f64>() {
        return Some(v);
    }
    let mut total = 0.0;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push(chars.next()?);
        }
        let v: f64 = num.parse().ok()?;
        num.clear();
        total += v * match unit.as_str() {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        any = true;
    }
    (num.is_empty() && any).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::parse_seconds;

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("30s"), Some(30.0));
        assert_eq!(parse_seconds("1m30s"), Some(90.0));
        assert_eq!(parse_seconds("250ms"), Some(0.25));
        assert_eq!(parse_seconds("12"), Some(12.0));
        assert_eq!(parse_seconds("5 parsecs"), None);
    }
}
