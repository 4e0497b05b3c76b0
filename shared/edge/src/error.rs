//! The one error type of every handler, rendered as an RFC 9457 problem document.
//! Internal details are logged, never sent: a 500 or 503 body says only what happened.

use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Response};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// The argument names what was not found, e.g. "product".
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    /// The path exists, with other methods: the answer's `Allow` lists them.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// A change that must name the version it was read at came without `If-Match`.
    #[error("precondition required: {0}")]
    PreconditionRequired(&'static str),
    /// Not enough stock for what was asked (a 409 of its own type, so callers can tell it).
    #[error("out of stock: {0}")]
    OutOfStock(String),
    #[error("payment required: {0}")]
    PaymentRequired(String),
    #[error("payload too large")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    /// A dependency (the database, another service) did not answer; the string is for logs.
    #[error("dependency unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected dependency answer; the string is for logs.
    #[error("internal error: {0}")]
    Internal(String),
    /// An error, with the parts of the request it concerns listed in `errors` (say, each
    /// line of an order that is short of stock).
    #[error("{0}")]
    Itemized(Box<ApiError>, Vec<FieldError>),
}

/// The problem `type` of each kind of error: what a caller matches, never the `detail`.
pub mod problem {
    pub const BAD_REQUEST: &str = "/problems/bad-request";
    pub const UNAUTHORIZED: &str = "/problems/unauthorized";
    pub const FORBIDDEN: &str = "/problems/forbidden";
    pub const NOT_FOUND: &str = "/problems/not-found";
    pub const CONFLICT: &str = "/problems/conflict";
    pub const METHOD_NOT_ALLOWED: &str = "/problems/method-not-allowed";
    pub const PRECONDITION_REQUIRED: &str = "/problems/precondition-required";
    pub const OUT_OF_STOCK: &str = "/problems/out-of-stock";
    pub const INSUFFICIENT_FUNDS: &str = "/problems/insufficient-funds";
    pub const PAYLOAD_TOO_LARGE: &str = "/problems/payload-too-large";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "/problems/unsupported-media-type";
    pub const VALIDATION: &str = "/problems/validation";
    pub const TOO_MANY_REQUESTS: &str = "/problems/too-many-requests";
    pub const UNAVAILABLE: &str = "/problems/unavailable";
    pub const INTERNAL: &str = "/problems/internal";
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    title: &'a str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

impl ApiError {
    pub fn validation(field: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// This error naming the parts of the request it concerns (itself when there are none).
    pub fn itemized(self, errors: Vec<FieldError>) -> Self {
        match self {
            _ if errors.is_empty() => self,
            Self::Validation(mut own) => {
                own.extend(errors);
                Self::Validation(own)
            }
            Self::Itemized(error, mut own) => {
                own.extend(errors);
                Self::Itemized(error, own)
            }
            other => Self::Itemized(Box::new(other), errors),
        }
    }

    /// The parts of the request the error concerns.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Validation(errors) | Self::Itemized(_, errors) => errors,
            _ => &[],
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Itemized(error, _) => error.status(),
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) | Self::OutOfStock(_) => StatusCode::CONFLICT,
            Self::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::Itemized(error, _) => error.kind_and_title(),
            Self::BadRequest(_) => (problem::BAD_REQUEST, "Malformed request"),
            Self::Unauthorized(_) => (problem::UNAUTHORIZED, "Authentication required"),
            Self::Forbidden(_) => (problem::FORBIDDEN, "Not allowed"),
            Self::NotFound(_) => (problem::NOT_FOUND, "Not found"),
            Self::Conflict(_) => (problem::CONFLICT, "Conflict"),
            Self::OutOfStock(_) => (problem::OUT_OF_STOCK, "Out of stock"),
            Self::MethodNotAllowed { .. } => (problem::METHOD_NOT_ALLOWED, "Method not allowed"),
            Self::PreconditionRequired(_) => {
                (problem::PRECONDITION_REQUIRED, "Precondition required")
            }
            Self::PaymentRequired(_) => (problem::INSUFFICIENT_FUNDS, "Payment required"),
            Self::PayloadTooLarge { .. } => (problem::PAYLOAD_TOO_LARGE, "Payload too large"),
            Self::UnsupportedMediaType => {
                (problem::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
            }
            Self::Validation(_) => (problem::VALIDATION, "Invalid request"),
            Self::TooManyRequests { .. } => (problem::TOO_MANY_REQUESTS, "Too many requests"),
            Self::Unavailable(_) => (problem::UNAVAILABLE, "Service unavailable"),
            Self::Internal(_) => (problem::INTERNAL, "Internal error"),
        }
    }

