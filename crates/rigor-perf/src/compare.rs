//! Pairwise comparison of a benchmark's current samples with its baseline samples.
//!
//! * Both sides with repeated samples: Mann-Whitney U for the p-value and the Hodges–Lehmann
//!   estimate of the shift with its distribution-free interval. Positive data is compared on the
//!   log scale, so the shift is a ratio (scale-free) and `change_pct = (e^shift − 1)·100`.
//!   When the samples are too few for the test to reach the significance level (fewer than 6
//!   per side at the default α = 0.005), a seeded percentile bootstrap of the median shift decides instead.
//! * Single values: the current value against the distribution of recent baseline points
//!   (Student-t prediction interval), or — with fewer than 3 points — the plain relative change
//!   judged by the thresholds only.
//!
//! Verdicts: `unchanged` (not significant), `within_noise` (significant but |change| ≤ noise
//! band), `regressed` (worse by ≥ max_regression), `warning` (worse by ≥ warn), `improved`
//! (better beyond the noise band). A significant worsening below `warn` stays `unchanged` with
//! `significant: true`.

use crate::model::Direction;
use crate::settings::Thresholds;
use crate::stats::{
    SplitMix64, bootstrap_median_shift, hodges_lehmann, mann_whitney_min_p, mann_whitney_u, mean,
    median, std_dev, t_quantile, t_sf,
};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Regressed,
    Improved,
    Unchanged,
    WithinNoise,
    Warning,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Regressed => "regressed",
            Verdict::Improved => "improved",
            Verdict::Unchanged => "unchanged",
            Verdict::WithinNoise => "within_noise",
            Verdict::Warning => "warning",
        }
    }
}

/// How a comparison was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    MannWhitney,
    Bootstrap,
    History,
    Single,
}

/// One benchmark's comparison (the `benchmarks[]` items of `compare --format json`).
#[derive(Debug, Clone, Serialize)]
pub struct BenchComparison {
    pub name: String,
    pub unit: String,
    pub direction: Direction,
    pub baseline: f64,
    pub current: f64,
    pub change_pct: f64,
    pub ci_low_pct: Option<f64>,
    pub ci_high_pct: Option<f64>,
    pub p_value: Option<f64>,
    pub verdict: Verdict,
    pub threshold_pct: f64,
    pub warn_pct: f64,
    pub noise_pct: f64,
    pub significant: bool,
    pub method: Method,
    pub baseline_n: usize,
    pub current_n: usize,
}

/// The statistical part of a comparison.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub baseline: f64,
    pub current: f64,
    /// Relative change (fraction).
    pub change: f64,
    pub ci: Option<(f64, f64)>,
    pub p_value: Option<f64>,
    pub significant: bool,
    pub method: Method,
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Compare repeated samples (both sides ≥ 2 values).
pub fn compare_samples(baseline: &[f64], current: &[f64], alpha: f64) -> Outcome {
    let positive = baseline.iter().chain(current).all(|v| *v > 0.0);
    let tf = |v: &[f64]| -> Vec<f64> {
        if positive {
            v.iter().map(|x| x.ln()).collect()
        } else {
            v.to_vec()
        }
    };
    let (b, c) = (tf(baseline), tf(current));
    let (bm, cm) = (median(baseline), median(current));
    let scale = bm.abs();
    let to_rel = |shift: f64| -> f64 {
        if positive {
            shift.exp() - 1.0
        } else if scale > 0.0 {
            shift / scale
        } else {
            f64::NAN
        }
    };
    let mw = mann_whitney_u(&c, &b);
    let can_reach = mann_whitney_min_p(c.len(), b.len()) <= alpha;
    if can_reach {
        let hl = hodges_lehmann(&c, &b, alpha);
        let change = to_rel(hl.estimate);
        let ci = match (finite(hl.low), finite(hl.high)) {
            (Some(l), Some(h)) => Some((to_rel(l), to_rel(h))),
            _ => None,
        };
        Outcome {
            baseline: bm,
            current: cm,
            change,
            ci,
            p_value: Some(mw.p_value),
            significant: mw.p_value < alpha,
            method: Method::MannWhitney,
        }
    } else {
        let seed = baseline.len() as u64 * 1_000_003 + current.len() as u64;
        let (lo, hi) = bootstrap_median_shift(&c, &b, alpha, 4000, seed ^ 0x5eed);
        let shift = median(&c) - median(&b);
        Outcome {
            baseline: bm,
            current: cm,
            change: to_rel(shift),
            ci: Some((to_rel(lo), to_rel(hi))),
            p_value: Some(mw.p_value),
            significant: lo > 0.0 || hi < 0.0,
            method: Method::Bootstrap,
        }
    }
}

