//! Static impact of the Python seeds: from each changed module (or module naming a changed data
//! file) through the import graph to the tests that depend on it — refined by the coverage map
//! ([`super::precision`]) and by the changed symbols ([`super::refine`]).

use super::classify::{Seed, Seeds};
use super::files::test_file;
use super::graphs::Graphs;
use super::names::{changed_names, set_affinity};
use super::precision::{Precision, precise_lines};
use super::refine::{ChangedModule, Refinement, refinement};
use super::state::{Acc, Ctx};
use super::text::{chain_reason, covers_reason, fmt_ranges, short};
use super::types::SuiteSpec;
use crate::history::CoverageMap;
use crate::python::PyGraph;
use crate::symbols::SymbolCache;
use rigor_model::{TestCase, TestKey};
use std::collections::{BTreeMap, HashMap};

/// Select the tests that depend on a seed; tests the symbol refinement leaves out are
/// remembered in `refined_out` with why.
pub(super) fn propagate(
    ctx: &Ctx,
    graphs: &Graphs,
    seeds: &Seeds,
    acc: &mut Acc,
    refined_out: &mut HashMap<TestKey, String>,
) {
    for (suite_name, suite_seeds) in seeds {
        let (Some(g), Some(spec)) = (
            graphs.python.get(suite_name),
            ctx.by_suite.get(suite_name.as_str()),
        ) else {
            continue;
        };
        let mut suite = SuiteImpact::new(ctx, g, spec);
        for (path, seed) in suite_seeds {
            suite.seed(path, seed, acc, refined_out);
        }
    }
}

/// One pytest suite's graph, tests and parse cache.
struct SuiteImpact<'c> {
    ctx: &'c Ctx<'c>,
    g: &'c PyGraph,
    spec: &'c SuiteSpec,
    /// The suite's tests with their file's id in the graph.
    tests: Vec<(&'c TestCase, Option<usize>)>,
    symbols: SymbolCache,
    coverage: Option<&'c CoverageMap>,
}

/// One seed: its dependents and how their tests are decided.
struct SeedImpact<'s> {
    seed: usize,
    /// Dependent file → the next file towards the seed.
    reach: BTreeMap<usize, Option<usize>>,
    /// Put before every reason (`reads data file X: `), empty for the changed module itself.
    prefix: &'s str,
    /// The seed's project-relative path.
    shown: String,
    precise: Precision,
    refine: Option<Refinement>,
    /// For the map's `import:` contexts that ran the changed lines: each module's graph id and
    /// every file whose import runs it (→ next file towards the module).
    imports: Vec<ImportReach>,
}

/// A module's graph id and every file whose import runs it (→ next file towards the module).
type ImportReach = (usize, BTreeMap<usize, Option<usize>>);

impl SeedImpact<'_> {
    /// The import chain from graph file `tf` to the seed.
    fn chain(&self, tf: usize) -> Vec<usize> {
        let mut chain = vec![tf];
        while let Some(Some(next)) = self.reach.get(chain.last().expect("not empty")) {
            chain.push(*next);
        }
        chain
    }

    /// Hops from `tf` to the seed; 1 for a test only the coverage map connects.
    fn distance(&self, tf: usize) -> u32 {
        if self.reach.contains_key(&tf) {
            self.chain(tf).len() as u32 - 1
        } else {
            1
        }
    }
}

/// What one seed means for one test.
enum Verdict {
    Select {
        reason: String,
        distance: u32,
        covers: bool,
        own: bool,
    },
    /// The graph reaches it, the symbol refinement does not: why.
    RefinedOut(String),
    Skip,
}

