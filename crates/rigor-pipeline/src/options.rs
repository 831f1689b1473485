//! The options of a pipeline run, resolved once: built-in defaults < rigor.toml < `RIGOR_*`
//! environment variables (both already in [`Config`]) < CI variables (shard, JUnit on GitLab)
//! < flags. Every later stage reads the resolved values only.

use crate::error::{PipelineError, Result};
use rigor_model::Config;
use rigor_plan::ShardSpec;
use std::path::PathBuf;

/// Which command drives the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `rigor run`: the tests (all, or a tier / filter / shard / change), no gates.
    Run,
    /// `rigor ci`: the change's tests in every tier, stopping at the first failing tier, then
    /// the gates.
    Ci,
}

/// What the command line asked for; `None` / `false` = not given.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub jobs: Option<usize>,
    pub retries: Option<u32>,
    pub shard: Option<String>,
    pub suites: Vec<String>,
    pub junit: Option<PathBuf>,
    pub json: bool,
    pub base: Option<String>,
    pub fail_fast: bool,
    pub timeout: Option<String>,
    pub keep_output: bool,
    pub tier: Option<String>,
    pub coverage_map: bool,
    pub expr: Option<String>,
    /// `rigor run --changed`.
    pub changed: bool,
    /// `rigor ci --all`: every test, not only the change's.
    pub all: bool,
    /// `rigor ci --no-gates`.
    pub no_gates: bool,
    /// `rigor run --plan FILE`: run shard K of this plan file.
    pub plan: Option<PathBuf>,
    pub extra: Vec<String>,
    /// The command line, for the record.
    pub args_text: String,
}

/// The resolved options.
#[derive(Debug, Clone)]
pub struct Options {
    pub mode: Mode,
    /// Parallel workers (≥ 1).
    pub jobs: usize,
    pub retries: u32,
    pub fail_fast: bool,
    /// Per-test timeout, as written (e.g. `5m`).
    pub timeout: String,
    pub shard: Option<ShardSpec>,
    /// The shard of a pinned plan file (`--plan FILE --shard K/N`).
    pub pinned: Option<crate::planning::Pinned>,
    pub suites: Vec<String>,
    pub extra: Vec<String>,
    pub keep_output: bool,
    pub expr: Option<String>,
    /// `rigor run --tier`: the tiers up to this one.
    pub up_to_tier: Option<String>,
    /// Select by the change (against `base`, or the base rules of rigor-vcs).
    pub by_change: bool,
    pub base: Option<String>,
    /// Per-test coverage maps recorded (`--coverage-map`, or `[select] coverage_map` = `auto` /
    /// `always`), with `[select] map_recorder`.
    pub coverage_map: Option<rigor_model::MapRecording>,
    /// A suite that cannot record is an error (`--coverage-map`, `coverage_map = "always"`):
    /// with `map_recorder = "coverage"`, an interpreter without coverage.py.
    pub coverage_map_required: bool,
    /// The run is not narrowed (no change, filter, tier, shard or extra arguments): its map
    /// replaces the suite's map instead of refreshing the rows of the tests it ran.
    pub coverage_map_full: bool,
    pub junit: Option<PathBuf>,
    pub json: bool,
    /// Evaluate the gates after the tests.
    pub gates: bool,
    pub args_text: String,
}

