//! HTTP in and out: typed JSON bodies with limits and validation, path and query
//! parameters, and JSON responses.

use crate::limits::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::ApiError;
use crate::FieldError;
use endpoints::{Access, Endpoint};
use lambda_http::http::{header, HeaderValue, Method, StatusCode};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

/// Largest accepted request body. Every body of the API fits in a few KiB.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// Parses a JSON body into `T` (which should `deny_unknown_fields`) and validates it.
///
/// 400 for an empty body, malformed JSON, unknown fields or wrong types; 413 over the
/// size limit; 415 when the content type is not JSON; 422 listing every invalid field.
pub fn json_body<T: DeserializeOwned + Validate>(req: &Request) -> Result<T, ApiError> {
    let bytes: &[u8] = match req.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge {
            limit_bytes: MAX_BODY_BYTES,
        });
    }
    if !is_json_content_type(req) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "a JSON request body is required".into(),
        ));
    }
    let value: T = serde_json::from_slice(bytes).map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Data => "invalid request body",
            _ => "malformed JSON",
        };
        ApiError::BadRequest(format!("{what}: {e}"))
    })?;
    value
        .validate()
        .map_err(|errors| ApiError::Validation(field_errors(&errors)))?;
    Ok(value)
}

fn is_json_content_type(req: &Request) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let media_type = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    media_type == "application/json"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"))
}

/// Every invalid field with a readable message (the first rule it breaks), sorted by field.
/// Fields of nested values are named by their path: `items[1].quantity`.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect_field_errors(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect_field_errors(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                if let Some(err) = list.first() {
                    let message = err
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| default_message(&err.code, &err.params));
                    out.push(FieldError::new(path, message));
                }
            }
            ValidationErrorsKind::Struct(nested) => collect_field_errors(nested, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, nested) in items {
                    collect_field_errors(nested, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn default_message(
    code: &str,
    params: &std::collections::HashMap<std::borrow::Cow<'static, str>, serde_json::Value>,
) -> String {
    let bound = |name: &str| params.get(name).map(|v| v.to_string());
    match code {
        "length" => match (bound("min"), bound("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            _ => "has an invalid length".into(),
        },
        "range" => match (bound("min"), bound("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (None, Some(max)) => format!("must be at most {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            _ => "is out of range".into(),
        },
        "email" => "must be a valid email address".into(),
        "regex" => "has an invalid format".into(),
        other => format!("is invalid ({other})"),
    }
}

/// A path parameter filled in by the gateway.
pub fn path_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.path_parameters_ref()
        .and_then(|params| params.first(name))
}

/// A query parameter, if present.
pub fn query_param<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query_string_parameters_ref()
        .and_then(|params| params.first(name))
}

/// Parses an optional integer query parameter within bounds (422 otherwise).
pub fn query_int(req: &Request, name: &str, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
    let Some(raw) = query_param(req, name) else {
        return Ok(None);
    };
    match raw.trim().parse::<i64>() {
        Ok(value) if (min..=max).contains(&value) => Ok(Some(value)),
        _ => Err(ApiError::validation(
            name,
            &format!("must be an integer between {min} and {max}"),
        )),
    }
}

/// `limit` of a paginated list: 1..=100, default 20.
pub fn page_limit(req: &Request) -> Result<i32, ApiError> {
    let limit = query_int(req, "limit", 1, MAX_PAGE_SIZE)?;
    Ok(limit.unwrap_or(DEFAULT_PAGE_SIZE) as i32)
}

/// Value of a header as text, if present and printable.
pub fn header_str<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The client's address as the HTTP API saw it (`requestContext.http.sourceIp`: the TCP
/// peer; the local gateway sets it the same way), or "unknown".
pub fn client_address(req: &Request) -> &str {
    match req.request_context_ref() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.http.source_ip.as_deref().unwrap_or("unknown")
        }
        _ => "unknown",
    }
}

/// The version an `If-Match` header names: `"3"`, `W/"3"` or `3`; `*` (any version) and
/// no header are `None`.
pub fn if_match(req: &Request) -> Result<Option<i64>, ApiError> {
    let Some(raw) = header_str(req, "if-match") else {
        return Ok(None);
    };
    let raw = raw.trim();
    if raw == "*" {
        return Ok(None);
    }
    raw.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ApiError::BadRequest("If-Match must be an ETag returned by this API".into()))
}