impl<'c> SuiteImpact<'c> {
    fn new(ctx: &'c Ctx<'c>, g: &'c PyGraph, spec: &'c SuiteSpec) -> SuiteImpact<'c> {
        SuiteImpact {
            ctx,
            g,
            spec,
            tests: ctx
                .tests
                .iter()
                .filter(|t| t.key.suite == spec.name)
                .map(|t| (t, g.id(&test_file(t))))
                .collect(),
            symbols: SymbolCache::default(),
            coverage: if ctx.cfg.coverage_map {
                ctx.input.history.coverage.get(&spec.name)
            } else {
                None
            },
        }
    }

    /// Judge every test of the suite against one seed.
    fn seed(
        &mut self,
        path: &str,
        seed: &Seed,
        acc: &mut Acc,
        refined_out: &mut HashMap<TestKey, String>,
    ) {
        let Some(si) = self.seed_impact(path, seed) else {
            return;
        };
        let names = if seed.prefix.is_empty() {
            let cf = &self.ctx.change.files[seed.file];
            changed_names(self.ctx.input.root, &si.shown, &cf.lines)
        } else {
            Vec::new()
        };
        for i in 0..self.tests.len() {
            let (t, Some(tf)) = self.tests[i] else {
                continue;
            };
            match self.verdict(&si, t, tf) {
                Verdict::Select {
                    reason,
                    distance,
                    covers,
                    own,
                } => {
                    let f = acc.add(&t.key, reason);
                    f.distance_min(distance);
                    f.covers_change |= covers;
                    f.own_file |= own;
                    set_affinity(f, &names, &t.key.id);
                    if !covers
                        && !own
                        && let Some(why) = si.precise.note()
                    {
                        acc.note(&t.key, why);
                    }
                }
                Verdict::RefinedOut(why) => {
                    refined_out.entry(t.key.clone()).or_insert(why);
                }
                Verdict::Skip => {}
            }
        }
    }

    /// The seed's dependents, the coverage map's say and the symbol refinement.
    fn seed_impact<'s>(&mut self, path: &str, seed: &'s Seed) -> Option<SeedImpact<'s>> {
        let (ctx, g, spec) = (self.ctx, self.g, self.spec);
        let id = g.id(path)?;
        let reach = g.dependents(id);
        let cf = &ctx.change.files[seed.file];
        let own_change = seed.prefix.is_empty();
        let root = ctx.input.root;
        let precise = match self.coverage {
            Some(m) if own_change => precise_lines(root, spec, ctx.change, cf, path, m),
            _ => Precision::Static(None),
        };
        let (precise, imports) = import_reach(g, spec, precise);
        let refine = if ctx.cfg.symbols && own_change && precise.graph_decides() {
            let module = ChangedModule {
                spec,
                file: cf,
                local: path,
            };
            let verbose = ctx.timing.on();
            refinement(
                root,
                ctx.change,
                &module,
                g,
                &reach,
                &mut self.symbols,
                verbose,
            )
        } else {
            None
        };
        Some(SeedImpact {
            seed: id,
            reach,
            prefix: &seed.prefix,
            shown: spec.global(path),
            precise,
            refine,
            imports,
        })
    }

    fn verdict(&mut self, si: &SeedImpact, t: &TestCase, tf: usize) -> Verdict {
        let own = tf == si.seed;
        let in_static = si.reach.contains_key(&tf);
        let covering = |ranges: &[(u32, u32)], commit: &str| Verdict::Select {
            reason: covers_reason(si.prefix, ranges, &si.shown, commit),
            distance: si.distance(tf),
            covers: true,
            own,
        };
        match &si.precise {
            Precision::Lines {
                map,
                ranges,
                commit,
                ..
            } if !own => {
                let covered = map
                    .get(&t.key.id)
                    .is_some_and(|bits| CoverageMap::any_line(bits, ranges));
                let mapped = self.coverage.is_some_and(|m| m.tests.contains(&t.key.id));
                if covered {
                    covering(ranges, commit)
                } else if let Some(reason) = self.imported(si, tf, ranges, commit) {
                    Verdict::Select {
                        reason,
                        distance: si.distance(tf),
                        covers: true,
                        own,
                    }
                } else if in_static && !mapped {
                    let c = si.chain(tf);
                    Verdict::Select {
                        reason: format!(
                            "{}{} (not in the coverage map)",
                            si.prefix,
                            chain_reason(self.g, self.spec, &c)
                        ),
                        distance: c.len() as u32 - 1,
                        covers: false,
                        own,
                    }
                } else {
                    Verdict::Skip
                }
            }
            Precision::ImportTime {
                covered,
                ranges,
                commit,
                ..
            } if !own && covered.contains(&t.key.id) => covering(ranges, commit),
            _ if in_static => self.by_graph(si, t, tf, own),
            _ => Verdict::Skip,
        }
    }

    /// Does importing test file `tf` run a module whose import ran the changed lines? Why.
    fn imported(
        &self,
        si: &SeedImpact,
        tf: usize,
        ranges: &[(u32, u32)],
        commit: &str,
    ) -> Option<String> {
        let (module, reach) = si.imports.iter().find(|(_, r)| r.contains_key(&tf))?;
        let mut chain = vec![tf];
        while let Some(Some(next)) = reach.get(chain.last().expect("not empty")) {
            chain.push(*next);
        }
        Some(format!(
            "{}importing {} runs changed lines {} of {} (coverage map at {}); {}",
            si.prefix,
            self.spec.global(&self.g.files[*module]),
            fmt_ranges(ranges),
            si.shown,
            short(commit),
            chain_reason(self.g, self.spec, &chain)
        ))
    }

    /// The static graph decides (with the symbol refinement, when it applies).
    fn by_graph(&mut self, si: &SeedImpact, t: &TestCase, tf: usize, own: bool) -> Verdict {
        let c = si.chain(tf);
        let reason = if own {
            format!("{}its own file {} changed", si.prefix, si.shown)
        } else if let Some(r) = &si.refine {
            let Some(observed) = r.observation(self.g, tf, &t.key.id) else {
                return Verdict::RefinedOut(r.refused(&self.g.files[tf], &si.shown, &t.key.id));
            };
            format!(
                "{}{}; {}",
                si.prefix,
                chain_reason(self.g, self.spec, &c),
                r.reaches(&observed)
            )
        } else {
            format!(
                "{}file-level: {}",
                si.prefix,
                chain_reason(self.g, self.spec, &c)
            )
        };
        Verdict::Select {
            reason,
            distance: c.len() as u32 - 1,
            covers: false,
            own,
        }
    }
}

/// The files whose import runs each module whose `import:` context ran the changed lines (a
/// module imported once per process runs its import-time code for the first importer only, so
/// every importer the graph knows counts). A module the graph does not know makes the graph
/// decide for the whole file, with the tests that ran the lines.
fn import_reach(
    g: &PyGraph,
    spec: &SuiteSpec,
    precise: Precision,
) -> (Precision, Vec<ImportReach>) {
    let Precision::Lines {
        map,
        ranges,
        commit,
        importers,
    } = precise
    else {
        return (precise, Vec::new());
    };
    let mut out = Vec::new();
    for m in &importers {
        let Some(id) = g.id(m) else {
            let covered = map
                .iter()
                .filter(|(t, b)| {
                    crate::covstore::is_test_context(t) && CoverageMap::any_line(b, &ranges)
                })
                .map(|(t, _)| t.clone())
                .collect();
            let why = format!(
                "the changed lines run while importing {}, which the import graph does not know: static graph",
                spec.global(m)
            );
            return (
                Precision::ImportTime {
                    why,
                    covered,
                    ranges,
                    commit,
                },
                Vec::new(),
            );
        };
        out.push((id, g.importers(id)));
    }
    (
        Precision::Lines {
            map,
            ranges,
            commit,
            importers,
        },
        out,
    )
}
