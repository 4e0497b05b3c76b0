//! Traces: one purchase is one trace through Sales, Inventory, Customers and Reviews,
//! each function's handler a segment of it with a subsegment per DynamoDB call, as the
//! local X-Ray daemon (`local/xray.py`) received them.
#![cfg(feature = "stack")]

use e2e::*;
use serde_json::Value;
use std::collections::HashMap;

fn named<'a>(docs: &'a [Value], name: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["name"] == name).collect()
}

#[tokio::test]
async fn one_purchase_is_one_trace_across_the_services() {
    let Shop {
        buyer: customer,
        product_id,
        ..
    } = shop("traced", 250, 5, 1_000).await;
    let reply = buy(&customer, &product_id, 2, None).await;
    reply.expect(201);
    let trace_id = reply.headers["x-trace-id"].to_str().unwrap().to_string();

    // The purchase's handler is the last to end: wait for it.
    let docs = stack_log_until("traces.jsonl", |docs| {
        docs.iter()
            .any(|d| d["trace_id"] == trace_id.as_str() && d["name"] == "create_sale")
    })
    .await;
    let docs: Vec<Value> = docs
        .into_iter()
        .filter(|d| d["trace_id"] == trace_id.as_str())
        .collect();
    let by_id: HashMap<&str, &Value> = docs
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d))
        .collect();

    // Sales' handler hangs under Lambda's segment of the invocation (not sent locally).
    let sale = named(&docs, "create_sale");
    assert_eq!(sale.len(), 1, "one handler of the purchase");
    let sale = sale[0];
    assert_eq!(sale["type"], "subsegment");
    assert_eq!(sale["annotations"]["route"], "POST /sales");
    assert_eq!(
        sale["annotations"]["caller"],
        format!("customer:{}", customer.id)
    );
    assert_eq!(sale["http"]["response"]["status"], 201);

    // Each service it called continues the trace as a segment of its own, whose parent
    // is Sales' call to it; each reads or writes its tables under it.
    for (callee, service) in [
        ("reserve_stock", "inventory"),
        ("charge_wallet", "customers"),
        ("record_interaction", "reviews"),
    ] {
        let handlers = named(&docs, callee);
        assert_eq!(handlers.len(), 1, "{callee} once in the trace");
        let handler = handlers[0];
        assert!(handler.get("type").is_none(), "{callee} is a segment");
        assert_eq!(handler["annotations"]["caller"], "service:sales");
        let call = by_id[handler["parent_id"].as_str().expect("a parent")];
        assert_eq!(call["namespace"], "remote");
        assert_eq!(call["name"], service);
        assert_eq!(call["parent_id"], sale["id"], "Sales called {service}");
        let db_calls: Vec<&Value> = docs
            .iter()
            .filter(|d| d["parent_id"] == handler["id"] && d["namespace"] == "aws")
            .collect();
        assert!(!db_calls.is_empty(), "{callee} has its DynamoDB calls");
        for db in db_calls {
            assert_eq!(db["name"], "DynamoDB");
            assert!(db["aws"]["operation"]
                .as_str()
                .is_some_and(|o| !o.is_empty()));
            assert_eq!(db["http"]["response"]["status"], 200);
        }
    }
    // Sales' own writes of the sale are there too, on its table.
    assert!(docs.iter().any(|d| d["parent_id"] == sale["id"]
        && d["aws"]["table_name"]
            .as_str()
            .is_some_and(|t| t.contains("Sales"))));
    // One tree: every document but the handler's hangs under another of the trace, and
    // each ends after it starts.
    for doc in &docs {
        assert!(doc["end_time"].as_f64() >= doc["start_time"].as_f64());
        if doc["id"] != sale["id"] {
            assert!(
                by_id.contains_key(doc["parent_id"].as_str().unwrap()),
                "{doc}"
            );
        }
    }
    // The request's log line names the same trace.
    stack_log_until("functions.log", |lines| {
        lines
            .iter()
            .any(|l| l["Route"] == "POST /sales" && l["trace_id"] == trace_id.as_str())
    })
    .await;
}

#[tokio::test]
async fn a_trace_header_from_a_client_is_not_taken_on_a_public_route() {
    // Only a calling service continues a trace; a client's header cannot put a request
    // into somebody else's trace.
    let forged = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    for header in ["x-amzn-trace-id", infra::trace::CALLER_HEADER] {
        let reply = send(client().get(url_of("/products")).header(header, forged)).await;
        reply.expect(200);
        let trace_id = reply.headers["x-trace-id"].to_str().unwrap();
        assert!(trace_id.starts_with("1-") && trace_id != "1-5759e988-bd862e3fe1be46a994272793");
    }
}
