//! Requests as the API gateway hands them to a function, and their answers read back,
//! for in-process tests of handlers (with a store double in place of DynamoDB); and the
//! paging of a listing as the doubles do it.
//! Unused by the functions themselves; the linker leaves it out of their binaries.

use crate::auth::{Role, TokenKeys, SERVICE_AUDIENCE, USER_AUDIENCE};
use crate::cursor::{CursorCodec, Key};
use crate::db::s;
use crate::state::Keys;
use crate::ApiError;
use lambda_http::http::Method;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use std::collections::HashMap;

const USER_SECRET: &[u8] = b"in-process-test-user-secret-0123456789";
const SERVICE_SECRET: &[u8] = b"in-process-test-service-secret-012345";
const CURSOR_SECRET: &[u8] = b"in-process-test-cursor-secret-0123456";

/// Every key a function may declare, with test secrets: what [`token`] signs with.
pub fn keys() -> Keys {
    Keys::new(
        Some(TokenKeys::new(USER_SECRET, USER_AUDIENCE, 900)),
        Some(TokenKeys::new(SERVICE_SECRET, SERVICE_AUDIENCE, 60)),
        Some(CursorCodec::new(CURSOR_SECRET)),
    )
}

/// A token for `subject` as [`keys`] verify it: a user token for customers and admins, a
/// service token (its subject the calling service's name) for [`Role::Service`].
pub fn token(subject: &str, role: Role) -> String {
    let keys = match role {
        Role::Service => TokenKeys::new(SERVICE_SECRET, SERVICE_AUDIENCE, 60),
        _ => TokenKeys::new(USER_SECRET, USER_AUDIENCE, 900),
    };
    keys.issue(subject, role).expect("a token").token
}

/// The token of `caller`, a service's name, on an internal route.
pub fn service_token(caller: &str) -> String {
    token(caller, Role::Service)
}

/// A request under construction: `Call::new(Method::POST).path("id", id).json(body)`.
pub struct Call {
    method: Method,
    path: HashMap<String, String>,
    query: HashMap<String, String>,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Call {
    pub fn new(method: Method) -> Self {
        Self {
            method,
            path: HashMap::new(),
            query: HashMap::new(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub fn path(mut self, name: &str, value: &str) -> Self {
        self.path.insert(name.into(), value.into());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.into(), value.into());
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Body::Text(body.to_string());
        self.header("content-type", "application/json")
    }

    pub fn build(self) -> Request {
        let mut builder = lambda_http::http::Request::builder().method(self.method);
        for (name, value) in &self.headers {
            builder = builder.header(name, value);
        }
        builder
            .body(self.body)
            .expect("a valid request")
            .with_path_parameters(self.path)
            .with_query_string_parameters(self.query)
    }
}

/// A handler's answer as a client sees it: the status and the JSON body (problem
/// documents included), `Value::Null` when there is none.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn of(result: Result<Response<Body>, ApiError>) -> Self {
        let response = result.unwrap_or_else(ApiError::into_response);
        let body = match response.body() {
            Body::Text(text) => serde_json::from_str(text).unwrap_or(Value::Null),
            Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap_or(Value::Null),
            _ => Value::Null,
        };
        Self {
            status: response.status().as_u16(),
            body,
        }
    }

    /// The body, after checking the status.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        &self.body
    }
}

/// One page of `items` (already in the listing's order) as a store double answers it:
/// the `limit` items after the one whose id `start` holds, and the key of the last one
/// when the page is full (as DynamoDB answers a `Limit`, there may be no more).
pub fn page_after<T: Clone>(
    items: &[&T],
    id_of: impl Fn(&T) -> &str,
    start: Option<&Key>,
    limit: usize,
) -> (Vec<T>, Option<Key>) {
    let after = start.and_then(|key| key.get("id")?.as_s().ok());
    let skip = after.map_or(0, |id| {
        items
            .iter()
            .position(|item| id_of(item) == id)
            .map_or(0, |i| i + 1)
    });
    let page: Vec<T> = items
        .iter()
        .skip(skip)
        .take(limit)
        .map(|item| (*item).clone())
        .collect();
    let next = (page.len() == limit)
        .then(|| page.last())
        .flatten()
        .map(|last| Key::from([("id".to_string(), s(id_of(last)))]));
    (page, next)
}
