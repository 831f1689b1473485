//! The `[select]` section of `rigor.toml`.
//!
//! ```toml
//! [select]
//! full_run_on = ["pyproject.toml", "**/conftest.py"]   # any change here runs everything
//! ignore = ["docs/**", "*.md"]                          # changes here select nothing
//! defaults = true                                       # also use the built-in lists below
//! coverage_map = "auto"                                 # record and use per-test coverage maps
//! [[select.rules]]                                      # path → selector
//! path = "schemas/**"
//! select = "path(tests/schema/**) | marker(schema)"
//! ```
//!
//! Rule selectors of the simple forms `all()`, `none()`, `path(glob)`, `test(text)`,
//! `suite(name)`, `marker(name)` joined by `|` are evaluated here; any other selector text is
//! returned in [`crate::Selection::deferred_rules`] for the planner to evaluate with the full
//! selector language.

use crate::error::{Result, SelectError};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

/// Files whose change makes every test run (unless `defaults = false`).
pub const DEFAULT_FULL_RUN_ON: &[&str] = &[
    "pyproject.toml",
    "**/pyproject.toml",
    "setup.py",
    "setup.cfg",
    "tox.ini",
    "pytest.ini",
    "noxfile.py",
    "MANIFEST.in",
    "requirements*.txt",
    "**/requirements*.txt",
    "constraints*.txt",
    "Pipfile",
    "Pipfile.lock",
    "poetry.lock",
    "uv.lock",
    "pdm.lock",
    ".python-version",
    "Cargo.lock",
    "rust-toolchain",
    "rust-toolchain.toml",
    ".cargo/config",
    ".cargo/config.toml",
];

/// Files whose change selects nothing (unless Python code names them as data).
pub const DEFAULT_IGNORE: &[&str] = &[
    "**/*.md",
    "**/*.rst",
    "docs/**",
    "doc/**",
    "LICENSE*",
    "COPYING*",
    "AUTHORS*",
    "CHANGELOG*",
    "CHANGES*",
    "HISTORY*",
    "NEWS*",
    "CONTRIBUTING*",
    "CODEOWNERS",
    ".gitignore",
    ".gitattributes",
    ".mailmap",
    ".editorconfig",
    ".pre-commit-config.yaml",
    ".readthedocs.y*ml",
    ".github/**",
    ".gitlab-ci.yml",
    ".gitlab/**",
    ".circleci/**",
    "**/*.pyi",
    "**/py.typed",
];

/// Files no test imports or reads — what tools, editors and rigor itself leave in a work tree —
/// as `(glob, what it is)`. A change to one selects nothing (unless `defaults = false`, or Python
/// code of a suite names the file as data), whether tracked or not: they are checked before the
/// suites analyse a path, so a `.coverage` beside root-level tests does not select them.
pub const DEFAULT_ARTIFACTS: &[(&str, &str)] = &[
    ("**/.coverage", "coverage data"),
    ("**/.coverage.*", "coverage data"),
    ("**/coverage.json", "coverage data"),
    ("**/coverage.xml", "coverage data"),
    ("**/lcov.info", "coverage data"),
    ("**/htmlcov/**", "coverage report"),
    ("**/report.html", "report"),
    ("**/rigor-report.html", "rigor's report"),
    ("**/junit.xml", "JUnit report"),
    ("**/rigor-junit.xml", "rigor's JUnit report"),
    ("**/*.sarif", "SARIF report"),
    ("**/*.swp", "editor swap file"),
    ("**/*.swo", "editor swap file"),
    ("**/*~", "editor backup file"),
    ("**/.DS_Store", "OS metadata"),
    ("**/Thumbs.db", "OS metadata"),
    ("**/.idea/**", "editor settings"),
    ("**/.vscode/**", "editor settings"),
    ("**/__pycache__/**", "Python bytecode cache"),
    ("**/*.pyc", "Python bytecode cache"),
    ("**/.pytest_cache/**", "pytest cache"),
    ("**/.mypy_cache/**", "mypy cache"),
    ("**/.ruff_cache/**", "ruff cache"),
    ("**/.rigor/**", "rigor's history and outputs"),
    ("rigor.toml", "rigor's configuration"),
];

/// A path → selector rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathRule {
    /// Glob over paths relative to the project root.
    pub path: String,
    /// Selector text (`path(tests/api/**) | marker(api)`).
    pub select: String,
}

