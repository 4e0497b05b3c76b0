//! The platform's own endpoints: `/health/status` and `/health/database` for all four
//! services (their handlers are `runtime::health`'s), and `/openapi.yaml`, the HTTP contract.

use edge::ApiError;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use runtime::state::State;

/// The OpenAPI document, compiled in: what is served is what was built and tested.
const OPENAPI: &str = include_str!("../../../openapi.yaml");

/// `GET /openapi.yaml`: the contract, for clients, code generators and API browsers.
pub async fn openapi_document(_: &State<()>, _: Request) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/yaml; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(Body::Text(OPENAPI.to_string()))
        .map_err(|e| ApiError::Internal(format!("building response: {e}")))
}

/// The HTTP API's `$default` route: a request that no route takes. A path with routes
/// for other methods is a 405 naming them in `Allow`; any other path a 404. Internal
/// routes are not the public API's: their paths are unknown here.
pub async fn unrouted(_: &State<()>, req: Request) -> Result<Response<Body>, ApiError> {
    let path = req.uri().path();
    let mut allow: Vec<&str> = endpoints::ENDPOINTS
        .iter()
        .flat_map(|endpoint| endpoint.routes())
        .filter(|(_, route)| !route.starts_with("/internal/"))
        .filter(|(_, route)| endpoints::path_fits(route, path))
        .map(|(method, _)| method.as_str())
        .collect();
    if allow.is_empty() {
        return Err(ApiError::NotFound("route"));
    }
    allow.sort_unstable();
    allow.dedup();
    Err(ApiError::MethodNotAllowed {
        allow: allow.join(", "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::Method;
    use testkit::{Call, Reply};

    async fn answer(method: Method, path: &str) -> Reply {
        let state = State::assemble("unrouted", (), (), testkit::keys());
        let mut request = Call::new(method).build();
        *request.uri_mut() = path.parse().unwrap();
        Reply::of(unrouted(&state, request).await)
    }

    #[tokio::test]
    async fn unknown_paths_are_404_and_known_paths_405_with_their_methods() {
        let missing = answer(Method::GET, "/no/such/thing").await;
        assert_eq!(missing.expect(404)["type"], "/problems/not-found");
        let wrong = answer(Method::PUT, "/products/01JD8ZR1A2B3C4D5E6F7G8H9JK").await;
        assert_eq!(wrong.expect(405)["type"], "/problems/method-not-allowed");
        // HEAD wherever GET.
        assert_eq!(wrong.header("allow"), "DELETE, GET, HEAD");
        assert_eq!(
            answer(Method::DELETE, "/login").await.header("allow"),
            "POST"
        );
        // Internal routes do not exist on the public API; an empty segment fits no id.
        answer(Method::GET, "/internal/customers/x")
            .await
            .expect(404);
        answer(Method::GET, "/products//update").await.expect(404);
    }
}
