//! Health endpoints: "the function is up" and "each of my tables answers", for a
//! service or (the platform's) for all of them: the tables are those declared.

use crate::state::{self, Part, State};
use aws_sdk_dynamodb::Client;
use edge::ApiError;
use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use std::time::Instant;
use storage::db;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The tables a health function checks: every table its declaration grants it.
pub struct Tables {
    client: Client,
    tables: Vec<(Table, String)>,
}

impl Part for Tables {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let tables = endpoint
            .tables()
            .into_iter()
            .map(|table| Ok((table, state::required_table(endpoint, table)?)))
            .collect::<Result<_, ConfigError>>()?;
        Ok(Self {
            client: db::client()?,
            tables,
        })
    }
}

#[derive(Serialize)]
struct TableHealth {
    service: &'static str,
    table: &'static str,
    status: &'static str,
    latency_ms: u64,
}

#[derive(Serialize)]
struct DatabaseReport {
    status: &'static str,
    service: &'static str,
    version: &'static str,
    tables: Vec<TableHealth>,
}

#[derive(Serialize)]
struct StatusReport {
    status: &'static str,
    service: &'static str,
    version: &'static str,
}

/// `GET /{service}/health/status`: the function is up.
pub async fn status(state: &State<()>, _req: Request) -> Result<Response<Body>, ApiError> {
    edge::http::ok(&StatusReport {
        status: "ok",
        service: state.endpoint.service.name(),
        version: VERSION,
    })
}

/// `GET /{service}/health/database`: asks every table to describe itself; 503 if any
/// does not answer.
pub async fn database(state: &State<Tables>, _req: Request) -> Result<Response<Body>, ApiError> {
    let client = &state.store.client;
    let checks = state.store.tables.iter().map(|(table, name)| async move {
        let started = Instant::now();
        let result = client.describe_table().table_name(name).send().await;
        let healthy = match result {
            Ok(_) => true,
            Err(err) => {
                tracing::warn!(table = table.label(), error = %aws_sdk_dynamodb::error::DisplayErrorContext(&err), "table health check failed");
                false
            }
        };
        TableHealth {
            service: table.owner().name(),
            table: table.label(),
            status: if healthy { "ok" } else { "unavailable" },
            latency_ms: started.elapsed().as_millis() as u64,
        }
    });
    // Concurrently: an outage then costs one timeout, not one per table.
    let results = futures::future::join_all(checks).await;
    let healthy = results.iter().all(|t| t.status == "ok");
    let report = DatabaseReport {
        status: if healthy { "ok" } else { "unavailable" },
        service: state.endpoint.service.name(),
        version: VERSION,
        tables: results,
    };
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    edge::http::json(code, &report)
}
