//! Logins end when they should, through the real stack: refresh tokens rotate and a
//! reused one ends its login; logging out ends it; a password change, a demotion or
//! closing the account ends the tokens issued before, on every route that acts for the
//! customer or uses admin rights, in every service (they ask Customers).
#![cfg(feature = "stack")]

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

/// A customer with a sale and a pending review: (sale id, review id).
async fn with_history(customer: &Customer) -> (String, String) {
    let admin = admin_token().await;
    let product = create_product(&admin, "sessions", 100, 5).await;
    let product_id = text(&product, "id");
    fund(customer, 1_000).await;
    let sale = text(buy(customer, &product_id, 1, None).await.expect(201), "id");
    let review = review(customer, &product_id, 4, "Mine, pending.").await;
    (sale, text(review.expect(201), "id"))
}

/// Every route that shows the customer their own data, in Sales and Reviews as well as
/// Customers: with `token`, each answers `status`.
async fn owner_reads(customer: &Customer, sale: &str, review: &str, token: &str, status: u16) {
    let id = &customer.id;
    for path in [
        format!("/profile/{id}"),
        format!("/sales/{sale}"),
        format!("/sales/history/{id}"),
        format!("/reviews?customer_id={id}"),
        format!("/reviews/{review}"),
        format!("/recommendations/{id}"),
    ] {
        let reply = get(&path, Some(token)).await;
        assert_eq!(reply.status.as_u16(), status, "{path}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_access_tokens_of_its_login_everywhere() {
    let customer = new_customer().await;
    let (sale, review) = with_history(&customer).await;
    let (access, first) = session(&customer).await;
    let renewed = refresh(&first).await;
    let renewed_access = text(renewed.expect(200), "access_token");
    owner_reads(&customer, &sale, &review, &access, 200).await;
    // The spent token again: a copy. Every token of that login ends, access ones too.
    refresh(&first).await.problem(401);
    owner_reads(&customer, &sale, &review, &access, 401).await;
    owner_reads(&customer, &sale, &review, &renewed_access, 401).await;
    // Another login of the customer goes on.
    owner_reads(&customer, &sale, &review, &customer.token, 200).await;
    // Logging out ends the login's access token too.
    let (leaving, leaving_refresh) = session(&customer).await;
    post(
        "/logout",
        Some(&leaving),
        &json!({ "refresh_token": leaving_refresh }),
    )
    .await
    .expect(204);
    owner_reads(&customer, &sale, &review, &leaving, 401).await;
}

#[tokio::test]
async fn a_password_change_ends_earlier_tokens_for_reads_too() {
    let customer = new_customer().await;
    let (sale, review) = with_history(&customer).await;
    let (stale, _) = session(&customer).await;
    owner_reads(&customer, &sale, &review, &stale, 200).await;
    patch(
        &format!("/profile/{}", customer.id),
        Some(&customer.token),
        &json!({"password": "another-horse-battery", "current_password": customer.password}),
    )
    .await
    .expect(200);
    owner_reads(&customer, &sale, &review, &stale, 401).await;
    let fresh = login(&customer.email, "another-horse-battery").await;
    let fresh = text(fresh.expect(200), "access_token");
    owner_reads(&customer, &sale, &review, &fresh, 200).await;
}

#[tokio::test]
async fn a_role_change_ends_earlier_tokens_for_reads_too() {
    let root = admin_token().await;
    let customer = new_customer().await;
    let (sale, review) = with_history(&customer).await;
    owner_reads(&customer, &sale, &review, &customer.token, 200).await;
    // Through the admin console: made an admin, then a customer again.
    for role in ["admin", "customer"] {
        patch(
            &format!("/profile/{}", customer.id),
            Some(&root),
            &json!({ "role": role }),
        )
        .await
        .expect(200);
    }
    owner_reads(&customer, &sale, &review, &customer.token, 401).await;
}

#[tokio::test]
async fn a_closed_accounts_tokens_read_none_of_its_data() {
    let customer = new_customer().await;
    let (sale, review) = with_history(&customer).await;
    let (other, _) = session(&customer).await;
    delete(&format!("/profile/{}", customer.id), Some(&customer.token))
        .await
        .expect(204);
    let id = &customer.id;
    for path in [
        format!("/sales/{sale}"),
        format!("/sales/history/{id}"),
        format!("/reviews?customer_id={id}"),
        format!("/reviews/{review}"),
        format!("/recommendations/{id}"),
    ] {
        let reply = get(&path, Some(&other)).await;
        assert_eq!(reply.status.as_u16(), 401, "{path}: {}", reply.text);
    }
}

#[tokio::test]
async fn a_demoted_admins_earlier_token_opens_no_admin_view() {
    let root = admin_token().await;
    let ops = new_customer().await;
    let promote = |role: &'static str| {
        let path = format!("/profile/{}", ops.id);
        let root = root.clone();
        async move {
            patch(&path, Some(&root), &json!({ "role": role }))
                .await
                .expect(200);
        }
    };
    promote("admin").await;
    let (ops_token, _) = session(&ops).await;
    let shopper = new_customer().await;
    let (_, pending) = with_history(&shopper).await;
    let product = create_product(&root, "sessions", 100, 5).await;
    let product_id = text(&product, "id");
    let author = new_customer().await;
    let published = text(
        review(&author, &product_id, 5, "Published.")
            .await
            .expect(201),
        "id",
    );
    moderate(&root, &published, "approve").await.expect(200);
    let views = [
        format!("/recommendations/{}", shopper.id),
        format!("/reviews/{pending}"),
        format!("/reviews/{published}"),
        format!("/reviews?product_id={product_id}"),
    ];
    for path in &views {
        get(path, Some(&ops_token)).await.expect(200);
    }
    let listed = get(
        &format!("/reviews?product_id={product_id}"),
        Some(&ops_token),
    )
    .await;
    assert!(listed.expect(200)["items"][0]["moderated_by"].is_string());
    promote("customer").await;
    for path in &views {
        let reply = get(path, Some(&ops_token)).await;
        assert_eq!(reply.status.as_u16(), 401, "{path}: {}", reply.text);
    }
    // The public views are unchanged.
    let public = get(&format!("/reviews?product_id={product_id}"), None).await;
    assert!(public.expect(200)["items"][0]["moderated_by"].is_null());
    get(&format!("/reviews/{pending}"), None).await.problem(404);
}

/// Tokens and personal data are never kept by a cache (`Cache-Control: no-store`): a
/// registration, a login, a refresh, a profile, a deposit, a sale, the history, one's
/// reviews and recommendations; a public read without a token may be kept.
#[tokio::test]
async fn answers_with_tokens_or_personal_data_are_never_stored() {
    let customer = new_customer().await;
    let (sale, review) = with_history(&customer).await;
    let (access, refresh_token) = session(&customer).await;
    let id = &customer.id;
    let mut replies = vec![
        (
            "register".to_string(),
            register(
                &format!("c-{}@test.local", unique()),
                "correct-horse-battery",
            )
            .await,
        ),
        (
            "login".into(),
            login(&customer.email, &customer.password).await,
        ),
        ("refresh".into(), refresh(&refresh_token).await),
        (
            "deposit".into(),
            post(
                &format!("/profile/{id}/wallet/deposit"),
                Some(&access),
                &json!({"amount_cents": 100}),
            )
            .await,
        ),
    ];
    for path in [
        format!("/profile/{id}"),
        format!("/sales/{sale}"),
        format!("/sales/history/{id}"),
        format!("/reviews?customer_id={id}"),
        format!("/reviews/{review}"),
        format!("/recommendations/{id}"),
    ] {
        replies.push((path.clone(), get(&path, Some(&access)).await));
    }
    for (what, reply) in &replies {
        assert!(reply.status.is_success(), "{what}: {}", reply.text);
        assert_eq!(reply.header("cache-control"), Some("no-store"), "{what}");
    }
    let product = get("/products", None).await;
    assert_ne!(product.header("cache-control"), Some("no-store"));
}
