//! A series' structure around its level shifts: a linear **trend** and a **period**.
//!
//! The step detector ([`changepoint::detect`]) models a series as flat segments. A benchmark
//! that creeps up a little with every commit is not flat: the step detector cuts it into a
//! staircase of change points, and a periodic series (a weekly load pattern) gets a change
//! point every half period. [`analyse`] first looks for both structures and removes them before
//! the steps are searched:
//!
//! 1. **Period**: for each candidate period `P` (2 ≤ P ≤ min(n/4, 512): a pattern must repeat
//!    four times), a one-way ANOVA grouped by phase `t mod P` of the series minus its moving
//!    average over one period (which cancels a period-`P` pattern and keeps levels, trends and
//!    steps, but for a ramp around each) tests the pattern. The most significant period is
//!    kept when its p-value, Bonferroni-corrected for the periods tried, is below `max_pvalue`,
//!    it explains at least a fifth of the variance, its range is at least `min_magnitude` of
//!    the level, and steps plus the pattern explain the series better than steps alone (BIC:
//!    evenly spaced steps can pass for a sawtooth). The pattern is then estimated together with the steps
//!    (alternating, as a step moves some phases' means more than others when there are few
//!    cycles) and subtracted.
//! 2. **Trend with steps**: the step detector runs on the (deseasonalised) series, and the
//!    slope is estimated within its segments (one intercept per segment, one common slope: the
//!    least-squares fit of "steps plus a line"). When that slope is significant (t-test at
//!    `max_pvalue`/10, its standard error widened for autocorrelated noise) and drifts by at least `min_magnitude` of the level over the series, the
//!    series is detrended with it and the steps searched again — alternating until the steps
//!    no longer change (at most [`MAX_ROUNDS`]). Otherwise the plain step result stands,
//!    unchanged.
//!
//! A pure noisy trend therefore gives one trend and no change points; adding a linear trend to
//! a series with steps finds the same steps (metamorphic tests in `tests/properties.rs`).

use crate::changepoint::{ChangePoint, DetectSettings, describe_at, detect};
use crate::stats::{f_sf, mean, t_quantile, t_sf};
use serde::Serialize;

/// How a series is modelled (`[perf.detect] mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Look for a trend and a period first, and search steps in what remains.
    #[default]
    Auto,
    /// Flat segments only (the plain step detector).
    Steps,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s {
            "auto" => Some(Mode::Auto),
            "steps" => Some(Mode::Steps),
            _ => None,
        }
    }
}

/// Largest period tried.
const MAX_PERIOD: usize = 512;
/// Fewest full periods a pattern must repeat to be taken for one.
const MIN_CYCLES: usize = 4;
/// Smallest share of the variance a periodic pattern must explain.
const MIN_SEASON_SHARE: f64 = 0.2;
/// A trend is held to a p-value this many times smaller than `max_pvalue`: several
/// starting slopes and a search for the steps around it are tried.
const TREND_STRICTNESS: f64 = 10.0;
/// A start slope must reach this p-value for the search for a trend to begin.
const LOOSE_PVALUE: f64 = 0.05;
/// Alternations of "find steps" and "fit the slope" at most.
const MAX_ROUNDS: usize = 6;

/// A linear trend over `[from, to)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// First index of the window.
    pub from: usize,
    /// One past the last index of the window.
    pub to: usize,
    /// Change per point, in the series' unit.
    pub slope: f64,
    /// 95 % confidence interval of the slope.
    pub slope_low: f64,
    pub slope_high: f64,
    /// Two-sided p-value of the slope (t-test with one intercept per segment).
    pub p_value: f64,
    /// Cumulative drift over the window, in percent of the level at its start.
    pub drift_pct: f64,
}

/// A periodic pattern.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Season {
    /// Period in points.
    pub period: usize,
    /// Range of the pattern (largest minus smallest phase mean), in percent of the level.
    pub amplitude_pct: f64,
    /// Bonferroni-corrected ANOVA p-value.
    pub p_value: f64,
}

