//! `Idempotency-Key` handling: the key's syntax and the fingerprint of a request body,
//! so that a retry with the same key but a different body is told apart (422).

use crate::ApiError;
use aws_lc_rs::digest;
use lambda_http::Request;

pub const HEADER: &str = "idempotency-key";
/// How long a key is remembered.
pub const RETENTION_SECONDS: u64 = 24 * 60 * 60;

/// The request's key, if any: 1..=128 characters of `[A-Za-z0-9_-:.]`.
pub fn key(req: &Request) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default();
    let valid = (1..=128).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    if !valid {
        return Err(ApiError::validation(
            "Idempotency-Key",
            "must be 1 to 128 characters of letters, digits, '-', '_', ':' or '.'",
        ));
    }
    Ok(Some(value.to_string()))
}

/// A stable fingerprint of what the request asks for (hex SHA-256 of a canonical form).
pub fn fingerprint(canonical_request: &str) -> String {
    digest::digest(&digest::SHA256, canonical_request.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
    fn fingerprints_differ_by_request() {
        assert_eq!(fingerprint("deposit:100"), fingerprint("deposit:100"));
        assert_ne!(fingerprint("deposit:100"), fingerprint("deposit:101"));
        assert_eq!(fingerprint("x").len(), 64);
    }

    #[test]
    fn keys_are_checked() {
        let with = |v: &str| {
            lambda_http::http::Request::builder()
                .header(HEADER, v)
                .body(lambda_http::Body::Empty)
                .unwrap()
        };
        assert_eq!(key(&with("abc-123")).unwrap().as_deref(), Some("abc-123"));
        assert!(key(&with("has space")).is_err());
        assert!(key(&with(&"k".repeat(129))).is_err());
        let none = lambda_http::http::Request::builder()
            .body(lambda_http::Body::Empty)
            .unwrap();
        assert_eq!(key(&none).unwrap(), None);
    }
}
