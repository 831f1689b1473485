//! Generation, schemata and apply/revert on Python sources, with property tests over random
//! programs: every mutant parses, the schemata rewrite parses, revert restores the bytes.

use super::generate::{mutants, syntax_error};
use super::schemata::rewrite;
use crate::apply::{apply, diff, revert};
use crate::model::{Mutant, Operator};
use proptest::prelude::*;

const SAMPLE: &str = r#""""Module docstring."""
import logging

log = logging.getLogger(__name__)
LIMIT = 10


def clamp(x: int, lo: int = 0, hi: int = 10) -> int:
    """Clamp x."""
    log.debug("clamp %s", x + 1)
    if x < lo:
        return lo
    elif x > hi and not lo == hi:
        return hi
    total = -x * 2 + 1.5
    check(total)
    return f"{x}" + "done"


class Stack:
    size = 3

    def push(self, item):
        while self.n >= 0:
            self.items.append(item)
        return True
"#;

fn kinds(ms: &[Mutant]) -> Vec<(u32, Operator, String, String)> {
    ms.iter()
        .map(|m| {
            (
                m.line,
                m.operator,
                m.original.clone(),
                m.replacement.clone(),
            )
        })
        .collect()
}

#[test]
fn the_sample_gets_the_expected_mutants_and_nothing_that_cannot_matter() {
    let ms = mutants("m.py", SAMPLE).unwrap();
    let k = kinds(&ms);
    let has = |line: u32, op: Operator, from: &str, to: &str| {
        k.iter()
            .any(|(l, o, f, t)| *l == line && *o == op && f == from && t == to)
    };
    assert!(has(11, Operator::Comparison, "<", "<="));
    assert!(has(11, Operator::Condition, "x < lo", "not (x < lo)"));
    assert!(has(12, Operator::ReturnValue, "lo", "None"));
    assert!(has(13, Operator::Boolean, "and", "or"));
    assert!(has(13, Operator::Unary, "not lo == hi", "lo == hi"));
    assert!(has(13, Operator::Comparison, "==", "!="));
    assert!(has(15, Operator::Unary, "-x", "x"));
    assert!(has(15, Operator::Constant, "2", "3"));
    assert!(has(15, Operator::Constant, "1.5", "2.5"));
    assert!(has(16, Operator::CallDeletion, "check(total)", "None"));
    assert!(has(17, Operator::Constant, "\"done\"", "\"XXdoneXX\""));
    assert!(has(24, Operator::Comparison, ">=", ">"));
    assert!(has(26, Operator::Constant, "True", "False"));
    // Never: docstrings, logging, annotations, defaults, module and class bodies, f-strings.
    for (l, op, from, _) in &k {
        assert!(![1, 4, 5, 8, 9, 10, 21].contains(l), "line {l}: {from}");
        let in_fstring =
            *op == Operator::Constant && from.starts_with("f\"") || *l == 17 && from == "x";
        assert!(!in_fstring, "f-string mutated: {from}");
    }
    let fns: Vec<&str> = ms.iter().map(|m| m.function.as_str()).collect();
    assert!(fns.contains(&"clamp") && fns.contains(&"Stack.push"));
}

#[test]
fn a_file_that_does_not_parse_is_an_error_with_its_line() {
    let e = mutants("bad.py", "def f(:\n    return 1\n")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("bad.py:1: cannot mutate"), "{e}");
}

#[test]
fn the_schemata_rewrite_switches_nested_mutants() {
    let src = "def f(a, b):\n    return a + b * 2\n";
    let mut ms = mutants("m.py", src).unwrap();
    for (i, m) in ms.iter_mut().enumerate() {
        m.id = i as u32 + 1;
    }
    let out = rewrite(src, &ms);
    assert!(syntax_error(&out).is_none(), "{out}");
    assert!(out.contains("_rigor_m.on("), "{out}");
    assert_eq!(out.lines().count(), src.lines().count(), "{out}");
}