/// Everything found in a series.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Analysis {
    /// Level shifts. With a trend, `mean_before`/`mean_after` are the levels just before and
    /// just after the shift (the trend removed around the change point).
    pub change_points: Vec<ChangePoint>,
    pub trend: Option<Trend>,
    pub season: Option<Season>,
}

/// Analyse a series: its period, its trend and its level shifts (see the module docs).
pub fn analyse(xs: &[f64], settings: &DetectSettings) -> Analysis {
    if settings.mode == Mode::Steps || xs.iter().any(|x| !x.is_finite()) {
        return Analysis {
            change_points: detect(xs, settings),
            ..Analysis::default()
        };
    }
    let level = mean(xs).abs();
    let plain = detect(xs, settings);
    let mut season = None;
    let mut adjusted = None;
    if let Some((found, profile)) = find_season(xs, settings, level)
        && pattern_pays(xs, &plain, &profile, settings)
    {
        let profile = refine_profile(xs, profile, settings);
        adjusted = Some(remove_pattern(xs, &profile));
        season = Some(found);
    }
    let (change_points, trend) = match adjusted {
        Some(adjusted) => steps_and_trend(&adjusted, detect(&adjusted, settings), settings, level),
        None => steps_and_trend(xs, plain, settings, level),
    };
    Analysis {
        change_points,
        trend,
        season,
    }
}

/// The series without a periodic pattern.
fn remove_pattern(xs: &[f64], profile: &[f64]) -> Vec<f64> {
    xs.iter()
        .enumerate()
        .map(|(t, x)| x - profile[t % profile.len()])
        .collect()
}

/// Steps plus the pattern explain the series better than steps alone (BIC, a change point
/// costing three parameters, the pattern P − 1): evenly spaced steps can pass for a sawtooth,
/// and the ramps that a moving average leaves around steps for a weak pattern.
fn pattern_pays(
    xs: &[f64],
    plain: &[ChangePoint],
    profile: &[f64],
    settings: &DetectSettings,
) -> bool {
    let n = xs.len();
    let deseasonalised = remove_pattern(xs, profile);
    let with: Vec<usize> = detect(&deseasonalised, settings)
        .iter()
        .map(|c| c.index)
        .collect();
    let without: Vec<usize> = plain.iter().map(|c| c.index).collect();
    let cost = |rss: f64, cps: usize, extra: usize| bic(rss, n, 3 * cps + 1 + extra);
    cost(
        segments_rss(&deseasonalised, &with),
        with.len(),
        profile.len() - 1,
    ) < cost(segments_rss(xs, &without), without.len(), 0)
}

/// The phase profile estimated together with the steps: alternately, the steps of the series
/// without the pattern, and the pattern of the series without its segments' levels (with few
/// cycles, a step moves some phases' means more than others), until the steps stop changing.
fn refine_profile(xs: &[f64], mut profile: Vec<f64>, settings: &DetectSettings) -> Vec<f64> {
    let period = profile.len();
    let mut previous: Option<Vec<usize>> = None;
    for _ in 0..MAX_ROUNDS {
        let adjusted: Vec<f64> = xs
            .iter()
            .enumerate()
            .map(|(t, x)| x - profile[t % period])
            .collect();
        let cps: Vec<usize> = detect(&adjusted, settings)
            .iter()
            .map(|c| c.index)
            .collect();
        if previous.as_ref() == Some(&cps) {
            break;
        }
        let mut bounds = vec![0];
        bounds.extend_from_slice(&cps);
        bounds.push(xs.len());
        let mut sums = vec![0.0; period];
        let mut counts = vec![0usize; period];
        for w in bounds.windows(2) {
            let level = mean(&adjusted[w[0]..w[1]]);
            for t in w[0]..w[1] {
                sums[t % period] += xs[t] - level;
                counts[t % period] += 1;
            }
        }
        let means: Vec<f64> = sums
            .iter()
            .zip(&counts)
            .map(|(s, &c)| s / c.max(1) as f64)
            .collect();
        let centre = mean(&means);
        profile = means.iter().map(|m| m - centre).collect();
        previous = Some(cps);
    }
    profile
}

