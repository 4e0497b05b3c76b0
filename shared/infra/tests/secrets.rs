//! `infra::secrets` reads a function's keys from Secrets Manager with the real SDK: here
//! against a stand-in endpoint that speaks Secrets Manager's protocol (JSON 1.1,
//! `secretsmanager.GetSecretValue`) and checks that each call is signed (SigV4). One
//! process of its own: the secrets are process-wide, as in a Lambda sandbox.

use endpoints::Secret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the stand-in was asked: (secret id, whether the call was signed).
type Asked = Arc<Mutex<Vec<(String, bool)>>>;

async fn secrets_manager(values: HashMap<String, String>) -> (String, Asked) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked: Asked = Arc::default();
    let log = asked.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (values, log) = (values.clone(), log.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // One request: headers, then a body of content-length bytes.
                    let head_end = loop {
                        if let Some(end) = find(&buffer, b"\r\n\r\n") {
                            break end + 4;
                        }
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 4096];
                        let n = socket.read(&mut chunk).await.unwrap();
                        buffer.extend_from_slice(&chunk[..n]);
                    }
                    let body: serde_json::Value =
                        serde_json::from_slice(&buffer[head_end..head_end + length]).unwrap();
                    buffer.drain(..head_end + length);
                    let id = body["SecretId"].as_str().unwrap_or_default().to_string();
                    let signed = head.contains("authorization: aws4-hmac-sha256");
                    assert!(head.contains("x-amz-target: secretsmanager.getsecretvalue"));
                    log.lock().unwrap().push((id.clone(), signed));
                    let (status, answer) = match values.get(&id) {
                        Some(value) => (
                            "200 OK",
                            serde_json::json!({"ARN": id, "Name": "key", "SecretString": value}),
                        ),
                        None => (
                            "400 Bad Request",
                            serde_json::json!({"__type": "ResourceNotFoundException",
                                               "message": "Secrets Manager can't find the specified secret."}),
                        ),
                    };
                    let answer = answer.to_string();
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/x-amz-json-1.1\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    socket.write_all(response.as_bytes()).await.unwrap();
                }
            });
        }
    });
    (url, asked)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

const JWT_ARN: &str = "arn:aws:secretsmanager:us-east-1:000000000000:secret:jwt";
const CURSOR_ARN: &str = "arn:aws:secretsmanager:us-east-1:000000000000:secret:cursor";

#[tokio::test]
async fn a_functions_secrets_are_fetched_once_signed_and_all_at_once() {
    let jwt = "j".repeat(64);
    let cursor = "c".repeat(64);
    let (url, asked) = secrets_manager(HashMap::from([
        (JWT_ARN.to_string(), jwt.clone()),
        (CURSOR_ARN.to_string(), cursor.clone()),
    ]))
    .await;
    // A Lambda environment: ARNs only, the values nowhere in it.
    for (name, value) in [
        ("SECRETS_MANAGER_ENDPOINT", url.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("CURSOR_SECRET_ARN", CURSOR_ARN),
        (
            "JWT_SECRET_ARN",
            "arn:aws:secretsmanager:us-east-1:000000000000:secret:gone",
        ),
    ] {
        std::env::set_var(name, value);
    }
    for name in ["JWT_SECRET", "CURSOR_SECRET"] {
        std::env::remove_var(name);
    }

    // A secret that cannot be read stops the cold start, naming its variable.
    let err = infra::secrets::load(&[Secret::UserTokens, Secret::Cursors])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("JWT_SECRET_ARN"), "{err}");
    assert!(infra::secrets::required("JWT_SECRET").is_err());

    std::env::set_var("JWT_SECRET_ARN", JWT_ARN);
    asked.lock().unwrap().clear();
    let started = Instant::now();
    infra::secrets::load(&[Secret::UserTokens, Secret::Cursors])
        .await
        .unwrap();
    println!(
        "secrets read in {:?} (stand-in endpoint)",
        started.elapsed()
    );
    assert_eq!(
        infra::secrets::required("JWT_SECRET").unwrap(),
        jwt.as_bytes()
    );
    assert_eq!(
        infra::secrets::required("CURSOR_SECRET").unwrap(),
        cursor.as_bytes()
    );
    let mut calls = asked.lock().unwrap().clone();
    calls.sort();
    assert_eq!(
        calls,
        vec![(CURSOR_ARN.to_string(), true), (JWT_ARN.to_string(), true)],
        "one signed call per secret"
    );
    // Once per cold start: a second load asks nothing.
    infra::secrets::load(&[Secret::UserTokens, Secret::Cursors])
        .await
        .unwrap();
    assert_eq!(asked.lock().unwrap().len(), 2);
}

#[test]
fn a_short_secret_is_refused() {
    std::env::set_var("SHARED_TEST_SHORT_SECRET", "short");
    let err = infra::secrets::required("SHARED_TEST_SHORT_SECRET").unwrap_err();
    assert!(err.to_string().contains("SHARED_TEST_SHORT_SECRET"));
}
