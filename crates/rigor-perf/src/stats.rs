//! Statistics used by the analyzer: Mann-Whitney U (exact and normal approximation with tie
//! correction), the Hodges–Lehmann shift estimate and its distribution-free confidence interval,
//! a percentile bootstrap, Welch's t-test, and a small seeded PRNG for reproducible resampling.

use statrs::distribution::{ContinuousCDF, FisherSnedecor, Normal, StudentsT};

/// Mean of a slice (NaN when empty).
pub fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Sample variance (n − 1); 0 for fewer than two values.
pub fn variance(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64
}

pub fn std_dev(xs: &[f64]) -> f64 {
    variance(xs).sqrt()
}

/// Median (NaN when empty).
pub fn median(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    median_sorted(&v)
}

pub fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn std_normal() -> Normal {
    Normal::new(0.0, 1.0).expect("standard normal")
}

/// Upper-tail probability of the standard normal.
pub fn normal_sf(z: f64) -> f64 {
    std_normal().sf(z)
}

/// Quantile of the standard normal.
pub fn normal_quantile(p: f64) -> f64 {
    std_normal().inverse_cdf(p)
}

/// Upper-tail probability of Student's t with `df` degrees of freedom.
pub fn t_sf(t: f64, df: f64) -> f64 {
    if !df.is_finite() || df > 1e7 {
        return normal_sf(t);
    }
    StudentsT::new(0.0, 1.0, df.max(1e-3))
        .map(|d| d.sf(t))
        .unwrap_or(f64::NAN)
}

/// Survival function of Fisher's F with (`d1`, `d2`) degrees of freedom (NaN when undefined).
pub fn f_sf(f: f64, d1: f64, d2: f64) -> f64 {
    if !(f.is_finite() && f > 0.0) {
        return if f.is_nan() {
            f64::NAN
        } else if f > 0.0 {
            0.0
        } else {
            1.0
        };
    }
    FisherSnedecor::new(d1, d2)
        .map(|d| d.sf(f))
        .unwrap_or(f64::NAN)
}

