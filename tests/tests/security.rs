//! Hostile input on every kind of route: forged tokens, malformed bodies, oversized
//! bodies, injection strings. Each must get a clear problem+json error, never a 5xx.
#![cfg(feature = "stack")]

use e2e::*;
use reqwest::Method;
use serde_json::json;

/// Routes that need a body, with a valid one, and the token that may call them.
async fn body_routes() -> Vec<(String, serde_json::Value, Option<String>)> {
    let customer = new_customer().await;
    let admin = admin_token().await;
    let product = create_product(&admin, "security", 100, 5).await;
    let product_id = product["id"].as_str().unwrap().to_string();
    let reviewer = new_customer().await;
    let review_id = review(&reviewer, &product_id, 4, "fine").await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    vec![
        (
            "/register".into(),
            json!({"email": format!("s-{}@test.local", unique()), "password": "correct-horse-battery", "full_name": "S"}),
            None,
        ),
        (
            "/login".into(),
            json!({"email": customer.email, "password": customer.password}),
            None,
        ),
        (
            format!("/profile/{}/wallet/deposit", customer.id),
            json!({"amount_cents": 1}),
            Some(customer.token.clone()),
        ),
        (
            "/products".into(),
            json!({"name": "n", "category": "c", "price_cents": 1, "stock": 1}),
            Some(admin.clone()),
        ),
        (
            format!("/products/{product_id}/update"),
            json!({"stock_delta": 1}),
            Some(admin.clone()),
        ),
        (
            "/sales".into(),
            json!({"product_id": product_id, "quantity": 1}),
            Some(customer.token.clone()),
        ),
        (
            "/reviews".into(),
            json!({"product_id": product_id, "rating": 5, "comment": "ok"}),
            Some(customer.token.clone()),
        ),
        (
            format!("/reviews/{}/moderate", review_id),
            json!({"action": "approve"}),
            Some(admin.clone()),
        ),
        (
            format!("/internal/customers/{}/wallet/charges", customer.id),
            json!({"sale_id": ulid::Ulid::new().to_string(), "amount_cents": 1}),
            Some(service_token("sales")),
        ),
        (
            "/internal/inventory/reservations".into(),
            json!({"sale_id": ulid::Ulid::new().to_string(), "product_id": product_id, "quantity": 1}),
            Some(service_token("sales")),
        ),
    ]
}

#[tokio::test]
async fn malformed_bodies_are_400_413_or_415() {
    for (path, _, token) in body_routes().await {
        let raw = |body: &'static str, content_type: &'static str| {
            request(Method::POST, &path, token.as_deref())
                .header("content-type", content_type)
                .body(body)
        };
        for bad in [
            "{",
            "{\"a\":",
            "[]",
            "null",
            "\"text\"",
            "{}}",
            "\u{feff}{}",
        ] {
            send(raw(bad, "application/json")).await.problem(400);
        }
        send(raw("{}", "text/plain")).await.problem(415);
        send(raw(
            "email=a&password=b",
            "application/x-www-form-urlencoded",
        ))
        .await
        .problem(415);
        let huge = format!("{{\"padding\":\"{}\"}}", "x".repeat(40 * 1024));
        send(
            request(Method::POST, &path, token.as_deref())
                .header("content-type", "application/json")
                .body(huge),
        )
        .await
        .problem(413);
    }
}

#[tokio::test]
async fn unknown_fields_and_wrong_types_are_400() {
    for (path, valid, token) in body_routes().await {
        let mut extra = valid.clone();
        extra["is_admin"] = json!(true);
        post(&path, token.as_deref(), &extra).await.problem(400);
        // Every field with the wrong type in turn.
        for (field, value) in valid.as_object().unwrap() {
            let mut wrong = valid.clone();
            wrong[field] = if value.is_string() {
                json!(12345)
            } else {
                json!("12345")
            };
            let reply = post(&path, token.as_deref(), &wrong).await;
            reply.problem(400);
        }
    }
}