/// Steps, and a trend when one is significant, large enough, and explains the series better
/// than flat segments do (BIC).
fn steps_and_trend(
    xs: &[f64],
    plain: Vec<ChangePoint>,
    settings: &DetectSettings,
    level: f64,
) -> (Vec<ChangePoint>, Option<Trend>) {
    let n = xs.len();
    let plain_idx: Vec<usize> = plain.iter().map(|c| c.index).collect();
    let Some(flat) = SlopeFit::within(xs, &plain_idx) else {
        return (plain, None);
    };
    // Three starting slopes: over the whole series (a staircase cut into a trend is one line),
    // within the step detector's segments (right when its steps are real), and the median
    // slope of points a quarter of the series apart (a step against the trend can flatten the
    // other two, but touches only some of these pairs); the best model (information
    // criterion) is kept.
    // No trend to look for (a trend-free series costs one detection) unless the slope within
    // the step detector's segments is loosely significant (p < 0.05) with a drift over the
    // magnitude floor, or one line over the whole series, as significant, fits better than the
    // detector's segments (a staircase cut into a trend). Steps alone make the whole series'
    // slope steep, but a line fits them worse than their segments.
    let global = SlopeFit::within(xs, &[]);
    let n_drift = (n - 1) as f64;
    let promising = |f: &SlopeFit| {
        f.p_value() < LOOSE_PVALUE
            && level > 0.0
            && (f.slope * n_drift).abs() / level >= settings.min_magnitude
    };
    let line_fits = global.is_some_and(|g| promising(&g) && g.bic(n) < flat.bic_flat(n));
    if !promising(&flat) && !line_fits {
        return (plain, None);
    }
    let best = [global, Some(flat), SlopeFit::robust(xs)]
        .into_iter()
        .flatten()
        .filter_map(|f| alternate(xs, settings, f))
        .filter(|(fit, _)| fit.matters(settings, level, n))
        .min_by(|a, b| a.0.bic(n).total_cmp(&b.0.bic(n)));
    match best {
        Some((fit, found)) if fit.bic(n) < flat.bic_flat(n) => {
            let cps: Vec<usize> = found.iter().map(|c| c.index).collect();
            let (fit, cps) = eliminate(xs, settings, fit, cps);
            let trend = fit.trend(xs, &cps);
            let found = describe_at(&fit.remove_from(xs), &cps, settings)
                .into_iter()
                .map(|c| fit.reanchor(c, n))
                .collect();
            (found, Some(trend))
        }
        _ => (plain, None),
    }
}

