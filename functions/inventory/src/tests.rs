//! The Inventory handlers in-process, on the store double of `crate::memory`: the
//! catalogue and its access rules, versions and `If-Match`, listings paged by cursor,
//! and the stock ledger of reservations and releases. Stock is conserved throughout:
//! a product's stock plus what its reservations hold equals what was stocked.

use crate::domain::MAX_STOCK;
use crate::handlers;
use crate::memory::MemoryInventory;
use crate::State;
use edge::auth::Role;
use futures::future::join_all;
use lambda_http::http::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use testkit::{keys, service_token, token, Accounts, Call, Reply};

/// The service's functions over one shared pair of table doubles.
#[derive(Default)]
struct Service {
    store: MemoryInventory,
    accounts: Accounts,
}

/// Runs one declared handler on the shared tables, as its function would.
macro_rules! call {
    ($service:expr, $handler:ident, $request:expr) => {
        Reply::of(handlers::$handler(&$service.state(stringify!($handler)), $request.build()).await)
    };
}

/// Runs an admin route, which also asks whether the admin's token is current.
macro_rules! admin_call {
    ($service:expr, $handler:ident, $request:expr) => {
        Reply::of(
            handlers::$handler(
                &$service.admin_state(stringify!($handler)),
                $request.build(),
            )
            .await,
        )
    };
}

fn admin() -> String {
    user(Role::Admin)
}

fn user(role: Role) -> String {
    token(&edge::ids::new_id(), role)
}

fn sale() -> String {
    edge::ids::new_id()
}

impl Service {
    fn state(&self, name: &str) -> State<MemoryInventory> {
        State::assemble(name, self.store.clone(), (), keys())
    }

    fn admin_state(&self, name: &str) -> State<MemoryInventory, Accounts> {
        State::assemble(name, self.store.clone(), self.accounts.clone(), keys())
    }

    async fn create(&self, name: &str, category: &str, price: i64, stock: i64) -> String {
        let body =
            json!({"name": name, "category": category, "price_cents": price, "stock": stock});
        let reply = admin_call!(
            self,
            create_product,
            Call::new(Method::POST).bearer(&admin()).json(body)
        );
        reply.expect(201)["id"].as_str().unwrap().to_string()
    }

    async fn product(&self, id: &str) -> Reply {
        call!(self, get_product, Call::new(Method::GET).path("id", id))
    }

    async fn stock(&self, id: &str) -> i64 {
        self.product(id).await.expect(200)["stock"]
            .as_i64()
            .unwrap()
    }

    async fn update(&self, id: &str, if_match: Option<&str>, body: Value) -> Reply {
        let mut request = Call::new(Method::POST)
            .path("id", id)
            .bearer(&admin())
            .json(body);
        if let Some(version) = if_match {
            request = request.header("if-match", version);
        }
        admin_call!(self, update_product, request)
    }

    async fn reserve(&self, caller: &str, sale: &str, product: &str, quantity: i64) -> Reply {
        self.reserve_lines(caller, sale, &[(product, quantity)])
            .await
    }

    async fn reserve_lines(&self, caller: &str, sale: &str, lines: &[(&str, i64)]) -> Reply {
        let items: Vec<Value> = lines
            .iter()
            .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
            .collect();
        let request = Call::new(Method::POST)
            .service(&service_token(caller))
            .json(json!({"sale_id": sale, "items": items}));
        call!(self, reserve_stock, request)
    }

    async fn restock(&self, refund: &str, lines: &[(&str, i64)]) -> Reply {
        let items: Vec<Value> = lines
            .iter()
            .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
            .collect();
        let request = Call::new(Method::POST)
            .service(&service_token("sales"))
            .json(json!({"restock_id": refund, "items": items}));
        call!(self, restock, request)
    }

    async fn release(&self, sale: &str) -> Reply {
        let request = Call::new(Method::POST)
            .path("sale_id", sale)
            .service(&service_token("sales"));
        call!(self, release_stock, request)
    }

    /// Every page of a listing, following its cursors: the ids in order.
    async fn list_all(&self, query: &[(&str, &str)], limit: &str) -> Vec<String> {
        let mut ids = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut request = Call::new(Method::GET).query("limit", limit);
            for (name, value) in query {
                request = request.query(name, value);
            }
            if let Some(cursor) = &cursor {
                request = request.query("cursor", cursor);
            }
            let page = call!(self, list_products, request);
            let page = page.expect(200);
            ids.extend(
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_str().unwrap().to_string()),
            );
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_string()),
                None => return ids,
            }
        }
    }
}

