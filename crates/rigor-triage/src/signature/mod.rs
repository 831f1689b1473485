//! Failure signatures: what failed (exception type, normalised message) and where (the
//! innermost frames in the project's own code), read from the excerpt rigor recorded for a
//! failed result. One parser per kind of output; [`Signature::of`] picks it.

pub mod normalise;
mod process;
mod pytest;
mod rust;

use rigor_model::hash::fnv1a;
use serde::Serialize;

/// Where a failure's output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A pytest report (traceback, `E` lines, `file:line: Type`).
    Pytest,
    /// A Rust panic (libtest / nextest output, backtraces).
    RustPanic,
    /// A process that exited non-zero, was killed by a signal, or a worker that died.
    Process,
    /// A test killed by its timeout.
    Timeout,
    /// Text none of the parsers recognise.
    Text,
}

/// One frame of a traceback or backtrace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Frame {
    /// As printed (relative to the suite root for project files).
    pub file: String,
    pub line: u32,
    /// The function, when printed.
    pub function: Option<String>,
}

impl Frame {
    /// A file of the project (not the interpreter, a site-packages library or the standard
    /// library).
    pub fn in_project(&self) -> bool {
        let f = &self.file;
        !(f.starts_with('/')
            || f.starts_with('<')
            || f.contains("site-packages")
            || f.contains("dist-packages")
            || f.contains("/rustc/")
            || f.contains(".cargo/registry")
            || f.contains("\\lib\\"))
    }

    /// A test file (pytest's naming conventions, `conftest.py`, or a tests directory).
    pub fn in_tests(&self) -> bool {
        is_test_path(&self.file)
    }
}

/// A test file by its path: `test_*.py`, `*_test.py`, `conftest.py`, or anything under a
/// `tests`/`test` directory.
pub fn is_test_path(path: &str) -> bool {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.starts_with("test_")
        || name.ends_with("_test.py")
        || name == "conftest.py"
        || path
            .split(['/', '\\'])
            .rev()
            .skip(1)
            .any(|d| d == "tests" || d == "test")
}

/// The signature of one failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    /// Stable short id: a hash of kind, exception, message and project frames.
    pub id: String,
    pub kind: Kind,
    /// Exception type, `panic`, `exit code N`, `signal N`, `timeout`.
    pub exception: String,
    /// The message with volatile parts removed.
    pub message: String,
    /// Where the failure happened in pytest's phases (`setup`, `call`, `teardown`, `collection`).
    pub phase: Option<String>,
    /// The innermost frames in the project's own code, innermost first (at most three).
    pub frames: Vec<Frame>,
    /// Every frame, outermost first, for the rules that need them (not part of the id).
    #[serde(skip)]
    pub all_frames: Vec<Frame>,
    /// The raw message before normalising (for rules that read names out of it).
    #[serde(skip)]
    pub raw_message: String,
}

/// How many project frames a signature keeps.
const FRAMES: usize = 3;

impl Signature {
    /// The signature of a failure from its recorded excerpt.
    pub fn of(excerpt: &str) -> Signature {
        let parsed = process::parse(excerpt)
            .or_else(|| rust::parse(excerpt))
            .or_else(|| pytest::parse(excerpt))
            .unwrap_or_else(|| Parsed::text(excerpt));
        parsed.into_signature()
    }

    /// The signature of a failure of a project rooted at `root`: absolute paths inside the
    /// project are made relative first, so project frames are recognised as such.
    pub fn in_root(excerpt: &str, root: &std::path::Path) -> Signature {
        let prefix = format!("{}/", root.display());
        if prefix.len() > 1 {
            Signature::of(&excerpt.replace(&prefix, ""))
        } else {
            Signature::of(excerpt)
        }
    }

    /// The words the similarity of two signatures is measured on.
    pub fn tokens(&self) -> Vec<String> {
        let mut t = normalise::tokens(&self.exception);
        t.extend(normalise::tokens(&self.message));
        for f in &self.frames {
            t.extend(normalise::tokens(&f.file));
            if let Some(func) = &f.function {
                t.push(func.to_lowercase());
            }
        }
        t
    }

    /// One line for people: `Type: message (file:line)`.
    pub fn headline(&self) -> String {
        let mut s = self.exception.clone();
        if !self.message.is_empty() {
            s.push_str(": ");
            s.push_str(&self.message);
        }
        if let Some(f) = self.frames.first() {
            s.push_str(&format!(" ({}:{})", f.file, f.line));
        }
        s
    }
}

/// What a parser found, before normalising and hashing.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    kind: Option<Kind>,
    exception: String,
    message: String,
    phase: Option<String>,
    /// Outermost first.
    frames: Vec<Frame>,
}

impl Parsed {
    fn text(excerpt: &str) -> Parsed {
        let last = excerpt
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        Parsed {
            kind: Some(Kind::Text),
            exception: "failure".into(),
            message: last.to_string(),
            ..Default::default()
        }
    }

    fn into_signature(self) -> Signature {
        let kind = self.kind.unwrap_or(Kind::Text);
        let message = normalise::normalise(&self.message);
        let message: String = message.chars().take(300).collect();
        let frames: Vec<Frame> = self
            .frames
            .iter()
            .rev()
            .filter(|f| f.in_project())
            .take(FRAMES)
            .cloned()
            .collect();
        let mut key = format!("{kind:?}\n{}\n{message}\n", self.exception);
        for f in &frames {
            // Lines move with every edit above them: the file and function identify a frame.
            key.push_str(&format!(
                "{}:{}\n",
                f.file,
                f.function.as_deref().unwrap_or("")
            ));
        }
        Signature {
            id: format!("{:012x}", fnv1a(key.as_bytes()) & 0xffff_ffff_ffff),
            kind,
            exception: self.exception,
            message,
            phase: self.phase,
            frames,
            all_frames: self.frames,
            raw_message: self.message,
        }
    }
}

/// A stable 64-bit hash of bytes (FNV-1a).
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    fnv1a(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn test_paths_follow_pytest_conventions() {
        assert!(is_test_path("tests/test_a.py"));
        assert!(is_test_path("pkg/tests/helpers.py"));
        assert!(is_test_path("conftest.py"));
        assert!(is_test_path("a_test.py"));
        assert!(!is_test_path("src/pkg/core.py"));
        assert!(!is_test_path("tests"));
    }

    proptest! {
        /// The id ignores volatile parts: the same failure with other numbers and addresses
        /// has the same signature.
        #[test]
        fn same_failure_same_id(a in 0u32..100_000, b in 0u32..100_000, line in 1u32..999) {
            let text = |n: u32| format!(
                "[call] def test_x():\n>       f({n})\nE       ValueError: bad value {n} at 0x{n:x}\n\nsrc/pkg/core.py:{line}: ValueError"
            );
            prop_assert_eq!(Signature::of(&text(a)).id, Signature::of(&text(b)).id);
        }

        /// Never panics, whatever the text.
        #[test]
        fn any_text_has_a_signature(s in "\\PC{0,300}") {
            let sig = Signature::of(&s);
            prop_assert_eq!(sig.id.len(), 12);
        }
    }
}
