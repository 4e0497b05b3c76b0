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

use shared::config::ConfigError;
use shared::contracts::{customers, inventory, sales};
use shared::endpoints::{Endpoint, Table};
use shared::service::ServiceClient;
use shared::state::{self, Part};

/// What a Reviews function builds once per cold start (see `shared::state`): the
/// reviews table, the recommender's, or both; and the services it asks.
pub type State<Store = store::Store, Services = ()> = state::State<Store, Services>;

impl Part for store::Store {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Reviews)?;
        Ok(store::Store::new(shared::db::client().await, table))
    }
}

impl Part for reco_store::RecoStore {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Reco)?;
        Ok(reco_store::RecoStore::new(
            shared::db::client().await,
            table,
        ))
    }
}

/// Both tables: the routes that change what counts as an interaction (moderation,
/// edits, deletes) keep the recommender's copy of a review in step.
pub struct Tables {
    pub reviews: store::Store,
    pub reco: reco_store::RecoStore,
}

impl Part for Tables {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let client = shared::db::client().await;
        Ok(Self {
            reviews: store::Store::new(
                client.clone(),
                state::required_table(endpoint, Table::Reviews)?,
            ),
            reco: reco_store::RecoStore::new(client, state::required_table(endpoint, Table::Reco)?),
        })
    }
}

/// The services `POST /reviews` asks: Inventory (does the product exist) and Sales
/// (did this customer buy it).
pub struct ReviewChecks {
    pub inventory: inventory::Client,
    pub sales: sales::Client,
}

impl Part for ReviewChecks {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let service = ServiceClient::for_endpoint(endpoint)?;
        Ok(Self {
            inventory: inventory::Client::from_env(&service)?,
            sales: sales::Client::from_env(&service)?,
        })
    }
}

/// The services `GET /recommendations/{customer_id}` asks: whether the customer exists,
/// and which products are still for sale.
pub struct RecommendationChecks {
    pub customers: customers::Client,
    pub inventory: inventory::Client,
}

impl Part for RecommendationChecks {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let service = ServiceClient::for_endpoint(endpoint)?;
        Ok(Self {
            customers: customers::Client::from_env(&service)?,
            inventory: inventory::Client::from_env(&service)?,
        })
    }
}
