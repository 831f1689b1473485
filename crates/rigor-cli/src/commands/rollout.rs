//! `rigor rollout`: blue-green with automated rollback; `status`, `promote`, `abort`,
//! `history`, `judge` (docs/release.md).

use crate::args::Format;
use crate::args::release::{JudgeArgs, RolloutAction, RolloutArgs, RolloutStart};
use anyhow::{Context, Result};
use rigor_model::config::RolloutConfig;
use rigor_model::{Config, exit};
use rigor_release::ReleaseError;
use rigor_release::rollout::controller::{Decision, Report};
use rigor_release::rollout::judge::Thresholds;
use rigor_release::rollout::readiness::{self, Readiness};
use rigor_release::rollout::session::{self, After};
use rigor_release::rollout::settings::Settings;
use rigor_release::rollout::{argo, control, record};

pub fn run(config: &Config, args: &RolloutArgs) -> Result<i32> {
    match &args.action {
        None => start(config, &args.start),
        Some(RolloutAction::Status { control, format }) => status(control, *format),
        Some(RolloutAction::Promote { control }) => request(control, "promote"),
        Some(RolloutAction::Abort { control }) => request(control, "abort"),
        Some(RolloutAction::History { limit, format }) => history(config, *limit, *format),
        Some(RolloutAction::Judge(j)) => judge(config, j),
    }
}

fn rollout_config(config: &Config, f: &RolloutStart) -> Result<RolloutConfig> {
    let (mut c, warnings): (RolloutConfig, _) = config.section("rollout")?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    macro_rules! over {
        ($($field:ident),*) => { $( if let Some(v) = &f.$field { c.$field = v.clone(); } )* };
    }
    over!(
        listen,
        control,
        steps,
        step_time,
        baseline_time,
        interval,
        health_path,
        health_timeout,
        drain_timeout
    );
    over!(
        min_requests,
        max_error_increase,
        max_latency_increase,
        alpha
    );
    if f.blue.is_some() || f.blue_cmd.is_some() {
        c.blue.addr = f.blue.clone().or(c.blue.addr);
        c.blue.command = f.blue_cmd.clone().or(c.blue.command);
    }
    if f.green.is_some() || f.green_cmd.is_some() {
        c.green.addr = f.green.clone().or(c.green.addr);
        c.green.command = f.green_cmd.clone().or(c.green.command);
    }
    Ok(c)
}

fn start(config: &Config, f: &RolloutStart) -> Result<i32> {
    let settings = Settings::resolve(&rollout_config(config, f)?)?;
    let commit = f
        .commit
        .clone()
        .or_else(|| rigor_vcs::checkout::commit(&config.root));
    let mut store = super::open_store(config)?;
    let ready = match &commit {
        Some(c) => readiness::check(&store, c)?,
        None => Readiness::Unknown,
    };
    let readiness_note = match (&ready, f.force) {
        (Readiness::Failed { .. }, false) => {
            return Err(ReleaseError::NotReady {
                what: format!(
                    "not deploying {}: its {}",
                    commit.as_deref().unwrap_or("?"),
                    ready.describe()
                ),
                hint: "fix the failing gates (rigor gate), or deploy anyway with --force (recorded with the rollout)".into(),
            }
            .into());
        }
        (Readiness::Failed { .. }, true) => format!("forced past: {}", ready.describe()),
        _ => ready.describe(),
    };
    eprintln!("rigor rollout: readiness: {readiness_note}");
    let started = now();
    let after = if f.exit { After::Exit } else { After::Serve };
    let mut on_decision = |r: &Report| -> rigor_release::Result<()> {
        let meta = record::Meta {
            started,
            finished: now(),
            commit: commit.as_deref(),
            blue: &settings.blue.addr,
            green: &settings.green.addr,
            steps: &settings.plan.steps,
            forced: f.force && matches!(ready, Readiness::Failed { .. }),
            readiness: &readiness_note,
        };
        // on a thread of its own: this runs inside the rollout's async runtime, where the
        // PostgreSQL client (which blocks on a runtime of its own) must not run
        let store = &mut store;
        let id = std::thread::scope(|s| {
            s.spawn(move || record::record(store, &meta, r))
                .join()
                .expect("recording the rollout does not panic")
        })?;
        print_report(id, r, f.format);
        Ok(())
    };
    let report = session::run(&settings, after, &mut on_decision)?;
    Ok(match report.decision {
        Decision::Promoted => exit::OK,
        Decision::RolledBack => exit::FAILED,
    })
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn print_report(id: i64, r: &Report, format: Format) {
    if format == Format::Json {
        let mut v = serde_json::to_value(r).unwrap_or_default();
        v["schema"] = "rigor.rollout/1".into();
        v["id"] = id.into();
        println!("{v}");
        return;
    }
    let what = match r.decision {
        Decision::Promoted => "promoted: all traffic on green",
        Decision::RolledBack => "ROLLED BACK: all traffic on blue",
    };
    println!(
        "rollout {id} {what} after {:.1} s of green traffic",
        r.green_exposure_s
    );
    println!("  reason: {}", r.reason);
    if let Some(a) = r.analyses.last() {
        let v = &a.verdict;
        println!(
            "  last analysis (step {}, {} %): blue {} req, {:.2} % errors, p50 {} | green {} req, {:.2} % errors, p50 {}",
            a.step,
            a.percent,
            v.blue_requests,
            v.blue_error_rate * 100.0,
            ms(v.blue_p50_ms),
            v.green_requests,
            v.green_error_rate * 100.0,
            ms(v.green_p50_ms)
        );
    }
    println!("  analyses: {}; drained: {}", r.analyses.len(), r.drained);
}

fn ms(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2} ms"))
        .unwrap_or_else(|| "-".into())
}

