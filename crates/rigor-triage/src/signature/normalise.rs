//! Volatile parts of failure text removed: memory addresses, temporary paths, timestamps,
//! random ids and numbers become placeholders, so the same failure on another run, machine or
//! day has the same signature.

use regex::Regex;
use std::sync::LazyLock;

/// Replacements in order: the most specific first (a UUID before its hex digits, a timestamp
/// before its numbers).
static RULES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", "<uuid>"),
        (r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?", "<time>"),
        (r"\b\d{4}-\d{2}-\d{2}\b", "<date>"),
        (r"\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b", "<time>"),
        (r"0x[0-9a-fA-F]+", "<addr>"),
        (
            r"(?:/tmp|/var/folders|/private/var|/var/tmp|[A-Za-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp)[^\s'\x22:,)]*",
            "<tmp>",
        ),
        (r"pytest-of-[^\s/]+/pytest-\d+", "<tmp>"),
        (r"(?i)\b(?:[0-9a-f]*\d[0-9a-f]*[a-f][0-9a-f]*|[0-9a-f]*[a-f][0-9a-f]*\d[0-9a-f]*)\b", "<id>"),
        (r"\d+(?:\.\d+)?(?:e[+-]?\d+)?", "<n>"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).expect("valid pattern"), to))
    .collect()
});

/// A hex word counts as a random id only when it is long enough not to be an English word.
const MIN_ID_LEN: usize = 8;

/// The text with volatile parts replaced by placeholders and runs of spaces collapsed.
pub fn normalise(text: &str) -> String {
    let mut s = text.to_string();
    for (i, (re, to)) in RULES.iter().enumerate() {
        let is_id_rule = i == RULES.len() - 2;
        s = re
            .replace_all(&s, |c: &regex::Captures| {
                let m = &c[0];
                if is_id_rule && m.len() < MIN_ID_LEN {
                    m.to_string()
                } else {
                    (*to).to_string()
                }
            })
            .into_owned();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The normalised words of a text (for similarity): lowercase alphanumeric runs and the
/// placeholders.
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == '<' || ch == '>' {
            cur.extend(ch.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn volatile_parts_become_placeholders() {
        assert_eq!(
            normalise("object at 0x7f7744ac5b50 in /tmp/pytest-of-root/pytest-3/test_a0/x.txt"),
            "object at <addr> in <tmp>"
        );
        assert_eq!(
            normalise("at 2026-11-28T11:11:34.123Z id 3f2a9c1e8b7d took 12.5 s"),
            "at <time> id <id> took <n> s"
        );
        assert_eq!(
            normalise("req 123e4567-e89b-12d3-a456-426614174000 failed"),
            "req <uuid> failed"
        );
        // Short hex-looking words are words.
        assert_eq!(normalise("bad cafe deadbeef1"), "bad cafe <id>");
        assert_eq!(normalise("assert 4 == 5"), "assert <n> == <n>");
    }

    #[test]
    fn tokens_are_lowercase_words_and_placeholders() {
        assert_eq!(
            tokens("No module named 'Foo_bar' <n>"),
            ["no", "module", "named", "foo_bar", "<n>"]
        );
    }

    proptest! {
        /// Normalising is idempotent, and numbers never survive it.
        #[test]
        fn normalise_is_idempotent(s in "[ -~]{0,80}") {
            let once = normalise(&s);
            prop_assert_eq!(normalise(&once), once.clone());
            prop_assert!(!once.chars().any(|c| c.is_ascii_digit()), "{}", once);
        }

        /// Two texts that differ only in numbers and addresses normalise alike.
        #[test]
        fn numbers_and_addresses_do_not_matter(a in 0u64..1_000_000, b in 0u64..1_000_000, w in "[a-z]{3,7}") {
            let x = format!("{w} failed after {a} tries at 0x{a:x}");
            let y = format!("{w} failed after {b} tries at 0x{b:x}");
            prop_assert_eq!(normalise(&x), normalise(&y));
        }
    }
}
