//! The analyzer's configuration: `[gates] perf = { max_regression, warn }` (shared with the
//! gates area) and the `[perf]` section (significance, noise band, detection, per-benchmark
//! overrides, webhook).

use crate::changepoint::DetectSettings;
use crate::error::PerfError;
use crate::model::Direction;
use rigor_model::Config;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetectSection {
    max_pvalue: Option<f64>,
    min_magnitude: Option<toml::Value>,
    min_segment: Option<usize>,
    mode: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OverrideSection {
    max_regression: Option<toml::Value>,
    warn: Option<toml::Value>,
    noise: Option<toml::Value>,
    direction: Option<String>,
    unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PerfSection {
    significance: Option<f64>,
    noise: Option<toml::Value>,
    history_window: Option<usize>,
    base_branch: Option<String>,
    testbed: Option<String>,
    webhook: Option<String>,
    webhook_timeout_s: Option<f64>,
    detect: DetectSection,
    benchmarks: BTreeMap<String, OverrideSection>,
}

/// Thresholds that apply to one benchmark (fractions: 0.15 = 15 %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    pub max_regression: f64,
    pub warn: f64,
    pub noise: f64,
}

#[derive(Debug, Clone)]
pub struct Override {
    pub pattern: globset::GlobMatcher,
    pub max_regression: Option<f64>,
    pub warn: Option<f64>,
    pub noise: Option<f64>,
    pub direction: Option<Direction>,
    pub unit: Option<String>,
}

/// Effective settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub significance: f64,
    pub defaults: Thresholds,
    pub history_window: usize,
    pub base_branch: Option<String>,
    pub testbed: Option<String>,
    pub webhook: Option<String>,
    pub webhook_timeout_s: f64,
    pub detect: DetectSettings,
    pub overrides: Vec<Override>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            significance: 0.005,
            defaults: Thresholds {
                max_regression: 0.15,
                warn: 0.10,
                noise: 0.01,
            },
            history_window: 20,
            base_branch: None,
            testbed: None,
            webhook: None,
            webhook_timeout_s: 5.0,
            detect: DetectSettings::default(),
            overrides: Vec::new(),
        }
    }
}

/// `"15%"`, `"0.15"`? No: a string must carry `%`; a bare number is read as percent (15 → 15 %).
pub fn parse_percent(v: &toml::Value) -> Result<f64, String> {
    match v {
        toml::Value::String(s) => {
            let t = s.trim();
            let Some(num) = t.strip_suffix('%') else {
                return Err(format!("`{s}` is not a percentage"));
            };
            num.trim()
                .parse::<f64>()
                .map(|p| p / 100.0)
                .map_err(|_| format!("`{s}` is not a percentage"))
        }
        toml::Value::Integer(i) => Ok(*i as f64 / 100.0),
        toml::Value::Float(f) => Ok(*f / 100.0),
        other => Err(format!(
            "expected a percentage like \"15%\", found {}",
            other.type_str()
        )),
    }
}

