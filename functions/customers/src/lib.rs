//! Customers: registration, login, profiles and wallets.
//!
//! `domain` holds the request and record types (valid by construction after parsing),
//! `store` the DynamoDB access, `handlers` the HTTP mapping of each endpoint.

pub mod domain;
pub mod handlers;
pub mod store;

use shared::config::ConfigError;
use shared::endpoints::{Endpoint, Table};
use shared::state::{self, Part};

/// What a Customers function builds once per cold start (see `shared::state`).
pub type State = state::State<store::Store>;

impl Part for store::Store {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Customers)?;
        Ok(store::Store::new(shared::db::client().await, table))
    }
}
