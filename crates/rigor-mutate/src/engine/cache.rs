//! Before running: which verdicts still hold (file and tests unchanged), where each pending
//! file's candidate tests come from. After: save the new verdicts.

use super::{FileMutants, Request};
use crate::error::Result;
use crate::model::MutantResult;
use crate::project::PyProject;
use crate::store::{self, Kept, Save};
use crate::tests_for::{self, FileTests};
use rigor_select::{ChangeSet, History};
use rigor_store::Store;
use std::collections::HashMap;

/// What to run and what is known already.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub kept: Vec<MutantResult>,
    /// Ids of the mutants to run.
    pub pending: Vec<u32>,
    pub file_tests: HashMap<String, FileTests>,
    /// file → (content hash, tests hash).
    pub hashes: HashMap<String, (String, String)>,
    pub notes: Vec<String>,
}

fn read(root: &std::path::Path, rel: &str) -> Vec<u8> {
    std::fs::read(root.join(rel)).unwrap_or_default()
}

pub fn plan(
    store: &mut Store,
    project: &PyProject,
    files: &[FileMutants],
    req: &Request,
) -> Result<Plan> {
    let names: Vec<String> = files.iter().map(|f| f.file.clone()).collect();
    let reach = tests_for::graph_reach(&project.root, &project.files, &names);
    let conftests: Vec<Vec<u8>> = project
        .files
        .iter()
        .filter(|f| f.ends_with("conftest.py"))
        .map(|f| read(&project.root, f))
        .collect();
    let mut p = Plan::default();
    for f in files {
        let tests = reach.get(&f.file).cloned().unwrap_or_default();
        let contents: Vec<Vec<u8>> = tests.iter().map(|t| read(&project.root, t)).collect();
        let mut parts: Vec<&[u8]> = tests.iter().map(|t| t.as_bytes()).collect();
        parts.extend(contents.iter().map(Vec::as_slice));
        parts.extend(conftests.iter().map(Vec::as_slice));
        let th = store::hash(&parts);
        let fh = store::hash(&[f.source.as_bytes()]);
        let stored = if req.fresh {
            HashMap::new()
        } else {
            store::load(store, &f.file)?
        };
        for m in &f.mutants {
            match stored.get(&m.signature()) {
                Some(k) if k.file_hash == fh && k.tests_hash == th => p.kept.push(k.result_for(m)),
                _ => p.pending.push(m.id),
            }
        }
        p.file_tests.insert(
            f.file.clone(),
            FileTests {
                graph_files: tests,
                ..FileTests::default()
            },
        );
        p.hashes.insert(f.file.clone(), (fh, th));
    }
    load_coverage(store, project, files, &mut p)?;
    Ok(p)
}

/// The coverage map of each pending file, when the map's commit has the file as it is now.
fn load_coverage(
    store: &mut Store,
    project: &PyProject,
    files: &[FileMutants],
    p: &mut Plan,
) -> Result<()> {
    let pending: Vec<&str> = files
        .iter()
        .filter(|f| f.mutants.iter().any(|m| p.pending.contains(&m.id)))
        .map(|f| f.file.as_str())
        .collect();
    if pending.is_empty() {
        return Ok(());
    }
    let mut h = History::default();
    let change = ChangeSet::from_paths(&pending);
    h.load_coverage(store, &project.suite.name, &change, &|p: &str| {
        Some(p.to_string())
    })?;
    let Some(map) = h.coverage.remove(&project.suite.name) else {
        p.notes.push(
            "no coverage map in the history: candidate tests come from the import graph (record one with `rigor run --coverage-map`)".into(),
        );
        return Ok(());
    };
    let changed = changed_since(&project.root, &map.commit);
    let stale = |t: &str| changed.contains(tests_for::test_file(t));
    for (file, lines) in map.lines {
        if changed.contains(&file) || changed.contains("*") {
            p.notes.push(format!(
                "{file}: changed since the coverage map's commit {}: candidate tests come from the import graph",
                &map.commit[..map.commit.len().min(10)]
            ));
            continue;
        }
        if let Some(ft) = p.file_tests.get_mut(&file) {
            // Tests whose file did not change: the map decides; the others are candidates
            // when the import graph says they reach the file. Contexts that are not tests
            // (a module's import, code run outside tests) are no candidates.
            let known: HashMap<String, Vec<u8>> = lines
                .into_iter()
                .filter(|(t, _)| rigor_select::covstore::is_test_context(t) && !stale(t))
                .collect();
            ft.coverage = Some(known);
            ft.known = map.tests.iter().filter(|t| !stale(t)).cloned().collect();
        }
    }
    Ok(())
}

/// Files (suite-relative) that differ between `commit` and the work tree, untracked ones
/// included; `{"*"}` when git cannot tell.
fn changed_since(root: &std::path::Path, commit: &str) -> std::collections::HashSet<String> {
    let diff = rigor_vcs::git::text(root, &["diff", "--name-only", "--relative", commit]);
    let untracked = rigor_vcs::git::text(root, &["ls-files", "--others", "--exclude-standard"]);
    match (diff, untracked) {
        (Ok(d), Ok(u)) => d
            .lines()
            .chain(u.lines())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        _ => ["*".to_string()].into(),
    }
}

/// Save the verdicts of the mutants that ran.
pub fn save(st: &mut Store, plan: &Plan, results: &[MutantResult]) -> Result<()> {
    let rows: Vec<Save> = results
        .iter()
        .filter_map(|r| {
            let (fh, th) = plan.hashes.get(&r.mutant.file)?;
            Some(Save {
                file: &r.mutant.file,
                signature: r.mutant.signature(),
                kept: Kept {
                    file_hash: fh.clone(),
                    tests_hash: th.clone(),
                    verdict: r.verdict,
                    tests_run: r.tests_run.clone(),
                    killed_by: r.killed_by.clone(),
                    duration_s: r.duration_s,
                },
            })
        })
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64());
    store::save(st, &rows, now)
}
