//! Properties of the run order `rigor plan`, `rigor run --changed` and `rigor ci` use
//! (`order_by_risk`): a permutation, suite by suite, risk descending, cheap first among equal
//! risks, and the same order whatever order the tests come in.

use proptest::prelude::*;
use rigor_model::TestKey;
use rigor_select::{OrderItem, order_by_risk, round_risk};

/// (suite rank, risk, estimated seconds) per test; ids are unique.
fn items() -> impl Strategy<Value = Vec<(usize, f64, f64)>> {
    proptest::collection::vec(
        (
            0usize..3,
            prop_oneof![Just(0.0), Just(0.5), Just(0.9), 0.0f64..1.0],
            prop_oneof![Just(0.1), Just(1.0), 0.0f64..5.0],
        ),
        0..40,
    )
}

fn keys(n: usize) -> Vec<TestKey> {
    (0..n)
        .map(|i| TestKey::new(format!("s{}", i % 2), format!("t{i}")))
        .collect()
}

fn order_items<'a>(v: &[(usize, f64, f64)], keys: &'a [TestKey]) -> Vec<OrderItem<'a>> {
    v.iter()
        .zip(keys)
        .map(|(&(suite_rank, risk, estimated_s), key)| OrderItem {
            suite_rank,
            key,
            risk,
            estimated_s,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_order_is_a_sorted_permutation(v in items()) {
        let keys = keys(v.len());
        let items = order_items(&v, &keys);
        let order = order_by_risk(&items);
        let mut seen = order.clone();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..items.len()).collect::<Vec<_>>());
        for w in order.windows(2) {
            let (a, b) = (&items[w[0]], &items[w[1]]);
            prop_assert!(a.suite_rank <= b.suite_rank, "suites run one after another");
            if a.suite_rank == b.suite_rank {
                prop_assert!(round_risk(a.risk) >= round_risk(b.risk), "higher risk first");
                if round_risk(a.risk) == round_risk(b.risk) {
                    prop_assert!(a.estimated_s <= b.estimated_s, "cheap first among equals");
                }
            }
        }
    }

    #[test]
    fn the_order_does_not_depend_on_the_input_order(v in items(), seed in any::<u64>()) {
        let keys = keys(v.len());
        let items = order_items(&v, &keys);
        let mut shuffled = items.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let ids = |items: &[OrderItem]| -> Vec<TestKey> {
            order_by_risk(items).into_iter().map(|i| items[i].key.clone()).collect()
        };
        prop_assert_eq!(ids(&items), ids(&shuffled));
    }
}
