//! Sales: purchases and their history.
//!
//! A purchase is a saga orchestrated here (`saga`): record the sale as pending, reserve
//! stock in Inventory, charge the wallet in Customers, mark it completed; a failed step
//! runs the compensations of the steps before it. Every step is idempotent by sale id,
//! and `reconcile` rolls back sales left pending past their deadline by a crash.

pub mod domain;
pub mod handlers;
pub mod reconcile;
pub mod saga;
pub mod store;

use shared::auth::TokenKeys;
use shared::config::{self, ConfigError};
use shared::cursor::CursorCodec;

async fn store() -> Result<store::Store, ConfigError> {
    Ok(store::Store::new(
        shared::db::client().await,
        config::required("SALES_TABLE")?,
    ))
}

/// `POST /sales`: the store, user tokens and the services of the saga.
pub struct Purchasing {
    pub store: store::Store,
    pub tokens: TokenKeys,
    pub services: saga::Services,
    pub deadline_seconds: u64,
}

impl Purchasing {
    pub async fn load() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            services: saga::Services::from_env()?,
            deadline_seconds: config::parsed_or("SALE_DEADLINE_SECONDS", 60u64)?,
        })
    }
}

/// Read routes: the store, the tokens they verify and, for lists, the cursor codec.
pub struct Reading<K> {
    pub store: store::Store,
    pub tokens: TokenKeys,
    pub cursors: K,
}

impl Reading<()> {
    pub async fn load() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            cursors: (),
        })
    }

    /// Internal routes: service tokens only.
    pub async fn internal() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::services_from_env()?,
            cursors: (),
        })
    }
}

impl Reading<CursorCodec> {
    pub async fn listing() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            cursors: CursorCodec::from_env()?,
        })
    }
}

/// The reconciler: the store and the services it compensates with.
pub struct Reconciling {
    pub store: store::Store,
    pub services: saga::Services,
}

impl Reconciling {
    pub async fn load() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            services: saga::Services::from_env()?,
        })
    }
}
