//! Handler time of `GET /recommendations/{customer_id}` and `GET /products/{id}/similar`
//! on all of the evaluation kit's training purchases, without database round-trips: the
//! handlers run in-process on the table doubles, holding the model a refresh fits. A
//! benchmark rather than a test (it prints figures, asserts only the answers), so it runs
//! on request, in release:
//!
//!   cargo test --release -p reviews handler_latency -- --ignored --nocapture
//!
//! `EVALUATION_KIT` points at the kit (default `../shared/data` beside the repository).

use crate::memory::{MemoryPeers, MemoryReco};
use crate::reco_store::{Recommendations, StoredInteraction};
use crate::State;
use edge::auth::Role;
use lambda_http::http::Method;
use reco::eval::{last_basket_split, parse_interactions, Split};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use testkit::{keys, token, Call, Reply};

/// p50 and p99 of `times`, in ms.
fn percentiles(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.50), at(0.99))
}

#[tokio::test]
#[ignore = "a benchmark on the evaluation kit's data: run it with --ignored, in release"]
async fn handler_latency() {
    let kit = std::env::var("EVALUATION_KIT")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").into());
    let path = format!("{kit}/online_retail_uci/interactions.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let Split { train, users, .. } = last_basket_split(&parse_interactions(&text).unwrap());

    // The platform's ids are ULIDs: one for each of the file's customers and products.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut id = |kind: &str, external: &str| {
        ids.entry(format!("{kind}:{external}"))
            .or_insert_with(edge::ids::new_id)
            .clone()
    };
    let reco = MemoryReco::default();
    let mut peers = MemoryPeers::default();
    let stored: Vec<StoredInteraction> = train
        .iter()
        .enumerate()
        .map(|(n, row)| StoredInteraction {
            event_id: format!("sale-{n}"),
            customer_id: id("customer", &row.customer),
            product_id: id("product", &row.product),
            time: row.time,
            strength: row.strength,
            source: "purchase".into(),
        })
        .collect();
    for row in &stored {
        peers.customers.insert(row.customer_id.clone());
        peers.live.insert(row.product_id.clone());
    }
    reco.record_all(&stored).await.unwrap();
    reco.refit();
    let admin = token(&edge::ids::new_id(), Role::Admin);

    let state = State::assemble("get_recommendations", reco.clone(), peers.clone(), keys());
    let mut times = Vec::new();
    for user in &users {
        let request = Call::new(Method::GET)
            .path("customer_id", &id("customer", user))
            .bearer(&admin)
            .build();
        let started = Instant::now();
        let reply = Reply::of(crate::recommendations::get_recommendations(&state, request).await);
        times.push(started.elapsed());
        assert_eq!(reply.expect(200)["items"].as_array().unwrap().len(), 10);
    }
    let (p50, p99) = percentiles(times);
    println!(
        "GET /recommendations: {} customers, p50 {p50:.3} ms, p99 {p99:.3} ms",
        users.len()
    );

    let state = State::assemble("similar_products", reco, peers.clone(), keys());
    let mut times = Vec::new();
    for product in &peers.live {
        let request = Call::new(Method::GET).path("id", product).build();
        let started = Instant::now();
        let reply = Reply::of(crate::recommendations::similar_products(&state, request).await);
        times.push(started.elapsed());
        reply.expect(200);
    }
    let (p50, p99) = percentiles(times);
    println!(
        "GET /products/{{id}}/similar: {} products, p50 {p50:.3} ms, p99 {p99:.3} ms",
        peers.live.len()
    );
}
