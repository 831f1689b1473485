//! Changed lines of a change, from `git diff -U0` (diff-cover semantics: the merge-base of the
//! base and HEAD, compared with the work tree, so committed, staged and unstaged changes count;
//! untracked files do not).
//!
//! The base: `--base REV`, else `GITHUB_BASE_REF` (GitHub pull requests), else
//! `CI_MERGE_REQUEST_DIFF_BASE_SHA` (GitLab merge requests), else the merge-base with the default
//! branch (`origin/HEAD`, `main`, `master`), else `HEAD~1` (also when HEAD is on the default
//! branch, where the merge-base is HEAD itself).

use crate::error::{GateError, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Git's empty tree: the base of a repository's first commit.
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ChangedLines {
    /// How the base was chosen, e.g. `--base origin/main` or `HEAD~1`.
    pub base_label: String,
    /// The commit diffed against (the merge-base).
    pub base_sha: String,
    /// Repository-relative path → added or modified line numbers (new side).
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

impl ChangedLines {
    pub fn line_count(&self) -> usize {
        self.files.values().map(BTreeSet::len).sum()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| GateError::Git {
            message: format!("cannot run `git {}`: {e}", args.join(" ")),
            hint: "install git, or pass the changed lines' base with --base".into(),
        })?;
    if !out.status.success() {
        return Err(GateError::Git {
            message: format!(
                "`git {}` in {} failed: {}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            hint: "is this a git repository with the base revision fetched? (CI checkouts may need fetch-depth: 0)".into(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn git_ok(dir: &Path, args: &[&str]) -> Option<String> {
    git(dir, args)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The top directory of the repository holding `dir`.
pub fn repo_root(dir: &Path) -> Result<PathBuf> {
    Ok(PathBuf::from(
        git(dir, &["rev-parse", "--show-toplevel"])?.trim(),
    ))
}

/// Choose the base commit. `env` reads CI variables (a parameter so tests do not touch the process).
pub fn resolve_base(
    dir: &Path,
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, String)> {
    let head = git(dir, &["rev-parse", "--verify", "HEAD^{commit}"])?
        .trim()
        .to_string();
    let merge_base = |rev: &str| git_ok(dir, &["merge-base", rev, "HEAD"]);
    if let Some(rev) = explicit {
        let sha = git_ok(
            dir,
            &["rev-parse", "--verify", &format!("{rev}^{{commit}}")],
        )
        .ok_or_else(|| GateError::Git {
            message: format!("the base `{rev}` is not a commit in this repository"),
            hint: "fetch it first (git fetch origin main), or pass another --base".into(),
        })?;
        let mb = merge_base(&sha).unwrap_or(sha);
        return Ok((format!("--base {rev}"), mb));
    }
    if let Some(r) = env("GITHUB_BASE_REF").filter(|r| !r.is_empty()) {
        for cand in [format!("origin/{r}"), r.clone()] {
            if let Some(mb) = merge_base(&cand) {
                return Ok((format!("GITHUB_BASE_REF={r}"), mb));
            }
        }
        return Err(GateError::Git {
            message: format!("GITHUB_BASE_REF={r} but neither origin/{r} nor {r} is known here"),
            hint: "use actions/checkout with fetch-depth: 0, or pass --base".into(),
        });
    }
    if let Some(sha) = env("CI_MERGE_REQUEST_DIFF_BASE_SHA").filter(|r| !r.is_empty()) {
        if git_ok(
            dir,
            &["rev-parse", "--verify", &format!("{sha}^{{commit}}")],
        )
        .is_some()
        {
            return Ok((format!("CI_MERGE_REQUEST_DIFF_BASE_SHA={sha}"), sha));
        }
        return Err(GateError::Git {
            message: format!("CI_MERGE_REQUEST_DIFF_BASE_SHA={sha} is not in this clone"),
            hint: "set GIT_DEPTH: 0 in the job, or pass --base".into(),
        });
    }
    let mut defaults = Vec::new();
    if let Some(r) = git_ok(
        dir,
        &[
            "symbolic-ref",
            "--quiet",
            "--short",
            "refs/remotes/origin/HEAD",
        ],
    ) {
        defaults.push(r);
    }
    defaults.extend(["origin/main", "origin/master", "main", "master"].map(String::from));
    for d in defaults {
        if git_ok(
            dir,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{d}^{{commit}}"),
            ],
        )
        .is_none()
        {
            continue;
        }
        if let Some(mb) = merge_base(&d)
            && mb != head
        {
            return Ok((format!("merge-base with {d}"), mb));
        }
        break; // on the default branch: fall through to HEAD~1
    }
    match git_ok(
        dir,
        &["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"],
    ) {
        Some(parent) => Ok(("HEAD~1".into(), parent)),
        None => Ok(("the empty tree (first commit)".into(), EMPTY_TREE.into())),
    }
}

/// Lines added or modified between `base_sha` and the work tree, by repository-relative path.
pub fn changed_lines(dir: &Path, base_label: &str, base_sha: &str) -> Result<ChangedLines> {
    let text = git(
        dir,
        &[
            "-c",
            "core.quotepath=off",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "-U0",
            base_sha,
            "--",
        ],
    )?;
    Ok(ChangedLines {
        base_label: base_label.into(),
        base_sha: base_sha.into(),
        files: parse_unified_diff(&text),
    })
}

/// Parse `git diff -U0` output: new-side line numbers of added lines per file.
pub fn parse_unified_diff(text: &str) -> BTreeMap<String, BTreeSet<u32>> {
    let mut files: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("diff --git ") {
            current = None;
        } else if let Some(rest) = line.strip_prefix("+++ ") {
            let path = unquote(rest.trim_end_matches('\t'));
            current = path.strip_prefix("b/").map(str::to_string);
            if let Some(p) = &current {
                files.entry(p.clone()).or_default();
            }
        } else if let Some(rest) = line.strip_prefix("@@ ") {
            let Some(file) = &current else { continue };
            // @@ -a[,b] +c[,d] @@
            let Some(plus) = rest.split_whitespace().find(|t| t.starts_with('+')) else {
                continue;
            };
            let mut it = plus[1..].splitn(2, ',');
            let start: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: u32 = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            let set = files.entry(file.clone()).or_default();
            for l in start..start + count {
                set.insert(l);
            }
        }
    }
    files.retain(|_, v| !v.is_empty());
    files
}

/// Undo git's C-style quoting of unusual paths ("b/a\tb").
fn unquote(s: &str) -> String {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return s.to_string();
    };
    let mut bytes = Vec::new();
    let mut it = inner.bytes().peekable();
    while let Some(b) = it.next() {
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        match it.next() {
            Some(b'n') => bytes.push(b'\n'),
            Some(b't') => bytes.push(b'\t'),
            Some(b'"') => bytes.push(b'"'),
            Some(b'\\') => bytes.push(b'\\'),
            Some(d @ b'0'..=b'7') => {
                let mut v = (d - b'0') as u32;
                for _ in 0..2 {
                    if let Some(&n @ b'0'..=b'7') = it.peek() {
                        v = v * 8 + (n - b'0') as u32;
                        it.next();
                    }
                }
                bytes.push(v as u8);
            }
            Some(o) => bytes.push(o),
            None => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(dir: &Path, args: &[&str]) {
        let st = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
    }

    fn repo() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        sh(d.path(), &["init", "-q", "-b", "main"]);
        std::fs::write(d.path().join("a.py"), "1\n2\n3\n4\n5\n").unwrap();
        std::fs::write(d.path().join("gone.py"), "x\n").unwrap();
        sh(d.path(), &["add", "."]);
        sh(d.path(), &["commit", "-q", "-m", "one"]);
        d
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn parses_hunks_renames_deletions_and_quoted_paths() {
        let text = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,0 +2,3 @@\n+a\n+b\n+c\n@@ -10 +12 @@\n-x\n+y\n@@ -20,2 +24,0 @@\n-gone\n-gone\n\
diff --git a/old.py b/gone.py\ndeleted file mode 100644\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n\
diff --git \"a/sp ace\\tt.py\" \"b/sp ace\\tt.py\"\n--- \"a/sp ace\\tt.py\"\n+++ \"b/sp ace\\tt.py\"\n@@ -0,0 +1 @@\n+z\n";
        let f = parse_unified_diff(text);
        assert_eq!(
            f["x.py"].iter().copied().collect::<Vec<_>>(),
            vec![2, 3, 4, 12]
        );
        assert!(!f.contains_key("old.py") && !f.contains_key("gone.py"));
        assert_eq!(f["sp ace\tt.py"].len(), 1);
    }

    #[test]
    fn committed_staged_and_unstaged_changes_count_untracked_do_not() {
        let d = repo();
        let p = d.path();
        sh(p, &["checkout", "-q", "-b", "feature"]);
        std::fs::write(p.join("a.py"), "1\nTWO\n3\n4\n5\n6\n").unwrap();
        sh(p, &["commit", "-qam", "two"]);
        std::fs::write(p.join("b.py"), "new\nfile\n").unwrap();
        sh(p, &["add", "b.py"]);
        std::fs::write(p.join("a.py"), "1\nTWO\n3\nFOUR\n5\n6\n").unwrap(); // unstaged
        std::fs::write(p.join("untracked.py"), "u\n").unwrap();
        sh(p, &["rm", "-q", "gone.py"]);
        let (label, sha) = resolve_base(p, None, &no_env).unwrap();
        assert_eq!(label, "merge-base with main");
        let c = changed_lines(p, &label, &sha).unwrap();
        assert_eq!(
            c.files["a.py"].iter().copied().collect::<Vec<_>>(),
            vec![2, 4, 6]
        );
        assert_eq!(c.files["b.py"].len(), 2);
        assert!(!c.files.contains_key("untracked.py"));
        assert!(!c.files.contains_key("gone.py"));
        assert_eq!(c.line_count(), 5);
    }

    #[test]
    fn base_resolution_order() {
        let d = repo();
        let p = d.path();
        let first = git(p, &["rev-parse", "HEAD"]).unwrap().trim().to_string();
        // on main with one commit: the empty tree
        let (label, sha) = resolve_base(p, None, &no_env).unwrap();
        assert!(label.contains("empty tree"), "{label}");
        assert_eq!(sha, EMPTY_TREE);
        std::fs::write(p.join("a.py"), "1\n2\n3\n4\n5\n6\n").unwrap();
        sh(p, &["commit", "-qam", "second"]);
        // on main: HEAD~1
        let (label, sha) = resolve_base(p, None, &no_env).unwrap();
        assert_eq!((label.as_str(), sha.as_str()), ("HEAD~1", first.as_str()));
        // explicit base wins over CI variables
        let env = |k: &str| (k == "GITHUB_BASE_REF").then(|| "main".to_string());
        let (label, _) = resolve_base(p, Some("HEAD~1"), &env).unwrap();
        assert_eq!(label, "--base HEAD~1");
        let (label, _) = resolve_base(p, None, &env).unwrap();
        assert_eq!(label, "GITHUB_BASE_REF=main");
        let gl = |k: &str| (k == "CI_MERGE_REQUEST_DIFF_BASE_SHA").then(|| first.clone());
        let (label, sha) = resolve_base(p, None, &gl).unwrap();
        assert!(label.starts_with("CI_MERGE_REQUEST_DIFF_BASE_SHA"));
        assert_eq!(sha, first);
        let err = resolve_base(p, Some("nope"), &no_env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("`nope` is not a commit") && err.contains("hint"),
            "{err}"
        );
    }

    #[test]
    fn first_commit_against_the_empty_tree_counts_every_line() {
        let d = repo();
        let (label, sha) = resolve_base(d.path(), None, &no_env).unwrap();
        let c = changed_lines(d.path(), &label, &sha).unwrap();
        assert_eq!(c.files["a.py"].len(), 5);
    }
}
