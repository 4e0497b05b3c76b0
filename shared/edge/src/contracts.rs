//! The internal routes between services: each route's request and answer types, and a
//! typed client per service. The callee parses exactly these types and the caller sends
//! them, so a field renamed on one side is renamed on both, and a refusal is told by its
//! problem `type` ([`crate::error::problem`]), never by the wording of its message.

use crate::service::{base_url, Answer, ServiceClient};
use infra::config::ConfigError;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;
use validator::Validate;

/// A service whose internal routes a [`Client`] calls.
pub trait Service {
    const SERVICE: endpoints::Service;
}

/// A typed client of service `S`'s internal routes (its methods are in `S`'s module).
pub struct Client<S> {
    service: ServiceClient,
    base: String,
    _service: PhantomData<S>,
}

impl<S: Service> Client<S> {
    /// Calls through `service`, to the routes at `S`'s URL variable. The calling
    /// function must declare that it calls `S`.
    pub fn from_env(service: &ServiceClient) -> Result<Self, ConfigError> {
        let endpoint = service.endpoint();
        if !endpoint.calls.contains(&S::SERVICE) {
            return Err(ConfigError::Invalid {
                name: S::SERVICE.url_variable(),
                reason: format!(
                    "{} does not declare that it calls {}",
                    endpoint.name,
                    S::SERVICE.name()
                ),
            });
        }
        Ok(Self {
            service: service.clone(),
            base: base_url(S::SERVICE.url_variable())?,
            _service: PhantomData,
        })
    }
}

/// Internal routes that take no body get an empty JSON object.
#[derive(Serialize)]
struct Empty {}

/// Inventory: stock reservations and which products are for sale.
pub mod inventory {
    use super::*;

    /// Units of one product: a line of a reservation or of a restock.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct StockLine {
        #[validate(length(min = 1, max = crate::limits::MAX_PRODUCT_ID_CHARS))]
        pub product_id: String,
        #[validate(range(min = crate::limits::MIN_QUANTITY, max = crate::limits::MAX_QUANTITY))]
        #[serde(deserialize_with = "crate::json::integer")]
        pub quantity: i64,
    }

    /// The lines naming a product an earlier line names: an order lists each product once.
    pub fn repeated_products(lines: &[StockLine]) -> Vec<crate::error::FieldError> {
        let mut seen = std::collections::HashSet::new();
        lines
            .iter()
            .enumerate()
            // Ids are compared as parsed: a ULID read in either letter case is one id.
            .filter(|(_, line)| !seen.insert(canonical_id(&line.product_id)))
            .map(|(i, _)| {
                crate::error::FieldError::new(
                    format!("items[{i}].product_id"),
                    "names a product of an earlier line",
                )
            })
            .collect()
    }

    /// An id in canonical form (upper case), or as given if it is no id at all.
    fn canonical_id(raw: &str) -> String {
        crate::ids::parse_id(raw, "product").unwrap_or_else(|_| raw.to_string())
    }

    /// The lines with their product ids in canonical form, and the indexes of the lines
    /// whose id is no id at all (each caller says what that means to it).
    pub fn parse_product_ids(lines: Vec<StockLine>) -> (Vec<StockLine>, Vec<usize>) {
        let mut malformed = Vec::new();
        let mut parsed = Vec::with_capacity(lines.len());
        for (i, line) in lines.into_iter().enumerate() {
            match crate::ids::parse_id(&line.product_id, "product") {
                Ok(product_id) => parsed.push(StockLine { product_id, ..line }),
                Err(_) => malformed.push(i),
            }
        }
        (parsed, malformed)
    }

    /// `POST /internal/inventory/reservations`: take every line's units for a sale, all or
    /// none, once. A refusal (404 unknown or deleted products, 409 out of stock) names
    /// every failing line in `errors` (`items[i].product_id`, `items[i].quantity`).
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct ReserveStock {
        #[validate(length(equal = crate::limits::ID_CHARS, message = "must be a sale id"))]
        pub sale_id: String,
        /// Distinct products.
        #[validate(length(min = 1, max = crate::limits::MAX_ORDER_LINES), nested)]
        pub items: Vec<StockLine>,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum ReservationStatus {
        Reserved,
        Released,
    }

    /// A line as reserved: its units at the product's price of the moment.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    pub struct ReservedLine {
        pub product_id: String,
        pub quantity: i64,
        pub unit_price_cents: crate::money::Cents,
    }

    /// Stock taken for one sale, as stored and as answered by reserve and release.
    /// Keyed by the sale id, which makes reserving idempotent.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Reservation {
        pub sale_id: String,
        /// In the order asked; empty on a release that arrived before any reservation
        /// (a tombstone).
        #[serde(default)]
        pub items: Vec<ReservedLine>,
        pub status: ReservationStatus,
        pub created_at: String,
        #[serde(default)]
        pub released_at: Option<String>,
    }

    impl Reservation {
        /// Whether this is the reservation `request` asks for (a retry of it).
        pub fn is_for(&self, request: &[StockLine]) -> bool {
            self.items.len() == request.len()
                && self.items.iter().zip(request).all(|(held, asked)| {
                    held.product_id == asked.product_id && held.quantity == asked.quantity
                })
        }
    }

    /// `POST /internal/inventory/restocks`: put units of a refunded sale back in stock,
    /// once per restock id (the refund's id), deleted products included.
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct RestockRequest {
        #[validate(length(equal = crate::limits::ID_CHARS, message = "must be a refund id"))]
        pub restock_id: String,
        #[validate(length(min = 1, max = crate::limits::MAX_ORDER_LINES), nested)]
        pub items: Vec<StockLine>,
    }

    /// Units put back for one refund, as stored and answered.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Restock {
        pub restock_id: String,
        pub items: Vec<StockLine>,
        pub created_at: String,
    }

    /// `POST /internal/inventory/availability`: which of these products are for sale.
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct AvailabilityQuery {
        #[validate(length(min = 1, max = crate::limits::MAX_AVAILABILITY_IDS))]
        pub product_ids: Vec<String>,
    }

    /// Those of the asked products that exist and are not deleted.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct Availability {
        pub available: Vec<String>,
    }

    /// Where Inventory's routes are.
    pub struct Inventory;

    impl Service for Inventory {
        const SERVICE: endpoints::Service = endpoints::Service::Inventory;
    }

    pub type Client = super::Client<Inventory>;

    impl Client {
        pub async fn reserve(&self, request: &ReserveStock) -> Answer<Reservation> {
            let url = format!("{}/internal/inventory/reservations", self.base);
            self.service.post(&url, request).await
        }

        pub async fn release(&self, sale_id: &str) -> Answer<Reservation> {
            let url = format!(
                "{}/internal/inventory/reservations/{sale_id}/release",
                self.base
            );
            self.service.post(&url, &Empty {}).await
        }

        pub async fn restock(&self, request: &RestockRequest) -> Answer<Restock> {
            let url = format!("{}/internal/inventory/restocks", self.base);
            self.service.post(&url, request).await
        }

        pub async fn availability(&self, product_ids: &[String]) -> Answer<Availability> {
            let url = format!("{}/internal/inventory/availability", self.base);
            let query = AvailabilityQuery {
                product_ids: product_ids.to_vec(),
            };
            self.service.post(&url, &query).await
        }
    }
}

