//! The database stops answering while the functions keep running: health turns 503,
//! every route answers a clean problem+json instead of hanging or a 500, nothing is
//! half-written, and everything recovers without restarting a function.
//!
//! The engine is frozen with SIGSTOP (its port accepts connections that never get an
//! answer, the worst case for a client) and thawed with SIGCONT. This test binary runs
//! alone, after the others (see local/test.sh), since it stops the shared engine.

use e2e::*;
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;
use std::process::Command;
use std::time::{Duration, Instant};

fn engine_pid() -> String {
    let state = std::env::var("STATE_DIR").expect("STATE_DIR of the running stack");
    std::fs::read_to_string(format!("{state}/pids/dynamodb"))
        .expect("engine pid")
        .trim()
        .to_string()
}

fn signal(sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &engine_pid()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill {sig} failed");
}

/// Thaws the engine even if an assertion fails, so later runs are not affected.
struct Frozen;

impl Frozen {
    fn engine() -> Self {
        signal("-STOP");
        Frozen
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        signal("-CONT");
    }
}

#[tokio::test]
async fn a_frozen_database_gives_clean_503s_and_recovery() {
    let admin = admin_token().await;
    let customer = new_customer().await;
    let product = create_product(&admin, "faults", 300, 7).await;
    let product_id = product["id"].as_str().unwrap().to_string();
    let deposit_path = format!("/profile/{}/wallet/deposit", customer.id);
    let deposit = || {
        send(
            request(Method::POST, &deposit_path, Some(&customer.token))
                .header("Idempotency-Key", "fault-deposit")
                .json(&json!({"amount_cents": 700})),
        )
    };
    // Warm the function instances, as they would be in production.
    get(&format!("/products/{product_id}"), None)
        .await
        .expect(200);
    get("/health/database", None).await.expect(200);

    let frozen = Frozen::engine();
    let started = Instant::now();
    let replies = join_all([
        Box::pin(get("/health/database", None))
            as std::pin::Pin<Box<dyn std::future::Future<Output = Reply>>>,
        Box::pin(get("/customers/health/database", None)),
        Box::pin(get(&format!("/products/{product_id}"), None)),
        Box::pin(get("/products", None)),
        Box::pin(login(&customer.email, &customer.password)),
        Box::pin(deposit()),
    ])
    .await;
    let elapsed = started.elapsed();
    for reply in &replies {
        assert_eq!(reply.status.as_u16(), 503, "{}", reply.text);
        if reply.body["tables"].is_array() {
            assert_eq!(reply.body["status"], "unavailable");
        } else {
            reply.problem(503);
        }
    }
    assert!(
        elapsed < Duration::from_secs(30),
        "answers took {elapsed:?}"
    );
    // A route without the database is still up.
    get("/health/status", None).await.expect(200);
    drop(frozen);

    // Recovery, with the same function instances.
    let deadline = Instant::now() + Duration::from_secs(30);
    while get("/health/database", None).await.status.as_u16() != 200 {
        assert!(Instant::now() < deadline, "no recovery");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(read_product(&product_id).await["stock"], 7);
    // The deposit that timed out may or may not have been applied; its retry with the
    // same key settles it, and the money is credited exactly once.
    let retried = deposit().await;
    assert_eq!(retried.expect(200)["wallet_balance_cents"], 700);
    let profile = get(&format!("/profile/{}", customer.id), Some(&customer.token)).await;
    assert_eq!(profile.expect(200)["wallet_balance_cents"], 700);
    login(&customer.email, &customer.password).await.expect(200);
}
