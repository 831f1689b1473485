//! Reading toxic attributes: non-negative integers, with defaults, unknown keys rejected.

use serde_json::{Map, Value};

/// The attributes a request gave, checked against the keys a toxic knows.
pub struct Attrs<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Attrs<'a> {
    pub fn new(map: &'a Map<String, Value>, known: &[&str], kind: &str) -> Result<Self, String> {
        if let Some(k) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!(
                "unknown attribute `{k}` for toxic type {kind} (known: {})",
                known.join(", ")
            ));
        }
        Ok(Attrs { map })
    }

    /// A non-negative integer attribute, `default` when absent or null.
    pub fn uint(&self, key: &str, default: u64) -> Result<u64, String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Number(n)) => n
                .as_u64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                        .map(|f| f as u64)
                })
                .ok_or_else(|| {
                    format!("attribute `{key}` must be a non-negative integer, got {n}")
                }),
            Some(other) => Err(format!(
                "attribute `{key}` must be a non-negative integer, got {other}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn integers_defaults_and_errors() {
        let m = map(json!({"latency": 100, "jitter": 5.0}));
        let a = Attrs::new(&m, &["latency", "jitter"], "latency").unwrap();
        assert_eq!(a.uint("latency", 0), Ok(100));
        assert_eq!(a.uint("jitter", 0), Ok(5));
        let m = map(json!({"latency": -1}));
        let a = Attrs::new(&m, &["latency"], "latency").unwrap();
        assert!(a.uint("latency", 0).unwrap_err().contains("non-negative"));
        let m = map(json!({"latencyy": 1}));
        assert!(
            Attrs::new(&m, &["latency"], "latency")
                .err()
                .unwrap()
                .contains("unknown attribute `latencyy`")
        );
        let m = map(json!({"latency": "10"}));
        let a = Attrs::new(&m, &["latency"], "latency").unwrap();
        assert!(a.uint("latency", 0).is_err());
        assert_eq!(a.uint("absent", 7), Ok(7));
    }
}