/// `[select]` settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SelectConfig {
    pub full_run_on: Vec<String>,
    pub ignore: Vec<String>,
    pub rules: Vec<PathRule>,
    /// Add [`DEFAULT_FULL_RUN_ON`] and [`DEFAULT_IGNORE`] to the lists above.
    pub defaults: bool,
    /// Record per-test coverage maps and use them when fresh ([`CoverageMapMode`]).
    pub coverage_map: CoverageMapMode,
    /// What records the maps: rigor's block probes (default) or coverage.py.
    pub map_recorder: rigor_model::MapRecorder,
    /// Refine the Python graph by the changed functions and classes (see [`crate::symbols`]).
    pub symbols: bool,
    /// Record per-test coverage of Rust test binaries on full runs and narrow a Rust change to
    /// the tests covering its lines (see [`crate::rustcov`]).
    pub rust_coverage: bool,
}

/// `[select].coverage_map`: when pytest runs record the per-test coverage map and whether
/// selection uses it. `true` / `false` (the former form) read as `"auto"` / `"off"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CoverageMapMode {
    /// Record on every pytest run (with `map_recorder = "coverage"`: when coverage.py is
    /// importable in the suite's interpreter, silently skipped otherwise); use the map when it
    /// is fresh. The default: rigor's probes cost close to nothing (docs/selection.md).
    #[default]
    Auto,
    /// Never record (unless `rigor run --coverage-map`), never use.
    Off,
    /// Like `auto`, but a suite that cannot record (no coverage.py for the `coverage`
    /// recorder) is an error.
    Always,
}

impl CoverageMapMode {
    /// Parse the configuration value (`auto`, `off`, `always`, or a boolean).
    pub fn parse(text: &str) -> Option<CoverageMapMode> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" | "true" | "on" | "yes" | "1" => Some(CoverageMapMode::Auto),
            "off" | "false" | "no" | "0" | "never" => Some(CoverageMapMode::Off),
            "always" => Some(CoverageMapMode::Always),
            _ => None,
        }
    }

    /// Does selection read the map?
    pub fn uses_map(self) -> bool {
        self != CoverageMapMode::Off
    }

    /// Do pytest runs record the map?
    pub fn records(self) -> bool {
        self != CoverageMapMode::Off
    }
}

impl<'de> Deserialize<'de> for CoverageMapMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bool(bool),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Bool(true) => Ok(CoverageMapMode::Auto),
            Raw::Bool(false) => Ok(CoverageMapMode::Off),
            Raw::Text(t) => CoverageMapMode::parse(&t).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "`{t}` is not a coverage-map mode: use \"auto\", \"off\" or \"always\""
                ))
            }),
        }
    }
}

impl Default for SelectConfig {
    fn default() -> Self {
        SelectConfig {
            full_run_on: Vec::new(),
            ignore: Vec::new(),
            rules: Vec::new(),
            defaults: true,
            coverage_map: CoverageMapMode::Auto,
            map_recorder: rigor_model::MapRecorder::Probes,
            symbols: true,
            rust_coverage: false,
        }
    }
}

/// Compiled globs of a [`SelectConfig`].
#[derive(Debug, Clone)]
pub struct CompiledConfig {
    pub full_run_on: (GlobSet, Vec<String>),
    pub ignore: (GlobSet, Vec<String>),
    pub default_ignore: (GlobSet, Vec<String>),
    /// [`DEFAULT_ARTIFACTS`] (when `defaults`); the labels read "what `glob`".
    pub artifacts: (GlobSet, Vec<String>),
    pub rules: Vec<(GlobSet, PathRule)>,
    pub coverage_map: bool,
    pub symbols: bool,
    pub rust_coverage: bool,
}

fn build(key: &'static str, globs: &[String]) -> Result<(GlobSet, Vec<String>)> {
    let mut b = GlobSetBuilder::new();
    for g in globs {
        let glob = Glob::new(g).map_err(|e| SelectError::Glob {
            key,
            glob: g.clone(),
            message: e.to_string(),
        })?;
        b.add(glob);
    }
    let set = b.build().map_err(|e| SelectError::Glob {
        key,
        glob: globs.join(", "),
        message: e.to_string(),
    })?;
    Ok((set, globs.to_vec()))
}