/// Customers: wallet charges for sales, and whether an account is active.
pub mod customers {
    use super::*;

    /// `POST /internal/customers/{id}/wallet/charges`: take a sale's total, once.
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct ChargeWallet {
        #[validate(length(equal = crate::limits::ID_CHARS, message = "must be a sale id"))]
        pub sale_id: String,
        #[validate(range(
            min = 0,
            max = crate::limits::MAX_SALE_TOTAL_CENTS,
            message = "must be between 0 and the largest sale total"
        ))]
        #[serde(deserialize_with = "crate::json::integer")]
        pub amount_cents: i64,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum ChargeStatus {
        Charged,
        Refunded,
    }

    /// Money taken from a wallet for one sale, as stored and as answered by charge and
    /// refund; keyed by the sale id, so a sale is charged at most once and refunded at
    /// most once.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Charge {
        pub sale_id: String,
        pub customer_id: String,
        pub amount_cents: crate::money::Cents,
        pub status: ChargeStatus,
        pub created_at: String,
        #[serde(default)]
        pub refunded_at: Option<String>,
        /// What refunds of the completed sale gave back so far (see [`CreditWallet`]).
        #[serde(default)]
        pub credited_cents: crate::money::Cents,
    }

    /// `POST /internal/customers/{id}/wallet/credits`: give part of a sale's charge back
    /// (a refund), once per credit id (the refund's id). Never more, over all credits of
    /// a sale, than its charge.
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct CreditWallet {
        #[validate(length(equal = crate::limits::ID_CHARS, message = "must be a refund id"))]
        pub credit_id: String,
        #[validate(length(equal = crate::limits::ID_CHARS, message = "must be a sale id"))]
        pub sale_id: String,
        #[validate(range(
            min = 1,
            max = crate::limits::MAX_SALE_TOTAL_CENTS,
            message = "must be between 1 and the largest sale total"
        ))]
        #[serde(deserialize_with = "crate::json::integer")]
        pub amount_cents: i64,
    }

    /// Money given back to a wallet for one refund, as stored and answered.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Credit {
        pub credit_id: String,
        pub sale_id: String,
        pub customer_id: String,
        pub amount_cents: crate::money::Cents,
        pub created_at: String,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum AccountStatus {
        Active,
        Deleted,
    }

    /// `GET /internal/customers/{id}[?session=]`: whether a customer exists and is
    /// active, and what makes their tokens current (`runtime::session`).
    #[derive(Debug, Serialize, Deserialize)]
    pub struct CustomerStatus {
        pub id: String,
        pub status: AccountStatus,
        pub role: crate::auth::Role,
        pub token_generation: u64,
        /// Whether the login asked about (`?session=`, an access token's `sid`) is still
        /// live: the customer's, neither logged out nor revoked. False when none was asked.
        #[serde(default)]
        pub session_live: bool,
    }

    /// Where Customers's routes are.
    pub struct Customers;

    impl Service for Customers {
        const SERVICE: endpoints::Service = endpoints::Service::Customers;
    }

    pub type Client = super::Client<Customers>;

    impl Client {
        pub async fn charge(&self, customer_id: &str, request: &ChargeWallet) -> Answer<Charge> {
            let url = format!(
                "{}/internal/customers/{customer_id}/wallet/charges",
                self.base
            );
            self.service.post(&url, request).await
        }

        pub async fn refund(&self, customer_id: &str, sale_id: &str) -> Answer<Charge> {
            let url = format!(
                "{}/internal/customers/{customer_id}/wallet/charges/{sale_id}/refund",
                self.base
            );
            self.service.post(&url, &Empty {}).await
        }

        pub async fn credit(&self, customer_id: &str, request: &CreditWallet) -> Answer<Credit> {
            let url = format!(
                "{}/internal/customers/{customer_id}/wallet/credits",
                self.base
            );
            self.service.post(&url, request).await
        }

        pub async fn status(&self, customer_id: &str) -> Answer<CustomerStatus> {
            let url = format!("{}/internal/customers/{customer_id}", self.base);
            self.service.get(&url).await
        }

        /// [`Client::status`], and whether the customer's login `session` is live. Both
        /// ids must be valid ids (they go into the URL as they are).
        pub async fn session_status(
            &self,
            customer_id: &str,
            session: &str,
        ) -> Answer<CustomerStatus> {
            let url = format!(
                "{}/internal/customers/{customer_id}?session={session}",
                self.base
            );
            self.service.get(&url).await
        }
    }
}

