//! The mutation gate: the mutation score overall and for each component with a threshold.

use super::verdict::Results;
use crate::config::{Components, GatesConfig};
use crate::model::{CoverageSummary, Violation};
use crate::readers::mutation::{MutantCounts, MutationReport};

/// Evaluate `mutation` and `mutation[name]`; a component's score comes from the coverage summary
/// when there is one, else from the report's files.
pub fn evaluate(
    cfg: &GatesConfig,
    comps: &Components,
    report: Option<&MutationReport>,
    coverage: Option<&CoverageSummary>,
    out: &mut Results,
) {
    let m = &cfg.mutation;
    if !m.enabled {
        return;
    }
    let Some(rep) = report else {
        out.skip(
            "mutation",
            m.blocking,
            "no mutation report (Stryker, cargo-mutants, mutmut)",
        );
        return;
    };
    let Some(score) = rep.total.score() else {
        out.skip(
            "mutation",
            m.blocking,
            &format!("the {} report has no valid mutant", rep.tool),
        );
        return;
    };
    let t = rep.total;
    let violations = rep
        .survivors
        .iter()
        .map(|sv| Violation {
            rule: "mutation".into(),
            message: sv.description.clone(),
            level: "warning".into(),
            file: Some(sv.file.clone()),
            line: sv.line,
            end_line: None,
        })
        .collect();
    out.push(
        "mutation",
        m.blocking,
        score >= m.min_score,
        Some(score),
        Some(m.min_score),
        ">=",
        "%",
        format!(
            "score {score:.2}% ({} killed, {} timeout, {} survived, {} no coverage; {})",
            t.killed, t.timeout, t.survived, t.no_coverage, rep.tool
        ),
        Vec::new(),
        violations,
    );
    components(cfg, comps, rep, coverage, out);
}

fn components(
    cfg: &GatesConfig,
    comps: &Components,
    rep: &MutationReport,
    coverage: Option<&CoverageSummary>,
    out: &mut Results,
) {
    for (i, (name, comp, _)) in comps.list.iter().enumerate() {
        let level = cfg
            .criticality
            .get(comp.criticality.as_str())
            .cloned()
            .unwrap_or_default();
        let score = coverage
            .and_then(|s| s.components[i].mutation_score)
            .or_else(|| {
                let mut mc = MutantCounts::default();
                for (p, c) in &rep.files {
                    if comps.of(p) == Some(i) {
                        mc.add(c);
                    }
                }
                mc.score()
            });
        let (Some(min), Some(score)) = (comp.mutation_min.or(level.mutation_min), score) else {
            continue;
        };
        let blocking = comp
            .blocking
            .or(level.blocking)
            .unwrap_or(cfg.mutation.blocking);
        out.push(
            &format!("mutation[{name}]"),
            blocking,
            score >= min,
            Some(score),
            Some(min),
            ">=",
            "%",
            format!("{} score {score:.2}%", comp.criticality.as_str()),
            Vec::new(),
            Vec::new(),
        );
    }
}
