//! The filters every page and API call shares: a branch and a time window.

use serde::Deserialize;

/// `?branch=main&days=7`: empty values mean "no filter".
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Filter {
    #[serde(default, deserialize_with = "empty_is_none")]
    pub branch: Option<String>,
    #[serde(default, deserialize_with = "empty_is_none_f64")]
    pub days: Option<f64>,
}

fn empty_is_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.filter(|s| !s.trim().is_empty()))
}

fn empty_is_none_f64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|d| d.is_finite() && *d > 0.0)
            .map(Some)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("days `{v}` is not a positive number"))
            }),
    }
}

impl Filter {
    /// The earliest start time in the window (Unix seconds), if any.
    pub fn since(&self, now: f64) -> Option<f64> {
        self.days.map(|d| now - d * 86_400.0)
    }

    /// The filter as a query string (`branch=…&days=…`), empty when none; for links.
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = &self.branch {
            parts.push(format!("branch={}", crate::render::url::encode(b)));
        }
        if let Some(d) = self.days {
            parts.push(format!("days={d}"));
        }
        parts.join("&")
    }
}

/// Seconds since the epoch, now.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(q: &str) -> Result<Filter, String> {
        let v: Vec<(String, String)> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        let map: serde_json::Map<String, serde_json::Value> = v
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| e.to_string())
    }

    #[test]
    fn empty_values_are_no_filter_and_days_must_be_positive() {
        assert_eq!(parse("branch=&days=").unwrap(), Filter::default());
        let f = parse("branch=main&days=1.5").unwrap();
        assert_eq!(f.branch.as_deref(), Some("main"));
        assert_eq!(f.since(200_000.0), Some(200_000.0 - 129_600.0));
        assert!(parse("days=-1").is_err());
        assert!(parse("days=soon").is_err());
        assert!(parse("days=NaN").is_err());
        assert_eq!(f.query(), "branch=main&days=1.5");
    }
}
