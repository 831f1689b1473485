//! Change-point alerts: one per change point that makes a series worse by more than its noise
//! band, with the interval of the shift, the suspect commits, the changed files and the other
//! benchmarks that moved at the same commit.

use crate::changepoint::ChangePoint;
use crate::display::{self, short};
use crate::engine::series_name;
use crate::error::PerfError;
use crate::settings::Settings;
use crate::stats::t_quantile;
use crate::store::{self, NewAlert, Point, Related, SeriesRow};
use crate::structure::Trend;
use rigor_model::Config;

/// A series with its points, the branch used and its change points.
pub(super) struct Found {
    pub(super) series: SeriesRow,
    pub(super) points: Vec<Point>,
    pub(super) branch: Option<String>,
    pub(super) change_points: Vec<ChangePoint>,
    pub(super) trend: Option<Trend>,
}

/// Record an alert for every regressing change point; returns (alert id, newly opened) each.
pub(super) fn change_point_alerts(
    config: &Config,
    settings: &Settings,
    conn: &rigor_store::Store,
    found: &[Found],
) -> Result<Vec<(i64, bool)>, PerfError> {
    let mut out = Vec::new();
    for f in found {
        let s = &f.series;
        let name = series_name(&s.benchmark, &s.measure);
        let noise = settings.thresholds(&name).noise * 100.0;
        let cps = &f.change_points;
        for (i, c) in cps.iter().enumerate() {
            if c.change_pct * s.direction.worse_sign() <= noise {
                continue;
            }
            let commit = f.points[c.index].commit.clone();
            let from = c
                .index
                .checked_sub(1)
                .map(|j| f.points[j].commit.clone())
                .filter(|from| *from != commit);
            let lo = if i == 0 { 0 } else { cps[i - 1].index };
            let hi = if i + 1 == cps.len() {
                f.points.len()
            } else {
                cps[i + 1].index
            };
            let (ci_low_pct, ci_high_pct) = shift_interval(c, lo, hi, settings.significance);
            let related = store::change_points_at(conn, &commit, s.id)?
                .into_iter()
                .map(|(benchmark, change_pct)| Related {
                    benchmark,
                    change_pct,
                })
                .collect();
            let alert = NewAlert {
                key: format!("cp:{}:{}:{commit}", s.id, f.branch.as_deref().unwrap_or("")),
                kind: "change_point",
                series_id: s.id,
                branch: f.branch.clone(),
                commit: commit.clone(),
                range_from: from.clone(),
                files: rigor_vcs::files_between(&config.root, from.as_deref(), &commit),
                change_pct: c.change_pct,
                ci_low_pct,
                ci_high_pct,
                p_value: Some(c.p_value),
                related,
                message: format!(
                    "{name}: change point {:+.1}% ({} → {} {}) at {}",
                    c.change_pct,
                    display::value(c.mean_before),
                    display::value(c.mean_after),
                    s.unit,
                    short(&commit)
                ),
            };
            out.push(store::upsert_alert(conn, &alert)?);
        }
        if let Some(t) = &f.trend {
            out.extend(trend_alert(conn, f, t, noise)?);
        }
    }
    Ok(out)
}

/// A trend that drifted the series worse by more than its noise band: one alert per series and
/// branch (seen again by later detections while the trend lasts), from the first to the last
/// commit of the window.
fn trend_alert(
    conn: &rigor_store::Store,
    f: &Found,
    t: &Trend,
    noise_pct: f64,
) -> Result<Option<(i64, bool)>, PerfError> {
    let s = &f.series;
    if t.drift_pct * s.direction.worse_sign() <= noise_pct {
        return Ok(None);
    }
    let name = series_name(&s.benchmark, &s.measure);
    let (first, last) = (&f.points[t.from], &f.points[t.to - 1]);
    let span = (t.to - t.from - 1) as f64;
    let per = |slope: f64| t.drift_pct / t.slope * slope;
    let alert = NewAlert {
        key: format!("trend:{}:{}", s.id, f.branch.as_deref().unwrap_or("")),
        kind: "trend",
        series_id: s.id,
        branch: f.branch.clone(),
        commit: last.commit.clone(),
        range_from: Some(first.commit.clone()),
        files: Vec::new(),
        change_pct: t.drift_pct,
        ci_low_pct: (t.slope != 0.0).then(|| per(t.slope_low)),
        ci_high_pct: (t.slope != 0.0).then(|| per(t.slope_high)),
        p_value: Some(t.p_value),
        related: Vec::new(),
        message: format!(
            "{name}: trend {:+.1}% over {} points ({} {} per point) from {} to {}",
            t.drift_pct,
            span as usize + 1,
            display::value(t.slope),
            s.unit,
            short(&first.commit),
            short(&last.commit)
        ),
    };
    Ok(Some(store::upsert_alert(conn, &alert)?))
}

/// The interval of the relative shift at `c` from the neighbouring segments [lo, c) and
/// [c, hi) (Welch), in percent of the mean before; unknown when that mean is 0.
fn shift_interval(
    c: &ChangePoint,
    lo: usize,
    hi: usize,
    significance: f64,
) -> (Option<f64>, Option<f64>) {
    let (nb, na) = ((c.index - lo) as f64, (hi - c.index) as f64);
    let se = (c.std_before.powi(2) / nb + c.std_after.powi(2) / na).sqrt();
    let df = (nb + na - 2.0).max(1.0);
    let q = t_quantile(1.0 - significance / 2.0, df);
    let diff = c.mean_after - c.mean_before;
    let scale = c.mean_before.abs();
    if scale > 0.0 {
        (
            Some((diff - q * se) / scale * 100.0),
            Some((diff + q * se) / scale * 100.0),
        )
    } else {
        (None, None)
    }
}
