//! The Sales read handlers in-process, on the sales table double: who sees a sale, the
//! history paged by cursor, and the purchase check that only Reviews may ask.
use edge::money::Cents;

use crate::domain::{Sale, SaleStatus};
use crate::memory::MemorySales;
use crate::store::Sales;
use crate::{handlers, State};
use edge::auth::Role;
use edge::contracts::inventory::StockLine;
use lambda_http::http::Method;
use testkit::{keys, session_token, token, Accounts, Call, Reply};

/// A table with `completed` completed sales and one failed sale of one buyer, of one
/// product: (state for `name`, buyer, product, the completed sales' ids).
async fn table<C: Default>(
    name: &str,
    completed: usize,
) -> (State<MemorySales, C>, String, String, Vec<String>) {
    let store = MemorySales::default();
    let (buyer, product) = (edge::ids::new_id(), edge::ids::new_id());
    let mut ids = Vec::new();
    for n in 0..=completed {
        let status = if n < completed {
            SaleStatus::Completed
        } else {
            SaleStatus::Failed
        };
        let line = StockLine {
            product_id: product.clone(),
            quantity: 1,
        };
        let mut sale = Sale::new(
            edge::ids::new_id(),
            buyer.clone(),
            &[line],
            &format!("2026-12-01T00:00:{n:02}Z"),
            "2026-12-01T00:01:00Z".into(),
        );
        sale.items[0].unit_price_cents = Some(Cents::new(100));
        sale.total_cents = Some(Cents::new(100));
        sale.status = status;
        if status == SaleStatus::Completed {
            ids.push(sale.id.clone());
        }
        store.create(sale).await.unwrap();
    }
    (
        State::assemble(name, store, C::default(), keys()),
        buyer,
        product,
        ids,
    )
}

#[tokio::test]
async fn a_sale_is_seen_by_its_buyer_and_admins_only() {
    let (state, buyer, _, ids) = table::<Accounts>("get_sale", 1).await;
    let get = |token: String| {
        Call::new(Method::GET)
            .path("id", &ids[0])
            .bearer(&token)
            .build()
    };
    let reply = Reply::of(handlers::get_sale(&state, get(token(&buyer, Role::Customer))).await);
    assert_eq!(reply.expect(200)["customer_id"], buyer.as_str());
    let ops = edge::ids::new_id();
    let admin = token(&ops, Role::Admin);
    Reply::of(handlers::get_sale(&state, get(admin.clone())).await).expect(200);
    // Demoted: another's sale is no longer theirs to see, at once.
    state.services.revoke(&ops);
    Reply::of(handlers::get_sale(&state, get(admin)).await).expect(401);
    // To anyone else it does not exist.
    let stranger = token(&edge::ids::new_id(), Role::Customer);
    Reply::of(handlers::get_sale(&state, get(stranger)).await).expect(404);
}

/// After a password change, a role change or closing the account, and for a login that
/// ended, the buyer's earlier tokens read neither a sale nor the history: reads of one's
/// own data confirm the token too.
#[tokio::test]
async fn a_buyers_tokens_that_are_no_longer_current_read_no_sale() {
    // One state serves both read handlers (neither looks at its declaration's name).
    let (state, buyer, _, ids) = table::<Accounts>("get_sale", 1).await;
    let read = |token: &str| Call::new(Method::GET).path("id", &ids[0]).bearer(token);
    let listed = |token: &str| {
        Call::new(Method::GET)
            .path("customer_id", &buyer)
            .bearer(token)
    };
    let login = edge::ids::new_id();
    let ended = session_token(&buyer, Role::Customer, &login);
    let own = token(&buyer, Role::Customer);
    for token in [&ended, &own] {
        Reply::of(handlers::get_sale(&state, read(token).build()).await).expect(200);
        Reply::of(handlers::sales_history(&state, listed(token).build()).await).expect(200);
    }
    // The login ended (a logout, a reused refresh token): its tokens only.
    state.services.end_session(&login);
    Reply::of(handlers::get_sale(&state, read(&ended).build()).await).expect(401);
    Reply::of(handlers::sales_history(&state, listed(&ended).build()).await).expect(401);
    Reply::of(handlers::get_sale(&state, read(&own).build()).await).expect(200);
    // A password or role change, a closed account: every earlier token.
    state.services.revoke(&buyer);
    Reply::of(handlers::get_sale(&state, read(&own).build()).await).expect(401);
    Reply::of(handlers::sales_history(&state, listed(&own).build()).await).expect(401);
}

