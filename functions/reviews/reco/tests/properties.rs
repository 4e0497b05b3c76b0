//! Properties of the fit and the scorer over random purchase histories.

use proptest::prelude::*;
use reco::{fit, recommend, Event, Interaction, Params};
use std::collections::HashSet;

const DAY: i64 = 86_400;

fn interactions() -> impl Strategy<Value = Vec<Interaction>> {
    proptest::collection::vec(
        (0..12u8, 0..20u8, 0..400i64, 1..=5u8).prop_map(|(c, p, day, strength)| Interaction {
            customer: format!("c{c}"),
            product: format!("p{p}"),
            time: 1_300_000_000 + day * DAY,
            strength: f32::from(strength),
        }),
        0..150,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn neighbour_lists_are_bounded_finite_and_never_self(rows in interactions()) {
        let params = Params::default();
        let model = fit(&rows, &params);
        for (product, list) in &model.neighbours {
            prop_assert!(list.len() <= params.neighbours);
            let mut seen = HashSet::new();
            for n in list {
                prop_assert_ne!(&n.product, product);
                prop_assert!(n.similarity.is_finite() && n.similarity > 0.0);
                prop_assert!(seen.insert(&n.product), "duplicate neighbour");
            }
        }
        for (_, score) in &model.popular {
            prop_assert!(score.is_finite() && *score >= 0.0);
        }
    }

    #[test]
    fn recommendations_are_ranked_new_and_not_excluded(
        rows in interactions(),
        customer in 0..12u8,
        k in 1..15usize,
        excluded in proptest::collection::hash_set(0..20u8, 0..4),
    ) {
        let params = Params::default();
        let model = fit(&rows, &params);
        let me = format!("c{customer}");
        let history: Vec<Event> = rows
            .iter()
            .filter(|r| r.customer == me)
            .map(|r| Event { product: r.product.clone(), time: r.time, strength: r.strength })
            .collect();
        let excluded: HashSet<String> = excluded.iter().map(|p| format!("p{p}")).collect();
        let recs = recommend(&model, &model.popular, &history, &params, k, |p| excluded.contains(p));

        prop_assert!(recs.items.len() <= k);
        let owned: HashSet<&str> = history.iter().map(|e| e.product.as_str()).collect();
        let mut listed = HashSet::new();
        for (product, score) in &recs.items {
            prop_assert!(!owned.contains(product.as_str()), "recommended a product already bought");
            prop_assert!(!excluded.contains(product), "recommended an excluded product");
            prop_assert!(listed.insert(product), "listed twice");
            prop_assert!(score.is_finite() && *score >= 0.0);
        }
        for pair in recs.items.windows(2) {
            prop_assert!(pair[0].1 >= pair[1].1, "not ranked: {:?}", pair);
        }
        // Popular products fill the list whenever enough of them are new to the customer.
        let candidates = model
            .popular
            .iter()
            .filter(|(p, _)| !owned.contains(p.as_str()) && !excluded.contains(p))
            .count();
        prop_assert!(recs.items.len() >= k.min(candidates));
    }
}
