//! How a change reaches a failed test, in words: the traceback passes through a changed file,
//! the test file itself changed, or the test file imports a changed module (rigor-select's
//! Python import graph).

use crate::project::Project;
use crate::signature::Signature;

/// At most this many reasons are given.
const MAX: usize = 3;

/// The reasons in words, and the changed files they name (nearest to the failure first).
#[derive(Debug, Default)]
pub struct Reach {
    pub words: Vec<String>,
    pub files: Vec<String>,
}

pub fn explain(
    project: &Project,
    changed: &[String],
    file: Option<&str>,
    sig: &Signature,
) -> Reach {
    let mut out = Reach::default();
    if changed.is_empty() {
        return out;
    }
    for f in sig.all_frames.iter().rev().filter(|f| f.in_project()) {
        if changed.iter().any(|c| c == &f.file) && out.words.len() < MAX {
            let s = format!(
                "the traceback passes through {}:{}, which the change modified",
                f.file, f.line
            );
            if !out.words.contains(&s) {
                out.words.push(s);
                out.files.push(f.file.clone());
            }
        }
    }
    let Some(file) = file else { return out };
    if changed.iter().any(|c| c == file) {
        out.words
            .push(format!("the test file {file} itself changed"));
        out.files.push(file.to_string());
        return out;
    }
    let py_changed: Vec<&String> = changed.iter().filter(|c| c.ends_with(".py")).collect();
    if py_changed.is_empty() || !file.ends_with(".py") {
        return out;
    }
    let graph = project.graph();
    let Some(test) = graph.id(file) else {
        return out;
    };
    for c in py_changed {
        let Some(seed) = graph.id(c) else { continue };
        let deps = graph.dependents(seed);
        if deps.contains_key(&test) && out.words.len() < MAX {
            out.words.push(format!(
                "{file} imports {c} (directly or through other modules), which the change modified"
            ));
            out.files.push(c.to_string());
        }
    }
    out
}
