//! The entry points of the functions: init once per cold start, then serve HTTP
//! requests ([`serve`]) or run a scheduled job on every event ([`run_scheduled`]).

use crate::caller;
use crate::metrics;
use edge::ApiError;
use endpoints::Service;
use infra::config::ConfigError;
use infra::trace::{self, TraceHeader};
use lambda_http::http::HeaderValue;
use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Request, RequestExt, Response};
use serde::Serialize;
use serde_json::json;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use lambda_http::Error;

/// The `main` of an HTTP function, e.g. `runtime::function!(inventory::handlers::get_product);`:
/// builds the state that the declaration of the binary's name describes, then serves.
#[macro_export]
macro_rules! function {
    ($handler:path) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), $crate::serve::Error> {
            let name = env!("CARGO_BIN_NAME");
            $crate::serve::serve(name, $crate::state::State::load(name), $handler).await
        }
    };
}

/// The `main` of a scheduled function, e.g. `runtime::scheduled!(sales::reconcile::scheduled);`:
/// builds the state that the declaration of the binary's name describes, then runs the job.
#[macro_export]
macro_rules! scheduled {
    ($job:path) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), $crate::serve::Error> {
            let name = env!("CARGO_BIN_NAME");
            $crate::serve::run_scheduled(name, $crate::state::State::load(name), $job).await
        }
    };
}

/// The `main` of a table's events function, e.g. `runtime::stream!(sales::events::derive);`:
/// publishes the domain events each change of the table's stream means.
#[macro_export]
macro_rules! stream {
    ($derive:path) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), $crate::serve::Error> {
            $crate::serve::run_stream(env!("CARGO_BIN_NAME"), $derive).await
        }
    };
}

/// JSON log lines on stderr (stdout stays free for a command's own output); levels by
/// target from `RUST_LOG` (`warn`, `info,storage=debug`; default `info`).
pub fn init_tracing() {
    use tracing_subscriber::util::SubscriberInitExt;
    let directives = std::env::var("RUST_LOG").unwrap_or_default();
    let _ = log_subscriber(&directives, std::io::stderr).try_init();
}

/// JSON log lines to `writer`, levels by target from `directives` (`RUST_LOG`'s syntax;
/// `info` when empty or unreadable).
fn log_subscriber<W>(directives: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing::level_filters::LevelFilter;
    use tracing_subscriber::{filter::Targets, layer::SubscriberExt, Layer};
    let levels = Some(directives)
        .filter(|directives| !directives.trim().is_empty())
        .and_then(|directives| directives.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    // The levels filter the log layer itself, so the process's ceiling is the most verbose
    // level they ask for: the events above it (the SDK's debug and trace) stay off at their
    // call sites, never registered or looked up.
    let log = tracing_subscriber::fmt::layer()
        .json()
        .with_target(false)
        .with_current_span(false)
        .with_ansi(false)
        .with_writer(writer)
        .with_filter(levels);
    tracing_subscriber::registry().with(log)
}

/// Builds the state once (a configuration error stops the cold start with a clear
/// log line), then serves every request with `handler`, rendering errors as
/// problem+json. Each request is traced ([`infra::trace`]) and logged in one line that
/// is also its latency metric ([`crate::metrics`]).
pub async fn serve<S, Init, H, Fut>(
    name: &'static str,
    init: Init,
    handler: H,
) -> Result<(), lambda_http::Error>
where
    S: Sync + 'static,
    Init: Future<Output = Result<S, ConfigError>>,
    H: Fn(&'static S, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    let state = init_once(init).await?;
    let endpoint = endpoints::named(name);
    let service = endpoint.map_or(Service::Platform, |e| e.service);
    let invoke_key: &'static Option<String> = Box::leak(Box::new(local_invoke_key()));
    lambda_http::run(service_fn(move |mut req: Request| async move {
        if let Some(key) = invoke_key {
            if !from_local_gateway(&mut req, key) {
                tracing::warn!(
                    function = name,
                    "refused: an invocation that did not come through the local gateway"
                );
                return Ok(ApiError::Forbidden(
                    "this function takes requests through the API only",
                )
                .into_response());
            }
        }
        let started = Instant::now();
        let line = RequestLine::of(service, &req);
        // Answers with tokens or personal data are never kept by a cache: one rule for all.
        let private = endpoint.is_none_or(|e| edge::http::is_private(e, &req));
        let unit = trace::Unit::begin(name, line.trace.as_ref(), line.continued);
        let work = caller::scope(async move {
            let response = handler(state, req)
                .await
                .unwrap_or_else(ApiError::into_response);
            (response, caller::take())
        });
        // Boxed: the handler's future (the SDK's calls inline) is kilobytes, and the runtime's
        // layers would move it several times a request.
        let (mut response, caller) = trace::within(unit.as_ref(), Box::pin(work)).await;
        edge::http::keep_private(private, &mut response);
        let status = response.status().as_u16();
        if let Some(value) = line
            .trace
            .as_ref()
            .and_then(|t| HeaderValue::from_str(&t.root).ok())
        {
            response.headers_mut().insert(TRACE_ID_HEADER, value);
        }
        let caller = caller.unwrap_or_else(|| "anonymous".into());
        if let Some(unit) = unit {
            unit.end(
                status,
                json!({
                    "http": {
                        "request": { "method": line.method, "url": line.path },
                        "response": { "status": status },
                    },
                    "annotations": { "route": line.route, "caller": caller },
                }),
            );
        }
        line.log(status, caller, started);
        Ok::<_, Infallible>(response)
    }))
    .await
}

/// The header in which the local gateway (local/gateway.py) hands each function the
/// run's invocation key.
pub const LOCAL_INVOKE_KEY_HEADER: &str = "x-local-invoke-key";

/// The run's invocation key (`LOCAL_INVOKE_KEY`), in the local stack only.
///
/// Locally the functions run in the Lambda emulator (`cargo lambda watch`), which takes an
/// invocation with any event from whatever reaches its port: a made-up `sourceIp` would
/// get round the limits per client address, and a made-up route key round the routing.
/// The emulator cannot check who calls it, so the functions do: local/up.sh makes a new
/// random key each run and gives it to the emulator's functions and to the gateway alone,
/// the gateway puts it in every event, and a function refuses an event without it. In
/// AWS the variable is never set: there only what has `lambda:InvokeFunction` on a
/// function can invoke it, which for an HTTP function is its API alone.
fn local_invoke_key() -> Option<String> {
    std::env::var("LOCAL_INVOKE_KEY")
        .ok()
        .filter(|key| !key.is_empty())
}

/// Whether `req` carries the run's invocation key; the header is taken off the request
/// either way, so that no handler or log ever sees it.
fn from_local_gateway(req: &mut Request, key: &str) -> bool {
    let given = req.headers_mut().remove(LOCAL_INVOKE_KEY_HEADER);
    given.is_some_and(|given| {
        aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), key.as_bytes()).is_ok()
    })
}

