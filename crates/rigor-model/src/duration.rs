//! Human durations in configuration: `300ms`, `30s`, `2m`, `1h`, `1m30s`, or a bare number of seconds.

use std::time::Duration;

/// Parse a human duration. Returns a message suitable for an error hint on failure.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration; write e.g. \"30s\", \"2m\" or \"500ms\"".into());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return secs_to_duration(secs, text);
    }
    let mut total = 0.0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{text}` lacks a unit after its last number (ms, s, m, h)"))?;
        if num_len == 0 {
            return Err(format!(
                "`{text}` is not a duration; write e.g. \"30s\", \"2m\" or \"500ms\""
            ));
        }
        let value: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("`{}` in `{text}` is not a number", &rest[..num_len]))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match rest[..unit_len].trim() {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            other => {
                return Err(format!(
                    "unknown unit `{other}` in `{text}`; use ms, s, m or h"
                ));
            }
        };
        total += value * factor;
        rest = &rest[unit_len..];
    }
    secs_to_duration(total, text)
}

/// The longest duration rigor accepts anywhere (timeouts, budgets, selector arguments): ten
/// years. Longer values are refused with an error rather than overflowing.
pub const MAX_SECS: f64 = 10.0 * 365.0 * 86400.0;

fn secs_to_duration(secs: f64, text: &str) -> Result<Duration, String> {
    if !secs.is_finite() || secs < 0.0 {
        return Err(format!("`{text}` must be a non-negative duration"));
    }
    if secs > MAX_SECS {
        return Err(format!(
            "`{text}` is longer than the longest duration rigor accepts ({}h, ten years); write a shorter one",
            MAX_SECS as u64 / 3600
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}` is not a usable duration: {e}"))
}

/// Format seconds for people: `850ms`, `12.3s`, `4m05s`.
pub fn human(secs: f64) -> String {
    // An empty sum of floats is -0.0; nothing that rounds to zero is shown with a sign.
    if secs.abs() < 0.0005 {
        return "0ms".into();
    }
    if secs < 1.0 {
        format!("{:.0}ms", secs * 1000.0)
    } else if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        let m = (secs / 60.0).floor();
        format!("{}m{:02.0}s", m as u64, secs - m * 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_units_and_compounds() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
    }

    #[test]
    fn rejects_garbage_with_a_hint() {
        assert!(parse_duration("").unwrap_err().contains("30s"));
        assert!(parse_duration("5x").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("-3").is_err());
        assert!(parse_duration("10").is_ok());
    }

    #[test]
    fn zero_has_no_sign() {
        let empty: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(human(empty), "0ms");
        assert_eq!(human(-0.0001), "0ms");
        assert_eq!(human(0.25), "250ms");
    }

    #[test]
    fn huge_durations_are_refused_not_a_panic() {
        for text in [
            "20000000000000000000",
            "1e30",
            "9999999999999999h",
            "87601h",
            "99999999999999999999999999999999999999ms",
        ] {
            let err = parse_duration(text).unwrap_err();
            assert!(
                err.contains("longest duration rigor accepts (87600h"),
                "{text}: {err}"
            );
        }
        assert_eq!(
            parse_duration("87600h").unwrap(),
            Duration::from_secs(87600 * 3600)
        );
        assert!(parse_duration("inf").unwrap_err().contains("non-negative"));
        assert!(parse_duration("1e400").is_err(), "overflows f64 to inf");
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errs_without_panicking(t in "[0-9.e]{0,30}(ms|s|m|h)?") {
            let _ = parse_duration(&t);
        }

        #[test]
        fn seconds_and_minutes_agree(m in 0u64..1000) {
            prop_assert_eq!(parse_duration(&format!("{m}m")).unwrap(),
                            parse_duration(&format!("{}s", m * 60)).unwrap());
        }
    }
}