/// The `ETag` of a record at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `response` with the `ETag` of `version`.
pub fn with_etag(mut response: Response<Body>, version: i64) -> Response<Body> {
    if let Ok(value) = etag(version).parse() {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value)
        .map_err(|e| ApiError::Internal(format!("serializing response: {e}")))?;
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(body))
        .map_err(|e| ApiError::Internal(format!("building response: {e}")))
}

pub fn ok<T: Serialize>(value: &T) -> Result<Response<Body>, ApiError> {
    json(StatusCode::OK, value)
}

/// Whether the answer to `req` on a route of `endpoint` may hold tokens or personal data,
/// so that no cache, the browser's or a proxy's, may keep it (`Cache-Control: no-store`,
/// RFC 9111 §5.2.2.5). One rule for every function: every answer but a public route's to
/// an anonymous GET or HEAD (a product, the catalog, the pages, the health). Logins,
/// registrations and refreshes (tokens), profiles and wallets, sales, recommendations,
/// whatever is read with a token, and every refusal of them are private.
pub fn is_private(endpoint: &Endpoint, req: &Request) -> bool {
    let anonymous_read = matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.headers().contains_key(header::AUTHORIZATION);
    !(endpoint.access == Access::Public && anonymous_read)
}

/// `Cache-Control: no-store` on a `private` answer (see [`is_private`]), unless its handler
/// chose its caching itself.
pub fn keep_private(private: bool, response: &mut Response<Body>) {
    if private && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

pub fn no_content() -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(format!("building response: {e}")))
}

