//! Text helpers shared by the gates and the reports: failure headlines, line ranges, percents.

/// A percentage with two decimals, or `n/a`.
pub fn fmt_pct(v: Option<f64>) -> String {
    v.map(|p| format!("{p:.2}%"))
        .unwrap_or_else(|| "n/a".into())
}

/// The most telling line of a failure excerpt: pytest's first `E   ` line, else a line naming an
/// error, assertion or panic message, else the last non-empty line.
pub fn headline(excerpt: &str) -> String {
    let lines: Vec<&str> = excerpt
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if let Some(e) = lines.iter().find(|l| l.starts_with("E ")) {
        return e[1..].trim().to_string();
    }
    // Rust: the line after "panicked at …:" is the message
    if let Some(i) = lines.iter().position(|l| l.contains("panicked at"))
        && let Some(next) = lines.get(i + 1)
    {
        return next.trim().to_string();
    }
    let telling = ["Error", "error:", "assert", "Exception", "failed"];
    if let Some(l) = lines.iter().find(|l| telling.iter().any(|t| l.contains(t))) {
        return l.trim().to_string();
    }
    lines
        .last()
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Consecutive line numbers grouped as ranges.
pub fn ranges(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match out.last_mut() {
            Some((_, e)) if *e + 1 == l => *e = l,
            _ => out.push((l, l)),
        }
    }
    out
}

/// Line numbers as `1-3, 5, 7-8`.
pub fn ranges_text(lines: &[u32]) -> String {
    ranges(lines)
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_telling_line_of_an_excerpt() {
        let py = "[call] def test_x():\n>       assert f() == 2\nE       AssertionError: boom\nE       assert 1 == 2\n\ntests/t.py:3: AssertionError";
        assert_eq!(headline(py), "AssertionError: boom");
        let rs = "thread 'tests::flaky' (15788) panicked at src/lib.rs:29:9:\nfirst attempt fails\nstack backtrace:\n   0: x";
        assert_eq!(headline(rs), "first attempt fails");
        assert_eq!(
            headline("compiling\nerror: could not compile `x`\n"),
            "error: could not compile `x`"
        );
        assert_eq!(headline("one\ntwo\n"), "two");
        assert_eq!(headline(""), "");
    }

    #[test]
    fn line_ranges() {
        assert_eq!(ranges_text(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7-8");
    }
}
