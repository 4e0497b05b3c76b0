//! The web pages through the gateway: each page and every asset it names is served, with a
//! policy that allows nothing from other sites, compressed for clients that take gzip.
#![cfg(feature = "stack")]

use e2e::*;
use reqwest::Method;

/// The assets a page names (`/assets/...` in its `src` and `href` attributes).
fn assets_of(html: &str) -> Vec<String> {
    html.split("\"/assets/")
        .skip(1)
        .map(|rest| format!("/assets/{}", rest.split('"').next().unwrap()))
        .collect()
}

#[tokio::test]
async fn the_pages_and_their_assets_are_served_from_this_origin_only() {
    for path in ["/", "/admin", "/docs"] {
        let page = get(path, None).await;
        assert_eq!(page.status.as_u16(), 200, "{path}: {}", page.text);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let policy = page.header("content-security-policy").unwrap_or_default();
        assert!(policy.starts_with("default-src 'self'"), "{path}: {policy}");
        assert!(!page.text.contains("https://") && !page.text.contains("http://"));
        let assets = assets_of(&page.text);
        assert!(!assets.is_empty(), "{path} loads nothing");
        for asset in assets {
            let plain = get(&asset, None).await;
            assert_eq!(plain.status.as_u16(), 200, "{asset}");
            assert!(!plain.text.is_empty());
            // As a browser asks: the stored gzip, as is.
            let gzipped = client()
                .request(Method::GET, url_of(&asset))
                .header("accept-encoding", "gzip, deflate, br")
                .send()
                .await
                .unwrap();
            assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{asset}");
            let bytes = gzipped.bytes().await.unwrap();
            assert_eq!(&bytes[..2], [0x1f, 0x8b], "{asset} is not gzip");
            assert!(
                bytes.len() < plain.text.len(),
                "{asset} is no smaller compressed"
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_asset_is_a_404_problem() {
    for path in ["/assets/nope.js", "/assets/..%2Findex.html", "/assets/"] {
        get(path, None).await.problem(404);
    }
    // The pages have no other methods (HEAD is GET without the body).
    let reply = post("/admin", None, &serde_json::json!({})).await;
    reply.problem(405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD"));
}
