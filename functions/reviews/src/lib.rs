//! Reviews: product reviews with admin moderation, and recommendations.
//!
//! A review starts `pending`; an admin approves or rejects it, and only approved reviews
//! are public. One review per customer and product, guarded by an item written in the
//! same transaction. `verified_purchase` comes from the Sales service, the product's
//! existence from Inventory: never from their tables.

#[cfg(any(test, feature = "contract-tests"))]
pub mod contract;
pub mod domain;
pub mod events;
pub mod handlers;
#[cfg(test)]
mod latency;
#[cfg(test)]
mod memory;
pub mod reco_store;
pub mod recommendations;
pub mod refresh;
pub mod store;
#[cfg(test)]
mod tests;

use edge::auth::Principal;
use edge::contracts::customers::AccountStatus;
use edge::contracts::{customers, inventory, sales};
use edge::error::problem;
use edge::service::ServiceClient;
use edge::ApiError;
use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use runtime::session::Sessions;
use runtime::state::{self, Part};
use std::collections::HashSet;
use std::future::Future;

/// What a Reviews function builds once per cold start (see `runtime::state`): the
/// reviews table, the recommender's, or both; and the services it asks.
pub type State<Store = store::Store, Services = ()> = state::State<Store, Services>;

impl Part for store::Store {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Reviews)?;
        Ok(store::Store::new(storage::db::client()?, table))
    }
}

impl Part for reco_store::RecoStore {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Reco)?;
        Ok(reco_store::RecoStore::new(storage::db::client()?, table))
    }
}

/// Both tables: the routes that change what counts as an interaction (moderation,
/// edits, deletes) keep the recommender's copy of a review in step. Generic over both,
/// so tests run the handlers on in-process doubles.
pub struct Tables<R = store::Store, I = reco_store::RecoStore> {
    pub reviews: R,
    pub reco: I,
}

impl Part for Tables {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let client = storage::db::client()?;
        Ok(Self {
            reviews: store::Store::new(
                client.clone(),
                state::required_table(endpoint, Table::Reviews)?,
            ),
            reco: reco_store::RecoStore::new(client, state::required_table(endpoint, Table::Reco)?),
        })
    }
}

/// What `POST /reviews` asks other services: [`ReviewChecks`] over HTTP, and a double
/// for the tests.
pub trait ReviewPeers: Sync {
    /// Whether the product exists and is not deleted (Inventory).
    fn product_exists(
        &self,
        product_id: &str,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;
    /// Whether the customer bought the product (Sales).
    fn purchased(
        &self,
        customer_id: &str,
        product_id: &str,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;
}

/// The services `POST /reviews` asks: Customers (is the author's token current),
/// Inventory (does the product exist) and Sales (did this customer buy it).
pub struct ReviewChecks {
    pub customers: customers::Client,
    pub inventory: inventory::Client,
    pub sales: sales::Client,
}

impl Part for ReviewChecks {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let service = ServiceClient::for_endpoint(endpoint)?;
        Ok(Self {
            customers: customers::Client::from_env(&service)?,
            inventory: inventory::Client::from_env(&service)?,
            sales: sales::Client::from_env(&service)?,
        })
    }
}

/// A review is written for its author: their token must still be current.
impl Sessions for ReviewChecks {
    async fn is_current(&self, principal: &Principal) -> Result<bool, ApiError> {
        self.customers.is_current(principal).await
    }
}

impl ReviewPeers for ReviewChecks {
    async fn product_exists(&self, product_id: &str) -> Result<bool, ApiError> {
        let asked = [product_id.to_string()];
        Ok(live_products(&self.inventory, &asked)
            .await?
            .contains(product_id))
    }

    async fn purchased(&self, customer_id: &str, product_id: &str) -> Result<bool, ApiError> {
        match self.sales.purchased(customer_id, product_id).await? {
            Ok(answer) => Ok(answer.purchased),
            Err(refusal) => Err(ApiError::Unavailable(format!("sales refused: {refusal}"))),
        }
    }
}

/// Which products are still for sale (Inventory): what the recommendation routes filter
/// their answers with. [`Catalog`] over HTTP, and a double for the tests.
pub trait ForSale: Sync {
    fn available(
        &self,
        products: &[String],
    ) -> impl Future<Output = Result<HashSet<String>, ApiError>> + Send;
}

/// What `GET /recommendations/{customer_id}` asks other services:
/// [`RecommendationChecks`] over HTTP, and a double for the tests.
pub trait RecommendationPeers: ForSale + Sessions {
    /// Whether the customer exists and is not deleted (Customers).
    fn customer_exists(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;
}

/// Inventory, asked which products are for sale (`GET /products/{id}/similar`).
pub struct Catalog {
    pub inventory: inventory::Client,
}

impl Part for Catalog {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let service = ServiceClient::for_endpoint(endpoint)?;
        Ok(Self {
            inventory: inventory::Client::from_env(&service)?,
        })
    }
}

impl ForSale for Catalog {
    async fn available(&self, products: &[String]) -> Result<HashSet<String>, ApiError> {
        live_products(&self.inventory, products).await
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

impl RecommendationPeers for RecommendationChecks {
    async fn customer_exists(&self, customer_id: &str) -> Result<bool, ApiError> {
        match self.customers.status(customer_id).await? {
            Ok(customer) => Ok(customer.status == AccountStatus::Active),
            Err(refusal) if refusal.is(problem::NOT_FOUND) => Ok(false),
            Err(refusal) => Err(ApiError::Unavailable(format!(
                "customers refused: {refusal}"
            ))),
        }
    }
}

/// Recommendations are personal data: the caller's token must still be current.
impl Sessions for RecommendationChecks {
    async fn is_current(&self, principal: &Principal) -> Result<bool, ApiError> {
        self.customers.is_current(principal).await
    }
}

impl ForSale for RecommendationChecks {
    async fn available(&self, products: &[String]) -> Result<HashSet<String>, ApiError> {
        live_products(&self.inventory, products).await
    }
}

/// Which of `products` exist and are not deleted, asked of Inventory; a refusal of the
/// question itself is an outage.
async fn live_products(
    inventory: &inventory::Client,
    products: &[String],
) -> Result<HashSet<String>, ApiError> {
    if products.is_empty() {
        return Ok(HashSet::new());
    }
    match inventory.availability(products).await? {
        Ok(answer) => Ok(answer.available.into_iter().collect()),
        Err(refusal) => Err(ApiError::Unavailable(format!(
            "inventory refused: {refusal}"
        ))),
    }
}
