//! Layered configuration: built-in defaults < `rigor.toml` < `RIGOR_*` environment < flags.
//!
//! Core sections (`store`, `run`, `python`, `suite`) are typed here. Other areas (perf, gates, …)
//! read their own section with [`Config::section`], which warns about unknown keys in it too.

use crate::duration::parse_duration;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// The commented defaults of the core sections, embedded in the binary.
pub const CORE_DEFAULTS: &str = include_str!("../defaults.toml");

/// File name rigor looks for, walking up from the working directory.
pub const CONFIG_FILE: &str = "rigor.toml";

/// Top-level sections owned by other areas; validated when those areas read them.
pub const AREA_SECTIONS: &[&str] = &[
    "tiers",
    "select",
    "flaky",
    "ci",
    "perf",
    "gates",
    "components",
    "alerts",
    "artifacts",
    "report",
    "mutate",
    "audit",
    "chaos",
    "rollout",
];

/// Workers per CPU rigor may start at most (see [`Config::max_jobs`]).
pub const JOBS_PER_CPU: usize = 4;
/// The maximum number of workers is never below this, however few CPUs.
pub const MIN_MAX_JOBS: usize = 8;

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{file}:{line}: {message}\n  hint: {hint}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
        hint: String,
    },
    #[error("{origin}: {message}\n  hint: {hint}")]
    Value {
        origin: String,
        message: String,
        hint: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct StoreConfig {
    pub url: String,
    /// `rigor store prune`: keep runs started within this many days…
    #[serde(default)]
    pub keep_days: Option<f64>,
    /// …and the newest this many runs (see docs/store.md).
    #[serde(default)]
    pub keep_runs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RunConfig {
    pub jobs: u32,
    pub timeout: String,
    pub retries: u32,
    pub fail_fast: bool,
    pub keep_output: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PythonConfig {
    pub interpreter: String,
}

/// `[mutate]`: mutation testing (`rigor mutate`; `rigor ci` runs it on the change in the
/// advanced tier when the section is present).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct MutateConfig {
    /// Files or directories to mutate, relative to the suite root (empty: every Python file
    /// outside the tests).
    pub paths: Vec<String>,
    /// Globs of files never mutated (relative to the suite root).
    pub exclude: Vec<String>,
    /// A mutant's tests may take this many times their measured duration …
    pub timeout_factor: f64,
    /// … plus this many seconds, before the mutant counts as a timeout.
    pub timeout_extra: f64,
    /// Workers (0: `run.jobs`).
    pub jobs: u32,
    /// `rigor mutate` exits 1 when the score is below this (percent); none by default.
    pub min_score: Option<f64>,
    /// Where `rigor ci` writes the Stryker report of its `mutate --diff` step (relative to the
    /// project root; the mutation gate reads this path by default).
    pub output: String,
}

impl Default for MutateConfig {
    fn default() -> Self {
        MutateConfig {
            paths: Vec::new(),
            exclude: Vec::new(),
            timeout_factor: 3.0,
            timeout_extra: 2.0,
            jobs: 0,
            min_score: None,
            output: "reports/mutation/mutation.json".into(),
        }
    }
}

impl MutateConfig {
    /// `[mutate]` of the configuration, with warnings, and whether the section is present.
    pub fn from_config(config: &Config) -> Result<(MutateConfig, Vec<String>, bool), ConfigError> {
        let present = config.raw("mutate").is_some();
        let (c, w): (MutateConfig, _) = config.section("mutate")?;
        if !(c.timeout_factor >= 1.0 && c.timeout_factor.is_finite()) {
            return Err(config.error_at(
                "mutate.timeout_factor",
                format!(
                    "timeout_factor must be at least 1, not {}",
                    c.timeout_factor
                ),
                "e.g. timeout_factor = 3.0",
            ));
        }
        if !(c.timeout_extra >= 0.0 && c.timeout_extra.is_finite()) {
            return Err(config.error_at(
                "mutate.timeout_extra",
                format!(
                    "timeout_extra must be 0 or more seconds, not {}",
                    c.timeout_extra
                ),
                "e.g. timeout_extra = 2.0",
            ));
        }
        if let Some(s) = c.min_score
            && !(0.0..=100.0).contains(&s)
        {
            return Err(config.error_at(
                "mutate.min_score",
                format!("min_score is a percentage, not {s}"),
                "e.g. min_score = 85",
            ));
        }
        Ok((c, w, present))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuiteKind {
    Pytest,
    Nextest,
    CargoTest,
    Command,
}

impl SuiteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuiteKind::Pytest => "pytest",
            SuiteKind::Nextest => "nextest",
            SuiteKind::CargoTest => "cargo-test",
            SuiteKind::Command => "command",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct SuiteConfig {
    pub name: String,
    pub kind: SuiteKind,
    #[serde(default = "dot")]
    pub root: String,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub setup: Vec<String>,
    #[serde(default)]
    pub timeout: Option<String>,
    /// `command` suites: test name → shell command.
    #[serde(default)]
    pub commands: BTreeMap<String, String>,
    /// Extra environment for the suite's processes.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
}

fn dot() -> String {
    ".".into()
}

/// `[chaos]`: fault-injection proxies that rigor starts before `chaos`-marked tests run
/// (docs/release.md). Read with `config.section::<ChaosConfig>("chaos")`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChaosConfig {
    /// Address of the Toxiproxy-compatible API for the tests (`127.0.0.1:0`: any free port).
    pub api: Option<String>,
    /// The proxies (`[[chaos.proxy]]`).
    pub proxy: Vec<ChaosProxyConfig>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChaosProxyConfig {
    pub name: String,
    /// Where the proxy listens (default `127.0.0.1:0`, any free port).
    pub listen: Option<String>,
    /// The real service, `HOST:PORT`.
    pub upstream: String,
    pub enabled: Option<bool>,
    pub toxics: Vec<ChaosToxicConfig>,
}

/// A toxic with Toxiproxy's fields.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ChaosToxicConfig {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub stream: Option<String>,
    pub toxicity: Option<f64>,
    pub attributes: toml::Table,
}

/// `[rollout]`: blue-green rollouts behind rigor's reverse proxy (docs/release.md). Durations
/// are strings like `30s`; flags of `rigor rollout` override each key.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct RolloutConfig {
    /// Where the reverse proxy listens.
    pub listen: String,
    /// Address of the control API (`rigor rollout status|promote|abort`).
    pub control: String,
    pub blue: RolloutSide,
    pub green: RolloutSide,
    /// GET path answered 2xx by a healthy service.
    pub health_path: String,
    /// How long a service may take to become healthy.
    pub health_timeout: String,
    /// Share of traffic (percent) sent to green at each step; the last step must be 100.
    pub steps: Vec<u32>,
    /// How long each step is analysed before the next (the bake of the last step).
    pub step_time: String,
    /// Blue's traffic measured before the first step, the baseline of the analysis.
    pub baseline_time: String,
    /// Seconds between two analyses during a step.
    pub interval: String,
    /// Fewest requests of each side an analysis needs.
    pub min_requests: u64,
    /// Significance level of the tests (Mann-Whitney U, error-rate z-test).
    pub alpha: f64,
    /// Largest tolerated rise of green's error rate over blue's, in percentage points.
    pub max_error_increase: f64,
    /// Largest tolerated rise of green's median latency over blue's, in percent.
    pub max_latency_increase: f64,
    /// Longest wait for in-flight requests of the side traffic leaves.
    pub drain_timeout: String,
    /// Consecutive failing analyses that roll back (1: the first one does).
    pub failure_limit: u32,
}

impl Default for RolloutConfig {
    fn default() -> Self {
        RolloutConfig {
            listen: "127.0.0.1:8080".into(),
            control: "127.0.0.1:8479".into(),
            blue: RolloutSide::default(),
            green: RolloutSide::default(),
            health_path: "/health".into(),
            health_timeout: "30s".into(),
            steps: vec![50, 100],
            step_time: "60s".into(),
            baseline_time: "10s".into(),
            interval: "1s".into(),
            min_requests: 50,
            alpha: 0.01,
            max_error_increase: 2.0,
            max_latency_increase: 15.0,
            drain_timeout: "30s".into(),
            failure_limit: 2,
        }
    }
}

/// One side of a rollout: a running service's address, or a command that starts it (with
/// `addr` where it will listen).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct RolloutSide {
    pub addr: Option<String>,
    pub command: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Core {
    store: StoreConfig,
    run: RunConfig,
    python: PythonConfig,
    #[serde(default)]
    suite: Vec<SuiteConfig>,
}

/// The effective configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub run: RunConfig,
    pub python: PythonConfig,
    /// Configured suites; empty means "detect".
    pub suites: Vec<SuiteConfig>,
    /// Project root: the directory of `rigor.toml`, else the starting directory.
    pub root: PathBuf,
    /// The `rigor.toml` read, if any.
    pub file: Option<PathBuf>,
    file_text: Option<String>,
    merged: toml::Table,
    /// Warnings found while loading (unknown keys …), each with file:line where known.
    pub warnings: Vec<String>,
}

impl Config {
    /// Find `rigor.toml` from `start` upwards and load all layers.
    pub fn discover(start: &Path, defaults: &str) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with("RIGOR_"))
            .collect();
        let mut dir = Some(start);
        while let Some(d) = dir {
            let candidate = d.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::load(defaults, Some(&candidate), d, &env);
            }
            dir = d.parent();
        }
        Config::load(defaults, None, start, &env)
    }

    /// Load defaults, an optional file and environment overrides.
    pub fn load(
        defaults: &str,
        file: Option<&Path>,
        root: &Path,
        env: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        let mut merged: toml::Table = toml::from_str(defaults).map_err(|e| ConfigError::Value {
            origin: "built-in defaults".into(),
            message: e.to_string(),
            hint: "this is a bug in rigor; please report it".into(),
        })?;
        let mut file_text = None;
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.display().to_string(),
                source,
            })?;
            let table: toml::Table =
                toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
            merge_file(&mut merged, table);
            file_text = Some(text);
        }
        apply_env(&mut merged, env)?;

        let mut warnings = Vec::new();
        let file_label = file
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "defaults".into());
        let mut unknown = Vec::new();
        let core: Core = deserialize_located(&merged, &mut unknown).map_err(|(key, msg)| {
            located(
                file,
                file_text.as_deref(),
                &key,
                msg,
                "see the commented defaults: `rigor init --print`",
            )
        })?;
        for path in unknown {
            let top = path.split('.').next().unwrap_or("");
            if AREA_SECTIONS.contains(&top) {
                continue;
            }
            let line = file_text.as_deref().and_then(|t| locate_key(t, &path));
            warnings.push(match line {
                Some(l) => format!("{file_label}:{l}: unknown key `{path}` ignored"),
                None => format!("{file_label}: unknown key `{path}` ignored"),
            });
        }
        let cfg = Config {
            store: core.store,
            run: core.run,
            python: core.python,
            suites: core.suite,
            root: root.to_path_buf(),
            file: file.map(Path::to_path_buf),
            file_text,
            merged,
            warnings,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.timeout_for(None).map(|_| ())?;
        Config::check_jobs(self.run.jobs as usize)
            .map_err(|m| self.error_at("run.jobs", m, "use 0 for one worker per CPU"))?;
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.suites.iter().enumerate() {
            let path = format!("suite.{i}.name");
            if !seen.insert(s.name.clone()) {
                return Err(self.error_at(
                    &path,
                    format!("suite name `{}` is used twice", s.name),
                    "give each [[suite]] its own name",
                ));
            }
            if s.kind == SuiteKind::Command && s.commands.is_empty() {
                return Err(self.error_at(
                    &path,
                    format!(
                        "suite `{}` is of kind `command` but has no `commands`",
                        s.name
                    ),
                    "add e.g. commands = { lint = \"ruff check .\" }",
                ));
            }
            self.timeout_for(Some(s))?;
        }
        Ok(())
    }

    /// The per-test timeout of a suite (or of the run).
    pub fn timeout_for(&self, suite: Option<&SuiteConfig>) -> Result<Duration, ConfigError> {
        let (text, key) = match suite.and_then(|s| s.timeout.as_deref()) {
            Some(t) => (t, "timeout"),
            None => (self.run.timeout.as_str(), "run.timeout"),
        };
        parse_duration(text).map_err(|m| self.error_at(key, m, "e.g. timeout = \"5m\""))
    }

    /// An error about the value at `key` (dotted path), located in the file when possible.
    pub fn error_at(&self, key: &str, message: impl Into<String>, hint: &str) -> ConfigError {
        located(
            self.file.as_deref(),
            self.file_text.as_deref(),
            key,
            message.into(),
            hint,
        )
    }

    /// Read an area's section (`[gates]`, `[perf]`, …) into its own type. Missing sections give
    /// `T::default()`. Unknown keys become warnings with file:line; type errors are located too.
    pub fn section<T: DeserializeOwned + Default>(
        &self,
        name: &str,
    ) -> Result<(T, Vec<String>), ConfigError> {
        let Some(value) = self.merged.get(name) else {
            return Ok((T::default(), Vec::new()));
        };
        let mut wrapped = toml::Table::new();
        wrapped.insert(name.to_string(), value.clone());
        let mut unknown = Vec::new();
        let value: Section<T> =
            deserialize_located(&wrapped, &mut unknown).map_err(|(key, msg)| {
                self.error_at(&key, msg, &format!("see the documentation of [{name}]"))
            })?;
        let value = value.0;
        let label = self
            .file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "defaults".into());
        let warnings = unknown
            .into_iter()
            .map(|p| match p.split_once('.') {
                Some((_, rest)) => format!("{name}.{rest}"),
                None => name.to_string(),
            })
            .map(
                |p| match self.file_text.as_deref().and_then(|t| locate_key(t, &p)) {
                    Some(l) => format!("{label}:{l}: unknown key `{p}` ignored"),
                    None => format!("{label}: unknown key `{p}` ignored"),
                },
            )
            .collect();
        Ok((value, warnings))
    }

    /// The raw merged value at a dotted path (for areas that need a single value).
    pub fn raw(&self, path: &str) -> Option<&toml::Value> {
        let mut parts = path.split('.');
        let mut cur = self.merged.get(parts.next()?)?;
        for p in parts {
            cur = cur.get(p)?;
        }
        Some(cur)
    }

    /// Effective number of workers.
    pub fn jobs(&self) -> usize {
        self.jobs_or(None)
    }

    /// The most workers this machine may run: [`JOBS_PER_CPU`] per CPU, and at least
    /// [`MIN_MAX_JOBS`].
    pub fn max_jobs() -> usize {
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        (cpus * JOBS_PER_CPU).max(MIN_MAX_JOBS)
    }

    /// `jobs` if this machine may run that many workers, else a message saying the maximum.
    pub fn check_jobs(jobs: usize) -> Result<usize, String> {
        let max = Config::max_jobs();
        if jobs > max {
            return Err(format!(
                "{jobs} workers is more than this machine may run: at most {max} ({JOBS_PER_CPU} per CPU, at least {MIN_MAX_JOBS})"
            ));
        }
        Ok(jobs)
    }

    /// The worker count: the `--jobs` flag, else `[run].jobs`; 0 means one per CPU.
    pub fn jobs_or(&self, flag: Option<usize>) -> usize {
        match flag.unwrap_or(self.run.jobs as usize) {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            n => n,
        }
    }

    /// Path of the SQLite history, or an error for unsupported URLs.
    pub fn sqlite_path(&self) -> Result<PathBuf, ConfigError> {
        let url = &self.store.url;
        if let Some(rest) = url.strip_prefix("sqlite://") {
            let p = Path::new(rest);
            return Ok(if p.is_absolute() {
                p.to_path_buf()
            } else {
                self.root.join(p)
            });
        }
        if self.postgres_url().is_some() {
            return Err(self.error_at(
                "store.url",
                "this command needs the SQLite history for now; store.url is PostgreSQL",
                "run it with RIGOR_STORE_URL=sqlite://.rigor/history.db (see docs/store.md)",
            ));
        }
        Err(self.error_at(
            "store.url",
            format!("store URL `{}` is not supported", redact_url(url)),
            "use sqlite://PATH or postgres://USER@HOST:PORT/DATABASE",
        ))
    }

    /// The PostgreSQL URL when store.url names a PostgreSQL history.
    pub fn postgres_url(&self) -> Option<&str> {
        let url = self.store.url.as_str();
        (url.starts_with("postgres://") || url.starts_with("postgresql://")).then_some(url)
    }
}

