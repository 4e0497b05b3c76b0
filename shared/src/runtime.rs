//! The entry point of every HTTP function: init once per cold start, then serve.

use crate::config::ConfigError;
use crate::ApiError;
use lambda_http::{service_fn, Body, Request, Response};
use std::convert::Infallible;
use std::future::Future;
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
    init_tracing();
    let state: &'static S = match init.await {
        Ok(state) => Box::leak(Box::new(state)),
        Err(err) => {
            tracing::error!(error = %err, "cold start failed: configuration");
            return Err(err.into());
        }
    };
    lambda_http::run(service_fn(move |req: Request| async move {
        let method = req.method().clone();
        let path = req.uri().path().to_string();
        let started = Instant::now();
        let response = handler(state, req)
            .await
            .unwrap_or_else(ApiError::into_response);
        tracing::info!(
            %method,
            %path,
            status = response.status().as_u16(),
            elapsed_us = started.elapsed().as_micros() as u64,
            "request"
        );
        Ok::<_, Infallible>(response)
    }))
    .await
}
