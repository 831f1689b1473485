//! Rust suites: tests discovered by `cargo nextest list` (or, without nextest, `cargo test
//! --no-run` and libtest's `--list`), each run alone in its own process as nextest does.

use crate::RunnerError;
use crate::process::Finished;
use crate::worker::last_lines;
use crate::worker::process::TestCommand;
use rigor_model::{Outcome, TestCase, TestKey, TestResult};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How a Rust test runs: its binary, working directory and environment.
#[derive(Debug, Clone)]
pub struct RustBinary {
    pub binary_id: String,
    pub path: PathBuf,
    pub cwd: PathBuf,
    pub package: String,
}

#[derive(Debug, Default)]
pub struct RustTests {
    pub tests: Vec<TestCase>,
    /// binary-id → how to run it
    pub binaries: HashMap<String, RustBinary>,
    /// Directories for the dynamic loader (rustc's libdir, target deps).
    pub lib_dirs: Vec<PathBuf>,
}

/// Is `cargo nextest` available?
pub fn nextest_available() -> bool {
    Command::new("cargo")
        .args(["nextest", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

#[derive(Deserialize)]
struct NextestList {
    #[serde(rename = "rust-build-meta")]
    meta: NextestMeta,
    #[serde(rename = "rust-suites")]
    suites: BTreeMap<String, NextestSuite>,
}

#[derive(Deserialize)]
struct NextestMeta {
    #[serde(rename = "target-directory")]
    target_directory: PathBuf,
    #[serde(default, rename = "base-output-directories")]
    base_output_directories: Vec<String>,
    #[serde(default)]
    platforms: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct NextestSuite {
    #[serde(rename = "package-name")]
    package_name: String,
    #[serde(rename = "binary-id")]
    binary_id: String,
    #[serde(rename = "binary-name")]
    binary_name: String,
    kind: String,
    #[serde(rename = "binary-path")]
    binary_path: PathBuf,
    cwd: PathBuf,
    testcases: BTreeMap<String, NextestCase>,
}

#[derive(Deserialize)]
struct NextestCase {
    #[serde(default)]
    ignored: bool,
}

/// Run a cargo command in `root` (its stderr, the build's progress, goes to the user) and
/// return its stdout; a failure is a discovery error of the suite.
fn cargo_stdout(
    suite: &str,
    root: &Path,
    cmd: &[&str],
    args: &[String],
    what: &str,
) -> Result<Vec<u8>, RunnerError> {
    let out = Command::new("cargo")
        .current_dir(root)
        .args(cmd)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| RunnerError::Spawn {
            what: what.into(),
            source: e,
            hint: "is cargo on PATH?".into(),
        })?;
    if !out.status.success() {
        return Err(RunnerError::Discovery {
            suite: suite.into(),
            what: what.into(),
            detail: format!("exited with {}", out.status),
            hint: "the build failed or the arguments are wrong; its errors are above".into(),
        });
    }
    Ok(out.stdout)
}

/// Discover with `cargo nextest list --message-format json` (builds the test binaries).
pub fn list_nextest(suite: &str, root: &Path, args: &[String]) -> Result<RustTests, RunnerError> {
    let stdout = cargo_stdout(
        suite,
        root,
        &["nextest", "list", "--message-format", "json"],
        args,
        "cargo nextest list",
    )?;
    let list: NextestList =
        serde_json::from_slice(&stdout).map_err(|e| RunnerError::Discovery {
            suite: suite.into(),
            what: "cargo nextest list".into(),
            detail: format!("unexpected JSON: {e}"),
            hint: "is this a supported cargo-nextest (0.9)?".into(),
        })?;
    let mut tests = RustTests::default();
    for dir in &list.meta.base_output_directories {
        tests
            .lib_dirs
            .push(list.meta.target_directory.join(dir).join("deps"));
        tests.lib_dirs.push(list.meta.target_directory.join(dir));
    }
    if let Some(libdir) = list
        .meta
        .platforms
        .as_ref()
        .and_then(|p| p.pointer("/host/libdir/path"))
        .and_then(|v| v.as_str())
    {
        tests.lib_dirs.push(PathBuf::from(libdir));
    }
    for s in list.suites.into_values() {
        let file = source_file(&s.cwd, &s.kind, &s.binary_name);
        for (name, case) in s.testcases {
            tests.tests.push(TestCase {
                key: TestKey::new(suite, format!("{} {}", s.binary_id, name)),
                file: file.clone(),
                line: None,
                markers: Vec::new(),
                ignored: case.ignored,
            });
        }
        tests.binaries.insert(
            s.binary_id.clone(),
            RustBinary {
                binary_id: s.binary_id,
                path: s.binary_path,
                cwd: s.cwd,
                package: s.package_name,
            },
        );
    }
    Ok(tests)
}

fn source_file(cwd: &Path, kind: &str, binary_name: &str) -> Option<String> {
    let candidates: Vec<String> = match kind {
        "lib" | "proc-macro" => vec!["src/lib.rs".into()],
        "test" => vec![
            format!("tests/{binary_name}.rs"),
            format!("tests/{binary_name}/main.rs"),
        ],
        "bin" => vec![format!("src/bin/{binary_name}.rs"), "src/main.rs".into()],
        "bench" => vec![format!("benches/{binary_name}.rs")],
        "example" => vec![format!("examples/{binary_name}.rs")],
        _ => vec![],
    };
    candidates.into_iter().find(|c| cwd.join(c).is_file())
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    #[serde(default)]
    package_id: String,
    #[serde(default)]
    manifest_path: Option<PathBuf>,
    #[serde(default)]
    target: Option<CargoTarget>,
    #[serde(default)]
    profile: Option<CargoProfile>,
    #[serde(default)]
    executable: Option<PathBuf>,
}

#[derive(Deserialize)]
struct CargoTarget {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct CargoProfile {
    test: bool,
}

/// Discover with `cargo test --no-run` and each binary's `--list` (nextest not installed).
pub fn list_cargo_test(
    suite: &str,
    root: &Path,
    args: &[String],
) -> Result<RustTests, RunnerError> {
    let stdout = cargo_stdout(
        suite,
        root,
        &[
            "test",
            "--no-run",
            "--message-format",
            "json-render-diagnostics",
        ],
        args,
        "cargo test --no-run",
    )?;
    let mut tests = RustTests::default();
    for line in String::from_utf8_lossy(&stdout).lines() {
        let Ok(msg) = serde_json::from_str::<CargoMessage>(line) else {
            continue;
        };
        if msg.reason != "compiler-artifact" || !msg.profile.as_ref().is_some_and(|p| p.test) {
            continue;
        }
        let (Some(exe), Some(target), Some(manifest)) =
            (msg.executable, msg.target, msg.manifest_path)
        else {
            continue;
        };
        let cwd = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
        let package = package_name(&msg.package_id, &manifest);
        let kind = target.kind.first().cloned().unwrap_or_default();
        let binary_id = match kind.as_str() {
            "lib" | "proc-macro" | "rlib" | "cdylib" | "dylib" | "staticlib" => package.clone(),
            "test" => format!("{package}::{}", target.name),
            other => format!("{package}::{other}/{}", target.name),
        };
        let file = source_file(
            &cwd,
            if kind.ends_with("lib") { "lib" } else { &kind },
            &target.name,
        );
        let all = libtest_list(&exe, &cwd, false)?;
        let ignored: std::collections::HashSet<String> =
            libtest_list(&exe, &cwd, true)?.into_iter().collect();
        for name in all {
            tests.tests.push(TestCase {
                key: TestKey::new(suite, format!("{binary_id} {name}")),
                file: file.clone(),
                line: None,
                markers: Vec::new(),
                ignored: ignored.contains(&name),
            });
        }
        tests.binaries.insert(
            binary_id.clone(),
            RustBinary {
                binary_id,
                path: exe,
                cwd,
                package,
            },
        );
    }
    if let Some(dir) = exe_dirs(&tests) {
        tests.lib_dirs.push(dir);
    }
    if let Ok(out) = Command::new("rustc").args(["--print", "sysroot"]).output() {
        let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !sysroot.is_empty() {
            tests.lib_dirs.push(PathBuf::from(sysroot).join("lib"));
        }
    }
    Ok(tests)
}

fn exe_dirs(tests: &RustTests) -> Option<PathBuf> {
    tests
        .binaries
        .values()
        .next()
        .and_then(|b| b.path.parent().map(Path::to_path_buf))
}

/// The package name of a cargo package id (`path+file:///x/demo#0.1.0`,
/// `path+file:///x/dir#name@0.1.0`, the older `name 0.1.0 (…)`), else the manifest's directory.
pub fn package_name(package_id: &str, manifest: &Path) -> String {
    if let Some((_, frag)) = package_id.rsplit_once('#') {
        if let Some((name, _)) = frag.split_once('@') {
            return name.to_string();
        }
    } else if let Some((name, _)) = package_id.split_once(' ') {
        return name.to_string();
    }
    manifest
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn libtest_list(exe: &Path, cwd: &Path, ignored: bool) -> Result<Vec<String>, RunnerError> {
    let mut cmd = Command::new(exe);
    cmd.current_dir(cwd).args(["--list", "--format", "terse"]);
    if ignored {
        cmd.arg("--ignored");
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| RunnerError::Spawn {
            what: exe.display().to_string(),
            source: e,
            hint: "was the test binary removed while rigor ran?".into(),
        })?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect())
}

/// Runs one Rust test alone: `BINARY --exact NAME --nocapture`.
pub struct RustTestCommand {
    pub tests: RustTests,
    pub env: BTreeMap<String, String>,
}

impl TestCommand for RustTestCommand {
    fn command(&self, test: &TestCase) -> Command {
        let (binary_id, name) = test.key.id.split_once(' ').unwrap_or((&test.key.id, ""));
        let Some(bin) = self.tests.binaries.get(binary_id) else {
            // Unknown binary: make the failure explicit rather than guessing.
            let mut c = Command::new("sh");
            c.args([
                "-c",
                &format!("echo 'rigor: no test binary `{binary_id}` was built' >&2; exit 2"),
            ]);
            return c;
        };
        let mut cmd = Command::new(&bin.path);
        cmd.current_dir(&bin.cwd)
            .args([name, "--exact", "--nocapture"]);
        cmd.env("CARGO_MANIFEST_DIR", &bin.cwd);
        cmd.env("CARGO_PKG_NAME", &bin.package);
        cmd.env("RIGOR", "1");
        if !self.tests.lib_dirs.is_empty() {
            let mut dirs: Vec<String> = self
                .tests
                .lib_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect();
            if let Ok(existing) = std::env::var("LD_LIBRARY_PATH") {
                dirs.push(existing);
            }
            cmd.env("LD_LIBRARY_PATH", dirs.join(":"));
        }
        cmd.envs(&self.env);
        cmd
    }

    fn interpret(&self, test: &TestCase, f: &Finished, duration_s: f64) -> TestResult {
        let outcome = if f.success {
            // libtest exits 0 when the filter matched nothing: that is not a pass.
            if f.output.contains("running 0 tests") {
                Outcome::Error
            } else {
                Outcome::Passed
            }
        } else {
            Outcome::Failed
        };
        let mut r = TestResult::new(test.key.clone(), outcome, duration_s);
        if outcome == Outcome::Error {
            r.excerpt = Some("the test binary ran no test by this name (was it renamed?)".into());
        }
        if outcome == Outcome::Failed {
            r.excerpt = Some(panic_excerpt(&f.output, f.signal));
            r.output = Some(f.output.clone());
        }
        r
    }
}

/// The panic message and what follows it, without libtest's boilerplate.
pub fn panic_excerpt(output: &str, signal: Option<i32>) -> String {
    let lines: Vec<&str> = output.lines().collect();
    let start = lines.iter().position(|l| l.contains("panicked at"));
    let text = match start {
        Some(s) => lines[s..]
            .iter()
            .take_while(|l| !l.starts_with("failures:") && !l.starts_with("test result:"))
            .filter(|l| !l.starts_with("note: run with `RUST_BACKTRACE"))
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
        None => last_lines(output, 40),
    };
    match signal {
        Some(sig) => format!("killed by signal {sig}\n{text}"),
        None => text.trim_end().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_excerpt_keeps_the_message() {
        let out = "running 1 test\nthread 'c' panicked at tests/it.rs:3:15:\nassertion `left == right` failed: boom\n  left: 1\n right: 2\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\ntest c ... FAILED\n\nfailures:\n\nfailures:\n    c\n\ntest result: FAILED.";
        let e = panic_excerpt(out, None);
        assert!(e.starts_with("thread 'c' panicked at tests/it.rs:3:15:"));
        assert!(e.contains("boom"));
        assert!(!e.contains("RUST_BACKTRACE"));
        assert!(!e.contains("test result"));
    }

    #[test]
    fn package_names_from_ids() {
        let m = Path::new("/x/demo/Cargo.toml");
        assert_eq!(package_name("path+file:///x/demo#0.1.0", m), "demo");
        assert_eq!(package_name("path+file:///x/dir#name@0.1.0", m), "name");
        assert_eq!(package_name("name 0.1.0 (path+file:///x)", m), "name");
    }
}
