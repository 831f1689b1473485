//! `test-bug`: the test itself is broken — it cannot be collected, a fixture is missing or
//! raises, or the error is in test code and the code under test was never reached.

use super::{Cause, Facts, Verdict};
use crate::signature::Frame;

/// Errors that are mistakes in the code that raised them, not failed expectations.
const CODE_ERRORS: &[&str] = &[
    "NameError",
    "UnboundLocalError",
    "SyntaxError",
    "IndentationError",
    "TabError",
];
/// Errors that in test code usually mean the test is wrong, unless the change explains them.
const USAGE_ERRORS: &[&str] = &[
    "AttributeError",
    "TypeError",
    "KeyError",
    "IndexError",
    "ValueError",
    "RecursionError",
    "ZeroDivisionError",
];

pub(super) fn rule(f: &Facts) -> Option<Verdict> {
    let s = f.sig;
    let place = s
        .frames
        .first()
        .map(|fr| format!("{}:{}", fr.file, fr.line));
    let at = place
        .as_deref()
        .map(|p| format!(" at {p}"))
        .unwrap_or_default();
    if s.phase.as_deref() == Some("collection") {
        return Some(Verdict::new(
            Cause::TestBug,
            0.9,
            vec![format!(
                "pytest could not collect the test module: {}",
                s.headline()
            )],
        ));
    }
    if s.raw_message.contains("fixture '") && s.raw_message.contains("' not found") {
        return Some(Verdict::new(
            Cause::TestBug,
            0.95,
            vec![format!(
                "the test asks for a fixture that does not exist: {}",
                s.message
            )],
        ));
    }
    let project: Vec<&Frame> = s.all_frames.iter().filter(|fr| fr.in_project()).collect();
    let only_tests = !project.is_empty() && project.iter().all(|fr| fr.in_tests());
    let in_fixture = matches!(s.phase.as_deref(), Some("setup" | "teardown"));
    if in_fixture && only_tests {
        let phase = s.phase.as_deref().unwrap_or("setup");
        return Some(Verdict::new(
            Cause::TestBug,
            0.85,
            vec![format!(
                "a fixture failed in {phase}{at} with {}: the test body never ran, and no project code was on the stack",
                s.exception
            )],
        ));
    }
    if !only_tests || s.exception == "AssertionError" {
        return None;
    }
    if CODE_ERRORS.contains(&s.exception.as_str()) {
        return Some(Verdict::new(
            Cause::TestBug,
            0.85,
            vec![format!(
                "{} in test code{at}: the code under test was not reached",
                s.exception
            )],
        ));
    }
    // A usage error in test code: the test's own mistake — unless the test passed before and
    // the change modified project code the test uses (then the project's API changed under it).
    let explained = f.evidence.last_pass.is_some()
        && !f.evidence.reach.is_empty()
        && !f
            .evidence
            .changed
            .iter()
            .any(|c| Some(c.as_str()) == f.file);
    if USAGE_ERRORS.contains(&s.exception.as_str()) && !explained {
        return Some(Verdict::new(
            Cause::TestBug,
            0.65,
            vec![format!(
                "{} raised in test code{at}, and no project code was on the stack",
                s.exception
            )],
        ));
    }
    None
}
