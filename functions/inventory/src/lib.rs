//! Inventory: the product catalogue and its stock, plus the internal stock
//! reservation routes that the purchase saga calls with a service token.

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod domain;
pub mod events;
pub mod handlers;
#[cfg(test)]
mod memory;
pub mod store;
#[cfg(test)]
mod tests;

use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use runtime::state::{self, Part};

/// What an Inventory function builds once per cold start (see `runtime::state`): the
/// handlers are generic over the store, so tests run them on an in-process double; the
/// admin routes also over who confirms a token is current (`runtime::session`).
pub type State<S = store::Store, C = ()> = state::State<S, C>;

impl Part for store::Store {
    /// The products table; the reservations table for the functions that declare it.
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let products = state::required_table(endpoint, Table::Products)?;
        let reservations = state::table_name(endpoint, Table::Reservations)?;
        Ok(store::Store::new(
            storage::db::client()?,
            products,
            reservations.unwrap_or_default(),
        ))
    }
}
