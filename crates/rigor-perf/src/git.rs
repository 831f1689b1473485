//! Commit, branch and changed files come from rigor-vcs (the same rules as every command).

pub use rigor_vcs::{
    branch as current_branch, ci_base_branch, commit as current_commit,
    files_between as changed_files,
};
