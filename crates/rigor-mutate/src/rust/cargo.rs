//! Build the test binaries once (`cargo test --no-run --tests --message-format json`), read
//! the executables and the compiler errors (with their byte spans) from cargo's messages, and
//! list each binary's tests.

use crate::error::{MutateError, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A test executable cargo built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestExe {
    /// The target's name (`semver`, `test_version`, …).
    pub target: String,
    /// `lib`, `bin`, `test`, … (the target's first kind).
    pub kind: String,
    pub path: PathBuf,
}

/// A compiler error with its primary span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    /// As cargo prints it (relative to the package root for the package's own files).
    pub file: String,
    pub byte_start: usize,
    pub byte_end: usize,
    pub line: u32,
    pub message: String,
}

/// What a build produced.
#[derive(Debug, Clone, Default)]
pub struct Build {
    pub success: bool,
    pub exes: Vec<TestExe>,
    pub errors: Vec<CompileError>,
    /// cargo's stderr (for errors without a compiler message, e.g. a bad manifest).
    pub stderr: String,
}

/// Build the package's test binaries in `dir` into `target_dir`. Lints are capped (mutated
/// code may trip `#![deny(warnings)]`).
pub fn build(dir: &Path, target_dir: &Path) -> Result<Build> {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    if !flags.contains("cap-lints") {
        flags.push_str(" --cap-lints=warn");
    }
    let out = Command::new("cargo")
        .args(["test", "--no-run", "--tests", "--message-format", "json"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env("RUSTFLAGS", flags.trim())
        .env_remove("RIGOR_MUTANT")
        .output()
        .map_err(|e| MutateError::Worker {
            message: format!("cannot run cargo: {e}"),
            hint: "rigor mutate needs `cargo` on PATH for Rust projects".into(),
        })?;
    let mut b = parse_messages(&String::from_utf8_lossy(&out.stdout));
    b.success = out.status.success();
    b.stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    Ok(b)
}

/// Read cargo's JSON messages.
pub fn parse_messages(stdout: &str) -> Build {
    let mut b = Build::default();
    for line in stdout.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        match v["reason"].as_str() {
            Some("compiler-artifact") => {
                if let (Some(exe), true) = (
                    v["executable"].as_str(),
                    v["profile"]["test"].as_bool() == Some(true),
                ) {
                    b.exes.push(TestExe {
                        target: v["target"]["name"].as_str().unwrap_or("").to_string(),
                        kind: v["target"]["kind"][0].as_str().unwrap_or("").to_string(),
                        path: PathBuf::from(exe),
                    });
                }
            }
            Some("compiler-message") if v["message"]["level"] == "error" => {
                let msg = &v["message"];
                let text = msg["message"].as_str().unwrap_or("").to_string();
                let spans = msg["spans"].as_array().cloned().unwrap_or_default();
                let primary = spans.iter().find(|s| s["is_primary"] == true);
                match primary {
                    Some(s) => b.errors.push(CompileError {
                        file: s["file_name"].as_str().unwrap_or("").to_string(),
                        byte_start: s["byte_start"].as_u64().unwrap_or(0) as usize,
                        byte_end: s["byte_end"].as_u64().unwrap_or(0) as usize,
                        line: s["line_start"].as_u64().unwrap_or(0) as u32,
                        message: text,
                    }),
                    None => b.errors.push(CompileError {
                        file: String::new(),
                        byte_start: 0,
                        byte_end: 0,
                        line: 0,
                        message: text,
                    }),
                }
            }
            _ => {}
        }
    }
    b
}

/// The tests of a test executable (ignored ones left out).
pub fn list_tests(exe: &TestExe, cwd: &Path) -> Result<Vec<String>> {
    let out = Command::new(&exe.path)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .output()
        .map_err(|e| MutateError::Worker {
            message: format!("cannot list the tests of {}: {e}", exe.path.display()),
            hint: "the test binary was just built; check the temporary directory".into(),
        })?;
    let ignored = Command::new(&exe.path)
        .args(["--list", "--format", "terse", "--ignored"])
        .current_dir(cwd)
        .output()
        .map(|o| terse(&String::from_utf8_lossy(&o.stdout)))
        .unwrap_or_default();
    Ok(terse(&String::from_utf8_lossy(&out.stdout))
        .into_iter()
        .filter(|t| !ignored.contains(t))
        .collect())
}

/// `name: test` lines.
fn terse(s: &str) -> Vec<String> {
    s.lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_give_executables_and_located_errors() {
        let s = r#"{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"demo"},"profile":{"test":true},"executable":"/t/demo-1"}
{"reason":"compiler-artifact","target":{"kind":["lib"],"name":"demo"},"profile":{"test":false},"executable":null}
{"reason":"compiler-message","message":{"level":"error","message":"mismatched types","spans":[{"file_name":"src/a.rs","byte_start":10,"byte_end":14,"line_start":2,"is_primary":true}]}}
{"reason":"compiler-message","message":{"level":"warning","message":"unused","spans":[]}}
not json
"#;
        let b = parse_messages(s);
        assert_eq!(b.exes.len(), 1);
        assert_eq!(b.exes[0].kind, "lib");
        assert_eq!(b.errors.len(), 1);
        assert_eq!(b.errors[0].file, "src/a.rs");
        assert_eq!((b.errors[0].byte_start, b.errors[0].line), (10, 2));
        assert_eq!(
            terse("a::b: test\nc: bench\nd: test\n"),
            vec!["a::b".to_string(), "d".to_string()]
        );
    }
}
