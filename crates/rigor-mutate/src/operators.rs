//! The mutation operators: for each operator token or literal, the one replacement that makes a
//! mutant. One replacement per site keeps the number of mutants (and the run) small while
//! each still tests a boundary or a sign.

use crate::model::Operator;

/// Comparison swaps (Python spelling; Rust shares `<`, `<=`, `==`, …).
pub fn comparison(op: &str) -> Option<&'static str> {
    Some(match op {
        "<" => "<=",
        "<=" => "<",
        ">" => ">=",
        ">=" => ">",
        "==" => "!=",
        "!=" => "==",
        "is" => "is not",
        "is not" => "is",
        "in" => "not in",
        "not in" => "in",
        _ => return None,
    })
}

/// Arithmetic and bitwise swaps.
pub fn arithmetic(op: &str) -> Option<&'static str> {
    Some(match op {
        "+" => "-",
        "-" => "+",
        "*" => "/",
        "/" => "*",
        "//" => "/",
        "%" => "/",
        "**" => "*",
        "<<" => ">>",
        ">>" => "<<",
        "&" => "|",
        "|" => "&",
        "^" => "&",
        _ => return None,
    })
}

/// Boolean operator swaps.
pub fn boolean(op: &str) -> Option<&'static str> {
    Some(match op {
        "and" => "or",
        "or" => "and",
        "&&" => "||",
        "||" => "&&",
        _ => return None,
    })
}

/// A changed integer literal: `0` → `1`, `n` → `n + 1` (decimal literals only; hex, octal,
/// binary and underscored literals are left alone rather than re-spelled).
pub fn integer(text: &str) -> Option<String> {
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.is_empty() {
        return None;
    }
    if text.len() > 1 && text.starts_with('0') {
        return None;
    }
    let n: u64 = text.parse().ok()?;
    Some(n.checked_add(1)?.to_string())
}

/// A changed float literal: `x` → `x + 1` (plain decimal spellings only).
pub fn float(text: &str) -> Option<String> {
    if !text
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'-')
    {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    let r = v + 1.0;
    if !r.is_finite() || r == v {
        return None;
    }
    let s = format!("{r:?}");
    Some(s)
}

/// Which operator a replacement table belongs to, for descriptions.
pub fn kind_of_binary(op: &str) -> Option<(Operator, &'static str)> {
    comparison(op)
        .map(|r| (Operator::Comparison, r))
        .or_else(|| arithmetic(op).map(|r| (Operator::Arithmetic, r)))
        .or_else(|| boolean(op).map(|r| (Operator::Boolean, r)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_comparison_swap_is_undone_by_swapping_back_or_is_a_boundary() {
        for op in [
            "<", "<=", ">", ">=", "==", "!=", "is", "is not", "in", "not in",
        ] {
            let r = comparison(op).unwrap();
            assert_ne!(r, op);
            assert_eq!(comparison(r).unwrap(), op, "{op} and {r} pair up");
        }
    }

    #[test]
    fn literals_change_and_odd_spellings_are_left_alone() {
        assert_eq!(integer("0").as_deref(), Some("1"));
        assert_eq!(integer("41").as_deref(), Some("42"));
        assert_eq!(integer("0x10"), None);
        assert_eq!(integer("1_000"), None);
        assert_eq!(integer("007"), None);
        assert_eq!(float("1.5").as_deref(), Some("2.5"));
        assert_eq!(float("1e400"), None);
    }

    proptest! {
        #[test]
        fn an_integer_mutant_is_never_equal_to_its_original(n in 0u64..u64::MAX) {
            let s = n.to_string();
            let m = integer(&s).unwrap();
            prop_assert_ne!(m.parse::<u64>().unwrap(), n);
        }

        #[test]
        fn arithmetic_swaps_never_return_the_same_operator(i in 0usize..12) {
            let ops = ["+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^"];
            let r = arithmetic(ops[i]).unwrap();
            prop_assert_ne!(r, ops[i]);
        }
    }
}
