//! Change detection against real git repositories.

use rigor_testkit::{commit_all, git, repo, write};
use rigor_vcs::EMPTY_TREE;
use rigor_vcs::{ChangeKind, ChangeSet, LineRange};
use std::collections::BTreeMap;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn committed_staged_unstaged_untracked_renamed_and_deleted() {
    let body: String = (1..=20).map(|i| format!("line {i}\n")).collect();
    let d = repo(&[
        ("a.py", &body),
        ("gone.py", "x = 1\n"),
        ("old_name.py", "def f():\n    return 1\n\n\n# padding\n"),
    ]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    // Committed: modify line 3 of a.py.
    write(d.path(), "a.py", &body.replace("line 3\n", "line three\n"));
    commit_all(d.path(), "c1");
    // Staged: rename; unstaged: modify line 10 and delete a file; untracked: new file.
    git(d.path(), &["mv", "old_name.py", "new_name.py"]);
    write(
        d.path(),
        "a.py",
        &body
            .replace("line 3\n", "line three\n")
            .replace("line 10\n", "line ten\nline ten b\n"),
    );
    std::fs::remove_file(d.path().join("gone.py")).unwrap();
    write(d.path(), "fresh/new.py", "a = 1\nb = 2\n");

    let c = ChangeSet::detect_with_env(d.path(), Some(&base), &env(&[])).unwrap();
    assert_eq!(c.base, base);
    assert_eq!(c.head, git(d.path(), &["rev-parse", "HEAD"]));
    let a = c.file("a.py").unwrap();
    assert_eq!(a.kind, ChangeKind::Modified);
    assert_eq!(
        a.lines,
        vec![
            LineRange { start: 3, end: 3 },
            LineRange { start: 10, end: 11 }
        ]
    );
    assert_eq!(
        a.old_lines,
        vec![
            LineRange { start: 3, end: 3 },
            LineRange { start: 10, end: 10 }
        ]
    );
    assert_eq!(c.changed_lines("a.py").len(), 2);
    let r = c.file("new_name.py").unwrap();
    assert_eq!(r.kind, ChangeKind::Renamed);
    assert_eq!(r.old_path.as_deref(), Some("old_name.py"));
    assert!(
        c.file("old_name.py").is_some(),
        "the old path finds the rename"
    );
    assert_eq!(c.file("gone.py").unwrap().kind, ChangeKind::Deleted);
    let u = c.file("fresh/new.py").unwrap();
    assert_eq!(u.kind, ChangeKind::Untracked);
    assert_eq!(u.lines, vec![LineRange { start: 1, end: 2 }]);
    assert!(c.changed_lines("unchanged.py").is_empty());
}

#[test]
fn paths_are_relative_to_the_root_and_outside_changes_are_left_out() {
    let d = repo(&[("proj/pkg/m.py", "x = 1\n"), ("other/y.py", "y = 1\n")]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    write(d.path(), "proj/pkg/m.py", "x = 2\n");
    write(d.path(), "other/y.py", "y = 2\n");
    let c = ChangeSet::detect_with_env(&d.path().join("proj"), Some(&base), &env(&[])).unwrap();
    assert_eq!(c.paths(), vec!["pkg/m.py"]);
}

#[test]
fn base_on_a_feature_branch_is_the_merge_base_with_main() {
    let d = repo(&[("a.py", "1\n")]);
    let fork = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    write(d.path(), "b.py", "2\n");
    commit_all(d.path(), "feature work");
    git(d.path(), &["checkout", "-q", "main"]);
    write(d.path(), "c.py", "3\n");
    commit_all(d.path(), "main moves on");
    git(d.path(), &["checkout", "-q", "feature"]);
    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[])).unwrap();
    assert_eq!(c.base, fork);
    assert!(
        c.base_source.contains("merge-base with main"),
        "{}",
        c.base_source
    );
    assert_eq!(
        c.paths(),
        vec!["b.py"],
        "main's own later change is not part of the feature's change"
    );
}

#[test]
fn on_main_the_base_is_head_parent_and_a_root_commit_diffs_against_the_empty_tree() {
    let d = repo(&[("a.py", "1\n")]);
    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[])).unwrap();
    assert_eq!(c.base, EMPTY_TREE);
    assert_eq!(c.paths(), vec!["a.py"]);
    assert_eq!(c.file("a.py").unwrap().kind, ChangeKind::Added);
    let first = git(d.path(), &["rev-parse", "HEAD"]);
    write(d.path(), "a.py", "2\n");
    commit_all(d.path(), "second");
    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[])).unwrap();
    assert_eq!(c.base, first);
    assert_eq!(c.base_source, "HEAD~1");
    // Uncommitted work on main is the change by itself.
    write(d.path(), "b.py", "new\n");
    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[])).unwrap();
    assert_eq!(c.base, c.head);
    assert_eq!(c.paths(), vec!["b.py"]);
}

