//! The judge: green against blue on error rate and latency, from two samples.
//!
//! - Error rate: one-sided two-proportion z-test (pooled); green fails when its rate is higher
//!   with p < alpha *and* by more than `max_error_increase` percentage points.
//! - Latency: Mann-Whitney U (rigor-perf's statistics) with the shift of the medians as the
//!   effect size; green fails when it is slower with p < alpha *and* its median exceeds blue's
//!   by more than `max_latency_increase` %. Both conditions: a significant but tiny difference is no regression, and a
//!   large but noisy one is not yet proven.
//! - Too few requests on either side: inconclusive (the analysis waits for more).

use super::samples::Sample;
use rigor_perf::stats;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub alpha: f64,
    /// Percentage points.
    pub max_error_increase: f64,
    /// Percent of blue's median latency.
    pub max_latency_increase: f64,
    pub min_requests: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            alpha: 0.01,
            max_error_increase: 2.0,
            max_latency_increase: 15.0,
            min_requests: 50,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    Inconclusive,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Inconclusive => "inconclusive",
        }
    }
}

/// A verdict with the figures behind it (the `rigor.judge/1` JSON document).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reasons: Vec<String>,
    pub blue_requests: u64,
    pub green_requests: u64,
    pub blue_error_rate: f64,
    pub green_error_rate: f64,
    pub error_p_value: Option<f64>,
    pub blue_p50_ms: Option<f64>,
    pub green_p50_ms: Option<f64>,
    pub latency_p_value: Option<f64>,
    /// Green's median minus blue's, in percent of blue's median.
    pub latency_shift_pct: Option<f64>,
}

/// At most this many latencies per side enter the rank test (the most recent ones), which
/// bounds the cost of an analysis at high request rates.
pub const MAX_LATENCIES: usize = 2000;

fn tail(v: &[f64]) -> &[f64] {
    &v[v.len().saturating_sub(MAX_LATENCIES)..]
}

pub fn judge(blue: &Sample, green: &Sample, t: &Thresholds) -> Verdict {
    let mut v = Verdict {
        outcome: Outcome::Pass,
        reasons: Vec::new(),
        blue_requests: blue.requests,
        green_requests: green.requests,
        blue_error_rate: blue.error_rate(),
        green_error_rate: green.error_rate(),
        error_p_value: None,
        blue_p50_ms: None,
        green_p50_ms: None,
        latency_p_value: None,
        latency_shift_pct: None,
    };
    if blue.requests < t.min_requests || green.requests < t.min_requests {
        v.outcome = Outcome::Inconclusive;
        v.reasons.push(format!(
            "too few requests (blue {}, green {}; {} needed on each side)",
            blue.requests, green.requests, t.min_requests
        ));
        return v;
    }
    let p = error_rate_p(blue, green);
    v.error_p_value = Some(p);
    let rise_pp = (v.green_error_rate - v.blue_error_rate) * 100.0;
    if p < t.alpha && rise_pp > t.max_error_increase {
        v.outcome = Outcome::Fail;
        v.reasons.push(format!(
            "error rate {:.2} % vs blue {:.2} % (+{rise_pp:.2} points > {} allowed, p = {p:.2e})",
            v.green_error_rate * 100.0,
            v.blue_error_rate * 100.0,
            t.max_error_increase
        ));
    }
    latency(blue, green, t, &mut v);
    v
}

fn latency(blue: &Sample, green: &Sample, t: &Thresholds, v: &mut Verdict) {
    let (b, g) = (tail(&blue.latencies_ms), tail(&green.latencies_ms));
    if b.len() < 2 || g.len() < 2 {
        return;
    }
    let b_med = stats::median(b);
    let g_med = stats::median(g);
    v.blue_p50_ms = Some(b_med);
    v.green_p50_ms = Some(g_med);
    let test = stats::mann_whitney_u(g, b);
    let shift = g_med - b_med;
    let pct = if b_med > 0.0 {
        shift / b_med * 100.0
    } else {
        0.0
    };
    v.latency_p_value = Some(test.p_value);
    v.latency_shift_pct = Some(pct);
    if test.p_value < t.alpha && pct > t.max_latency_increase {
        v.outcome = Outcome::Fail;
        v.reasons.push(format!(
            "median latency +{pct:.1} % over blue's {b_med:.2} ms (> {} % allowed, Mann-Whitney p = {:.2e})",
            t.max_latency_increase, test.p_value
        ));
    }
}