impl Options {
    pub fn resolve(config: &Config, mode: Mode, flags: Flags) -> Result<Options> {
        let timeout = match flags.timeout {
            Some(t) => {
                rigor_model::duration::parse_duration(&t).map_err(|m| PipelineError::Usage {
                    what: format!("--timeout {t}"),
                    message: m.to_string(),
                    hint: "durations look like 90s, 5m or 1h".into(),
                })?;
                t
            }
            None => config.run.timeout.clone(),
        };
        if let Some(jobs) = flags.jobs {
            Config::check_jobs(jobs).map_err(|message| PipelineError::Usage {
                what: format!("--jobs {jobs}"),
                message,
                hint: "use --jobs 0 for one worker per CPU".into(),
            })?;
        }
        let shard = match flags.shard.as_deref() {
            Some(s) => Some(ShardSpec::parse(s)?),
            None => ShardSpec::from_env(&|k| std::env::var(k).ok())?,
        };
        let pinned = match (&flags.plan, shard) {
            (Some(path), Some(spec)) => Some(crate::planning::load_pinned(path, spec)?),
            (Some(path), None) => {
                return Err(PipelineError::Usage {
                    what: format!("--plan {}", path.display()),
                    message: "a plan file runs one of its shards".into(),
                    hint: "add --shard K/N (or set RIGOR_SHARD)".into(),
                });
            }
            (None, _) => None,
        };
        let on_gitlab = std::env::var("GITLAB_CI").is_ok();
        let junit = flags
            .junit
            .or_else(|| (mode == Mode::Ci && on_gitlab).then(|| PathBuf::from("rigor-junit.xml")));
        let by_change = match mode {
            Mode::Run => flags.changed || flags.base.is_some(),
            Mode::Ci => !flags.all,
        };
        let (select, _): (rigor_select::SelectConfig, _) = config.section("select")?;
        let map_mode = select.coverage_map;
        let coverage_map_full = !by_change
            && shard.is_none()
            && pinned.is_none()
            && flags.expr.is_none()
            && flags.tier.is_none()
            && flags.extra.is_empty()
            && !flags.fail_fast;
        Ok(Options {
            mode,
            jobs: config.jobs_or(flags.jobs),
            retries: flags.retries.unwrap_or(config.run.retries),
            fail_fast: mode == Mode::Run && (flags.fail_fast || config.run.fail_fast),
            timeout,
            shard,
            pinned,
            suites: flags.suites,
            extra: flags.extra,
            keep_output: flags.keep_output,
            expr: flags.expr,
            up_to_tier: flags.tier,
            by_change,
            base: flags.base,
            coverage_map: (flags.coverage_map || map_mode.records()).then(|| {
                rigor_model::MapRecording {
                    dir: config.root.join(".rigor").join("coverage-map"),
                    recorder: select.map_recorder,
                }
            }),
            coverage_map_required: flags.coverage_map
                || map_mode == rigor_select::CoverageMapMode::Always,
            coverage_map_full,
            junit,
            json: flags.json,
            gates: mode == Mode::Ci && !flags.no_gates,
            args_text: flags.args_text,
        })
    }

    /// Whether the run needs a plan (tiers, filter, shard, change) rather than every test of
    /// every suite as the runners order them.
    pub fn needs_plan(&self) -> bool {
        self.mode == Mode::Ci
            || self.up_to_tier.is_some()
            || self.shard.is_some()
            || self.expr.is_some()
            || self.by_change
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::discover(
            tempfile::tempdir().unwrap().path(),
            rigor_model::config::CORE_DEFAULTS,
        )
        .unwrap()
    }

    #[test]
    fn flags_win_over_the_configuration() {
        let c = config();
        let o = Options::resolve(
            &c,
            Mode::Run,
            Flags {
                jobs: Some(3),
                retries: Some(2),
                timeout: Some("90s".into()),
                ..Flags::default()
            },
        )
        .unwrap();
        assert_eq!((o.jobs, o.retries, o.timeout.as_str()), (3, 2, "90s"));
        let o = Options::resolve(&c, Mode::Run, Flags::default()).unwrap();
        assert_eq!(o.jobs, c.jobs_or(None));
        assert_eq!(o.retries, c.run.retries);
        assert!(!o.needs_plan() && !o.gates && !o.by_change);
    }

    #[test]
    fn ci_selects_by_change_and_gates_unless_told_otherwise() {
        let c = config();
        let o = Options::resolve(&c, Mode::Ci, Flags::default()).unwrap();
        assert!(o.by_change && o.gates && o.needs_plan() && !o.fail_fast);
        let o = Options::resolve(
            &c,
            Mode::Ci,
            Flags {
                all: true,
                no_gates: true,
                ..Flags::default()
            },
        )
        .unwrap();
        assert!(!o.by_change && !o.gates);
        let o = Options::resolve(
            &c,
            Mode::Run,
            Flags {
                base: Some("main".into()),
                ..Flags::default()
            },
        )
        .unwrap();
        assert!(o.by_change && o.needs_plan(), "--base implies --changed");
    }

    #[test]
    fn bad_values_are_usage_errors_naming_the_flag() {
        let c = config();
        let e = Options::resolve(
            &c,
            Mode::Run,
            Flags {
                timeout: Some("soon".into()),
                ..Flags::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("--timeout soon"), "{e}");
        let e = Options::resolve(
            &c,
            Mode::Run,
            Flags {
                shard: Some("5/4".into()),
                ..Flags::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            rigor_model::exit::HasExitCode::exit_code(&e),
            rigor_model::exit::USAGE
        );
    }
}
