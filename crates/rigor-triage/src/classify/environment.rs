//! `environment`: the installed software is not what the project needs — a missing module or
//! shared library, a dependency whose version lacks a name the code imports, a version
//! conflict reported by the packaging tools, a command that is not installed.

use super::{Cause, Facts, Verdict};
use regex::Regex;
use std::sync::LazyLock;

static NO_MODULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"No module named '?([\w.]+)'?").expect("valid"));
static CANNOT_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"cannot import name '(\w+)' from '([\w.]+)'(?: \(([^)]*)\))?").expect("valid")
});
static NO_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"module '([\w.]+)' has no attribute '(\w+)'").expect("valid"));

/// `No such file or directory: 'name'` for a bare name (no directory, no extension): a program
/// that a subprocess call could not find.
static MISSING_TOOL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"No such file or directory: '([A-Za-z0-9_+-]+)'").expect("valid"));

const CONFLICTS: &[(&str, &str)] = &[
    (
        "versionconflict",
        "a version conflict between installed distributions",
    ),
    (
        "distributionnotfound",
        "a required distribution is not installed",
    ),
    (
        "packagenotfounderror",
        "a required distribution is not installed",
    ),
    (
        "but you have",
        "an installed version does not satisfy a requirement",
    ),
    (
        "incompatible version",
        "an installed version is incompatible",
    ),
    (
        "cannot open shared object file",
        "a shared library is missing",
    ),
    ("library not loaded", "a shared library is missing"),
    ("dll load failed", "a shared library is missing"),
    (
        "command not found",
        "a command the test runs is not installed",
    ),
];

pub(super) fn rule(f: &Facts) -> Option<Verdict> {
    let s = f.sig;
    let msg = &s.raw_message;
    if let Some(c) = NO_MODULE.captures(msg) {
        let module = &c[1];
        if f.project.owns_module(module) {
            return None;
        }
        return Some(Verdict::new(
            Cause::Environment,
            0.9,
            vec![format!(
                "the module `{module}` is not installed, and it is not part of the project (its own modules: {})",
                shown(&f.project.modules)
            )],
        ));
    }
    if let Some(c) = CANNOT_IMPORT.captures(msg) {
        let (name, module) = (&c[1], &c[2]);
        let from_site = c.get(3).is_some_and(|p| p.as_str().contains("-packages"));
        if f.project.owns_module(module) && !from_site {
            return None;
        }
        return Some(Verdict::new(
            Cause::Environment,
            0.8,
            vec![format!(
                "the installed `{module}` has no `{name}`: its version is not the one the code was written for"
            )],
        ));
    }
    if s.exception == "AttributeError"
        && let Some(c) = NO_ATTR.captures(msg)
        && !f.project.owns_module(&c[1])
        && !f.excerpt.contains("Mock")
    {
        return Some(Verdict::new(
            Cause::Environment,
            0.65,
            vec![format!(
                "the installed module `{}` has no attribute `{}`: a different version than expected",
                &c[1], &c[2]
            )],
        ));
    }
    if s.exception == "FileNotFoundError"
        && let Some(c) = MISSING_TOOL.captures(msg)
    {
        return Some(Verdict::new(
            Cause::Environment,
            0.8,
            vec![format!(
                "the program `{}` is not installed or not on PATH (FileNotFoundError for a bare command name)",
                &c[1]
            )],
        ));
    }
    if s.exception == "exit code 127" {
        return Some(Verdict::new(
            Cause::Environment,
            0.85,
            vec!["exit code 127: the command is not installed or not on PATH".into()],
        ));
    }
    let hay = format!("{} {}", s.exception, msg).to_lowercase();
    CONFLICTS
        .iter()
        .find(|(n, _)| hay.contains(n))
        .map(|(_, what)| {
            Verdict::new(
                Cause::Environment,
                0.85,
                vec![format!("{what}: `{}`", s.headline())],
            )
        })
}

fn shown(modules: &std::collections::BTreeSet<String>) -> String {
    let v: Vec<&str> = modules
        .iter()
        .map(String::as_str)
        .filter(|m| !m.starts_with("test") && *m != "conftest" && *m != "setup")
        .take(5)
        .collect();
    if v.is_empty() {
        "none found".into()
    } else {
        v.join(", ")
    }
}