impl Settings {
    pub fn load(config: &Config) -> Result<(Settings, Vec<String>), PerfError> {
        let (sec, warnings): (PerfSection, Vec<String>) = config.section("perf")?;
        let mut s = Settings::default();
        let pct = |key: &str, v: &toml::Value| -> Result<f64, PerfError> {
            let p = parse_percent(v)
                .map_err(|m| config.error_at(key, m, "write a percentage, e.g. \"15%\""))?;
            if !(0.0..=10.0).contains(&p) {
                return Err(config
                    .error_at(
                        key,
                        format!("{}% is out of range", p * 100.0),
                        "use a percentage between 0% and 1000%",
                    )
                    .into());
            }
            Ok(p)
        };
        if let Some(v) = config.raw("gates.perf.max_regression") {
            s.defaults.max_regression = pct("gates.perf.max_regression", v)?;
        }
        if let Some(v) = config.raw("gates.perf.warn") {
            s.defaults.warn = pct("gates.perf.warn", v)?;
        }
        if let Some(a) = sec.significance {
            if !(a > 0.0 && a < 0.5) {
                return Err(config
                    .error_at(
                        "perf.significance",
                        format!("{a} is not a significance level"),
                        "use e.g. significance = 0.01",
                    )
                    .into());
            }
            s.significance = a;
        }
        if let Some(v) = &sec.noise {
            s.defaults.noise = pct("perf.noise", v)?;
        }
        if let Some(w) = sec.history_window {
            s.history_window = w.max(1);
        }
        s.base_branch = sec.base_branch;
        s.testbed = sec.testbed;
        s.webhook = sec.webhook.filter(|w| !w.trim().is_empty());
        if let Some(t) = sec.webhook_timeout_s {
            // NaN (TOML `nan`) would survive the clamp and panic later.
            s.webhook_timeout_s = if t.is_nan() { 5.0 } else { t.clamp(0.1, 60.0) };
        }
        if let Some(p) = sec.detect.max_pvalue {
            if !(p > 0.0 && p < 1.0) {
                return Err(config
                    .error_at(
                        "perf.detect.max_pvalue",
                        format!("{p} is not a p-value"),
                        "use e.g. max_pvalue = 0.001",
                    )
                    .into());
            }
            s.detect.max_pvalue = p;
        }
        if let Some(v) = &sec.detect.min_magnitude {
            s.detect.min_magnitude = pct("perf.detect.min_magnitude", v)?;
        }
        if let Some(m) = sec.detect.min_segment {
            s.detect.min_segment = m.max(2);
        }
        if let Some(m) = &sec.detect.mode {
            s.detect.mode = crate::structure::Mode::parse(m).ok_or_else(|| {
                config.error_at(
                    "perf.detect.mode",
                    format!("unknown mode `{m}`"),
                    "use mode = \"auto\" (trend and period first) or \"steps\"",
                )
            })?;
        }
        for (pattern, o) in sec.benchmarks {
            let key = format!("perf.benchmarks.{pattern}");
            let glob = globset::Glob::new(&pattern)
                .map_err(|e| {
                    config.error_at(
                        &key,
                        format!("bad pattern: {e}"),
                        "use a benchmark name or a glob like \"parse/*\"",
                    )
                })?
                .compile_matcher();
            let direction = match &o.direction {
                Some(d) => Some(Direction::parse(d).ok_or_else(|| {
                    config.error_at(
                        &format!("{key}.direction"),
                        format!("unknown direction `{d}`"),
                        "use \"lower_is_better\" or \"higher_is_better\"",
                    )
                })?),
                None => None,
            };
            s.overrides.push(Override {
                pattern: glob,
                max_regression: o
                    .max_regression
                    .as_ref()
                    .map(|v| pct(&format!("{key}.max_regression"), v))
                    .transpose()?,
                warn: o
                    .warn
                    .as_ref()
                    .map(|v| pct(&format!("{key}.warn"), v))
                    .transpose()?,
                noise: o
                    .noise
                    .as_ref()
                    .map(|v| pct(&format!("{key}.noise"), v))
                    .transpose()?,
                direction,
                unit: o.unit,
            });
        }
        Ok((s, warnings))
    }

    fn matching(&self, name: &str) -> impl Iterator<Item = &Override> {
        self.overrides
            .iter()
            .filter(move |o| o.pattern.is_match(name))
    }

    /// The thresholds for a benchmark: the first matching override for each value, else defaults.
    pub fn thresholds(&self, name: &str) -> Thresholds {
        let mut t = self.defaults;
        if let Some(v) = self.matching(name).find_map(|o| o.max_regression) {
            t.max_regression = v;
        }
        if let Some(v) = self.matching(name).find_map(|o| o.warn) {
            t.warn = v;
        }
        if let Some(v) = self.matching(name).find_map(|o| o.noise) {
            t.noise = v;
        }
        t
    }

    pub fn direction_override(&self, name: &str) -> Option<Direction> {
        self.matching(name).find_map(|o| o.direction)
    }

    pub fn unit_override(&self, name: &str) -> Option<String> {
        self.matching(name).find_map(|o| o.unit.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rigor.toml");
        std::fs::write(&p, text).unwrap();
        Config::load(
            rigor_model::config::CORE_DEFAULTS,
            Some(&p),
            dir.path(),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn defaults_without_config() {
        let (s, w) = Settings::load(&config("")).unwrap();
        assert!(w.is_empty());
        assert_eq!(
            s.defaults,
            Thresholds {
                max_regression: 0.15,
                warn: 0.10,
                noise: 0.01
            }
        );
        assert_eq!(s.significance, 0.005);
    }

    #[test]
    fn gates_and_overrides() {
        let (s, w) = Settings::load(&config(
            "[gates]\nperf = { max_regression = \"20%\", warn = \"12%\" }\n\n[perf]\nnoise = \"2%\"\nbogus = 1\n\n[perf.benchmarks.\"parse/*\"]\nmax_regression = \"5%\"\n\n[perf.benchmarks.accuracy]\ndirection = \"higher_is_better\"\n",
        ))
        .unwrap();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("perf.bogus"), "{w:?}");
        assert_eq!(
            s.thresholds("render"),
            Thresholds {
                max_regression: 0.20,
                warn: 0.12,
                noise: 0.02
            }
        );
        assert_eq!(s.thresholds("parse/json").max_regression, 0.05);
        assert_eq!(
            s.direction_override("accuracy"),
            Some(Direction::HigherIsBetter)
        );
        assert_eq!(s.direction_override("render"), None);
    }

    #[test]
    fn bad_percent_is_located() {
        let err = Settings::load(&config("[gates]\nperf = { max_regression = \"lots\" }\n"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("rigor.toml:2"), "{err}");
        assert!(err.contains("max_regression"), "{err}");
    }
}