/// Sales: whether a customer bought a product.
pub mod sales {
    use super::*;

    /// `GET /internal/sales/purchases?customer_id=&product_id=`.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct Purchased {
        pub customer_id: String,
        pub product_id: String,
        pub purchased: bool,
    }

    /// Where Sales's routes are.
    pub struct Sales;

    impl Service for Sales {
        const SERVICE: endpoints::Service = endpoints::Service::Sales;
    }

    pub type Client = super::Client<Sales>;

    impl Client {
        /// Both ids must be valid ids (they go into the query string as they are).
        pub async fn purchased(&self, customer_id: &str, product_id: &str) -> Answer<Purchased> {
            let url = format!(
                "{}/internal/sales/purchases?customer_id={customer_id}&product_id={product_id}",
                self.base
            );
            self.service.get(&url).await
        }
    }
}

/// Reviews: the recommender's interactions (purchases reported by Sales).
pub mod reviews {
    use super::*;

    /// One thing a customer did with a product; `event_id` makes recording it idempotent.
    #[derive(Debug, Clone, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct Interaction {
        #[validate(length(min = 1, max = crate::limits::MAX_EVENT_ID_CHARS))]
        pub event_id: String,
        #[validate(length(equal = crate::limits::ID_CHARS))]
        pub customer_id: String,
        #[validate(length(equal = crate::limits::ID_CHARS))]
        pub product_id: String,
        /// Unix seconds.
        #[validate(range(min = 0, max = crate::limits::MAX_EVENT_TIME))]
        #[serde(deserialize_with = "crate::json::integer")]
        pub time: i64,
        #[validate(range(min = 0.0, max = crate::limits::MAX_STRENGTH))]
        pub strength: f32,
        #[validate(length(min = 1, max = crate::limits::MAX_SOURCE_CHARS))]
        pub source: String,
    }

    /// `POST /internal/reviews/interactions`: a batch, so that an import need not make
    /// one call per purchase.
    #[derive(Debug, Serialize, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    pub struct InteractionBatch {
        #[validate(length(min = 1, max = crate::limits::MAX_INTERACTIONS_PER_CALL), nested)]
        pub interactions: Vec<Interaction>,
    }

    #[derive(Debug, Serialize, Deserialize)]
    pub struct Recorded {
        pub recorded: usize,
    }

    /// Where Reviews's routes are.
    pub struct Reviews;

    impl Service for Reviews {
        const SERVICE: endpoints::Service = endpoints::Service::Reviews;
    }

    pub type Client = super::Client<Reviews>;

    impl Client {
        pub async fn record(&self, batch: &InteractionBatch) -> Answer<Recorded> {
            let url = format!("{}/internal/reviews/interactions", self.base);
            self.service.post(&url, batch).await
        }
    }
}
