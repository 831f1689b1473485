//! CVSS v4.0 base score (CVSS-B) from a vector string, as the FIRST specification defines it:
//! the vector's macrovector (EQ1 … EQ6) gives a score from the expert-ranked lookup table, then
//! the score is lowered by the vector's mean normalised distance from the highest-severity
//! vectors of that macrovector, within the room to the next lower macrovector.
//!
//! Only the base metrics count: threat and environmental metrics, when present, are accepted
//! and ignored (Exploit Maturity is taken as Attacked, security requirements as High, as the
//! specification does when they are not defined).

use std::collections::HashMap;

/// The macrovector scores of the specification (EQ1 EQ2 EQ3 EQ4 EQ5 EQ6 → score).
const LOOKUP: &[(&str, f64)] = &[
    ("000000", 10.0),
    ("000001", 9.9),
    ("000010", 9.8),
    ("000011", 9.5),
    ("000020", 9.5),
    ("000021", 9.2),
    ("000100", 10.0),
    ("000101", 9.6),
    ("000110", 9.3),
    ("000111", 8.7),
    ("000120", 9.1),
    ("000121", 8.1),
    ("000200", 9.3),
    ("000201", 9.0),
    ("000210", 8.9),
    ("000211", 8.0),
    ("000220", 8.1),
    ("000221", 6.8),
    ("001000", 9.8),
    ("001001", 9.5),
    ("001010", 9.5),
    ("001011", 9.2),
    ("001020", 9.0),
    ("001021", 8.4),
    ("001100", 9.3),
    ("001101", 9.2),
    ("001110", 8.9),
    ("001111", 8.1),
    ("001120", 8.1),
    ("001121", 6.5),
    ("001200", 8.8),
    ("001201", 8.0),
    ("001210", 7.8),
    ("001211", 7.0),
    ("001220", 6.9),
    ("001221", 4.8),
    ("002001", 9.2),
    ("002011", 8.2),
    ("002021", 7.2),
    ("002101", 7.9),
    ("002111", 6.9),
    ("002121", 5.0),
    ("002201", 6.9),
    ("002211", 5.5),
    ("002221", 2.7),
    ("010000", 9.9),
    ("010001", 9.7),
    ("010010", 9.5),
    ("010011", 9.2),
    ("010020", 9.2),
    ("010021", 8.5),
    ("010100", 9.5),
    ("010101", 9.1),
    ("010110", 9.0),
    ("010111", 8.3),
    ("010120", 8.4),
    ("010121", 7.1),
    ("010200", 9.2),
    ("010201", 8.1),
    ("010210", 8.2),
    ("010211", 7.1),
    ("010220", 7.2),
    ("010221", 5.3),
    ("011000", 9.5),
    ("011001", 9.3),
    ("011010", 9.2),
    ("011011", 8.5),
    ("011020", 8.5),
    ("011021", 7.3),
    ("011100", 9.2),
    ("011101", 8.2),
    ("011110", 8.0),
    ("011111", 7.2),
    ("011120", 7.0),
    ("011121", 5.9),
    ("011200", 8.4),
    ("011201", 7.0),
    ("011210", 7.1),
    ("011211", 5.2),
    ("011220", 5.0),
    ("011221", 3.0),
    ("012001", 8.6),
    ("012011", 7.5),
    ("012021", 5.2),
    ("012101", 7.1),
    ("012111", 5.2),
    ("012121", 2.9),
    ("012201", 6.3),
    ("012211", 2.9),
    ("012221", 1.7),
    ("100000", 9.8),
    ("100001", 9.5),
    ("100010", 9.4),
    ("100011", 8.7),
    ("100020", 9.1),
    ("100021", 8.1),
    ("100100", 9.4),
    ("100101", 8.9),
    ("100110", 8.6),
    ("100111", 7.4),
    ("100120", 7.7),
    ("100121", 6.4),
    ("100200", 8.7),
    ("100201", 7.5),
    ("100210", 7.4),
    ("100211", 6.3),
    ("100220", 6.3),
    ("100221", 4.9),
    ("101000", 9.4),
    ("101001", 8.9),
    ("101010", 8.8),
    ("101011", 7.7),
    ("101020", 7.6),
    ("101021", 6.7),
    ("101100", 8.6),
    ("101101", 7.6),
    ("101110", 7.4),
    ("101111", 5.8),
    ("101120", 5.9),
    ("101121", 5.0),
    ("101200", 7.2),
    ("101201", 5.7),
    ("101210", 5.7),
    ("101211", 5.2),
    ("101220", 5.2),
    ("101221", 2.5),
    ("102001", 8.3),
    ("102011", 7.0),
    ("102021", 5.4),
    ("102101", 6.5),
    ("102111", 5.8),
    ("102121", 2.6),
    ("102201", 5.3),
    ("102211", 2.1),
    ("102221", 1.3),
    ("110000", 9.5),
    ("110001", 9.0),
    ("110010", 8.8),
    ("110011", 7.6),
    ("110020", 7.6),
    ("110021", 7.0),
    ("110100", 9.0),
    ("110101", 7.7),
    ("110110", 7.5),
    ("110111", 6.2),
    ("110120", 6.1),
    ("110121", 5.3),
    ("110200", 7.7),
    ("110201", 6.6),
    ("110210", 6.8),
    ("110211", 5.9),
    ("110220", 5.2),
    ("110221", 3.0),
    ("111000", 8.9),
    ("111001", 7.8),
    ("111010", 7.6),
    ("111011", 6.7),
    ("111020", 6.2),
    ("111021", 5.8),
    ("111100", 7.4),
    ("111101", 5.9),
    ("111110", 5.7),
    ("111111", 5.7),
    ("111120", 4.7),
    ("111121", 2.3),
    ("111200", 6.1),
    ("111201", 5.2),
    ("111210", 5.7),
    ("111211", 2.9),
    ("111220", 2.4),
    ("111221", 1.6),
    ("112001", 7.1),
    ("112011", 5.9),
    ("112021", 3.0),
    ("112101", 5.8),
    ("112111", 2.6),
    ("112121", 1.5),
    ("112201", 2.3),
    ("112211", 1.3),
    ("112221", 0.6),
    ("200000", 9.3),
    ("200001", 8.7),
    ("200010", 8.6),
    ("200011", 7.2),
    ("200020", 7.5),
    ("200021", 5.8),
    ("200100", 8.6),
    ("200101", 7.4),
    ("200110", 7.4),
    ("200111", 6.1),
    ("200120", 5.6),
    ("200121", 3.4),
    ("200200", 7.0),
    ("200201", 5.4),
    ("200210", 5.2),
    ("200211", 4.0),
    ("200220", 4.0),
    ("200221", 2.2),
    ("201000", 8.5),
    ("201001", 7.5),
    ("201010", 7.4),
    ("201011", 5.5),
    ("201020", 6.2),
    ("201021", 5.1),
    ("201100", 7.2),
    ("201101", 5.7),
    ("201110", 5.5),
    ("201111", 4.1),
    ("201120", 4.6),
    ("201121", 1.9),
    ("201200", 5.3),
    ("201201", 3.6),
    ("201210", 3.4),
    ("201211", 1.9),
    ("201220", 1.9),
    ("201221", 0.8),
    ("202001", 6.4),
    ("202011", 5.1),
    ("202021", 2.0),
    ("202101", 4.7),
    ("202111", 2.1),
    ("202121", 1.1),
    ("202201", 2.4),
    ("202211", 0.9),
    ("202221", 0.4),
    ("210000", 8.8),
    ("210001", 7.5),
    ("210010", 7.3),
    ("210011", 5.3),
    ("210020", 6.0),
    ("210021", 5.0),
    ("210100", 7.3),
    ("210101", 5.5),
    ("210110", 5.9),
    ("210111", 4.0),
    ("210120", 4.1),
    ("210121", 2.0),
    ("210200", 5.4),
    ("210201", 4.3),
    ("210210", 4.5),
    ("210211", 2.2),
    ("210220", 2.0),
    ("210221", 1.1),
    ("211000", 7.5),
    ("211001", 5.5),
    ("211010", 5.8),
    ("211011", 4.5),
    ("211020", 4.0),
    ("211021", 2.1),
    ("211100", 6.1),
    ("211101", 5.1),
    ("211110", 4.8),
    ("211111", 1.8),
    ("211120", 2.0),
    ("211121", 0.9),
    ("211200", 4.6),
    ("211201", 1.8),
    ("211210", 1.7),
    ("211211", 0.7),
    ("211220", 0.8),
    ("211221", 0.2),
    ("212001", 5.3),
    ("212011", 2.4),
    ("212021", 1.4),
    ("212101", 2.4),
    ("212111", 1.2),
    ("212121", 0.5),
    ("212201", 1.0),
    ("212211", 0.3),
    ("212221", 0.1),
];

