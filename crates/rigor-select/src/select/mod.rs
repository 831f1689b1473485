//! Selection: which tests a change can break, each with its reasons; the others with why not.
//!
//! [`select`] runs in stages, each in its own module:
//!
//! 1. `classify` — every changed path: ignored, a full-run trigger, a `[select]` rule
//!    (`rules`), or analysed by the suites — a Python module seeds the import graph, a data
//!    file seeds the modules naming it, a Rust file selects test binaries; a path no one can
//!    analyse makes a full run. The graphs are built on first use (`graphs`).
//! 2. `impact` — static impact of the Python seeds through the import graph, refined per seed
//!    by the coverage map (`precision`) and by the changed symbols (`refine`).
//! 3. `always` — every test on a full run; otherwise last failures, new tests, tests whose own
//!    file changed, tests of suites selection does not analyse.
//! 4. `finish` — the history's factors and the risk of each selected test, why each other test
//!    is left out (`text` words the reasons, `names` the name affinity).

mod always;
mod classify;
mod files;
mod finish;
mod graphs;
mod impact;
mod names;
mod precision;
mod refine;
mod rules;
mod rustmap;
mod state;
mod text;
mod types;

pub use files::list_files;
pub use types::{SelectInput, SelectedTest, Selection, SuiteSpec};

use crate::change::ChangeSet;
use crate::error::Result;
use rigor_model::TestCase;
use state::{Acc, Ctx};
use std::collections::HashMap;

/// Select the tests `change` can break.
///
/// Always included: tests that failed in the last run on the branch, new tests (not in a
/// non-empty history), tests whose own file changed, and tests of suites selection does not
/// analyse (`command`). A changed file that no suite can analyse — and that is not ignored,
/// covered by a rule, or named as data — makes a full run, with the reason.
pub fn select(input: &SelectInput, change: &ChangeSet, tests: &[TestCase]) -> Result<Selection> {
    let ctx = Ctx::new(input, input.config.compile()?, change, tests);
    let mut sel = Selection {
        base: change.base.clone(),
        head: change.head.clone(),
        base_source: change.base_source.clone(),
        changed_files: change.paths().into_iter().map(String::from).collect(),
        ..Selection::default()
    };
    let mut acc = Acc::default();
    let classified = classify::classify(&ctx, &mut acc, &mut sel);
    ctx.timing.mark("files analysed");
    let mut refined_out = HashMap::new();
    match &classified.full_run {
        Some(reason) => {
            sel.full_run = Some(reason.clone());
            always::everything(&ctx, reason, &mut acc);
        }
        None => impact::propagate(
            &ctx,
            &classified.graphs,
            &classified.seeds,
            &mut acc,
            &mut refined_out,
        ),
    }
    ctx.timing.mark("seeds propagated");
    always::add(&ctx, &mut acc);
    finish::finish(&ctx, acc, refined_out, &mut sel);
    ctx.timing.mark("done");
    Ok(sel)
}