#[tokio::test]
async fn only_admins_change_the_catalogue() {
    let service = Service::default();
    let body = json!({"name": "Lamp", "category": "home", "price_cents": 100, "stock": 1});
    let as_customer = Call::new(Method::POST)
        .bearer(&user(Role::Customer))
        .json(body.clone());
    admin_call!(service, create_product, as_customer).expect(403);
    admin_call!(service, create_product, Call::new(Method::POST).json(body)).expect(401);
    let id = service.create("Lamp", "Home ", 100, 1).await;
    let product = service.product(&id).await;
    assert_eq!(product.expect(200)["category"], "home");
    let delete = Call::new(Method::DELETE)
        .path("id", &id)
        .bearer(&user(Role::Customer));
    admin_call!(service, delete_product, delete).expect(403);
    service.product(&sale()).await.expect(404);
    service.product("not-an-id").await.expect(404);
}

#[tokio::test]
async fn a_stale_version_is_refused_and_the_current_one_applies() {
    let service = Service::default();
    let id = service.create("Lamp", "home", 100, 5).await;
    let renamed = service
        .update(&id, Some("\"1\""), json!({"name": "Desk lamp"}))
        .await;
    assert_eq!(renamed.expect(200)["version"], 2);
    service
        .update(&id, Some("\"1\""), json!({"price_cents": 1}))
        .await
        .expect(409);
    service
        .update(&id, Some("W/\"2\""), json!({"price_cents": 90}))
        .await
        .expect(200);
    service
        .update(&id, Some("*"), json!({"stock_delta": 5}))
        .await
        .expect(200);
    service
        .update(&id, Some("yesterday"), json!({"stock_delta": 5}))
        .await
        .expect(400);
    service
        .update(&id, None, json!({"stock": 1, "stock_delta": 1}))
        .await
        .expect(422);
    service.update(&id, None, json!({})).await.expect(422);
    service
        .update(&id, None, json!({"name": "  "}))
        .await
        .expect(422);
    // Below zero is refused whole; the stock is what the accepted changes made it.
    service
        .update(&id, None, json!({"stock_delta": -11}))
        .await
        .expect(409);
    let product = service.product(&id).await;
    let product = product.expect(200);
    assert_eq!(
        (product["stock"].as_i64(), product["price_cents"].as_i64()),
        (Some(10), Some(90))
    );
    assert_eq!(product["name"], "Desk lamp");
}

#[tokio::test]
async fn a_deleted_product_stays_readable_but_leaves_lists_and_is_frozen() {
    let service = Service::default();
    let id = service.create("Lamp", "home", 100, 5).await;
    let stale = Call::new(Method::DELETE)
        .path("id", &id)
        .bearer(&admin())
        .header("if-match", "\"7\"");
    admin_call!(service, delete_product, stale).expect(409);
    let delete = Call::new(Method::DELETE).path("id", &id).bearer(&admin());
    admin_call!(service, delete_product, delete).expect(204);
    let again = Call::new(Method::DELETE).path("id", &id).bearer(&admin());
    admin_call!(service, delete_product, again).expect(404);
    assert!(service.product(&id).await.expect(200)["deleted_at"].is_string());
    service
        .update(&id, None, json!({"stock_delta": 1}))
        .await
        .expect(404);
    assert!(service.list_all(&[], "10").await.is_empty());
    service.reserve("sales", &sale(), &id, 1).await.expect(404);
}

