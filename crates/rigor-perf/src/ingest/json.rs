//! JSON reading shared by the JSON formats: bare `NaN`/`Infinity` tolerated, syntax errors located
//! by line and column, and [`Node`], a value with its JSON path for located type errors.

use crate::error::PerfError;
use serde_json::Value;

/// Replace bare `NaN`, `Infinity`, `-Infinity` (Google Benchmark, Python's json) outside strings
/// by same-length string sentinels, so serde_json can parse and positions stay right.
fn sanitize_json(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_str = false;
    let mut start = 0;
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        let rep: Option<(&str, &str)> = if b[i..].starts_with(b"-Infinity") {
            Some(("-Infinity", "\"-Infini\""))
        } else if b[i..].starts_with(b"Infinity") {
            Some(("Infinity", "\"Infini\""))
        } else if b[i..].starts_with(b"NaN") {
            Some(("NaN", "\"N\""))
        } else {
            None
        };
        if let Some((tok, sub)) = rep {
            out.push_str(&text[start..i]);
            out.push_str(sub);
            i += tok.len();
            start = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[start..]);
    out
}

pub(super) fn parse_json(label: &str, text: &str) -> Result<Value, PerfError> {
    let clean = sanitize_json(text);
    serde_json::from_str(&clean).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "the JSON ends early (truncated file?)",
            _ => "invalid JSON",
        };
        PerfError::input(
            label,
            format!("line {}, column {}", e.line(), e.column()),
            format!("{what}: {e}"),
            "the file must be complete JSON as written by the benchmark tool; re-run it if it was interrupted",
        )
    })
}

/// A JSON value with its path, for located type errors.
#[derive(Clone)]
pub(super) struct Node<'a> {
    pub(super) v: &'a Value,
    pub(super) path: String,
    pub(super) file: &'a str,
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> Node<'a> {
    pub(super) fn root(v: &'a Value, file: &'a str) -> Self {
        Node {
            v,
            path: "$".into(),
            file,
        }
    }
    pub(super) fn err(&self, message: String, hint: &str) -> PerfError {
        PerfError::input(self.file, format!("at {}", self.path), message, hint)
    }
    pub(super) fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.v.get(key) {
            Some(Value::Null) | None => None,
            Some(v) => Some(Node {
                v,
                path: format!("{}.{key}", self.path),
                file: self.file,
            }),
        }
    }
    pub(super) fn req(&self, key: &str, hint: &str) -> Result<Node<'a>, PerfError> {
        if !self.v.is_object() {
            return Err(self.err(format!("expected an object, found {}", kind(self.v)), hint));
        }
        self.get(key)
            .ok_or_else(|| self.err(format!("missing field `{key}`"), hint))
    }
    pub(super) fn num(&self, hint: &str) -> Result<f64, PerfError> {
        match self.v {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| self.err("number out of range".into(), hint)),
            Value::String(s) if s == "N" => Ok(f64::NAN),
            Value::String(s) if s == "Infini" => Ok(f64::INFINITY),
            Value::String(s) if s == "-Infini" => Ok(f64::NEG_INFINITY),
            other => Err(self.err(format!("expected a number, found {}", kind(other)), hint)),
        }
    }
    pub(super) fn string(&self, hint: &str) -> Result<&'a str, PerfError> {
        match self.v {
            Value::String(s) => Ok(s),
            other => Err(self.err(format!("expected a string, found {}", kind(other)), hint)),
        }
    }
    pub(super) fn items(&self, hint: &str) -> Result<Vec<Node<'a>>, PerfError> {
        match self.v {
            Value::Array(a) => Ok(a
                .iter()
                .enumerate()
                .map(|(i, v)| Node {
                    v,
                    path: format!("{}[{i}]", self.path),
                    file: self.file,
                })
                .collect()),
            other => Err(self.err(format!("expected an array, found {}", kind(other)), hint)),
        }
    }
    pub(super) fn numbers(&self, hint: &str) -> Result<Vec<f64>, PerfError> {
        self.items(hint)?.iter().map(|n| n.num(hint)).collect()
    }
    pub(super) fn opt_str(&self, key: &str) -> Option<String> {
        self.v.get(key).and_then(Value::as_str).map(str::to_string)
    }
}

pub(super) fn finite_or_err(node_path: &Node, v: f64, hint: &str) -> Result<f64, PerfError> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(node_path.err(format!("expected a finite number, found {v}"), hint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_outside_strings_is_an_error_not_a_panic() {
        // Found by the fuzzer (rigor-fuzz, target criterion): slicing at a byte inside `é`.
        for text in ["{\"a\": \u{e9}}", "\u{1F600}NaN", "[1, \u{e9}Infinity]"] {
            assert!(parse_json("f.json", text).is_err(), "{text}");
        }
    }

    #[test]
    fn sanitize_keeps_positions_and_strings() {
        let t = r#"{"a": NaN, "b": "NaN Infinity", "c": -Infinity, "d": Infinity}"#;
        let s = sanitize_json(t);
        assert_eq!(s.len(), t.len());
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["b"], "NaN Infinity");
        let root = Node::root(&v, "x");
        assert!(root.get("a").unwrap().num("").unwrap().is_nan());
        assert_eq!(root.get("c").unwrap().num("").unwrap(), f64::NEG_INFINITY);
        assert_eq!(root.get("d").unwrap().num("").unwrap(), f64::INFINITY);
    }
}
