//! The analyzer's own types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    LowerIsBetter,
    HigherIsBetter,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower_is_better",
            Direction::HigherIsBetter => "higher_is_better",
        }
    }

    /// Parse the spellings users write: `lower_is_better`, `lower`, `less`, `min`, … .
    pub fn parse(s: &str) -> Option<Direction> {
        match s
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .as_str()
        {
            "lower_is_better" | "lower" | "less" | "min" | "smaller_is_better" | "decrease" => {
                Some(Direction::LowerIsBetter)
            }
            "higher_is_better" | "higher" | "more" | "max" | "bigger_is_better"
            | "greater_is_better" | "increase" => Some(Direction::HigherIsBetter),
            _ => None,
        }
    }

    /// +1 when a positive change is worse, −1 when a negative change is worse.
    pub fn worse_sign(self) -> f64 {
        match self {
            Direction::LowerIsBetter => 1.0,
            Direction::HigherIsBetter => -1.0,
        }
    }
}

/// One measured value of one benchmark, with its raw samples when the tool kept them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    pub benchmark: String,
    /// What was measured (`time`, or the metric's name for custom metrics).
    pub measure: String,
    pub unit: String,
    pub direction: Direction,
    /// The representative value (median of samples when there are samples, else the reported value).
    pub value: f64,
    pub samples: Vec<f64>,
    /// Per-point commit (CSV rows, custom JSON); else the ingest's commit.
    pub commit: Option<String>,
    pub branch: Option<String>,
    /// Unix seconds.
    pub time: Option<i64>,
    pub attributes: BTreeMap<String, String>,
}

impl Measurement {
    pub fn new(
        benchmark: impl Into<String>,
        unit: impl Into<String>,
        direction: Direction,
        value: f64,
    ) -> Self {
        Measurement {
            benchmark: benchmark.into(),
            measure: "time".into(),
            unit: unit.into(),
            direction,
            value,
            samples: Vec::new(),
            commit: None,
            branch: None,
            time: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// Seconds since the Unix epoch → `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parse a timestamp: Unix seconds (integer or fractional, milliseconds when > 1e11), or ISO 8601
/// `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH[:MM]]`, or a bare date.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(v) = s.parse::<f64>() {
        if !v.is_finite() {
            return None;
        }
        return Some(if v.abs() > 1e11 {
            (v / 1000.0) as i64
        } else {
            v as i64
        });
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse().ok() };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    if b.len() == 10 {
        return Some(secs);
    }
    if b[10] != b'T' && b[10] != b' ' {
        return None;
    }
    let (h, mi) = (num(11..13)?, num(14..16)?);
    secs += h * 3600 + mi * 60;
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        secs += num(17..19)?;
        i = 19;
        if b.get(i) == Some(&b'.') {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    let rest = &s[i..];
    let rest = rest.trim();
    if rest.is_empty() || rest == "Z" || rest == "z" {
        return Some(secs);
    }
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = rest[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    let (oh, om) = match digits.len() {
        2 => (digits.parse::<i64>().ok()?, 0),
        4 => (
            digits[..2].parse::<i64>().ok()?,
            digits[2..].parse::<i64>().ok()?,
        ),
        _ => return None,
    };
    Some(secs - sign * (oh * 3600 + om * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        assert_eq!(format_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(parse_time("2026-11-27T09:03:02Z"), Some(1_795_770_182));
        assert_eq!(format_time(1_795_770_182), "2026-11-27T09:03:02Z");
        assert_eq!(parse_time("2026-11-27 10:03:02+01:00"), Some(1_795_770_182));
        assert_eq!(
            parse_time("2026-11-27T09:03:02.123456+0000"),
            Some(1_795_770_182)
        );
        assert_eq!(parse_time("1795770182"), Some(1_795_770_182));
        assert_eq!(parse_time("1795770182000"), Some(1_795_770_182));
        assert_eq!(
            parse_time("2024-02-29"),
            Some(days_from_civil(2024, 2, 29) * 86_400)
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2024-13-01"), None);
    }

    #[test]
    fn directions_parse() {
        assert_eq!(Direction::parse("higher"), Some(Direction::HigherIsBetter));
        assert_eq!(
            Direction::parse("lower-is-better"),
            Some(Direction::LowerIsBetter)
        );
        assert_eq!(Direction::parse("sideways"), None);
    }
}