#[tokio::test]
async fn pages_of_a_filtered_listing_hold_each_match_once() {
    let service = Service::default();
    let mut lamps = BTreeSet::new();
    for n in 0..7 {
        lamps.insert(
            service
                .create(&format!("Lamp {n}"), "home", 100 * n, n % 3)
                .await,
        );
        service
            .create(&format!("Book {n}"), "books", 100 * n, 1)
            .await;
    }
    let listed = service.list_all(&[("category", "home")], "3").await;
    assert_eq!(listed.iter().cloned().collect::<BTreeSet<_>>(), lamps);
    assert_eq!(listed.len(), 7);
    let cheap_in_stock = service
        .list_all(
            &[
                ("q", "LAMP"),
                ("max_price_cents", "400"),
                ("in_stock", "true"),
            ],
            "2",
        )
        .await;
    assert_eq!(cheap_in_stock.len(), 3, "lamps 1, 2 and 4");
    assert_eq!(service.list_all(&[], "5").await.len(), 14);
    // A cursor belongs to its listing.
    let first = call!(
        service,
        list_products,
        Call::new(Method::GET).query("limit", "1")
    );
    let cursor = first.expect(200)["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let elsewhere = Call::new(Method::GET)
        .query("category", "books")
        .query("cursor", &cursor);
    call!(service, list_products, elsewhere).expect(400);
    let bad = Call::new(Method::GET)
        .query("min_price_cents", "9")
        .query("max_price_cents", "1");
    call!(service, list_products, bad).expect(422);
}

#[tokio::test]
async fn a_sale_reserves_once_and_releases_once() {
    let service = Service::default();
    let id = service.create("Lamp", "home", 250, 5).await;
    let first = sale();
    let reserved = service.reserve("sales", &first, &id, 2).await;
    assert_eq!(reserved.expect(200)["items"][0]["unit_price_cents"], 250);
    service.reserve("sales", &first, &id, 2).await.expect(200);
    service.reserve("sales", &first, &id, 3).await.expect(409);
    assert_eq!(service.stock(&id).await, 3);
    let short = service.reserve("sales", &sale(), &id, 4).await;
    assert_eq!(short.expect(409)["type"], "/problems/out-of-stock");
    for _ in 0..3 {
        assert_eq!(
            service.release(&first).await.expect(200)["status"],
            "released"
        );
    }
    assert_eq!(service.stock(&id).await, 5);
    // A released sale cannot reserve again; a release that came first leaves a tombstone.
    let again = service.reserve("sales", &first, &id, 2).await;
    assert_ne!(again.expect(409)["type"], "/problems/out-of-stock");
    let late = sale();
    service.release(&late).await.expect(200);
    service.reserve("sales", &late, &id, 1).await.expect(409);
    assert_eq!(service.store.units(&id), 5);
}

#[tokio::test]
async fn concurrent_reservations_never_oversell() {
    let service = Service::default();
    let id = service.create("Lamp", "home", 250, 7).await;
    let sales: Vec<String> = (0..10).map(|_| sale()).collect();
    let replies = join_all(sales.iter().map(|s| service.reserve("sales", s, &id, 2))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 3);
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 409));
    assert_eq!(service.stock(&id).await, 1);
    join_all(sales.iter().map(|s| service.release(s))).await;
    assert_eq!(service.stock(&id).await, 7);
    assert_eq!(service.store.units(&id), 7);
}

#[tokio::test]
async fn an_order_of_several_lines_reserves_all_or_names_every_failing_line() {
    let service = Service::default();
    let lamp = service.create("Lamp", "home", 250, 3).await;
    let desk = service.create("Desk", "home", 9_000, 5).await;
    let chair = service.create("Chair", "home", 4_000, 1).await;
    let unknown = sale();

    // Two lines short of stock: both named, nothing taken.
    let short = service
        .reserve_lines("sales", &sale(), &[(&lamp, 4), (&desk, 5), (&chair, 2)])
        .await;
    let problem = short.expect(409);
    assert_eq!(problem["type"], "/problems/out-of-stock");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["items[0].quantity", "items[2].quantity"]);
    assert_eq!(problem["errors"][0]["message"], "3 left in stock");
    // An unknown line is named whatever the stock of the others.
    let missing = service
        .reserve_lines("sales", &sale(), &[(&lamp, 9), (&unknown, 1)])
        .await;
    let problem = missing.expect(404);
    assert_eq!(problem["errors"][0]["field"], "items[1].product_id");
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1);
    for product in [&lamp, &desk, &chair] {
        assert_eq!(service.store.units(product), service.stock(product).await);
    }

    // Each line at its own price; a retry answers the same reservation.
    let order = sale();
    let lines = [(lamp.as_str(), 3), (desk.as_str(), 2)];
    let reserved = service.reserve_lines("sales", &order, &lines).await;
    assert_eq!(reserved.expect(200)["items"][1]["unit_price_cents"], 9_000);
    service
        .reserve_lines("sales", &order, &lines)
        .await
        .expect(200);
    service
        .reserve_lines("sales", &order, &[(&lamp, 3)])
        .await
        .expect(409);
    assert_eq!(
        (service.stock(&lamp).await, service.stock(&desk).await),
        (0, 3)
    );
    service.release(&order).await.expect(200);
    assert_eq!(
        (service.stock(&lamp).await, service.stock(&desk).await),
        (3, 5)
    );

    // A product twice in one order, or a bad id, is a 422 naming the line.
    let twice = service
        .reserve_lines("sales", &sale(), &[(&lamp, 1), (&desk, 1), (&lamp, 1)])
        .await;
    assert_eq!(
        twice.expect(422)["errors"][0]["field"],
        "items[2].product_id"
    );
    let bad = service
        .reserve_lines("sales", &sale(), &[(&lamp, 1), ("not an id", 1)])
        .await;
    assert_eq!(bad.expect(422)["errors"][0]["field"], "items[1].product_id");
    let too_many: Vec<(String, i64)> = (0..21).map(|_| (sale(), 1)).collect();
    let too_many: Vec<(&str, i64)> = too_many.iter().map(|(p, q)| (p.as_str(), *q)).collect();
    service
        .reserve_lines("sales", &sale(), &too_many)
        .await
        .expect(422);
}