/// Compare a single current value with recent baseline points (`history`, oldest first; the
/// last one is the baseline value).
pub fn compare_single(history: &[f64], current: f64, alpha: f64) -> Outcome {
    let base = *history.last().unwrap_or(&f64::NAN);
    if history.len() >= 3 {
        let k = history.len() as f64;
        let (m, s) = (mean(history), std_dev(history));
        let scale = m.abs();
        let rel = |d: f64| if scale > 0.0 { d / scale } else { f64::NAN };
        let spread = s * (1.0 + 1.0 / k).sqrt();
        let (p, ci) = if spread > 0.0 {
            let t = (current - m) / spread;
            let q = t_quantile(1.0 - alpha / 2.0, k - 1.0);
            (
                (2.0 * t_sf(t.abs(), k - 1.0)).min(1.0),
                Some((rel(current - m - q * spread), rel(current - m + q * spread))),
            )
        } else {
            (
                if current == m { 1.0 } else { 0.0 },
                Some((rel(current - m), rel(current - m))),
            )
        };
        return Outcome {
            baseline: m,
            current,
            change: rel(current - m),
            ci,
            p_value: Some(p),
            significant: p < alpha,
            method: Method::History,
        };
    }
    let change = if base != 0.0 {
        (current - base) / base.abs()
    } else {
        f64::NAN
    };
    Outcome {
        baseline: base,
        current,
        change,
        ci: None,
        p_value: None,
        significant: true,
        method: Method::Single,
    }
}

/// Turn an outcome into a verdict under the thresholds.
pub fn verdict(o: &Outcome, direction: Direction, t: &Thresholds) -> Verdict {
    if !o.significant || !o.change.is_finite() {
        return Verdict::Unchanged;
    }
    if o.change.abs() <= t.noise {
        return Verdict::WithinNoise;
    }
    let worse = o.change * direction.worse_sign();
    if worse >= t.max_regression {
        Verdict::Regressed
    } else if worse >= t.warn {
        Verdict::Warning
    } else if worse < 0.0 {
        Verdict::Improved
    } else {
        Verdict::Unchanged
    }
}

/// Whether an outcome is a detected change (significant and outside the noise band).
pub fn detected(o: &Outcome, noise: f64) -> bool {
    o.significant && o.change.is_finite() && o.change.abs() > noise
}

/// Full comparison of one benchmark.
#[allow(clippy::too_many_arguments)]
pub fn compare_benchmark(
    name: &str,
    unit: &str,
    direction: Direction,
    baseline_samples: &[f64],
    history: &[f64],
    current_samples: &[f64],
    current_value: f64,
    t: &Thresholds,
    alpha: f64,
) -> BenchComparison {
    let o = if baseline_samples.len() >= 2 && current_samples.len() >= 2 {
        compare_samples(baseline_samples, current_samples, alpha)
    } else {
        compare_single(history, current_value, alpha)
    };
    let pct = |v: f64| v * 100.0;
    BenchComparison {
        name: name.to_string(),
        unit: unit.to_string(),
        direction,
        baseline: o.baseline,
        current: o.current,
        change_pct: pct(o.change),
        ci_low_pct: o.ci.and_then(|c| finite(pct(c.0))),
        ci_high_pct: o.ci.and_then(|c| finite(pct(c.1))),
        p_value: o.p_value,
        verdict: verdict(&o, direction, t),
        threshold_pct: pct(t.max_regression),
        warn_pct: pct(t.warn),
        noise_pct: pct(t.noise),
        significant: o.significant,
        method: o.method,
        baseline_n: if baseline_samples.len() >= 2 && current_samples.len() >= 2 {
            baseline_samples.len()
        } else {
            history.len()
        },
        current_n: current_samples.len().max(1),
    }
}

