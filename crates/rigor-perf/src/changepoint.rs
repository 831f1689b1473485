//! Change points over a history: E-Divisive means (Matteson & James 2014) to place each split,
//! a Welch t-test per candidate split to decide it (Apache Otava / Hunter's approach), with two
//! guards that keep false alarms down on long, noisy histories:
//!
//! * **multiple testing**: a change point could sit at any of the `k` positions of the series,
//!   so its p-value is Bonferroni-corrected by `k` before it is compared with `max_pvalue`, and
//!   each side's variance is floored at the pooled variance (a short, accidentally tight
//!   segment cannot make a blip significant);
//! * **magnitude floor**: a split whose relative change of the mean is below `min_magnitude` is
//!   not reported, however significant.
//!
//! Candidates come from recursive best splits (a loose test, with a look-ahead of two levels,
//! decides whether to keep splitting); every candidate is then re-tested against its neighbouring candidates only (the segment between the previous and
//! the next one); the weakest failing one is dropped and its neighbours re-tested, until all
//! remaining points pass the strict test.
//!
//! The energy statistic of every split of a segment is computed in O(n log n) with Fenwick trees
//! over ranks (within-sample sums of |xᵢ − xⱼ| grown from both ends).

use crate::stats::{mean, std_dev, t_sf};

/// Detection settings (`[perf.detect]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectSettings {
    /// Family-wise significance level per segment (after the Bonferroni correction).
    pub max_pvalue: f64,
    /// Smallest change of the mean that is reported, relative to the average of the means on
    /// both sides (0.01 = 1 %).
    pub min_magnitude: f64,
    /// Fewest points on each side of a change point.
    pub min_segment: usize,
    /// How the series is modelled before steps are searched ([`crate::structure`]); the
    /// step detector itself ignores it.
    pub mode: crate::structure::Mode,
}

impl Default for DetectSettings {
    fn default() -> Self {
        DetectSettings {
            max_pvalue: 0.001,
            min_magnitude: 0.01,
            min_segment: 4,
            mode: crate::structure::Mode::Auto,
        }
    }
}

/// A detected change point: `index` is the first point of the new regime.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    pub index: usize,
    pub mean_before: f64,
    pub std_before: f64,
    pub mean_after: f64,
    pub std_after: f64,
    /// Relative change of the mean in percent, against |mean_before|.
    pub change_pct: f64,
    /// Bonferroni-corrected Welch p-value against the neighbouring segments.
    pub p_value: f64,
    /// Raw (uncorrected) Welch p-value.
    pub raw_p_value: f64,
}

/// Fenwick tree (1-based) of counts and sums.
struct Fenwick {
    cnt: Vec<f64>,
    sum: Vec<f64>,
}

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick {
            cnt: vec![0.0; n + 1],
            sum: vec![0.0; n + 1],
        }
    }
    fn add(&mut self, mut i: usize, v: f64) {
        while i < self.cnt.len() {
            self.cnt[i] += 1.0;
            self.sum[i] += v;
            i += i & i.wrapping_neg();
        }
    }
    /// (count, sum) of entries with rank <= i.
    fn prefix(&self, mut i: usize) -> (f64, f64) {
        let (mut c, mut s) = (0.0, 0.0);
        while i > 0 {
            c += self.cnt[i];
            s += self.sum[i];
            i -= i & i.wrapping_neg();
        }
        (c, s)
    }
}

/// Within sums W(k) = Σ_{i<j<k} |x_i − x_j| for every prefix length k = 0..=n.
fn prefix_within(xs: &[f64], ranks: &[usize], distinct: usize) -> Vec<f64> {
    let mut tree = Fenwick::new(distinct);
    let mut out = Vec::with_capacity(xs.len() + 1);
    out.push(0.0);
    let (mut total_c, mut total_s) = (0.0, 0.0);
    let mut w = 0.0;
    for (i, &x) in xs.iter().enumerate() {
        let r = ranks[i];
        let (cl, sl) = tree.prefix(r - 1);
        let (cle, sle) = tree.prefix(r);
        let (cg, sg) = (total_c - cle, total_s - sle);
        // values equal to x contribute 0
        w += (x * cl - sl) + (sg - x * cg);
        tree.add(r, x);
        total_c += 1.0;
        total_s += x;
        out.push(w);
    }
    out
}