/// A page of a list: `{"items": [...], "next_cursor": "..." | null}`.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use validator::Validate;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[validate(length(min = 1, max = 5))]
        name: String,
        #[validate(range(min = 1, max = 5))]
        rating: i64,
    }

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder().method("POST");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        builder.body(Body::Text(body.to_string())).unwrap()
    }

    fn status_of(result: Result<Sample, ApiError>) -> u16 {
        result.unwrap_err().status().as_u16()
    }

    #[test]
    fn good_bodies_parse() {
        let req = request(
            Some("application/json; charset=utf-8"),
            r#"{"name":"abc","rating":3}"#,
        );
        let sample: Sample = json_body(&req).unwrap();
        assert_eq!((sample.name.as_str(), sample.rating), ("abc", 3));
    }

    #[test]
    fn bad_bodies_get_the_right_status() {
        let json = Some("application/json");
        assert_eq!(status_of(json_body(&request(json, "{"))), 400);
        assert_eq!(status_of(json_body(&request(json, ""))), 400);
        assert_eq!(status_of(json_body(&request(json, "null"))), 400);
        assert_eq!(status_of(json_body(&request(json, "[1,2]"))), 400);
        assert_eq!(
            status_of(json_body(&request(json, r#"{"name":"a","rating":"5"}"#))),
            400
        );
        assert_eq!(
            status_of(json_body(&request(
                json,
                r#"{"name":"a","rating":1,"role":"admin"}"#
            ))),
            400
        );
        assert_eq!(
            status_of(json_body(&request(Some("text/plain"), "{}"))),
            415
        );
        assert_eq!(status_of(json_body(&request(None, "{}"))), 415);
        let huge = format!(r#"{{"name":"{}","rating":1}}"#, "x".repeat(MAX_BODY_BYTES));
        assert_eq!(status_of(json_body(&request(json, &huge))), 413);
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let req = request(Some("application/json"), r#"{"name":"toolong","rating":9}"#);
        match json_body::<Sample>(&req) {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "rating"]);
                assert_eq!(errors[1].message, "must be between 1 and 5");
            }
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn unicode_lengths_count_characters() {
        let req = request(
            Some("application/json"),
            r#"{"name":"日本語🚀","rating":1}"#,
        );
        assert!(json_body::<Sample>(&req).is_ok());
    }

    #[test]
    fn a_base64_delivered_body_that_is_not_utf8_is_a_400() {
        // API Gateway hands such a body over base64-encoded; lambda_http decodes it to binary.
        let req = lambda_http::http::Request::builder()
            .method("POST")
            .header("content-type", "application/json")
            .body(Body::Binary(vec![b'k', 0xff, 0xfe, 0x1b]))
            .unwrap();
        assert_eq!(status_of(json_body(&req)), 400);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn outcome(body: &str) -> Result<Sample, u16> {
            json_body::<Sample>(&request(Some("application/json"), body))
                .map_err(|e| e.status().as_u16())
        }

        proptest! {
            #[test]
            fn any_body_is_parsed_or_refused_with_a_client_error(body in any::<String>()) {
                match outcome(&body) {
                    Ok(sample) => {
                        prop_assert!((1..=5).contains(&sample.rating));
                        prop_assert!((1..=5).contains(&sample.name.chars().count()));
                    }
                    Err(status) => prop_assert!(matches!(status, 400 | 413 | 422), "{status}"),
                }
            }

            #[test]
            fn json_shaped_bodies_get_400_or_422(
                name in any::<String>(),
                rating in any::<i64>(),
                extra in proptest::option::of("[a-z_]{1,12}"),
            ) {
                let mut value = serde_json::json!({"name": name, "rating": rating});
                if let Some(field) = &extra {
                    value[field] = serde_json::json!(true);
                }
                let valid_values = (1..=5).contains(&name.chars().count()) && (1..=5).contains(&rating);
                // An extra field is unknown, or (name, rating) of the wrong type: both 400.
                match outcome(&value.to_string()) {
                    Ok(_) => prop_assert!(valid_values && extra.is_none()),
                    Err(400) => prop_assert!(extra.is_some()),
                    Err(422) => prop_assert!(!valid_values && extra.is_none()),
                    Err(other) => prop_assert!(false, "unexpected {other}"),
                }
            }
        }
    }

    /// Tokens and personal data are never stored by a cache: every answer but a public
    /// route's to an anonymous read is `no-store`, whoever the caller.
    #[test]
    fn answers_with_tokens_or_personal_data_are_never_stored() {
        use endpoints::named;
        let call = |method: &str, token: bool| {
            let mut builder = lambda_http::http::Request::builder().method(method);
            if token {
                builder = builder.header("authorization", "Bearer x");
            }
            builder.body(Body::Empty).unwrap()
        };
        let private = |name: &str, method: &str, token: bool| {
            is_private(named(name).unwrap(), &call(method, token))
        };
        // Tokens: public routes, but never a read.
        for name in ["login", "register", "token_refresh"] {
            assert!(private(name, "POST", false), "{name}");
        }
        // Personal data, with a token or (refused) without.
        for name in [
            "get_profile",
            "sales_history",
            "get_sale",
            "get_recommendations",
            "deposit",
        ] {
            for token in [true, false] {
                assert!(private(name, "GET", token), "{name}");
            }
        }
        // A public read with a token may show the caller more (an admin's view).
        assert!(private("list_reviews", "GET", true));
        assert!(private("get_review", "GET", true));
        // Public reads without a token are for anyone, and may be kept.
        for name in ["get_product", "list_products", "list_reviews", "storefront"] {
            assert!(!private(name, "GET", false), "{name}");
            assert!(!private(name, "HEAD", false), "{name}");
        }
        let mut response = Response::new(Body::Empty);
        keep_private(true, &mut response);
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        let mut kept = Response::new(Body::Empty);
        keep_private(false, &mut kept);
        assert!(kept.headers().get(header::CACHE_CONTROL).is_none());
        let mut chosen = Response::new(Body::Empty);
        chosen
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        keep_private(true, &mut chosen);
        assert_eq!(chosen.headers()[header::CACHE_CONTROL], "no-cache");
    }
}
