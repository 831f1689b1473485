//! Links between pages: percent-encoding of query values and the paths of each page.

use crate::filter::Filter;

/// Percent-encode everything but RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path?filter` or `path?extra&filter` (extra already encoded).
pub fn with_filter(path: &str, extra: &str, f: &Filter) -> String {
    let q = [extra.to_string(), f.query()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{q}")
    }
}

/// The test page of a test.
pub fn test(suite: &str, id: &str, f: &Filter) -> String {
    with_filter(
        "/test",
        &format!("suite={}&id={}", encode(suite), encode(id)),
        f,
    )
}

/// The page of a run.
pub fn run(id: i64) -> String {
    format!("/runs/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn test_links_encode_ids() {
        let f = Filter {
            branch: Some("feat/x y".into()),
            days: Some(7.0),
        };
        assert_eq!(
            test("py", "tests/a.py::t[<1>]", &f),
            "/test?suite=py&id=tests%2Fa.py%3A%3At%5B%3C1%3E%5D&branch=feat%2Fx%20y&days=7"
        );
        assert_eq!(with_filter("/flaky", "", &Filter::default()), "/flaky");
    }

    fn decode(s: &str) -> String {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #[test]
        fn encoding_round_trips_and_leaves_no_markup(s in any::<String>()) {
            let e = encode(&s);
            prop_assert_eq!(decode(&e), s);
            prop_assert!(e.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        }
    }
}