/// Backward elimination: while some change point improves the fit of "segments plus a slope"
/// by less than the step detector's own bar, drop the one that improves it least (the slope
/// refitted). The bar: `n·ln(RSS without / RSS with) ≥ 2·ln(n / max_pvalue)`, the likelihood
/// ratio a shift needs when any of `n` positions could hold it at `max_pvalue`. A slightly
/// wrong slope can make the detector cut a segment that the line explains, and that cut then
/// props up the slope that made it.
fn eliminate(
    xs: &[f64],
    settings: &DetectSettings,
    mut fit: SlopeFit,
    mut cps: Vec<usize>,
) -> (SlopeFit, Vec<usize>) {
    let n = xs.len() as f64;
    let bar = 2.0 * (n / settings.max_pvalue).ln();
    loop {
        let weakest = (0..cps.len())
            .filter_map(|i| {
                let mut fewer = cps.clone();
                fewer.remove(i);
                let without = SlopeFit::within(xs, &fewer)?;
                let gain =
                    n * (without.rss.max(f64::MIN_POSITIVE) / fit.rss.max(f64::MIN_POSITIVE)).ln();
                Some((gain, without, fewer))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        match weakest {
            Some((gain, without, fewer)) if gain < bar => (fit, cps) = (without, fewer),
            _ => return (fit, cps),
        }
    }
}

/// Alternate "find the steps of the detrended series" and "fit the slope within them" from a
/// starting fit until the steps no longer change (at most [`MAX_ROUNDS`]).
fn alternate(
    xs: &[f64],
    settings: &DetectSettings,
    start: SlopeFit,
) -> Option<(SlopeFit, Vec<ChangePoint>)> {
    let mut fit = start;
    let mut previous: Option<Vec<usize>> = None;
    let mut found = Vec::new();
    for _ in 0..MAX_ROUNDS {
        found = detect(&fit.remove_from(xs), settings);
        let next: Vec<usize> = found.iter().map(|c| c.index).collect();
        fit = SlopeFit::within(xs, &next)?;
        if previous.as_ref() == Some(&next) {
            break;
        }
        previous = Some(next);
    }
    Some((fit, found))
}

/// A common slope fitted with one intercept per segment.
#[derive(Debug, Clone, Copy)]
struct SlopeFit {
    slope: f64,
    /// Standard error of the slope.
    se: f64,
    /// Residual degrees of freedom.
    df: f64,
    /// Residual sum of squares with the slope, and without it (flat segments).
    rss: f64,
    rss_flat: f64,
    /// Number of segments.
    segments: usize,
}

impl SlopeFit {
    /// Least squares of `x_t = a_segment + slope·t`, segments split at `cps`. `None` when there
    /// are too few points or no spread in time.
    fn within(xs: &[f64], cps: &[usize]) -> Option<SlopeFit> {
        let n = xs.len();
        let mut bounds = Vec::with_capacity(cps.len() + 2);
        bounds.push(0);
        bounds.extend_from_slice(cps);
        bounds.push(n);
        let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
        for w in bounds.windows(2) {
            let (lo, hi) = (w[0], w[1]);
            if hi <= lo {
                continue;
            }
            let seg = &xs[lo..hi];
            let tm = (lo + hi - 1) as f64 / 2.0;
            let ym = mean(seg);
            for (i, y) in seg.iter().enumerate() {
                let dt = (lo + i) as f64 - tm;
                sxx += dt * dt;
                sxy += dt * (y - ym);
                syy += (y - ym) * (y - ym);
            }
        }
        let df = n as f64 - (bounds.len() - 1) as f64 - 1.0;
        if sxx <= 0.0 || df < 2.0 {
            return None;
        }
        let slope = sxy / sxx;
        let rss = (syy - slope * sxy).max(0.0);
        // Serially correlated noise makes a slope look surer than it is: the standard error
        // grows by √((1+r)/(1−r)) for a lag-1 autocorrelation r > 0 of the residuals.
        let r = residual_autocorrelation(xs, &bounds, slope).clamp(0.0, 0.9);
        let se = (rss / df / sxx).sqrt() * ((1.0 + r) / (1.0 - r)).sqrt();
        Some(SlopeFit {
            slope,
            se,
            df,
            rss,
            rss_flat: syy,
            segments: bounds.len() - 1,
        })
    }

    /// Information criterion of "segments plus a common slope": BIC with a change point
    /// costing three parameters (its level, and its position, which is searched over the whole
    /// series: the modified BIC of change-point models), the slope one.
    fn bic(&self, n: usize) -> f64 {
        bic(self.rss, n, 3 * (self.segments - 1) + 2)
    }

    /// The same for flat segments.
    fn bic_flat(&self, n: usize) -> f64 {
        bic(self.rss_flat, n, 3 * (self.segments - 1) + 1)
    }

    /// A starting slope only: the median slope between points a quarter of the series apart.
    fn robust(xs: &[f64]) -> Option<SlopeFit> {
        let lag = xs.len() / 4;
        if lag == 0 {
            return None;
        }
        let mut slopes: Vec<f64> = (lag..xs.len())
            .map(|t| (xs[t] - xs[t - lag]) / lag as f64)
            .collect();
        let mid = slopes.len() / 2;
        let slope = *slopes.select_nth_unstable_by(mid, f64::total_cmp).1;
        Some(SlopeFit {
            slope,
            se: f64::NAN,
            df: 0.0,
            rss: f64::NAN,
            rss_flat: f64::NAN,
            segments: 1,
        })
    }

    fn p_value(&self) -> f64 {
        if self.se > 0.0 {
            2.0 * t_sf((self.slope / self.se).abs(), self.df)
        } else if self.slope == 0.0 {
            1.0
        } else {
            0.0
        }
    }

    /// Significant, and drifting by at least the magnitude floor over the series.
    fn matters(&self, settings: &DetectSettings, level: f64, n: usize) -> bool {
        let drift = (self.slope * (n - 1) as f64).abs();
        self.p_value() < settings.max_pvalue / TREND_STRICTNESS
            && level > 0.0
            && drift / level >= settings.min_magnitude.max(f64::MIN_POSITIVE)
    }

    /// The series without the trend, keeping its average level.
    fn remove_from(&self, xs: &[f64]) -> Vec<f64> {
        let tm = (xs.len() - 1) as f64 / 2.0;
        xs.iter()
            .enumerate()
            .map(|(t, x)| x - self.slope * (t as f64 - tm))
            .collect()
    }

    /// A change point of the detrended series described at its own position: the trend's
    /// value there added back, so the means are the levels around the shift.
    fn reanchor(&self, mut c: ChangePoint, n: usize) -> ChangePoint {
        let shift = self.slope * (c.index as f64 - (n - 1) as f64 / 2.0);
        c.mean_before += shift;
        c.mean_after += shift;
        c.change_pct = if c.mean_before != 0.0 {
            (c.mean_after - c.mean_before) / c.mean_before.abs() * 100.0
        } else {
            0.0
        };
        c
    }

    /// The trend over the whole series; the drift is measured from the fitted level at the
    /// start of the window.
    fn trend(&self, xs: &[f64], cps: &[usize]) -> Trend {
        let q = t_quantile(0.975, self.df);
        let n = xs.len();
        let first_segment = &xs[..cps.first().copied().unwrap_or(n)];
        let start = mean(first_segment) - self.slope * (first_segment.len() - 1) as f64 / 2.0;
        let base = if start.abs() > 0.0 {
            start.abs()
        } else {
            mean(xs).abs()
        };
        Trend {
            from: 0,
            to: n,
            slope: self.slope,
            slope_low: self.slope - q * self.se,
            slope_high: self.slope + q * self.se,
            p_value: self.p_value(),
            drift_pct: if base > 0.0 {
                self.slope * (n - 1) as f64 / base * 100.0
            } else {
                0.0
            },
        }
    }
}

/// Lag-1 autocorrelation of the residuals of "segments plus a slope", pairs within segments.
fn residual_autocorrelation(xs: &[f64], bounds: &[usize], slope: f64) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for w in bounds.windows(2) {
        let (lo, hi) = (w[0], w[1]);
        if hi <= lo {
            continue;
        }
        let tm = (lo + hi - 1) as f64 / 2.0;
        let ym = mean(&xs[lo..hi]);
        let res = |t: usize| xs[t] - ym - slope * (t as f64 - tm);
        for t in lo..hi {
            den += res(t) * res(t);
            if t > lo {
                num += res(t) * res(t - 1);
            }
        }
    }
    if den > 0.0 { num / den } else { 0.0 }
}

/// Residual sum of squares of flat segments split at `cps`.
fn segments_rss(xs: &[f64], cps: &[usize]) -> f64 {
    let mut bounds = vec![0];
    bounds.extend_from_slice(cps);
    bounds.push(xs.len());
    bounds
        .windows(2)
        .filter(|w| w[1] > w[0])
        .map(|w| {
            let seg = &xs[w[0]..w[1]];
            let m = mean(seg);
            seg.iter().map(|x| (x - m) * (x - m)).sum::<f64>()
        })
        .sum()
}

fn bic(rss: f64, n: usize, params: usize) -> f64 {
    let n = n as f64;
    n * (rss.max(f64::MIN_POSITIVE) / n).ln() + params as f64 * n.ln()
}

/// The most significant period of the series with its centred phase profile, when it is
/// significant after the correction for the periods tried and large enough to matter.
fn find_season(xs: &[f64], settings: &DetectSettings, level: f64) -> Option<(Season, Vec<f64>)> {
    let n = xs.len();
    let max_period = (n / MIN_CYCLES).min(MAX_PERIOD);
    if max_period < 2 || level <= 0.0 {
        return None;
    }
    let tries = (max_period - 1) as f64;
    let mut best: Option<(usize, Anova)> = None;
    let mut prefix = Vec::with_capacity(xs.len() + 1);
    prefix.push(0.0);
    for x in xs {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + x);
    }
    for period in 2..=max_period {
        let Some(a) = phase_anova(xs, period, &prefix) else {
            continue;
        };
        if best.as_ref().is_none_or(|(_, b)| a.p < b.p) {
            best = Some((period, a));
        }
    }
    let (period, Anova { p, r2, profile }) = best?;
    let corrected = (p * tries).min(1.0);
    let range = profile.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - profile.iter().copied().fold(f64::INFINITY, f64::min);
    if corrected >= settings.max_pvalue
        || r2 < MIN_SEASON_SHARE
        || range / level < settings.min_magnitude
    {
        return None;
    }
    Some((
        Season {
            period,
            amplitude_pct: range / level * 100.0,
            p_value: corrected,
        },
        profile,
    ))
}

