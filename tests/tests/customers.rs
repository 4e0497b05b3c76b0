//! Customers service end to end: register, login, profile, wallet.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn register_returns_the_customer_without_secrets() {
    let email = format!("New-{}@Test.Local", unique());
    let reply = post(
        "/register",
        None,
        &json!({"email": email, "password": "s3cret-password", "full_name": "  Zoë Ångström  ",
                "username": "zoe_a", "address": "1 Main St", "phone": "+1 555 010 2030"}),
    )
    .await;
    let body = reply.expect(201);
    assert_eq!(body["email"], email.to_lowercase());
    assert_eq!(body["full_name"], "Zoë Ångström");
    assert_eq!(body["role"], "customer");
    assert_eq!(body["wallet_balance_cents"], 0);
    assert!(reply
        .header("location")
        .unwrap()
        .ends_with(body["id"].as_str().unwrap()));
    assert!(
        !reply.text.contains("s3cret")
            && !reply.text.contains("argon2")
            && !reply.text.contains("password")
    );
}

#[tokio::test]
async fn emails_are_unique_ignoring_case() {
    let email = format!("dup-{}@test.local", unique());
    let address = own_address();
    register_from(&address, &email, "password-one")
        .await
        .expect(201);
    register_from(&address, &email.to_uppercase(), "password-two")
        .await
        .problem(409);
}

#[tokio::test]
async fn concurrent_registrations_with_one_email_create_exactly_one_account() {
    let email = format!("race-{}@test.local", unique());
    // An address of its own: 7 taken mailboxes count against its registration limit.
    let address = own_address();
    let attempts = (0..8).map(|i| {
        let email = if i % 2 == 0 {
            email.clone()
        } else {
            email.to_uppercase()
        };
        let address = &address;
        async move {
            register_from(address, &email, "kettle-orbit-lantern")
                .await
                .status
                .as_u16()
        }
    });
    let mut statuses = join_all(attempts).await;
    statuses.sort();
    assert_eq!(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    // And the one account works.
    login(&email, "kettle-orbit-lantern").await.expect(200);
}

/// Registering a taken mailbox again and again from one client address is limited as
/// guessing passwords is (issue 30: 30 x 409, never 429): a 429 with `Retry-After`, then
/// for every registration from that address, taken mailbox or not; other addresses
/// still register.
#[tokio::test]
async fn registrations_of_a_taken_mailbox_are_limited_per_client_address() {
    let address = own_address();
    let email = format!("taken-{}@test.local", unique());
    register_from(&address, &email, "correct-horse-battery")
        .await
        .expect(201);
    let mut taken = 0;
    let refused = loop {
        let reply = register_from(&address, &email, "correct-horse-battery").await;
        match reply.status.as_u16() {
            409 => taken += 1,
            429 => break reply,
            other => panic!("{other}: {}", reply.text),
        }
        assert!(taken < 30, "30 registrations of a taken mailbox, never 429");
    };
    assert_eq!(taken, 10, "the limit per address and window");
    refused.problem(429);
    let retry_after: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry_after), "{retry_after}");
    let fresh = format!("fresh-{}@test.local", unique());
    register_from(&address, &fresh, "correct-horse-battery")
        .await
        .problem(429);
    register_from(&own_address(), &fresh, "correct-horse-battery")
        .await
        .expect(201);
}