fn lookup(mv: &[u8; 6]) -> Option<f64> {
    let key: String = mv.iter().map(|d| char::from(b'0' + d)).collect();
    LOOKUP
        .binary_search_by(|(k, _)| (*k).cmp(key.as_str()))
        .ok()
        .map(|i| LOOKUP[i].1)
}

/// The highest-severity vectors of each EQ level (the specification's "max composed"), as
/// metric:value lists.
fn max_composed(eq: usize, mv: &[u8; 6]) -> &'static [&'static str] {
    match (eq, mv[eq - 1]) {
        (1, 0) => &["AV:N/PR:N/UI:N"],
        (1, 1) => &["AV:A/PR:N/UI:N", "AV:N/PR:L/UI:N", "AV:N/PR:N/UI:P"],
        (1, _) => &["AV:P/PR:N/UI:N", "AV:A/PR:L/UI:P"],
        (2, 0) => &["AC:L/AT:N"],
        (2, _) => &["AC:H/AT:N", "AC:L/AT:P"],
        (3, _) => match (mv[2], mv[5]) {
            (0, 0) => &["VC:H/VI:H/VA:H/CR:H/IR:H/AR:H"],
            (0, _) => &[
                "VC:H/VI:H/VA:L/CR:M/IR:M/AR:H",
                "VC:H/VI:H/VA:H/CR:M/IR:M/AR:M",
            ],
            (1, 0) => &[
                "VC:L/VI:H/VA:H/CR:H/IR:H/AR:H",
                "VC:H/VI:L/VA:H/CR:H/IR:H/AR:H",
            ],
            (1, _) => &[
                "VC:L/VI:H/VA:L/CR:H/IR:M/AR:H",
                "VC:L/VI:H/VA:H/CR:H/IR:M/AR:M",
                "VC:H/VI:L/VA:H/CR:M/IR:H/AR:M",
                "VC:H/VI:L/VA:L/CR:M/IR:H/AR:H",
                "VC:L/VI:L/VA:H/CR:H/IR:H/AR:M",
            ],
            _ => &["VC:L/VI:L/VA:L/CR:H/IR:H/AR:H"],
        },
        (4, 0) => &["SC:H/SI:S/SA:S"],
        (4, 1) => &["SC:H/SI:H/SA:H"],
        (4, _) => &["SC:L/SI:L/SA:L"],
        (_, 0) => &["E:A"],
        (_, 1) => &["E:P"],
        _ => &["E:U"],
    }
}

