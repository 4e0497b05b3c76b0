//! Sales end to end: the purchase saga, its invariants under concurrency, history.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;
use serde_json::json;

#[tokio::test]
async fn a_purchase_takes_stock_and_money_once_and_is_in_history() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let product = create_product(&admin, "sales", 1_250, 10).await;
    let id = product["id"].as_str().unwrap();
    let reply = buy(&buyer, id, 3, None).await;
    let sale = reply.expect(201).clone();
    assert_eq!(sale["status"], "completed");
    assert_eq!(sale["unit_price_cents"], 1_250);
    assert_eq!(sale["total_cents"], 3_750);
    assert_eq!(sale["customer_id"], buyer.id);
    assert_eq!(stock(id).await, 7);
    assert_eq!(wallet(&buyer).await, 6_250);
    let sale_id = sale["id"].as_str().unwrap();
    assert!(reply.header("location").unwrap().ends_with(sale_id));

    // Readable by its buyer and admins only.
    get(&format!("/sales/{sale_id}"), Some(&buyer.token))
        .await
        .expect(200);
    get(&format!("/sales/{sale_id}"), Some(&admin))
        .await
        .expect(200);
    let other = new_customer().await;
    get(&format!("/sales/{sale_id}"), Some(&other.token))
        .await
        .problem(404);
    get(&format!("/sales/{sale_id}"), None).await.problem(401);
    get("/sales/not-an-id", Some(&buyer.token))
        .await
        .problem(404);

    let history = get(&format!("/sales/history/{}", buyer.id), Some(&buyer.token)).await;
    assert_eq!(history.expect(200)["items"][0]["id"], sale_id);
    get(&format!("/sales/history/{}", buyer.id), Some(&other.token))
        .await
        .problem(403);
    get(&format!("/sales/history/{}", buyer.id), Some(&admin))
        .await
        .expect(200);
}

#[tokio::test]
async fn the_price_comes_from_inventory() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let product = create_product(&admin, "sales", 500, 10).await;
    let id = product["id"].as_str().unwrap();
    post(
        "/sales",
        Some(&buyer.token),
        &json!({"product_id": id, "quantity": 1, "unit_price_cents": 1}),
    )
    .await
    .problem(400);
    post(
        &format!("/products/{id}/update"),
        Some(&admin),
        &json!({"price_cents": 700}),
    )
    .await
    .expect(200);
    assert_eq!(
        buy(&buyer, id, 1, None).await.expect(201)["total_cents"],
        700
    );
}

#[tokio::test]
async fn failed_purchases_leave_no_trace() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let product = create_product(&admin, "sales", 600, 2).await;
    let id = product["id"].as_str().unwrap();
    // Unknown product, out of stock, not enough money, bad quantities.
    buy(&buyer, &ulid::Ulid::new().to_string(), 1, None)
        .await
        .problem(404);
    buy(&buyer, "not-an-id", 1, None).await.problem(404);
    buy(&buyer, id, 3, None).await.problem(409);
    buy(&buyer, id, 2, None).await.problem(402);
    buy(&buyer, id, 0, None).await.problem(422);
    buy(&buyer, id, 101, None).await.problem(422);
    assert_eq!(stock(id).await, 2);
    assert_eq!(wallet(&buyer).await, 1_000);
    // A deleted product cannot be bought.
    delete(&format!("/products/{id}"), Some(&admin)).await;
    buy(&buyer, id, 1, None).await.problem(404);
    assert_eq!(stock(id).await, 2);
    assert_eq!(wallet(&buyer).await, 1_000);
    let history = get(&format!("/sales/history/{}", buyer.id), Some(&buyer.token)).await;
    assert!(history.expect(200)["items"].as_array().unwrap().is_empty());
    // Only customers and admins buy.
    post("/sales", None, &json!({"product_id": id, "quantity": 1}))
        .await
        .problem(401);
    post(
        "/sales",
        Some(&service_token("sales")),
        &json!({"product_id": id, "quantity": 1}),
    )
    .await
    .problem(401);
}

/// A product priced 0 is free, not unbuyable: the sale completes with total 0 from an
/// empty wallet, and takes its stock.
#[tokio::test]
async fn a_free_product_can_be_bought_from_an_empty_wallet() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    let product = create_product(&admin, "free", 0, 3).await;
    let id = product["id"].as_str().unwrap();
    let sale = buy(&buyer, id, 2, None).await;
    let sale = sale.expect(201);
    assert_eq!(
        (sale["status"].as_str(), sale["total_cents"].as_i64()),
        (Some("completed"), Some(0))
    );
    assert_eq!(stock(id).await, 1);
    assert_eq!(wallet(&buyer).await, 0);
}

