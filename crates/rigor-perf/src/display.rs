//! How values, p-values, intervals, commits and alerts are written wherever a person reads them:
//! the renderers' tables, alert messages and webhook posts.

use crate::store::Alert;
use std::fmt::Write as _;

/// The first 10 characters of a commit.
pub fn short(commit: &str) -> &str {
    &commit[..commit.len().min(10)]
}

/// A measured value: 4 decimals, 1 from 1000 on, scientific outside [1e-3, 1e7).
pub fn value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if !(1e-3..1e7).contains(&a) {
        format!("{v:.4e}")
    } else if a >= 1000.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.4}")
    }
}

/// A p-value (`–` when there is none).
pub fn p_value(p: Option<f64>) -> String {
    match p {
        Some(p) if p < 1e-4 => format!("{p:.1e}"),
        Some(p) => format!("{p:.4}"),
        None => "–".into(),
    }
}

/// A confidence interval of a change in percent, `[-1.2%, +3.4%]`, when both ends are known.
pub fn interval(low_pct: Option<f64>, high_pct: Option<f64>) -> Option<String> {
    match (low_pct, high_pct) {
        (Some(l), Some(h)) => Some(format!("[{l:+.1}%, {h:+.1}%]")),
        _ => None,
    }
}

/// One line per alert: id, state, benchmark, change with its interval, p, the suspect commits,
/// the first changed files and the other benchmarks that moved.
pub fn alert_line(a: &Alert) -> String {
    let ci = interval(a.ci_low_pct, a.ci_high_pct)
        .map(|i| format!(" {i}"))
        .unwrap_or_default();
    let range = match &a.range_from {
        Some(f) => format!("{}..{}", short(f), short(&a.range_to)),
        None => short(&a.range_to).to_string(),
    };
    let mut s = format!(
        "#{} [{}] {} {:+.1}%{ci} p={} commits {range}",
        a.id,
        a.state,
        a.benchmark,
        a.change_pct,
        p_value(a.p_value)
    );
    if !a.files.is_empty() {
        let shown: Vec<&str> = a.files.iter().take(5).map(String::as_str).collect();
        let more = if a.files.len() > 5 {
            format!(" (+{} more)", a.files.len() - 5)
        } else {
            String::new()
        };
        let _ = write!(s, "; files: {}{more}", shown.join(", "));
    }
    if !a.related.is_empty() {
        let r: Vec<String> = a
            .related
            .iter()
            .map(|r| format!("{} {:+.1}%", r.benchmark, r.change_pct))
            .collect();
        let _ = write!(s, "; also moved: {}", r.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_p_values() {
        assert_eq!(value(0.0), "0");
        assert_eq!(value(12.5), "12.5000");
        assert_eq!(value(1234.56), "1234.6");
        assert_eq!(value(2e-5), "2.0000e-5");
        assert_eq!(p_value(Some(0.01234)), "0.0123");
        assert_eq!(p_value(Some(1.3e-8)), "1.3e-8");
        assert_eq!(p_value(None), "–");
        assert_eq!(
            interval(Some(-1.24), Some(3.4)).as_deref(),
            Some("[-1.2%, +3.4%]")
        );
        assert_eq!(interval(None, Some(3.4)), None);
        assert_eq!(short("0123456789abcdef"), "0123456789");
        assert_eq!(short("abc"), "abc");
    }
}