/// The E-Divisive (α = 1) energy statistic Q̂ for every split τ of `xs` (τ = size of the left
/// part), for τ in `min..=n-min`; other entries are −∞.
pub fn energy_statistics(xs: &[f64], min: usize) -> Vec<f64> {
    let n = xs.len();
    let mut q = vec![f64::NEG_INFINITY; n + 1];
    let min = min.max(2);
    if n < 2 * min {
        return q;
    }
    let mut sorted: Vec<f64> = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let rank = |x: f64| sorted.partition_point(|&s| s < x) + 1;
    let ranks: Vec<usize> = xs.iter().map(|&x| rank(x)).collect();
    let left = prefix_within(xs, &ranks, sorted.len());
    let rev: Vec<f64> = xs.iter().rev().copied().collect();
    let rev_ranks: Vec<usize> = ranks.iter().rev().copied().collect();
    let right = prefix_within(&rev, &rev_ranks, sorted.len());
    // symmetric under reversal of the series
    let total = (left[n] + right[n]) / 2.0;
    for (tau, slot) in q.iter_mut().enumerate().take(n - min + 1).skip(min) {
        let (nl, nr) = (tau as f64, (n - tau) as f64);
        let wl = left[tau];
        let wr = right[n - tau];
        let between = total - (wl + wr);
        let within = wl / (nl * (nl - 1.0) / 2.0) + wr / (nr * (nr - 1.0) / 2.0);
        *slot = (nl * nr / (nl + nr)) * (2.0 * between / (nl * nr) - within);
    }
    q
}

/// The best split of a segment: highest Q̂, ties broken towards the centre (symmetric under
/// reversal), then towards the left.
fn best_split(xs: &[f64], min: usize) -> Option<usize> {
    let q = energy_statistics(xs, min);
    let n = xs.len();
    let mut best: Option<usize> = None;
    for tau in 0..=n {
        if !q[tau].is_finite() {
            continue;
        }
        best = match best {
            None => Some(tau),
            Some(b) => {
                let dist = |t: usize| (2 * t).abs_diff(n);
                // Values within rounding of each other are ties (so that shifting or scaling
                // the series, which changes only the rounding, cannot change the split).
                if !nearly_equal(q[tau], q[b]) && q[tau] > q[b]
                    || (nearly_equal(q[tau], q[b]) && dist(tau) < dist(b))
                {
                    Some(tau)
                } else {
                    Some(b)
                }
            }
        };
    }
    best
}

/// Equal up to floating-point rounding (relative 1e-9).
fn nearly_equal(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs())
}

/// The size of a change for the magnitude floor: the difference of the means relative to their
/// average magnitude. Symmetric (reversing the series gives the same value, negated), scale
/// invariant, and within a factor (1 + r/2) of the change relative to the mean before.
fn magnitude(m1: f64, m2: f64) -> f64 {
    let scale = (m1.abs() + m2.abs()) / 2.0;
    if scale == 0.0 {
        if m1 == m2 {
            0.0
        } else {
            f64::INFINITY.copysign(m2 - m1)
        }
    } else {
        (m2 - m1) / scale
    }
}

fn rel_change(before: f64, after: f64) -> f64 {
    if before == 0.0 {
        if after == before {
            0.0
        } else {
            f64::INFINITY.copysign(after - before)
        }
    } else {
        (after - before) / before.abs()
    }
}

/// Prefix sums of the centred series: O(1) mean, variance and Welch test of any segment.
struct Prefix {
    s1: Vec<f64>,
    s2: Vec<f64>,
    center: f64,
    /// Bonferroni factor: the number of positions a change point could take in the series.
    family: f64,
}

