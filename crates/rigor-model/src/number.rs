//! Numbers as people read them.

/// `v` rounded to `digits` significant digits, without trailing zeros (`20.19046222` → `20.19`,
/// `119.7436894` → `119.7`, `0.000123456` → `0.0001235`, `1234567.0` → `1235000`).
pub fn significant(v: f64, digits: u32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits as i32 - 1 - magnitude).max(0) as usize;
    let scale = 10f64.powi(magnitude - digits as i32 + 1);
    let rounded = if decimals == 0 {
        (v / scale).round() * scale
    } else {
        v
    };
    let text = format!("{rounded:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits() {
        assert_eq!(significant(20.19046222004698, 4), "20.19");
        assert_eq!(significant(119.74368942380084, 4), "119.7");
        assert_eq!(significant(96.7898, 3), "96.8");
        assert_eq!(significant(0.000123456, 4), "0.0001235");
        assert_eq!(significant(1234567.0, 4), "1235000");
        assert_eq!(significant(-2.5, 4), "-2.5");
        assert_eq!(significant(100.0, 4), "100");
        assert_eq!(significant(0.0, 4), "0");
    }
}
