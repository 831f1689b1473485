//! The rollout itself: measure blue alone (the baseline), shift traffic to green step by step,
//! analyse every interval of each step (the last step's time is the bake), roll back after
//! `failure_limit` consecutive failing analyses, promote when the bake ends on a passing one. `promote` and `abort`
//! from the control API cut it short. Each switch waits for the side left to drain.

use super::judge::{self, Outcome, Thresholds, Verdict};
use super::proxy::Router;
use super::samples::{Sample, Side};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Plan {
    /// Percent of traffic on green at each step; the last is 100.
    pub steps: Vec<u32>,
    pub step_time: Duration,
    pub baseline_time: Duration,
    pub interval: Duration,
    pub thresholds: Thresholds,
    pub drain_timeout: Duration,
    /// Consecutive failing analyses that roll back.
    pub failure_limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Starting,
    Baseline,
    Shifting,
    Promoted,
    RolledBack,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Baseline => "baseline",
            Phase::Shifting => "shifting",
            Phase::Promoted => "promoted",
            Phase::RolledBack => "rolled_back",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Seconds since the rollout started.
    pub at_s: f64,
    /// 1-based step.
    pub step: usize,
    pub percent: u32,
    pub verdict: Verdict,
}

/// What `rigor rollout status` shows (`rigor.rollout.status/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub schema: &'static str,
    pub phase: Phase,
    pub step: usize,
    pub steps: Vec<u32>,
    pub green_percent: u32,
    pub blue: String,
    pub green: String,
    pub analyses: usize,
    pub last_analysis: Option<Analysis>,
    pub reason: Option<String>,
}

const NONE: u8 = 0;
const PROMOTE: u8 = 1;
const ABORT: u8 = 2;

/// Shared between the controller and the control API.
pub struct Control {
    pub status: Mutex<Status>,
    command: AtomicU8,
}

