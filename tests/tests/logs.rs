//! The functions' logs: one JSON line per request saying which request, route, caller,
//! outcome and latency, and whether it was the process's first; and never a secret, a
//! token, a password or a password hash, whatever the request carried.
#![cfg(feature = "stack")]

use e2e::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_request_has_one_line_and_no_line_holds_a_secret() {
    let password = format!("log-test-password-{}", unique());
    let email = format!("logs-{}@example.com", unique());
    register(&email, &password).await.expect(201);
    let session = login(&email, &password).await.expect(200).clone();
    let token = session["access_token"].as_str().unwrap();
    let id = session["customer_id"].as_str().unwrap();
    get(&format!("/profile/{id}"), Some(token))
        .await
        .expect(200);
    // A wrong password and a forged token are logged as refusals, without what was sent.
    login(&email, "not-the-password").await.problem(401);
    let forged = format!("{token}x");
    get(&format!("/profile/{id}"), Some(&forged))
        .await
        .problem(401);
    let refresh = session["refresh_token"].as_str().unwrap();
    post("/token/refresh", None, &json!({ "refresh_token": refresh }))
        .await
        .expect(200);

    let lines = stack_log_until("functions.log", |lines| {
        lines
            .iter()
            .any(|l| l["Route"] == "POST /token/refresh" && l["status"] == 200)
    })
    .await;
    let profile_reads: Vec<&Value> = lines
        .iter()
        .filter(|f| f["Route"] == "GET /profile/{id}" && f["path"] == format!("/profile/{id}"))
        .collect();
    let read = profile_reads
        .iter()
        .find(|f| f["status"] == 200)
        .expect("a line for the profile read");
    assert_eq!(read["caller"], format!("customer:{id}"));
    assert_eq!(read["method"], "GET");
    assert!(read["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(read["latency_us"].is_u64() && read["cold_start"].is_boolean());
    assert_eq!(read["Service"], "customers");
    // The trace id is the one the response named.
    assert!(read["trace_id"]
        .as_str()
        .is_some_and(|t| t.starts_with("1-") && t.len() == 35));
    let refused = profile_reads
        .iter()
        .find(|f| f["status"] == 401)
        .expect("a line for the forged token");
    assert_eq!(refused["caller"], "anonymous");

    let text = lines
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let mut secrets = vec![
        password.as_str(),
        token,
        refresh,
        "$argon2",
        "eyJ", // any JWT: header and payload start so
    ];
    let from_env: Vec<String> = ["JWT_SECRET", "SERVICE_TOKEN_SECRET", "CURSOR_SECRET"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .collect();
    assert_eq!(
        from_env.len(),
        3,
        "the stack's secrets are in the environment"
    );
    secrets.extend(from_env.iter().map(String::as_str));
    for secret in secrets {
        assert!(!text.contains(secret), "a log line holds {secret:.12}…");
    }
}
