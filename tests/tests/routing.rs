//! What the API answers a request that no route takes, through the local gateway as
//! through the HTTP API's `$default` route in AWS: problem documents, 404 for an unknown
//! path and 405 with `Allow` for a known path's other methods; and that the public API
//! names no function: neither the Lambda emulator's own routes nor the internal routes
//! (those listen apart) are reachable on it.
#![cfg(feature = "stack")]

use e2e::*;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, SystemTime};

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    for path in [
        "/nothing/here",
        "/products/x/y/z",
        "/admin/x",
        "/assets/a/b.js",
        "/%2e%2e/etc/passwd",
        "/a%0Ab",
    ] {
        let reply = get(path, None).await;
        assert_eq!(reply.problem(404)["type"], "/problems/not-found", "{path}");
    }
}

#[tokio::test]
async fn a_known_path_with_another_method_is_a_405_naming_its_methods() {
    for (method, path, allow) in [
        (Method::PUT, "/products", "GET, HEAD, POST"),
        (Method::GET, "/login", "POST"),
        (
            Method::POST,
            "/profile/01JD8ZQ5V8Y3N2K4M6P7R9S0TB",
            "DELETE, GET, HEAD, PATCH",
        ),
        (
            Method::DELETE,
            "/sales/history/01JD8ZQ5V8Y3N2K4M6P7R9S0TB",
            "GET, HEAD",
        ),
    ] {
        let reply = send(request(method.clone(), path, None)).await;
        assert_eq!(reply.problem(405)["type"], "/problems/method-not-allowed");
        assert_eq!(reply.header("allow"), Some(allow), "{method} {path}");
    }
}

#[tokio::test]
async fn the_public_api_exposes_no_function_by_name() {
    let service = service_token("sales");
    let calls = [
        (
            Method::GET,
            format!("{}/lambda-url/get_product/", base_url()),
        ),
        (
            Method::POST,
            format!("{}/lambda-url/charge_wallet/x", base_url()),
        ),
        (
            Method::POST,
            format!(
                "{}/2015-03-31/functions/charge_wallet/invocations",
                base_url()
            ),
        ),
        // An internal route, even with the token of its one caller.
        (
            Method::POST,
            format!("{}/internal/inventory/reservations", base_url()),
        ),
    ];
    for (method, url) in calls {
        let reply = send(
            client()
                .request(method, &url)
                .bearer_auth(&service)
                .json(&json!({})),
        )
        .await;
        assert_eq!(reply.status.as_u16(), 404, "{url}: {}", reply.text);
        reply.problem(404);
        for name in ["charge_wallet", "get_product", "reserve_stock"] {
            assert!(!reply.text.contains(name), "{url} names {name}");
        }
    }
}