#[tokio::test]
async fn retries_with_one_idempotency_key_buy_once() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let product = create_product(&admin, "sales", 1_000, 10).await;
    let id = product["id"].as_str().unwrap().to_string();
    let key = format!("buy-{}", unique());
    let replies = join_all((0..6).map(|_| buy(&buyer, &id, 2, Some(&key)))).await;
    let ids: Vec<&str> = replies
        .iter()
        .map(|r| r.expect(201)["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert_eq!(stock(&id).await, 8);
    assert_eq!(wallet(&buyer).await, 8_000);
    // The same key for another purchase.
    buy(&buyer, &id, 3, Some(&key)).await.problem(422);
    // A failure is replayed too, and still changes nothing.
    let poor = new_customer().await;
    let poor_key = format!("poor-{}", unique());
    buy(&poor, &id, 1, Some(&poor_key)).await.problem(402);
    fund(&poor, 5_000).await;
    buy(&poor, &id, 1, Some(&poor_key)).await.problem(402);
    assert_eq!(wallet(&poor).await, 5_000);
    assert_eq!(stock(&id).await, 8);
}

#[tokio::test]
async fn concurrent_buyers_of_the_last_units_never_oversell() {
    let admin = admin_token().await;
    let product = create_product(&admin, "race", 300, 5).await;
    let id = product["id"].as_str().unwrap().to_string();
    let mut buyers = Vec::new();
    for _ in 0..12 {
        let buyer = new_customer().await;
        fund(&buyer, 1_000).await;
        buyers.push(buyer);
    }
    let replies = join_all(buyers.iter().map(|b| buy(b, &id, 1, None))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        5,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(stock(&id).await, 0);
    // Money is conserved: what left the wallets is what the completed sales cost.
    let sold: i64 = replies
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.body["total_cents"].as_i64().unwrap())
        .sum();
    let mut spent = 0;
    for buyer in &buyers {
        spent += 1_000 - wallet(buyer).await;
    }
    assert_eq!(spent, sold);
    assert_eq!(sold, 1_500);
}

#[tokio::test]
async fn concurrent_purchases_from_one_wallet_never_overdraw_it() {
    let admin = admin_token().await;
    let product = create_product(&admin, "race", 300, 50).await;
    let id = product["id"].as_str().unwrap().to_string();
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let replies = join_all((0..8).map(|_| buy(&buyer, &id, 1, None))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 402),
        "{statuses:?}"
    );
    assert_eq!(wallet(&buyer).await, 100);
    assert_eq!(stock(&id).await, 47);
}

#[tokio::test]
async fn history_pages_newest_first() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let product = create_product(&admin, "history", 100, 10).await;
    let id = product["id"].as_str().unwrap();
    let mut bought = Vec::new();
    for _ in 0..3 {
        bought.push(
            buy(&buyer, id, 1, None).await.expect(201)["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let path = format!("/sales/history/{}", buyer.id);
    let first = get(&format!("{path}?limit=2"), Some(&buyer.token)).await;
    let first_ids: Vec<&str> = first.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(first_ids, [bought[2].as_str(), bought[1].as_str()]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = get(
        &format!("{path}?limit=2&cursor={cursor}"),
        Some(&buyer.token),
    )
    .await;
    assert_eq!(second.expect(200)["items"][0]["id"], bought[0].as_str());
    // Someone else's cursor for this list, or a tampered one.
    let other = new_customer().await;
    get(
        &format!("/sales/history/{}?cursor={cursor}", other.id),
        Some(&other.token),
    )
    .await
    .problem(400);
    get(&format!("{path}?cursor=x{cursor}"), Some(&buyer.token))
        .await
        .problem(400);
    get(&format!("{path}?limit=0"), Some(&buyer.token))
        .await
        .problem(422);
}

#[tokio::test]
async fn internal_purchase_check_and_charges_need_a_service_token() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let product = create_product(&admin, "internal", 100, 10).await;
    let id = product["id"].as_str().unwrap();
    let check = format!(
        "/internal/sales/purchases?customer_id={}&product_id={id}",
        buyer.id
    );
    get(&check, Some(&buyer.token)).await.problem(401);
    assert_eq!(
        get(&check, Some(&service_token("reviews")))
            .await
            .expect(200)["purchased"],
        false
    );
    buy(&buyer, id, 1, None).await.expect(201);
    assert_eq!(
        get(&check, Some(&service_token("reviews")))
            .await
            .expect(200)["purchased"],
        true
    );
    get(
        "/internal/sales/purchases?customer_id=x&product_id=y",
        Some(&service_token("reviews")),
    )
    .await
    .problem(422);

    let sale = ulid::Ulid::new().to_string();
    let charge = format!("/internal/customers/{}/wallet/charges", buyer.id);
    let body = json!({"sale_id": sale, "amount_cents": 400});
    post(&charge, Some(&buyer.token), &body).await.problem(401);
    post(&charge, Some(&admin), &body).await.problem(401);
    let service = service_token("sales");
    post(&charge, Some(&service), &body).await.expect(200);
    post(&charge, Some(&service), &body).await.expect(200);
    post(
        &charge,
        Some(&service),
        &json!({"sale_id": sale, "amount_cents": 500}),
    )
    .await
    .problem(409);
    assert_eq!(wallet(&buyer).await, 500);
    post(
        &charge,
        Some(&service),
        &json!({"sale_id": ulid::Ulid::new().to_string(), "amount_cents": 501}),
    )
    .await
    .problem(402);
    let refund = format!(
        "/internal/customers/{}/wallet/charges/{sale}/refund",
        buyer.id
    );
    post(&refund, Some(&buyer.token), &json!({}))
        .await
        .problem(401);
    assert_eq!(
        post(&refund, Some(&service), &json!({})).await.expect(200)["status"],
        "refunded"
    );
    post(&refund, Some(&service), &json!({})).await.expect(200);
    assert_eq!(
        wallet(&buyer).await,
        900,
        "the earlier purchase of 100 stays"
    );
    // Refunded sales cannot be charged again; a refund before the charge blocks it.
    post(&charge, Some(&service), &body).await.problem(409);
    let early = ulid::Ulid::new().to_string();
    post(
        &format!(
            "/internal/customers/{}/wallet/charges/{early}/refund",
            buyer.id
        ),
        Some(&service),
        &json!({}),
    )
    .await
    .expect(200);
    post(
        &charge,
        Some(&service),
        &json!({"sale_id": early, "amount_cents": 100}),
    )
    .await
    .problem(409);
    assert_eq!(
        wallet(&buyer).await,
        900,
        "the earlier purchase of 100 stays"
    );
}