/// A phase ANOVA: its p-value, the share of the variance the phases explain, and the centred
/// phase means.
struct Anova {
    p: f64,
    r2: f64,
    profile: Vec<f64>,
}

/// One-way ANOVA, grouped by phase, of the series minus its moving average over one period.
fn phase_anova(xs: &[f64], period: usize, prefix: &[f64]) -> Option<Anova> {
    let n = xs.len();
    if n < 2 * period {
        return None;
    }
    // x minus its moving average over one period (centred): the average of a whole period
    // cancels the pattern and keeps levels, steps (but for a ramp of one period around each)
    // and trends. One pass: phase sums and counts, and the total sum of squares.
    let half = period / 2;
    let mut sums = vec![0.0; period];
    let mut counts = vec![0usize; period];
    let (mut total, mut total_sq, mut m) = (0.0, 0.0, 0usize);
    for t in half..=(n - period + half) {
        let ma = (prefix[t - half + period] - prefix[t - half]) / period as f64;
        let r = xs[t] - ma;
        sums[t % period] += r;
        counts[t % period] += 1;
        total += r;
        total_sq += r * r;
        m += 1;
    }
    if counts.contains(&0) || m <= period {
        return None;
    }
    let grand = total / m as f64;
    let means: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| s / c as f64)
        .collect();
    let ssb: f64 = means
        .iter()
        .zip(&counts)
        .map(|(mu, &c)| c as f64 * (mu - grand) * (mu - grand))
        .sum();
    let sst = (total_sq - total * grand).max(0.0);
    let ssw = (sst - ssb).max(0.0);
    let (d1, d2) = ((period - 1) as f64, (m - period) as f64);
    let p = if ssw > 0.0 {
        f_sf((ssb / d1) / (ssw / d2), d1, d2)
    } else if ssb > 0.0 {
        0.0
    } else {
        1.0
    };
    let centre = mean(&means);
    Some(Anova {
        p,
        r2: if sst > 0.0 { ssb / sst } else { 0.0 },
        profile: means.iter().map(|mu| mu - centre).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SplitMix64;

    fn noise(n: usize, sd: f64, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n).map(|_| 100.0 + sd * rng.normal()).collect()
    }

    #[test]
    fn a_noisy_trend_is_one_trend_and_no_change_points() {
        let xs: Vec<f64> = noise(200, 1.0, 7)
            .iter()
            .enumerate()
            .map(|(t, x)| x + 0.05 * t as f64)
            .collect();
        let steps_only = detect(&xs, &DetectSettings::default());
        assert!(
            steps_only.len() >= 2,
            "the step model cuts a trend into stairs"
        );
        let a = analyse(&xs, &DetectSettings::default());
        assert!(a.change_points.is_empty(), "{:?}", a.change_points);
        let t = a.trend.expect("a trend");
        assert!(t.slope_low < 0.05 && 0.05 < t.slope_high, "{t:?}");
        assert!((t.drift_pct - 9.95).abs() < 2.0, "{t:?}");
    }

    #[test]
    fn steps_on_a_trend_are_the_steps() {
        let xs: Vec<f64> = noise(300, 0.5, 11)
            .iter()
            .enumerate()
            .map(|(t, x)| x + 0.03 * t as f64 + if t >= 150 { 5.0 } else { 0.0 })
            .collect();
        let a = analyse(&xs, &DetectSettings::default());
        let idx: Vec<usize> = a.change_points.iter().map(|c| c.index).collect();
        assert_eq!(idx, vec![150]);
        let c = &a.change_points[0];
        // Levels around the shift: 100 + 0.03·150 = 104.5 before, 109.5 after.
        assert!((c.mean_before - 104.5).abs() < 0.5, "{c:?}");
        assert!((c.mean_after - 109.5).abs() < 0.5, "{c:?}");
        assert!(a.trend.is_some());
    }

    #[test]
    fn a_flat_series_with_steps_is_left_to_the_step_detector() {
        let mut xs = noise(200, 1.0, 3);
        for x in &mut xs[100..] {
            *x += 8.0;
        }
        let s = DetectSettings::default();
        let a = analyse(&xs, &s);
        assert_eq!(a.change_points, detect(&xs, &s));
        assert_eq!((a.trend, a.season), (None, None));
    }

    #[test]
    fn a_period_is_removed_before_steps_are_searched() {
        let xs: Vec<f64> = noise(500, 0.5, 5)
            .iter()
            .enumerate()
            .map(|(t, x)| x + 5.0 * (2.0 * std::f64::consts::PI * t as f64 / 50.0).sin())
            .collect();
        let s = DetectSettings::default();
        assert!(
            detect(&xs, &s).len() > 4,
            "per-period change points without the model"
        );
        let a = analyse(&xs, &s);
        assert!(a.change_points.is_empty(), "{:?}", a.change_points);
        assert_eq!(a.season.as_ref().map(|s| s.period), Some(50));
        assert!(a.trend.is_none());
    }

    #[test]
    fn steps_mode_is_the_plain_detector() {
        let xs: Vec<f64> = (0..100).map(|t| 100.0 + t as f64).collect();
        let s = DetectSettings {
            mode: Mode::Steps,
            ..DetectSettings::default()
        };
        let a = analyse(&xs, &s);
        assert_eq!(a.change_points, detect(&xs, &s));
        assert!(a.trend.is_none());
    }

    #[test]
    fn slope_within_segments_ignores_the_steps() {
        let xs: Vec<f64> = (0..40)
            .map(|t| 2.0 * t as f64 + if t >= 20 { 100.0 } else { 0.0 })
            .collect();
        let fit = SlopeFit::within(&xs, &[20]).unwrap();
        assert!((fit.slope - 2.0).abs() < 1e-9);
        assert!(fit.se < 1e-9);
    }
}
