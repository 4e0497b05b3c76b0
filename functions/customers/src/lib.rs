//! Customers: registration, login, profiles and wallets.
//!
//! `domain` holds the request and record types (valid by construction after parsing),
//! `store` the DynamoDB access, `handlers` the HTTP mapping of each endpoint.

pub mod domain;
pub mod handlers;
pub mod store;

use shared::auth::TokenKeys;
use shared::config::{self, ConfigError};

/// What a Customers function builds once per cold start.
pub struct State {
    pub store: store::Store,
    pub tokens: TokenKeys,
}

impl State {
    pub async fn load() -> Result<Self, ConfigError> {
        let table = config::required("CUSTOMERS_TABLE")?;
        let tokens = TokenKeys::users_from_env()?;
        Ok(Self {
            store: store::Store::new(shared::db::client().await, table),
            tokens,
        })
    }

    /// Internal routes: the same store, but only service tokens open them.
    pub async fn internal() -> Result<Self, ConfigError> {
        let table = config::required("CUSTOMERS_TABLE")?;
        let tokens = TokenKeys::services_from_env()?;
        Ok(Self {
            store: store::Store::new(shared::db::client().await, table),
            tokens,
        })
    }
}
