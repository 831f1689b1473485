//! Severities: CVSS v3.x and v4.0 base scores from vectors, mapped to the qualitative scale.

pub mod cvss3;
pub mod cvss4;

use serde::{Deserialize, Serialize};

/// Qualitative severity (CVSS v3 rating scale), plus `Unknown` when no score is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Unknown,
    None,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn from_score(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::None
        }
    }

    /// From words used by advisories (GHSA `MODERATE`, …).
    pub fn from_word(w: &str) -> Severity {
        match w.trim().to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" => Severity::Low,
            "none" => Severity::None,
            _ => Severity::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::None => "none",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// The base score and rating of the first vector that can be scored, with the vector used.
pub fn score_vectors(vectors: &[String]) -> Option<(f64, Severity, String)> {
    vectors.iter().find_map(|v| {
        let s = base_score(v).ok()?;
        Some((s, Severity::from_score(s), v.clone()))
    })
}

/// The base score of a CVSS vector of any supported version (3.0, 3.1, 4.0).
pub fn base_score(vector: &str) -> Result<f64, String> {
    let v = vector.trim();
    if v.starts_with("CVSS:3.") {
        cvss3::base_score(v)
    } else if v.starts_with("CVSS:4.0/") {
        cvss4::base_score(v)
    } else {
        Err(format!(
            "`{}` is not a supported CVSS vector (CVSS:3.0, CVSS:3.1, CVSS:4.0)",
            v.split('/').next().unwrap_or(v)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_scale() {
        assert_eq!(Severity::from_score(9.8), Severity::Critical);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_word("MODERATE"), Severity::Medium);
    }
}
