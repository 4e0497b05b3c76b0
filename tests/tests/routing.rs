//! What the API answers a request that no route takes, through the local gateway as
//! through the HTTP API's `$default` route in AWS: problem documents, 404 for an unknown
//! path and 405 with `Allow` for a known path's other methods; and that the public API
//! names no function: neither the Lambda emulator's own routes nor the internal routes
//! (those listen apart) are reachable on it.

use e2e::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn an_unknown_path_is_a_404_problem() {
    for path in [
        "/nothing/here",
        "/products/x/y/z",
        "/",
        "/%2e%2e/etc/passwd",
    ] {
        let reply = get(path, None).await;
        assert_eq!(reply.problem(404)["type"], "/problems/not-found", "{path}");
    }
}

#[tokio::test]
async fn a_known_path_with_another_method_is_a_405_naming_its_methods() {
    for (method, path, allow) in [
        (Method::PUT, "/products", "GET, POST"),
        (Method::GET, "/login", "POST"),
        (
            Method::POST,
            "/profile/01JD8ZQ5V8Y3N2K4M6P7R9S0TB",
            "DELETE, GET, PATCH",
        ),
        (
            Method::DELETE,
            "/sales/history/01JD8ZQ5V8Y3N2K4M6P7R9S0TB",
            "GET",
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
