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

/// A progress bar with counts and ETA; failures are printed above it as they happen.
pub struct TerminalReporter {
    bar: ProgressBar,
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

impl TerminalReporter {
    pub fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {msg}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Self {
            bar,
            failed: 0,
            passed: 0,
            skipped: 0,
            first_result: None,
        }
    }
    fn message(&self) {
        self.bar.set_message(format!(
            "✔ {} ✘ {} ↷ {}  ETA {}",
            self.passed,
            self.failed,
            self.skipped,
            self.eta()
        ));
    }

    /// Remaining time at the pace of the tests finished so far (after the workers started).
    fn eta(&self) -> String {
        let done = self.bar.position();
        let left = self.bar.length().unwrap_or(0).saturating_sub(done);
        match self.first_result {
            Some(t) if done > 1 => {
                let per_test = t.elapsed().as_secs_f64() / (done - 1) as f64;
                human(per_test * left as f64)
            }
            _ => "…".into(),
        }
    }
}

impl Reporter for TerminalReporter {
    fn tier_start(&mut self, tier: &str) {
        self.bar.println(format!("══ tier {tier}"));
    }
    fn suite_start(&mut self, suite: &str, kind: &str) {
        self.bar.println(format!("── suite {suite} ({kind})"));
    }
    fn planned(&mut self, _suite: &str, count: usize, _estimated_s: f64, _jobs: usize) {
        self.bar.inc_length(count as u64);
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