/// A URL without the password of its user information.
fn redact_url(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| {
        let (userinfo, host) = rest.split_once('@')?;
        let (user, _) = userinfo.split_once(':')?;
        Some(format!("{scheme}://{user}:***@{host}"))
    }) {
        Some(r) => r,
        None => url.to_string(),
    }
}

fn located(
    file: Option<&Path>,
    text: Option<&str>,
    key: &str,
    message: String,
    hint: &str,
) -> ConfigError {
    match (file, text.and_then(|t| locate_key(t, key))) {
        (Some(f), Some(line)) => ConfigError::Invalid {
            file: f.display().to_string(),
            line,
            message: format!("`{key}`: {message}"),
            hint: hint.into(),
        },
        (Some(f), None) => ConfigError::Value {
            origin: f.display().to_string(),
            message: format!("`{key}`: {message}"),
            hint: hint.into(),
        },
        (None, _) => ConfigError::Value {
            origin: "configuration (defaults and RIGOR_* environment)".into(),
            message: format!("`{key}`: {message}"),
            hint: hint.into(),
        },
    }
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
        .unwrap_or(1);
    ConfigError::Invalid {
        file: path.display().to_string(),
        line,
        message: e.message().to_string(),
        hint: "fix the TOML syntax; `rigor init --print` shows a valid file".into(),
    }
}