/// Quantile of Student's t.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if !df.is_finite() || df > 1e7 {
        return normal_quantile(p);
    }
    StudentsT::new(0.0, 1.0, df.max(1e-3))
        .map(|d| d.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Result of a two-sample test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestResult {
    pub statistic: f64,
    pub p_value: f64,
}

/// Welch's unequal-variance t-test, two-sided. `a` before, `b` after.
pub fn welch_t_test(a: &[f64], b: &[f64]) -> TestResult {
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let (m1, m2) = (mean(a), mean(b));
    let (v1, v2) = (variance(a), variance(b));
    let se2 = v1 / n1 + v2 / n2;
    if se2 <= 0.0 || !se2.is_finite() {
        let p = if m1 == m2 { 1.0 } else { 0.0 };
        let t = if m1 == m2 {
            0.0
        } else {
            f64::INFINITY.copysign(m2 - m1)
        };
        return TestResult {
            statistic: t,
            p_value: p,
        };
    }
    let t = (m2 - m1) / se2.sqrt();
    let df = se2 * se2
        / ((v1 / n1).powi(2) / (n1 - 1.0).max(1.0) + (v2 / n2).powi(2) / (n2 - 1.0).max(1.0));
    let p = (2.0 * t_sf(t.abs(), df)).min(1.0);
    TestResult {
        statistic: t,
        p_value: p,
    }
}

/// Average ranks (1-based) of the pooled values; returns ranks and the tie-correction term
/// Σ(t³ − t) over groups of ties.
fn pooled_ranks(pooled: &[f64]) -> (Vec<f64>, f64) {
    let mut idx: Vec<usize> = (0..pooled.len()).collect();
    idx.sort_by(|&i, &j| pooled[i].total_cmp(&pooled[j]));
    let mut ranks = vec![0.0; pooled.len()];
    let mut ties = 0.0;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && pooled[idx[j + 1]] == pooled[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            ranks[k] = avg;
        }
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    (ranks, ties)
}

/// Exact null distribution of U for sample sizes m and n (no ties): the coefficients of the
/// Gaussian binomial [m+n choose m]_q, normalised to probabilities. Index = U.
pub fn mann_whitney_exact_pmf(m: usize, n: usize) -> Vec<f64> {
    let size = m * n + 1;
    let mut p = vec![0.0f64; size];
    p[0] = 1.0;
    // p *= (1 - q^{n+i}) / (1 - q^i) for i = 1..=m; each step stays a polynomial.
    for i in 1..=m {
        let k = n + i;
        for u in (k..size).rev() {
            p[u] -= p[u - k];
        }
        for u in i..size {
            p[u] += p[u - i];
        }
    }
    let total: f64 = p.iter().sum();
    p.iter().map(|c| c / total).collect()
}

/// Largest sizes for which the exact distribution is used (when there are no ties).
pub const EXACT_LIMIT: usize = 50;

/// Mann-Whitney U test, two-sided. `u` is the statistic of `x` (the number of pairs with
/// x > y, ties counting one half). Exact without ties for small samples, otherwise the normal
/// approximation with tie and continuity corrections.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> TestResult {
    let (m, n) = (x.len(), y.len());
    if m == 0 || n == 0 {
        return TestResult {
            statistic: f64::NAN,
            p_value: f64::NAN,
        };
    }
    let pooled: Vec<f64> = x.iter().chain(y.iter()).copied().collect();
    let (ranks, ties) = pooled_ranks(&pooled);
    let r1: f64 = ranks[..m].iter().sum();
    let (mf, nf) = (m as f64, n as f64);
    let u = r1 - mf * (mf + 1.0) / 2.0;
    if ties == 0.0 && m <= EXACT_LIMIT && n <= EXACT_LIMIT {
        let pmf = mann_whitney_exact_pmf(m, n);
        let ui = u.round() as usize;
        let lower: f64 = pmf[..=ui].iter().sum();
        let upper: f64 = pmf[ui..].iter().sum();
        return TestResult {
            statistic: u,
            p_value: (2.0 * lower.min(upper)).min(1.0),
        };
    }
    let big_n = mf + nf;
    let mu = mf * nf / 2.0;
    let var = mf * nf / 12.0 * ((big_n + 1.0) - ties / (big_n * (big_n - 1.0)));
    if var <= 0.0 {
        return TestResult {
            statistic: u,
            p_value: 1.0,
        };
    }
    let z = ((u - mu).abs() - 0.5).max(0.0) / var.sqrt();
    TestResult {
        statistic: u,
        p_value: (2.0 * normal_sf(z)).min(1.0),
    }
}

/// The smallest two-sided p-value the Mann-Whitney test can reach for these sizes.
pub fn mann_whitney_min_p(m: usize, n: usize) -> f64 {
    if m == 0 || n == 0 {
        return 1.0;
    }
    let pmf = mann_whitney_exact_pmf(m.min(EXACT_LIMIT), n.min(EXACT_LIMIT));
    (2.0 * pmf[0]).min(1.0)
}

/// Hodges–Lehmann estimate of the shift x − y with a distribution-free confidence interval at
/// level `1 − alpha` (Walsh-type interval from the Mann-Whitney null distribution).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftEstimate {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

pub fn hodges_lehmann(x: &[f64], y: &[f64], alpha: f64) -> ShiftEstimate {
    let (m, n) = (x.len(), y.len());
    let mut d: Vec<f64> = Vec::with_capacity(m * n);
    for a in x {
        for b in y {
            d.push(a - b);
        }
    }
    d.sort_by(f64::total_cmp);
    let estimate = median_sorted(&d);
    let big = d.len();
    // k = number of differences cut from each end: the largest k with P(U <= k-1) <= alpha/2.
    let k = if m <= EXACT_LIMIT && n <= EXACT_LIMIT {
        let pmf = mann_whitney_exact_pmf(m, n);
        let mut cum = 0.0;
        let mut k = 0usize;
        for (u, p) in pmf.iter().enumerate() {
            cum += p;
            if cum > alpha / 2.0 + 1e-12 {
                k = u;
                break;
            }
        }
        k
    } else {
        let (mf, nf) = (m as f64, n as f64);
        let z = normal_quantile(1.0 - alpha / 2.0);
        (mf * nf / 2.0 - z * (mf * nf * (mf + nf + 1.0) / 12.0).sqrt())
            .floor()
            .max(0.0) as usize
    };
    if k == 0 || k > big / 2 {
        return ShiftEstimate {
            estimate,
            low: f64::NEG_INFINITY,
            high: f64::INFINITY,
        };
    }
    ShiftEstimate {
        estimate,
        low: d[k - 1],
        high: d[big - k],
    }
}

