//! Lint and format suites: a `command` suite whose command is a known checker, and the
//! command that fixes what it reports (the safe fixes `--apply` may run).

/// (what the command contains, how to fix: the command with these replacements)
const TOOLS: &[(&str, &str, &str)] = &[
    // (needle, remove from the command, append to it)
    ("ruff format", "--check|--diff", ""),
    ("black", "--check|--diff", ""),
    ("isort", "--check-only|--check|--diff", ""),
    ("cargo fmt", "-- --check|--check", ""),
    ("rustfmt", "--check", ""),
    ("prettier", "--check", "--write"),
    ("ruff check", "", "--fix"),
    ("ruff .", "", "--fix"),
    (
        "cargo clippy",
        "-- -D warnings|-D warnings",
        "--fix --allow-dirty --allow-staged",
    ),
];

/// The auto-fix command of a checker command, when it is a known formatter or linter.
pub fn fix_command(command: &str) -> Option<String> {
    let (_, remove, append) = TOOLS
        .iter()
        .find(|(needle, _, _)| command.contains(needle))?;
    let mut fixed = command.to_string();
    for r in remove.split('|').filter(|r| !r.is_empty()) {
        fixed = fixed.replace(r, "");
    }
    let mut fixed = fixed.split_whitespace().collect::<Vec<_>>().join(" ");
    if !append.is_empty() && !fixed.contains(append) {
        // Flags go after the subcommand and before any `--` separator.
        match fixed.find(" -- ") {
            Some(i) => fixed.insert_str(i, &format!(" {append}")),
            None => {
                fixed.push(' ');
                fixed.push_str(append);
            }
        }
    }
    (fixed != command).then_some(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkers_become_fixers() {
        assert_eq!(
            fix_command("ruff format --check .").as_deref(),
            Some("ruff format .")
        );
        assert_eq!(
            fix_command("cargo fmt --all -- --check").as_deref(),
            Some("cargo fmt --all")
        );
        assert_eq!(
            fix_command("ruff check src").as_deref(),
            Some("ruff check src --fix")
        );
        assert_eq!(
            fix_command("cargo clippy --workspace -- -D warnings").as_deref(),
            Some("cargo clippy --workspace --fix --allow-dirty --allow-staged")
        );
        assert_eq!(fix_command("pytest -q"), None);
    }
}
