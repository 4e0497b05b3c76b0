//! The functions' logs: one JSON line per request saying which request, route, caller,
//! outcome and latency, and whether it was the process's first; and never a secret, a
//! token, a password or a password hash, whatever the request carried.

use e2e::*;
use serde_json::{json, Value};

/// Every log line of the stack's functions, as JSON (other output skipped).
fn log_lines() -> Vec<Value> {
    let state = std::env::var("STATE_DIR").expect("STATE_DIR of the running stack");
    let text = std::fs::read_to_string(format!("{state}/logs/functions.log")).unwrap();
    text.lines()
        .filter_map(|line| line.find('{').map(|start| &line[start..]))
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect()
}

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

    // The lines reach the log file shortly after the answers.
    let mut lines = Vec::new();
    for _ in 0..50 {
        lines = log_lines();
        let seen = lines
            .iter()
            .any(|l| l["fields"]["route"] == "POST /token/refresh" && l["fields"]["status"] == 200);
        if seen {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let profile_reads: Vec<&Value> = lines
        .iter()
        .map(|l| &l["fields"])
        .filter(|f| f["route"] == "GET /profile/{id}" && f["path"] == format!("/profile/{id}"))
        .collect();
    let read = profile_reads
        .iter()
        .find(|f| f["status"] == 200)
        .expect("a line for the profile read");
    assert_eq!(read["caller"], format!("customer:{id}"));
    assert_eq!(read["method"], "GET");
    assert!(read["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(read["latency_us"].is_u64() && read["cold_start"].is_boolean());
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
