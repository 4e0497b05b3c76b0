//! Logins end when they should, through the real stack: refresh tokens rotate and a
//! reused one ends its login; logging out ends it; a password change, a demotion or
//! closing the account ends the tokens issued before, on every route that acts for the
//! customer or uses admin rights, in every service (they ask Customers).

use e2e::*;
use serde_json::{json, Value};

async fn refresh(refresh_token: &str) -> Reply {
    post(
        "/token/refresh",
        None,
        &json!({ "refresh_token": refresh_token }),
    )
    .await
}

fn text(body: &Value, name: &str) -> String {
    body[name].as_str().unwrap().to_string()
}

/// Logs in: (access token, refresh token).
async fn session(customer: &Customer) -> (String, String) {
    let login = login(&customer.email, &customer.password).await;
    let body = login.expect(200);
    assert!(body["refresh_expires_in"].as_u64().unwrap() > 0);
    (text(body, "access_token"), text(body, "refresh_token"))
}

#[tokio::test]
async fn refresh_tokens_rotate_and_one_presented_twice_ends_the_login() {
    let customer = new_customer().await;
    let (_, first) = session(&customer).await;
    let renewed = refresh(&first).await;
    let body = renewed.expect(200).clone();
    let (access, second) = (text(&body, "access_token"), text(&body, "refresh_token"));
    get(&format!("/profile/{}", customer.id), Some(&access))
        .await
        .expect(200);
    refresh(&first).await.problem(401);
    refresh(&second).await.problem(401);
    // Logging out ends a login; the refresh token then works no more.
    let (access, third) = session(&customer).await;
    post("/logout", Some(&access), &json!({ "refresh_token": third }))
        .await
        .expect(204);
    refresh(&third).await.problem(401);
}

#[tokio::test]
async fn a_password_change_ends_earlier_tokens_in_every_service() {
    let admin = admin_token().await;
    let product = create_product(&admin, "sessions", 100, 5).await;
    let product_id = text(&product, "id");
    let customer = new_customer().await;
    fund(&customer, 1_000).await;
    let (stale, stale_refresh) = session(&customer).await;
    patch(
        &format!("/profile/{}", customer.id),
        Some(&customer.token),
        &json!({"password": "another-horse-battery", "current_password": customer.password}),
    )
    .await
    .expect(200);
    let old = Customer {
        token: stale,
        ..customer
    };
    buy(&old, &product_id, 1, None).await.problem(401);
    review(&old, &product_id, 5, "fine").await.problem(401);
    post(
        &format!("/profile/{}/wallet/deposit", old.id),
        Some(&old.token),
        &json!({"amount_cents": 100}),
    )
    .await
    .problem(401);
    refresh(&stale_refresh).await.problem(401);
    assert_eq!(stock(&product_id).await, 5, "nothing was bought");
    let fresh = login(&old.email, "another-horse-battery").await;
    let renewed = Customer {
        token: text(fresh.expect(200), "access_token"),
        ..old
    };
    buy(&renewed, &product_id, 1, None).await.expect(201);
}

#[tokio::test]
async fn a_demoted_admin_is_refused_on_admin_routes_at_once() {
    let root = admin_token().await;
    let ops = new_customer().await;
    patch(
        &format!("/profile/{}", ops.id),
        Some(&root),
        &json!({"role": "admin"}),
    )
    .await
    .expect(200);
    let (ops_token, _) = session(&ops).await;
    let product = create_product(&ops_token, "sessions", 100, 1).await;
    let product_id = text(&product, "id");
    patch(
        &format!("/profile/{}", ops.id),
        Some(&root),
        &json!({"role": "customer"}),
    )
    .await
    .expect(200);
    let body = json!({"name": "x", "category": "sessions", "price_cents": 1, "stock": 1});
    post("/products", Some(&ops_token), &body)
        .await
        .problem(401);
    delete(&format!("/products/{product_id}"), Some(&ops_token))
        .await
        .problem(401);
    get("/reviews?status=pending", Some(&ops_token))
        .await
        .problem(401);
}

#[tokio::test]
async fn a_closed_account_buys_and_reviews_nothing() {
    let admin = admin_token().await;
    let product = create_product(&admin, "sessions", 100, 5).await;
    let product_id = text(&product, "id");
    let customer = new_customer().await;
    fund(&customer, 1_000).await;
    delete(&format!("/profile/{}", customer.id), Some(&customer.token))
        .await
        .expect(204);
    buy(&customer, &product_id, 1, None).await.problem(401);
    review(&customer, &product_id, 5, "fine").await.problem(401);
    assert_eq!(stock(&product_id).await, 5);
}