/// The response header naming the request's trace, for a client to quote.
pub const TRACE_ID_HEADER: &str = "x-trace-id";

/// Whether this process has served a request yet: the first one is its cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// What the log line of a request says besides its outcome: never a header, body or token.
struct RequestLine {
    service: Service,
    request_id: String,
    /// The request's trace: the calling service's on an internal route, else Lambda's.
    trace: Option<TraceHeader>,
    /// The trace is the calling service's.
    continued: bool,
    route: String,
    method: String,
    path: String,
    cold_start: bool,
}

impl RequestLine {
    fn of(service: Service, req: &Request) -> Self {
        let context = req.lambda_context_ref();
        let lambda_trace = context.and_then(invocation_trace);
        // Only services reach internal routes (the API checks their signature); their
        // header continues the purchase's trace.
        let caller_trace = req
            .uri()
            .path()
            .starts_with("/internal/")
            .then(|| req.headers().get(trace::CALLER_HEADER)?.to_str().ok())
            .flatten()
            .and_then(TraceHeader::parse)
            .filter(|t| t.parent.is_some());
        let route = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.route_key.clone(),
            _ => None,
        };
        Self {
            service,
            request_id: context.map(|c| c.request_id.clone()).unwrap_or_default(),
            continued: caller_trace.is_some(),
            trace: caller_trace.or(lambda_trace),
            route: route.unwrap_or_else(|| "$default".into()),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            cold_start: !WARM.swap(true, Ordering::Relaxed),
        }
    }

    /// The line is the route's latency metric as well (`Latency` by `Route`).
    fn log(self, status: u16, caller: String, started: Instant) {
        let latency = started.elapsed();
        metrics::of(self.service)
            .by("Route", self.route)
            .value(
                "Latency",
                latency.as_secs_f64() * 1e3,
                metrics::Unit::Milliseconds,
            )
            .with("level", "INFO")
            .with("message", "request")
            .with("request_id", self.request_id)
            .with("trace_id", self.trace.map(|t| t.root).unwrap_or_default())
            .with("method", self.method)
            .with("path", self.path)
            .with("status", status)
            .with("latency_us", latency.as_micros() as u64)
            .with("caller", caller)
            .with("cold_start", self.cold_start)
            .emit();
    }
}

/// The trace Lambda gives an invocation (with active tracing).
fn invocation_trace(context: &lambda_http::Context) -> Option<TraceHeader> {
    context
        .xray_trace_id
        .as_deref()
        .and_then(TraceHeader::parse)
}

/// Builds the state once, for the life of the process; a configuration error stops the
/// cold start with a clear log line.
async fn init_once<S: 'static>(
    init: impl Future<Output = Result<S, ConfigError>>,
) -> Result<&'static S, lambda_http::Error> {
    init_tracing();
    match init.await {
        Ok(state) => Ok(Box::leak(Box::new(state))),
        Err(err) => {
            tracing::error!(error = %err, "cold start failed: configuration");
            Err(err.into())
        }
    }
}

