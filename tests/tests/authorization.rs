//! Who may do what: every per-customer route refuses a second customer, admin routes
//! refuse customers, internal routes refuse user tokens, and no body field lets a caller
//! raise their role, set their balance or choose a price. Each refusal leaves the data
//! as it was.
#![cfg(feature = "stack")]

use e2e::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde_json::{json, Value};

/// A 403 or a 404 ("not found" also hides what the caller may not see), as a problem.
fn refused(reply: &Reply, what: &str) {
    let status = reply.status.as_u16();
    assert!(
        matches!(status, 403 | 404),
        "{what}: got {status}: {}",
        reply.text
    );
    reply.problem(status);
}

struct Owner {
    customer: Customer,
    product: String,
    sale: String,
    review: String,
}

async fn owner_with_history() -> Owner {
    let admin = admin_token().await;
    let customer = new_customer().await;
    fund(&customer, 10_000).await;
    let product = create_product(&admin, "ownership", 1_000, 10).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sale = buy(&customer, &product, 1, None).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let review = review(&customer, &product, 4, "Mine, pending.")
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    Owner {
        customer,
        product,
        sale,
        review,
    }
}

async fn snapshot(owner: &Owner) -> (Value, Value, Value) {
    let token = Some(owner.customer.token.as_str());
    let profile = get(&format!("/profile/{}", owner.customer.id), token).await;
    let sale = get(&format!("/sales/{}", owner.sale), token).await;
    let review = get(&format!("/reviews/{}", owner.review), token).await;
    (
        profile.expect(200).clone(),
        sale.expect(200).clone(),
        review.expect(200).clone(),
    )
}

#[tokio::test]
async fn another_customer_is_refused_on_every_per_customer_route() {
    let owner = owner_with_history().await;
    let before = snapshot(&owner).await;
    let mallory = new_customer().await;
    let token = Some(mallory.token.as_str());
    let id = &owner.customer.id;
    let checks = [
        ("GET profile", get(&format!("/profile/{id}"), token).await),
        (
            "PATCH profile",
            patch(
                &format!("/profile/{id}"),
                token,
                &json!({"full_name": "Mallory"}),
            )
            .await,
        ),
        (
            "deposit",
            post(
                &format!("/profile/{id}/wallet/deposit"),
                token,
                &json!({"amount_cents": 5}),
            )
            .await,
        ),
        (
            "GET sale",
            get(&format!("/sales/{}", owner.sale), token).await,
        ),
        ("history", get(&format!("/sales/history/{id}"), token).await),
        (
            "reviews by customer",
            get(&format!("/reviews?customer_id={id}"), token).await,
        ),
        (
            "GET pending review",
            get(&format!("/reviews/{}", owner.review), token).await,
        ),
        (
            "PATCH review",
            patch(
                &format!("/reviews/{}", owner.review),
                token,
                &json!({"rating": 1}),
            )
            .await,
        ),
        (
            "DELETE review",
            delete(&format!("/reviews/{}", owner.review), token).await,
        ),
        (
            "recommendations",
            get(&format!("/recommendations/{id}"), token).await,
        ),
        (
            "DELETE profile",
            delete(&format!("/profile/{id}"), token).await,
        ),
    ];
    for (what, reply) in &checks {
        refused(reply, what);
    }
    assert_eq!(
        snapshot(&owner).await,
        before,
        "a refused request changed data"
    );
}

#[tokio::test]
async fn customers_are_refused_on_admin_routes() {
    let owner = owner_with_history().await;
    let before = snapshot(&owner).await;
    let token = Some(owner.customer.token.as_str());
    let product = &owner.product;
    let replies = [
        (
            "create product",
            post(
                "/products",
                token,
                &json!({"name": "n", "category": "c", "price_cents": 1, "stock": 1}),
            )
            .await,
        ),
        (
            "update product",
            post(
                &format!("/products/{product}/update"),
                token,
                &json!({"price_cents": 1}),
            )
            .await,
        ),
        (
            "delete product",
            delete(&format!("/products/{product}"), token).await,
        ),
        (
            "moderate",
            post(
                &format!("/reviews/{}/moderate", owner.review),
                token,
                &json!({"action": "approve"}),
            )
            .await,
        ),
        (
            "moderation queue",
            get("/reviews?status=pending", token).await,
        ),
    ];
    for (what, reply) in &replies {
        reply.problem(403);
        let _ = what;
    }
    let product_now = read_product(product).await;
    assert_eq!(product_now["price_cents"], 1_000);
    assert_eq!(snapshot(&owner).await, before);
}

