//! Finding an artifact (flag or `[artifacts]` candidates) and reading it with the right reader.

use crate::error::{GateError, Pos, Result};
use crate::model::InputFile;
use crate::readers::{self, Kind};
use std::path::{Path, PathBuf};

/// An artifact read as text, with the format its content shows.
pub struct Read {
    /// Where it was read from.
    pub path: PathBuf,
    /// How it is named in messages and the report (the path as given).
    pub label: String,
    pub text: String,
    pub kind: Kind,
}

impl Read {
    /// The report's record of this input.
    pub fn input_file(&self) -> InputFile {
        InputFile {
            path: self.label.clone(),
            kind: self.kind.as_str().into(),
        }
    }
}

/// Reads artifacts of a project: relative paths are relative to `root`, report paths are made
/// repository-relative with `norm`.
pub struct Finder<'a> {
    pub root: &'a Path,
    pub norm: &'a dyn Fn(&str) -> String,
}

impl Finder<'_> {
    /// The files given explicitly, else the existing candidates (the first one, or all).
    pub fn pick(&self, given: &[PathBuf], candidates: &[String], all: bool) -> Vec<PathBuf> {
        if !given.is_empty() {
            return given.to_vec();
        }
        let mut out = Vec::new();
        for c in candidates {
            let p = self.root.join(c);
            if p.is_file() {
                out.push(p);
                if !all {
                    break;
                }
            }
        }
        out
    }

    /// Read `path` as one of the `allowed` formats; `what` names the flag's kind in errors.
    pub fn read(&self, path: &Path, allowed: &[Kind], what: &str) -> Result<Read> {
        let full = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        };
        let text = readers::read_text(&full)?;
        let label = path.display().to_string();
        let kind = match readers::sniff(&full, &text) {
            Some(k) if allowed.contains(&k) => k,
            // empty or unrecognisable: read with the first allowed reader to get a located error
            None if allowed.len() == 1 => allowed[0],
            None => guess_by_extension(&full, allowed),
            Some(other) => {
                return Err(GateError::malformed(
                    &label,
                    Pos { line: 1, column: 1 },
                    "artifact",
                    format!("given as {what}, but it looks like {}", other.as_str()),
                    format!("pass it with the flag for {}", other.as_str()),
                ));
            }
        };
        Ok(Read {
            path: full,
            label,
            text,
            kind,
        })
    }
}

/// The allowed format an unrecognisable file's extension suggests, for a located parse error.
fn guess_by_extension(path: &Path, allowed: &[Kind]) -> Kind {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    allowed
        .iter()
        .copied()
        .find(|k| match ext.as_str() {
            "xml" => matches!(k, Kind::Cobertura | Kind::Junit),
            "info" | "lcov" => *k == Kind::Lcov,
            _ => !matches!(k, Kind::Cobertura | Kind::Junit | Kind::Lcov),
        })
        .unwrap_or(allowed[0])
}

#[cfg(test)]
mod tests {
    use crate::readers::{self, Kind};
    use std::path::Path;

    #[test]
    fn formats_are_sniffed_from_content() {
        let k = |name: &str, text: &str| readers::sniff(Path::new(name), text);
        assert_eq!(k("x", "TN:\nSF:a\n"), Some(Kind::Lcov));
        assert_eq!(
            k("c.xml", "<?xml version=\"1.0\"?><coverage>"),
            Some(Kind::Cobertura)
        );
        assert_eq!(k("j.xml", "<testsuites><testsuite>"), Some(Kind::Junit));
        assert_eq!(
            k("c.json", "{\"meta\": {}, \"files\": {}, \"totals\": {}}"),
            Some(Kind::CoveragePyJson)
        );
        assert_eq!(
            k(
                "s",
                "{\"version\": \"2.1.0\", \"$schema\": \"sarif\", \"runs\": []}"
            ),
            Some(Kind::Sarif)
        );
        assert_eq!(
            k("p", "[{\"name\": \"a\", \"vulns\": []}]"),
            Some(Kind::PipAudit)
        );
        assert_eq!(
            k("m", "{\"killed\": 1, \"survived\": 2}"),
            Some(Kind::Mutmut)
        );
        assert_eq!(k("z", "hello"), None);
    }
}
