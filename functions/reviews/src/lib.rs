//! Reviews: product reviews with admin moderation (and, later, recommendations).
//!
//! A review starts `pending`; an admin approves or rejects it, and only approved reviews
//! are public. One review per customer and product, guarded by an item written in the
//! same transaction. `verified_purchase` comes from the Sales service, the product's
//! existence from Inventory: never from their tables.

pub mod domain;
pub mod handlers;
pub mod store;

use shared::auth::TokenKeys;
use shared::config::{self, ConfigError};
use shared::cursor::CursorCodec;
use shared::service::{base_url, ServiceClient};

async fn store() -> Result<store::Store, ConfigError> {
    Ok(store::Store::new(
        shared::db::client().await,
        config::required("REVIEWS_TABLE")?,
    ))
}

/// What a Reviews function builds once per cold start: the store, the user tokens it
/// verifies, and what its route needs besides (`()`, the cursor codec, or `Services`).
pub struct State<K> {
    pub store: store::Store,
    pub tokens: TokenKeys,
    pub extra: K,
}

/// The services `POST /reviews` asks: Inventory (does the product exist) and Sales
/// (did this customer buy it).
pub struct Services {
    pub client: ServiceClient,
    pub inventory: String,
    pub sales: String,
}

impl State<()> {
    pub async fn load() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            extra: (),
        })
    }
}

impl State<CursorCodec> {
    pub async fn listing() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            extra: CursorCodec::from_env()?,
        })
    }
}

impl State<Services> {
    pub async fn writing() -> Result<Self, ConfigError> {
        Ok(Self {
            store: store().await?,
            tokens: TokenKeys::users_from_env()?,
            extra: Services {
                client: ServiceClient::from_env("reviews")?,
                inventory: base_url("INVENTORY_URL")?,
                sales: base_url("SALES_URL")?,
            },
        })
    }
}
