//! Metamorphic properties of change-point detection: invariance under scaling and shifting,
//! mirroring under reversal, nothing on constant series.

use proptest::prelude::*;
use rigor_perf::changepoint::{DetectSettings, detect};

/// Integer-valued piecewise-constant series with integer noise (exact arithmetic, so the
/// transformed series are compared without rounding noise).
fn series() -> impl Strategy<Value = Vec<f64>> {
    series_with_levels().prop_map(|(xs, _)| xs)
}

/// The series with its segments as (start, level).
fn series_with_levels() -> impl Strategy<Value = (Vec<f64>, Vec<(usize, i64)>)> {
    (
        prop::collection::vec((20usize..120, 500i64..2000), 1..5),
        any::<u64>(),
    )
        .prop_map(|(segments, seed)| {
            let mut s = seed | 1;
            let mut out = Vec::new();
            let mut levels = Vec::new();
            for (len, level) in segments {
                levels.push((out.len(), level));
                for _ in 0..len {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    let noise = (s % 61) as i64 - 30;
                    out.push((level + noise) as f64);
                }
            }
            (out, levels)
        })
}

fn indices(xs: &[f64], s: &DetectSettings) -> Vec<usize> {
    detect(xs, s).iter().map(|c| c.index).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn invariant_under_positive_scaling(xs in series(), k in 1u32..1000) {
        let s = DetectSettings::default();
        let scaled: Vec<f64> = xs.iter().map(|x| x * k as f64).collect();
        prop_assert_eq!(indices(&xs, &s), indices(&scaled, &s));
    }

    #[test]
    fn invariant_under_shifting_without_a_relative_floor(xs in series(), b in -100_000i64..100_000) {
        // the magnitude floor is relative to the mean, so it is switched off for this property
        let s = DetectSettings { min_magnitude: 0.0, ..DetectSettings::default() };
        let shifted: Vec<f64> = xs.iter().map(|x| x + b as f64).collect();
        prop_assert_eq!(indices(&xs, &s), indices(&shifted, &s));
    }

    #[test]
    fn invariant_under_affine_maps(xs in series(), k in 1u32..50, b in 0i64..10_000) {
        let s = DetectSettings { min_magnitude: 0.0, ..DetectSettings::default() };
        let mapped: Vec<f64> = xs.iter().map(|x| x * k as f64 + b as f64).collect();
        prop_assert_eq!(indices(&xs, &s), indices(&mapped, &s));
    }

    #[test]
    fn reversal_mirrors_change_points(xs in series()) {
        let s = DetectSettings::default();
        let n = xs.len();
        let forward = indices(&xs, &s);
        let rev: Vec<f64> = xs.iter().rev().copied().collect();
        let mut mirrored: Vec<usize> = indices(&rev, &s).iter().map(|i| n - i).collect();
        mirrored.sort_unstable();
        prop_assert_eq!(forward, mirrored);
    }

    #[test]
    fn constant_series_have_none(len in 0usize..2000, v in -1e9f64..1e9) {
        let xs = vec![v; len];
        prop_assert!(detect(&xs, &DetectSettings::default()).is_empty());
        let no_floor = DetectSettings { min_magnitude: 0.0, ..DetectSettings::default() };
        prop_assert!(detect(&xs, &no_floor).is_empty());
    }

    #[test]
    fn clear_steps_are_found((xs, levels) in series_with_levels()) {
        // every level change of ≥ 15 % (noise is at most ±30 on levels ≥ 500) is found within ±2
        let found = indices(&xs, &DetectSettings::default());
        for w in levels.windows(2) {
            let ((_, a), (start, b)) = (w[0], w[1]);
            if (b - a).abs() as f64 >= 0.15 * a as f64 {
                prop_assert!(found.iter().any(|f| f.abs_diff(start) <= 2), "step at {} ({} → {}) not in {:?}", start, a, b, found);
            }
        }
    }
}