/// Deserialize a table through TOML text so that a type error carries a span; the span gives the
/// dotted key, which is then located in the user's file. Unknown keys go to `unknown`.
fn deserialize_located<T: DeserializeOwned>(
    table: &toml::Table,
    unknown: &mut Vec<String>,
) -> Result<T, (String, String)> {
    let text = toml::to_string(table).map_err(|e| (String::new(), e.to_string()))?;
    let de =
        toml::Deserializer::parse(&text).map_err(|e| (String::new(), e.message().to_string()))?;
    serde_ignored::deserialize(de, |p| unknown.push(p.to_string())).map_err(|e: toml::de::Error| {
        let key = e
            .span()
            .map(|s| dotted_key_at(&text, s.start))
            .unwrap_or_default();
        (key, e.message().to_string())
    })
}

/// The dotted key defined on the line containing byte `offset` of TOML text.
fn dotted_key_at(text: &str, offset: usize) -> String {
    let mut header = String::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let end = line_start + line.len();
        let t = line.trim();
        if t.starts_with('[') {
            header = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
        }
        if offset < end {
            let key = t
                .split_once('=')
                .map(|(k, _)| k.trim().trim_matches('"').to_string())
                .unwrap_or_default();
            return match (header.is_empty(), key.is_empty()) {
                (true, _) => key,
                (false, true) => header,
                (false, false) => format!("{header}.{key}"),
            };
        }
        line_start = end;
    }
    header
}

