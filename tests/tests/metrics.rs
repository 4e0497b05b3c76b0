//! Metrics: the CloudWatch Embedded Metric Format lines the functions log, read back from
//! the stack's log after real requests, as CloudWatch Logs would extract them.
#![cfg(feature = "stack")]

use e2e::*;
use serde_json::{json, Value};

/// The metric lines that `pick` selects, each checked to be a well-formed EMF document
/// (CloudWatch drops a metric whose declared value or dimension is missing).
fn emf(lines: &[Value], pick: impl Fn(&Value) -> bool) -> Vec<Value> {
    let namespace = std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "shop".into());
    let picked: Vec<Value> = lines
        .iter()
        .filter(|l| l.get("_aws").is_some() && pick(l))
        .cloned()
        .collect();
    for line in &picked {
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], namespace.as_str());
        assert!(line["_aws"]["Timestamp"].is_u64());
        for dimension in directive["Dimensions"][0].as_array().unwrap() {
            assert!(line[dimension.as_str().unwrap()].is_string(), "{line}");
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            assert!(line[metric["Name"].as_str().unwrap()].is_number(), "{line}");
        }
    }
    picked
}

fn declares(line: &Value, metric: &str) -> bool {
    line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["Name"] == metric))
}

#[tokio::test]
async fn a_purchase_its_failure_and_its_refund_are_counted_with_their_amounts() {
    let Shop {
        admin,
        buyer: customer,
        product_id,
    } = shop("metered", 300, 5, 700).await;
    let product_id = product_id.as_str();
    let sale = buy(&customer, product_id, 2, None)
        .await
        .expect(201)
        .clone();
    let sale_id = sale["id"].as_str().unwrap().to_string();
    // 100 cents left: the next purchase fails for want of money.
    let failed = buy(&customer, product_id, 1, None).await;
    failed.problem(402);
    refund(&admin, &sale_id, &[(product_id, 1)], false, None)
        .await
        .expect(201);

    let lines = stack_log_until("functions.log", |lines| {
        lines
            .iter()
            .any(|l| l["refund_id"].is_string() && l["sale_id"] == sale_id.as_str())
    })
    .await;
    let completed = emf(&lines, |l| {
        l["sale_id"] == sale_id.as_str() && declares(l, "SaleCompleted")
    });
    assert_eq!(completed.len(), 1, "counted once");
    assert_eq!(completed[0]["SaleCompleted"], 1.0);
    assert_eq!(completed[0]["Revenue"], 600.0);
    assert_eq!(completed[0]["Service"], "sales");
    assert!(completed[0]["trace_id"]
        .as_str()
        .is_some_and(|t| t.starts_with("1-")));

    let refunded = emf(&lines, |l| {
        l["sale_id"] == sale_id.as_str() && declares(l, "Refund")
    });
    assert_eq!(refunded.len(), 1);
    assert_eq!(refunded[0]["RefundedAmount"], 300.0);

    let failed_id = failed.body["sale_id"].as_str().map(str::to_string);
    let failures = emf(&lines, |l| {
        declares(l, "SaleFailed")
            && l["Reason"] == "insufficient_funds"
            && failed_id.as_deref().is_none_or(|id| l["sale_id"] == id)
    });
    assert!(!failures.is_empty(), "the failure is counted by reason");
    assert_eq!(
        failures[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["Service", "Reason"]])
    );

    // Every request is its route's latency.
    let latency = emf(&lines, |l| {
        l["Route"] == "POST /sales" && declares(l, "Latency")
    });
    assert!(!latency.is_empty());
    assert!(latency[0]["Latency"].as_f64().unwrap() > 0.0);
    assert_eq!(
        latency[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"],
        json!([{"Name": "Latency", "Unit": "Milliseconds"}])
    );
}

#[tokio::test]
async fn failed_logins_and_recommendations_are_counted() {
    let customer = new_customer().await;
    let address = "127.0.0.9";
    let before = emf(&stack_log("functions.log"), |l| declares(l, "LoginFailed")).len();
    login_from(address, &customer.email, "not-the-password")
        .await
        .problem(401);
    let served_before = emf(&stack_log("functions.log"), |l| {
        declares(l, "RecommendationsServed") && l["Kind"] == "popular"
    })
    .len();
    // A new customer has no history: popular products.
    let recs = recommendations(&customer).await;
    assert_eq!(recs["source"], "popular");
    let lines = stack_log_until("functions.log", |lines| {
        emf(lines, |l| {
            declares(l, "RecommendationsServed") && l["Kind"] == "popular"
        })
        .len()
            > served_before
    })
    .await;
    assert!(
        emf(&lines, |l| declares(l, "LoginFailed")
            && l["Service"] == "customers")
        .len()
            > before
    );
}