#[tokio::test]
async fn concurrent_orders_of_two_lines_never_oversell_either() {
    let service = Service::default();
    let lamp = service.create("Lamp", "home", 250, 3).await;
    let desk = service.create("Desk", "home", 900, 5).await;
    let sales: Vec<String> = (0..10).map(|_| sale()).collect();
    let lines = [(lamp.as_str(), 1), (desk.as_str(), 1)];
    let replies = join_all(
        sales
            .iter()
            .map(|s| service.reserve_lines("sales", s, &lines)),
    )
    .await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 3);
    assert_eq!(
        (service.stock(&lamp).await, service.stock(&desk).await),
        (0, 2)
    );
}

#[tokio::test]
async fn a_restock_puts_units_back_once_per_refund() {
    let service = Service::default();
    let lamp = service.create("Lamp", "home", 250, 5).await;
    let desk = service.create("Desk", "home", 900, 5).await;
    let order = sale();
    service
        .reserve_lines("sales", &order, &[(&lamp, 3), (&desk, 2)])
        .await
        .expect(200);
    let refund = sale();
    for _ in 0..3 {
        let restocked = service.restock(&refund, &[(&lamp, 2)]).await;
        assert_eq!(restocked.expect(200)["restock_id"], refund.as_str());
    }
    assert_eq!(service.stock(&lamp).await, 4);
    // The same refund id for other lines is the first restock again, not a second one.
    service.restock(&refund, &[(&desk, 1)]).await.expect(200);
    assert_eq!(service.stock(&desk).await, 3);
    // A deleted product takes its units back too.
    admin_call!(
        service,
        delete_product,
        Call::new(Method::DELETE).path("id", &desk).bearer(&admin())
    )
    .expect(204);
    service.restock(&sale(), &[(&desk, 2)]).await.expect(200);
    assert_eq!(service.store.units(&lamp), 5);
    assert_eq!(service.store.units(&desk), 5);
}

/// A refund's restock always puts its units back, even past the maximum stock (units are
/// conserved); from there the stock can still move back down, and any other change applies.
#[tokio::test]
async fn a_stock_restocked_past_the_maximum_can_move_back_down() {
    let service = Service::default();
    let lamp = service.create("Lamp", "home", 250, MAX_STOCK).await;
    let order = sale();
    service.reserve("sales", &order, &lamp, 5).await.expect(200);
    service
        .update(&lamp, None, json!({"stock": MAX_STOCK}))
        .await
        .expect(200);
    service.restock(&sale(), &[(&lamp, 5)]).await.expect(200);
    assert_eq!(service.stock(&lamp).await, MAX_STOCK + 5);
    service
        .update(&lamp, None, json!({"stock_delta": 1}))
        .await
        .expect(409);
    service
        .update(&lamp, None, json!({"name": "Brass lamp"}))
        .await
        .expect(200);
    service
        .update(&lamp, None, json!({"stock_delta": -10}))
        .await
        .expect(200);
    assert_eq!(service.stock(&lamp).await, MAX_STOCK - 5);
    service
        .update(&lamp, None, json!({"stock_delta": -MAX_STOCK}))
        .await
        .expect(409);
}

