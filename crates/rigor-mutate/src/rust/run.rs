//! Run libtest binaries: one batch of tests with one mutant switched on (or none, with the
//! reach probe), in its own process group, killed at the timeout.

use crate::error::{MutateError, Result};
use std::collections::BTreeSet;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a test executable.
#[derive(Debug, Clone)]
pub struct BatchRun<'a> {
    pub exe: &'a Path,
    /// The package directory in the sandbox (cargo runs tests there).
    pub cwd: &'a Path,
    pub tests: &'a [String],
    /// The active mutant (0: none).
    pub mutant: u32,
    /// Where the switch writes the mutants reached (baseline only).
    pub probe: Option<&'a Path>,
    pub timeout_s: f64,
    /// Scratch file for the output.
    pub output: PathBuf,
}

/// What a run found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchOut {
    /// Tests with a result, in order: (name, passed).
    pub results: Vec<(String, bool)>,
    /// The test that was running when the process was killed or died.
    pub unfinished: Option<String>,
    pub timed_out: bool,
    /// The process failed without a failing test (a crash: abort, stack overflow, …).
    pub crashed: bool,
    pub seconds: f64,
    /// Mutants the probe saw.
    pub reached: BTreeSet<u32>,
}

impl BatchOut {
    /// The first test that failed (or crashed the process), if any.
    pub fn killer(&self) -> Option<String> {
        self.results
            .iter()
            .find(|r| !r.1)
            .map(|r| r.0.clone())
            .or_else(|| self.crashed.then(|| self.unfinished.clone()).flatten())
    }
}

pub fn run(b: &BatchRun) -> Result<BatchOut> {
    let io = |e: std::io::Error| MutateError::Worker {
        message: format!("cannot run {}: {e}", b.exe.display()),
        hint: "the test binary was built in the temporary copy; check the disk".into(),
    };
    let out_file = std::fs::File::create(&b.output).map_err(io)?;
    if let Some(p) = b.probe {
        let _ = std::fs::remove_file(p);
    }
    let mut cmd = Command::new(b.exe);
    cmd.args(["--exact", "--test-threads=1", "--color", "never"])
        .args(b.tests)
        .current_dir(b.cwd)
        .env("CARGO_MANIFEST_DIR", b.cwd)
        .env("RUST_BACKTRACE", "0")
        .env("RIGOR_MUTANT", b.mutant.to_string())
        .stdin(Stdio::null())
        .stdout(out_file)
        .stderr(Stdio::null())
        .process_group(0);
    match b.probe {
        Some(p) => cmd.env("RIGOR_MUTANT_PROBE", p),
        None => cmd.env_remove("RIGOR_MUTANT_PROBE"),
    };
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(io)?;
    let limit = Duration::from_secs_f64(b.timeout_s.max(0.05));
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().map_err(io)? {
            break Some(s);
        }
        if start.elapsed() > limit {
            timed_out = true;
            kill_group(child.id());
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    let seconds = start.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&b.output).unwrap_or_default();
    let (results, unfinished) = parse_output(&text);
    let failed_any = results.iter().any(|r| !r.1);
    let crashed = !timed_out && !failed_any && status.is_some_and(|s| !s.success());
    let reached = b
        .probe
        .and_then(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.lines().filter_map(|l| l.trim().parse().ok()).collect())
        .unwrap_or_default();
    Ok(BatchOut {
        results,
        unfinished: unfinished
            .or_else(|| (crashed || timed_out).then(|| first_unrun(b.tests, &text))?),
        timed_out,
        crashed,
        seconds,
        reached,
    })
}

/// The first test of the batch with no result line (where a silent crash happened).
fn first_unrun(tests: &[String], text: &str) -> Option<String> {
    let (done, _) = parse_output(text);
    tests
        .iter()
        .find(|t| !done.iter().any(|d| &d.0 == *t))
        .cloned()
}

/// libtest's pretty output: `test NAME ... ok` / `FAILED` lines; a `test NAME ... ` line with no
/// result is the test that was running when the process stopped.
pub fn parse_output(text: &str) -> (Vec<(String, bool)>, Option<String>) {
    let mut results = Vec::new();
    let mut unfinished = None;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.split_once(" ... ") else {
            if let Some(name) = rest.strip_suffix(" ...") {
                unfinished = Some(name.to_string());
            }
            continue;
        };
        match result.trim() {
            "ok" => results.push((name.to_string(), true)),
            "FAILED" => results.push((name.to_string(), false)),
            "" => unfinished = Some(name.to_string()),
            _ => {}
        }
    }
    if unfinished
        .as_ref()
        .is_some_and(|u| results.iter().any(|r| &r.0 == u))
    {
        unfinished = None;
    }
    (results, unfinished)
}

/// Kill a process group (the test binary and whatever it started).
fn kill_group(pid: u32) {
    // SAFETY: kill(2) with a negative pid signals the process group the child leads
    // (it was started with process_group(0)); no memory is involved.
    unsafe {
        libc::kill(-(pid as i32), libc::SIGKILL);
    }
}

/// Map `items` with `f` on `jobs` threads taking items from one queue; results in order.
pub fn par_map<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    f: &(dyn Fn(usize, &T) -> Result<R> + Sync),
) -> Result<Vec<R>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let out: std::sync::Mutex<Vec<Option<R>>> =
        std::sync::Mutex::new((0..items.len()).map(|_| None).collect());
    let failure: std::sync::Mutex<Option<MutateError>> = std::sync::Mutex::new(None);
    std::thread::scope(|s| {
        for w in 0..jobs.max(1).min(items.len().max(1)) {
            let (next, out, failure) = (&next, &out, &failure);
            s.spawn(move || {
                loop {
                    if failure.lock().expect("lock").is_some() {
                        return;
                    }
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else {
                        return;
                    };
                    match f(w, item) {
                        Ok(r) => out.lock().expect("lock")[i] = Some(r),
                        Err(e) => {
                            failure.lock().expect("lock").get_or_insert(e);
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    Ok(out
        .into_inner()
        .expect("lock")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_output_gives_results_and_the_unfinished_test() {
        let text =
            "\nrunning 3 tests\ntest a::one ... ok\ntest a::two ... FAILED\ntest a::three ... ";
        let (r, u) = parse_output(text);
        assert_eq!(
            r,
            vec![("a::one".to_string(), true), ("a::two".to_string(), false)]
        );
        assert_eq!(u.as_deref(), Some("a::three"));
        let (_, u) = parse_output("test x ... ok\n");
        assert_eq!(u, None);
    }

    #[test]
    fn par_map_keeps_order_and_stops_on_errors() {
        let v: Vec<u32> = (0..50).collect();
        let r = par_map(&v, 3, &|_, x| Ok(x * 2)).unwrap();
        assert_eq!(r, (0..50).map(|x| x * 2).collect::<Vec<_>>());
        let e = par_map(&v, 2, &|_, x| {
            if *x == 7 {
                Err(MutateError::Interrupted)
            } else {
                Ok(*x)
            }
        });
        assert!(e.is_err());
    }
}
