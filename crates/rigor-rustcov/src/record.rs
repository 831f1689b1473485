//! Record a Rust suite's per-test coverage: instrumented build, every test alone with its own
//! `LLVM_PROFILE_FILE`, each profile read against its binary, rows stored in the per-test map
//! (a full recording: it replaces the suite's rows).

use crate::build::{Binary, build};
use crate::error::{Result, RustCovError};
use crate::profile::{self, FileLines};
use rigor_select::covstore::{self, Recording};
use rigor_select::rustcov::{lines_to_numbits, mapped_context};
use rigor_store::Store;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What to record.
pub struct RecordOptions<'a> {
    pub suite: &'a str,
    /// The suite's root (absolute): where cargo runs, and what stored paths are relative to.
    pub root: &'a Path,
    /// The suite's cargo arguments.
    pub args: &'a [String],
    pub env: &'a BTreeMap<String, String>,
    /// The instrumented build's target directory.
    pub target_dir: &'a Path,
    /// The commit the recording describes.
    pub commit: &'a str,
    /// A test running longer than this is stopped (its profile is then missing).
    pub timeout: Duration,
}

/// What a recording stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordSummary {
    pub binaries: usize,
    /// Tests whose profile was read.
    pub tests: usize,
    pub files: usize,
    pub rows: usize,
    /// Tests whose profile could not be read (they stay out of the map: selection runs them).
    pub unread: Vec<String>,
}

type Rows = HashMap<(String, String), Vec<u8>>;

/// Build, run, read and store (see the module doc). Errors: the instrumented build failed, or
/// no profile at all could be read (the toolchain writes none, or ones rigor cannot read).
pub fn record_suite(store: &mut Store, o: &RecordOptions) -> Result<RecordSummary> {
    let scratch = o.target_dir.join("rigor-profiles");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).map_err(|source| RustCovError::Io {
        path: scratch.display().to_string(),
        source,
    })?;
    let binaries = build(o.suite, o.root, o.args, o.env, o.target_dir, &scratch)?;
    let root = std::fs::canonicalize(o.root).unwrap_or_else(|_| o.root.to_path_buf());
    let mut rows = Rows::new();
    let mut summary = RecordSummary {
        binaries: binaries.len(),
        ..RecordSummary::default()
    };
    let mut first_error = None;
    for (bi, b) in binaries.iter().enumerate() {
        for (ti, name) in list(b, o.env, &scratch)?.iter().enumerate() {
            let id = format!("{} {name}", b.id);
            let prof = scratch.join(format!("{bi}-{ti}.profraw"));
            run_one(b, name, o, &prof)?;
            let keep = |p: &Path| relative(&root, b, p).is_some();
            match profile::read(&b.path, &prof, &keep) {
                Ok(lines) => {
                    add_rows(&mut rows, &root, b, &id, &lines);
                    summary.tests += 1;
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                    summary.unread.push(id);
                }
            }
            let _ = std::fs::remove_file(&prof);
        }
    }
    if summary.tests == 0
        && let Some(e) = first_error
    {
        return Err(e);
    }
    let files: BTreeSet<&str> = rows.keys().map(|(f, _)| f.as_str()).collect();
    summary.files = files.len();
    summary.rows = rows.len();
    let contents = rigor_select::coverage::content_ids(o.root, &files);
    rigor_select::history::migrate(store)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    store.with_sql(|sql| {
        covstore::store(
            sql,
            &Recording {
                suite: o.suite,
                commit: o.commit,
                rows: &rows,
                contents: &contents,
                refresh: false,
                now,
            },
        )
    })?;
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(summary)
}

/// A source path of the mapping relative to the suite root, if it is inside it (and not in a
/// target directory).
fn relative(root: &Path, b: &Binary, p: &Path) -> Option<String> {
    let abs: PathBuf = if p.is_absolute() {
        p.to_path_buf()
    } else {
        [root.join(p), b.cwd.join(p)]
            .into_iter()
            .find(|c| c.is_file())?
    };
    let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
    let rel = abs.strip_prefix(root).ok()?;
    let rel = rel.to_string_lossy().replace('\\', "/");
    (!rel.starts_with("target/") && rel.ends_with(".rs")).then_some(rel)
}

fn add_rows(rows: &mut Rows, root: &Path, b: &Binary, id: &str, lines: &FileLines) {
    for (path, mapped) in &lines.mapped {
        let Some(rel) = relative(root, b, path) else {
            continue;
        };
        let key = (rel.clone(), mapped_context(&b.id));
        let bits = lines_to_numbits(mapped.iter().copied());
        covstore::or_bits(rows.entry(key).or_default(), &bits);
        if let Some(cov) = lines.covered.get(path).filter(|c| !c.is_empty()) {
            let bits = lines_to_numbits(cov.iter().copied());
            covstore::or_bits(rows.entry((rel, id.to_string())).or_default(), &bits);
        }
    }
}

/// The binary's tests (libtest `--list`), without the ignored ones.
fn list(b: &Binary, env: &BTreeMap<String, String>, scratch: &Path) -> Result<Vec<String>> {
    let run = |ignored: bool| -> Result<Vec<String>> {
        let mut cmd = Command::new(&b.path);
        cmd.current_dir(&b.cwd)
            .args(["--list", "--format", "terse"])
            .envs(env)
            .env("LLVM_PROFILE_FILE", scratch.join("list-%p.profraw"))
            .stdin(Stdio::null())
            .stderr(Stdio::null());
        if ignored {
            cmd.arg("--ignored");
        }
        let out = cmd.output().map_err(|source| RustCovError::Io {
            path: b.path.display().to_string(),
            source,
        })?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.strip_suffix(": test"))
            .map(str::to_string)
            .collect())
    };
    let ignored: BTreeSet<String> = run(true)?.into_iter().collect();
    Ok(run(false)?
        .into_iter()
        .filter(|t| !ignored.contains(t))
        .collect())
}

/// Run one test alone, its profile written to `prof`; its outcome does not matter here.
fn run_one(b: &Binary, name: &str, o: &RecordOptions, prof: &Path) -> Result<()> {
    let io = |source| RustCovError::Io {
        path: b.path.display().to_string(),
        source,
    };
    let mut child = Command::new(&b.path)
        .current_dir(&b.cwd)
        .args([name, "--exact", "--test-threads", "1"])
        .envs(o.env)
        .env("CARGO_MANIFEST_DIR", &b.cwd)
        .env("CARGO_PKG_NAME", &b.package)
        .env("LLVM_PROFILE_FILE", prof)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(io)?;
    let deadline = Instant::now() + o.timeout;
    loop {
        if child.try_wait().map_err(io)?.is_some() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
