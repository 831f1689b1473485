//! Rust generation, schemata and apply/revert, with property tests over random programs: every
//! mutant applied alone parses, applying and reverting restores the bytes, the schemata
//! rewrite parses and holds every switch.

use super::generate::mutants;
use super::schemata::{SWITCH, rewrite};
use crate::apply::{apply, revert};
use crate::model::{Mutant, Operator};
use proptest::prelude::*;

const SAMPLE: &str = r#"//! A module.
use std::fmt;

const LIMIT: u32 = 10 + 1;
static NAME: &str = "x";

pub fn clamp(x: i64, lo: i64, hi: i64) -> i64 {
    log::debug!("clamp {}", x + 1);
    if x < lo && !(lo == hi) {
        return lo;
    }
    if let Some(v) = Some(x) {
        let _ = v;
    }
    let arr = [0u8; 4];
    match x {
        1 => 2,
        _ => -x * 2 + 0x10,
    }
}

pub const fn fixed() -> u32 {
    1 + 2
}

unsafe fn raw() -> u8 {
    1 + 1
}

impl fmt::Display for Thing {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("thing")
    }
}

impl Thing {
    pub fn push(&mut self, item: u32) {
        self.items.push(item);
        unsafe { self.n += 1 };
    }
    pub fn is_empty(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn t() {
        assert_eq!(1 + 1, 2);
    }
}

#[test]
fn loose() {
    let _ = 1 < 2;
}
"#;

fn has(ms: &[Mutant], line: u32, op: Operator, from: &str, to: &str) -> bool {
    ms.iter().any(|m| {
        m.line == line && m.operator == op && m.original.trim() == from && m.replacement == to
    })
}

#[test]
fn the_sample_gets_the_expected_mutants_and_nothing_that_cannot_matter() {
    let ms = mutants("src/m.rs", SAMPLE).unwrap();
    assert!(has(&ms, 9, Operator::Comparison, "<", "<="));
    assert!(has(&ms, 9, Operator::Boolean, "&&", "||"));
    assert!(has(&ms, 9, Operator::Comparison, "==", "!="));
    assert!(has(&ms, 9, Operator::Unary, "!", ""));
    assert!(has(
        &ms,
        9,
        Operator::Condition,
        "x < lo && !(lo == hi)",
        "!(x < lo && !(lo == hi))"
    ));
    assert!(has(&ms, 18, Operator::Unary, "-", ""));
    assert!(has(&ms, 18, Operator::Arithmetic, "*", "/"));
    assert!(has(&ms, 18, Operator::Constant, "2", "3"));
    assert!(has(
        &ms,
        38,
        Operator::CallDeletion,
        "self.items.push(item)",
        "()"
    ));
    assert!(ms.iter().any(|m| m.function == "Thing::push"
        && m.operator == Operator::ReturnValue
        && m.replacement == "()"));
    assert!(
        ms.iter()
            .any(|m| m.function == "Thing::fmt" && m.replacement == "Ok(Default::default())")
    );
    assert!(has(&ms, 42, Operator::Constant, "true", "false"));
    // `is_empty` returns `true`: the `true` return value is the body itself.
    assert!(
        !ms.iter()
            .any(|m| m.function == "Thing::is_empty" && m.replacement == "true")
    );
    let lines: Vec<u32> = ms.iter().map(|m| m.line).collect();
    for skipped in [4, 5, 8, 12, 23, 27, 39, 50, 56] {
        assert!(
            !lines.contains(&skipped),
            "line {skipped}: {:?}",
            ms.iter().filter(|m| m.line == skipped).collect::<Vec<_>>()
        );
    }
    // `0x10` is left alone (not a decimal spelling); `1 => 2` is a pattern and an arm value.
    assert!(!ms.iter().any(|m| m.original == "0x10"));
    assert!(has(&ms, 17, Operator::Constant, "2", "3"));
    assert!(
        !ms.iter().any(|m| m.original == "4"),
        "an array length is not mutated"
    );
}

#[test]
fn a_file_that_does_not_parse_is_a_located_error() {
    let e = mutants("src/bad.rs", "fn f() {\n    let x = ;\n}\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("src/bad.rs:2:"), "{e}");
}

// ---- random programs ----

fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..300).prop_map(|n| n.to_string()),
        Just("x".to_string()),
        Just("y".to_string()),
        Just("self.n".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        Just("0x1f".to_string()),
        Just("7u8".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        let ops = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "&&", "||", "&", "|", "^",
            "<<", ">>",
        ]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(a, o, b)| {
                // Comparisons do not chain in Rust.
                if matches!(o, "<" | "<=" | ">" | ">=" | "==" | "!=") {
                    format!("({a} {o} {b})")
                } else {
                    format!("{a} {o} {b}")
                }
            }),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.clone().prop_map(|a| format!("({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("f({a}, {b})")),
            inner.clone().prop_map(|a| format!("v.get({a})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{\n    {b}\n}}")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("[{a},\n        {b}]")),
        ]
    })
}

