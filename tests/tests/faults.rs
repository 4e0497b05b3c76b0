//! The database stops answering while the functions keep running: health turns 503,
//! every route answers a clean problem+json instead of hanging or a 500, nothing is
//! half-written, and everything recovers without restarting a function.
//!
//! The engine is frozen with SIGSTOP (its port accepts connections that never get an
//! answer, the worst case for a client) and thawed with SIGCONT. This test binary runs
//! alone, after the others (see local/test.sh), since it stops the shared engine.
#![cfg(feature = "stack")]

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

/// Sets a service link (see local/faultproxy.py) to `up`, `refuse` or `hang` (or only its
/// writes: `refuse-writes`, `hang-writes`, so that a buyer's session check, a read, still
/// passes while the charge fails), or the
/// database link (local/dblink.py) to `up`, `throttle` or `throttle-all`.
fn link(name: &str, mode: &str) {
    let state = std::env::var("STATE_DIR").expect("STATE_DIR of the running stack");
    std::fs::write(format!("{state}/links/{name}"), mode).unwrap();
}

/// Puts the links back up even if an assertion fails.
struct Links;

impl Drop for Links {
    fn drop(&mut self) {
        link("inventory", "up");
        link("customers", "up");
        link("reviews", "up");
        link("dynamodb", "up");
        link("eventbus", "up");
    }
}

/// Runs the reconciler once, after every pending sale's deadline has passed.
async fn reconcile() -> serde_json::Value {
    let deadline: u64 = std::env::var("SALE_DEADLINE_SECONDS")
        .unwrap_or("60".into())
        .parse()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(deadline + 1)).await;
    run_reconciler()
}

/// Runs the reconciler once, now.
fn run_reconciler() -> serde_json::Value {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let output = Command::new(format!("{target}/debug/reconcile_sales"))
        .output()
        .expect("reconciler");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("reconciler report")
}

#[tokio::test]
async fn inventory_down_before_the_reservation_moves_nothing() {
    let _links = Links;
    let f = shop("saga-faults", 200, 5, 1_000).await;
    let key = format!("inv-down-{}", unique());
    link("inventory", "refuse");
    buy(&f.buyer, &f.product_id, 2, Some(&key))
        .await
        .problem(503);
    link("inventory", "up");
    assert_eq!(stock(&f.product_id).await, 5);
    assert_eq!(wallet(&f.buyer).await, 1_000);
    // After a 503, a retry with the same key tries again, and buys once.
    buy(&f.buyer, &f.product_id, 2, Some(&key))
        .await
        .expect(201);
    buy(&f.buyer, &f.product_id, 2, Some(&key))
        .await
        .expect(201);
    assert_eq!(stock(&f.product_id).await, 3);
    assert_eq!(wallet(&f.buyer).await, 600);
}

/// A purchase whose reservation and release Inventory both carried out, their answers lost,
/// answers 503 and leaves its sale pending; a retry with the key seconds later, before the
/// sale's deadline, completes the purchase (it met the release's tombstone and replayed
/// 409 for ever before), and buys once.
#[tokio::test]
async fn a_retry_completes_a_purchase_whose_answers_were_lost() {
    let _links = Links;
    let f = shop("saga-faults", 200, 5, 1_000).await;
    let key = format!("lost-{}", unique());
    link("inventory", "lose-answers");
    buy(&f.buyer, &f.product_id, 2, Some(&key))
        .await
        .problem(503);
    link("inventory", "up");
    let first = buy(&f.buyer, &f.product_id, 2, Some(&key)).await;
    let sale = first.expect(201).clone();
    assert_eq!(sale["status"], "completed");
    let again = buy(&f.buyer, &f.product_id, 2, Some(&key)).await;
    assert_eq!(again.expect(201)["id"], sale["id"]);
    assert_eq!(stock(&f.product_id).await, 3);
    assert_eq!(wallet(&f.buyer).await, 600);
    // Nothing is left for the reconciler to take back.
    let report = reconcile().await;
    assert_eq!(report["still_pending"], 0, "{report}");
    assert_eq!(stock(&f.product_id).await, 3);
    assert_eq!(wallet(&f.buyer).await, 600);
}

