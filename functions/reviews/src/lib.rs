//! Reviews: product reviews with admin moderation, and recommendations.
//!
//! A review starts `pending`; an admin approves or rejects it, and only approved reviews
//! are public. One review per customer and product, guarded by an item written in the
//! same transaction. `verified_purchase` comes from the Sales service, the product's
//! existence from Inventory: never from their tables.

pub mod domain;
pub mod handlers;
pub mod reco_store;
pub mod recommendations;
pub mod refresh;
pub mod store;

use shared::auth::TokenKeys;
use shared::config::{self, ConfigError};
use shared::contracts::{customers, inventory, sales};
use shared::cursor::CursorCodec;
use shared::service::ServiceClient;

fn reco_store(client: aws_sdk_dynamodb::Client) -> Result<reco_store::RecoStore, ConfigError> {
    Ok(reco_store::RecoStore::new(
        client,
        config::required("RECO_TABLE")?,
    ))
}

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
    pub inventory: inventory::Client,
    pub sales: sales::Client,
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
            extra: {
                let service = ServiceClient::from_env("reviews")?;
                Services {
                    inventory: inventory::Client::from_env(&service)?,
                    sales: sales::Client::from_env(&service)?,
                }
            },
        })
    }
}

impl State<reco_store::RecoStore> {
    /// Routes that change what counts as an interaction (moderation, edits, deletes).
    pub async fn moderating() -> Result<Self, ConfigError> {
        let client = shared::db::client().await;
        Ok(Self {
            store: store::Store::new(client.clone(), config::required("REVIEWS_TABLE")?),
            tokens: TokenKeys::users_from_env()?,
            extra: reco_store(client)?,
        })
    }

    /// `POST /internal/reviews/interactions`: service tokens only.
    pub async fn internal() -> Result<Self, ConfigError> {
        let client = shared::db::client().await;
        Ok(Self {
            store: store::Store::new(client.clone(), config::required("REVIEWS_TABLE")?),
            tokens: TokenKeys::services_from_env()?,
            extra: reco_store(client)?,
        })
    }
}

/// `GET /recommendations/{customer_id}`: the model, the customer's interactions, and the
/// services that say whether the customer exists and which products are still for sale.
pub struct Recommending {
    pub reco: reco_store::RecoStore,
    pub tokens: TokenKeys,
    pub customers: customers::Client,
    pub inventory: inventory::Client,
}

impl Recommending {
    pub async fn load() -> Result<Self, ConfigError> {
        let service = ServiceClient::from_env("reviews")?;
        Ok(Self {
            reco: reco_store(shared::db::client().await)?,
            tokens: TokenKeys::users_from_env()?,
            customers: customers::Client::from_env(&service)?,
            inventory: inventory::Client::from_env(&service)?,
        })
    }
}