/// Every internal route, a request to it, and the services it admits.
fn internal_routes(owner: &Owner) -> [(Method, String, Option<Value>, &'static [&'static str]); 8] {
    let id = &owner.customer.id;
    let sale = &owner.sale;
    [
        (
            Method::POST,
            format!("/internal/customers/{id}/wallet/charges"),
            Some(json!({"sale_id": ulid::Ulid::new().to_string(), "amount_cents": 1})),
            &["sales"],
        ),
        (
            Method::POST,
            format!("/internal/customers/{id}/wallet/charges/{sale}/refund"),
            None,
            &["sales"],
        ),
        (
            Method::GET,
            format!("/internal/customers/{id}"),
            None,
            &["reviews", "inventory", "sales"],
        ),
        (
            Method::POST,
            "/internal/inventory/reservations".into(),
            Some(
                json!({"sale_id": ulid::Ulid::new().to_string(), "product_id": owner.product, "quantity": 1}),
            ),
            &["sales"],
        ),
        (
            Method::POST,
            format!("/internal/inventory/reservations/{sale}/release"),
            Some(json!({})),
            &["sales"],
        ),
        (
            Method::POST,
            "/internal/inventory/availability".into(),
            Some(json!({"product_ids": [owner.product]})),
            &["reviews"],
        ),
        (
            Method::GET,
            format!(
                "/internal/sales/purchases?customer_id={id}&product_id={}",
                owner.product
            ),
            None,
            &["reviews"],
        ),
        (
            Method::POST,
            "/internal/reviews/interactions".into(),
            Some(json!({"interactions": []})),
            &["sales"],
        ),
    ]
}

#[tokio::test]
async fn internal_routes_refuse_user_tokens() {
    let owner = owner_with_history().await;
    let admin = admin_token().await;
    let before = snapshot(&owner).await;
    for (method, path, body, _) in internal_routes(&owner) {
        for token in [
            Some(owner.customer.token.as_str()),
            Some(admin.as_str()),
            None,
        ] {
            let mut builder = request(method.clone(), &path, token);
            if let Some(body) = &body {
                builder = builder.json(body);
            }
            send(builder).await.problem(401);
        }
    }
    assert_eq!(snapshot(&owner).await, before);
}

/// A valid service token opens only the internal routes its service is declared to call:
/// Reviews cannot charge a wallet, Customers cannot read a customer's status.
#[tokio::test]
async fn internal_routes_refuse_services_that_do_not_call_them() {
    let owner = owner_with_history().await;
    let before = snapshot(&owner).await;
    for (method, path, body, caller) in internal_routes(&owner) {
        for stranger in ["customers", "inventory", "sales", "reviews", "platform"] {
            if caller.contains(&stranger) {
                continue;
            }
            let token = service_token(stranger);
            let mut builder = request(method.clone(), &path, Some(&token));
            if let Some(body) = &body {
                builder = builder.json(body);
            }
            let reply = send(builder).await;
            assert_eq!(
                reply.status.as_u16(),
                403,
                "{stranger} on {path}: {}",
                reply.text
            );
        }
    }
    assert_eq!(snapshot(&owner).await, before);
}

