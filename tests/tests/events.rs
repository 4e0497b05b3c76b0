//! Domain events: each change that means one (a sale completed, a refund completed, a
//! review approved, a product's stock falling low) is on the event bus exactly once, with
//! its documented detail, published from the owning table's stream (`local/streams.py`
//! stands in for Lambda's stream mapping, `local/eventbus.py` for EventBridge).
#![cfg(feature = "stack")]

use e2e::*;
use serde_json::json;

#[tokio::test]
async fn a_purchase_a_refund_a_review_and_low_stock_are_each_published_once() {
    let Shop {
        admin,
        buyer: customer,
        product_id,
    } = shop("evented", 250, 6, 2_000).await;

    // 6 → 4: below the threshold of 5.
    let sale = buy(&customer, &product_id, 2, None)
        .await
        .expect(201)
        .clone();
    let sale_id = sale["id"].as_str().unwrap().to_string();
    let completed = bus_events_settled("SaleCompleted", "sale_id", &sale_id).await;
    assert_eq!(completed.len(), 1, "{completed:?}");
    let detail = &completed[0]["detail"];
    assert_eq!(completed[0]["source"], "shop.sales");
    assert_eq!(detail["customer_id"], customer.id.as_str());
    assert_eq!(detail["total_cents"], 500);
    assert_eq!(
        detail["items"],
        json!([{"product_id": product_id, "quantity": 2, "unit_price_cents": 250}])
    );
    assert_eq!(detail["version"], 1);
    assert!(detail["event_id"].as_str().is_some_and(|id| !id.is_empty()));

    let low = bus_events_settled("StockLow", "product_id", &product_id).await;
    assert_eq!(low.len(), 1);
    assert_eq!(low[0]["source"], "shop.inventory");
    assert_eq!(
        (
            low[0]["detail"]["stock"].as_i64(),
            low[0]["detail"]["threshold"].as_i64()
        ),
        (Some(4), Some(5))
    );

    let refund = refund(&admin, &sale_id, &[(&product_id, 1)], false, None).await;
    let refund_id = refund.expect(201)["id"].as_str().map(str::to_string);
    let refunded = bus_events_settled("SaleRefunded", "sale_id", &sale_id).await;
    assert_eq!(refunded.len(), 1);
    assert_eq!(refunded[0]["detail"]["amount_cents"], 250);
    if let Some(refund_id) = refund_id {
        assert_eq!(refunded[0]["detail"]["refund_id"], refund_id.as_str());
    }

    let review = review(&customer, &product_id, 5, "Bright and steady").await;
    let review_id = review.expect(201)["id"].as_str().unwrap().to_string();
    moderate(&admin, &review_id, "approve").await.expect(200);
    let approved = bus_events_settled("ReviewApproved", "review_id", &review_id).await;
    assert_eq!(approved.len(), 1);
    assert_eq!(approved[0]["detail"]["rating"], 5);
    assert_eq!(approved[0]["detail"]["product_id"], product_id.as_str());

    // 4 → 3: still low, no second StockLow; the sale's later changes are no new
    // completion.
    let second = buy(&customer, &product_id, 1, None)
        .await
        .expect(201)
        .clone();
    bus_events_settled("SaleCompleted", "sale_id", second["id"].as_str().unwrap()).await;
    assert_eq!(bus_events("StockLow", "product_id", &product_id).len(), 1);
    assert_eq!(bus_events("SaleCompleted", "sale_id", &sale_id).len(), 1);
}

#[tokio::test]
async fn a_failed_purchase_publishes_nothing() {
    let Shop {
        buyer: customer,
        product_id,
        ..
    } = shop("evented", 900, 10, 100).await;
    buy(&customer, &product_id, 1, None).await.problem(402);
    // A purchase that completes after it shows the stream went past the failure.
    fund(&customer, 900).await;
    let sale = buy(&customer, &product_id, 1, None)
        .await
        .expect(201)
        .clone();
    bus_events_settled("SaleCompleted", "sale_id", sale["id"].as_str().unwrap()).await;
    let for_customer: Vec<_> = stack_log("events.jsonl")
        .into_iter()
        .filter(|e| e["detail"]["customer_id"] == customer.id.as_str())
        .collect();
    assert_eq!(for_customer.len(), 1, "{for_customer:?}");
}
