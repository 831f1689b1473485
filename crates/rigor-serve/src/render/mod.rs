//! Server-rendered HTML: the page shell ([`layout`]), charts ([`charts`], sharing the HTML
//! report's and the perf report's SVG renderers), URLs ([`url`]) and small formatters. Pages are
//! built by Rust functions (checked at compile time); every string from the history goes
//! through [`esc`].

pub mod charts;
pub mod layout;
pub mod url;

pub use rigor_model::escape::html as esc;

/// A duration for people: `850 ms`, `12.3 s`, `4m 05s`.
pub fn secs(s: f64) -> String {
    if !s.is_finite() {
        return "–".into();
    }
    if s < 1.0 {
        format!("{:.0} ms", s * 1000.0)
    } else if s < 60.0 {
        format!("{s:.1} s")
    } else {
        let m = (s / 60.0).floor();
        format!("{m:.0}m {:02.0}s", s - m * 60.0)
    }
}

/// A time (Unix seconds) as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn when(t: f64) -> String {
    format!("{} UTC", rigor_model::time::utc(t))
}

/// A percentage with one decimal.
pub fn pct(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
}

/// The first 10 characters of a commit.
pub fn short(commit: Option<&str>) -> String {
    commit
        .map(|c| c.chars().take(10).collect())
        .unwrap_or_else(|| "–".into())
}

/// A CSS class for an outcome or status word.
pub fn class_of(word: &str) -> &'static str {
    match word {
        "passed" | "pass" | "xfailed" => "pass",
        "failed" | "error" | "timeout" | "fail" | "interrupted" => "fail",
        "flaky" | "warn" | "xpassed" | "running" | "open" => "warn",
        _ => "skip",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(secs(0.25), "250 ms");
        assert_eq!(secs(12.34), "12.3 s");
        assert_eq!(secs(245.0), "4m 05s");
        assert_eq!(short(Some("0123456789abcdef")), "0123456789");
        assert_eq!(short(None), "–");
    }
}