impl Prefix {
    fn new(xs: &[f64], min: usize) -> Self {
        let center = if xs.is_empty() { 0.0 } else { mean(xs) };
        let mut s1 = Vec::with_capacity(xs.len() + 1);
        let mut s2 = Vec::with_capacity(xs.len() + 1);
        let (mut a, mut b) = (0.0, 0.0);
        s1.push(0.0);
        s2.push(0.0);
        for x in xs {
            let c = x - center;
            a += c;
            b += c * c;
            s1.push(a);
            s2.push(b);
        }
        Prefix {
            s1,
            s2,
            center,
            family: candidates(xs.len(), min) as f64,
        }
    }

    /// (n, mean, variance) of xs[a..b].
    fn stats(&self, a: usize, b: usize) -> (f64, f64, f64) {
        let n = (b - a) as f64;
        let sum = self.s1[b] - self.s1[a];
        let m = sum / n;
        let var = if n > 1.0 {
            ((self.s2[b] - self.s2[a] - sum * m) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        (n, m + self.center, var)
    }

    /// Test the split of [a, b) at c: (corrected p, raw p, relative change of the mean).
    fn test(&self, a: usize, c: usize, b: usize, floor: bool) -> (f64, f64, f64) {
        let (n1, m1, v1) = self.stats(a, c);
        let (n2, m2, v2) = self.stats(c, b);
        // Welch's test with each side's variance floored at the pooled variance: a short side
        // whose few points happen to agree closely must not make a noise blip significant.
        let pooled = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0).max(1.0);
        let (v1, v2) = if floor {
            (v1.max(pooled), v2.max(pooled))
        } else {
            (v1, v2)
        };
        let se2 = v1 / n1 + v2 / n2;
        let raw = if se2 <= 0.0 || !se2.is_finite() {
            if m1 == m2 { 1.0 } else { 0.0 }
        } else {
            let t = (m2 - m1) / se2.sqrt();
            let df = se2 * se2
                / ((v1 / n1).powi(2) / (n1 - 1.0).max(1.0)
                    + (v2 / n2).powi(2) / (n2 - 1.0).max(1.0));
            (2.0 * t_sf(t.abs(), df)).min(1.0)
        };
        let corrected = (raw * self.family).min(1.0);
        (corrected, raw, magnitude(m1, m2))
    }
}

fn candidates(len: usize, min: usize) -> usize {
    (len + 1).saturating_sub(2 * min).max(1)
}

fn passes(p: f64, change: f64, s: &DetectSettings) -> bool {
    p < s.max_pvalue && change.abs() >= s.min_magnitude
}

/// Loose level for proposing candidates in the first phase; the strict, corrected test of the
/// second phase decides.
const CANDIDATE_PVALUE: f64 = 0.05;

/// Levels of splits below a loosely insignificant one that are still explored.
const LOOKAHEAD: u8 = 2;

/// Detect change points in a series.
///
/// 1. Candidates: recursive best splits by the energy statistic, continued while the raw Welch
///    p-value of the split is below 0.05, and for two more levels below a split that is not
///    (a segment holding several changes — a dip and a jump — can look insignificant as a
///    whole while its parts are not).
/// 2. Pruning: each candidate is tested against its neighbouring candidates only — Welch's test
///    with each side's variance floored at the pooled variance, Bonferroni-corrected for every
///    position of the series, and the magnitude floor; the
///    weakest failing candidate is removed and its neighbours re-tested, until all pass.
/// 3. Placement: each survivor moves to the best split between its neighbours.
/// 4. Description: means, deviations, change and p-values against the neighbours.
pub fn detect(xs: &[f64], settings: &DetectSettings) -> Vec<ChangePoint> {
    let min = settings.min_segment.max(2);
    if xs.len() < 2 * min || xs.iter().any(|x| !x.is_finite()) {
        return Vec::new();
    }
    let series = Series {
        xs,
        pre: Prefix::new(xs, min),
        min,
    };
    let candidates = series.candidates();
    let kept = series.prune(candidates, settings);
    let placed = series.place(kept, settings);
    series.describe(&placed)
}

/// Describe given change points of a series (sorted indices, each at least `min_segment`
/// from its neighbours and the ends) as [`detect`] describes its own.
pub(crate) fn describe_at(
    xs: &[f64],
    cps: &[usize],
    settings: &DetectSettings,
) -> Vec<ChangePoint> {
    let min = settings.min_segment.max(2);
    let series = Series {
        xs,
        pre: Prefix::new(xs, min),
        min,
    };
    series.describe(cps)
}

/// A series under analysis, with its prefix sums; change points are given as sorted indices.
struct Series<'a> {
    xs: &'a [f64],
    pre: Prefix,
    /// Fewest points on each side of a change point.
    min: usize,
}

