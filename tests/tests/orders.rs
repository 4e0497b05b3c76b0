//! Orders of several products and refunds, end to end: all or nothing per order, the
//! failing lines named, one charge of the total, refunds never past what was bought
//! whatever races them, money and stock back exactly once.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;
use serde_json::Value;

fn id(product: &Value) -> String {
    product["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_cart_of_two_products_takes_each_lines_stock_and_one_charge_of_the_total() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let (lamp, desk) = (
        id(&create_product(&admin, "orders", 1_250, 10).await),
        id(&create_product(&admin, "orders", 300, 5).await),
    );
    let reply = buy_items(&buyer, &[(&lamp, 2), (&desk, 3)], None).await;
    let sale = reply.expect(201).clone();
    assert_eq!(sale["status"], "completed");
    assert_eq!(sale["total_cents"], 2 * 1_250 + 3 * 300);
    assert_eq!(sale["items"][0]["unit_price_cents"], 1_250);
    assert_eq!(sale["items"][0]["line_total_cents"], 2_500);
    assert_eq!(sale["items"][1]["line_total_cents"], 900);
    assert!(
        sale.get("product_id").is_none(),
        "a cart has no one-product fields"
    );
    assert_eq!((stock(&lamp).await, stock(&desk).await), (8, 2));
    assert_eq!(wallet(&buyer).await, 10_000 - 3_400);
    let sale_id = sale["id"].as_str().unwrap();
    let read = get(&format!("/sales/{sale_id}"), Some(&buyer.token)).await;
    assert_eq!(read.expect(200)["items"], sale["items"]);
    let history = get(&format!("/sales/history/{}", buyer.id), Some(&buyer.token)).await;
    assert_eq!(history.expect(200)["items"][0]["id"], sale_id);
    // A one-line order in the items form keeps the one-product fields too.
    let one = buy_items(&buyer, &[(&lamp, 1)], None).await;
    assert_eq!(one.expect(201)["product_id"], lamp.as_str());
}

#[tokio::test]
async fn a_refused_order_names_every_failing_line_and_takes_nothing() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let (lamp, desk, gone) = (
        id(&create_product(&admin, "orders", 100, 2).await),
        id(&create_product(&admin, "orders", 100, 1).await),
        id(&create_product(&admin, "orders", 100, 9).await),
    );
    delete(&format!("/products/{gone}"), Some(&admin))
        .await
        .expect(204);
    let short = buy_items(&buyer, &[(&lamp, 3), (&desk, 1), (&gone, 1)], None).await;
    let problem = short.problem(404).clone();
    assert_eq!(named_fields(&problem), ["items[2].product_id"]);
    let short = buy_items(&buyer, &[(&lamp, 3), (&desk, 2)], None).await;
    let problem = short.problem(409).clone();
    assert_eq!(problem["type"], "/problems/out-of-stock");
    assert_eq!(
        named_fields(&problem),
        ["items[0].quantity", "items[1].quantity"]
    );
    let unknown = buy_items(
        &buyer,
        &[(&lamp, 1), ("01JD8ZR1A2B3C4D5E6F7G8H9JK", 1)],
        None,
    )
    .await;
    assert_eq!(named_fields(unknown.problem(404)), ["items[1].product_id"]);
    // The total is past the wallet, though each line alone is not.
    let dear = id(&create_product(&admin, "orders", 600, 5).await);
    buy_items(&buyer, &[(&lamp, 1), (&dear, 2)], None)
        .await
        .problem(402);
    assert_eq!(
        (stock(&lamp).await, stock(&desk).await, stock(&dear).await),
        (2, 1, 5)
    );
    assert_eq!(wallet(&buyer).await, 1_000);
    // A product twice, too many lines, both forms at once: 422.
    let twice = buy_items(&buyer, &[(&lamp, 1), (&lamp, 1)], None).await;
    assert_eq!(named_fields(twice.problem(422)), ["items[1].product_id"]);
    let many: Vec<String> = (0..21).map(|_| unique()).collect();
    let many: Vec<(&str, i64)> = many.iter().map(|p| (p.as_str(), 1)).collect();
    buy_items(&buyer, &many, None).await.problem(422);
    let both = serde_json::json!({"product_id": lamp, "quantity": 1,
                                  "items": [{"product_id": lamp, "quantity": 1}]});
    post("/sales", Some(&buyer.token), &both).await.problem(422);
}

