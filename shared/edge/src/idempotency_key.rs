//! The `Idempotency-Key` header: its syntax, and the answer to a key reused with another
//! request. Its record is kept by the store (`storage::idempotency`).

use crate::limits::MAX_IDEMPOTENCY_KEY_CHARS;
use crate::ApiError;
use lambda_http::Request;

pub const HEADER: &str = "idempotency-key";

/// The request's key, if any: 1..=128 characters of `[A-Za-z0-9_-:.]`.
pub fn parse(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    let valid = (1..=MAX_IDEMPOTENCY_KEY_CHARS).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    if !valid {
        return Err(ApiError::validation(
            "Idempotency-Key",
            &format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters of letters, digits, \
                 '-', '_', ':' or '.'"
            ),
        ));
    }
    Ok(Some(value.to_string()))
}

/// The response to a key that was seen before with another request.
pub fn mismatch() -> ApiError {
    ApiError::validation(
        "Idempotency-Key",
        "this key was already used with a different request",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        let with = |v: &str| {
            lambda_http::http::Request::builder()
                .header(HEADER, v)
                .body(lambda_http::Body::Empty)
                .unwrap()
        };
        assert_eq!(parse(&with("abc-123")).unwrap().as_deref(), Some("abc-123"));
        assert!(parse(&with("has space")).is_err());
        assert!(parse(&with(&"k".repeat(129))).is_err());
        let none = lambda_http::http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(parse(&none).unwrap(), None);
    }
}