fn status(addr: &str, format: Format) -> Result<i32> {
    let v = control::call(addr, "status")?;
    if format == Format::Json {
        println!("{v}");
        return Ok(exit::OK);
    }
    println!(
        "phase {} · step {}/{} · green {} % · analyses {}",
        v["phase"].as_str().unwrap_or("?"),
        v["step"],
        v["steps"].as_array().map(|a| a.len()).unwrap_or(0),
        v["green_percent"],
        v["analyses"]
    );
    if let Some(o) = v["last_analysis"]["verdict"]["outcome"].as_str() {
        println!("last analysis: {o}");
    }
    if let Some(r) = v["reason"].as_str() {
        println!("reason: {r}");
    }
    Ok(exit::OK)
}

fn request(addr: &str, action: &str) -> Result<i32> {
    control::call(addr, action)?;
    eprintln!("rigor rollout: {action} requested on {addr}");
    Ok(exit::OK)
}

fn history(config: &Config, limit: usize, format: Format) -> Result<i32> {
    let store = super::open_store_for_reading(config)?;
    let rows = record::recent(&store, limit)?;
    if format == Format::Json {
        println!(
            "{}",
            serde_json::json!({"schema": "rigor.rollouts/1", "rollouts": rows})
        );
        return Ok(exit::OK);
    }
    if rows.is_empty() {
        println!("no rollouts recorded");
    }
    for r in rows {
        println!(
            "{:>4}  {}  {:<11}  {}{}  {}",
            r.id,
            rigor_model::time::utc(r.started),
            r.decision,
            r.commit
                .as_deref()
                .map(|c| &c[..c.len().min(10)])
                .unwrap_or("-"),
            if r.forced { " (forced)" } else { "" },
            r.reason
        );
    }
    Ok(exit::OK)
}

fn judge(config: &Config, j: &JudgeArgs) -> Result<i32> {
    let (c, _): (RolloutConfig, _) = config.section("rollout")?;
    let defaults = Thresholds {
        alpha: c.alpha,
        max_error_increase: c.max_error_increase,
        max_latency_increase: c.max_latency_increase,
        min_requests: c.min_requests,
    };
    if j.serve {
        argo::serve(&j.addr, defaults, |a| {
            eprintln!("rigor rollout judge: POST http://{a}/judge (Ctrl-C stops)")
        })?;
        return Ok(exit::OK);
    }
    let read = |p: &std::path::PathBuf| -> Result<rigor_release::rollout::samples::Sample> {
        let text =
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            ReleaseError::Input {
                what: p.display().to_string(),
                message: format!(
                    "{e} (expected {{\"latencies_ms\": [..], \"errors\": N, \"requests\": N}})"
                ),
            }
            .into()
        })
    };
    let (Some(b), Some(c)) = (&j.baseline, &j.canary) else {
        anyhow::bail!("--baseline and --canary are required without --serve");
    };
    let req = argo::JudgeRequest {
        baseline: read(b)?,
        canary: read(c)?,
        thresholds: None,
    };
    let v = argo::answer(&req, defaults).map_err(|m| ReleaseError::Input {
        what: "samples".into(),
        message: m,
    })?;
    println!("{v}");
    Ok(if v["pass"] == true {
        exit::OK
    } else {
        exit::FAILED
    })
}