#[tokio::test]
async fn a_retried_order_with_its_key_is_bought_once() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let (lamp, desk) = (
        id(&create_product(&admin, "orders", 100, 5).await),
        id(&create_product(&admin, "orders", 200, 5).await),
    );
    let key = unique();
    let lines = [(lamp.as_str(), 1), (desk.as_str(), 2)];
    let first = buy_items(&buyer, &lines, Some(&key))
        .await
        .expect(201)
        .clone();
    let again = buy_items(&buyer, &lines, Some(&key))
        .await
        .expect(201)
        .clone();
    assert_eq!(first["id"], again["id"]);
    buy_items(&buyer, &[(&lamp, 2)], Some(&key))
        .await
        .problem(422);
    assert_eq!((stock(&lamp).await, stock(&desk).await), (4, 3));
    assert_eq!(wallet(&buyer).await, 500);
}

#[tokio::test]
async fn ten_buyers_racing_for_lines_with_3_and_5_left_make_exactly_3_orders() {
    let admin = admin_token().await;
    let (lamp, desk) = (
        id(&create_product(&admin, "orders", 100, 3).await),
        id(&create_product(&admin, "orders", 100, 5).await),
    );
    let mut buyers = Vec::new();
    for _ in 0..10 {
        let buyer = new_customer().await;
        fund(&buyer, 1_000).await;
        buyers.push(buyer);
    }
    let lines = [(lamp.as_str(), 1), (desk.as_str(), 1)];
    let replies = join_all(buyers.iter().map(|b| buy_items(b, &lines, None))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!((stock(&lamp).await, stock(&desk).await), (0, 2));
    let mut spent = 0;
    for buyer in &buyers {
        spent += 1_000 - wallet(buyer).await;
    }
    assert_eq!(
        spent,
        3 * 200,
        "each completed order charged once, the others nothing"
    );
}

#[tokio::test]
async fn concurrent_orders_never_take_a_wallet_below_zero() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let (lamp, desk) = (
        id(&create_product(&admin, "orders", 100, 50).await),
        id(&create_product(&admin, "orders", 200, 50).await),
    );
    let lines = [(lamp.as_str(), 1), (desk.as_str(), 1)];
    let replies = join_all((0..8).map(|_| buy_items(&buyer, &lines, None))).await;
    let completed = replies.iter().filter(|r| r.status == 201).count();
    assert_eq!(
        completed,
        3,
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(replies.iter().all(|r| r.status == 201 || r.status == 402));
    assert_eq!(wallet(&buyer).await, 100);
    assert_eq!((stock(&lamp).await, stock(&desk).await), (47, 47));
}

#[tokio::test]
async fn partial_full_and_over_refunds_with_and_without_restock() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 10_000).await;
    let (lamp, desk) = (
        id(&create_product(&admin, "refunds", 1_000, 10).await),
        id(&create_product(&admin, "refunds", 300, 10).await),
    );
    let sale = buy_items(&buyer, &[(&lamp, 3), (&desk, 2)], None)
        .await
        .expect(201)
        .clone();
    let sale_id = sale["id"].as_str().unwrap();
    assert_eq!(wallet(&buyer).await, 10_000 - 3_600);

    // One unit of one line, back in stock; the same key answers the same refund.
    let key = unique();
    let first = refund(&admin, sale_id, &[(&lamp, 1)], true, Some(&key)).await;
    let first = first.expect(201).clone();
    assert_eq!(
        (first["amount_cents"].as_i64(), first["status"].as_str()),
        (Some(1_000), Some("completed"))
    );
    assert_eq!(first["restocked"], true);
    let again = refund(&admin, sale_id, &[(&lamp, 1)], true, Some(&key)).await;
    assert_eq!(again.expect(201)["id"], first["id"]);
    assert_eq!(wallet(&buyer).await, 10_000 - 2_600);
    assert_eq!(stock(&lamp).await, 8);
    let read = get(&format!("/sales/{sale_id}"), Some(&buyer.token))
        .await
        .expect(200)
        .clone();
    assert_eq!(read["status"], "partially_refunded");
    assert_eq!(read["refunded_cents"], 1_000);
    assert_eq!(read["refunds"][0]["id"], first["id"]);
    assert_eq!(read["items"][0]["refunded_quantity"], 1);

    // More than is left of a line: 409 naming it, nothing moves.
    let over = refund(&admin, sale_id, &[(&lamp, 3), (&desk, 1)], false, None).await;
    assert_eq!(named_fields(over.problem(409)), ["items[0].quantity"]);
    // Not a line of this sale: 422; not an id at all: 404.
    refund(&admin, sale_id, &[(&unique(), 1)], false, None)
        .await
        .problem(422);
    refund(&admin, sale_id, &[("not-an-id", 1)], false, None)
        .await
        .problem(404);
    // One product twice, its id in two letter cases (a ULID reads either way): 422, for a
    // refund and for an order alike; nothing moves.
    let lower = lamp.to_lowercase();
    let twice = refund(&admin, sale_id, &[(&lamp, 1), (&lower, 1)], true, None).await;
    assert_eq!(named_fields(twice.problem(422)), ["items[1].product_id"]);
    let twice = buy_items(&buyer, &[(&lamp, 1), (&lower, 1)], None).await;
    assert_eq!(named_fields(twice.problem(422)), ["items[1].product_id"]);
    assert_eq!(wallet(&buyer).await, 10_000 - 2_600);
    assert_eq!(stock(&lamp).await, 8);
    refund(
        &admin,
        sale_id,
        &[(&id(&create_product(&admin, "refunds", 1, 1).await), 1)],
        false,
        None,
    )
    .await
    .problem(422);
    assert_eq!(wallet(&buyer).await, 10_000 - 2_600);

    // The rest, without restock: refunded whole, the wallet as before the purchase.
    let rest = refund(&admin, sale_id, &[(&lamp, 2), (&desk, 2)], false, None).await;
    assert_eq!(rest.expect(201)["amount_cents"], 2_600);
    assert_eq!(wallet(&buyer).await, 10_000);
    assert_eq!((stock(&lamp).await, stock(&desk).await), (8, 8));
    let read = get(&format!("/sales/{sale_id}"), Some(&admin))
        .await
        .expect(200)
        .clone();
    assert_eq!(read["status"], "refunded");
    assert_eq!(read["refunded_cents"], read["total_cents"]);
    let history = get(&format!("/sales/history/{}", buyer.id), Some(&buyer.token)).await;
    assert_eq!(
        history.expect(200)["items"][0]["refunds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    refund(&admin, sale_id, &[(&desk, 1)], false, None)
        .await
        .problem(409);

    // Admins only; an unknown or malformed sale is a 404.
    refund(&buyer.token, sale_id, &[(&desk, 1)], false, None)
        .await
        .problem(403);
    refund("not-a-token", sale_id, &[(&desk, 1)], false, None)
        .await
        .problem(401);
    refund(
        &admin,
        "01JD8ZR1A2B3C4D5E6F7G8H9JK",
        &[(&desk, 1)],
        false,
        None,
    )
    .await
    .problem(404);
    refund(&admin, "nope", &[(&desk, 1)], false, None)
        .await
        .problem(404);
}

#[tokio::test]
async fn five_concurrent_refunds_of_one_unit_on_a_three_unit_sale_give_back_three() {
    let admin = admin_token().await;
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    let lamp = id(&create_product(&admin, "refunds", 100, 5).await);
    let sale = buy(&buyer, &lamp, 3, None).await.expect(201).clone();
    let sale_id = sale["id"].as_str().unwrap();
    let one_unit = [(lamp.as_str(), 1)];
    let replies = join_all((0..5).map(|_| refund(&admin, sale_id, &one_unit, true, None))).await;
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        3,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 201 || *s == 409),
        "{statuses:?}"
    );
    assert_eq!(wallet(&buyer).await, 1_000);
    assert_eq!(stock(&lamp).await, 5);
    let read = get(&format!("/sales/{sale_id}"), Some(&admin))
        .await
        .expect(200)
        .clone();
    assert_eq!(
        (read["status"].as_str(), read["refunded_cents"].as_i64()),
        (Some("refunded"), Some(300))
    );
}
