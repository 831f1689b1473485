//! Shards across CI machines: LPT (longest processing time first, each to the least-loaded
//! shard), deterministic for the same tests and estimates on every machine.
//!
//! LPT's makespan is at most (4/3 − 1/(3m))·OPT (Graham 1969); the report compares it with the
//! lower bound max(longest test, total / m).

use std::fmt;
use thiserror::Error;

/// `K/N`: shard K (1-based) of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    pub index: usize,
    pub total: usize,
}

#[derive(Debug, Error, PartialEq)]
pub enum ShardError {
    #[error("invalid shard `{0}`\n  hint: write K/N with 1 <= K <= N, e.g. --shard 2/4")]
    Invalid(String),
    #[error("{var} is `{value}`, not a shard number\n  hint: {hint}")]
    Env {
        var: String,
        value: String,
        hint: String,
    },
}

impl fmt::Display for ShardSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}

impl ShardSpec {
    pub fn parse(text: &str) -> Result<ShardSpec, ShardError> {
        let bad = || ShardError::Invalid(text.to_string());
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: usize = k.trim().parse().map_err(|_| bad())?;
        let total: usize = n.trim().parse().map_err(|_| bad())?;
        if total == 0 || index == 0 || index > total {
            return Err(bad());
        }
        Ok(ShardSpec { index, total })
    }

    /// From CI variables: `RIGOR_SHARD=K/N`, or GitLab's `CI_NODE_INDEX` (1-based) and
    /// `CI_NODE_TOTAL` (set by `parallel:`).
    pub fn from_env(get: &dyn Fn(&str) -> Option<String>) -> Result<Option<ShardSpec>, ShardError> {
        if let Some(v) = get("RIGOR_SHARD").filter(|v| !v.is_empty()) {
            return ShardSpec::parse(&v).map(Some);
        }
        if let (Some(i), Some(n)) = (get("CI_NODE_INDEX"), get("CI_NODE_TOTAL")) {
            let parse = |var: &str, v: &str| {
                v.trim().parse::<usize>().map_err(|_| ShardError::Env {
                    var: var.into(),
                    value: v.into(),
                    hint: "GitLab sets CI_NODE_INDEX and CI_NODE_TOTAL with `parallel: N`".into(),
                })
            };
            let index = parse("CI_NODE_INDEX", &i)?;
            let total = parse("CI_NODE_TOTAL", &n)?;
            return ShardSpec::parse(&format!("{index}/{total}")).map(Some);
        }
        Ok(None)
    }
}

/// One shard: indices into the input (in run order: longest first) and its estimated load.
#[derive(Debug, Clone, PartialEq)]
pub struct Shard {
    pub items: Vec<usize>,
    pub load: f64,
}

/// Split `items` (key, estimated seconds) into `n` shards by LPT. Ties are broken by key, so the
/// result depends only on the set of (key, estimate) pairs, not on their order.
pub fn lpt(items: &[(String, f64)], n: usize) -> Vec<Shard> {
    let n = n.max(1);
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        items[b]
            .1
            .total_cmp(&items[a].1)
            .then_with(|| items[a].0.cmp(&items[b].0))
    });
    let mut shards = vec![
        Shard {
            items: Vec::new(),
            load: 0.0
        };
        n
    ];
    for i in order {
        let target = (0..n)
            .min_by(|&a, &b| shards[a].load.total_cmp(&shards[b].load).then(a.cmp(&b)))
            .expect("n >= 1");
        shards[target].items.push(i);
        shards[target].load += items[i].1.max(0.0);
    }
    shards
}

/// max(longest item, total / n): no split can finish before this.
pub fn lower_bound(items: &[(String, f64)], n: usize) -> f64 {
    let total: f64 = items.iter().map(|i| i.1.max(0.0)).sum();
    let longest = items.iter().map(|i| i.1).fold(0.0, f64::max);
    longest.max(total / n.max(1) as f64)
}

