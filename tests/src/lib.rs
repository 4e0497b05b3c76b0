//! Helpers of the end-to-end tests: real HTTP against a running local stack
//! (`local/up.sh`), at `API_URL` (default `http://127.0.0.1:9000`), and its internal
//! routes at `INTERNAL_URL`, where the local gateway serves them apart.

use edge::auth::{Role, TokenKeys};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::sync::OnceLock;
use std::time::Duration;

pub fn base_url() -> String {
    std::env::var("API_URL").unwrap_or_else(|_| "http://127.0.0.1:9000".into())
}

/// Where the local gateway serves the internal (service-to-service) routes.
pub fn internal_url() -> String {
    std::env::var("INTERNAL_URL").unwrap_or_else(|_| "http://127.0.0.1:9004".into())
}

/// The Lambda emulator (`cargo lambda watch`) behind the local gateway, which only the
/// gateway may invoke.
pub fn lambda_url() -> String {
    let port = std::env::var("LAMBDA_PORT").unwrap_or_else(|_| "9005".into());
    format!("http://127.0.0.1:{port}")
}

/// Sends `request` as bytes to the public API, as no HTTP client would send it (a
/// malformed request), and reads the answer to the end: its status, its content type and
/// its body as JSON (`Null` when it is not).
pub fn raw_http(request: &[u8]) -> (u16, Option<String>, Value) {
    use std::io::{Read, Write};
    let address = base_url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = std::net::TcpStream::connect(&address).expect("the public API");
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    // The server may answer and close before it has read all: the answer counts.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let content_type = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_string())
    });
    (
        status,
        content_type,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

/// The URL of `path`: internal routes on their own port, the rest on the public API.
pub fn url_of(path: &str) -> String {
    if path.starts_with("/internal/") {
        format!("{}{path}", internal_url())
    } else {
        format!("{}{path}", base_url())
    }
}

pub fn client() -> &'static Client {
    static CLIENT: OnceLock<Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        // No idle connections kept: each test has a runtime of its own, and a connection
        // made on a test's runtime that has ended fails the next test that takes it
        // ("runtime dropped the dispatch task").
        infra::aws::http_client()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("http client")
    })
}

/// A response read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts a problem+json error with this status, and returns its body.
    pub fn problem(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "not a problem document: {}",
            self.text
        );
        assert_eq!(self.body["status"], status, "{}", self.text);
        assert!(
            self.body["title"].is_string() && self.body["type"].is_string(),
            "{}",
            self.text
        );
        &self.body
    }

    /// Asserts a success status and returns the body.
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status}, got {}: {}",
            self.status,
            self.text
        );
        &self.body
    }
}

/// Sends a request; one to an internal route is signed (SigV4) with the stack's local
/// credentials, as a function's call is: the gateway refuses unsigned ones.
pub async fn send(request: RequestBuilder) -> Reply {
    let (client, request) = request.build_split();
    let mut request = request.expect("a valid request");
    if request.url().as_str().starts_with(&internal_url()) {
        edge::sigv4::Signer::from_env()
            .expect("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION of the stack")
            .sign(&mut request)
            .expect("signed");
    }
    send_unsigned(client, request).await
}

