//! The platform's own endpoints: `/health/status` and `/health/database` for all four
//! services (their handlers are `shared::health`'s), and `/openapi.yaml`, the HTTP contract.

use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::state::State;
use shared::ApiError;

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
