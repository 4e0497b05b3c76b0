//! The HTTP edge of every function: problem+json errors, typed and validated request
//! bodies, tokens and who may call, pagination cursors, the values a request may hold
//! (ids, money, limits, text), and the internal routes between services with their
//! signed, typed clients.

pub mod auth;
pub mod contracts;
pub mod cursor;
pub mod domain;
pub mod error;
pub mod http;
pub mod idempotency_key;
pub mod ids;
pub mod json;
pub mod limits;
pub mod money;
pub mod service;
pub mod sigv4;
pub mod text;

pub use error::{ApiError, FieldError};
