//! Metamorphic properties of the structure model (trend, period, steps): a linear trend added
//! to a series with steps finds the same steps; a noisy trend is one trend and no change
//! points; series without a trend are left to the step detector.

use proptest::prelude::*;
use rigor_perf::changepoint::{DetectSettings, detect};
use rigor_perf::structure::analyse;

/// Integer noise in −30..=30 from a xorshift generator.
fn noise(seed: u64, n: usize) -> Vec<f64> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 61) as f64 - 30.0
        })
        .collect()
}

/// Piecewise-constant levels with noise, and the segments as (start, level): clear steps
/// (consecutive levels at least 15 % apart) at least 40 points apart.
fn stepped() -> impl Strategy<Value = (Vec<f64>, Vec<(usize, f64)>)> {
    (
        800i64..2000,
        prop::collection::vec((40usize..120, 15i64..60, any::<bool>()), 1..5),
        any::<u64>(),
    )
        .prop_map(|(first, segments, seed)| {
            let total = segments.iter().map(|s| s.0).sum();
            let e = noise(seed, total);
            let (mut xs, mut levels) = (Vec::new(), Vec::new());
            let mut level = first as f64;
            for (i, (len, pct, up)) in segments.into_iter().enumerate() {
                if i > 0 {
                    let up = up || level * (1.0 - pct as f64 / 100.0) < 500.0;
                    level *= if up {
                        1.0 + pct as f64 / 100.0
                    } else {
                        1.0 - pct as f64 / 100.0
                    };
                    level = level.round();
                }
                levels.push((xs.len(), level));
                for _ in 0..len {
                    xs.push(level + e[xs.len()]);
                }
            }
            (xs, levels)
        })
}

fn indices(cps: &[rigor_perf::changepoint::ChangePoint]) -> Vec<usize> {
    cps.iter().map(|c| c.index).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_trend_added_to_steps_finds_the_same_steps(
        (xs, levels) in stepped(),
        slope in prop_oneof![0.5f64..2.0, -2.0f64..-0.5],
    ) {
        let s = DetectSettings::default();
        let trended: Vec<f64> = xs.iter().enumerate().map(|(t, x)| x + slope * t as f64).collect();
        let a = analyse(&trended, &s);
        let found = indices(&a.change_points);
        // A slope eight standard errors from zero (noise of sd 61/√12, one intercept per
        // segment) is reported, with the slope in its interval; a weaker one may be left to the
        // step detector.
        let sxx: f64 = levels.iter().map(|l| l.0).chain([xs.len()]).collect::<Vec<_>>()
            .windows(2).map(|w| ((w[1] - w[0]) as f64).powi(3) / 12.0).sum();
        let expected_t = slope.abs() / ((61.0 / 12f64.sqrt()) / sxx.sqrt());
        let Some(trend) = &a.trend else {
            prop_assert!(expected_t < 8.0, "a trend {:.1} standard errors from zero is not reported", expected_t);
            return Ok(());
        };
        // (A 95 % interval misses one case in twenty: allow four standard errors.)
        let se = (trend.slope_high - trend.slope_low) / 3.92;
        prop_assert!((trend.slope - slope).abs() <= 4.0 * se + 0.05,
            "slope {} far outside [{}, {}]", slope, trend.slope_low, trend.slope_high);
        // With the trend modelled: the same steps as the step detector finds without the trend
        // (each within ±2), and every clear step among them.
        let flat = indices(&detect(&xs, &s));
        prop_assert_eq!(found.len(), flat.len(), "{:?} vs {:?} without the trend", found, flat);
        for (f, g) in found.iter().zip(&flat) {
            prop_assert!(f.abs_diff(*g) <= 2, "{:?} vs {:?} without the trend", found, flat);
        }
        for w in levels.windows(2) {
            let ((_, before), (start, after)) = (w[0], w[1]);
            if (after - before).abs() >= 0.15 * before {
                prop_assert!(found.iter().any(|f| f.abs_diff(start) <= 2),
                    "step at {} ({} → {}) not in {:?}", start, before, after, found);
            }
        }
    }

    #[test]
    fn a_noisy_trend_is_one_trend_and_no_change_points(
        seed in any::<u64>(),
        n in 60usize..600,
        drift in prop_oneof![0.05f64..0.5, -0.4f64..-0.05],
    ) {
        let slope = 1000.0 * drift / n as f64;
        let xs: Vec<f64> = noise(seed, n).iter().enumerate()
            .map(|(t, e)| 1000.0 + slope * t as f64 + e).collect();
        let a = analyse(&xs, &DetectSettings::default());
        prop_assert!(a.change_points.is_empty(), "{:?}", indices(&a.change_points));
        let trend = a.trend.expect("a trend");
        prop_assert!(trend.drift_pct.signum() == drift.signum());
        prop_assert!(a.season.is_none());
    }

    #[test]
    fn series_without_a_trend_keep_the_step_detectors_answer((xs, _) in stepped()) {
        let s = DetectSettings::default();
        let a = analyse(&xs, &s);
        prop_assert!(a.trend.is_none());
        prop_assert_eq!(indices(&a.change_points), indices(&detect(&xs, &s)));
    }

    #[test]
    fn invariant_under_positive_scaling((xs, _) in stepped(), slope in 0.0f64..2.0, k in 1u32..1000) {
        let s = DetectSettings::default();
        let trended: Vec<f64> = xs.iter().enumerate().map(|(t, x)| x + slope * t as f64).collect();
        let scaled: Vec<f64> = trended.iter().map(|x| x * k as f64).collect();
        let (a, b) = (analyse(&trended, &s), analyse(&scaled, &s));
        prop_assert_eq!(indices(&a.change_points), indices(&b.change_points));
        prop_assert_eq!(a.trend.is_some(), b.trend.is_some());
    }
}
