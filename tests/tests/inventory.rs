//! Inventory service end to end: catalogue, admin writes, ETags, stock, reservations.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn admin_creates_and_anyone_reads_products() {
    let admin = admin_token().await;
    let reply = post(
        "/products",
        Some(&admin),
        &json!({"name": "  Lamp <script>alert(1)</script> ", "description": "Warm\nlight", "category": "Home",
                "price_cents": 1999, "stock": 3}),
    )
    .await;
    let created = reply.expect(201).clone();
    assert_eq!(
        created["name"], "Lamp <script>alert(1)</script>",
        "stored as text, trimmed"
    );
    assert_eq!(created["category"], "home");
    assert_eq!(created["currency"], "USD");
    assert_eq!(created["version"], 1);
    assert_eq!(reply.header("etag"), Some("\"1\""));
    let id = created["id"].as_str().unwrap();
    let read = get(&format!("/products/{id}"), None).await;
    assert_eq!(read.expect(200)["name"], created["name"]);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert!(read
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
}

#[tokio::test]
async fn only_admins_write_products() {
    let customer = new_customer().await;
    let admin = admin_token().await;
    let product = create_product(&admin, "guarded", 100, 1).await;
    let id = product["id"].as_str().unwrap();
    let body = json!({"name": "X", "category": "x", "price_cents": 1, "stock": 1});
    post("/products", None, &body).await.problem(401);
    post("/products", Some(&customer.token), &body)
        .await
        .problem(403);
    post(
        &format!("/products/{id}/update"),
        Some(&customer.token),
        &json!({"stock": 999}),
    )
    .await
    .problem(403);
    delete(&format!("/products/{id}"), Some(&customer.token))
        .await
        .problem(403);
    delete(&format!("/products/{id}"), None).await.problem(401);
    // A service token is no admin token either.
    post("/products", Some(&service_token("sales")), &body)
        .await
        .problem(401);
    assert_eq!(read_product(id).await["stock"], 1);
}

#[tokio::test]
async fn product_validation_reports_every_field() {
    let admin = admin_token().await;
    let reply = post(
        "/products",
        Some(&admin),
        &json!({"name": "", "category": "", "price_cents": -1, "stock": -1}),
    )
    .await;
    let fields: Vec<&str> = reply.problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category", "name", "price_cents", "stock"]);
    post(
        "/products",
        Some(&admin),
        &json!({"name": "x", "category": "x", "price_cents": 9.99, "stock": 1}),
    )
    .await
    .problem(400);
    post(
        "/products",
        Some(&admin),
        &json!({"name": "x", "category": "x", "price_cents": 1, "stock": 1, "version": 7}),
    )
    .await
    .problem(400);
}

#[tokio::test]
async fn listing_filters_and_pages() {
    let admin = admin_token().await;
    let category = format!("cat-{}", unique());
    for (price, stock) in [(100, 0), (200, 5), (300, 5), (400, 5), (500, 5)] {
        create_product(&admin, &category, price, stock).await;
    }
    let all = get(&format!("/products?category={category}&limit=100"), None).await;
    assert_eq!(all.expect(200)["items"].as_array().unwrap().len(), 5);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let upper = category.to_uppercase();
    let filtered = get(
        &format!(
            "/products?category={upper}&min_price_cents=200&max_price_cents=400&in_stock=true"
        ),
        None,
    )
    .await;
    let prices: Vec<i64> = filtered.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["price_cents"].as_i64().unwrap())
        .collect();
    let mut sorted = prices.clone();
    sorted.sort();
    assert_eq!(sorted, [200, 300, 400]);
    let in_stock = get(
        &format!("/products?category={category}&in_stock=true"),
        None,
    )
    .await;
    assert_eq!(in_stock.expect(200)["items"].as_array().unwrap().len(), 4);

    // Pages of two: every product once, then a null cursor.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..5 {
        let path = match &cursor {
            Some(c) => format!("/products?category={category}&limit=2&cursor={c}"),
            None => format!("/products?category={category}&limit=2"),
        };
        let page = get(&path, None).await;
        seen.extend(names(page.expect(200)));
        cursor = page.body["next_cursor"].as_str().map(str::to_string);
        if cursor.is_none() {
            break;
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn search_is_case_insensitive_on_the_name() {
    let admin = admin_token().await;
    let token = unique();
    let name = format!("Söme Fancy Widget {token}");
    post(
        "/products",
        Some(&admin),
        &json!({"name": name, "category": "search", "price_cents": 10, "stock": 1}),
    )
    .await
    .expect(201);
    let found = get(
        &format!("/products?q=FANCY%20WIDGET%20{}", token.to_uppercase()),
        None,
    )
    .await;
    assert_eq!(names(found.expect(200)), [name]);
}

#[tokio::test]
async fn bad_list_parameters_and_cursors_are_rejected() {
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "min_price_cents=-1",
        "in_stock=maybe",
        "min_price_cents=500&max_price_cents=100",
    ] {
        get(&format!("/products?{query}"), None).await.problem(422);
    }
    let first = get("/products?limit=1", None).await;
    let cursor = first.expect(200)["next_cursor"]
        .as_str()
        .expect("the seed has products")
        .to_string();
    // A cursor from another filter, a tampered one, and garbage.
    get(
        &format!("/products?limit=1&in_stock=true&cursor={cursor}"),
        None,
    )
    .await
    .problem(400);
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    get(&format!("/products?limit=1&cursor={tampered}"), None)
        .await
        .problem(400);
    get("/products?limit=1&cursor=%27%20OR%201%3D1", None)
        .await
        .problem(400);
    get(&format!("/products?limit=1&cursor={cursor}"), None)
        .await
        .expect(200);
}