/// Severity level of a metric value (0 is the most severe), in tenths.
fn level(metric: &str, value: &str) -> Option<f64> {
    let v = match (metric, value) {
        ("AV", "N") | ("PR", "N") | ("UI", "N") | ("AC", "L") | ("AT", "N") => 0.0,
        ("AV", "A") | ("PR", "L") | ("UI", "P") | ("AC", "H") | ("AT", "P") => 0.1,
        ("AV", "L") | ("PR", "H") | ("UI", "A") => 0.2,
        ("AV", "P") => 0.3,
        ("VC" | "VI" | "VA", "H") => 0.0,
        ("VC" | "VI" | "VA", "L") => 0.1,
        ("VC" | "VI" | "VA", "N") => 0.2,
        ("SI" | "SA", "S") => 0.0,
        ("SC" | "SI" | "SA", "H") => 0.1,
        ("SC" | "SI" | "SA", "L") => 0.2,
        ("SC" | "SI" | "SA", "N") => 0.3,
        ("CR" | "IR" | "AR", "H") => 0.0,
        ("CR" | "IR" | "AR", "M") => 0.1,
        ("CR" | "IR" | "AR", "L") => 0.2,
        _ => return None,
    };
    Some(v)
}

const BASE: [&str; 11] = [
    "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
];