impl Series<'_> {
    /// The segment around change point `i`: from the previous change point to the next one.
    fn bounds(&self, cps: &[usize], i: usize) -> (usize, usize) {
        (
            if i == 0 { 0 } else { cps[i - 1] },
            if i + 1 == cps.len() {
                self.xs.len()
            } else {
                cps[i + 1]
            },
        )
    }

    /// The strict test of change point `i` against its neighbours: (corrected p, raw p, change).
    fn test(&self, cps: &[usize], i: usize) -> (f64, f64, f64) {
        let (lo, hi) = self.bounds(cps, i);
        self.pre.test(lo, cps[i], hi, true)
    }

    /// Standardised mean difference of a candidate against its neighbours.
    fn effect(&self, cps: &[usize], i: usize) -> f64 {
        let (lo, hi) = self.bounds(cps, i);
        let (n1, m1, v1) = self.pre.stats(lo, cps[i]);
        let (n2, m2, v2) = self.pre.stats(cps[i], hi);
        let pooled = ((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0).max(1.0);
        if pooled > 0.0 {
            (m2 - m1).abs() / pooled.sqrt()
        } else if m1 == m2 {
            0.0
        } else {
            f64::INFINITY
        }
    }

    /// Phase 1: candidates from recursive best splits, sorted.
    fn candidates(&self) -> Vec<usize> {
        let (xs, min) = (self.xs, self.min);
        let mut cps: Vec<usize> = Vec::new();
        let mut stack = vec![(0usize, xs.len(), LOOKAHEAD)];
        while let Some((a, b, slack)) = stack.pop() {
            if b - a < 2 * min {
                continue;
            }
            let Some(tau) = best_split(&xs[a..b], min) else {
                continue;
            };
            let (_, raw, _) = self.pre.test(a, a + tau, b, false);
            // A split that is not significant as a whole may still hide changes in its parts (a
            // dip and a jump): look `LOOKAHEAD` levels further before giving a segment up. The
            // strict test of the pruning phase decides every candidate.
            let slack = if raw < CANDIDATE_PVALUE {
                LOOKAHEAD
            } else if slack > 0 {
                slack - 1
            } else {
                continue;
            };
            cps.push(a + tau);
            stack.push((a, a + tau, slack));
            stack.push((a + tau, b, slack));
        }
        cps.sort_unstable();
        cps
    }

    /// Phase 2: drop the weakest failing candidate and re-test its neighbours, until every
    /// remaining candidate passes against its neighbours.
    fn prune(&self, mut cps: Vec<usize>, settings: &DetectSettings) -> Vec<usize> {
        let mut tests: Vec<(f64, f64, f64)> = (0..cps.len()).map(|i| self.test(&cps, i)).collect();
        loop {
            let mut worst: Option<usize> = None;
            for (i, &(p, _, change)) in tests.iter().enumerate() {
                if passes(p, change, settings) {
                    continue;
                }
                worst = match worst {
                    None => Some(i),
                    Some(w) => {
                        let (wp, _, _) = tests[w];
                        // The weakest: the highest p; ties (up to rounding) go to the smaller
                        // effect (|t|-like, invariant under shifting and scaling), then to the left.
                        let (e, we) = (self.effect(&cps, i), self.effect(&cps, w));
                        if (!nearly_equal(p, wp) && p > wp)
                            || (nearly_equal(p, wp) && !nearly_equal(e, we) && e < we)
                        {
                            Some(i)
                        } else {
                            Some(w)
                        }
                    }
                };
            }
            let Some(i) = worst else { break };
            cps.remove(i);
            tests.remove(i);
            if i > 0 {
                tests[i - 1] = self.test(&cps, i - 1);
            }
            if i < cps.len() {
                tests[i] = self.test(&cps, i);
            }
        }
        cps
    }

    /// Phase 3: each survivor moves to the best split of the segment between its neighbours
    /// (which now holds one change), where pruning may have kept a nearby candidate instead of
    /// the exact position; kept only if it still passes.
    /// All moves are computed from the same positions (the result does not depend on the order
    /// of the points, so reversing the series mirrors it); a move that would cross or crowd a
    /// neighbour, or no longer pass, is not made.
    fn place(&self, original: Vec<usize>, settings: &DetectSettings) -> Vec<usize> {
        let (n, min) = (self.xs.len(), self.min);
        let mut placed: Vec<usize> = (0..original.len())
            .map(|i| {
                let (lo, hi) = self.bounds(&original, i);
                best_split(&self.xs[lo..hi], min).map_or(original[i], |tau| lo + tau)
            })
            .collect();
        for i in 0..placed.len() {
            let left = if i == 0 {
                0
            } else {
                placed[i - 1].min(original[i - 1])
            };
            let right = if i + 1 == placed.len() {
                n
            } else {
                placed[i + 1].max(original[i + 1])
            };
            if placed[i] < left + min || placed[i] + min > right {
                placed[i] = original[i];
            }
        }
        let accepted: Vec<bool> = (0..placed.len())
            .map(|i| {
                let t = self.test(&placed, i);
                placed[i] == original[i] || passes(t.0, t.2, settings)
            })
            .collect();
        original
            .iter()
            .zip(&placed)
            .zip(&accepted)
            .map(|((&c, &p), &ok)| if ok { p } else { c })
            .collect()
    }

    /// Phase 4: describe each change point against its neighbours.
    fn describe(&self, cps: &[usize]) -> Vec<ChangePoint> {
        cps.iter()
            .enumerate()
            .map(|(i, &c)| {
                let (lo, hi) = self.bounds(cps, i);
                let (p, raw, _) = self.test(cps, i);
                let (before, after) = (&self.xs[lo..c], &self.xs[c..hi]);
                ChangePoint {
                    index: c,
                    mean_before: mean(before),
                    std_before: std_dev(before),
                    mean_after: mean(after),
                    std_after: std_dev(after),
                    change_pct: rel_change(mean(before), mean(after)) * 100.0,
                    p_value: p,
                    raw_p_value: raw,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    /// Found by the property test `clear_steps_are_found`: four level shifts whose top-level
    /// split alone is not significant (t ≈ −1.9), so a recursion that stopped there found none.
    #[test]
    fn steps_under_an_insignificant_top_split_are_found() {
        let mut xs = Vec::new();
        let mut r = SplitMix64::new(7);
        for (len, level) in [
            (56usize, 1614.0f64),
            (30, 1390.0),
            (26, 1908.0),
            (20, 1323.0),
        ] {
            for _ in 0..len {
                xs.push(level + (r.next_u64() % 61) as f64 - 30.0);
            }
        }
        let found: Vec<usize> = detect(&xs, &DetectSettings::default())
            .iter()
            .map(|c| c.index)
            .collect();
        assert_eq!(found, vec![56, 86, 112]);
    }

    /// Brute-force Q̂ from the definition.
    fn q_naive(xs: &[f64], tau: usize) -> f64 {
        let (l, r) = xs.split_at(tau);
        let (nl, nr) = (l.len() as f64, r.len() as f64);
        let mut between = 0.0;
        for a in l {
            for b in r {
                between += (a - b).abs();
            }
        }
        let within = |s: &[f64]| {
            let mut w = 0.0;
            for i in 0..s.len() {
                for j in i + 1..s.len() {
                    w += (s[i] - s[j]).abs();
                }
            }
            w / (s.len() as f64 * (s.len() as f64 - 1.0) / 2.0)
        };
        nl * nr / (nl + nr) * (2.0 * between / (nl * nr) - within(l) - within(r))
    }

    #[test]
    fn fast_energy_statistic_matches_the_definition() {
        let mut rng = SplitMix64::new(3);
        let xs: Vec<f64> = (0..40)
            .map(|i| (rng.normal() * 3.0).round() + if i > 25 { 5.0 } else { 0.0 })
            .collect();
        let q = energy_statistics(&xs, 2);
        for (tau, qt) in q.iter().enumerate().take(39).skip(2) {
            let naive = q_naive(&xs, tau);
            assert!((qt - naive).abs() < 1e-9, "tau {tau}: {qt} vs {naive}");
        }
    }

    fn noisy_steps(n: usize, steps: &[(usize, f64)], noise: f64, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|i| {
                let level: f64 = 100.0
                    * steps
                        .iter()
                        .filter(|(at, _)| i >= *at)
                        .map(|(_, f)| 1.0 + f)
                        .product::<f64>();
                level * (1.0 + noise * rng.normal())
            })
            .collect()
    }

    #[test]
    fn finds_a_single_step() {
        let xs = noisy_steps(200, &[(120, 0.10)], 0.02, 1);
        let cps = detect(&xs, &DetectSettings::default());
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert!(cps[0].index.abs_diff(120) <= 1, "{cps:?}");
        assert!((cps[0].change_pct - 10.0).abs() < 2.0, "{cps:?}");
        assert!(cps[0].p_value < 1e-6);
    }

    #[test]
    fn finds_several_steps_both_ways() {
        let xs = noisy_steps(600, &[(100, 0.08), (250, -0.10), (400, 0.06)], 0.02, 5);
        let cps = detect(&xs, &DetectSettings::default());
        let idx: Vec<usize> = cps.iter().map(|c| c.index).collect();
        assert_eq!(idx.len(), 3, "{cps:?}");
        for (got, want) in idx.iter().zip([100, 250, 400]) {
            assert!(got.abs_diff(want) <= 2, "{idx:?}");
        }
    }

    #[test]
    fn pure_noise_has_no_change_points() {
        for seed in 0..5 {
            let xs = noisy_steps(3000, &[], 0.02, 100 + seed);
            let cps = detect(&xs, &DetectSettings::default());
            assert!(cps.is_empty(), "seed {seed}: {cps:?}");
        }
    }

    #[test]
    fn many_short_noisy_histories_raise_almost_no_false_alarms() {
        // 1,000 histories of 30–200 points of pure noise (2 % and 10 %)
        let mut false_cps = 0;
        let mut series = 0;
        for seed in 0..500u64 {
            for noise in [0.02, 0.10] {
                let n = 30 + (seed as usize * 7) % 171;
                let xs = noisy_steps(n, &[], noise, 10_000 + seed * 2 + (noise * 100.0) as u64);
                let found = detect(&xs, &DetectSettings::default());
                for c in &found {
                    eprintln!("n={n} noise={noise} {c:?}");
                }
                false_cps += found.len();
                series += 1;
            }
        }
        eprintln!("{false_cps} false change points in {series} noise-only histories");
        assert!(
            false_cps <= 5,
            "{false_cps} false change points in {series} histories"
        );
    }

    #[test]
    fn magnitude_floor_hides_tiny_steps() {
        let xs = noisy_steps(4000, &[(2000, 0.005)], 0.002, 9);
        assert!(
            !detect(
                &xs,
                &DetectSettings {
                    min_magnitude: 0.0,
                    ..Default::default()
                }
            )
            .is_empty()
        );
        assert!(detect(&xs, &DetectSettings::default()).is_empty());
    }

    #[test]
    fn short_and_degenerate_series() {
        assert!(detect(&[], &DetectSettings::default()).is_empty());
        assert!(detect(&[1.0, 2.0, 3.0], &DetectSettings::default()).is_empty());
        assert!(detect(&[5.0; 100], &DetectSettings::default()).is_empty());
        // a clean step without noise is certain
        let mut xs = vec![1.0; 20];
        xs.extend(vec![2.0; 20]);
        let cps = detect(&xs, &DetectSettings::default());
        assert_eq!(cps.len(), 1);
        assert_eq!(cps[0].index, 20);
        assert_eq!(cps[0].p_value, 0.0);
    }
}
