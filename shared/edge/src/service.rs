//! Calls from one service to another's internal routes, authenticated with a
//! short-lived service token (`x-service-token`: which service calls) and signed with
//! SigV4 (`crate::sigv4`: which AWS role calls, checked by API Gateway). The routes' bodies and typed clients are in
//! [`crate::contracts`]; this is the transport under them.
//!
//! An answer is one of three things: the route's typed success body; a [`Refusal`] (a
//! 4xx problem document, told apart by its problem `type`); or `Err(Unavailable)` when
//! there was no usable answer (no connection, a timeout, a 5xx, a success body of
//! another shape) — the step may or may not have happened.

use crate::auth::{Role, TokenKeys, SERVICE_TOKEN_HEADER};
use crate::sigv4::Signer;
use crate::ApiError;
use endpoints::Endpoint;
use infra::config::{self, ConfigError};
use infra::trace;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// One HTTP client for all of a function's calls to other services (cheap to clone).
#[derive(Clone)]
pub struct ServiceClient(Arc<Inner>);

struct Inner {
    http: reqwest::Client,
    keys: TokenKeys,
    /// Signs each call (SigV4), when the environment holds credentials.
    signer: Option<Signer>,
    /// The calling function; its service names the caller in the tokens.
    endpoint: &'static Endpoint,
}

/// The other service understood the request and said no.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refusal {
    #[serde(skip)]
    pub status: u16,
    /// The problem `type`, one of [`crate::error::problem`].
    #[serde(rename = "type", default)]
    pub problem: String,
    #[serde(default)]
    pub detail: String,
    /// The parts of the request it concerns, when the problem lists them.
    #[serde(default)]
    pub errors: Vec<crate::error::FieldError>,
}

impl Refusal {
    pub fn is(&self, problem: &str) -> bool {
        self.problem == problem
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.problem, self.detail)
    }
}

/// What a call to an internal route came back with: see the module header.
pub type Answer<T> = Result<Result<T, Refusal>, ApiError>;

/// The base URL of another service's routes, from the environment (no trailing slash).
pub fn base_url(name: &'static str) -> Result<String, ConfigError> {
    Ok(config::required(name)?.trim_end_matches('/').to_string())
}

/// The service an internal route belongs to (`/internal/<service>/…`), for its trace.
fn callee(path: &str) -> &str {
    path.strip_prefix("/internal/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("service")
}

impl ServiceClient {
    /// `SERVICE_TOKEN_SECRET` signs the tokens; the service of `endpoint` is the caller
    /// they name.
    pub fn for_endpoint(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let timeout = config::parsed_or("SERVICE_CALL_TIMEOUT_MS", 5_000u64)?;
        let http = infra::aws::http_client()
            .timeout(Duration::from_millis(timeout))
            .connect_timeout(infra::aws::CONNECT_TIMEOUT)
            .build()
            .map_err(|e| ConfigError::Invalid {
                name: "SERVICE_CALL_TIMEOUT_MS",
                reason: e.to_string(),
            })?;
        Ok(Self(Arc::new(Inner {
            http,
            keys: TokenKeys::services_from_env()?,
            signer: Signer::from_env(),
            endpoint,
        })))
    }

    pub fn endpoint(&self) -> &'static Endpoint {
        self.0.endpoint
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Answer<T> {
        let token = self
            .0
            .keys
            .issue(self.0.endpoint.service.name(), Role::Service)?
            .token;
        let call = trace::Call::begin();
        let mut request = request.header(SERVICE_TOKEN_HEADER, token);
        if let Some(call) = &call {
            request = request.header(trace::CALLER_HEADER, call.header());
        }
        let mut request = request
            .build()
            .map_err(|e| ApiError::Internal(format!("building a service call: {e}")))?;
        if let Some(signer) = &self.0.signer {
            signer.sign(&mut request)?;
        }
        let (method, url) = (
            request.method().to_string(),
            request.url().path().to_string(),
        );
        let answer = self.0.http.execute(request).await;
        if let Some(call) = call {
            let status = answer.as_ref().map_or(0, |r| r.status().as_u16());
            call.end(
                callee(&url),
                "remote",
                status,
                json!({ "http": {
                    "request": { "method": method, "url": url },
                    "response": { "status": status },
                }}),
            );
        }
        let response =
            answer.map_err(|e| ApiError::Unavailable(format!("service call failed: {e}")))?;
        let status = response.status();
        let url = response.url().path().to_string();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ApiError::Unavailable(format!("service answer unreadable: {e}")))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map(Ok).map_err(|e| {
                ApiError::Unavailable(format!("{url} answered {status} of another shape: {e}"))
            });
        }
        if status.is_client_error() {
            let mut refusal: Refusal = serde_json::from_slice(&bytes).unwrap_or(Refusal {
                status: 0,
                problem: String::new(),
                detail: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
                errors: Vec::new(),
            });
            refusal.status = status.as_u16();
            return Ok(Err(refusal));
        }
        Err(ApiError::Unavailable(format!("{url} answered {status}")))
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(&self, url: &str, body: &B) -> Answer<T> {
        self.send(self.0.http.post(url).json(body)).await
    }

    pub async fn get<T: DeserializeOwned>(&self, url: &str) -> Answer<T> {
        self.send(self.0.http.get(url)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::problem;
    use lambda_http::Body;

    /// What a caller reads from the problem document a callee renders for `err`.
    fn refusal_of(err: ApiError) -> Refusal {
        let response = err.into_response();
        let Body::Text(text) = response.body() else {
            panic!("problem documents are text");
        };
        let mut refusal: Refusal = serde_json::from_str(text).unwrap();
        refusal.status = response.status().as_u16();
        refusal
    }

    #[test]
    fn callers_tell_refusals_by_problem_type_not_wording() {
        let cases = [
            (ApiError::OutOfStock("x".into()), 409, problem::OUT_OF_STOCK),
            (
                ApiError::Conflict("not enough stock".into()),
                409,
                problem::CONFLICT,
            ),
            (ApiError::NotFound("product"), 404, problem::NOT_FOUND),
            (
                ApiError::PaymentRequired("x".into()),
                402,
                problem::INSUFFICIENT_FUNDS,
            ),
        ];
        for (err, status, kind) in cases {
            let refusal = refusal_of(err);
            assert_eq!(refusal.status, status);
            assert!(refusal.is(kind), "{refusal}");
        }
        // A conflict that mentions stock is still only a conflict.
        assert!(!refusal_of(ApiError::Conflict(
            "this sale's stock was already released".into()
        ))
        .is(problem::OUT_OF_STOCK));
        // The lines a refusal names reach the caller with it.
        let lines = vec![crate::error::FieldError::new("items[1].quantity", "2 left")];
        let refusal = refusal_of(ApiError::OutOfStock("x".into()).itemized(lines.clone()));
        assert!(refusal.is(problem::OUT_OF_STOCK));
        assert_eq!((refusal.status, refusal.errors), (409, lines));
    }
}
