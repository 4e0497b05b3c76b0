//! Requests as the API gateway hands them to a function, and their answers read back,
//! for in-process tests of handlers (with a store double in place of DynamoDB); and the
//! paging of a listing as the doubles do it.
//! Unused by the functions themselves; the linker leaves it out of their binaries.

use edge::auth::{Role, TokenKeys, SERVICE_AUDIENCE, USER_AUDIENCE};
use edge::cursor::{CursorCodec, Key};
use edge::ApiError;
use lambda_http::http::Method;
use lambda_http::{Body, Request, RequestExt, Response};
use runtime::state::Keys;
use serde_json::Value;
use std::collections::HashMap;
use storage::db::s;

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

/// A token for `subject` as [`keys`] verify it: a user token of a new login for customers
/// and admins, a service token (its subject the calling service's name) for
/// [`Role::Service`].
pub fn token(subject: &str, role: Role) -> String {
    match role {
        Role::Service => {
            TokenKeys::new(SERVICE_SECRET, SERVICE_AUDIENCE, 60)
                .issue(subject, role)
                .expect("a token")
                .token
        }
        _ => session_token(subject, role, &edge::ids::new_id()),
    }
}

/// A user token of `subject`'s login `session` (what [`Accounts::end_session`] ends).
pub fn session_token(subject: &str, role: Role, session: &str) -> String {
    TokenKeys::new(USER_SECRET, USER_AUDIENCE, 900)
        .issue_session(subject, role, 0, session)
        .expect("a token")
        .token
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
    source_ip: String,
}

impl Call {
    pub fn new(method: Method) -> Self {
        Self {
            method,
            path: HashMap::new(),
            query: HashMap::new(),
            headers: Vec::new(),
            body: Body::Empty,
            source_ip: "127.0.0.1".into(),
        }
    }

    /// The client's address, as the HTTP API reports it (`requestContext.http.sourceIp`).
    pub fn from_address(mut self, address: &str) -> Self {
        self.source_ip = address.into();
        self
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

    /// A service token, where calls to internal routes carry it.
    pub fn service(self, token: &str) -> Self {
        self.header(edge::auth::SERVICE_TOKEN_HEADER, token)
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
        let mut context =
            lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(self.source_ip);
        builder
            .body(self.body)
            .expect("a valid request")
            .with_path_parameters(self.path)
            .with_query_string_parameters(self.query)
            .with_request_context(lambda_http::request::RequestContext::ApiGatewayV2(context))
    }
}

/// A handler's answer as a client sees it: the status and the JSON body (problem
/// documents included), `Value::Null` when there is none.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: lambda_http::http::HeaderMap,
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
            headers: response.headers().clone(),
        }
    }

    /// A header's value as text ("" when absent).
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
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

tokio::task_local! {
    /// Which actor of a [`Turns`] script the running task is.
    static ACTOR: usize;
}

/// Orders the steps of concurrent actors (tasks) as a script says, to run every
/// interleaving of, say, a purchase and the reconciler deterministically. A double calls
/// [`Turns::step`] before each operation; the step waits until the script's next entry
/// names its actor. Entries of an actor that has finished are skipped; once the script is
/// spent, steps run freely. Tasks outside [`Turns::act`] are never held.
#[derive(Default)]
pub struct Turns {
    script: std::sync::Mutex<(std::collections::VecDeque<usize>, Vec<usize>)>,
    moved: tokio::sync::Notify,
}

impl Turns {
    pub fn new(script: impl IntoIterator<Item = usize>) -> Self {
        Self {
            script: std::sync::Mutex::new((script.into_iter().collect(), Vec::new())),
            moved: tokio::sync::Notify::new(),
        }
    }

    /// Runs `actor`'s part.
    pub async fn act<F: std::future::Future>(&self, actor: usize, part: F) -> F::Output {
        let output = ACTOR.scope(actor, part).await;
        self.script.lock().unwrap().1.push(actor);
        self.moved.notify_waiters();
        output
    }

    /// Waits for the running actor's turn, and takes it.
    pub async fn step(&self) {
        let Ok(actor) = ACTOR.try_with(|actor| *actor) else {
            return;
        };
        loop {
            let moved = self.moved.notified();
            {
                let mut guard = self.script.lock().unwrap();
                let (script, finished) = &mut *guard;
                while script.front().is_some_and(|next| finished.contains(next)) {
                    script.pop_front();
                }
                match script.front() {
                    None => return,
                    Some(&next) if next == actor => {
                        script.pop_front();
                        drop(guard);
                        self.moved.notify_waiters();
                        return;
                    }
                    Some(_) => {}
                }
            }
            moved.await;
        }
    }