    /// What the client may read. Never includes the log-only context of 500 and 503.
    fn public_detail(&self) -> String {
        match self {
            Self::Itemized(error, _) => error.public_detail(),
            Self::BadRequest(detail)
            | Self::Conflict(detail)
            | Self::OutOfStock(detail)
            | Self::PaymentRequired(detail) => detail.clone(),
            Self::Unauthorized(detail)
            | Self::Forbidden(detail)
            | Self::PreconditionRequired(detail) => (*detail).to_string(),
            Self::NotFound(what) => format!("{what} not found"),
            Self::MethodNotAllowed { allow } => format!("this path answers {allow}"),
            Self::PayloadTooLarge { limit_bytes } => {
                format!("request body exceeds {limit_bytes} bytes")
            }
            Self::UnsupportedMediaType => "request body must be application/json".into(),
            Self::Validation(errors) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                format!("invalid fields: {}", fields.join(", "))
            }
            Self::TooManyRequests { retry_after_secs } => {
                format!("too many attempts; retry after {retry_after_secs} seconds")
            }
            Self::Unavailable(_) => "a dependency is unavailable; retry later".into(),
            Self::Internal(_) => "an unexpected error occurred".into(),
        }
    }

    pub fn into_response(self) -> Response<Body> {
        match &self {
            Self::Internal(context) => tracing::error!(error = %context, "internal error"),
            Self::Unavailable(context) => {
                tracing::warn!(error = %context, "dependency unavailable")
            }
            _ => {}
        }
        let status = self.status();
        let (kind, title) = self.kind_and_title();
        let errors = Some(self.field_errors()).filter(|errors| !errors.is_empty());
        let problem = Problem {
            kind,
            title,
            status: status.as_u16(),
            detail: self.public_detail(),
            errors,
        };
        let body = serde_json::to_string(&problem).unwrap_or_else(|_| "{}".into());
        let mut builder = Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/problem+json");
        match &self {
            Self::TooManyRequests { retry_after_secs } => {
                builder = builder.header(header::RETRY_AFTER, retry_after_secs.to_string());
            }
            Self::MethodNotAllowed { allow } => builder = builder.header(header::ALLOW, allow),
            _ => {}
        }
        builder
            .body(Body::Text(body))
            .expect("static headers are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_json(response: Response<Body>) -> serde_json::Value {
        match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("unexpected body {other:?}"),
        }
    }

    #[test]
    fn validation_lists_every_field() {
        let response = ApiError::Validation(vec![
            FieldError::new("email", "must be a valid email"),
            FieldError::new("password", "must be 8 to 128 characters"),
        ])
        .into_response();
        assert_eq!(response.status(), 422);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        let body = body_json(response);
        assert_eq!(body["status"], 422);
        assert_eq!(body["errors"].as_array().unwrap().len(), 2);
        assert_eq!(body["errors"][1]["field"], "password");
    }

    #[test]
    fn internal_context_never_reaches_the_client() {
        let secret = "Table shop-customers: ConditionalCheckFailed at arn:aws:dynamodb";
        for err in [
            ApiError::Internal(secret.into()),
            ApiError::Unavailable(secret.into()),
        ] {
            let status = err.status();
            let response = err.into_response();
            assert_eq!(response.status(), status);
            let text = serde_json::to_string(&body_json(response)).unwrap();
            assert!(
                !text.contains("shop-customers") && !text.contains("arn:"),
                "{text}"
            );
        }
    }

    #[test]
    fn too_many_requests_says_when_to_retry() {
        let response = ApiError::TooManyRequests {
            retry_after_secs: 42,
        }
        .into_response();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