#[test]
fn ci_variables_choose_the_base_in_order() {
    let d = repo(&[("a.py", "1\n")]);
    let first = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["branch", "release"]);
    write(d.path(), "a.py", "2\n");
    let second = commit_all(d.path(), "second");
    write(d.path(), "a.py", "3\n");
    commit_all(d.path(), "third");

    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[("GITHUB_BASE_REF", "release")]))
        .unwrap();
    assert_eq!(c.base, first);
    assert!(
        c.base_source.starts_with("GITHUB_BASE_REF"),
        "{}",
        c.base_source
    );

    let event = d.path().join("event.json");
    std::fs::write(
        &event,
        format!("{{\"pull_request\": {{\"base\": {{\"sha\": \"{second}\"}}}}}}"),
    )
    .unwrap();
    let c = ChangeSet::detect_with_env(
        d.path(),
        None,
        &env(&[("GITHUB_EVENT_PATH", event.to_str().unwrap())]),
    )
    .unwrap();
    assert_eq!(c.base, second);

    let c = ChangeSet::detect_with_env(
        d.path(),
        None,
        &env(&[("CI_MERGE_REQUEST_DIFF_BASE_SHA", &first[..12])]),
    )
    .unwrap();
    assert_eq!(c.base, first);
    assert_eq!(c.base_source, "CI_MERGE_REQUEST_DIFF_BASE_SHA");

    // The explicit base wins over everything.
    let c = ChangeSet::detect_with_env(
        d.path(),
        Some(&second),
        &env(&[("GITHUB_BASE_REF", "release")]),
    )
    .unwrap();
    assert_eq!(c.base, second);
}

#[test]
fn an_unknown_base_is_an_error_with_a_hint() {
    let d = repo(&[("a.py", "1\n")]);
    let e = ChangeSet::detect_with_env(d.path(), Some("no-such-branch"), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no-such-branch") && e.contains("hint"), "{e}");
}

#[test]
fn not_a_repository_is_an_error_naming_the_directory() {
    let d = tempfile::tempdir().unwrap();
    let e = ChangeSet::detect_with_env(d.path(), None, &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&d.path().display().to_string()) && e.contains("hint"),
        "{e}"
    );
}

#[test]
fn an_explicit_base_that_moved_on_is_taken_at_the_merge_base() {
    let d = repo(&[("a.py", "1\n")]);
    let fork = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    write(d.path(), "b.py", "2\n");
    commit_all(d.path(), "feature work");
    git(d.path(), &["checkout", "-q", "main"]);
    write(d.path(), "c.py", "3\n");
    commit_all(d.path(), "main moves on");
    git(d.path(), &["checkout", "-q", "feature"]);
    let c = ChangeSet::detect_with_env(d.path(), Some("main"), &env(&[])).unwrap();
    assert_eq!(c.base, fork, "the base is where the branch left main");
    assert_eq!(c.base_source, "--base main");
    assert_eq!(c.base_branch.as_deref(), Some("main"));
    assert_eq!(c.paths(), vec!["b.py"]);
}

#[test]
fn gitlab_target_branch_and_unknown_ci_bases() {
    let d = repo(&[("a.py", "1\n")]);
    let fork = git(d.path(), &["rev-parse", "HEAD"]);
    git(d.path(), &["checkout", "-q", "-b", "topic"]);
    write(d.path(), "a.py", "2\n");
    commit_all(d.path(), "topic");
    let c = ChangeSet::detect_with_env(
        d.path(),
        None,
        &env(&[("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")]),
    )
    .unwrap();
    assert_eq!(c.base, fork);
    assert_eq!(c.base_branch.as_deref(), Some("main"));
    assert!(
        c.base_source
            .starts_with("CI_MERGE_REQUEST_TARGET_BRANCH_NAME")
    );
    for var in ["GITHUB_BASE_REF", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] {
        let e = ChangeSet::detect_with_env(d.path(), None, &env(&[(var, "nope")]))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("nope") && e.contains(var) && e.contains("fetch-depth"),
            "{e}"
        );
    }
}

