//! Sales: purchases and their history.
//!
//! A purchase is a saga orchestrated here (`saga`): record the sale as pending, reserve
//! stock in Inventory, charge the wallet in Customers, mark it completed; a failed step
//! runs the compensations of the steps before it. Every step is idempotent by sale id,
//! and `reconcile` rolls back sales left pending past their deadline by a crash.
//! Admins refund units of a sale's lines (`refund`): recorded on the sale, then money
//! and stock given back once per refund, finished by the reconciler when interrupted.

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod domain;
pub mod events;
pub mod handlers;
#[cfg(test)]
mod memory;
pub mod purchase;
#[cfg(test)]
mod read_tests;
pub mod reconcile;
pub mod refund;
pub mod saga;
pub mod store;
#[cfg(test)]
mod tests;

use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use runtime::state::{self, Part};

/// What a Sales function builds once per cold start (see `runtime::state`); the saga's
/// functions (the purchase and the reconciler) also hold its `saga::Services`.
/// The read handlers are generic over the store, so tests run them on the double.
pub type State<Store = store::Store, Services = ()> = state::State<Store, Services>;

impl Part for store::Store {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Sales)?;
        Ok(store::Store::new(storage::db::client()?, table))
    }
}
