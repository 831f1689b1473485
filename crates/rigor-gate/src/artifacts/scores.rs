//! Reports with one score each: mutation testing (Stryker, cargo-mutants, mutmut) and the perf
//! comparison of `rigor perf compare`. The last file given wins.

use super::file::Finder;
use crate::error::Result;
use crate::model::InputFile;
use crate::readers::Kind;
use crate::readers::mutation::{self, MutationReport};
use crate::readers::perf::{self, PerfCompare};
use std::path::PathBuf;

const MUTATION_KINDS: &[Kind] = &[Kind::Stryker, Kind::CargoMutants, Kind::Mutmut];

/// The mutation report, its paths made repository-relative.
pub fn read_mutation(
    f: &Finder,
    files: &[PathBuf],
    seen: &mut Vec<InputFile>,
) -> Result<Option<MutationReport>> {
    let mut out = None;
    for p in files {
        let r = f.read(p, MUTATION_KINDS, "a mutation report")?;
        let mut m = match r.kind {
            Kind::Stryker => mutation::read_stryker(&r.label, &r.text)?,
            Kind::CargoMutants => mutation::read_cargo_mutants(&r.label, &r.text)?,
            _ => mutation::read_mutmut(&r.label, &r.text)?,
        };
        m.files = std::mem::take(&mut m.files)
            .into_iter()
            .map(|(k, v)| ((f.norm)(&k), v))
            .collect();
        for s in &mut m.survivors {
            s.file = (f.norm)(&s.file);
        }
        out = Some(m);
        seen.push(r.input_file());
    }
    Ok(out)
}

/// The perf comparison.
pub fn read_perf(
    f: &Finder,
    files: &[PathBuf],
    seen: &mut Vec<InputFile>,
) -> Result<Option<PerfCompare>> {
    let mut out = None;
    for p in files {
        let r = f.read(p, &[Kind::PerfCompare], "a perf comparison")?;
        out = Some(perf::read_perf_compare(&r.label, &r.text)?);
        seen.push(r.input_file());
    }
    Ok(out)
}