#[test]
fn diff_cover_lines_are_added_lines_of_tracked_files_relative_to_the_repository() {
    let body: String = (1..=10).map(|i| format!("l{i}\n")).collect();
    let d = repo(&[("proj/m.py", &body), ("proj/gone.py", "x\n")]);
    let base = git(d.path(), &["rev-parse", "HEAD"]);
    write(
        d.path(),
        "proj/m.py",
        &body.replace("l2\n", "two\n").replace("l8\n", ""),
    );
    std::fs::remove_file(d.path().join("proj/gone.py")).unwrap();
    write(d.path(), "proj/new.py", "a\nb\n");
    let c = ChangeSet::detect_with_env(&d.path().join("proj"), Some(&base), &env(&[])).unwrap();
    assert_eq!(c.prefix, "proj/");
    let lines = c.added_lines();
    assert_eq!(
        lines.keys().collect::<Vec<_>>(),
        ["proj/m.py"],
        "deletions and untracked files add no changed lines"
    );
    assert_eq!(lines["proj/m.py"].iter().copied().collect::<Vec<_>>(), [2]);
    assert_eq!(
        c.file("m.py").unwrap().lines,
        vec![
            LineRange { start: 2, end: 2 },
            LineRange { start: 7, end: 7 }
        ],
        "selection still sees where lines were removed"
    );
}

#[test]
fn committed_staged_and_unstaged_lines_count_for_diff_cover_untracked_and_deleted_do_not() {
    let d = repo(&[("a.py", "1\n2\n3\n4\n5\n"), ("gone.py", "x\n")]);
    let p = d.path();
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(p, "a.py", "1\nTWO\n3\n4\n5\n6\n");
    commit_all(p, "two");
    write(p, "b.py", "new\nfile\n");
    git(p, &["add", "b.py"]);
    write(p, "a.py", "1\nTWO\n3\nFOUR\n5\n6\n"); // unstaged
    write(p, "untracked.py", "u\n");
    git(p, &["rm", "-q", "gone.py"]);
    let c = ChangeSet::detect_with_env(p, None, &env(&[])).unwrap();
    assert_eq!(c.base_source, "merge-base with main");
    let lines = c.added_lines();
    assert_eq!(lines["a.py"].iter().copied().collect::<Vec<_>>(), [2, 4, 6]);
    assert_eq!(lines["b.py"].len(), 2);
    assert!(!lines.contains_key("untracked.py") && !lines.contains_key("gone.py"));
    assert!(c.file("untracked.py").is_some(), "selection still sees it");
}

#[test]
fn origin_head_names_the_default_branch_before_main() {
    let d = repo(&[("a.py", "1\n")]);
    let fork = git(d.path(), &["rev-parse", "HEAD"]);
    // The remote's default branch is `trunk`; a local `main` exists too and moved on.
    git(
        d.path(),
        &["update-ref", "refs/remotes/origin/trunk", &fork],
    );
    git(
        d.path(),
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
        ],
    );
    write(d.path(), "m.py", "main\n");
    commit_all(d.path(), "main moves on");
    git(d.path(), &["checkout", "-q", "-b", "feature"]);
    write(d.path(), "f.py", "feature\n");
    commit_all(d.path(), "feature work");
    assert_eq!(
        rigor_vcs::base::default_branch(d.path()).as_deref(),
        Some("origin/trunk")
    );
    let c = ChangeSet::detect_with_env(d.path(), None, &env(&[])).unwrap();
    assert_eq!(c.base, fork);
    assert_eq!(c.base_source, "merge-base with origin/trunk");
    assert_eq!(c.base_branch.as_deref(), Some("trunk"));
    assert_eq!(c.paths(), vec!["f.py", "m.py"]);
    // A dangling origin/HEAD is passed over.
    git(d.path(), &["update-ref", "-d", "refs/remotes/origin/trunk"]);
    assert_eq!(
        rigor_vcs::base::default_branch(d.path()).as_deref(),
        Some("main")
    );
}

#[test]
fn on_main_a_change_outside_the_root_still_makes_head_the_base() {
    // The rule looks at the whole work tree, as `git status` does: uncommitted work anywhere
    // makes HEAD the base, even when none of it is under the root.
    let d = repo(&[("proj/a.py", "1\n"), ("other/b.py", "1\n")]);
    write(d.path(), "proj/a.py", "2\n");
    commit_all(d.path(), "second");
    write(d.path(), "other/b.py", "2\n");
    let root = d.path().join("proj");
    let c = ChangeSet::detect_with_env(&root, None, &env(&[])).unwrap();
    assert_eq!(c.base, c.head);
    assert!(c.paths().is_empty());
    assert_eq!(
        rigor_vcs::resolve_base(&root, None, &rigor_vcs::ProcessEnv, &c.head)
            .unwrap()
            .sha,
        c.head,
        "resolve_base agrees"
    );
    // Clean again: HEAD~1, and the committed change is the change.
    git(d.path(), &["checkout", "-q", "--", "other/b.py"]);
    let c = ChangeSet::detect_with_env(&root, None, &env(&[])).unwrap();
    assert_eq!(c.base_source, "HEAD~1");
    assert_eq!(c.paths(), vec!["a.py"]);
}
