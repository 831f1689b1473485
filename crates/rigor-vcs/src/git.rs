//! The one wrapper around the `git` command. git is driven through its CLI (with `-z` output
//! where git offers it), so the user's own git, configuration and work-tree state are what
//! rigor sees. Output prefixes and path quoting are pinned so parsing does not depend on the
//! user's configuration.

use crate::error::{GIT_HINT, Result, VcsError};
use std::path::Path;
use std::process::{Command, Stdio};

/// The id of git's empty tree: the base when HEAD has no parent.
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/// Run git in `dir` and return its stdout; an error names the command, the directory and git's
/// message.
pub fn bytes(dir: &Path, args: &[&str]) -> Result<Vec<u8>> {
    let fail = |message: String| VcsError::Git {
        dir: dir.display().to_string(),
        args: args.join(" "),
        message,
        hint: GIT_HINT,
    };
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "core.quotepath=off",
            "-c",
            "diff.noprefix=false",
            "-c",
            "diff.mnemonicprefix=false",
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    Ok(out.stdout)
}

/// [`bytes`] as text (invalid UTF-8 replaced).
pub fn text(dir: &Path, args: &[&str]) -> Result<String> {
    Ok(String::from_utf8_lossy(&bytes(dir, args)?).into_owned())
}

/// The trimmed first answer of git, or `None` when git fails or prints nothing (for lookups
/// whose absence is an answer: an unknown revision, a detached HEAD, no remote).
pub fn line(dir: &Path, args: &[&str]) -> Option<String> {
    text(dir, args)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Split `-z` output into its entries.
pub fn split_z(out: &[u8]) -> impl Iterator<Item = String> + '_ {
    out.split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8_lossy(s).into_owned())
}

/// The full SHA of `rev` when it names a commit.
pub fn rev_parse(dir: &Path, rev: &str) -> Option<String> {
    line(
        dir,
        &["rev-parse", "--verify", "-q", &format!("{rev}^{{commit}}")],
    )
}

/// The merge-base of two revisions.
pub fn merge_base(dir: &Path, a: &str, b: &str) -> Option<String> {
    line(dir, &["merge-base", a, b])
}

/// The content of `path` (repository-relative) at `rev`.
pub fn show(dir: &Path, rev: &str, path: &str) -> Result<Vec<u8>> {
    bytes(dir, &["show", &format!("{rev}:{path}")])
}

/// Whether the work tree has uncommitted changes (tracked or untracked, not ignored).
pub fn is_dirty(dir: &Path) -> bool {
    bytes(
        dir,
        &["status", "--porcelain", "-z", "--untracked-files=normal"],
    )
    .map(|o| !o.is_empty())
    .unwrap_or(false)
}

/// Files tracked or untracked (not ignored) under `dir`, relative to it.
pub fn ls_files(dir: &Path) -> Result<Vec<String>> {
    Ok(split_z(&bytes(
        dir,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    )?)
    .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_command_names_the_directory_the_command_and_a_hint() {
        let d = tempfile::tempdir().unwrap();
        let e = text(d.path(), &["rev-parse", "HEAD"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("git rev-parse HEAD"), "{e}");
        assert!(e.contains(&d.path().display().to_string()), "{e}");
        assert!(e.contains("hint"), "{e}");
        assert_eq!(line(d.path(), &["rev-parse", "HEAD"]), None);
    }

    #[test]
    fn z_output_splits_into_entries() {
        let v: Vec<String> = split_z(b"a\0b c\0\0").collect();
        assert_eq!(v, ["a", "b c"]);
    }
}
