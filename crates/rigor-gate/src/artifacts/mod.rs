//! The artifacts an evaluation reads: given explicitly or discovered from `[artifacts]`. Every
//! artifact is parsed before anything else happens, so a malformed one stops the evaluation
//! with nothing recorded.

pub mod coverage;
pub mod file;
pub mod findings;
pub mod junit;
pub mod scores;

use crate::config::ArtifactsConfig;
use crate::error::Result;
use crate::eval::{Inputs, TestsEvidence};
use crate::request::{GateRequest, RunEvidence};
use file::Finder;

/// Read the artifacts of `req` (else those `a` discovers) into `inputs`. The tests of JUnit
/// files become the tests gate's evidence; they are not read when the change selected no tests.
pub fn read_all(
    f: &Finder,
    a: &ArtifactsConfig,
    req: &GateRequest,
    inputs: &mut Inputs,
) -> Result<()> {
    let files = f.pick(&req.coverage, &a.coverage, false);
    inputs.coverage = coverage::read(f, &files, &mut inputs.inputs)?;
    if req.evidence != RunEvidence::NoTestsSelected {
        let files = f.pick(&req.junit, &a.junit, false);
        if let Some(t) = junit::read(f, &files, &mut inputs.inputs)? {
            inputs.tests = TestsEvidence::Results(t);
        }
    }
    let advisories = req
        .advisories
        .clone()
        .or_else(|| a.advisories.as_ref().map(Into::into));
    findings::read(
        f,
        &f.pick(&req.sarif, &a.sarif, true),
        &f.pick(&req.audit, &a.audit, true),
        advisories,
        inputs,
    )?;
    let files = f.pick(&req.mutation, &a.mutation, false);
    inputs.mutation = scores::read_mutation(f, &files, &mut inputs.inputs)?;
    let files = f.pick(&req.perf, &a.perf, false);
    inputs.perf = scores::read_perf(f, &files, &mut inputs.inputs)?;
    Ok(())
}