/// Wrapper so an area's section deserializes from `{ name = … }` with a located error.
struct Section<T>(T);

impl<'de, T: DeserializeOwned> Deserialize<'de> for Section<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: DeserializeOwned> serde::de::Visitor<'de> for V<T> {
            type Value = Section<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table with one section")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Self::Value, A::Error> {
                let (_, v): (String, T) = map
                    .next_entry()?
                    .ok_or_else(|| serde::de::Error::custom("empty section"))?;
                Ok(Section(v))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// Sections that a file replaces as a whole instead of merging key by key.
const REPLACED_SECTIONS: &[&str] = &["tiers"];

fn merge_file(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        if REPLACED_SECTIONS.contains(&k.as_str()) {
            base.insert(k, v);
        } else {
            merge(base, toml::Table::from_iter([(k, v)]));
        }
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// `RIGOR_<SECTION>_<KEY>` overrides any scalar key present in a section.
fn apply_env(merged: &mut toml::Table, env: &[(String, String)]) -> Result<(), ConfigError> {
    for (name, raw) in env {
        let Some(rest) = name.strip_prefix("RIGOR_") else {
            continue;
        };
        let rest = rest.to_ascii_lowercase();
        let mut hit = None;
        for (section, value) in merged.iter() {
            if let toml::Value::Table(t) = value {
                for key in t.keys() {
                    if rest == format!("{section}_{key}") {
                        hit = Some((section.clone(), key.clone()));
                    }
                }
            }
        }
        let Some((section, key)) = hit else { continue };
        let table = merged
            .get_mut(&section)
            .and_then(|v| v.as_table_mut())
            .expect("section exists");
        let old = &table[&key];
        let new = coerce(raw, old).map_err(|m| ConfigError::Value {
            origin: format!("environment variable {name}"),
            message: m,
            hint: format!("{name} overrides `{section}.{key}`; give it a value of the same type"),
        })?;
        table.insert(key, new);
    }
    Ok(())
}

fn coerce(raw: &str, like: &toml::Value) -> Result<toml::Value, String> {
    Ok(match like {
        toml::Value::Integer(_) => toml::Value::Integer(
            raw.trim()
                .parse()
                .map_err(|_| format!("`{raw}` is not an integer"))?,
        ),
        toml::Value::Float(_) => toml::Value::Float(
            raw.trim()
                .parse()
                .map_err(|_| format!("`{raw}` is not a number"))?,
        ),
        toml::Value::Boolean(_) => toml::Value::Boolean(match raw.trim() {
            "1" | "true" | "yes" | "on" => true,
            "0" | "false" | "no" | "off" => false,
            _ => return Err(format!("`{raw}` is not a boolean")),
        }),
        _ => toml::Value::String(raw.to_string()),
    })
}

/// 1-based line where a dotted key is defined in TOML text (best effort, falls back to prefixes).
pub fn locate_key(text: &str, dotted: &str) -> Option<usize> {
    let parts: Vec<&str> = dotted
        .split('.')
        .filter(|p| p.parse::<usize>().is_err())
        .collect();
    for n in (1..=parts.len()).rev() {
        if let Some(l) = locate_exact(text, &parts[..n]) {
            return Some(l);
        }
    }
    None
}

fn locate_exact(text: &str, parts: &[&str]) -> Option<usize> {
    let mut header: Vec<String> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            continue;
        }
        if t.starts_with('[') {
            let name = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            header = name.split('.').map(|s| s.trim().to_string()).collect();
            if header.iter().map(String::as_str).eq(parts.iter().copied()) {
                return Some(i + 1);
            }
            continue;
        }
        let Some((lhs, _)) = t.split_once('=') else {
            continue;
        };
        let mut full: Vec<String> = header.clone();
        full.extend(
            lhs.trim()
                .split('.')
                .map(|s| s.trim().trim_matches('"').to_string()),
        );
        if full.iter().map(String::as_str).eq(parts.iter().copied()) {
            return Some(i + 1);
        }
        // inline tables: `perf = { max_regression = "15%" }`
        if full.len() < parts.len()
            && full
                .iter()
                .map(String::as_str)
                .eq(parts[..full.len()].iter().copied())
        {
            let last = parts[parts.len() - 1];
            if t.contains(&format!("{last} =")) || t.contains(&format!("{last}=")) {
                return Some(i + 1);
            }
        }
    }
    None
}