/// Sends a request as it is.
pub async fn send_unsigned(client: Client, request: reqwest::Request) -> Reply {
    let response = client.execute(request).await.expect("request failed");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("response body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// A request with `token` where the route reads it: a service token of an internal
/// route in `x-service-token`, any other as the bearer token.
pub fn request(method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
    let mut builder = client().request(method, url_of(path));
    if let Some(token) = token {
        builder = if path.starts_with("/internal/") {
            builder.header(edge::auth::SERVICE_TOKEN_HEADER, token)
        } else {
            builder.bearer_auth(token)
        };
    }
    builder
}

pub async fn get(path: &str, token: Option<&str>) -> Reply {
    send(request(Method::GET, path, token)).await
}

pub async fn delete(path: &str, token: Option<&str>) -> Reply {
    send(request(Method::DELETE, path, token)).await
}

pub async fn post(path: &str, token: Option<&str>, body: &Value) -> Reply {
    send(request(Method::POST, path, token).json(body)).await
}

pub async fn patch(path: &str, token: Option<&str>, body: &Value) -> Reply {
    send(request(Method::PATCH, path, token).json(body)).await
}

/// A unique suffix for emails and names, so tests never collide.
pub fn unique() -> String {
    ulid::Ulid::new().to_string().to_lowercase()
}

pub struct Customer {
    pub id: String,
    pub email: String,
    pub password: String,
    pub token: String,
}

pub async fn register(email: &str, password: &str) -> Reply {
    post(
        "/register",
        None,
        &json!({"email": email, "password": password, "full_name": "Test Customer"}),
    )
    .await
}

pub async fn login(email: &str, password: &str) -> Reply {
    post(
        "/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

/// Logs in from another client address: a loopback address such as 127.0.0.2, which
/// the gateway reports to the function as the client's (`sourceIp`).
pub async fn login_from(address: &str, email: &str, password: &str) -> Reply {
    let client = infra::aws::http_client()
        .local_address(Some(address.parse().expect("an IP address")))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    let body = json!({"email": email, "password": password});
    send(client.post(url_of("/login")).json(&body)).await
}

/// A loopback address for one test alone (127.x.y.z), so that the limits per client
/// address (logins, registrations of a taken mailbox) count that test's requests only.
pub fn own_address() -> String {
    let random = ulid::Ulid::new().random();
    let byte = |shift: u32| (random >> shift) as u8;
    format!("127.{}.{}.{}", byte(0), byte(8), byte(16).max(2))
}

/// Registers from another client address (see [`login_from`]).
pub async fn register_from(address: &str, email: &str, password: &str) -> Reply {
    let client = infra::aws::http_client()
        .local_address(Some(address.parse().expect("an IP address")))
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    let body = json!({"email": email, "password": password, "full_name": "Test Customer"});
    send(client.post(url_of("/register")).json(&body)).await
}

/// A freshly registered, logged-in customer.
pub async fn new_customer() -> Customer {
    let email = format!("c-{}@test.local", unique());
    let password = "correct-horse-battery".to_string();
    let created = register(&email, &password).await;
    let id = created.expect(201)["id"].as_str().unwrap().to_string();
    let token = login(&email, &password).await.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    Customer {
        id,
        email,
        password,
        token,
    }
}

/// The demo admin's token (the stack is seeded; see local/seed.py).
pub async fn admin_token() -> String {
    let email = std::env::var("DEMO_ADMIN_EMAIL").unwrap_or_else(|_| "admin@shop.local".into());
    let password =
        std::env::var("DEMO_ADMIN_PASSWORD").unwrap_or_else(|_| "admin-password-local".into());
    login(&email, &password).await.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn secret(name: &str, default: &str) -> Vec<u8> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .into_bytes()
}

/// A service token as `caller` (a service's name) would mint it (local development
/// secret). Each internal route admits only the services declared as its callers.
pub fn service_token(caller: &str) -> String {
    let secret = secret(
        "SERVICE_TOKEN_SECRET",
        "local-dev-only-service-secret-0123456789ab",
    );
    TokenKeys::new(&secret, edge::auth::SERVICE_AUDIENCE, 60)
        .issue(caller, Role::Service)
        .unwrap()
        .token
}

/// Signs arbitrary user claims with the local user-token secret (for forgery tests).
pub fn user_token_keys(ttl_seconds: u64) -> TokenKeys {
    let secret = secret("JWT_SECRET", "local-dev-only-jwt-secret-0123456789abcdef");
    TokenKeys::new(&secret, edge::auth::USER_AUDIENCE, ttl_seconds)
}

/// Creates a product as admin and returns it.
pub async fn create_product(admin: &str, category: &str, price_cents: i64, stock: i64) -> Value {
    let name = format!("Test product {}", unique());
    post(
        "/products",
        Some(admin),
        &json!({"name": name, "description": "for tests", "category": category, "price_cents": price_cents, "stock": stock}),
    )
    .await
    .expect(201)
    .clone()
}

/// A scene for a purchase: a product of the demo admin's (`price_cents`, `stock` units, in
/// `category`) and a new customer with `money` cents in their wallet.
pub struct Shop {
    pub admin: String,
    pub buyer: Customer,
    pub product_id: String,
}

pub async fn shop(category: &str, price_cents: i64, stock: i64, money: i64) -> Shop {
    let admin = admin_token().await;
    let product = create_product(&admin, category, price_cents, stock).await;
    let buyer = new_customer().await;
    fund(&buyer, money).await;
    Shop {
        admin,
        buyer,
        product_id: product["id"].as_str().unwrap().to_string(),
    }
}

pub async fn read_product(id: &str) -> Value {
    get(&format!("/products/{id}"), None)
        .await
        .expect(200)
        .clone()
}

/// Adds money to a customer's wallet.
pub async fn fund(customer: &Customer, amount_cents: i64) {
    post(
        &format!("/profile/{}/wallet/deposit", customer.id),
        Some(&customer.token),
        &json!({"amount_cents": amount_cents}),
    )
    .await
    .expect(200);
}

/// A customer's wallet balance.
pub async fn wallet(customer: &Customer) -> i64 {
    get(&format!("/profile/{}", customer.id), Some(&customer.token))
        .await
        .expect(200)["wallet_balance_cents"]
        .as_i64()
        .unwrap()
}

/// A product's stock.
pub async fn stock(product_id: &str) -> i64 {
    read_product(product_id).await["stock"].as_i64().unwrap()
}

/// Posts `body` to `path` as `token`, with an `Idempotency-Key` when given.
pub async fn post_keyed(path: &str, token: &str, body: &Value, key: Option<&str>) -> Reply {
    let mut builder = request(Method::POST, path, Some(token)).json(body);
    if let Some(key) = key {
        builder = builder.header("Idempotency-Key", key);
    }
    send(builder).await
}

/// `(product id, quantity)` lines as the `items` of an order or a refund.
pub fn lines_json(lines: &[(&str, i64)]) -> Value {
    lines
        .iter()
        .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
        .collect()
}

/// Buys as `customer`, optionally with an idempotency key.
pub async fn buy(customer: &Customer, product_id: &str, quantity: i64, key: Option<&str>) -> Reply {
    let body = json!({"product_id": product_id, "quantity": quantity});
    post_keyed("/sales", &customer.token, &body, key).await
}

/// Buys several products in one order as `customer`: `(product id, quantity)` lines.
pub async fn buy_items(customer: &Customer, lines: &[(&str, i64)], key: Option<&str>) -> Reply {
    let body = json!({"items": lines_json(lines)});
    post_keyed("/sales", &customer.token, &body, key).await
}

/// Refunds units of a sale's lines as `admin`.
pub async fn refund(
    admin: &str,
    sale_id: &str,
    lines: &[(&str, i64)],
    restock: bool,
    key: Option<&str>,
) -> Reply {
    let body = json!({"items": lines_json(lines), "reason": "returned by the customer",
                      "restock": restock});
    post_keyed(&format!("/sales/{sale_id}/refunds"), admin, &body, key).await
}

/// The fields a problem document names in `errors`.
pub fn named_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Posts a review as `customer`.
pub async fn review(customer: &Customer, product_id: &str, rating: i64, comment: &str) -> Reply {
    post(
        "/reviews",
        Some(&customer.token),
        &json!({"product_id": product_id, "rating": rating, "comment": comment}),
    )
    .await
}

/// Moderates a review as admin, as it reads now.
pub async fn moderate(admin: &str, review_id: &str, action: &str) -> Reply {
    moderate_with(
        admin,
        review_id,
        &json!({"action": action, "reason": "checked"}),
    )
    .await
}

/// Moderates a review as admin with `body`, naming the version read now (`If-Match`).
pub async fn moderate_with(admin: &str, review_id: &str, body: &Value) -> Reply {
    let read = get(&format!("/reviews/{review_id}"), Some(admin)).await;
    let etag = read.header("etag").unwrap_or_default().to_string();
    send(
        request(
            Method::POST,
            &format!("/reviews/{review_id}/moderate"),
            Some(admin),
        )
        .header("if-match", etag)
        .json(body),
    )
    .await
}

/// Runs an operator or scheduled binary of the workspace once, and parses the JSON
/// report it prints.
pub fn run_job(binary: &str) -> Value {
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
    let output = std::process::Command::new(format!("{target}/debug/{binary}"))
        .output()
        .unwrap_or_else(|e| panic!("{binary}: {e}"));
    assert!(
        output.status.success(),
        "{binary}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{binary} report: {e}"))
}

/// A customer's recommendations.
pub async fn recommendations(customer: &Customer) -> Value {
    get(
        &format!("/recommendations/{}", customer.id),
        Some(&customer.token),
    )
    .await
    .expect(200)
    .clone()
}

/// The recommended product ids, best first.
pub fn recommended(recs: &Value) -> Vec<String> {
    recs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["product_id"].as_str().unwrap().to_string())
        .collect()
}

/// Products bought together by a few customers, then a refreshed model.
pub async fn bought_together(admin: &str) -> Vec<String> {
    let category = format!("reco-{}", unique());
    let mut products = Vec::new();
    for _ in 0..4 {
        products.push(
            create_product(admin, &category, 100, 1_000).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // Three customers buy 0 and 1 together; two buy 2 and 3 together.
    for pair in [(0, 1), (0, 1), (0, 1), (2, 3), (2, 3)] {
        let customer = new_customer().await;
        fund(&customer, 1_000).await;
        buy(&customer, &products[pair.0], 1, None).await.expect(201);
        buy(&customer, &products[pair.1], 1, None).await.expect(201);
    }
    let report = run_job("refresh_recommendations");
    assert!(report["interactions"].as_u64().unwrap() >= 10, "{report}");
    products
}

/// A file of the running stack's logs (`$STATE_DIR/logs/NAME`), a JSON document per line
/// (other output skipped).
pub fn stack_log(name: &str) -> Vec<Value> {
    let state = std::env::var("STATE_DIR").expect("STATE_DIR of the running stack");
    let text = std::fs::read_to_string(format!("{state}/logs/{name}")).unwrap_or_default();
    text.lines()
        .filter_map(|line| line.find('{').map(|start| &line[start..]))
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect()
}

/// The lines of a stack log once one of them satisfies `done` (they reach the file
/// shortly after the answers); panics after 10 s.
pub async fn stack_log_until(name: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let lines = stack_log(name);
        if done(&lines) {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name}: what the test waits for never came");
}

/// The domain events the stack's bus received (`local/eventbus.py`) of `detail_type`
/// whose detail has `key` = `value`.
pub fn bus_events(detail_type: &str, key: &str, value: &str) -> Vec<Value> {
    stack_log("events.jsonl")
        .into_iter()
        .filter(|e| e["detail-type"] == detail_type && e["detail"][key] == value)
        .collect()
}

/// Waits until the bus has an event of `detail_type` with `key` = `value`, then a little
/// longer (a repeat would come right after it), and answers all such events.
pub async fn bus_events_settled(detail_type: &str, key: &str, value: &str) -> Vec<Value> {
    for _ in 0..200 {
        if !bus_events(detail_type, key, value).is_empty() {
            tokio::time::sleep(Duration::from_millis(1_500)).await;
            return bus_events(detail_type, key, value);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {detail_type} event with {key} = {value} in 20 s");
}