/// The internal routes take calls signed (SigV4) by the stack's credentials only, as IAM
/// authorization does in AWS: unsigned, signed with another key, or altered after
/// signing, a call is refused before any function runs; signed, it still needs the
/// service token of a caller the route admits.
#[tokio::test]
async fn internal_routes_take_signed_calls_only() {
    use edge::auth::SERVICE_TOKEN_HEADER;
    use edge::sigv4::Signer;
    let path = "/internal/inventory/availability";
    let body = json!({"product_ids": ["01JD8ZR1A2B3C4D5E6F7G8H9JK"]});
    let call = |token: &str| {
        client()
            .post(url_of(path))
            .header(SERVICE_TOKEN_HEADER, token)
            .json(&body)
            .build()
            .unwrap()
    };
    let reviews = service_token("reviews");
    let unsigned = send_unsigned(client().clone(), call(&reviews)).await;
    assert_eq!(unsigned.problem(403)["status"], 403);
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    let mut forged = call(&reviews);
    Signer::new("local", "not-the-stack-key", None, &region)
        .sign(&mut forged)
        .unwrap();
    send_unsigned(client().clone(), forged).await.problem(403);
    let signer = Signer::from_env().expect("the stack's credentials");
    let mut altered = call(&reviews);
    signer.sign(&mut altered).unwrap();
    *altered.body_mut() = Some(r#"{"product_ids": []}"#.into());
    send_unsigned(client().clone(), altered).await.problem(403);
    // Signed: the route itself then asks which service calls.
    let mut signed = call("");
    signed.headers_mut().remove(SERVICE_TOKEN_HEADER);
    signer.sign(&mut signed).unwrap();
    send_unsigned(client().clone(), signed).await.problem(401);
    let mut signed = call(&reviews);
    signer.sign(&mut signed).unwrap();
    send_unsigned(client().clone(), signed).await.expect(200);
}

/// HEAD is served wherever GET is (RFC 9110 section 9.3.2): the status and headers GET
/// would get, without the body; pages, documents, reads by id, a 404 and a 401 alike.
#[tokio::test]
async fn head_answers_what_get_would_without_the_body() {
    let customer = new_customer().await;
    let admin = admin_token().await;
    let product = create_product(&admin, "head", 100, 5).await;
    let product = format!("/products/{}", product["id"].as_str().unwrap());
    let profile = format!("/profile/{}", customer.id);
    let cases = [
        ("/", None),
        ("/admin", None),
        ("/docs", None),
        ("/openapi.yaml", None),
        (product.as_str(), None),
        ("/products/01JD8ZQ5V8Y3N2K4M6P7R9S0TB", None),
        (profile.as_str(), Some(customer.token.as_str())),
        (profile.as_str(), None),
    ];
    for (path, token) in cases {
        let get = send(request(Method::GET, path, token)).await;
        let head = send(request(Method::HEAD, path, token)).await;
        assert_eq!(head.status, get.status, "HEAD {path}: {}", get.text);
        assert!(
            head.text.is_empty(),
            "HEAD {path} has a body: {}",
            head.text
        );
        assert!(!get.text.is_empty(), "GET {path}");
        for name in [
            "content-type",
            "content-length",
            "cache-control",
            "etag",
            "www-authenticate",
            "content-security-policy",
        ] {
            assert_eq!(head.header(name), get.header(name), "HEAD {path}: {name}");
        }
    }
}

/// The Lambda emulator behind the local gateway takes any event from whatever reaches its
/// port; the functions refuse an event without the run's invocation key, which only the
/// gateway has, as in AWS only the API may invoke them. Else a made-up `sourceIp` would
/// get round the limits per client address.
#[tokio::test]
async fn the_functions_take_no_invocation_but_the_gateways() {
    let customer = new_customer().await;
    let credentials = json!({"email": customer.email, "password": customer.password});
    let event = json!({
        "version": "2.0",
        "routeKey": "POST /login",
        "rawPath": "/login",
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "accountId": "000000000000", "apiId": "local", "domainName": "127.0.0.1",
            "domainPrefix": "local", "requestId": "made-up", "routeKey": "POST /login",
            "stage": "$default", "time": "07/Dec/2026:00:00:00 +0000", "timeEpoch": 0,
            "http": {"method": "POST", "path": "/login", "protocol": "HTTP/1.1",
                     "sourceIp": "203.0.113.77", "userAgent": "forger"},
        },
        "body": credentials.to_string(),
        "isBase64Encoded": false,
    });
    let invoke = format!("{}/2015-03-31/functions/login/invocations", lambda_url());
    let guessed = "0".repeat(64);
    for key in [None, Some(""), Some(guessed.as_str())] {
        let mut event = event.clone();
        if let Some(key) = key {
            event["headers"][runtime::serve::LOCAL_INVOKE_KEY_HEADER] = json!(key);
        }
        let reply = send(client().post(&invoke).json(&event)).await;
        assert!(!reply.text.contains("access_token"), "{}", reply.text);
        assert_eq!(reply.body["statusCode"], 403, "{}", reply.text);
    }
    // The emulator's own HTTP trigger, which makes the event itself.
    let url = format!("{}/lambda-url/login/", lambda_url());
    let reply = send(client().post(&url).json(&credentials)).await;
    assert!(!reply.text.contains("access_token"), "{}", reply.text);
    assert_eq!(reply.status.as_u16(), 403, "{}", reply.text);
    // No web page may send it JSON or read its answers: it names no origin it admits.
    let preflight = send(
        client()
            .request(Method::OPTIONS, &invoke)
            .header("origin", "http://localhost:8080")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type"),
    )
    .await;
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    // Through the gateway the same login is taken.
    login(&customer.email, &customer.password).await.expect(200);
}