#[tokio::test]
async fn stock_routes_admit_sales_and_availability_admits_reviews() {
    let service = Service::default();
    let live = service.create("Lamp", "home", 250, 5).await;
    let gone = service.create("Old lamp", "home", 250, 5).await;
    admin_call!(
        service,
        delete_product,
        Call::new(Method::DELETE).path("id", &gone).bearer(&admin())
    )
    .expect(204);
    service
        .reserve("reviews", &sale(), &live, 1)
        .await
        .expect(403);
    let as_admin = Call::new(Method::POST)
        .bearer(&admin())
        .json(json!({"sale_id": sale(), "items": [{"product_id": live, "quantity": 1}]}));
    call!(service, reserve_stock, as_admin).expect(401);
    let availability = |caller: &str| {
        Call::new(Method::POST)
            .service(&service_token(caller))
            .json(json!({"product_ids": [live, gone, sale(), "not-an-id"]}))
    };
    call!(service, product_availability, availability("sales")).expect(403);
    let reply = call!(service, product_availability, availability("reviews"));
    assert_eq!(reply.expect(200)["available"], json!([live]));
    assert_eq!(service.stock(&live).await, 5);
}

/// A demoted admin (or one whose password changed) is refused at once, not when the
/// token expires: the admin routes ask whether the token is still current.
#[tokio::test]
async fn admin_routes_refuse_an_admin_token_that_is_no_longer_current() {
    let service = Service::default();
    let ops = edge::ids::new_id();
    let ops_token = token(&ops, Role::Admin);
    let body = json!({"name": "Lamp", "category": "home", "price_cents": 100, "stock": 1});
    let create = || {
        Call::new(Method::POST)
            .bearer(&ops_token)
            .json(body.clone())
    };
    admin_call!(service, create_product, create()).expect(201);
    service.accounts.revoke(&ops);
    let refused = admin_call!(service, create_product, create());
    assert_eq!(refused.expect(401)["type"], "/problems/unauthorized");
    let customer = Call::new(Method::POST)
        .bearer(&user(Role::Customer))
        .json(body.clone());
    admin_call!(service, create_product, customer).expect(403);
}

/// Every request type of Inventory (its internal routes' too) reports all its invalid
/// fields in one 422.
#[test]
fn every_request_type_reports_all_its_invalid_fields_at_once() {
    use crate::domain::{NewProduct, ProductPatch};
    use edge::contracts::inventory::{AvailabilityQuery, ReserveStock, RestockRequest, StockLine};
    use testkit::reports_every_invalid_field;
    reports_every_invalid_field::<NewProduct>(
        json!({"name": "Lamp", "description": "Warm", "category": "home", "price_cents": 100,
               "stock": 5}),
        &[
            ("name", json!("")),
            ("description", json!("x".repeat(5001))),
            ("category", json!("a\u{200b}b")),
            ("price_cents", json!(-1)),
            ("stock", json!(-1)),
        ],
    );
    let changes = |stock: (&str, Value)| {
        let mut body = json!({"name": "Lamp", "description": "Warm", "category": "home",
                              "price_cents": 100});
        body[stock.0] = stock.1;
        body
    };
    let invalid_text = [
        ("name", json!("")),
        ("description", json!("x".repeat(5001))),
        ("category", json!("")),
        ("price_cents", json!(-1)),
    ];
    for (stock, valid, invalid) in [("stock", 5, -1), ("stock_delta", 5, 0)] {
        let mut fields = invalid_text.to_vec();
        fields.push((stock, json!(invalid)));
        reports_every_invalid_field::<ProductPatch>(changes((stock, json!(valid))), &fields);
    }
    let line = json!({"product_id": "p", "quantity": 1});
    reports_every_invalid_field::<ReserveStock>(
        json!({"sale_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "items": [line]}),
        &[("sale_id", json!("short")), ("items", json!([]))],
    );
    reports_every_invalid_field::<RestockRequest>(
        json!({"restock_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "items": [line]}),
        &[("restock_id", json!("short")), ("items", json!([]))],
    );
    reports_every_invalid_field::<StockLine>(
        line.clone(),
        &[("product_id", json!("")), ("quantity", json!(0))],
    );
    reports_every_invalid_field::<AvailabilityQuery>(
        json!({"product_ids": ["p"]}),
        &[("product_ids", json!([]))],
    );
}