impl SelectConfig {
    /// Compile the globs; an invalid glob is an error naming the key.
    pub fn compile(&self) -> Result<CompiledConfig> {
        let mut full: Vec<String> = self.full_run_on.clone();
        let mut default_ignore = Vec::new();
        let mut artifacts = Vec::new();
        if self.defaults {
            artifacts.extend(DEFAULT_ARTIFACTS.iter().map(|(g, _)| g.to_string()));
            full.extend(DEFAULT_FULL_RUN_ON.iter().map(|s| s.to_string()));
            default_ignore.extend(DEFAULT_IGNORE.iter().map(|s| s.to_string()));
        }
        let rules = self
            .rules
            .iter()
            .map(|r| {
                Ok((
                    build("rules.path", std::slice::from_ref(&r.path))?.0,
                    r.clone(),
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(CompiledConfig {
            full_run_on: build("full_run_on", &full)?,
            ignore: build("ignore", &self.ignore)?,
            default_ignore: build("ignore", &default_ignore)?,
            artifacts: labelled(build("ignore", &artifacts)?),
            rules,
            coverage_map: self.coverage_map.uses_map(),
            symbols: self.symbols,
            rust_coverage: self.rust_coverage,
        })
    }
}

/// Replace each glob of a compiled [`DEFAULT_ARTIFACTS`] list by "what `glob`".
fn labelled((set, globs): (GlobSet, Vec<String>)) -> (GlobSet, Vec<String>) {
    let labels = globs
        .iter()
        .map(|g| {
            let what = DEFAULT_ARTIFACTS
                .iter()
                .find(|(a, _)| a == g)
                .map_or("artifact", |(_, w)| w);
            format!("{what} `{g}`")
        })
        .collect();
    (set, labels)
}

/// The first pattern of `set` that matches `path`.
pub(crate) fn matching(set: &(GlobSet, Vec<String>), path: &str) -> Option<String> {
    set.0.matches(path).first().map(|&i| set.1[i].clone())
}

/// One term of a simple rule selector.
#[derive(Debug, Clone)]
pub enum SimpleTerm {
    All,
    None,
    Path(GlobSet, String),
    Test(String),
    Suite(String),
    Marker(String),
}

/// Parse `a | b | c` of simple terms; `None` when any term is not a simple form.
pub fn parse_simple(selector: &str) -> Option<Vec<SimpleTerm>> {
    let mut out = Vec::new();
    for term in selector.split('|') {
        let t = term.trim();
        let (name, arg) = t.split_once('(')?;
        let arg = arg.strip_suffix(')')?.trim();
        if arg.contains(['(', ')', '&'])
            || !name
                .trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return None;
        }
        let term = match name.trim() {
            "all" if arg.is_empty() => SimpleTerm::All,
            "none" if arg.is_empty() => SimpleTerm::None,
            "path" => {
                let g = Glob::new(arg).ok()?;
                let set = GlobSetBuilder::new().add(g).build().ok()?;
                SimpleTerm::Path(set, arg.to_string())
            }
            "test" if !arg.starts_with('/') => SimpleTerm::Test(arg.to_string()),
            "suite" => SimpleTerm::Suite(arg.to_string()),
            "marker" => SimpleTerm::Marker(arg.to_string()),
            _ => return None,
        };
        out.push(term);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_selectors_parse_and_others_defer() {
        assert_eq!(parse_simple("all()").unwrap().len(), 1);
        assert_eq!(
            parse_simple("path(tests/api/**) | marker(api) | test(login)")
                .unwrap()
                .len(),
            3
        );
        assert!(parse_simple("not marker(slow)").is_none());
        assert!(parse_simple("marker(a) & path(b)").is_none());
        assert!(parse_simple("test(/re/)").is_none());
    }

    #[test]
    fn bad_glob_names_the_key() {
        let c = SelectConfig {
            ignore: vec!["a/[".into()],
            ..SelectConfig::default()
        };
        let e = c.compile().unwrap_err().to_string();
        assert!(e.contains("[select].ignore") && e.contains("a/["), "{e}");
    }

    #[test]
    fn coverage_map_modes_read_words_and_booleans() {
        let read = |v: &str| -> std::result::Result<SelectConfig, String> {
            serde_json::from_str(&format!("{{\"coverage_map\": {v}}}")).map_err(|e| e.to_string())
        };
        assert_eq!(
            read("\"auto\"").unwrap().coverage_map,
            CoverageMapMode::Auto
        );
        assert_eq!(
            read("\"always\"").unwrap().coverage_map,
            CoverageMapMode::Always
        );
        assert_eq!(read("\"off\"").unwrap().coverage_map, CoverageMapMode::Off);
        assert_eq!(read("true").unwrap().coverage_map, CoverageMapMode::Auto);
        assert_eq!(read("false").unwrap().coverage_map, CoverageMapMode::Off);
        let e = read("\"sometimes\"").unwrap_err();
        assert!(e.contains("sometimes") && e.contains("always"), "{e}");
        assert_eq!(SelectConfig::default().coverage_map, CoverageMapMode::Auto);
        assert_eq!(
            SelectConfig::default().map_recorder,
            rigor_model::MapRecorder::Probes
        );
        assert!(!CoverageMapMode::Off.uses_map() && CoverageMapMode::Always.records());
    }
}
