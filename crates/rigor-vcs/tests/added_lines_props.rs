//! Property: for random edits of a file, the changed lines parsed from the real `git diff -U0`
//! are exactly the new lines that the diff did not keep: the unreported lines of the new file are,
//! in order, a subsequence of the old file (they were kept), at least as many lines are reported as
//! a minimal diff would, and exactly as many as git's own `--numstat` counts as added.

use proptest::prelude::*;
use rigor_testkit::git;

fn lcs(a: &[String], b: &[String]) -> usize {
    let mut dp = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            dp[i][j] = if a[i - 1] == b[j - 1] {
                dp[i - 1][j - 1] + 1
            } else {
                dp[i - 1][j].max(dp[i][j - 1])
            };
        }
    }
    dp[a.len()][b.len()]
}

fn is_subsequence(kept: &[&String], of: &[String]) -> bool {
    let mut it = of.iter();
    kept.iter().all(|k| it.any(|x| x == *k))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]
    #[test]
    fn changed_lines_match_the_edit(
        old in prop::collection::vec(0u8..6, 0..25),
        new in prop::collection::vec(0u8..6, 0..25),
    ) {
        let old: Vec<String> = old.iter().map(|v| format!("v{v}")).collect();
        let new: Vec<String> = new.iter().map(|v| format!("v{v}")).collect();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        git(p, &["init", "-q", "-b", "main"]);
        let body = |v: &[String]| v.iter().map(|l| format!("{l}\n")).collect::<String>();
        std::fs::write(p.join("f.txt"), body(&old)).unwrap();
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "old"]);
        let base = git(p, &["rev-parse", "HEAD"]);
        std::fs::write(p.join("f.txt"), body(&new)).unwrap(); // a work-tree change
        let change = rigor_vcs::ChangeSet::detect_with_env(p, Some(base.trim()), &std::collections::BTreeMap::new()).unwrap();
        let changed = change.added_lines();
        let lines: Vec<u32> = changed.get("f.txt").map(|s| s.iter().copied().collect()).unwrap_or_default();
        prop_assert!(lines.iter().all(|&l| l >= 1 && l as usize <= new.len()), "{lines:?}");
        let kept: Vec<&String> = new.iter().enumerate().filter(|(i, _)| !lines.contains(&(*i as u32 + 1))).map(|(_, l)| l).collect();
        prop_assert!(is_subsequence(&kept, &old), "kept lines {kept:?} are not in {old:?}");
        // git's diff is not always minimal, never better than minimal
        prop_assert!(lines.len() >= new.len() - lcs(&old, &new));
        // and the parser agrees with git's own count of added lines
        let numstat = git(p, &["diff", "--numstat", base.trim()]);
        let added: usize = numstat.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or(0);
        prop_assert_eq!(lines.len(), added, "{}", numstat);
    }
}
