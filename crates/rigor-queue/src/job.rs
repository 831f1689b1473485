//! One job of a queue run, start to end: plan (as the static sharder does, from the history
//! without the current commit's runs), enqueue or join, register, run leased batches with the
//! heartbeat beating, then wait for the queue to empty and exit with its result.

use crate::heartbeat::Heartbeat;
use crate::ops::{self, Item};
use crate::source::QueueSource;
use crate::{QueueError, Result};
use rigor_model::exit;
use rigor_model::{Config, TestCase, TestKey};
use rigor_pipeline::planning::{self, PlanRequest, Planned};
use rigor_pipeline::{Flags, Mode, Options};
use rigor_runner::RunOptions;
use rigor_runner::report::Reporter;
use rigor_store::Store;
use std::collections::HashMap;
use std::time::Instant;

/// Default lease timeout: a job silent this long (no heartbeat) loses its tests.
pub const DEFAULT_LEASE_TIMEOUT_S: f64 = 60.0;

/// What `rigor run --queue NAME` asks for.
#[derive(Debug, Clone)]
pub struct QueueRequest {
    pub name: String,
    pub lease_timeout_s: f64,
    /// The run's options (jobs, retries, timeout, suites, filter, extra args, outputs).
    pub flags: Flags,
}

fn check(config: &Config, req: &QueueRequest) -> Result<String> {
    let Some(url) = config.postgres_url() else {
        return Err(QueueError::NeedsPostgres {
            url: config.store.url.clone(),
        });
    };
    let usage = |message: &str, hint: &str| QueueError::Usage {
        name: req.name.clone(),
        message: message.into(),
        hint: hint.into(),
    };
    if req.name.trim().is_empty() || req.name.len() > 200 {
        return Err(usage(
            "a queue name is 1 to 200 characters",
            "name the queue after the pipeline, e.g. --queue \"$CI_PIPELINE_ID\"",
        ));
    }
    if !(req.lease_timeout_s.is_finite() && req.lease_timeout_s >= 0.2) {
        return Err(usage(
            "the lease timeout must be at least 200ms",
            "e.g. --lease-timeout 60s",
        ));
    }
    Ok(url.to_string())
}

/// Run this job's part of the queue; the exit code reflects the whole queue (see docs/store.md):
/// 130 when this job was interrupted, 1 when any test of the queue failed (on any job), 4 when
/// the plan is empty, else 0.
pub fn run_queue(config: Config, req: &QueueRequest, reporter: &mut dyn Reporter) -> Result<i32> {
    let started = Instant::now();
    let url = check(&config, req)?;
    let mut config = config;
    let opts = Options::resolve(&config, Mode::Run, req.flags.clone())?;
    config.run.timeout = opts.timeout.clone();
    let mut store = Store::open_postgres(&url)?;
    ops::migrate(&mut store)?;
    let stop = rigor_pipeline::signals::stop_flag()?;
    let planned = plan(&config, &opts, &mut store)?;
    let items = items_of(&planned);
    if items.is_empty() && planned.discovered.iter().all(|d| d.errors.is_empty()) {
        eprintln!("nothing to run: the selection is empty");
        return Ok(exit::NOTHING);
    }
    let commit = rigor_vcs::commit(&config.root).unwrap_or_default();
    let (queue, created) = ops::enqueue(&mut store, &req.name, &commit, &items)?;
    eprintln!(
        "queue {} at {}: {} ({} tests)",
        req.name,
        short(&commit),
        if created {
            "enqueued the plan"
        } else {
            "joined"
        },
        items.len()
    );
    let label = job_label();
    let job = ops::register_job(&mut store, queue, &label, req.lease_timeout_s)?;
    let heartbeat = Heartbeat::start(&url, job, req.lease_timeout_s)?;
    let run_opts = run_options(&opts, &store, &req.name, started)?;
    let mut source = QueueSource::new(
        Store::open_postgres(&url)?,
        queue,
        job,
        req.lease_timeout_s,
        opts.jobs.max(1),
        known(&planned),
        run_opts.quarantined.clone(),
        stop.clone(),
    );
    let ran = rigor_runner::run_leased(
        &config,
        &run_opts,
        &mut store,
        reporter,
        stop,
        planned.discovered,
        &mut source,
    );
    drop(heartbeat);
    let report = match (ran, source.error.take()) {
        (Ok(report), None) => report,
        (Err(rigor_runner::RunnerError::Store(e)), None) | (_, Some(e)) => {
            return Err(lost(req, &store, &source, e));
        }
        (Err(e), None) => return Err(e.into()),
    };
    if report.interrupted() {
        let back = ops::release(&mut source.store, queue, job)?;
        eprintln!(
            "queue {}: interrupted; {back} tests handed back to the other jobs",
            req.name
        );
    }
    ops::finish_job(&mut source.store, job)?;
    // Queue runs record no coverage map (their plan asks for none).
    let no_map = Options {
        coverage_map: None,
        ..opts.clone()
    };
    rigor_pipeline::record::after_run(&config, &mut store, &report, None, &no_map)?;
    rigor_pipeline::outputs::write_outputs(&report, opts.junit.as_deref(), opts.json)?;
    let (failed, extra) = ops::failures(&store, queue)?;
    eprintln!(
        "queue {}: this job ({label}) ran {} tests in {} batches; the queue has {} failing tests{}",
        req.name,
        source.tests,
        source.batches,
        failed,
        if extra > 0 {
            format!(" and {extra} other failures")
        } else {
            String::new()
        }
    );
    Ok(if report.interrupted() {
        exit::INTERRUPTED
    } else if failed + extra > 0 {
        exit::FAILED
    } else {
        exit::OK
    })
}