/// `request` signed with the stack's credentials at `time`, its body covered by the
/// signature (`x-amz-content-sha256` its hash) or not (`UNSIGNED-PAYLOAD`).
fn signed_at(
    mut request: reqwest::Request,
    time: SystemTime,
    body_covered: bool,
) -> reqwest::Request {
    use aws_sigv4::http_request::{
        sign, PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
    };
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let credentials = aws_credential_types::Credentials::new(
        var("AWS_ACCESS_KEY_ID", "local"),
        var("AWS_SECRET_ACCESS_KEY", "local"),
        None,
        None,
        "test",
    );
    let identity = credentials.into();
    let region = var("AWS_REGION", "us-east-1");
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let body = request
        .body()
        .and_then(reqwest::Body::as_bytes)
        .unwrap_or_default()
        .to_vec();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
        .collect();
    let signable = SignableRequest::new(
        request.method().as_str(),
        request.url().as_str(),
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        if body_covered {
            SignableBody::Bytes(&body)
        } else {
            SignableBody::UnsignedPayload
        },
    )
    .unwrap();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("execute-api")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    for (name, value) in instructions.headers() {
        request.headers_mut().insert(
            reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    request
}

/// An internal call's signature covers its body and its time, as API Gateway's IAM
/// authorization checks them: `UNSIGNED-PAYLOAD` is refused (a body swapped after signing
/// would pass), and so is a signature dated more than 5 minutes from now either way (an
/// old signed call replayed). Within those 5 minutes the same signed call is taken
/// again, as AWS takes it.
#[tokio::test]
async fn internal_signatures_cover_the_body_and_last_five_minutes() {
    use edge::auth::SERVICE_TOKEN_HEADER;
    let token = service_token("reviews");
    let good = r#"{"product_ids": ["01JD8ZR1A2B3C4D5E6F7G8H9JK"]}"#;
    let call = |body: &str| {
        client()
            .post(url_of("/internal/inventory/availability"))
            .header(SERVICE_TOKEN_HEADER, &token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .build()
            .unwrap()
    };
    let now = SystemTime::now();
    let minutes = |n: u64| Duration::from_secs(60 * n);
    let sent = |request| send_unsigned(client().clone(), request);
    sent(signed_at(call(good), now, true)).await.expect(200);
    // Not covered: refused with the body it was signed with, or with another.
    sent(signed_at(call(good), now, false)).await.problem(403);
    let mut swapped = signed_at(call(good), now, false);
    *swapped.body_mut() = Some(r#"{"product_ids": []}"#.into());
    sent(swapped).await.problem(403);
    // Covered, then swapped: the declared hash is not the body's.
    let mut swapped = signed_at(call(good), now, true);
    *swapped.body_mut() = Some(r#"{"product_ids": []}"#.into());
    sent(swapped).await.problem(403);
    // The time: 4 minutes either way is taken, 6 is not.
    sent(signed_at(call(good), now - minutes(4), true))
        .await
        .expect(200);
    sent(signed_at(call(good), now + minutes(4), true))
        .await
        .expect(200);
    sent(signed_at(call(good), now - minutes(6), true))
        .await
        .problem(403);
    sent(signed_at(call(good), now + minutes(6), true))
        .await
        .problem(403);
}
