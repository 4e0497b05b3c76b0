//! Customers: registration, login, profiles and wallets.
//!
//! `domain` holds the request and record types (valid by construction after parsing),
//! `store` the table's operations (DynamoDB, and a double in `memory` for the tests), `handlers` the HTTP mapping of each endpoint.

pub mod admin;
#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod domain;
pub mod guesses;
pub mod handlers;
#[cfg(test)]
mod memory;
pub mod password_hash;
pub mod passwords;
pub mod sessions;
pub mod store;
#[cfg(test)]
mod tests;

use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use runtime::state::{self, Part};

/// What a Customers function builds once per cold start (see `runtime::state`): the
/// handlers are generic over the store, so tests run them on an in-process double.
pub type State<S = store::Store> = state::State<S>;

impl Part for store::Store {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Customers)?;
        Ok(store::Store::new(storage::db::client()?, table))
    }
}