/// Draw `n` values from N(mean, (cv·mean)²).
pub fn draw(rng: &mut SplitMix64, n: usize, mean: f64, cv: f64) -> Vec<f64> {
    (0..n).map(|_| mean * (1.0 + cv * rng.normal())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALPHA: f64 = 0.005;
    const T: Thresholds = Thresholds {
        max_regression: 0.15,
        warn: 0.10,
        noise: 0.01,
    };

    fn aa_rate(cv: f64, seed: u64) -> f64 {
        let mut rng = SplitMix64::new(seed);
        let mut alarms = 0;
        for _ in 0..1000 {
            let a = draw(&mut rng, 10, 100.0, cv);
            let b = draw(&mut rng, 10, 100.0, cv);
            if detected(&compare_samples(&a, &b, ALPHA), T.noise) {
                alarms += 1;
            }
        }
        alarms as f64 / 1000.0
    }

    fn power(cv: f64, seed: u64) -> f64 {
        let mut rng = SplitMix64::new(seed);
        let mut hits = 0;
        for _ in 0..1000 {
            let a = draw(&mut rng, 30, 100.0, cv);
            let b = draw(&mut rng, 30, 105.0, cv);
            let o = compare_samples(&a, &b, ALPHA);
            if detected(&o, T.noise) && o.change > 0.0 {
                hits += 1;
            }
        }
        hits as f64 / 1000.0
    }

    /// A/A: 1,000 trials of 10 vs 10 samples from the same distribution (normal, coefficient
    /// of variation 1–5 %, typical benchmark noise); false alarms ≤ 1 %.
    #[test]
    fn aa_false_alarm_rate_is_at_most_one_percent() {
        for (cv, seed) in [(0.01, 11u64), (0.03, 12), (0.05, 13)] {
            let rate = aa_rate(cv, seed);
            eprintln!("A/A cv={cv}: false-alarm rate {rate}");
            assert!(rate <= 0.01, "cv {cv}: false-alarm rate {rate}");
        }
        // With noise far above the noise band only α protects: the exact test's size is ≤ 1 %,
        // so the observed rate stays within Monte-Carlo error of it.
        let rate = aa_rate(0.10, 14);
        eprintln!("A/A cv=0.1: false-alarm rate {rate}");
        assert!(rate <= 0.02, "cv 0.1: false-alarm rate {rate}");
    }

    /// A 5 % shift with 30 samples per side is detected at least 90 % of the time (3 % noise).
    #[test]
    fn five_percent_shift_with_30_samples_is_detected() {
        let p = power(0.03, 21);
        eprintln!("5% shift, 30/side, cv=0.03: power {p}");
        assert!(p >= 0.90, "power {p}");
        let p = power(0.02, 22);
        eprintln!("5% shift, 30/side, cv=0.02: power {p}");
        assert!(p >= 0.99, "power {p}");
        // at 5 % noise the shift is one standard deviation: still mostly found
        let p = power(0.05, 23);
        eprintln!("5% shift, 30/side, cv=0.05: power {p}");
        assert!(p >= 0.75, "power {p}");
    }

    #[test]
    fn verdicts_follow_thresholds_and_direction() {
        let base: Vec<f64> = (0..20).map(|i| 100.0 + (i % 5) as f64 * 0.2).collect();
        let slower: Vec<f64> = base.iter().map(|v| v * 1.2).collect();
        let o = compare_samples(&base, &slower, 0.01);
        assert!((o.change - 0.2).abs() < 1e-9, "{o:?}");
        assert_eq!(
            verdict(&o, Direction::LowerIsBetter, &T),
            Verdict::Regressed
        );
        assert_eq!(
            verdict(&o, Direction::HigherIsBetter, &T),
            Verdict::Improved
        );
        let a_bit: Vec<f64> = base.iter().map(|v| v * 1.12).collect();
        assert_eq!(
            verdict(
                &compare_samples(&base, &a_bit, 0.01),
                Direction::LowerIsBetter,
                &T
            ),
            Verdict::Warning
        );
        let tiny: Vec<f64> = base.iter().map(|v| v * 1.005).collect();
        let o = compare_samples(&base, &tiny, 0.01);
        assert!(o.significant);
        assert_eq!(
            verdict(&o, Direction::LowerIsBetter, &T),
            Verdict::WithinNoise
        );
        let same = compare_samples(&base, &base, 0.01);
        assert_eq!(
            verdict(&same, Direction::LowerIsBetter, &T),
            Verdict::Unchanged
        );
    }

    #[test]
    fn ci_brackets_the_estimate() {
        let mut rng = SplitMix64::new(5);
        let a = draw(&mut rng, 25, 100.0, 0.02);
        let b = draw(&mut rng, 25, 110.0, 0.02);
        let c = compare_benchmark(
            "x",
            "ns",
            Direction::LowerIsBetter,
            &a,
            &[],
            &b,
            0.0,
            &T,
            0.01,
        );
        let (lo, hi) = (c.ci_low_pct.unwrap(), c.ci_high_pct.unwrap());
        assert!(lo <= c.change_pct && c.change_pct <= hi, "{c:?}");
        assert!(lo > 5.0 && hi < 15.0, "{c:?}");
        assert_eq!(c.method, Method::MannWhitney);
    }

    #[test]
    fn few_samples_use_the_bootstrap() {
        let o = compare_samples(&[10.0, 10.1, 9.9], &[12.0, 12.1, 11.9], 0.01);
        assert_eq!(o.method, Method::Bootstrap);
        assert!(o.significant, "{o:?}");
        assert!((o.change - 0.2).abs() < 1e-9);
    }

    #[test]
    fn single_values_against_history() {
        let hist = [100.0, 101.0, 99.0, 100.5, 99.5, 100.0];
        let o = compare_single(&hist, 130.0, 0.01);
        assert_eq!(o.method, Method::History);
        assert!(o.significant && (o.change - 0.3).abs() < 1e-9, "{o:?}");
        assert_eq!(
            verdict(&o, Direction::LowerIsBetter, &T),
            Verdict::Regressed
        );
        let o = compare_single(&hist, 100.4, 0.01);
        assert!(!o.significant);
        // too little history: thresholds only
        let o = compare_single(&[100.0], 120.0, 0.01);
        assert_eq!(o.method, Method::Single);
        assert_eq!(
            verdict(&o, Direction::LowerIsBetter, &T),
            Verdict::Regressed
        );
        let o = compare_single(&[100.0], 100.5, 0.01);
        assert_eq!(
            verdict(&o, Direction::LowerIsBetter, &T),
            Verdict::WithinNoise
        );
    }
}