impl Control {
    pub fn new(blue: &str, green: &str, steps: &[u32]) -> Control {
        Control {
            status: Mutex::new(Status {
                schema: "rigor.rollout.status/1",
                phase: Phase::Starting,
                step: 0,
                steps: steps.to_vec(),
                green_percent: 0,
                blue: blue.into(),
                green: green.into(),
                analyses: 0,
                last_analysis: None,
                reason: None,
            }),
            command: AtomicU8::new(NONE),
        }
    }
    pub fn promote(&self) {
        self.command.store(PROMOTE, Ordering::SeqCst);
    }
    pub fn abort(&self) {
        self.command.store(ABORT, Ordering::SeqCst);
    }
    pub fn snapshot(&self) -> Status {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
    fn update(&self, f: impl FnOnce(&mut Status)) {
        f(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Promoted,
    RolledBack,
}

/// How a rollout ended.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub decision: Decision,
    /// Automatic (the judge, the bake) or manual (promote/abort).
    pub manual: bool,
    pub reason: String,
    pub analyses: Vec<Analysis>,
    /// Seconds from green's first traffic to the decision.
    pub green_exposure_s: f64,
    /// Whether the side left drained within the drain timeout.
    pub drained: bool,
}

enum Tick {
    Continue,
    Decided(Decision, bool, String),
}

pub async fn run(plan: &Plan, router: &Router, control: &Control) -> Report {
    let t0 = Instant::now();
    let mut analyses = Vec::new();
    router.set_green_percent(0);
    control.update(|s| s.phase = Phase::Baseline);
    if let Tick::Decided(d, m, r) = wait(control, plan.baseline_time).await {
        return finish(plan, router, control, d, m, r, analyses, None).await;
    }
    let mut green_start = None;
    let mut last_outcome = Outcome::Inconclusive;
    let mut failing = 0u32;
    let mut paired_blue = None;
    for (i, &pct) in plan.steps.iter().enumerate() {
        router.set_green_percent(pct);
        let step_start = Instant::now();
        green_start.get_or_insert(step_start);
        control.update(|s| {
            s.phase = Phase::Shifting;
            s.step = i + 1;
            s.green_percent = pct;
        });
        last_outcome = Outcome::Inconclusive;
        while step_start.elapsed() < plan.step_time {
            let left = plan.step_time.saturating_sub(step_start.elapsed());
            if let Tick::Decided(d, m, r) = wait(control, plan.interval.min(left)).await {
                return finish(plan, router, control, d, m, r, analyses, green_start).await;
            }
            let now = Instant::now();
            let green = router.recorder.window(Side::Green, step_start, now);
            let (blue, thresholds) =
                reference(plan, router, &mut paired_blue, (t0, step_start, now));
            let verdict = judge::judge(&blue, &green, &thresholds);
            let a = Analysis {
                at_s: t0.elapsed().as_secs_f64(),
                step: i + 1,
                percent: pct,
                verdict,
            };
            last_outcome = a.verdict.outcome;
            control.update(|s| {
                s.analyses += 1;
                s.last_analysis = Some(a.clone());
            });
            failing = if a.verdict.outcome == Outcome::Fail {
                failing + 1
            } else {
                0
            };
            let failed =
                (failing >= plan.failure_limit.max(1)).then(|| a.verdict.reasons.join("; "));
            analyses.push(a);
            if let Some(reason) = failed {
                let r = format!("step {} ({pct} %): {reason}", i + 1);
                return finish(
                    plan,
                    router,
                    control,
                    Decision::RolledBack,
                    false,
                    r,
                    analyses,
                    green_start,
                )
                .await;
            }
        }
    }
    let (decision, reason) = match last_outcome {
        Outcome::Pass => (
            Decision::Promoted,
            "the bake ended on a passing analysis".to_string(),
        ),
        _ => (
            Decision::RolledBack,
            "the bake ended without a conclusive analysis (too few requests to judge green)"
                .to_string(),
        ),
    };
    finish(
        plan,
        router,
        control,
        decision,
        false,
        reason,
        analyses,
        green_start,
    )
    .await
}

/// How much slower than blue's side-by-side median green may be in a step where blue gets no
/// traffic of its own (100 %): there green carries the whole load that the two sides shared
/// before, at another time, so only a gross slowdown is judged; regressions are judged side by
/// side in the steps before.
const UNPAIRED_LATENCY_INCREASE: f64 = 100.0;

/// Blue's sample to judge green's against, and the thresholds for that comparison:
/// - blue measured side by side with green in this step, when the step leaves it enough traffic;
/// - else blue's side-by-side sample of the last step that had one, judged on errors as usual and
///   on latency only for a gross slowdown: comparing one time and load with another mistakes the
///   machine's drift for a regression (11 % false rollbacks in 200 A/A analyses, docs/release.md);
/// - else (no side-by-side step, e.g. `steps = [100]`) blue since the baseline began.
fn reference(
    plan: &Plan,
    router: &Router,
    paired_blue: &mut Option<Sample>,
    (t0, step_start, now): (Instant, Instant, Instant),
) -> (Sample, Thresholds) {
    let blue = router.recorder.window(Side::Blue, step_start, now);
    if blue.requests >= plan.thresholds.min_requests {
        *paired_blue = Some(blue.clone());
        return (blue, plan.thresholds);
    }
    match paired_blue {
        Some(b) => (
            b.clone(),
            Thresholds {
                max_latency_increase: plan
                    .thresholds
                    .max_latency_increase
                    .max(UNPAIRED_LATENCY_INCREASE),
                ..plan.thresholds
            },
        ),
        None => (router.recorder.window(Side::Blue, t0, now), plan.thresholds),
    }
}

/// Sleep `d`, watching for `promote` / `abort`.
async fn wait(control: &Control, d: Duration) -> Tick {
    let end = Instant::now() + d;
    loop {
        match control.command.swap(NONE, Ordering::SeqCst) {
            PROMOTE => return Tick::Decided(Decision::Promoted, true, "promoted by hand".into()),
            ABORT => return Tick::Decided(Decision::RolledBack, true, "aborted by hand".into()),
            _ => {}
        }
        let now = Instant::now();
        if now >= end {
            return Tick::Continue;
        }
        tokio::time::sleep((end - now).min(Duration::from_millis(50))).await;
    }
}

#[allow(clippy::too_many_arguments)]
async fn finish(
    plan: &Plan,
    router: &Router,
    control: &Control,
    decision: Decision,
    manual: bool,
    reason: String,
    analyses: Vec<Analysis>,
    green_start: Option<Instant>,
) -> Report {
    let (percent, left, phase) = match decision {
        Decision::Promoted => (100, Side::Blue, Phase::Promoted),
        Decision::RolledBack => (0, Side::Green, Phase::RolledBack),
    };
    router.set_green_percent(percent);
    let green_exposure_s = green_start
        .map(|s| s.elapsed().as_secs_f64())
        .unwrap_or(0.0);
    let drained = router.drain(left, plan.drain_timeout).await;
    control.update(|s| {
        s.phase = phase;
        s.green_percent = percent;
        s.reason = Some(reason.clone());
    });
    Report {
        decision,
        manual,
        reason,
        analyses,
        green_exposure_s,
        drained,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        Plan {
            steps: vec![50, 100],
            step_time: Duration::from_secs(1),
            baseline_time: Duration::from_secs(1),
            interval: Duration::from_millis(100),
            thresholds: Thresholds::default(),
            drain_timeout: Duration::from_secs(1),
            failure_limit: 2,
        }
    }

    /// A boundary strictly between the samples recorded before and after it (clocks may be
    /// coarse).
    fn tick() -> Instant {
        std::thread::sleep(Duration::from_millis(2));
        let t = Instant::now();
        std::thread::sleep(Duration::from_millis(2));
        t
    }

    fn record(router: &Router, side: Side, n: usize, ms: f64) {
        for _ in 0..n {
            router.recorder.record(side, ms, false);
        }
    }

    #[test]
    fn blue_is_taken_side_by_side_then_from_the_last_shared_step_then_since_the_baseline() {
        let plan = plan();
        let router = Router::new("127.0.0.1:1".into(), "127.0.0.1:2".into());
        let t0 = tick();
        record(&router, Side::Blue, 80, 10.0); // the baseline
        let step1 = tick();
        // No side-by-side step yet and too little blue in this window: since the baseline.
        let mut paired = None;
        let (blue, t) = reference(&plan, &router, &mut paired, (t0, step1, tick()));
        assert_eq!((blue.requests, t), (80, plan.thresholds));
        assert!(paired.is_none());
        record(&router, Side::Blue, 60, 12.0); // step 1, side by side
        let (blue, t) = reference(&plan, &router, &mut paired, (t0, step1, tick()));
        assert_eq!((blue.requests, t), (60, plan.thresholds));
        let step2 = tick();
        record(&router, Side::Blue, 3, 30.0); // step 2 (100 %): stragglers only
        let (blue, t) = reference(&plan, &router, &mut paired, (t0, step2, tick()));
        assert_eq!(
            blue.requests, 60,
            "the last side-by-side sample, not the stragglers"
        );
        assert_eq!(t.max_latency_increase, UNPAIRED_LATENCY_INCREASE);
        assert_eq!(t.max_error_increase, plan.thresholds.max_error_increase);
    }

    #[test]
    fn a_gross_slowdown_still_fails_the_full_switch_and_load_drift_does_not() {
        let plan = plan();
        let router = Router::new("127.0.0.1:1".into(), "127.0.0.1:2".into());
        let t0 = tick();
        let step1 = tick();
        for i in 0..200 {
            router
                .recorder
                .record(Side::Blue, 10.0 + (i % 7) as f64 * 0.1, false);
        }
        let mut paired = None;
        let _ = reference(&plan, &router, &mut paired, (t0, step1, tick()));
        let step2 = tick();
        for i in 0..200 {
            // 25 % slower under the whole load: drift, not a regression
            router
                .recorder
                .record(Side::Green, 12.5 + (i % 7) as f64 * 0.1, false);
        }
        let green = router.recorder.window(Side::Green, step2, tick());
        let (blue, t) = reference(&plan, &router, &mut paired, (t0, step2, tick()));
        assert_ne!(judge::judge(&blue, &green, &t).outcome, Outcome::Fail);
        let step3 = tick();
        for i in 0..200 {
            router
                .recorder
                .record(Side::Green, 25.0 + (i % 7) as f64 * 0.1, false);
        }
        let green = router.recorder.window(Side::Green, step3, tick());
        let (blue, t) = reference(&plan, &router, &mut paired, (t0, step3, tick()));
        assert_eq!(judge::judge(&blue, &green, &t).outcome, Outcome::Fail);
    }
}
