//! Health endpoints: "the function is up" and "each of my tables answers".

use crate::db;
use crate::ApiError;
use aws_sdk_dynamodb::Client;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;
use std::time::Instant;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A table to check: its logical name (shown) and its physical name (not shown).
pub struct TableRef {
    pub service: &'static str,
    pub name: &'static str,
    pub table: String,
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

pub fn status(service: &'static str) -> Result<Response<Body>, ApiError> {
    crate::http::ok(&StatusReport {
        status: "ok",
        service,
        version: VERSION,
    })
}

/// Asks every table to describe itself; 503 if any does not answer.
pub async fn database(
    client: &Client,
    service: &'static str,
    tables: &[TableRef],
) -> Result<Response<Body>, ApiError> {
    let checks = tables.iter().map(|t| async move {
        let started = Instant::now();
        let result = client.describe_table().table_name(&t.table).send().await;
        let healthy = match result {
            Ok(_) => true,
            Err(err) => {
                tracing::warn!(table = t.name, error = %ApiError::from(err), "table health check failed");
                false
            }
        };
        TableHealth {
            service: t.service,
            table: t.name,
            status: if healthy { "ok" } else { "unavailable" },
            latency_ms: started.elapsed().as_millis() as u64,
        }
    });
    // Concurrently: an outage then costs one timeout, not one per table.
    let results = futures::future::join_all(checks).await;
    let healthy = results.iter().all(|t| t.status == "ok");
    let report = DatabaseReport {
        status: if healthy { "ok" } else { "unavailable" },
        service,
        version: VERSION,
        tables: results,
    };
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    crate::http::json(code, &report)
}

/// Reads the physical name of a table from the environment.
pub fn table(
    service: &'static str,
    name: &'static str,
    env_var: &'static str,
) -> Result<TableRef, crate::config::ConfigError> {
    Ok(TableRef {
        service,
        name,
        table: crate::config::required(env_var)?,
    })
}

/// The table checks of one service (or of all, for the aggregate).
pub struct DatabaseCheck {
    client: Client,
    service: &'static str,
    tables: Vec<TableRef>,
}

/// `(service, logical table name, environment variable holding its physical name)`.
pub type TableSpec = (&'static str, &'static str, &'static str);

impl DatabaseCheck {
    pub async fn load(
        service: &'static str,
        specs: &[TableSpec],
    ) -> Result<Self, crate::config::ConfigError> {
        let tables = specs
            .iter()
            .map(|(owner, name, env_var)| table(owner, name, env_var))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            client: db::client().await,
            service,
            tables,
        })
    }

    pub async fn report(&self) -> Result<Response<Body>, ApiError> {
        database(&self.client, self.service, &self.tables).await
    }
}

/// The whole `GET /{service}/health/status` function.
pub async fn serve_status(service: &'static str) -> Result<(), lambda_http::Error> {
    crate::runtime::serve(
        async move { Ok(service) },
        |service: &'static &'static str, _req| async move { status(service) },
    )
    .await
}

/// The whole `GET /{service}/health/database` function.
pub async fn serve_database(
    service: &'static str,
    specs: &'static [TableSpec],
) -> Result<(), lambda_http::Error> {
    crate::runtime::serve(
        DatabaseCheck::load(service, specs),
        |check: &'static DatabaseCheck, _req| check.report(),
    )
    .await
}

/// Every table of the platform, by owning service.
pub const CUSTOMERS_TABLES: &[TableSpec] = &[("customers", "customers", "CUSTOMERS_TABLE")];
pub const INVENTORY_TABLES: &[TableSpec] = &[
    ("inventory", "products", "PRODUCTS_TABLE"),
    ("inventory", "stock_reservations", "RESERVATIONS_TABLE"),
];
pub const SALES_TABLES: &[TableSpec] = &[("sales", "sales", "SALES_TABLE")];
pub const REVIEWS_TABLES: &[TableSpec] = &[
    ("reviews", "reviews", "REVIEWS_TABLE"),
    ("reviews", "recommendations", "RECO_TABLE"),
];
pub const ALL_TABLES: &[TableSpec] = &[
    ("customers", "customers", "CUSTOMERS_TABLE"),
    ("inventory", "products", "PRODUCTS_TABLE"),
    ("inventory", "stock_reservations", "RESERVATIONS_TABLE"),
    ("sales", "sales", "SALES_TABLE"),
    ("reviews", "reviews", "REVIEWS_TABLE"),
    ("reviews", "recommendations", "RECO_TABLE"),
];