#[tokio::test]
async fn body_fields_cannot_raise_a_role_a_balance_or_a_price() {
    let owner = owner_with_history().await;
    let customer = &owner.customer;
    let token = Some(customer.token.as_str());
    let before = snapshot(&owner).await;
    let profile = format!("/profile/{}", customer.id);
    // Unknown to the route: refused as a whole.
    for body in [
        json!({"full_name": "x", "wallet_balance_cents": 1_000_000_000}),
        json!({"full_name": "x", "status": "active"}),
        json!({"full_name": "x", "id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
    ] {
        patch(&profile, token, &body).await.problem(400);
    }
    // Known, but only an admin may change it.
    patch(&profile, token, &json!({"role": "admin"}))
        .await
        .problem(403);
    post(
        "/register",
        None,
        &json!({"email": format!("e-{}@test.local", unique()), "password": "correct-horse-battery",
                "full_name": "E", "role": "admin"}),
    )
    .await
    .problem(400);
    for body in [
        json!({"product_id": owner.product, "quantity": 1, "unit_price_cents": 1}),
        json!({"product_id": owner.product, "quantity": 1, "price_cents": 1}),
        json!({"product_id": owner.product, "quantity": 1, "total_cents": 1}),
        json!({"product_id": owner.product, "quantity": 1, "customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
        json!({"product_id": owner.product, "quantity": 1, "status": "completed"}),
    ] {
        post("/sales", token, &body).await.problem(400);
    }
    let review_path = format!("/reviews/{}", owner.review);
    for body in [
        json!({"rating": 5, "status": "approved"}),
        json!({"rating": 5, "verified_purchase": true}),
        json!({"rating": 5, "customer_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"}),
    ] {
        patch(&review_path, token, &body).await.problem(400);
    }
    post(
        "/reviews",
        token,
        &json!({"product_id": owner.product, "rating": 5, "comment": "x", "status": "approved"}),
    )
    .await
    .problem(400);
    post(
        &format!("/profile/{}/wallet/deposit", customer.id),
        token,
        &json!({"amount_cents": -500}),
    )
    .await
    .problem(422);
    assert_eq!(snapshot(&owner).await, before);
    // The token the customer gets next still says customer.
    let again = login(&customer.email, &customer.password).await;
    assert_eq!(again.expect(200)["role"], "customer");
}

fn signed(claims: &Value, algorithm: Algorithm, secret: &[u8]) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[tokio::test]
async fn tokens_with_a_wrong_issuer_algorithm_or_claims_are_401() {
    let customer = new_customer().await;
    let path = format!("/profile/{}", customer.id);
    let secret = std::env::var("JWT_SECRET")
        .unwrap_or_else(|_| "local-dev-only-jwt-secret-0123456789abcdef".into());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // The login the customer's token names (`sid`): a token is current only for a live one.
    let login: Value = {
        use base64::Engine;
        let payload = customer.token.split('.').nth(1).unwrap();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap();
        serde_json::from_slice::<Value>(&bytes).unwrap()["sid"].clone()
    };
    assert!(login.is_string(), "access tokens name their login");
    let good = json!({"sub": customer.id, "role": "customer", "iss": "shop-platform",
                      "aud": "shop-api", "iat": now, "exp": now + 600, "sid": login});
    // The control: a token minted exactly like these, but valid, is accepted.
    get(
        &path,
        Some(&signed(&good, Algorithm::HS256, secret.as_bytes())),
    )
    .await
    .expect(200);
    let with = |field: &str, value: Value| {
        let mut claims = good.clone();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(field);
        } else {
            claims[field] = value;
        }
        claims
    };
    let cases = [
        (
            "wrong issuer",
            signed(
                &with("iss", json!("evil")),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "no issuer",
            signed(
                &with("iss", Value::Null),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "no audience",
            signed(
                &with("aud", Value::Null),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "no expiry",
            signed(
                &with("exp", Value::Null),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "no subject",
            signed(
                &with("sub", Value::Null),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "no login (sid)",
            signed(
                &with("sid", Value::Null),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "another login (sid)",
            signed(
                &with("sid", json!(ulid::Ulid::new().to_string())),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "unknown role",
            signed(
                &with("role", json!("root")),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "expired long ago",
            signed(
                &with("exp", json!(now - 3600)),
                Algorithm::HS256,
                secret.as_bytes(),
            ),
        ),
        (
            "HS512 with the same key",
            signed(&good, Algorithm::HS512, secret.as_bytes()),
        ),
        (
            "HS384 with the same key",
            signed(&good, Algorithm::HS384, secret.as_bytes()),
        ),
    ];
    for (name, token) in cases {
        let reply = get(&path, Some(&token)).await;
        assert_eq!(reply.status.as_u16(), 401, "{name}: {}", reply.text);
        reply.problem(401);
    }
}

#[tokio::test]
async fn nasty_text_in_every_free_text_field_is_stored_as_given_or_refused_cleanly() {
    let nasty = [
        "'; DROP TABLE customers; --",
        "<img src=x onerror=alert(1)>",
        "${jndi:ldap://x/a}",
        "Zoë 🚀 山田 עברית 👨\u{200d}👩\u{200d}👧",
        "Eve\u{202e}gnp.exe",
        "attribute_not_exists(id) OR #a = :b",
    ];
    let admin = admin_token().await;
    for text in nasty {
        let customer = new_customer().await;
        let token = Some(customer.token.as_str());
        let profile = format!("/profile/{}", customer.id);
        for field in ["full_name", "username", "address", "phone"] {
            let reply = patch(&profile, token, &json!({ field: text })).await;
            match reply.status.as_u16() {
                200 => assert_eq!(
                    get(&profile, token).await.expect(200)[field],
                    text,
                    "{field}"
                ),
                422 => {
                    reply.problem(422);
                }
                other => panic!("{field} = {text:?}: {other} {}", reply.text),
            }
        }
        fund(&customer, 1_000).await;
        let product = create_product(&admin, "nasty-text", 100, 5).await["id"]
            .as_str()
            .unwrap()
            .to_string();
        buy(&customer, &product, 1, None).await.expect(201);
        let created = review(&customer, &product, 3, text).await;
        if edge::text::multi_line(text).is_err() {
            // Text that reads otherwise than it is is refused (API.md, "Text fields").
            created.problem(422);
        } else {
            let review_id = created.expect(201)["id"].as_str().unwrap().to_string();
            assert_eq!(
                get(&format!("/reviews/{review_id}"), token)
                    .await
                    .expect(200)["comment"],
                text
            );
            let moderated = moderate_with(
                &admin,
                &review_id,
                &json!({"action": "reject", "reason": text}),
            )
            .await;
            assert_eq!(moderated.expect(200)["status"], "rejected");
        }
        let updated = post(
            &format!("/products/{product}/update"),
            Some(&admin),
            &json!({"name": text, "description": text, "category": text}),
        )
        .await;
        match updated.status.as_u16() {
            200 => assert_eq!(read_product(&product).await["name"], text),
            422 => {
                updated.problem(422);
            }
            other => panic!("product update {text:?}: {other} {}", updated.text),
        }
    }
}
