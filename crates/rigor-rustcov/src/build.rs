//! The instrumented build: `cargo test --no-run` with `-C instrument-coverage` added to
//! `RUSTFLAGS`, into a target directory of its own (the normal build stays untouched), and the
//! test binaries it produced, named by nextest's binary ids.

use crate::error::{Result, RustCovError};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One instrumented test binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// nextest's binary id: `pkg`, `pkg::name`, `pkg::bin/name`.
    pub id: String,
    pub path: PathBuf,
    /// The package directory (where cargo runs its tests).
    pub cwd: PathBuf,
    pub package: String,
}

/// Build the suite's test binaries instrumented. `args`: the suite's cargo arguments; `env`:
/// the suite's environment; build-time profiles (build scripts, proc macros) go to `scratch`.
pub fn build(
    suite: &str,
    root: &Path,
    args: &[String],
    env: &BTreeMap<String, String>,
    target_dir: &Path,
    scratch: &Path,
) -> Result<Vec<Binary>> {
    let mut flags = std::env::var("RUSTFLAGS").unwrap_or_default();
    if let Some(extra) = env.get("RUSTFLAGS") {
        flags = extra.clone();
    }
    flags.push_str(" -C instrument-coverage");
    let out = Command::new("cargo")
        .current_dir(root)
        .args([
            "test",
            "--no-run",
            "--message-format",
            "json-render-diagnostics",
        ])
        .args(args)
        .envs(env)
        .env("RUSTFLAGS", flags.trim())
        .env("CARGO_TARGET_DIR", target_dir)
        .env("LLVM_PROFILE_FILE", scratch.join("build-%p-%m.profraw"))
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| RustCovError::Build {
            suite: suite.into(),
            dir: root.display().to_string(),
            message: e.to_string(),
            hint: "is cargo on PATH?",
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = err.lines().rev().take(12).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let hint = if err.contains("profiler_builtins") {
            "this toolchain has no profiler runtime (`profiler_builtins`): use a rustup toolchain, or set [select] rust_coverage = false"
        } else {
            "the instrumented build fails where the normal one succeeds? its errors are above"
        };
        return Err(RustCovError::Build {
            suite: suite.into(),
            dir: root.display().to_string(),
            message: tail.join("\n"),
            hint,
        });
    }
    Ok(binaries(&String::from_utf8_lossy(&out.stdout)))
}

/// The test executables of cargo's JSON messages.
pub fn binaries(json_lines: &str) -> Vec<Binary> {
    let mut out = Vec::new();
    for line in json_lines.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["reason"] != "compiler-artifact" || v["profile"]["test"] != true {
            continue;
        }
        let (Some(exe), Some(manifest)) = (v["executable"].as_str(), v["manifest_path"].as_str())
        else {
            continue;
        };
        let manifest = Path::new(manifest);
        let package = rigor_runner::suite::rust::package_name(
            v["package_id"].as_str().unwrap_or(""),
            manifest,
        );
        let name = v["target"]["name"].as_str().unwrap_or("");
        let kind = v["target"]["kind"][0].as_str().unwrap_or("lib");
        let id = match kind {
            "lib" | "proc-macro" | "rlib" | "cdylib" | "dylib" | "staticlib" => package.clone(),
            "test" => format!("{package}::{name}"),
            other => format!("{package}::{other}/{name}"),
        };
        out.push(Binary {
            id,
            path: PathBuf::from(exe),
            cwd: manifest.parent().map(Path::to_path_buf).unwrap_or_default(),
            package,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_executables_get_nextest_binary_ids() {
        let json = r#"{"reason":"compiler-artifact","package_id":"path+file:///w/demo#0.1.0","manifest_path":"/w/demo/Cargo.toml","target":{"name":"demo","kind":["lib"]},"profile":{"test":true},"executable":"/t/debug/deps/demo-1"}
{"reason":"compiler-artifact","package_id":"path+file:///w/demo#0.1.0","manifest_path":"/w/demo/Cargo.toml","target":{"name":"api","kind":["test"]},"profile":{"test":true},"executable":"/t/debug/deps/api-2"}
{"reason":"compiler-artifact","package_id":"path+file:///w/demo#0.1.0","manifest_path":"/w/demo/Cargo.toml","target":{"name":"demo","kind":["lib"]},"profile":{"test":false},"executable":null}
{"reason":"build-finished","success":true}
not json"#;
        let b = binaries(json);
        let ids: Vec<&str> = b.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["demo", "demo::api"]);
        assert_eq!(b[1].cwd, PathBuf::from("/w/demo"));
        assert_eq!(b[1].path, PathBuf::from("/t/debug/deps/api-2"));
    }
}
