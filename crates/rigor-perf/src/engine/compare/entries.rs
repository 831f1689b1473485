//! The results one side of a comparison holds, per benchmark: from a file, or a commit's
//! results in the history with the benchmark's recent history up to that commit.

use crate::engine::{apply_overrides, series_name};
use crate::error::PerfError;
use crate::ingest::{self, CsvOptions, Format};
use crate::model::Direction;
use crate::settings::Settings;
use crate::stats::median;
use crate::store::{self, Point};
use std::collections::BTreeMap;
use std::path::Path;

/// One benchmark's results on one side.
#[derive(Debug, Clone, Default)]
pub(super) struct Entry {
    pub(super) unit: String,
    pub(super) direction: Direction,
    pub(super) samples: Vec<f64>,
    pub(super) value: f64,
    pub(super) series_id: Option<i64>,
    /// Recent values up to the baseline (single-value comparisons).
    pub(super) history: Vec<f64>,
}

/// The results of a file, any format, with the configured overrides.
pub(super) fn from_file(
    path: &Path,
    settings: &Settings,
) -> Result<BTreeMap<String, Entry>, PerfError> {
    let mut parsed = ingest::read_path(path, Format::Auto, &CsvOptions::default())?;
    apply_overrides(&mut parsed.measurements, settings);
    let mut out: BTreeMap<String, Entry> = BTreeMap::new();
    for m in parsed.measurements {
        let e = out
            .entry(series_name(&m.benchmark, &m.measure))
            .or_insert_with(|| Entry {
                unit: m.unit.clone(),
                direction: m.direction,
                ..Default::default()
            });
        if m.samples.is_empty() {
            e.samples.push(m.value);
        } else {
            e.samples.extend(&m.samples);
        }
        e.history.push(m.value);
    }
    for e in out.values_mut() {
        e.value = median(&e.samples);
    }
    Ok(out)
}

/// A commit's results on a testbed.
pub(super) fn at_commit(
    conn: &rigor_store::Store,
    commit: &str,
    bed: &str,
) -> Result<BTreeMap<String, Entry>, PerfError> {
    let pts = store::points_at_commit(conn, commit, Some(bed))?;
    let mut by_series: BTreeMap<i64, Vec<Point>> = BTreeMap::new();
    for p in pts {
        by_series.entry(p.series_id).or_default().push(p);
    }
    let mut out = BTreeMap::new();
    for (sid, pts) in by_series {
        let s = store::series_by_id(conn, sid)?;
        let mut samples = Vec::new();
        for p in &pts {
            if p.samples.is_empty() {
                samples.push(p.value);
            } else {
                samples.extend(&p.samples);
            }
        }
        let value = if pts.len() == 1 {
            pts[0].value
        } else {
            median(&pts.iter().map(|p| p.value).collect::<Vec<_>>())
        };
        out.insert(
            series_name(&s.benchmark, &s.measure),
            Entry {
                unit: s.unit,
                direction: s.direction,
                samples,
                value,
                series_id: Some(sid),
                history: Vec::new(),
            },
        );
    }
    Ok(out)
}

/// Fill `history` of baseline entries: the series' values on `branch` up to the baseline commit.
pub(super) fn fill_history(
    conn: &rigor_store::Store,
    entries: &mut BTreeMap<String, Entry>,
    branch: Option<&str>,
    commit: &str,
    window: usize,
) -> Result<(), PerfError> {
    for e in entries.values_mut() {
        let Some(sid) = e.series_id else { continue };
        let mut pts = store::points(conn, sid, branch)?;
        if pts.is_empty() {
            pts = store::points(conn, sid, None)?;
        }
        let cut = pts
            .iter()
            .rposition(|p| p.commit == commit)
            .map(|i| i + 1)
            .unwrap_or(pts.len());
        let pts = &pts[..cut];
        // one value per commit (median of re-runs), the most recent `window` commits
        let mut per_commit: Vec<(String, Vec<f64>)> = Vec::new();
        for p in pts {
            match per_commit.last_mut() {
                Some((c, v)) if *c == p.commit => v.push(p.value),
                _ => per_commit.push((p.commit.clone(), vec![p.value])),
            }
        }
        let start = per_commit.len().saturating_sub(window);
        e.history = per_commit[start..].iter().map(|(_, v)| median(v)).collect();
    }
    Ok(())
}
