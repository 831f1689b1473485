//! The coverage summary of a report: overall, changed lines (diff-cover semantics) and per
//! component, with each component's mutation score.

use crate::change::ChangedLines;
use crate::config::Components;
use crate::model::{ChangedCoverage, ChangedFile, ComponentCoverage, CoverageSummary};
use crate::readers::coverage::{Coverage, pct};
use crate::readers::mutation::{MutantCounts, MutationReport};
use std::collections::{BTreeMap, BTreeSet};

/// (covered, measured) lines per component index.
type Counts = BTreeMap<usize, (usize, usize)>;

/// Summarise `cov`; notes about changed files the report does not measure go to `notes`.
pub fn summarise(
    cov: &Coverage,
    changed: Option<&ChangedLines>,
    mutation: Option<&MutationReport>,
    comps: &Components,
    notes: &mut Vec<String>,
) -> CoverageSummary {
    let mut comp_changed = Counts::new();
    let changed = changed.map(|ch| {
        note_absent_files(cov, ch, notes);
        changed_coverage(cov, ch, comps, &mut comp_changed)
    });
    let mut comp_cov = Counts::new();
    for (path, fc) in &cov.files {
        if let Some(i) = comps.of(path) {
            let e = comp_cov.entry(i).or_default();
            e.0 += fc.covered();
            e.1 += fc.measured();
        }
    }
    let mut comp_mut: BTreeMap<usize, MutantCounts> = BTreeMap::new();
    if let Some(m) = mutation {
        for (path, mc) in &m.files {
            if let Some(i) = comps.of(path) {
                comp_mut.entry(i).or_default().add(mc);
            }
        }
    }
    let components = comps
        .list
        .iter()
        .enumerate()
        .map(|(i, (name, comp, _))| {
            let (cc, cm) = comp_cov.get(&i).copied().unwrap_or_default();
            let (xc, xm) = comp_changed.get(&i).copied().unwrap_or_default();
            ComponentCoverage {
                name: name.clone(),
                criticality: comp.criticality.as_str().into(),
                covered: cc,
                measured: cm,
                percent: pct(cc, cm),
                changed_covered: xc,
                changed_measured: xm,
                changed_percent: pct(xc, xm),
                mutation_score: comp_mut.get(&i).and_then(|m| m.score()),
            }
        })
        .collect();
    CoverageSummary {
        covered: cov.covered(),
        measured: cov.measured(),
        percent: cov.percent(),
        files: cov.files.len(),
        changed,
        components,
    }
}

/// Changed files of a language the report measures, yet absent from it, are not counted
/// (diff-cover semantics), but worth a note (stale report? wrong --source?).
fn note_absent_files(cov: &Coverage, ch: &ChangedLines, notes: &mut Vec<String>) {
    let ext = |p: &str| p.rsplit_once('.').map(|(_, e)| e.to_string());
    let measured_exts: BTreeSet<String> = cov.files.keys().filter_map(|p| ext(p)).collect();
    let absent: Vec<&String> = ch
        .files
        .keys()
        .filter(|p| {
            !cov.files.contains_key(*p) && ext(p).is_some_and(|e| measured_exts.contains(&e))
        })
        .collect();
    if absent.is_empty() {
        return;
    }
    let shown: Vec<&str> = absent.iter().take(5).map(|p| p.as_str()).collect();
    notes.push(format!(
        "{} changed file{} not in the coverage report, so not counted: {}{}",
        absent.len(),
        if absent.len() == 1 { " is" } else { "s are" },
        shown.join(", "),
        if absent.len() > 5 { ", …" } else { "" }
    ));
}

/// Coverage of the measured changed lines, per file; adds each component's counts to `per_comp`.
fn changed_coverage(
    cov: &Coverage,
    ch: &ChangedLines,
    comps: &Components,
    per_comp: &mut Counts,
) -> ChangedCoverage {
    let mut files = Vec::new();
    for (path, lines) in &ch.files {
        let Some(fc) = cov.files.get(path) else {
            continue;
        };
        let measured: Vec<u32> = lines
            .iter()
            .copied()
            .filter(|l| fc.lines.contains_key(l))
            .collect();
        if measured.is_empty() {
            continue;
        }
        let uncovered: Vec<u32> = measured
            .iter()
            .copied()
            .filter(|l| fc.lines[l] == 0)
            .collect();
        let covered = measured.len() - uncovered.len();
        let comp = comps.of(path);
        if let Some(i) = comp {
            let e = per_comp.entry(i).or_default();
            e.0 += covered;
            e.1 += measured.len();
        }
        files.push(ChangedFile {
            path: path.clone(),
            covered,
            measured: measured.len(),
            percent: pct(covered, measured.len()),
            uncovered_lines: uncovered,
            component: comp.map(|i| comps.list[i].0.clone()),
        });
    }
    let covered = files.iter().map(|f| f.covered).sum();
    let measured = files.iter().map(|f| f.measured).sum();
    ChangedCoverage {
        base: ch.base_label.clone(),
        base_sha: ch.base_sha.clone(),
        changed_lines: ch.line_count(),
        covered,
        measured,
        percent: pct(covered, measured),
        files,
    }
}