/// Two requests with one key at once (a retry while the first is still in its saga),
/// while Inventory's answers are lost: whichever gives up claims the sale before undoing
/// it, so neither undoes what the other completed; a last retry with the key answers the
/// one purchase, and stock and money agree with it.
#[tokio::test]
async fn two_attempts_with_one_key_under_lost_answers_buy_at_most_once() {
    let _links = Links;
    let f = shop("saga-faults", 200, 5, 1_000).await;
    let key = format!("twice-{}", unique());
    link("inventory", "lose-answers");
    let (first, second, ()) = tokio::join!(
        buy(&f.buyer, &f.product_id, 2, Some(&key)),
        async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            buy(&f.buyer, &f.product_id, 2, Some(&key)).await
        },
        async {
            tokio::time::sleep(Duration::from_secs(3)).await;
            link("inventory", "up");
        },
    );
    for reply in [first, second] {
        let status = reply.status.as_u16();
        assert!(matches!(status, 201 | 503), "{status}: {}", reply.text);
    }
    let last = buy(&f.buyer, &f.product_id, 2, Some(&key)).await;
    assert_eq!(last.expect(201)["status"], "completed");
    let report = reconcile().await;
    assert_eq!(report["still_pending"], 0, "{report}");
    let history = get(
        &format!("/sales/history/{}", f.buyer.id),
        Some(&f.buyer.token),
    )
    .await;
    assert_eq!(history.expect(200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(stock(&f.product_id).await, 3);
    assert_eq!(wallet(&f.buyer).await, 600);
}

#[tokio::test]
async fn customers_down_at_the_charge_is_compensated_by_the_reconciler() {
    let _links = Links;
    let f = shop("saga-faults", 200, 5, 1_000).await;
    link("customers", "refuse-writes");
    // Stock was reserved, the charge got no answer, and the refund cannot be sent either:
    // the sale stays pending, with its stock held.
    buy(&f.buyer, &f.product_id, 2, None).await.problem(503);
    assert_eq!(stock(&f.product_id).await, 3);
    link("customers", "up");
    let report = reconcile().await;
    assert!(report["rolled_back"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["still_pending"], 0, "{report}");
    assert_eq!(stock(&f.product_id).await, 5);
    assert_eq!(wallet(&f.buyer).await, 1_000);
    let history = get(
        &format!("/sales/history/{}", f.buyer.id),
        Some(&f.buyer.token),
    )
    .await;
    assert!(history.expect(200)["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn inventory_down_during_compensation_is_finished_by_the_reconciler() {
    let _links = Links;
    let f = shop("saga-faults", 200, 5, 1_000).await;
    // The charge hangs, so the saga times out on it; meanwhile Inventory goes down, so
    // neither the refund's nor the release's answer can be had.
    link("customers", "hang-writes");
    let pending = tokio::spawn({
        let (token, product_id) = (f.buyer.token.clone(), f.product_id.clone());
        async move {
            send(
                request(Method::POST, "/sales", Some(&token))
                    .json(&json!({"product_id": product_id, "quantity": 1})),
            )
            .await
        }
    });
    tokio::time::sleep(Duration::from_secs(2)).await;
    link("inventory", "refuse");
    link("customers", "refuse-writes");
    pending.await.unwrap().problem(503);
    assert_eq!(
        stock(&f.product_id).await,
        4,
        "stock stays reserved until the reconciler runs"
    );
    // The reconciler cannot finish while a service is down, and says so.
    let report = reconcile().await;
    assert!(report["still_pending"].as_u64().unwrap() >= 1, "{report}");
    link("inventory", "up");
    link("customers", "up");
    let report = reconcile().await;
    assert_eq!(report["still_pending"], 0, "{report}");
    assert_eq!(stock(&f.product_id).await, 5);
    assert_eq!(wallet(&f.buyer).await, 1_000);
}

#[tokio::test]
async fn a_purchase_the_recommender_missed_is_delivered_by_the_reconciler() {
    let _links = Links;
    let admin = admin_token().await;
    let products = bought_together(&admin).await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    link("reviews", "refuse");
    // The purchase itself does not depend on the recommender.
    buy(&buyer, &products[0], 1, None).await.expect(201);
    link("reviews", "up");
    assert_eq!(
        recommendations(&buyer).await["source"],
        "popular",
        "the purchase was not reported yet"
    );
    let report = reconcile().await;
    assert!(report["delivered"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["undelivered"], 0, "{report}");
    let recs = recommendations(&buyer).await;
    assert_eq!(recs["source"], "personalized");
    assert_eq!(recommended(&recs).first(), Some(&products[1]));
    assert!(!recommended(&recs).contains(&products[0]));
}

/// Purchases cut short by an outage of Customers (stock reserved, charge and refund
/// without an answer) are retried with their keys while the reconciler rolls them back,
/// all at once: whichever claims a sale first decides it, and a sale ends completed with
/// one charge and one stock decrement, or failed with none.
#[tokio::test]
async fn retries_racing_the_reconciler_take_stock_and_money_once() {
    const SALES: usize = 4;
    let _links = Links;
    let f = shop("saga-faults", 200, 10, 2_000).await;
    let keys: Vec<String> = (0..SALES)
        .map(|n| format!("race-{n}-{}", unique()))
        .collect();
    link("customers", "refuse-writes");
    for key in &keys {
        buy(&f.buyer, &f.product_id, 2, Some(key))
            .await
            .problem(503);
    }
    link("customers", "up");
    assert_eq!(stock(&f.product_id).await, 10 - 2 * SALES as i64, "held");
    let deadline: u64 = std::env::var("SALE_DEADLINE_SECONDS")
        .unwrap_or("60".into())
        .parse()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(deadline + 1)).await;

    let reconciler = tokio::task::spawn_blocking(run_reconciler);
    let retries = join_all(
        keys.iter()
            .map(|key| buy(&f.buyer, &f.product_id, 2, Some(key))),
    )
    .await;
    let report = reconciler.await.unwrap();
    for reply in &retries {
        match reply.status.as_u16() {
            201 => {}
            503 => {
                reply.problem(503);
            }
            other => panic!("{other}: {}", reply.text),
        }
    }
    // Whatever a retry left (it may have started a new attempt) is settled now.
    let report_after = reconcile().await;
    assert_eq!(report_after["still_pending"], 0, "{report} {report_after}");

    let history = get(
        &format!("/sales/history/{}?limit=100", f.buyer.id),
        Some(&f.buyer.token),
    )
    .await;
    let completed = history.expect(200)["items"].as_array().unwrap().clone();
    let sold: i64 = completed
        .iter()
        .map(|s| s["quantity"].as_i64().unwrap())
        .sum();
    let spent: i64 = completed
        .iter()
        .map(|s| s["total_cents"].as_i64().unwrap())
        .sum();
    assert!(completed.len() <= SALES, "{completed:?}");
    assert_eq!(stock(&f.product_id).await, 10 - sold, "stock: {report}");
    assert_eq!(wallet(&f.buyer).await, 2_000 - spent, "money: {report}");
    // Every retry that answered 201 names a completed sale, and replays it.
    for (key, reply) in keys.iter().zip(&retries) {
        if reply.status.as_u16() == 201 {
            let id = &reply.body["id"];
            assert!(
                completed.iter().any(|s| &s["id"] == id),
                "{id} not in history"
            );
            let again = buy(&f.buyer, &f.product_id, 2, Some(key)).await;
            assert_eq!(&again.expect(201)["id"], id);
        }
    }
}

/// How many calls the database link has answered with ThrottlingException so far.
fn throttled_so_far() -> u64 {
    let state = std::env::var("STATE_DIR").expect("STATE_DIR of the running stack");
    std::fs::read_to_string(format!("{state}/links/dynamodb.throttled"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap_or(0)
}

#[tokio::test]
async fn throttled_database_calls_are_retried_with_backoff() {
    let _links = Links;
    let f = shop("saga-faults", 250, 10, 10_000).await;
    let product_path = format!("/products/{}", f.product_id);
    let before = throttled_so_far();
    // The first attempt of every call is throttled: the SDK's retries absorb it, callers
    // see nothing.
    link("dynamodb", "throttle");
    for _ in 0..4 {
        get(&product_path, None).await.expect(200);
    }
    get(&format!("/profile/{}", f.buyer.id), Some(&f.buyer.token))
        .await
        .expect(200);
    buy(&f.buyer, &f.product_id, 2, None).await.expect(201);
    let throttled = throttled_so_far() - before;
    assert!(throttled >= 6, "only {throttled} calls were throttled");
    // Throttled for good: after its retries a function answers 503, and the purchase
    // leaves nothing behind.
    link("dynamodb", "throttle-all");
    let started = Instant::now();
    get(&product_path, None).await.problem(503);
    let key = format!("throttled-{}", unique());
    buy(&f.buyer, &f.product_id, 1, Some(&key))
        .await
        .problem(503);
    assert!(started.elapsed() < Duration::from_secs(30));
    link("dynamodb", "up");
    assert_eq!(stock(&f.product_id).await, 8);
    assert_eq!(wallet(&f.buyer).await, 9_500);
    buy(&f.buyer, &f.product_id, 1, Some(&key))
        .await
        .expect(201);
    assert_eq!(stock(&f.product_id).await, 7);
    assert_eq!(wallet(&f.buyer).await, 9_250);
}

#[tokio::test]
async fn the_database_stopping_under_a_purchase_load_loses_and_duplicates_nothing() {
    const STOCK: i64 = 100;
    const PRICE: i64 = 100;
    const MONEY: i64 = 10_000;
    let admin = admin_token().await;
    let product = create_product(&admin, "load-faults", PRICE, STOCK).await;
    let product_id = product["id"].as_str().unwrap().to_string();
    let mut buyers = Vec::new();
    for _ in 0..6 {
        let buyer = new_customer().await;
        fund(&buyer, MONEY).await;
        buyers.push(buyer);
    }
    get("/health/database", None).await.expect(200);

    let shopping = buyers.iter().enumerate().map(|(n, buyer)| {
        let product_id = product_id.clone();
        async move {
            let mut statuses = Vec::new();
            for round in 0..8 {
                let started = Instant::now();
                let reply = buy(buyer, &product_id, 1 + (n + round) as i64 % 3, None).await;
                assert!(
                    started.elapsed() < Duration::from_secs(35),
                    "a purchase hung"
                );
                let status = reply.status.as_u16();
                assert!(
                    matches!(status, 201 | 402 | 409 | 503),
                    "{status}: {}",
                    reply.text
                );
                if status != 201 {
                    reply.problem(status);
                }
                statuses.push(status);
                tokio::time::sleep(Duration::from_millis(400)).await;
            }
            statuses
        }
    });
    let outage = async {
        tokio::time::sleep(Duration::from_millis(1_000)).await;
        // Longer than a function's whole retry budget (5 s), so that some purchases fail.
        let frozen = Frozen::engine();
        tokio::time::sleep(Duration::from_secs(8)).await;
        drop(frozen);
    };
    let (statuses, ()) = futures::join!(join_all(shopping), outage);
    let statuses: Vec<u16> = statuses.into_iter().flatten().collect();
    assert!(statuses.contains(&201), "nothing sold: {statuses:?}");
    assert!(
        statuses.contains(&503),
        "the outage was not felt: {statuses:?}"
    );

    // Sales the outage left pending are finished by the reconciler.
    let report = reconcile().await;
    assert_eq!(report["still_pending"], 0, "{report}");
    let mut sold = 0;
    for buyer in &buyers {
        let history = get(
            &format!("/sales/history/{}?limit=100", buyer.id),
            Some(&buyer.token),
        )
        .await;
        let mut spent = 0;
        for sale in history.expect(200)["items"].as_array().unwrap() {
            assert_eq!(sale["status"], "completed");
            sold += sale["quantity"].as_i64().unwrap();
            spent += sale["total_cents"].as_i64().unwrap();
        }
        assert_eq!(wallet(buyer).await, MONEY - spent, "money not conserved");
    }
    let left = stock(&product_id).await;
    assert!(left >= 0);
    assert_eq!(left + sold, STOCK, "stock not conserved");
}

/// An order of two lines with a service down at each step: after recovery (and the
/// reconciler), each line's stock and the wallet are as if nothing had happened, or as
/// after one purchase.
#[tokio::test]
async fn an_order_of_several_lines_survives_a_service_down_at_each_step() {
    let _links = Links;
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let lamp = create_product(&admin, "order-faults", 100, 5).await;
    let desk = create_product(&admin, "order-faults", 200, 5).await;
    let (lamp, desk) = (lamp["id"].as_str().unwrap(), desk["id"].as_str().unwrap());
    let lines = [(lamp, 2), (desk, 1)];

    // Inventory down at the reservation: nothing moves; the retry with the key buys once.
    let key = unique();
    link("inventory", "refuse");
    buy_items(&buyer, &lines, Some(&key)).await.problem(503);
    link("inventory", "up");
    assert_eq!(
        (stock(lamp).await, stock(desk).await, wallet(&buyer).await),
        (5, 5, 1_000)
    );
    buy_items(&buyer, &lines, Some(&key)).await.expect(201);
    buy_items(&buyer, &lines, Some(&key)).await.expect(201);
    assert_eq!(
        (stock(lamp).await, stock(desk).await, wallet(&buyer).await),
        (3, 4, 600)
    );

    // Customers down at the charge: every line's stock stays held until the reconciler
    // gives it all back.
    link("customers", "refuse-writes");
    buy_items(&buyer, &lines, None).await.problem(503);
    assert_eq!((stock(lamp).await, stock(desk).await), (1, 3));
    link("customers", "up");
    let report = reconcile().await;
    assert_eq!(report["still_pending"], 0, "{report}");
    assert_eq!(
        (stock(lamp).await, stock(desk).await, wallet(&buyer).await),
        (3, 4, 600)
    );
}

/// A refund with a service down at its credit, then at its restock: the refund is
/// recorded (202, pending), and the reconciler finishes it once: wallet + charges −
/// refunds and stock + sold − restocked are what they were.
#[tokio::test]
async fn a_refund_interrupted_at_each_step_is_finished_once_by_the_reconciler() {
    let _links = Links;
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let lamp = create_product(&admin, "refund-faults", 100, 5).await;
    let desk = create_product(&admin, "refund-faults", 200, 5).await;
    let (lamp, desk) = (lamp["id"].as_str().unwrap(), desk["id"].as_str().unwrap());
    let sale = buy_items(&buyer, &[(lamp, 3), (desk, 2)], None)
        .await
        .expect(201)
        .clone();
    let sale_id = sale["id"].as_str().unwrap();
    assert_eq!(wallet(&buyer).await, 300);

    for (service, mode) in [("customers", "refuse-writes"), ("inventory", "refuse")] {
        link(service, mode);
        let pending = refund(&admin, sale_id, &[(lamp, 1), (desk, 1)], true, None).await;
        let pending = pending.expect(202).clone();
        assert_eq!(pending["status"], "pending", "{service}");
        link(service, "up");
        let report = reconcile().await;
        assert_eq!(report["refunds_pending"], 0, "{service}: {report}");
        assert!(
            report["refunds_finished"].as_u64().unwrap() >= 1,
            "{service}: {report}"
        );
        let read = get(&format!("/sales/{sale_id}"), Some(&admin))
            .await
            .expect(200)
            .clone();
        let refunds = read["refunds"].as_array().unwrap();
        assert!(refunds.iter().all(|r| r["status"] == "completed"), "{read}");
        // Finishing again gives nothing twice.
        run_reconciler();
    }
    // Two refunds of one lamp and one desk each: 600 back, 2 + 2 units restocked.
    assert_eq!(wallet(&buyer).await, 900);
    assert_eq!((stock(lamp).await, stock(desk).await), (4, 5));
}

#[tokio::test]
async fn an_event_bus_outage_delays_the_events_and_loses_or_repeats_none() {
    let _links = Links;
    let f = shop("saga-faults", 100, 10, 1_000).await;
    link("eventbus", "down");
    let sale = buy(&f.buyer, &f.product_id, 1, None)
        .await
        .expect(201)
        .clone();
    let sale_id = sale["id"].as_str().unwrap();
    // The purchase does not wait for the bus; its event waits for the bus: the events
    // function reports the record failed, and it is retried.
    let refused = |lines: &[serde_json::Value]| {
        lines.iter().any(|l| {
            l["fields"]["message"] == "stream record not published; retried from here"
                && l["fields"]["why"]
                    .as_str()
                    .is_some_and(|w| w.contains("PutEvents"))
        })
    };
    let before = stack_log("functions.log").len();
    stack_log_until("functions.log", |lines| {
        refused(&lines[before.min(lines.len())..])
    })
    .await;
    assert!(bus_events("SaleCompleted", "sale_id", sale_id).is_empty());
    link("eventbus", "up");
    let events = bus_events_settled("SaleCompleted", "sale_id", sale_id).await;
    assert_eq!(events.len(), 1, "{events:?}");
}