/// The history failed mid-run: say where, and what is recorded.
fn lost(
    req: &QueueRequest,
    store: &Store,
    source: &QueueSource,
    err: rigor_store::StoreError,
) -> QueueError {
    let recorded = format!(
        "the results of the batches this job finished before the failure ({} tests in {} batches leased) are in the history; the job's run is left unfinished",
        source.tests, source.batches
    );
    QueueError::Lost {
        name: req.name.clone(),
        location: store.path().display().to_string(),
        recorded,
        source: Box::new(err),
    }
}

/// The whole plan (no shard), from the history without this commit's runs: every job computes
/// the same estimates, whichever arrives first.
fn plan(config: &Config, opts: &Options, store: &mut Store) -> Result<Planned> {
    let req = PlanRequest {
        suites: opts.suites.clone(),
        extra: opts.extra.clone(),
        expr: opts.expr.clone(),
        jobs: opts.jobs,
        keep_output: opts.keep_output,
        stable_facts: true,
        ..PlanRequest::default()
    };
    Ok(planning::plan(config, store, &req)?)
}

/// The queue's items: the planned tests, longest expected first (ties in plan order).
fn items_of(planned: &Planned) -> Vec<Item> {
    let mut tests: Vec<_> = planned.tests.iter().collect();
    tests.sort_by(|a, b| b.estimated_s.total_cmp(&a.estimated_s));
    tests
        .iter()
        .enumerate()
        .map(|(pos, t)| Item {
            pos: pos as i64,
            suite: planned.discovered[t.suite].suite.name.clone(),
            test: t.test.key.id.clone(),
            estimated_s: t.estimated_s,
        })
        .collect()
}

fn known(planned: &Planned) -> HashMap<TestKey, (usize, TestCase)> {
    planned
        .discovered
        .iter()
        .enumerate()
        .flat_map(|(si, d)| {
            d.tests
                .iter()
                .map(move |t| (t.key.clone(), (si, t.clone())))
        })
        .collect()
}

fn run_options(opts: &Options, store: &Store, name: &str, started: Instant) -> Result<RunOptions> {
    let quarantined = store
        .active_quarantines(rigor_runner::run::now_s())?
        .into_iter()
        .map(|q| (TestKey::new(q.suite, q.id), q.reason))
        .collect();
    Ok(RunOptions {
        jobs: opts.jobs,
        retries: opts.retries,
        fail_fast: false,
        suites: opts.suites.clone(),
        extra_args: opts.extra.clone(),
        keep_output: opts.keep_output,
        coverage_map: None,
        args_text: opts.args_text.clone(),
        base: None,
        shard: Some(format!("queue:{name}")),
        quarantined,
        started: Some(started),
    })
}

/// `host:pid`, naming the job in `rigor queue status`.
fn job_label() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "job".into());
    format!("{host}:{}", std::process::id())
}

fn short(commit: &str) -> &str {
    if commit.is_empty() {
        "(no commit)"
    } else {
        &commit[..commit.len().min(12)]
    }
}
