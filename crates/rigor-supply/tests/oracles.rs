//! Property tests against reference implementations run in Python: the PEP 440 order and
//! canonical form against `packaging`, CVSS v4.0 base scores against `cvss` (both pinned in
//! scripts/test-requirements.txt). RIGOR_TEST_PYTHON names that Python (scripts/test.sh sets it).

use proptest::prelude::*;
use rigor_supply::severity::cvss4;
use rigor_supply::version::pep440::Version;
use std::io::Write;
use std::process::{Command, Stdio};

fn python() -> String {
    std::env::var("RIGOR_TEST_PYTHON").unwrap_or_else(|_| {
        panic!("RIGOR_TEST_PYTHON is not set: run the tests with scripts/test.sh (a venv with packaging and cvss)")
    })
}

/// Run `script` with `lines` on stdin; its stdout lines.
fn oracle(script: &str, lines: &[String]) -> Vec<String> {
    let mut child = Command::new(python())
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the test Python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(lines.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the oracle failed (are packaging and cvss installed?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// A PEP 440 version written with the specification's alternative spellings.
fn version_text() -> impl Strategy<Value = String> {
    let release = prop::collection::vec(0u64..12, 1..4);
    let sep = prop::sample::select(vec!["", ".", "-", "_"]);
    let pre = prop::option::of((
        prop::sample::select(vec![
            "a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "RC",
        ]),
        prop::option::of(0u64..4),
        sep.clone(),
    ));
    let post = prop::option::of((
        prop::sample::select(vec!["post", "r", "rev", "-"]),
        0u64..4,
        sep.clone(),
    ));
    let dev = prop::option::of((prop::option::of(0u64..3), sep.clone()));
    let local = prop::option::of(prop::collection::vec(
        prop::sample::select(vec!["1", "2", "10", "abc", "ubuntu", "x1"]),
        1..3,
    ));
    (
        prop::option::of(0u64..3),
        release,
        pre,
        post,
        dev,
        local,
        prop::bool::ANY,
    )
        .prop_map(|(epoch, rel, pre, post, dev, local, v)| {
            let mut s = String::new();
            if v {
                s.push('v');
            }
            if let Some(e) = epoch {
                s.push_str(&format!("{e}!"));
            }
            s.push_str(&rel.iter().map(u64::to_string).collect::<Vec<_>>().join("."));
            if let Some((l, n, sep)) = pre {
                s.push_str(sep);
                s.push_str(l);
                if let Some(n) = n {
                    s.push_str(&n.to_string());
                }
            }
            if let Some((l, n, sep)) = post {
                if l == "-" {
                    s.push_str(&format!("-{n}"));
                } else {
                    s.push_str(&format!("{sep}{l}{n}"));
                }
            }
            if let Some((n, sep)) = dev {
                s.push_str(&format!("{sep}dev"));
                if let Some(n) = n {
                    s.push_str(&n.to_string());
                }
            }
            if let Some(parts) = local {
                s.push('+');
                s.push_str(&parts.join("."));
            }
            s
        })
}

const PACKAGING: &str = r#"
import sys
from packaging.version import Version
vs = [Version(l) for l in sys.stdin.read().split("\n")]
for i, v in enumerate(vs):
    # canonical text, then for every later version: -1, 0 or 1
    cmp = "".join("<" if v < w else ("=" if v == w else ">") for w in vs)
    print(str(v), cmp)
"#;

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Every pair of versions compares as `packaging` compares it, and the canonical text is
    /// `packaging`'s.
    #[test]
    fn pep440_order_matches_packaging(texts in prop::collection::vec(version_text(), 2..60)) {
        let rows = oracle(PACKAGING, &texts);
        prop_assert_eq!(rows.len(), texts.len());
        let ours: Vec<Version> = texts.iter().map(|t| Version::parse(t).unwrap()).collect();
        for (i, row) in rows.iter().enumerate() {
            let (canon, cmp) = row.split_once(' ').unwrap();
            prop_assert_eq!(ours[i].to_string(), canon, "canonical form of {}", &texts[i]);
            for (j, c) in cmp.chars().enumerate() {
                let want = match c { '<' => std::cmp::Ordering::Less, '=' => std::cmp::Ordering::Equal, _ => std::cmp::Ordering::Greater };
                prop_assert_eq!(ours[i].cmp(&ours[j]), want, "{} vs {}", &texts[i], &texts[j]);
            }
        }
    }
}

const CVSS: &str = r#"
import sys
from cvss import CVSS4
for l in sys.stdin.read().split("\n"):
    print(CVSS4(l).base_score)
"#;

fn cvss4_vector() -> impl Strategy<Value = String> {
    let pick = |k: &'static str, vals: Vec<&'static str>| {
        prop::sample::select(vals).prop_map(move |v| format!("{k}:{v}"))
    };
    (
        pick("AV", vec!["N", "A", "L", "P"]),
        pick("AC", vec!["L", "H"]),
        pick("AT", vec!["N", "P"]),
        pick("PR", vec!["N", "L", "H"]),
        pick("UI", vec!["N", "P", "A"]),
        pick("VC", vec!["H", "L", "N"]),
        pick("VI", vec!["H", "L", "N"]),
        pick("VA", vec!["H", "L", "N"]),
        pick("SC", vec!["H", "L", "N"]),
        pick("SI", vec!["H", "L", "N"]),
        pick("SA", vec!["H", "L", "N"]),
    )
        .prop_map(|(a, b, c, d, e, f, g, h, i, j, k)| {
            format!("CVSS:4.0/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}/{j}/{k}")
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// CVSS v4.0 base scores equal those of the `cvss` reference library.
    #[test]
    fn cvss4_scores_match_the_reference(vectors in prop::collection::vec(cvss4_vector(), 100..200)) {
        let want = oracle(CVSS, &vectors);
        for (v, w) in vectors.iter().zip(&want) {
            let ours = cvss4::base_score(v).unwrap();
            prop_assert_eq!(format!("{ours:.1}"), format!("{:.1}", w.parse::<f64>().unwrap()), "{}", v);
        }
    }
}
