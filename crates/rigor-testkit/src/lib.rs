//! Helpers for rigor's own tests: throwaway git repositories with files, driven by the real
//! `git` command (through rigor-vcs) with a fixed identity and default branch, whatever the machine's configuration.

use std::path::Path;

/// Run git in `dir` (through rigor-vcs, with a fixed identity, default branch and no signing);
/// panics with git's message when it fails. Returns the trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.invalid",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "commit.gpgsign=false",
    ];
    all.extend_from_slice(args);
    match rigor_vcs::git::text(dir, &all) {
        Ok(out) => out.trim().to_string(),
        Err(e) => panic!("{e}"),
    }
}

/// Write `text` to `dir/path`, creating directories.
pub fn write(dir: &Path, path: &str, text: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("a file path")).expect("create directories");
    std::fs::write(p, text).expect("write the file");
}

/// A git repository with the given files committed on `main`.
pub fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    git(dir.path(), &["init", "-q", "-b", "main"]);
    for (p, t) in files {
        write(dir.path(), p, t);
    }
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

/// Commit everything in the work tree; the new commit's SHA.
pub fn commit_all(dir: &Path, msg: &str) -> String {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
    git(dir, &["rev-parse", "HEAD"])
}
pub mod pg;