impl rigor_model::exit::HasExitCode for ShardError {
    fn exit_code(&self) -> i32 {
        rigor_model::exit::USAGE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_specs_and_ci_variables() {
        assert_eq!(
            ShardSpec::parse("2/4").unwrap(),
            ShardSpec { index: 2, total: 4 }
        );
        assert!(ShardSpec::parse("0/4").is_err());
        assert!(ShardSpec::parse("5/4").is_err());
        assert!(
            ShardSpec::parse("x")
                .unwrap_err()
                .to_string()
                .contains("hint")
        );
        let env = |k: &str| match k {
            "CI_NODE_INDEX" => Some("3".to_string()),
            "CI_NODE_TOTAL" => Some("5".to_string()),
            _ => None,
        };
        assert_eq!(
            ShardSpec::from_env(&env).unwrap(),
            Some(ShardSpec { index: 3, total: 5 })
        );
        let none = |_: &str| None;
        assert_eq!(ShardSpec::from_env(&none).unwrap(), None);
    }

    #[test]
    fn lpt_balances_a_known_case() {
        let items: Vec<(String, f64)> = [7.0, 6.0, 5.0, 4.0, 3.0, 3.0]
            .iter()
            .enumerate()
            .map(|(i, d)| (format!("t{i}"), *d))
            .collect();
        let shards = lpt(&items, 2);
        let loads: Vec<f64> = shards.iter().map(|s| s.load).collect();
        assert_eq!(loads, vec![14.0, 14.0]);
        assert_eq!(lower_bound(&items, 2), 14.0);
    }

    fn arb_items() -> impl Strategy<Value = Vec<(String, f64)>> {
        proptest::collection::vec(0.0f64..100.0, 0..60).prop_map(|d| {
            d.into_iter()
                .enumerate()
                .map(|(i, d)| (format!("test_{i:03}"), d))
                .collect()
        })
    }

    fn brute_force_opt(items: &[(String, f64)], n: usize) -> f64 {
        let mut best = f64::INFINITY;
        let k = items.len();
        let mut assign = vec![0usize; k];
        loop {
            let mut loads = vec![0.0; n];
            for (i, a) in assign.iter().enumerate() {
                loads[*a] += items[i].1;
            }
            best = best.min(loads.iter().cloned().fold(0.0, f64::max));
            let mut pos = 0;
            loop {
                if pos == k {
                    return best;
                }
                assign[pos] += 1;
                if assign[pos] < n {
                    break;
                }
                assign[pos] = 0;
                pos += 1;
            }
        }
    }

    proptest! {
        /// Shards are disjoint and together cover every item exactly once.
        #[test]
        fn shards_partition_the_items(items in arb_items(), n in 1usize..9) {
            let shards = lpt(&items, n);
            prop_assert_eq!(shards.len(), n);
            let mut seen: Vec<usize> = shards.iter().flat_map(|s| s.items.clone()).collect();
            seen.sort();
            prop_assert_eq!(seen, (0..items.len()).collect::<Vec<_>>());
        }

        /// The same (key, estimate) pairs give the same shards whatever their input order
        /// (two clones with the same history plan the same split).
        #[test]
        fn shards_do_not_depend_on_input_order(items in arb_items(), n in 1usize..9, seed in any::<u64>()) {
            let mut shuffled = items.clone();
            let len = shuffled.len();
            let mut s = seed | 1;
            for i in (1..len).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                shuffled.swap(i, (s % (i as u64 + 1)) as usize);
            }
            let keys = |v: &[(String, f64)], sh: &[Shard]| -> Vec<Vec<String>> {
                sh.iter().map(|s| { let mut k: Vec<String> = s.items.iter().map(|&i| v[i].0.clone()).collect(); k.sort(); k }).collect()
            };
            prop_assert_eq!(keys(&items, &lpt(&items, n)), keys(&shuffled, &lpt(&shuffled, n)));
        }

        /// LPT is within Graham's bound of the optimum (checked by brute force on small cases)
        /// and never worse than twice the lower bound.
        #[test]
        fn lpt_is_within_grahams_bound(d in proptest::collection::vec(1.0f64..50.0, 1..8), n in 1usize..4) {
            let items: Vec<(String, f64)> = d.into_iter().enumerate().map(|(i, d)| (format!("t{i}"), d)).collect();
            let makespan = lpt(&items, n).iter().map(|s| s.load).fold(0.0, f64::max);
            let opt = brute_force_opt(&items, n);
            let bound = 4.0 / 3.0 - 1.0 / (3.0 * n as f64);
            prop_assert!(makespan <= bound * opt + 1e-9, "makespan {} opt {}", makespan, opt);
            prop_assert!(makespan <= 2.0 * lower_bound(&items, n) + 1e-9);
            prop_assert!(makespan + 1e-9 >= lower_bound(&items, n));
        }
    }
}
