//! Live progress: a bar on a terminal, a line per finished test elsewhere (CI logs).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rigor_model::duration::human;
use rigor_model::{Outcome, TestCase, TestResult};
use std::io::Write;

pub trait Reporter {
    fn tier_start(&mut self, _tier: &str) {}
    fn suite_start(&mut self, suite: &str, kind: &str);
    fn planned(&mut self, suite: &str, count: usize, estimated_s: f64, jobs: usize);
    fn started(&mut self, _test: &TestCase) {}
    fn finished(&mut self, result: &TestResult);
    fn done(&mut self) {}
}

fn label(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "PASS",
        Outcome::Flaky => "FLAKY",
        Outcome::Failed => "FAIL",
        Outcome::Error => "ERROR",
        Outcome::Timeout => "TIMEOUT",
        Outcome::Skipped => "SKIP",
        Outcome::Xfailed => "XFAIL",
        Outcome::Xpassed => "XPASS",
    }
}

/// A line per finished test on stderr, for logs.
pub struct LineReporter {
    pub show_passing: bool,
    done: usize,
    total: usize,
}

impl LineReporter {
    pub fn new(show_passing: bool) -> Self {
        Self {
            show_passing,
            done: 0,
            total: 0,
        }
    }
}

impl Reporter for LineReporter {
    fn tier_start(&mut self, tier: &str) {
        eprintln!("══ tier {tier}");
    }
    fn suite_start(&mut self, suite: &str, kind: &str) {
        eprintln!("── suite {suite} ({kind})");
    }
    fn planned(&mut self, suite: &str, count: usize, estimated_s: f64, jobs: usize) {
        self.total += count;
        let est = if estimated_s > 0.0 {
            format!(", estimated {}", human(estimated_s))
        } else {
            String::new()
        };
        let s = if jobs == 1 { "" } else { "s" };
        eprintln!("   {suite}: {count} tests on {jobs} worker{s}{est}");
    }
    fn finished(&mut self, r: &TestResult) {
        self.done += 1;
        if !self.show_passing
            && matches!(
                r.outcome,
                Outcome::Passed | Outcome::Skipped | Outcome::Xfailed
            )
        {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{:>7} [{:>8}] ({}/{}) {}",
            label(r.outcome),
            human(r.duration_s),
            self.done,
            self.total.max(self.done),
            r.key
        );
    }
}

/// Nothing at all (tests, `--quiet`).
pub struct SilentReporter;

impl Reporter for SilentReporter {
    fn suite_start(&mut self, _: &str, _: &str) {}
    fn planned(&mut self, _: &str, _: usize, _: f64, _: usize) {}
    fn finished(&mut self, _: &TestResult) {}
}

/// A progress bar with counts and ETA; failures are printed above it as they happen. Until a
/// suite's tests are planned (discovery, worker start-up, collection) it is a spinner naming the
/// phase — an empty bar would be drawn full, as if the run were over.
pub struct TerminalReporter {
    bar: ProgressBar,
    /// The bar is drawn (some tests are planned); before, the spinner.
    counting: bool,
    failed: usize,
    passed: usize,
    skipped: usize,
    /// When the first result arrived (worker start-up and collection excluded from the pace).
    first_result: Option<std::time::Instant>,
}

impl Default for TerminalReporter {
    fn default() -> Self {
        Self::new()
    }
}

/// While nothing is planned: the spinner, the elapsed time and the phase.
const PHASE_TEMPLATE: &str = "{spinner} [{elapsed_precise}] {msg}";
/// Once tests are planned.
const BAR_TEMPLATE: &str = "{spinner} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {msg}";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid template")
        .progress_chars("=> ")
}

/// An ETA needs this many finished tests after the first…
const ETA_MIN_INTERVALS: u64 = 5;
/// …spread over at least this many seconds.
const ETA_MIN_SPAN_S: f64 = 1.0;

