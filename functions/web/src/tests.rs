//! The pages in-process: each served with its type, policy and caching, compressed for
//! clients that take gzip and plain for the others, and nothing served that was not built.

use super::*;
use lambda_http::http::Method;
use std::io::Read;
use testkit::Call;

fn state() -> State<()> {
    State::assemble("storefront", (), (), testkit::keys())
}

fn text(response: &Response<Body>) -> String {
    let bytes = response.body().to_vec();
    if response.headers().get(header::CONTENT_ENCODING).is_some() {
        let mut plain = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut plain)
            .unwrap();
        plain
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

fn header_of(response: &Response<Body>, name: header::HeaderName) -> &str {
    response
        .headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap())
}

/// The assets a page names (`/assets/...` in `src` and `href` attributes).
fn assets_of(html: &str) -> Vec<String> {
    html.split("/assets/")
        .skip(1)
        .map(|rest| rest.split(['"', '\'']).next().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_page_is_html_under_a_strict_policy_and_its_assets_are_served() {
    for (name, response) in [
        (
            "storefront",
            storefront(&state(), Call::new(Method::GET).build()).await,
        ),
        (
            "admin",
            admin_console(&state(), Call::new(Method::GET).build()).await,
        ),
        (
            "docs",
            api_docs(&state(), Call::new(Method::GET).build()).await,
        ),
    ] {
        let response = response.unwrap();
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        let policy = header_of(&response, header::CONTENT_SECURITY_POLICY);
        assert!(policy.starts_with("default-src 'self';") && !policy.contains("unsafe"));
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-cache");
        let html = text(&response);
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{name} names another site"
        );
        let assets = assets_of(&html);
        assert!(!assets.is_empty(), "{name} loads no script or style");
        for asset in assets {
            let request = Call::new(Method::GET)
                .path("file", &asset)
                .header("accept-encoding", "gzip, br")
                .build();
            let served = web_asset(&state(), request).await.unwrap();
            assert_eq!(served.status(), 200, "{asset}");
            assert_eq!(header_of(&served, header::CONTENT_ENCODING), "gzip");
            assert!(header_of(&served, header::CACHE_CONTROL).contains("immutable"));
            assert!(!text(&served).is_empty());
        }
    }
}

#[tokio::test]
async fn a_client_that_takes_no_gzip_gets_the_plain_file() {
    let compressed = storefront(
        &state(),
        Call::new(Method::GET)
            .header("accept-encoding", "gzip;q=1.0")
            .build(),
    )
    .await
    .unwrap();
    let plain = storefront(
        &state(),
        Call::new(Method::GET)
            .header("accept-encoding", "identity")
            .build(),
    )
    .await
    .unwrap();
    assert_eq!(header_of(&compressed, header::CONTENT_ENCODING), "gzip");
    assert_eq!(header_of(&plain, header::CONTENT_ENCODING), "");
    assert_eq!(text(&compressed), text(&plain));
    assert!(
        text(&plain).starts_with("<!doctype html>") || text(&plain).starts_with("<!DOCTYPE html>")
    );
}

#[test]
fn gzip_is_sent_only_where_accept_encoding_admits_it() {
    let admits = |value: &str| {
        let request = Call::new(Method::GET)
            .header("accept-encoding", value)
            .build();
        takes_gzip(request.headers().get_all(header::ACCEPT_ENCODING))
    };
    for yes in [
        "gzip",
        "GZIP",
        "br, gzip;q=0.5",
        "*",
        "identity, *;q=0.1",
        "x-gzip",
    ] {
        assert!(admits(yes), "{yes}");
    }
    for no in [
        "",
        "identity",
        "br",
        "gzip;q=0",
        "gzip; q=0.0, br",
        "*;q=0",
        "*, gzip;q=0",
    ] {
        assert!(!admits(no), "{no}");
    }
}

#[tokio::test]
async fn only_built_assets_are_served() {
    for file in [
        "nope.js",
        "../index.html",
        "..%2Findex.html",
        "",
        "index.html",
    ] {
        let request = Call::new(Method::GET).path("file", file).build();
        let error = web_asset(&state(), request).await.unwrap_err();
        assert!(
            matches!(error, ApiError::NotFound("asset")),
            "{file}: {error:?}"
        );
    }
}

/// In AWS (HTTPS, as `X-Forwarded-Proto` says) the pages tell browsers to use HTTPS only;
/// over the local stack's plain HTTP they say nothing of it.
#[tokio::test]
async fn pages_served_over_https_ask_for_https_only() {
    let over = |proto: Option<&str>| {
        let mut call = Call::new(Method::GET);
        if let Some(proto) = proto {
            call = call.header("x-forwarded-proto", proto);
        }
        call.build()
    };
    let serve = |name: &str, req: Request| {
        let state = state();
        let name = name.to_string();
        async move {
            match name.as_str() {
                "storefront" => storefront(&state, req).await,
                "admin" => admin_console(&state, req).await,
                _ => api_docs(&state, req).await,
            }
            .unwrap()
        }
    };
    for name in ["storefront", "admin", "docs"] {
        let aws = serve(name, over(Some("https"))).await;
        assert_eq!(
            header_of(&aws, header::STRICT_TRANSPORT_SECURITY),
            "max-age=31536000",
            "{name}"
        );
        for local in [over(Some("http")), over(None)] {
            let local = serve(name, local).await;
            assert_eq!(header_of(&local, header::STRICT_TRANSPORT_SECURITY), "");
        }
    }
}