impl crate::exit::HasExitCode for ConfigError {
    fn exit_code(&self) -> i32 {
        crate::exit::USAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(CONFIG_FILE);
        std::fs::write(&p, text).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        Config::load(CORE_DEFAULTS, Some(&p), dir.path(), &env)
    }

    #[test]
    fn defaults_alone_are_valid() {
        let c = Config::load(CORE_DEFAULTS, None, Path::new("/x"), &[]).unwrap();
        assert_eq!(c.run.retries, 0);
        assert!(c.suites.is_empty());
        assert_eq!(c.timeout_for(None).unwrap(), Duration::from_secs(300));
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn layers_file_then_env() {
        let c = load_text("[run]\njobs = 3\nretries = 1\n", &[("RIGOR_RUN_JOBS", "7")]).unwrap();
        assert_eq!(c.run.jobs, 7, "env beats file");
        assert_eq!(c.run.retries, 1, "file beats defaults");
        assert_eq!(c.run.timeout, "5m", "defaults fill the rest");
    }

    #[test]
    fn unknown_keys_are_warned_with_line() {
        let c = load_text("[run]\njobs = 2\nbogus = 1\n\n[gates]\nx = 1\n", &[]).unwrap();
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        assert!(
            c.warnings[0].contains(":3: unknown key `run.bogus`"),
            "{}",
            c.warnings[0]
        );
    }

    #[test]
    fn type_errors_name_file_line_and_key() {
        let err = load_text(
            "[store]\nurl = \"sqlite://x\"\n[run]\njobs = \"many\"\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("rigor.toml:4:"), "{err}");
        assert!(err.contains("jobs"), "{err}");
        assert!(err.contains("hint:"), "{err}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = load_text("[run]\njobs = = 2\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("rigor.toml:2:"), "{err}");
    }

    #[test]
    fn more_workers_than_the_machine_may_run_is_an_error() {
        let max = Config::max_jobs();
        assert!(max >= MIN_MAX_JOBS);
        assert_eq!(Config::check_jobs(max), Ok(max));
        let err = Config::check_jobs(100_000).unwrap_err();
        assert!(err.contains(&format!("at most {max}")), "{err}");
        let err = load_text("[run]\njobs = 100000\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:") && err.contains("run.jobs"), "{err}");
        assert!(err.contains("more than this machine may run"), "{err}");
        let err = load_text("", &[("RIGOR_RUN_JOBS", "100000")]).unwrap_err();
        assert!(err.to_string().contains("at most"), "{err}");
    }

    #[test]
    fn bad_timeout_is_located() {
        let err = load_text("[run]\ntimeout = \"5 parsecs\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:") && err.contains("run.timeout"), "{err}");
    }

