//! X-Ray traces without an SDK: each request's handler is one unit of work, and each
//! DynamoDB call ([`DynamoDbSpans`]) and call to another service ([`Call`]) made while it
//! runs is a subsegment under it. Documents go over UDP to the X-Ray daemon at
//! `AWS_XRAY_DAEMON_ADDRESS` (Lambda sets it when the function has active tracing; locally
//! `local/xray.py` listens there and writes them to a file). Without that address, or
//! for an unsampled request, nothing is recorded and nothing is sent.
//!
//! A call to another service carries the trace header naming its subsegment as parent,
//! in [`CALLER_HEADER`]; the internal route that answers continues that trace, so one
//! purchase is one trace through Sales, Inventory, Customers and Reviews. Not in
//! `X-Amzn-Trace-Id`: HTTP APIs carry no X-Ray context to Lambda, which starts a trace
//! of its own per invocation, and `lambda_http` puts that one in `X-Amzn-Trace-Id`.

use aws_sdk_dynamodb::config::interceptors::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde_json::{json, Value};
use std::future::Future;
use std::net::UdpSocket;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// The calling service's trace, in X-Ray's header syntax.
pub const CALLER_HEADER: &str = "x-caller-trace-id";

/// A trace header: `Root=1-…;Parent=…;Sampled=1` (keys in any order, others ignored).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceHeader {
    pub root: String,
    pub parent: Option<String>,
    pub sampled: bool,
}

impl TraceHeader {
    /// The header's fields, or `None` when its root is not an X-Ray trace id (a header
    /// from outside is never trusted to be well-formed).
    pub fn parse(text: &str) -> Option<Self> {
        let mut header = TraceHeader {
            root: String::new(),
            parent: None,
            sampled: false,
        };
        for part in text.split(';') {
            match part.trim().split_once('=') {
                Some(("Root", root)) if is_trace_id(root) => header.root = root.to_string(),
                Some(("Parent", parent)) if is_hex(parent, 16) => {
                    header.parent = Some(parent.to_string())
                }
                Some(("Sampled", sampled)) => header.sampled = sampled == "1",
                _ => {}
            }
        }
        (!header.root.is_empty()).then_some(header)
    }
}

/// `1-` + 8 hex digits (epoch seconds) + `-` + 24 hex digits.
fn is_trace_id(text: &str) -> bool {
    let mut parts = text.split('-');
    parts.next() == Some("1")
        && parts.next().is_some_and(|time| is_hex(time, 8))
        && parts.next().is_some_and(|id| is_hex(id, 24))
        && parts.next().is_none()
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Where documents go: the daemon's address, if this process traces at all.
fn daemon() -> Option<&'static (UdpSocket, String)> {
    static DAEMON: OnceLock<Option<(UdpSocket, String)>> = OnceLock::new();
    DAEMON
        .get_or_init(|| {
            let address = std::env::var("AWS_XRAY_DAEMON_ADDRESS").ok()?;
            // Lambda may give `udp:host:port tcp:host:port`; the UDP one takes segments.
            let address = address
                .split_whitespace()
                .find_map(|part| part.strip_prefix("udp:"))
                .unwrap_or(&address)
                .to_string();
            let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
            Some((socket, address))
        })
        .as_ref()
}

