//! The entry points of the functions: init once per cold start, then serve HTTP
//! requests ([`serve`]) or run a scheduled job on every event ([`run_scheduled`]).

use crate::auth::{Principal, Role};
use crate::config::ConfigError;
use crate::ApiError;
use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Request, RequestExt, Response};
use serde::Serialize;
use std::cell::RefCell;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use lambda_http::Error;

/// The `main` of an HTTP function, e.g. `shared::function!(inventory::handlers::get_product);`:
/// builds the state that the declaration of the binary's name describes, then serves.
#[macro_export]
macro_rules! function {
    ($handler:path) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), $crate::runtime::Error> {
            let state = $crate::state::State::load(env!("CARGO_BIN_NAME"));
            $crate::runtime::serve(state, $handler).await
        }
    };
}

/// The `main` of a scheduled function, e.g. `shared::scheduled!(sales::reconcile::scheduled);`:
/// builds the state that the declaration of the binary's name describes, then runs the job.
#[macro_export]
macro_rules! scheduled {
    ($job:path) => {
        #[tokio::main(flavor = "current_thread")]
        async fn main() -> Result<(), $crate::runtime::Error> {
            let state = $crate::state::State::load(env!("CARGO_BIN_NAME"));
            $crate::runtime::run_scheduled(state, $job).await
        }
    };
}

/// JSON log lines on stderr (stdout stays free for a command's own output);
/// level from `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_target(false)
        .with_current_span(false)
        .with_ansi(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Builds the state once (a configuration error stops the cold start with a clear
/// log line), then serves every request with `handler`, rendering errors as problem+json.
pub async fn serve<S, Init, H, Fut>(init: Init, handler: H) -> Result<(), lambda_http::Error>
where
    S: Sync + 'static,
    Init: Future<Output = Result<S, ConfigError>>,
    H: Fn(&'static S, Request) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<Response<Body>, ApiError>> + Send,
{
    let state = init_once(init).await?;
    lambda_http::run(service_fn(move |req: Request| async move {
        let started = Instant::now();
        let line = RequestLine::of(&req);
        let (response, caller) = CALLER
            .scope(RefCell::new(None), async move {
                let response = handler(state, req)
                    .await
                    .unwrap_or_else(ApiError::into_response);
                (response, CALLER.with(|caller| caller.borrow_mut().take()))
            })
            .await;
        line.log(response.status().as_u16(), caller, started);
        Ok::<_, Infallible>(response)
    }))
    .await
}

tokio::task_local! {
    /// Who the request being served was authenticated as, for its log line.
    static CALLER: RefCell<Option<String>>;
}

/// Records the verified caller of the request being served (`role:subject`, ids only).
pub fn note_caller(principal: &Principal) {
    let role = match principal.role {
        Role::Customer => "customer",
        Role::Admin => "admin",
        Role::Service => "service",
    };
    let _ = CALLER.try_with(|caller| {
        *caller.borrow_mut() = Some(format!("{role}:{}", principal.subject));
    });
}

/// Whether this process has served a request yet: the first one is its cold start.
static WARM: AtomicBool = AtomicBool::new(false);

/// What the log line of a request says besides its outcome: never a header, body or token.
struct RequestLine {
    request_id: String,
    trace_id: String,
    route: String,
    method: String,
    path: String,
    cold_start: bool,
}

impl RequestLine {
    fn of(req: &Request) -> Self {
        let (request_id, trace_id) = req
            .lambda_context_ref()
            .map(|c| {
                (
                    c.request_id.clone(),
                    c.xray_trace_id.clone().unwrap_or_default(),
                )
            })
            .unwrap_or_default();
        let route = match req.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.route_key.clone(),
            _ => None,
        };
        Self {
            request_id,
            trace_id,
            route: route.unwrap_or_default(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            cold_start: !WARM.swap(true, Ordering::Relaxed),
        }
    }

    fn log(self, status: u16, caller: Option<String>, started: Instant) {
        tracing::info!(
            target: "request",
            request_id = %self.request_id,
            trace_id = %self.trace_id,
            route = %self.route,
            method = %self.method,
            path = %self.path,
            status,
            latency_us = started.elapsed().as_micros() as u64,
            caller = caller.as_deref().unwrap_or("anonymous"),
            cold_start = self.cold_start,
            "request"
        );
    }
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

/// Runs `job` on every scheduler event when under Lambda; from a shell (no Lambda
/// runtime around it), runs it once and prints its report as JSON on stdout.
pub async fn run_scheduled<S, R, Init, Job, Fut>(init: Init, job: Job) -> Result<(), Error>
where
    S: Sync + 'static,
    R: Serialize,
    Init: Future<Output = Result<S, ConfigError>>,
    Job: Fn(&'static S) -> Fut + Copy + Send + 'static,
    Fut: Future<Output = Result<R, ApiError>> + Send,
{
    let state = init_once(init).await?;
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        lambda_http::lambda_runtime::run(lambda_http::service_fn(
            // Boxed: a job's future is deep (the saga's), too deep to nest once more.
            move |_: lambda_http::LambdaEvent<serde_json::Value>| async move {
                Box::pin(job(state)).await.map_err(Error::from)
            },
        ))
        .await
    } else {
        let report = Box::pin(job(state)).await?;
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}
