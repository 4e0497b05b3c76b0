//! Building blocks shared by every function of the platform: configuration,
//! the DynamoDB client, authentication, problem+json errors, request parsing and
//! validation, pagination cursors, health checks and the Lambda entry point.

pub mod auth;
pub mod aws;
pub mod config;
pub mod contracts;
pub mod cursor;
pub mod db;
pub mod domain;
pub mod endpoints;
pub mod error;
pub mod events;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod json;
pub mod ledger;
pub mod limits;
pub mod metrics;
pub mod money;
pub mod password;
pub mod runtime;
pub mod secrets;
pub mod service;
pub mod session;
pub mod sigv4;
pub mod state;
pub mod testing;
pub mod text;
pub mod time;
pub mod trace;

pub use error::{ApiError, FieldError};