#[tokio::test]
async fn the_history_pages_through_completed_sales_newest_first() {
    let (state, buyer, _, ids) = table::<Accounts>("sales_history", 5).await;
    let own = token(&buyer, Role::Customer);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = Call::new(Method::GET)
            .path("customer_id", &buyer)
            .query("limit", "2")
            .bearer(&own);
        if let Some(cursor) = &cursor {
            request = request.query("cursor", cursor);
        }
        let page = Reply::of(handlers::sales_history(&state, request.build()).await);
        let page = page.expect(200);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(
        seen, newest_first,
        "every completed sale once, newest first; no failed one"
    );
    let stranger = token(&edge::ids::new_id(), Role::Customer);
    let theirs = Call::new(Method::GET)
        .path("customer_id", &buyer)
        .bearer(&stranger);
    Reply::of(handlers::sales_history(&state, theirs.build()).await).expect(403);
}

#[tokio::test]
async fn only_reviews_asks_whether_a_customer_bought_a_product() {
    let (state, buyer, product, _) = table::<()>("has_purchased", 1).await;
    let ask = |caller: &str, customer: &str| {
        Call::new(Method::GET)
            .query("customer_id", customer)
            .query("product_id", &product)
            .service(&token(caller, Role::Service))
            .build()
    };
    let bought = Reply::of(handlers::has_purchased(&state, ask("reviews", &buyer)).await);
    assert_eq!(bought.expect(200)["purchased"], true);
    let other = edge::ids::new_id();
    let not = Reply::of(handlers::has_purchased(&state, ask("reviews", &other)).await);
    assert_eq!(not.expect(200)["purchased"], false);
    Reply::of(handlers::has_purchased(&state, ask("sales", &buyer)).await).expect(403);
    Reply::of(handlers::has_purchased(&state, ask("reviews", "x")).await).expect(422);
}

/// Every request type of Sales (and those it sends: a charge, an interaction report)
/// reports all its invalid fields in one 422.
#[test]
fn every_request_type_reports_all_its_invalid_fields_at_once() {
    use crate::domain::{PurchaseRequest, RefundRequest};
    use edge::contracts::customers::{ChargeWallet, CreditWallet};
    use serde_json::json;
    use testkit::reports_every_invalid_field;
    reports_every_invalid_field::<PurchaseRequest>(
        json!({"product_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "quantity": 1}),
        &[("product_id", json!("")), ("quantity", json!(101))],
    );
    let line = json!({"product_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "quantity": 1});
    reports_every_invalid_field::<PurchaseRequest>(
        json!({"items": [line]}),
        &[("items", json!([]))],
    );
    reports_every_invalid_field::<RefundRequest>(
        json!({"items": [line], "reason": "damaged", "restock": true}),
        &[("items", json!([])), ("reason", json!("a\u{202e}b"))],
    );
    reports_every_invalid_field::<CreditWallet>(
        json!({"credit_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "sale_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK",
               "amount_cents": 100}),
        &[
            ("credit_id", json!("short")),
            ("sale_id", json!("x")),
            ("amount_cents", json!(0)),
        ],
    );
    reports_every_invalid_field::<ChargeWallet>(
        json!({"sale_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "amount_cents": 100}),
        &[("sale_id", json!("short")), ("amount_cents", json!(-1))],
    );
}
