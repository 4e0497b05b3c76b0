//! Inventory: the product catalogue and its stock, plus the internal stock
//! reservation routes that the purchase saga calls with a service token.

pub mod domain;
pub mod handlers;
pub mod store;

use shared::auth::TokenKeys;
use shared::config::{self, ConfigError};
use shared::cursor::CursorCodec;

/// What an Inventory function builds once per cold start: the store, plus the one
/// key it needs (`()` for public reads, token keys, or the cursor codec). Each function
/// gets only the secret its route uses.
pub struct State<K> {
    pub store: store::Store,
    pub keys: K,
}

async fn store() -> Result<store::Store, ConfigError> {
    Ok(store::Store::new(
        shared::db::client().await,
        config::required("PRODUCTS_TABLE")?,
        config::required("RESERVATIONS_TABLE").unwrap_or_default(),
    ))
}

impl State<()> {
    pub async fn public() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            keys: (),
        })
    }
}

impl State<CursorCodec> {
    pub async fn listing() -> Result<Self, ConfigError> {
        let keys = CursorCodec::from_env()?;
        Ok(Self {
            store: store().await?,
            keys,
        })
    }
}

impl State<TokenKeys> {
    /// Admin routes: verify customer/admin tokens.
    pub async fn admin() -> Result<Self, ConfigError> {
        let keys = TokenKeys::users_from_env()?;
        Ok(Self {
            store: store().await?,
            keys,
        })
    }

    /// Internal routes: verify service tokens, and need the reservations table.
    pub async fn internal() -> Result<Self, ConfigError> {
        config::required("RESERVATIONS_TABLE")?;
        let keys = TokenKeys::services_from_env()?;
        Ok(Self {
            store: store().await?,
            keys,
        })
    }
}