/// The base metrics of a vector, checked.
fn parse(vector: &str) -> Result<HashMap<&str, &str>, String> {
    let mut parts = vector.trim().split('/');
    match parts.next() {
        Some("CVSS:4.0") => {}
        other => {
            return Err(format!(
                "`{}` is not a CVSS v4.0 vector prefix",
                other.unwrap_or("")
            ));
        }
    }
    let mut m = HashMap::new();
    for p in parts {
        let (k, v) = p
            .split_once(':')
            .ok_or_else(|| format!("`{p}` is not METRIC:VALUE"))?;
        if m.insert(k, v).is_some() {
            return Err(format!("the metric {k} is given twice"));
        }
    }
    for k in BASE {
        let v = m
            .get(k)
            .ok_or_else(|| format!("the vector lacks the base metric {k}"))?;
        // Safety (S) is a value of the environmental MSI/MSA only.
        if level(k, v).is_none() || *v == "S" {
            return Err(format!("{k}:{v} is not a valid CVSS v4.0 base value"));
        }
    }
    Ok(m)
}

/// EQ1 … EQ6 of a base vector (E = A, CR = IR = AR = H).
fn macrovector(m: &HashMap<&str, &str>) -> [u8; 6] {
    let g = |k: &str| m[k];
    let (av, pr, ui) = (g("AV"), g("PR"), g("UI"));
    let eq1 = if av == "N" && pr == "N" && ui == "N" {
        0
    } else if (av == "N" || pr == "N" || ui == "N") && av != "P" {
        1
    } else {
        2
    };
    let eq2 = if g("AC") == "L" && g("AT") == "N" {
        0
    } else {
        1
    };
    let (vc, vi, va) = (g("VC"), g("VI"), g("VA"));
    let eq3 = if vc == "H" && vi == "H" {
        0
    } else if vc == "H" || vi == "H" || va == "H" {
        1
    } else {
        2
    };
    let eq4 = if g("SC") == "H" || g("SI") == "H" || g("SA") == "H" {
        1
    } else {
        2
    };
    // With CR = IR = AR = H, EQ6 is 0 exactly when any vulnerable-system impact is High.
    let eq6 = if vc == "H" || vi == "H" || va == "H" {
        0
    } else {
        1
    };
    [eq1, eq2, eq3, eq4, 0, eq6]
}

/// The value of `metric` in the vector, with the base-only defaults for the others.
fn value_of<'a>(m: &HashMap<&str, &'a str>, metric: &str) -> &'a str {
    match metric {
        "CR" | "IR" | "AR" => "H",
        "E" => "A",
        k => m[k],
    }
}