#[tokio::test]
async fn updates_use_etags_and_stale_versions_conflict() {
    let admin = admin_token().await;
    let product = create_product(&admin, "etag", 1000, 10).await;
    let id = product["id"].as_str().unwrap();
    let path = format!("/products/{id}/update");
    let update = |etag: &'static str, body: Value| {
        let (path, admin) = (path.clone(), admin.clone());
        async move {
            send(
                request(Method::POST, &path, Some(&admin))
                    .header("If-Match", etag)
                    .json(&body),
            )
            .await
        }
    };
    let first = update("\"1\"", json!({"price_cents": 1200})).await;
    assert_eq!(first.expect(200)["price_cents"], 1200);
    assert_eq!(first.header("etag"), Some("\"2\""));
    // Someone else still holds version 1.
    update("\"1\"", json!({"price_cents": 900}))
        .await
        .problem(409);
    update("W/\"2\"", json!({"name": "Renamed"}))
        .await
        .expect(200);
    update("garbage", json!({"name": "x"})).await.problem(400);
    // Without If-Match the update applies to the current version.
    post(&path, Some(&admin), &json!({"description": "new"}))
        .await
        .expect(200);
    let now = read_product(id).await;
    assert_eq!(
        (
            now["price_cents"].as_i64(),
            now["name"].as_str(),
            now["version"].as_i64()
        ),
        (Some(1200), Some("Renamed"), Some(4))
    );
}

#[tokio::test]
async fn stock_is_absolute_or_relative_and_never_negative() {
    let admin = admin_token().await;
    let product = create_product(&admin, "stock", 500, 5).await;
    let id = product["id"].as_str().unwrap();
    let path = format!("/products/{id}/update");
    assert_eq!(
        post(&path, Some(&admin), &json!({"stock_delta": 10}))
            .await
            .expect(200)["stock"],
        15
    );
    assert_eq!(
        post(&path, Some(&admin), &json!({"stock": 2}))
            .await
            .expect(200)["stock"],
        2
    );
    post(&path, Some(&admin), &json!({"stock_delta": -3}))
        .await
        .problem(409);
    post(&path, Some(&admin), &json!({"stock": -1}))
        .await
        .problem(422);
    post(&path, Some(&admin), &json!({"stock": 1, "stock_delta": 1}))
        .await
        .problem(422);
    post(&path, Some(&admin), &json!({})).await.problem(422);
    assert_eq!(
        post(&path, Some(&admin), &json!({"stock_delta": -2}))
            .await
            .expect(200)["stock"],
        0
    );
    assert_eq!(read_product(id).await["stock"], 0);
}

#[tokio::test]
async fn concurrent_restocks_lose_no_update() {
    let admin = admin_token().await;
    let product = create_product(&admin, "restock", 500, 0).await;
    let id = product["id"].as_str().unwrap().to_string();
    let replies = join_all((0..12).map(|_| {
        let (id, admin) = (id.clone(), admin.clone());
        async move {
            post(
                &format!("/products/{id}/update"),
                Some(&admin),
                &json!({"stock_delta": 1}),
            )
            .await
            .status
        }
    }))
    .await;
    assert!(replies.iter().all(|s| s.as_u16() == 200), "{replies:?}");
    let after = read_product(&id).await;
    assert_eq!(after["stock"], 12);
    assert_eq!(after["version"], 13);
}

#[tokio::test]
async fn deleted_products_are_hidden_but_resolvable() {
    let admin = admin_token().await;
    let category = format!("del-{}", unique());
    let product = create_product(&admin, &category, 700, 4).await;
    let id = product["id"].as_str().unwrap();
    send(
        request(Method::DELETE, &format!("/products/{id}"), Some(&admin))
            .header("If-Match", "\"7\""),
    )
    .await
    .problem(409);
    let deleted = delete(&format!("/products/{id}"), Some(&admin)).await;
    assert_eq!(deleted.status, 204);
    let listed = get(&format!("/products?category={category}"), None).await;
    assert!(listed.expect(200)["items"].as_array().unwrap().is_empty());
    let still = read_product(id).await;
    assert!(still["deleted_at"].is_string());
    delete(&format!("/products/{id}"), Some(&admin))
        .await
        .problem(404);
    post(
        &format!("/products/{id}/update"),
        Some(&admin),
        &json!({"stock": 1}),
    )
    .await
    .problem(404);
    get(&format!("/products/{}", ulid::Ulid::new()), None)
        .await
        .problem(404);
    get("/products/..%2F..%2Fetc%2Fpasswd", None)
        .await
        .problem(404);
}