    #[test]
    fn command_suite_needs_commands() {
        let err = load_text("[[suite]]\nname = \"lint\"\nkind = \"command\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("no `commands`"), "{err}");
    }

    #[test]
    fn env_with_wrong_type_is_an_error() {
        let err = load_text("", &[("RIGOR_RUN_JOBS", "lots")])
            .unwrap_err()
            .to_string();
        assert!(err.contains("RIGOR_RUN_JOBS"), "{err}");
    }

    #[test]
    fn tiers_keep_their_order_and_a_file_replaces_them() {
        let c = Config::load(CORE_DEFAULTS, None, Path::new("/x"), &[]).unwrap();
        let (t, _): (toml::Table, _) = c.section("tiers").unwrap();
        let names: Vec<&String> = t.keys().collect();
        assert_eq!(
            names,
            ["smoke", "fast", "standard", "advanced", "comprehensive"]
        );
        let c = load_text("[tiers]\nquick = { select = \"all()\" }\n", &[]).unwrap();
        let (t, _): (toml::Table, _) = c.section("tiers").unwrap();
        assert_eq!(t.keys().collect::<Vec<_>>(), ["quick"]);
    }

    #[test]
    fn area_sections_are_read_with_their_own_type() {
        #[derive(Deserialize, Default, Debug)]
        struct Gates {
            #[serde(default)]
            min: u32,
        }
        let c = load_text("[gates]\nmin = 85\nmax = 3\n", &[]).unwrap();
        let (g, warnings): (Gates, _) = c.section("gates").unwrap();
        assert_eq!(g.min, 85);
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains(":3: unknown key `gates.max`"),
            "{warnings:?}"
        );
    }
}

#[cfg(test)]
mod mutate_config_tests {
    use super::*;

    fn load(text: &str) -> Result<(MutateConfig, Vec<String>, bool), ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(CONFIG_FILE);
        std::fs::write(&p, text).unwrap();
        let c = Config::load(CORE_DEFAULTS, Some(&p), dir.path(), &[]).unwrap();
        MutateConfig::from_config(&c)
    }

    #[test]
    fn mutate_defaults_values_and_located_errors() {
        let (c, w, present) = load("").unwrap();
        assert!(!present && w.is_empty());
        assert_eq!(c, MutateConfig::default());
        let (c, w, present) =
            load("[mutate]\npaths = [\"pkg\"]\nmin_score = 80\nbogus = 1\n").unwrap();
        assert!(present);
        assert_eq!(
            (c.paths, c.min_score),
            (vec!["pkg".to_string()], Some(80.0))
        );
        assert!(w[0].contains(":4: unknown key `mutate.bogus`"), "{w:?}");
        let e = load("[mutate]\ntimeout_factor = 0.5\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:") && e.contains("timeout_factor"), "{e}");
        let e = load("[mutate]\nmin_score = 120\n").unwrap_err().to_string();
        assert!(e.contains("percentage"), "{e}");
    }
}
