//! Planning benchmark on a synthetic repository of Python files (default 20,000).
//!
//! `cargo run --release -p rigor-select --example synth -- [FILES] [DIR]` writes the repository
//! (packages of 100 modules, each importing and calling 3 others, ~50 lines; one test file per
//! 10 modules with 10 tests, each calling one of the 2 functions its file imports), commits it, changes one module, then times `ChangeSet::detect` + `select`
//! + ordering, 1 cold and 5 warm runs, and prints JSON. Setup is not timed.

use rigor_model::{SuiteKind, TestCase};
use rigor_select::{ChangeSet, History, Plan, SelectConfig, SelectInput, SuiteSpec, select};
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=b",
            "-c",
            "user.email=b@example.com",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .expect("git")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// A tiny deterministic generator (xorshift), so every run builds the same repository.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let files: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let keep = args.get(1).map(std::path::PathBuf::from);
    let tmp = tempfile::tempdir().unwrap();
    let root = keep.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&root).unwrap();
    let t_setup = Instant::now();
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let n_test_files = files / 11;
    let n_modules = files - n_test_files;
    let per_pkg = 100;
    let name = |i: usize| (format!("pkg{}", i / per_pkg), format!("m{}", i % per_pkg));
    let mut inits: HashMap<String, String> = HashMap::new();
    let mut body = String::new();
    for k in 0..40 {
        body.push_str(&format!("    x{k} = value + {k}\n"));
    }
    for i in 0..n_modules {
        let (p, m) = name(i);
        let mut text =
            String::from("\"\"\"A module.\"\"\"\nimport os\nfrom typing import TYPE_CHECKING\n");
        let mut calls = String::new();
        for _ in 0..3 {
            if i == 0 {
                break;
            }
            let j = rng.below(i);
            let (pj, mj) = name(j);
            text.push_str(&format!("from {pj}.{mj} import func_{j}\n"));
            calls.push_str(&format!("    value = func_{j}(value)\n"));
        }
        text.push_str(&format!(
            "\n\ndef func_{i}(value):\n{body}{calls}    return value\n"
        ));
        let dir = root.join(&p);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{m}.py")), text).unwrap();
        inits
            .entry(p)
            .or_default()
            .push_str(&format!("from .{m} import func_{i}\n"));
    }
    for (p, text) in &inits {
        std::fs::write(root.join(p).join("__init__.py"), text).unwrap();
    }
    let mut tests = Vec::new();
    std::fs::create_dir_all(root.join("tests")).unwrap();
    for t in 0..n_test_files.saturating_sub(inits.len()) {
        let mut text = String::new();
        let mut used = Vec::new();
        for _ in 0..2 {
            let j = rng.below(n_modules);
            let (pj, _) = name(j);
            text.push_str(&format!("from {pj} import func_{j}\n"));
            used.push(j);
        }
        for k in 0..10 {
            let j = used[k % used.len()];
            text.push_str(&format!(
                "\ndef test_{k}():\n    assert func_{j}({k}) is not None\n"
            ));
            let id = format!("tests/test_{t}.py::test_{k}");
            let mut c = TestCase::new("py", &id);
            c.file = Some(format!("tests/test_{t}.py"));
            tests.push(c);
        }
        std::fs::write(root.join(format!("tests/test_{t}.py")), text).unwrap();
    }
    std::fs::write(root.join(".gitignore"), ".rigor/\n").unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "base"]);
    // The change: one line of a module in the middle.
    let (p, m) = name(n_modules / 2);
    let target = root.join(&p).join(format!("{m}.py"));
    let text = std::fs::read_to_string(&target)
        .unwrap()
        .replace("x3 = value + 3", "x3 = value + 33");
    std::fs::write(&target, text).unwrap();
    let py_files = walk_count(&root);
    let setup_s = t_setup.elapsed().as_secs_f64();

    let suites = [SuiteSpec::new("py", SuiteKind::Pytest, ".")];
    let cfg = SelectConfig::default();
    let history = History::default();
    let mut times = Vec::new();
    let mut selected = 0;
    let use_cache = std::env::var_os("SYNTH_NO_CACHE").is_none();
    if use_cache {
        // The parse cache lives in .rigor/cache once .rigor/ exists (as after any rigor run).
        std::fs::create_dir_all(root.join(".rigor")).unwrap();
    }
    for _ in 0..6 {
        let t0 = Instant::now();
        let change = ChangeSet::detect(&root, None).unwrap();
        if std::env::var_os("RIGOR_SELECT_TIMING").is_some() {
            eprintln!("detect {:?}", t0.elapsed());
        }
        let sel = select(
            &SelectInput {
                root: &root,
                config: &cfg,
                suites: &suites,
                history: &history,
            },
            &change,
            &tests,
        )
        .unwrap();
        let plan = Plan::new(&sel, &HashMap::new(), 0.1);
        times.push(t0.elapsed().as_secs_f64());
        selected = plan.total;
    }
    let cold = times[0];
    let mut warm = times[1..].to_vec();
    warm.sort_by(f64::total_cmp);
    println!(
        "{{\"parse_cache\": {use_cache}, \"python_files\": {py_files}, \"tests\": {}, \"selected\": {selected}, \"setup_s\": {setup_s:.1}, \"cold_s\": {cold:.3}, \"warm_median_s\": {:.3}, \"warm_max_s\": {:.3}}}",
        tests.len(),
        warm[warm.len() / 2],
        warm[warm.len() - 1]
    );
}

fn walk_count(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() && !p.ends_with(".git") {
            n += walk_count(&p);
        } else if p.extension().is_some_and(|x| x == "py") {
            n += 1;
        }
    }
    n
}