/// Base score of a CVSS v4.0 vector such as `CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N`.
pub fn base_score(vector: &str) -> Result<f64, String> {
    let m = parse(vector)?;
    if ["VC", "VI", "VA", "SC", "SI", "SA"]
        .iter()
        .all(|k| m[k] == "N")
    {
        return Ok(0.0);
    }
    let mv = macrovector(&m);
    let value = lookup(&mv).ok_or("the vector's macrovector is not in the lookup table")?;
    let lower = |i: usize| {
        let mut n = mv;
        n[i] += 1;
        lookup(&n)
    };
    // The next lower macrovector along each dimension (EQ3 and EQ6 move together).
    let eq3eq6 = match (mv[2], mv[5]) {
        (0, 0) => [lower(5), lower(2)].into_iter().flatten().reduce(f64::max),
        (_, 0) => lower(5),
        (_, 1) if mv[2] < 2 => lower(2),
        _ => {
            let mut n = mv;
            n[2] += 1;
            n[5] += 1;
            lookup(&n)
        }
    };
    let next = [lower(0), lower(1), eq3eq6, lower(3), lower(4)];
    let distances = distances_to_max(&m, &mv);
    // Highest severity steps per EQ level (the specification's table), in tenths.
    let max_sev = [
        [1.0, 4.0, 5.0][mv[0] as usize],
        [1.0, 2.0][mv[1] as usize],
        match (mv[2], mv[5]) {
            (0, 0) => 7.0,
            (0, _) => 6.0,
            (1, _) => 8.0,
            _ => 10.0,
        },
        [6.0, 5.0, 4.0][mv[3] as usize],
        1.0,
    ];
    let mut sum = 0.0;
    let mut n = 0;
    for i in 0..5 {
        if let Some(lower) = next[i] {
            let available = value - lower;
            if available >= 0.0 {
                n += 1;
                // EQ5 has no intra-level distance for base vectors.
                if i < 4 {
                    sum += available * (distances[i] / (max_sev[i] * 0.1));
                }
            }
        }
    }
    let mean = if n == 0 { 0.0 } else { sum / f64::from(n) };
    let score = (value - mean).clamp(0.0, 10.0);
    Ok(round1(score))
}

/// The vector's severity distances (EQ1, EQ2, EQ3+EQ6, EQ4) from the first highest-severity
/// vector of its macrovector that it does not exceed in any metric.
fn distances_to_max(m: &HashMap<&str, &str>, mv: &[u8; 6]) -> [f64; 4] {
    let groups: [&[&str]; 4] = [
        &["AV", "PR", "UI"],
        &["AC", "AT"],
        &["VC", "VI", "VA", "CR", "IR", "AR"],
        &["SC", "SI", "SA"],
    ];
    let mut result = [0.0; 4];
    'candidates: for a in max_composed(1, mv) {
        for b in max_composed(2, mv) {
            for c in max_composed(3, mv) {
                for d in max_composed(4, mv) {
                    let max: HashMap<&str, &str> = [a, b, c, d]
                        .iter()
                        .flat_map(|s| s.split('/'))
                        .filter_map(|p| p.split_once(':'))
                        .collect();
                    let mut dist = [0.0; 4];
                    let mut negative = false;
                    for (g, metrics) in groups.iter().enumerate() {
                        for k in *metrics {
                            let here = level(k, value_of(m, k)).unwrap_or(0.0);
                            let top = level(k, max[k]).unwrap_or(0.0);
                            let d = here - top;
                            negative |= d < -1e-9;
                            dist[g] += d;
                        }
                    }
                    result = dist;
                    if !negative {
                        break 'candidates;
                    }
                }
            }
        }
    }
    result
}

/// One decimal, half away from zero, with a small epsilon against floating-point artefacts
/// (8.6 − 7.15 must round to 1.5).
fn round1(x: f64) -> f64 {
    ((x + 1e-6) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_of_the_specification() {
        let cases = [
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
                9.3,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                10.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N",
                6.9,
            ),
            (
                "CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N",
                1.0,
            ),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
                0.0,
            ),
        ];
        for (v, want) in cases {
            assert_eq!(base_score(v).unwrap(), want, "{v}");
        }
    }

    #[test]
    fn lookup_table_is_sorted_and_complete() {
        assert_eq!(LOOKUP.len(), 270);
        assert!(LOOKUP.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn threat_and_environmental_metrics_are_ignored() {
        let base = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        assert_eq!(
            base_score(&format!("{base}/E:U/CR:L")).unwrap(),
            base_score(base).unwrap()
        );
    }

    #[test]
    fn bad_vectors_are_rejected_with_a_reason() {
        assert!(base_score("CVSS:3.1/AV:N").unwrap_err().contains("prefix"));
        let e =
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N").unwrap_err();
        assert!(e.contains("SA"), "{e}");
        let e = base_score("CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
            .unwrap_err();
        assert!(e.contains("AV:X"), "{e}");
        let e = base_score("CVSS:4.0/AV:N/AV:N/AC:L").unwrap_err();
        assert!(e.contains("twice"), "{e}");
    }
}