fn stmt() -> impl Strategy<Value = String> {
    prop_oneof![
        expr().prop_map(|e| format!("let z = {e};")),
        expr().prop_map(|e| format!("g({e});")),
        expr().prop_map(|e| format!("self.items.push({e});")),
        expr().prop_map(|e| format!("x += {e};")),
        (expr(), expr()).prop_map(|(c, e)| format!("while {c} {{\n        y -= {e};\n    }}")),
        (expr(), expr()).prop_map(|(c, e)| format!("if {c} {{\n        return {e};\n    }}")),
        expr().prop_map(|e| format!("if let Some(q) = o({e}) {{ h(q); }}")),
        expr().prop_map(|e| format!("println!(\"{{}}\", {e});")),
        expr().prop_map(|e| format!("unsafe {{ g({e}); }}")),
    ]
}

fn function() -> impl Strategy<Value = String> {
    let ret = prop::sample::select(vec![
        "",
        " -> u32",
        " -> bool",
        " -> String",
        " -> Option<u8>",
        " -> Result<(), E>",
        " -> &str",
        " -> Thing",
    ]);
    (ret, prop::collection::vec(stmt(), 0..5), expr()).prop_map(|(r, ss, tail)| {
        let body: Vec<String> = ss.iter().map(|s| format!("    {s}\n")).collect();
        format!(
            "fn f(x: u32, y: u32){r} {{\n{}    ({tail})\n}}\n",
            body.concat()
        )
    })
}

fn program() -> impl Strategy<Value = String> {
    (prop::collection::vec(function(), 1..3), any::<bool>()).prop_map(|(fs, in_impl)| {
        if in_impl {
            format!("impl Thing {{\n{}}}\n", fs.concat())
        } else {
            fs.concat()
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every mutant applied alone parses; applying and reverting restores the file byte for
    /// byte; the schemata rewrite of all mutants parses and holds every switch.
    #[test]
    fn every_mutant_parses_reverts_and_switches(src in program()) {
        syn::parse_file(&src).expect("the generator makes valid Rust");
        let mut ms = mutants("src/p.rs", &src).unwrap();
        for (i, m) in ms.iter_mut().enumerate() {
            m.id = i as u32 + 1;
        }
        for m in &ms {
            let mutated = apply(&src, m);
            prop_assert!(syn::parse_file(&mutated).is_ok(), "mutant {:?} does not parse:\n{}", m, mutated);
            prop_assert_eq!(revert(&mutated, m), src.clone());
            prop_assert_eq!(&src[m.start..m.end], m.original.as_str());
        }
        let rw = rewrite(&src, &ms);
        prop_assert!(syn::parse_file(&rw.text).is_ok(), "the schemata do not parse:\n{}", rw.text);
        for m in &ms {
            let call = format!("{SWITCH}({})", m.id);
            prop_assert!(rw.text.contains(&call), "no switch for {:?}", m);
            // The mutant's branch holds its replacement, and blame finds it.
            let r = rw.regions.iter().find(|r| r.mutants == vec![m.id]).expect("a branch per mutant");
            prop_assert_eq!(rw.blame(r.start, r.end), Some(&[m.id][..]));
        }
        if ms.is_empty() {
            prop_assert_eq!(rw.text, src);
        }
    }
}