fn send(document: &Value) {
    let Some((socket, address)) = daemon() else {
        return;
    };
    let packet = format!("{{\"format\":\"json\",\"version\":1}}\n{document}");
    // Best effort, as the X-Ray SDKs do: a lost segment never fails a request.
    if let Err(err) = socket.send_to(packet.as_bytes(), address.as_str()) {
        tracing::debug!(error = %err, "trace segment not sent");
    }
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn new_id() -> String {
    format!("{:016x}", ulid::Ulid::new().random() as u64)
}

/// The unit of work being traced: calls made inside it are recorded under `id`.
#[derive(Clone, Debug)]
struct Current {
    trace_id: String,
    id: String,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// A request's handler, recorded when it ends ([`Unit::end`]).
pub struct Unit {
    current: Current,
    parent: Option<String>,
    /// Continues another function's trace: a segment of its own, not a subsegment of
    /// the Lambda invocation's.
    own_segment: bool,
    name: String,
    start: f64,
}

impl Unit {
    /// The handler of a request whose trace is `header`; `continued`: the header came
    /// from the calling service, not from Lambda. `None` when nothing is to be recorded.
    pub fn begin(name: &str, header: Option<&TraceHeader>, continued: bool) -> Option<Self> {
        let header = header.filter(|h| h.sampled)?;
        daemon()?;
        Some(Self {
            current: Current {
                trace_id: header.root.clone(),
                id: new_id(),
            },
            parent: header.parent.clone(),
            own_segment: continued,
            name: name.to_string(),
            start: now(),
        })
    }

    /// The trace id, for logs and for the caller (`x-trace-id`).
    pub fn trace_id(&self) -> &str {
        &self.current.trace_id
    }

    /// Runs `work` inside this unit: its calls are recorded under it.
    pub async fn scope<F: Future>(&self, work: F) -> F::Output {
        CURRENT.scope(self.current.clone(), work).await
    }

    /// Sends the unit's document, with `fields` (http, annotations) added.
    pub fn end(self, status: u16, fields: Value) {
        let mut document = json!({
            "name": self.name,
            "id": self.current.id,
            "trace_id": self.current.trace_id,
            "start_time": self.start,
            "end_time": now(),
        });
        if self.own_segment {
            document["origin"] = json!("AWS::Lambda::Function");
        } else {
            document["type"] = json!("subsegment");
        }
        if let Some(parent) = &self.parent {
            document["parent_id"] = json!(parent);
        }
        record(document, status, fields);
    }
}

/// Completes a document with its outcome and `fields`, and sends it.
fn record(mut document: Value, status: u16, fields: Value) {
    mark_outcome(&mut document, status);
    merge(&mut document, fields);
    send(&document);
}

/// Runs `work` inside `unit` when there is one (a traced invocation), else as it is.
pub async fn within<F: Future>(unit: Option<&Unit>, work: F) -> F::Output {
    match unit {
        Some(unit) => unit.scope(work).await,
        None => work.await,
    }
}

/// X-Ray's flags for an HTTP status: 429 a throttle, 4xx an error, 5xx or no answer at
/// all (0) a fault.
fn mark_outcome(document: &mut Value, status: u16) {
    match status {
        0 => document["fault"] = json!(true),
        429 => {
            document["throttle"] = json!(true);
            document["error"] = json!(true);
        }
        400..=499 => document["error"] = json!(true),
        500.. => document["fault"] = json!(true),
        _ => {}
    }
}

fn merge(document: &mut Value, fields: Value) {
    if let (Some(document), Value::Object(fields)) = (document.as_object_mut(), fields) {
        document.extend(fields);
    }
}

/// The trace id of the unit being served, if it is traced (for metric lines).
pub fn current_trace_id() -> Option<String> {
    CURRENT.try_with(|c| c.trace_id.clone()).ok()
}

/// One call made by the unit being served, recorded as a subsegment when it ends.
#[derive(Clone, Debug)]
pub struct Call {
    trace_id: String,
    parent: String,
    id: String,
    start: f64,
}

impl Call {
    /// A call starting now, or `None` outside a traced unit.
    pub fn begin() -> Option<Self> {
        CURRENT
            .try_with(|current| Self {
                trace_id: current.trace_id.clone(),
                parent: current.id.clone(),
                id: new_id(),
                start: now(),
            })
            .ok()
    }

    /// The header that makes the callee's work part of this call.
    pub fn header(&self) -> String {
        format!("Root={};Parent={};Sampled=1", self.trace_id, self.id)
    }

    /// Sends the subsegment: `name` (the service called), `namespace` (`aws` or
    /// `remote`), the answer's status (0: none), and `fields` (aws, http).
    pub fn end(self, name: &str, namespace: &str, status: u16, fields: Value) {
        let document = json!({
            "type": "subsegment",
            "name": name,
            "namespace": namespace,
            "id": self.id,
            "parent_id": self.parent,
            "trace_id": self.trace_id,
            "start_time": self.start,
            "end_time": now(),
        });
        record(document, status, fields);
    }
}

/// Records every DynamoDB call of a client (one subsegment per operation, retries
/// included) under the unit being served.
#[derive(Debug)]
pub struct DynamoDbSpans;

/// A DynamoDB call under way, kept in the operation's config bag between the hooks.
#[derive(Clone, Debug)]
struct DynamoDbCall {
    call: Call,
    /// Read before the call: the input is gone once serialized.
    table: String,
}

impl Storable for DynamoDbCall {
    type Storer = StoreReplace<Self>;
}

impl Intercept for DynamoDbSpans {
    fn name(&self) -> &'static str {
        "DynamoDbSpans"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(call) = Call::begin() {
            let table = table_name(context.input()).unwrap_or_default().to_string();
            cfg.interceptor_state()
                .store_put(DynamoDbCall { call, table });
        }
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(DynamoDbCall { call, table }) = cfg.load::<DynamoDbCall>().cloned() else {
            return Ok(());
        };
        let operation = cfg.load::<Metadata>().map_or("", |m| m.name());
        let response = context.response();
        let status = response.map_or(0, |r| r.status().as_u16());
        let request_id = response
            .and_then(|r| r.headers().get("x-amzn-requestid"))
            .unwrap_or_default();
        call.end(
            "DynamoDB",
            "aws",
            status,
            json!({
                "aws": { "operation": operation, "table_name": table, "request_id": request_id },
                "http": { "response": { "status": status } },
            }),
        );
        Ok(())
    }
}

/// The table of a single-table operation's input.
fn table_name(
    input: &aws_smithy_runtime_api::client::interceptors::context::Input,
) -> Option<&str> {
    use aws_sdk_dynamodb::operation::*;
    macro_rules! tables {
        ($($input:ty),*) => {
            $(if let Some(input) = input.downcast_ref::<$input>() {
                return input.table_name();
            })*
        };
    }
    tables!(
        get_item::GetItemInput,
        put_item::PutItemInput,
        update_item::UpdateItemInput,
        delete_item::DeleteItemInput,
        query::QueryInput,
        scan::ScanInput,
        describe_table::DescribeTableInput
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_in_any_order_and_bad_roots_are_refused() {
        let header = TraceHeader::parse(
            "Sampled=1;Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8",
        )
        .unwrap();
        assert_eq!(header.root, "1-5759e988-bd862e3fe1be46a994272793");
        assert_eq!(header.parent.as_deref(), Some("53995c3f42cd8ad8"));
        assert!(header.sampled);
        let unsampled = TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793").unwrap();
        assert!(!unsampled.sampled && unsampled.parent.is_none());
        for bad in [
            "",
            "Root=2-5759e988-bd862e3fe1be46a994272793",
            "Root=1-5759e988-bd862e3fe1be46a99427279",
            "Root=1-5759e988-bd862e3fe1be46a99427279z;Sampled=1",
            "Root=1-5759e988-bd862e3fe1be46a994272793-1",
            "Parent=53995c3f42cd8ad8;Sampled=1",
        ] {
            assert_eq!(TraceHeader::parse(bad), None, "{bad}");
        }
        // A malformed parent is dropped, the root kept.
        let header =
            TraceHeader::parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=\"x\";Sampled=1")
                .unwrap();
        assert_eq!(header.parent, None);
    }

    #[test]
    fn statuses_map_to_xrays_flags() {
        let flags = |status| {
            let mut document = json!({});
            mark_outcome(&mut document, status);
            document
        };
        assert_eq!(flags(200), json!({}));
        assert_eq!(flags(404), json!({"error": true}));
        assert_eq!(flags(429), json!({"error": true, "throttle": true}));
        assert_eq!(flags(503), json!({"fault": true}));
        assert_eq!(flags(0), json!({"fault": true}));
    }

    #[tokio::test]
    async fn a_call_outside_a_unit_is_not_recorded_and_inside_one_names_it_as_parent() {
        assert!(Call::begin().is_none());
        let unit = Unit {
            current: Current {
                trace_id: "1-5759e988-bd862e3fe1be46a994272793".into(),
                id: new_id(),
            },
            parent: None,
            own_segment: false,
            name: "test".into(),
            start: now(),
        };
        let call = unit.scope(async { Call::begin() }).await.unwrap();
        assert_eq!(call.parent, unit.current.id);
        let header = TraceHeader::parse(&call.header()).unwrap();
        assert_eq!(header.root, unit.trace_id());
        assert_eq!(header.parent.as_deref(), Some(call.id.as_str()));
        assert!(header.sampled);
    }
}