/// Publishes the domain events of every batch of stream records ([`infra::events`]),
/// each batch traced under its invocation's trace.
pub async fn run_stream<T, D>(name: &'static str, derive: D) -> Result<(), Error>
where
    T: serde::de::DeserializeOwned,
    D: Fn(&infra::events::Change<T>) -> Vec<infra::events::DomainEvent> + Copy + Send + 'static,
{
    let bus: &'static _ = init_once(infra::events::EventBus::from_env()).await?;
    lambda_http::lambda_runtime::run(lambda_http::service_fn(
        move |event: lambda_http::LambdaEvent<infra::events::StreamEvent>| async move {
            let unit = trace::Unit::begin(name, invocation_trace(&event.context).as_ref(), false);
            // Boxed: the batch's future is too deep to nest inside the unit's as it is.
            let publish = Box::pin(infra::events::publish_batch(
                &event.payload.records,
                derive,
                bus,
            ));
            let answer = trace::within(unit.as_ref(), publish).await;
            if let Some(unit) = unit {
                unit.end(200, json!({}));
            }
            Ok::<_, Error>(answer)
        },
    ))
    .await
}

/// Runs `job` on every scheduler event when under Lambda (each run traced under the
/// invocation's trace); from a shell (no Lambda runtime around it), runs it once and
/// prints its report as JSON on stdout.
pub async fn run_scheduled<S, R, Init, Job, Fut>(
    name: &'static str,
    init: Init,
    job: Job,
) -> Result<(), Error>
where
    S: Sync + 'static,
    R: Serialize,
    Init: Future<Output = Result<S, ConfigError>>,
    Job: Fn(&'static S) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<R, ApiError>> + Send,
{
    let in_lambda = std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some();
    if !in_lambda {
        infra::aws::load_default_chain().await;
    }
    let state = init_once(init).await?;
    if in_lambda {
        lambda_http::lambda_runtime::run(lambda_http::service_fn(
            move |event: lambda_http::LambdaEvent<serde_json::Value>| async move {
                let unit =
                    trace::Unit::begin(name, invocation_trace(&event.context).as_ref(), false);
                // Boxed: a job's future is deep (the saga's), too deep to nest once more.
                let result = trace::within(unit.as_ref(), Box::pin(job(state))).await;
                if let Some(unit) = unit {
                    unit.end(if result.is_ok() { 200 } else { 500 }, json!({}));
                }
                result.map_err(Error::from)
            },
        ))
        .await
    } else {
        let report = Box::pin(job(state)).await?;
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{from_local_gateway, log_subscriber, LOCAL_INVOKE_KEY_HEADER};
    use lambda_http::{Body, Request};

    fn invocation(key: Option<&str>) -> Request {
        let mut builder = lambda_http::http::Request::builder().uri("/login");
        if let Some(key) = key {
            builder = builder.header(LOCAL_INVOKE_KEY_HEADER, key);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn only_events_with_the_runs_invocation_key_are_taken_and_the_key_is_taken_off() {
        let key = "0123456789abcdef0123456789abcdef";
        let mut good = invocation(Some(key));
        assert!(from_local_gateway(&mut good, key));
        assert!(good.headers().get(LOCAL_INVOKE_KEY_HEADER).is_none());
        for wrong in [
            None,
            Some(""),
            Some("0123456789abcdef"),
            Some("x".repeat(32).as_str()),
        ] {
            let mut request = invocation(wrong);
            assert!(!from_local_gateway(&mut request, key), "{wrong:?}");
            assert!(request.headers().get(LOCAL_INVOKE_KEY_HEADER).is_none());
        }
    }
    use std::sync::{Arc, Mutex};
    use tracing::level_filters::LevelFilter;
    use tracing::Subscriber;

    /// The lines a subscriber wrote.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Lines {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    #[test]
    fn levels_are_per_target_and_debug_reaches_the_log_when_asked_for() {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = log_subscriber("warn,storage=debug", move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: "storage::db", "kept debug");
            tracing::info!(target: "aws_smithy_runtime", "dropped info");
            tracing::warn!(target: "aws_smithy_runtime", "kept warning");
        });
        let text = lines.text();
        assert!(text.contains("kept debug"), "{text}");
        assert!(text.contains("kept warning"), "{text}");
        assert!(!text.contains("dropped"), "{text}");
    }

    #[test]
    fn the_process_ceiling_is_the_most_verbose_level_asked_for() {
        // Above the ceiling, events are off at their call sites (no lookup per event).
        let ceiling = |directives| log_subscriber(directives, std::io::sink).max_level_hint();
        assert_eq!(ceiling("warn"), Some(LevelFilter::WARN));
        assert_eq!(ceiling("warn,request=info"), Some(LevelFilter::INFO));
        assert_eq!(ceiling("error,storage::db=trace"), Some(LevelFilter::TRACE));
        assert_eq!(ceiling(""), Some(LevelFilter::INFO));
        assert_eq!(ceiling("not a level=="), Some(LevelFilter::INFO));
    }
}