    /// Every sequence of `a` turns of actor 0 and `b` turns of actor 1.
    pub fn interleavings(a: usize, b: usize) -> Vec<Vec<usize>> {
        Self::interleavings_of(&[a, b])
    }

    /// Every sequence of `turns[i]` turns of each actor `i`.
    pub fn interleavings_of(turns: &[usize]) -> Vec<Vec<usize>> {
        if turns.iter().all(|&left| left == 0) {
            return vec![Vec::new()];
        }
        let mut all = Vec::new();
        for actor in (0..turns.len()).filter(|&actor| turns[actor] > 0) {
            let mut rest = turns.to_vec();
            rest[actor] -= 1;
            for mut tail in Self::interleavings_of(&rest) {
                tail.insert(0, actor);
                all.push(tail);
            }
        }
        all
    }
}

/// Accounts as Customers answers for their tokens (`runtime::session::Sessions`): every
/// token of a login is current unless its subject was revoked here (a password or role
/// change, a closed account) or its login ended (a logout, a reused refresh token).
/// A token of no login is never current, as in Customers.
#[derive(Clone, Default)]
pub struct Accounts {
    revoked: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl Accounts {
    pub fn revoke(&self, subject: &str) {
        self.revoked.lock().unwrap().insert(subject.to_string());
    }

    /// Ends the login `session`: its tokens stop being current, the subject's others not.
    pub fn end_session(&self, session: &str) {
        self.revoked
            .lock()
            .unwrap()
            .insert(format!("session#{session}"));
    }
}

impl runtime::session::Sessions for Accounts {
    async fn is_current(&self, principal: &edge::auth::Principal) -> Result<bool, ApiError> {
        let revoked = self.revoked.lock().unwrap();
        Ok(principal
            .session
            .as_ref()
            .is_some_and(|session| !revoked.contains(&format!("session#{session}")))
            && !revoked.contains(&principal.subject))
    }
}

/// The rule that a 422 lists every invalid field, checked for one request type: `valid`
/// is accepted, and for every subset of `invalid` (a field, and a value of the right JSON
/// type that breaks one of its rules) the body with those fields replaced is refused with
/// exactly those fields, none missing and none extra.
#[track_caller]
pub fn reports_every_invalid_field<T>(valid: Value, invalid: &[(&str, Value)])
where
    T: serde::de::DeserializeOwned + validator::Validate,
{
    let parse = |body: Value| {
        let request = Call::new(Method::POST).json(body).build();
        edge::http::json_body::<T>(&request).map(|_| ())
    };
    assert!(
        parse(valid.clone()).is_ok(),
        "the valid body is refused: {valid}"
    );
    assert!(
        invalid.len() <= 10,
        "2^{} subsets is too many",
        invalid.len()
    );
    for subset in 1..(1u32 << invalid.len()) {
        let mut body = valid.clone();
        let mut expected: Vec<&str> = Vec::new();
        for (bit, (field, value)) in invalid.iter().enumerate() {
            if subset & (1 << bit) != 0 {
                body[*field] = value.clone();
                expected.push(field);
            }
        }
        expected.sort_unstable();
        match parse(body.clone()) {
            Err(ApiError::Validation(errors)) => {
                let mut reported: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                reported.sort_unstable();
                assert_eq!(reported, expected, "{body}");
            }
            other => panic!("{body}: expected a 422 naming {expected:?}, got {other:?}"),
        }
    }
}

/// The rules of a contract suite checked, and those broken: every rule is checked before
/// the suite fails, which then names each broken one with what it saw.
#[derive(Default)]
pub struct Rules {
    checked: usize,
    broken: Vec<String>,
}

impl Rules {
    pub fn check(&mut self, rule: &str, holds: bool, seen: impl std::fmt::Debug) {
        self.checked += 1;
        if !holds {
            self.broken.push(format!("{rule}\n    seen: {seen:?}"));
        }
    }

    /// Fails unless every rule held; the number of rules checked.
    pub fn verdict(self, contract: &str, store: &str) -> usize {
        assert!(
            self.broken.is_empty(),
            "{store}: {} of {} rules of the {contract} contract broken:\n  {}",
            self.broken.len(),
            self.checked,
            self.broken.join("\n  ")
        );
        self.checked
    }
}
