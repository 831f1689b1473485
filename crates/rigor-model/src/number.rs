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

/// Axis ticks for `[lo, hi]`: multiples of a round step (1, 2, 2.5 or 5 × 10^k) chosen so that
/// about `target` ticks fall in the range, each with its label (as many decimals as the step
/// needs: `96.7898` is never a tick label). Empty for an empty or non-finite range.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<(f64, String)> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return Vec::new();
    }
    let raw = (hi - lo) / target as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    // As many decimals as the step needs: 0.25 two, 2.5 one, 5 none.
    let decimals = (0..8)
        .find(|d| {
            let scaled = step * 10f64.powi(*d);
            (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(8) as usize;
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| {
            let v = k as f64 * step;
            let v = if v.abs() < step * 1e-9 { 0.0 } else { v };
            (v, format!("{v:.decimals$}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_in_range() {
        let t = ticks(95.3, 101.7, 4);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["96", "98", "100"]);
        let t = ticks(0.0, 1.0, 4);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0.00", "0.25", "0.50", "0.75", "1.00"]);
        let t = ticks(0.0, 12.4, 5);
        let labels: Vec<&str> = t.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["0.0", "2.5", "5.0", "7.5", "10.0"]);
        assert!(ticks(1.0, 1.0, 4).is_empty());
        assert!(ticks(f64::NAN, 1.0, 4).is_empty());
        for (v, _) in ticks(-3.7, 8.2, 6) {
            assert!((-3.7..=8.2).contains(&v));
        }
    }

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