/// Passwords attackers try first are refused, naming the field and why (issue 30:
/// `password`, `12345678`, eight spaces, eight NULs and the email itself were accepted).
#[tokio::test]
async fn common_blank_and_personal_passwords_are_refused() {
    let email = format!("weak-{}@test.local", unique());
    for (password, why) in [
        ("password", "too common"),
        ("12345678", "too common"),
        ("        ", "only spaces"),
        (
            "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
            "control characters",
        ),
        ("aaaaaaaaaaaa", "repeated or sequential"),
        (email.as_str(), "your email"),
    ] {
        let reply = register(&email, password).await;
        let problem = reply.problem(422);
        let errors = problem["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{password:?}: {problem}");
        assert_eq!(errors[0]["field"], "password", "{password:?}");
        let message = errors[0]["message"].as_str().unwrap();
        assert!(message.contains(why), "{password:?}: {message}");
    }
    // A long passphrase of plain words is fine, and the account's own change is judged too.
    let customer = new_customer().await;
    let path = format!("/profile/{}", customer.id);
    let change =
        |password: &str| json!({"password": password, "current_password": customer.password});
    let refused = patch(&path, Some(&customer.token), &change(&customer.email)).await;
    assert_eq!(refused.problem(422)["errors"][0]["field"], "password");
    patch(
        &path,
        Some(&customer.token),
        &change("a long walk by the quiet sea"),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn registration_reports_every_invalid_field() {
    let reply = post(
        "/register",
        None,
        &json!({"email": "nope", "password": "short", "full_name": " ", "phone": "x"}),
    )
    .await;
    let fields: Vec<&str> = reply.problem(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for field in ["email", "password", "full_name", "phone"] {
        assert!(fields.contains(&field), "{field} missing from {fields:?}");
    }
}

#[tokio::test]
async fn login_issues_a_bearer_token() {
    let customer = new_customer().await;
    let reply = login(&customer.email.to_uppercase(), &customer.password).await;
    let body = reply.expect(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["customer_id"], customer.id);
    assert_eq!(body["role"], "customer");
    assert!(body["expires_in"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn login_gives_one_answer_for_unknown_email_and_wrong_password() {
    let customer = new_customer().await;
    let wrong_password = login(&customer.email, "not-the-password").await;
    let unknown_email = login(&format!("ghost-{}@test.local", unique()), "whatever-pw").await;
    assert_eq!(
        wrong_password.problem(401)["detail"],
        unknown_email.problem(401)["detail"]
    );
}

/// Guesses from one client address spend that address's attempts at the account, never
/// the account's owner's elsewhere; and parallel guesses get no more than the limit.
#[tokio::test]
async fn login_limits_are_per_account_and_client_address_and_atomic() {
    let customer = new_customer().await;
    let guesses = (0..20).map(|_| login_from("127.0.0.2", &customer.email, "wrong-password"));
    let statuses: Vec<u16> = futures::future::join_all(guesses)
        .await
        .iter()
        .map(|reply| reply.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 401).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        15,
        "{statuses:?}"
    );
    let locked = login_from("127.0.0.2", &customer.email, &customer.password).await;
    locked.problem(429);
    assert!(locked.header("retry-after").is_some());
    login_from("127.0.0.3", &customer.email, &customer.password)
        .await
        .expect(200);
}

/// Parallel logins with the right password (one person, several tabs) all get in.
#[tokio::test]
async fn parallel_logins_with_the_right_password_all_succeed() {
    let customer = new_customer().await;
    let logins = (0..10).map(|_| login(&customer.email, &customer.password));
    for reply in futures::future::join_all(logins).await {
        reply.expect(200);
    }
}

#[tokio::test]
async fn repeated_login_failures_are_throttled_per_account() {
    let customer = new_customer().await;
    for _ in 0..5 {
        login(&customer.email, "wrong-password").await.problem(401);
    }
    // Now even the right password is refused for a while, and the client is told when to retry.
    let throttled = login(&customer.email, &customer.password).await;
    throttled.problem(429);
    assert!(
        throttled
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    // Other accounts are not affected.
    let other = new_customer().await;
    login(&other.email, &other.password).await.expect(200);
}

#[tokio::test]
async fn profile_is_visible_to_self_and_admin_only() {
    let alice = new_customer().await;
    let bob = new_customer().await;
    let admin = admin_token().await;
    let path = format!("/profile/{}", alice.id);
    let own = get(&path, Some(&alice.token)).await;
    assert_eq!(own.expect(200)["email"], alice.email);
    assert!(!own.text.contains("password"));
    get(&path, Some(&bob.token)).await.problem(403);
    get(&path, None).await.problem(401);
    get(&path, Some(&admin)).await.expect(200);
    // Unknown and malformed ids.
    get(&format!("/profile/{}", ulid::Ulid::new()), Some(&admin))
        .await
        .problem(404);
    get("/profile/not-an-id", Some(&admin)).await.problem(404);
    get("/profile/not-an-id", Some(&bob.token))
        .await
        .problem(403);
}

#[tokio::test]
async fn profile_updates_are_partial_and_guarded() {
    let alice = new_customer().await;
    let bob = new_customer().await;
    let path = format!("/profile/{}", alice.id);
    let updated = patch(
        &path,
        Some(&alice.token),
        &json!({"full_name": "Alice B", "address": "2 Side St"}),
    )
    .await;
    let body = updated.expect(200);
    assert_eq!(body["full_name"], "Alice B");
    assert_eq!(body["address"], "2 Side St");
    assert_eq!(body["email"], alice.email);
    // Clearing an optional field.
    let cleared = patch(&path, Some(&alice.token), &json!({"address": ""})).await;
    assert_eq!(cleared.expect(200)["address"], serde_json::Value::Null);
    // Someone else's profile.
    patch(&path, Some(&bob.token), &json!({"full_name": "Mallory"}))
        .await
        .problem(403);
    // Server-owned fields are not part of the body.
    for body in [
        json!({"wallet_balance_cents": 1_000_000}),
        json!({"email": "x@y.z"}),
        json!({"id": "X"}),
    ] {
        patch(&path, Some(&alice.token), &body).await.problem(400);
    }
    // Role escalation by a customer.
    patch(&path, Some(&alice.token), &json!({"role": "admin"}))
        .await
        .problem(403);
    patch(&path, Some(&alice.token), &json!({}))
        .await
        .problem(422);
    let again = get(&path, Some(&alice.token)).await;
    assert_eq!(again.expect(200)["role"], "customer");
}

#[tokio::test]
async fn admin_can_change_a_role() {
    let customer = new_customer().await;
    let admin = admin_token().await;
    let path = format!("/profile/{}", customer.id);
    patch(&path, Some(&admin), &json!({"role": "service"}))
        .await
        .problem(422);
    let promoted = patch(&path, Some(&admin), &json!({"role": "admin"})).await;
    assert_eq!(promoted.expect(200)["role"], "admin");
    let token = login(&customer.email, &customer.password).await.expect(200)["role"].clone();
    assert_eq!(token, "admin");
}

#[tokio::test]
async fn password_change_needs_the_current_password() {
    let customer = new_customer().await;
    let path = format!("/profile/{}", customer.id);
    patch(
        &path,
        Some(&customer.token),
        &json!({"password": "brand-new-password"}),
    )
    .await
    .problem(422);
    patch(
        &path,
        Some(&customer.token),
        &json!({"password": "brand-new-password", "current_password": "wrong-password"}),
    )
    .await
    .problem(403);
    patch(
        &path,
        Some(&customer.token),
        &json!({"password": "brand-new-password", "current_password": customer.password}),
    )
    .await
    .expect(200);
    login(&customer.email, &customer.password)
        .await
        .problem(401);
    login(&customer.email, "brand-new-password")
        .await
        .expect(200);
}

#[tokio::test]
async fn deleted_customers_cannot_log_in_and_free_their_email() {
    let customer = new_customer().await;
    let other = new_customer().await;
    let path = format!("/profile/{}", customer.id);
    delete(&path, Some(&other.token)).await.problem(403);
    let deleted = delete(&path, Some(&customer.token)).await;
    assert_eq!(deleted.status, 204);
    login(&customer.email, &customer.password)
        .await
        .problem(401);
    get(&path, Some(&admin_token().await)).await.problem(404);
    delete(&path, Some(&customer.token)).await.problem(404);
    register(&customer.email, "another-password")
        .await
        .expect(201);
}

#[tokio::test]
async fn deposits_add_to_the_wallet_of_self_only() {
    let alice = new_customer().await;
    let bob = new_customer().await;
    let path = format!("/profile/{}/wallet/deposit", alice.id);
    let reply = post(&path, Some(&alice.token), &json!({"amount_cents": 2_500})).await;
    assert_eq!(reply.expect(200)["wallet_balance_cents"], 2_500);
    post(&path, Some(&bob.token), &json!({"amount_cents": 100}))
        .await
        .problem(403);
    post(&path, None, &json!({"amount_cents": 100}))
        .await
        .problem(401);
    for bad in [
        json!({"amount_cents": 0}),
        json!({"amount_cents": -5}),
        json!({"amount_cents": 100_000_001}),
    ] {
        post(&path, Some(&alice.token), &bad).await.problem(422);
    }
    for bad in [
        json!({"amount_cents": 1.5}),
        json!({"amount_cents": "100"}),
        json!({"amount": 100}),
    ] {
        post(&path, Some(&alice.token), &bad).await.problem(400);
    }
    let admin = admin_token().await;
    let by_admin = post(&path, Some(&admin), &json!({"amount_cents": 500})).await;
    assert_eq!(by_admin.expect(200)["wallet_balance_cents"], 3_000);
}

#[tokio::test]
async fn deposits_with_an_idempotency_key_apply_once() {
    let alice = new_customer().await;
    let path = format!("/profile/{}/wallet/deposit", alice.id);
    let key = format!("deposit-{}", unique());
    let deposit = |amount: i64| {
        let (path, key, token) = (path.clone(), key.clone(), alice.token.clone());
        async move {
            send(
                request(Method::POST, &path, Some(&token))
                    .header("Idempotency-Key", key)
                    .json(&json!({"amount_cents": amount})),
            )
            .await
        }
    };
    // Concurrent retries of one request: one credit, every answer the same.
    let replies = join_all((0..6).map(|_| deposit(1_000))).await;
    for reply in &replies {
        assert_eq!(
            reply.expect(200)["wallet_balance_cents"],
            1_000,
            "{}",
            reply.text
        );
    }
    // The same key with another body.
    deposit(2_000).await.problem(422);
    let profile = get(&format!("/profile/{}", alice.id), Some(&alice.token)).await;
    assert_eq!(profile.expect(200)["wallet_balance_cents"], 1_000);
}

#[tokio::test]
async fn concurrent_deposits_are_all_counted() {
    let alice = new_customer().await;
    let path = format!("/profile/{}/wallet/deposit", alice.id);
    let replies = join_all((0..10).map(|i| {
        let (path, token) = (path.clone(), alice.token.clone());
        async move {
            // Half with their own idempotency keys, half without.
            let mut builder =
                request(Method::POST, &path, Some(&token)).json(&json!({"amount_cents": 100}));
            if i % 2 == 0 {
                builder = builder.header("Idempotency-Key", format!("k-{}", unique()));
            }
            send(builder).await.status.as_u16()
        }
    }))
    .await;
    assert!(replies.iter().all(|s| *s == 200), "{replies:?}");
    let profile = get(&format!("/profile/{}", alice.id), Some(&alice.token)).await;
    assert_eq!(profile.expect(200)["wallet_balance_cents"], 1_000);
}