fn reservation(sale_id: &str, product_id: &str, quantity: i64) -> Value {
    json!({"sale_id": sale_id, "items": [{"product_id": product_id, "quantity": quantity}]})
}

#[tokio::test]
async fn reservations_need_a_service_token() {
    let admin = admin_token().await;
    let customer = new_customer().await;
    let product = create_product(&admin, "internal", 100, 5).await;
    let body = reservation(
        &ulid::Ulid::new().to_string(),
        product["id"].as_str().unwrap(),
        1,
    );
    post("/internal/inventory/reservations", None, &body)
        .await
        .problem(401);
    post(
        "/internal/inventory/reservations",
        Some(&customer.token),
        &body,
    )
    .await
    .problem(401);
    post("/internal/inventory/reservations", Some(&admin), &body)
        .await
        .problem(401);
    let release = format!(
        "/internal/inventory/reservations/{}/release",
        ulid::Ulid::new()
    );
    post(&release, Some(&admin), &json!({})).await.problem(401);
    assert_eq!(
        read_product(product["id"].as_str().unwrap()).await["stock"],
        5
    );
}

#[tokio::test]
async fn reservations_are_idempotent_per_sale_and_released_once() {
    let admin = admin_token().await;
    let service = service_token("sales");
    let product = create_product(&admin, "reserve", 250, 5).await;
    let id = product["id"].as_str().unwrap();
    let sale = ulid::Ulid::new().to_string();
    let first = post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&sale, id, 2),
    )
    .await;
    assert_eq!(first.expect(200)["items"][0]["unit_price_cents"], 250);
    // A retry takes nothing more; the same sale id for something else is a conflict.
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&sale, id, 2),
    )
    .await
    .expect(200);
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&sale, id, 3),
    )
    .await
    .problem(409);
    assert_eq!(read_product(id).await["stock"], 3);
    let release = format!("/internal/inventory/reservations/{sale}/release");
    assert_eq!(
        post(&release, Some(&service), &json!({})).await.expect(200)["status"],
        "released"
    );
    post(&release, Some(&service), &json!({})).await.expect(200);
    assert_eq!(read_product(id).await["stock"], 5);
    // After its release a sale cannot reserve again.
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&sale, id, 2),
    )
    .await
    .problem(409);
    // A release that arrives first blocks a late reservation.
    let early = ulid::Ulid::new().to_string();
    post(
        &format!("/internal/inventory/reservations/{early}/release"),
        Some(&service),
        &json!({}),
    )
    .await
    .expect(200);
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&early, id, 1),
    )
    .await
    .problem(409);
    assert_eq!(read_product(id).await["stock"], 5);
}

#[tokio::test]
async fn reservations_refuse_missing_deleted_and_short_stock() {
    let admin = admin_token().await;
    let service = service_token("sales");
    let product = create_product(&admin, "reserve", 100, 1).await;
    let id = product["id"].as_str().unwrap();
    let new_sale = || ulid::Ulid::new().to_string();
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&new_sale(), id, 2),
    )
    .await
    .problem(409);
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&new_sale(), &new_sale(), 1),
    )
    .await
    .problem(404);
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation("not-a-sale", id, 1),
    )
    .await
    .problem(422);
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&new_sale(), id, 0),
    )
    .await
    .problem(422);
    delete(&format!("/products/{id}"), Some(&admin)).await;
    post(
        "/internal/inventory/reservations",
        Some(&service),
        &reservation(&new_sale(), id, 1),
    )
    .await
    .problem(404);
}

#[tokio::test]
async fn concurrent_reservations_never_oversell() {
    let admin = admin_token().await;
    let service = service_token("sales");
    let product = create_product(&admin, "race", 100, 5).await;
    let id = product["id"].as_str().unwrap().to_string();
    let replies = join_all((0..16).map(|_| {
        let (id, service) = (id.clone(), service.clone());
        async move {
            post(
                "/internal/inventory/reservations",
                Some(&service),
                &reservation(&ulid::Ulid::new().to_string(), &id, 1),
            )
            .await
            .status
            .as_u16()
        }
    }))
    .await;
    assert_eq!(
        replies.iter().filter(|s| **s == 200).count(),
        5,
        "{replies:?}"
    );
    assert_eq!(
        replies.iter().filter(|s| **s == 409).count(),
        11,
        "{replies:?}"
    );
    assert_eq!(read_product(&id).await["stock"], 0);
}