#[tokio::test]
async fn injection_and_unicode_strings_are_data() {
    let admin = admin_token().await;
    let nasty = [
        "'; DROP TABLE products; --",
        "\" OR \"\"=\"",
        "<script>alert('x')</script>",
        "${jndi:ldap://x/a}",
        "{{7*7}}",
        "../../etc/passwd",
        "Zoë 🚀 山田 עברית",
        "attribute_not_exists(id) OR #a = :b",
    ];
    for text in nasty {
        let reply = post(
            "/products",
            Some(&admin),
            &json!({"name": text, "description": text, "category": "nasty", "price_cents": 1, "stock": 1}),
        )
        .await;
        let created = reply.expect(201);
        assert_eq!(created["name"], text);
        let id = created["id"].as_str().unwrap();
        assert_eq!(read_product(id).await["description"], text);
        // As a search term, a path id and a login: clean answers only.
        let encoded: String = url_encode(text);
        assert!(
            get(&format!("/products?q={encoded}"), None)
                .await
                .status
                .as_u16()
                == 200
        );
        get(&format!("/products/{encoded}"), None)
            .await
            .problem(404);
        login(text, text).await.problem(401);
        let reg = post(
            "/register",
            None,
            &json!({"email": text, "password": "correct-horse-battery", "full_name": text}),
        )
        .await;
        reg.problem(422);
    }
    // Control characters are refused in single-line fields.
    post(
        "/products",
        Some(&admin),
        &json!({"name": "bad\u{0000}name", "category": "nasty", "price_cents": 1, "stock": 1}),
    )
    .await
    .problem(422);
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn forged_and_expired_tokens_are_401() {
    let customer = new_customer().await;
    let path = format!("/profile/{}", customer.id);
    let valid = customer.token.clone();
    let (header, payload, signature) = {
        let parts: Vec<&str> = valid.split('.').collect();
        (
            parts[0].to_string(),
            parts[1].to_string(),
            parts[2].to_string(),
        )
    };
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
    claims["role"] = json!("admin");
    let escalated = format!(
        "{header}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
    );
    let wrong_key = edge::auth::TokenKeys::new(
        b"attacker-secret-attacker-secret-!!",
        edge::auth::USER_AUDIENCE,
        900,
    )
    .issue(&customer.id, edge::auth::Role::Admin)
    .unwrap()
    .token;
    let wrong_audience = edge::auth::TokenKeys::new(
        b"local-dev-only-jwt-secret-0123456789abcdef",
        "another-api",
        900,
    )
    .issue(&customer.id, edge::auth::Role::Customer)
    .unwrap()
    .token;
    for (name, token) in [
        ("escalated", escalated),
        ("alg none", alg_none),
        ("wrong key", wrong_key),
        ("wrong audience", wrong_audience),
        ("truncated", valid[..valid.len() - 3].to_string()),
        ("garbage", "abc.def.ghi".to_string()),
        ("service token", service_token("sales")),
    ] {
        let reply = get(&path, Some(&token)).await;
        assert_eq!(reply.status.as_u16(), 401, "{name}: {}", reply.text);
    }
    // Not a bearer token at all.
    let basic = send(request(Method::GET, &path, None).header("authorization", "Basic YTpi")).await;
    basic.problem(401);
    // Expired: a token whose lifetime was zero, past the verification leeway.
    let expired = user_token_keys(0)
        .issue(&customer.id, edge::auth::Role::Customer)
        .unwrap()
        .token;
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    get(&path, Some(&expired)).await.problem(401);
}

#[tokio::test]
async fn errors_never_leak_internals() {
    let admin = admin_token().await;
    let replies = vec![
        get("/products/01ARZ3NDEKTSV4RRFFQ69G5FAV", None).await,
        post("/products", Some(&admin), &json!({"name": 1})).await,
        get("/products?cursor=abc.def", None).await,
        login("x@y.z", "wrong-pass").await,
    ];
    for reply in replies {
        for secret in [
            "Table",
            "arn:aws",
            "dynamodb",
            "ProductsTable",
            "argon2",
            "panicked",
            "stack backtrace",
        ] {
            assert!(
                !reply.text.contains(secret),
                "{secret} leaked: {}",
                reply.text
            );
        }
    }
}

/// Found by fuzzing: an empty or malformed id as a list filter reached the database and
/// came back as a 500.
#[tokio::test]
async fn bad_ids_in_list_filters_are_422() {
    let customer = new_customer().await;
    for query in [
        "product_id=",
        "product_id=not-an-id",
        "product_id=%00",
        "customer_id=",
        "customer_id=../../etc",
    ] {
        get(&format!("/reviews?{query}"), Some(&customer.token))
            .await
            .problem(422);
    }
}

/// Found by fuzzing: JSON Schema counts 2.0 as an integer, so the API must too.
#[tokio::test]
async fn whole_numbers_written_with_a_fraction_are_integers() {
    let admin = admin_token().await;
    let created = post(
        "/products",
        Some(&admin),
        &json!({"name": "Float stock", "category": "floats", "price_cents": 150.0, "stock": 2.0}),
    )
    .await;
    assert_eq!(created.expect(201)["stock"], 2);
    post(
        "/products",
        Some(&admin),
        &json!({"name": "Half", "category": "floats", "price_cents": 1.5, "stock": 1}),
    )
    .await
    .problem(400);
}

/// What the local gateway answers itself, before any function runs, is a problem document
/// as the functions' answers are (it was text): a body over API Gateway's 10 MB, a header
/// over 8 KB, a method no HTTP parser knows, Content-Length with Transfer-Encoding.
#[tokio::test]
async fn the_gateways_own_refusals_are_problem_documents() {
    let body = vec![b'x'; 11 * 1024 * 1024];
    let mut huge = format!(
        "POST /login HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    huge.extend_from_slice(&body);
    let big_header = format!(
        "GET /products HTTP/1.1\r\nHost: api\r\nX-Padding: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(8 * 1024 + 100)
    );
    let cases: [(&str, Vec<u8>, u16); 4] = [
        ("an 11 MB body", huge, 413),
        ("an 8 KB header", big_header.into_bytes(), 431),
        (
            "an unknown method",
            b"FROB /products HTTP/1.1\r\nHost: api\r\nConnection: close\r\n\r\n".to_vec(),
            501,
        ),
        (
            "Content-Length with Transfer-Encoding",
            b"POST /login HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n".to_vec(),
            400,
        ),
    ];
    for (what, request, status) in cases {
        let (got, content_type, body) = tokio::task::spawn_blocking(move || raw_http(&request))
            .await
            .unwrap();
        assert_eq!(got, status, "{what}: {body}");
        assert_eq!(
            content_type.as_deref(),
            Some("application/problem+json"),
            "{what}"
        );
        assert_eq!(body["status"], status, "{what}: {body}");
        assert!(
            body["title"].is_string() && body["type"].is_string(),
            "{what}: {body}"
        );
    }
}