/// SplitMix64: a tiny, fast, seeded PRNG (reproducible bootstrap and tests).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform index in 0..n.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) % n as u64) as usize
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

/// Percentile-bootstrap confidence interval (level 1 − alpha) of `stat(x) − stat(y)` using
/// medians, with a fixed seed so results are reproducible.
pub fn bootstrap_median_shift(
    x: &[f64],
    y: &[f64],
    alpha: f64,
    resamples: usize,
    seed: u64,
) -> (f64, f64) {
    let mut rng = SplitMix64::new(seed);
    let mut diffs = Vec::with_capacity(resamples);
    let mut bx = vec![0.0; x.len()];
    let mut by = vec![0.0; y.len()];
    for _ in 0..resamples {
        for v in bx.iter_mut() {
            *v = x[rng.below(x.len())];
        }
        for v in by.iter_mut() {
            *v = y[rng.below(y.len())];
        }
        diffs.push(median(&bx) - median(&by));
    }
    diffs.sort_by(f64::total_cmp);
    let lo = ((alpha / 2.0) * resamples as f64).floor() as usize;
    let hi = (((1.0 - alpha / 2.0) * resamples as f64).ceil() as usize).min(resamples) - 1;
    (diffs[lo.min(resamples - 1)], diffs[hi])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn exact_pmf_small_sizes_by_hand() {
        // m = n = 2: U ∈ {0,1,2,3,4} with counts 1,1,2,1,1 out of C(4,2) = 6.
        let p = mann_whitney_exact_pmf(2, 2);
        let expect = [1.0, 1.0, 2.0, 1.0, 1.0].map(|c| c / 6.0);
        for (a, b) in p.iter().zip(expect) {
            assert!(close(*a, b, 1e-12), "{p:?}");
        }
        // m = 3, n = 2: counts 1,1,2,2,2,1,1 out of C(5,2) = 10.
        let p = mann_whitney_exact_pmf(3, 2);
        let expect = [1.0, 1.0, 2.0, 2.0, 2.0, 1.0, 1.0].map(|c| c / 10.0);
        for (a, b) in p.iter().zip(expect) {
            assert!(close(*a, b, 1e-12), "{p:?}");
        }
    }

    #[test]
    fn mann_whitney_hand_computed() {
        // x entirely above y, 3 vs 3: U = 9, exact two-sided p = 2/C(6,3) = 0.1.
        let r = mann_whitney_u(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]);
        assert_eq!(r.statistic, 9.0);
        assert!(close(r.p_value, 0.1, 1e-12), "{r:?}");
        // x = {1, 4}, y = {2, 3}: pairs x>y: 4>2, 4>3 → U = 2 (the median of 0..4), p = 1.
        let r = mann_whitney_u(&[1.0, 4.0], &[2.0, 3.0]);
        assert_eq!(r.statistic, 2.0);
        assert!(close(r.p_value, 1.0, 1e-12));
        // x = {1,2,5}, y = {3,4,6,7}: U = #(x>y) = 1 (5>3, 5>4 → 2). P(U<=2) = (1+1+2)/35.
        let r = mann_whitney_u(&[1.0, 2.0, 5.0], &[3.0, 4.0, 6.0, 7.0]);
        assert_eq!(r.statistic, 2.0);
        assert!(close(r.p_value, 2.0 * 4.0 / 35.0, 1e-12), "{r:?}");
    }

    #[test]
    fn mann_whitney_with_ties_uses_corrected_normal() {
        // x = {1,2,2}, y = {2,3,3}. Pooled ranks: 1→1, 2→3 (three ties: 2,3,4), 3→5.5.
        // R1 = 1 + 3 + 3 = 7, U = 7 − 6 = 1. Tie term: (27−3) + (8−2) = 30.
        // var = 9/12 · (7 − 30/30) = 4.5; z = (|1 − 4.5| − 0.5)/√4.5 = 1.41421…
        let r = mann_whitney_u(&[1.0, 2.0, 2.0], &[2.0, 3.0, 3.0]);
        assert_eq!(r.statistic, 1.0);
        let z: f64 = 3.0 / 4.5f64.sqrt();
        assert!(close(r.p_value, 2.0 * normal_sf(z), 1e-12), "{r:?}");
        assert!(close(r.p_value, 0.157299, 1e-5), "{r:?}");
    }

    #[test]
    fn hodges_lehmann_hand_computed() {
        // differences x − y for x = {10, 12}, y = {1, 2, 4}: 9,8,6,11,10,8 → sorted 6,8,8,9,10,11
        // median = (8 + 9)/2 = 8.5.
        let s = hodges_lehmann(&[10.0, 12.0], &[1.0, 2.0, 4.0], 0.2);
        assert_eq!(s.estimate, 8.5);
        // m=2,n=3: pmf counts 1,1,2,2,2,1,1 /10; P(U<=0)=0.1 <= 0.1, P(U<=1)=0.2 > 0.1 → k = 1:
        // interval [d(1), d(6)] = [6, 11].
        assert_eq!((s.low, s.high), (6.0, 11.0));
        // Shift of a pure translation is recovered exactly.
        let y: Vec<f64> = (0..20).map(|i| i as f64).collect();
        let x: Vec<f64> = y.iter().map(|v| v + 3.0).collect();
        let s = hodges_lehmann(&x, &y, 0.05);
        assert_eq!(s.estimate, 3.0);
        assert!(s.low < 3.0 && s.high > 3.0);
    }

    #[test]
    fn welch_hand_computed() {
        // a = {1,2,3,4}, b = {2,4,6,8}: means 2.5, 5; vars 5/3, 20/3; se² = 5/12 + 20/12 = 25/12.
        let r = welch_t_test(&[1.0, 2.0, 3.0, 4.0], &[2.0, 4.0, 6.0, 8.0]);
        let t = 2.5 / (25.0f64 / 12.0).sqrt();
        assert!(close(r.statistic, t, 1e-12));
        // df = (25/12)² / ((5/12)²/3 + (20/12)²/3) = 4.4117647…
        let df = (25.0f64 / 12.0).powi(2)
            / ((5.0f64 / 12.0).powi(2) / 3.0 + (20.0f64 / 12.0).powi(2) / 3.0);
        assert!(close(r.p_value, 2.0 * t_sf(t, df), 1e-12));
        assert!(r.p_value > 0.1 && r.p_value < 0.2, "{r:?}");
        // identical constant samples: no evidence.
        assert_eq!(welch_t_test(&[1.0; 5], &[1.0; 5]).p_value, 1.0);
        assert_eq!(welch_t_test(&[1.0; 5], &[2.0; 5]).p_value, 0.0);
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_shift() {
        let y = [10.0, 10.2, 9.9, 10.1];
        let x = [11.0, 11.1, 10.9, 11.2];
        let a = bootstrap_median_shift(&x, &y, 0.05, 2000, 7);
        let b = bootstrap_median_shift(&x, &y, 0.05, 2000, 7);
        assert_eq!(a, b);
        assert!(a.0 > 0.5 && a.1 < 1.5, "{a:?}");
    }

    #[test]
    fn prng_normal_has_unit_moments() {
        let mut r = SplitMix64::new(42);
        let xs: Vec<f64> = (0..20000).map(|_| r.normal()).collect();
        assert!(mean(&xs).abs() < 0.03);
        assert!((std_dev(&xs) - 1.0).abs() < 0.03);
    }
}