#[test]
fn a_diff_shows_the_line_before_and_after() {
    let src = "def f(a):\n    return a < 1\n";
    let ms = mutants("m.py", src).unwrap();
    let m = ms
        .iter()
        .find(|m| m.operator == Operator::Comparison)
        .unwrap();
    assert_eq!(
        diff(src, m),
        "--- a/m.py\n+++ b/m.py\n@@ -2,1 +2,1 @@\n-    return a < 1\n+    return a <= 1\n"
    );
}

// ------------------------------------------------------------------ random programs

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        Just("self.n".to_string()),
        (0u32..100).prop_map(|n| n.to_string()),
        Just("1.5".to_string()),
        Just("True".to_string()),
        Just("None".to_string()),
        Just("'s'".to_string()),
        Just("f(a)".to_string()),
        Just("xs[0]".to_string()),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    atom().prop_recursive(4, 24, 3, |inner| {
        let ops = prop::sample::select(vec![
            "+", "-", "*", "/", "//", "%", "**", "<", "<=", ">", ">=", "==", "!=", "and", "or",
            "in", "not in", "is", "is not", "&", "|", "^", "<<", ">>",
        ]);
        prop_oneof![
            (inner.clone(), ops, inner.clone()).prop_map(|(l, o, r)| format!("({l} {o} {r})")),
            inner.clone().prop_map(|e| format!("not {e}")),
            inner.clone().prop_map(|e| format!("-{e}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("g({a}, k={b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a} if {b} else {c})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("[{a}, {b}]")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        expr().prop_map(|e| format!("x = {e}")),
        expr().prop_map(|e| format!("return {e}")),
        (expr(), expr()).prop_map(|(a, b)| format!("return {a}, {b}")),
        expr().prop_map(|e| format!("if {e}:\n        pass")),
        (expr(), expr()).prop_map(|(c, e)| format!("while {c}:\n        h({e})")),
        expr().prop_map(|e| format!("h({e})")),
        expr().prop_map(|e| format!("xs[{e}] += 1")),
        expr().prop_map(|e| format!("assert {e}, 'msg'")),
        expr().prop_map(|e| format!("y = (\n        {e}\n    )")),
    ]
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..6).prop_map(|stmts| {
        let body: Vec<String> = stmts.iter().map(|s| format!("    {s}")).collect();
        format!("def f(a, b=1):\n{}\n", body.join("\n"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every mutant of a valid program parses; applying and reverting it gives the file back
    /// byte for byte.
    #[test]
    fn every_mutant_parses_and_reverts(src in program()) {
        prop_assume!(syntax_error(&src).is_none());
        let ms = mutants("p.py", &src).unwrap();
        for m in &ms {
            let mutated = apply(&src, m);
            prop_assert!(syntax_error(&mutated).is_none(), "mutant {:?} breaks:\n{}", m.describe(), mutated);
            prop_assert_ne!(&mutated, &src);
            prop_assert_eq!(revert(&mutated, m), src.clone());
        }
    }

    /// The schemata rewrite of all mutants at once parses, keeps the line count (so
    /// tracebacks point at the right lines) and names every mutant's switch.
    #[test]
    fn the_schemata_rewrite_parses_and_holds_every_mutant(src in program()) {
        prop_assume!(syntax_error(&src).is_none());
        let mut ms = mutants("p.py", &src).unwrap();
        for (i, m) in ms.iter_mut().enumerate() {
            m.id = i as u32 + 1;
        }
        let out = rewrite(&src, &ms);
        prop_assert!(syntax_error(&out).is_none(), "rewrite breaks:\n{}", out);
        for m in &ms {
            let needle = format!("_rigor_m.on({})", m.id);
            prop_assert!(out.contains(&needle));
        }
        if ms.is_empty() {
            prop_assert_eq!(out, src);
        }
    }
}