/// Seconds left at the pace of the tests finished since the first one, once that pace has a
/// basis ([`ETA_MIN_INTERVALS`] results over [`ETA_MIN_SPAN_S`]); `None` before.
fn eta_s(done: u64, total: u64, since_first_s: Option<f64>) -> Option<f64> {
    let span = since_first_s?;
    let intervals = done.checked_sub(1)?;
    if intervals < ETA_MIN_INTERVALS || span < ETA_MIN_SPAN_S {
        return None;
    }
    Some(span / intervals as f64 * total.saturating_sub(done) as f64)
}

impl TerminalReporter {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(style(PHASE_TEMPLATE));
        bar.set_message("discovering tests");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self {
            bar,
            counting: false,
            failed: 0,
            passed: 0,
            skipped: 0,
            first_result: None,
        }
    }
    fn message(&self) {
        let eta = eta_s(
            self.bar.position(),
            self.bar.length().unwrap_or(0),
            self.first_result.map(|t| t.elapsed().as_secs_f64()),
        );
        let eta = eta.map(|s| format!("  ETA {}", human(s)));
        self.bar.set_message(format!(
            "✔ {} ✘ {} ↷ {}{}",
            self.passed,
            self.failed,
            self.skipped,
            eta.unwrap_or_default()
        ));
    }
}

impl Reporter for TerminalReporter {
    fn tier_start(&mut self, tier: &str) {
        self.bar.println(format!("══ tier {tier}"));
    }
    fn suite_start(&mut self, suite: &str, kind: &str) {
        self.bar.println(format!("── suite {suite} ({kind})"));
        if !self.counting {
            self.bar
                .set_message(format!("{suite}: starting workers, collecting"));
        }
    }
    fn planned(&mut self, _suite: &str, count: usize, _estimated_s: f64, _jobs: usize) {
        self.bar.inc_length(count as u64);
        if !self.counting && count > 0 {
            self.counting = true;
            self.bar.set_style(style(BAR_TEMPLATE));
            self.message();
        }
    }
    fn finished(&mut self, r: &TestResult) {
        match r.outcome {
            Outcome::Passed | Outcome::Xpassed => self.passed += 1,
            Outcome::Flaky => {
                self.passed += 1;
                self.bar
                    .println(format!("{:>7} {}", label(r.outcome), r.key));
            }
            Outcome::Skipped | Outcome::Xfailed => self.skipped += 1,
            Outcome::Failed | Outcome::Error | Outcome::Timeout => {
                self.failed += 1;
                self.bar.println(format!(
                    "{:>7} [{:>8}] {}",
                    label(r.outcome),
                    human(r.duration_s),
                    r.key
                ));
            }
        }
        self.first_result
            .get_or_insert_with(std::time::Instant::now);
        self.bar.inc(1);
        self.message();
    }
    fn done(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17, item 7: no ETA before its basis — after two results the first ETA of a run
    /// said 8m22s, then 25.6 s.
    #[test]
    fn no_eta_before_there_is_a_basis() {
        assert_eq!(eta_s(0, 100, None), None);
        assert_eq!(eta_s(2, 100, Some(5.0)), None, "one interval is no pace");
        assert_eq!(eta_s(6, 100, Some(0.5)), None, "half a second is no pace");
        let eta = eta_s(6, 100, Some(2.5)).unwrap();
        assert!((eta - 0.5 * 94.0).abs() < 1e-9, "{eta}");
        assert_eq!(eta_s(100, 100, Some(10.0)), Some(0.0));
    }

    /// Until tests are planned the reporter shows the phase on a spinner, not an empty bar
    /// (indicatif draws a bar of length 0 full, as if the run were over).
    #[test]
    fn the_bar_appears_only_once_tests_are_planned() {
        assert!(!PHASE_TEMPLATE.contains("{bar") && !PHASE_TEMPLATE.contains("{len}"));
        let mut r = TerminalReporter::new();
        assert!(!r.counting);
        assert_eq!(r.bar.message(), "discovering tests");
        r.suite_start("python", "pytest");
        assert_eq!(r.bar.message(), "python: starting workers, collecting");
        r.planned("python", 0, 0.0, 1);
        assert!(!r.counting, "nothing planned yet");
        r.planned("python", 3, 0.3, 1);
        assert!(r.counting);
        assert_eq!(r.bar.message(), "✔ 0 ✘ 0 ↷ 0");
        r.done();
    }
}