/// One-sided p-value that green's error rate exceeds blue's (pooled two-proportion z-test).
fn error_rate_p(blue: &Sample, green: &Sample) -> f64 {
    let (n1, n2) = (blue.requests as f64, green.requests as f64);
    let pooled = (blue.errors + green.errors) as f64 / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let diff = green.error_rate() - blue.error_rate();
    if se == 0.0 {
        return if diff > 0.0 { 0.0 } else { 1.0 };
    }
    stats::normal_sf(diff / se)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rigor_perf::stats::SplitMix64;

    /// Log-normal-ish latencies around `median` ms, `errors` of `n` failing.
    fn sample(rng: &mut SplitMix64, n: u64, median: f64, errors: u64) -> Sample {
        Sample {
            latencies_ms: (0..n - errors)
                .map(|_| median * (0.25 * rng.normal()).exp())
                .collect(),
            errors,
            requests: n,
        }
    }

    #[test]
    fn twenty_percent_errors_fail() {
        let mut r = SplitMix64::new(1);
        let v = judge(
            &sample(&mut r, 500, 10.0, 0),
            &sample(&mut r, 500, 10.0, 100),
            &Thresholds::default(),
        );
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(v.reasons[0].contains("error rate"), "{v:?}");
    }

    #[test]
    fn thirty_percent_slower_fails_on_latency() {
        let mut r = SplitMix64::new(2);
        let v = judge(
            &sample(&mut r, 400, 10.0, 0),
            &sample(&mut r, 400, 13.0, 0),
            &Thresholds::default(),
        );
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(v.latency_shift_pct.unwrap() > 20.0, "{v:?}");
        assert!(v.reasons.iter().any(|r| r.contains("latency")));
    }

    #[test]
    fn a_significant_but_tiny_shift_passes() {
        let b = Sample {
            latencies_ms: (0..1000).map(|i| 10.0 + (i % 10) as f64 * 0.01).collect(),
            errors: 0,
            requests: 1000,
        };
        let g = Sample {
            latencies_ms: b.latencies_ms.iter().map(|x| x + 0.2).collect(),
            errors: 0,
            requests: 1000,
        };
        let v = judge(&b, &g, &Thresholds::default());
        assert!(v.latency_p_value.unwrap() < 1e-6);
        assert_eq!(v.outcome, Outcome::Pass, "{v:?}");
    }

    #[test]
    fn too_few_requests_are_inconclusive() {
        let mut r = SplitMix64::new(3);
        let v = judge(
            &sample(&mut r, 10, 10.0, 0),
            &sample(&mut r, 10, 50.0, 5),
            &Thresholds::default(),
        );
        assert_eq!(v.outcome, Outcome::Inconclusive);
    }

    #[test]
    fn a_and_a_false_failures_stay_under_one_percent() {
        let mut r = SplitMix64::new(20261127);
        let t = Thresholds::default();
        let fails = (0..200)
            .filter(|_| {
                let b = sample(&mut r, 300, 10.0, 3);
                let g = sample(&mut r, 300, 10.0, 3);
                judge(&b, &g, &t).outcome == Outcome::Fail
            })
            .count();
        assert!(fails <= 2, "{fails} false failures in 200");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Metamorphic: scaling every latency of both sides by the same factor changes no
        /// verdict (the latency rule is relative, the error rule ignores latency).
        #[test]
        fn verdicts_do_not_depend_on_the_time_unit(seed: u64, factor in 0.001f64..1000.0, slower in 1.0f64..1.6) {
            let mut r = SplitMix64::new(seed);
            let b = sample(&mut r, 120, 10.0, 2);
            let g = sample(&mut r, 120, 10.0 * slower, 2);
            let scale = |s: &Sample| Sample { latencies_ms: s.latencies_ms.iter().map(|x| x * factor).collect(), ..s.clone() };
            let t = Thresholds::default();
            prop_assert_eq!(judge(&b, &g, &t).outcome, judge(&scale(&b), &scale(&g), &t).outcome);
        }

        /// Green identical to blue never fails.
        #[test]
        fn a_side_never_fails_against_itself(seed: u64, errors in 0u64..60) {
            let mut r = SplitMix64::new(seed);
            let b = sample(&mut r, 200, 10.0, errors);
            prop_assert_ne!(judge(&b, &b.clone(), &Thresholds::default()).outcome, Outcome::Fail);
        }
    }
}
