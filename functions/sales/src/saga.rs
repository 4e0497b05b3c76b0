//! The purchase saga: reserve stock (Inventory) → charge the wallet (Customers) →
//! mark the sale completed. Each step is idempotent by sale id, so running the saga of
//! a sale again (a retry, or the reconciler) never takes stock or money twice.
//! A failed step undoes the steps before it; undoing is idempotent too, and safe for a
//! step that never happened (it leaves a tombstone that a late step cannot pass).

use crate::domain::{FailureReason, Sale, SaleStatus};
use crate::store::Store;
use serde_json::json;
use shared::config::ConfigError;
use shared::service::{base_url, ServiceClient, ServiceReply};
use shared::{money, time, ApiError};

/// The other services the saga calls.
pub struct Services {
    client: ServiceClient,
    inventory: String,
    customers: String,
    reviews: String,
}

/// How a step went.
enum Step<T> {
    Done(T),
    /// The service answered no; the step did not happen.
    Refused(FailureReason),
    /// No answer: the step may or may not have happened.
    Unknown(String),
}

fn unknown(reply: &ServiceReply) -> String {
    format!("status {}: {}", reply.status, reply.detail())
}

impl Services {
    /// `INVENTORY_URL`, `CUSTOMERS_URL` and `REVIEWS_URL`: where their internal routes are.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            client: ServiceClient::from_env("sales")?,
            inventory: base_url("INVENTORY_URL")?,
            customers: base_url("CUSTOMERS_URL")?,
            reviews: base_url("REVIEWS_URL")?,
        })
    }

    /// Tells Reviews (the recommender) about a completed purchase. Idempotent there.
    pub async fn report_purchase(&self, sale: &Sale) -> Result<(), String> {
        let url = format!("{}/internal/reviews/interactions", self.reviews);
        let time = humantime::parse_rfc3339(&sale.created_at)
            .map_err(|e| e.to_string())?
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let body = json!({"interactions": [{
            "event_id": format!("sale-{}", sale.id),
            "customer_id": sale.customer_id,
            "product_id": sale.product_id,
            "time": time,
            "strength": sale.quantity,
            "source": "purchase",
        }]});
        match self.client.post(&url, &body).await {
            Ok(reply) if reply.status == 200 => Ok(()),
            Ok(reply) => Err(unknown(&reply)),
            Err(err) => Err(err.to_string()),
        }
    }

    /// Reserves the units; answers the unit price Inventory charged them at.
    async fn reserve(&self, sale: &Sale) -> Step<i64> {
        let url = format!("{}/internal/inventory/reservations", self.inventory);
        let body =
            json!({"sale_id": sale.id, "product_id": sale.product_id, "quantity": sale.quantity});
        match self.client.post(&url, &body).await {
            Ok(reply) if reply.status == 200 => match reply.body["unit_price_cents"].as_i64() {
                Some(price) => Step::Done(price),
                None => Step::Unknown("reservation without a price".into()),
            },
            Ok(reply) if reply.status == 404 => Step::Refused(FailureReason::ProductNotFound),
            Ok(reply) if reply.status == 409 && reply.detail().contains("stock") => {
                Step::Refused(FailureReason::OutOfStock)
            }
            Ok(reply) if reply.status == 409 => Step::Refused(FailureReason::Conflict),
            Ok(reply) => Step::Unknown(unknown(&reply)),
            Err(err) => Step::Unknown(err.to_string()),
        }
    }

    async fn charge(&self, sale: &Sale, amount_cents: i64) -> Step<()> {
        let url = format!(
            "{}/internal/customers/{}/wallet/charges",
            self.customers, sale.customer_id
        );
        let body = json!({"sale_id": sale.id, "amount_cents": amount_cents});
        match self.client.post(&url, &body).await {
            Ok(reply) if reply.status == 200 => Step::Done(()),
            Ok(reply) if reply.status == 402 => Step::Refused(FailureReason::InsufficientFunds),
            Ok(reply) if reply.status == 404 => Step::Refused(FailureReason::CustomerNotFound),
            Ok(reply) if reply.status == 409 => Step::Refused(FailureReason::Conflict),
            Ok(reply) => Step::Unknown(unknown(&reply)),
            Err(err) => Step::Unknown(err.to_string()),
        }
    }

    async fn refund(&self, sale: &Sale) -> Result<(), String> {
        let url = format!(
            "{}/internal/customers/{}/wallet/charges/{}/refund",
            self.customers, sale.customer_id, sale.id
        );
        match self.client.post(&url, &json!({})).await {
            Ok(reply) if reply.status == 200 => Ok(()),
            Ok(reply) => Err(unknown(&reply)),
            Err(err) => Err(err.to_string()),
        }
    }

    async fn release(&self, sale: &Sale) -> Result<(), String> {
        let url = format!(
            "{}/internal/inventory/reservations/{}/release",
            self.inventory, sale.id
        );
        match self.client.post(&url, &json!({})).await {
            Ok(reply) if reply.status == 200 => Ok(()),
            Ok(reply) => Err(unknown(&reply)),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// Runs (or resumes) the saga of a pending sale. Returns the sale in its final state,
/// or `Unavailable` when it had to stay pending (the reconciler finishes it).
pub async fn run(store: &Store, services: &Services, sale: Sale) -> Result<Sale, ApiError> {
    let unit_price = match services.reserve(&sale).await {
        Step::Done(price) => price,
        Step::Refused(reason) => return abort(store, services, sale, reason, false).await,
        Step::Unknown(why) => {
            tracing::warn!(sale_id = %sale.id, %why, "reserve: no answer");
            return abort(store, services, sale, FailureReason::Unavailable, false).await;
        }
    };
    // A total beyond any wallet's reach cannot be paid (validation keeps it in range).
    let Some(total) = money::total(unit_price, sale.quantity) else {
        return abort(
            store,
            services,
            sale,
            FailureReason::InsufficientFunds,
            false,
        )
        .await;
    };
    match services.charge(&sale, total).await {
        Step::Done(()) => {}
        Step::Refused(reason) => return abort(store, services, sale, reason, false).await,
        Step::Unknown(why) => {
            tracing::warn!(sale_id = %sale.id, %why, "charge: no answer");
            return abort(store, services, sale, FailureReason::Unavailable, true).await;
        }
    }
    match store
        .complete(&sale, unit_price, &time::now_rfc3339())
        .await?
    {
        Some(completed) => {
            deliver(store, services, &completed).await;
            Ok(completed)
        }
        // Not pending any more: the reconciler rolled it back meanwhile.
        None => current(store, &sale.id).await,
    }
}

/// Undoes whatever the saga may have done, then records the failure. If an undo gets no
/// answer the sale stays pending, and the reconciler undoes it after its deadline.
pub async fn abort(
    store: &Store,
    services: &Services,
    sale: Sale,
    reason: FailureReason,
    maybe_charged: bool,
) -> Result<Sale, ApiError> {
    if maybe_charged {
        if let Err(why) = services.refund(&sale).await {
            tracing::warn!(sale_id = %sale.id, %why, "refund: no answer; left for the reconciler");
            return Err(ApiError::Unavailable(format!(
                "refund of sale {} pending",
                sale.id
            )));
        }
    }
    if let Err(why) = services.release(&sale).await {
        tracing::warn!(sale_id = %sale.id, %why, "release: no answer; left for the reconciler");
        return Err(ApiError::Unavailable(format!(
            "release of sale {} pending",
            sale.id
        )));
    }
    match store.fail(&sale, reason, &time::now_rfc3339()).await? {
        Some(failed) => Ok(failed),
        None => current(store, &sale.id).await,
    }
}

/// Reports a completed sale to the recommender. A failure is only logged: the sale stays
/// marked undelivered, and the reconciler delivers it later (no silent loss).
pub async fn deliver(store: &Store, services: &Services, sale: &Sale) -> bool {
    match services.report_purchase(sale).await {
        Ok(()) => match store.mark_delivered(&sale.id).await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(sale_id = %sale.id, error = %err, "delivered, but not marked; will be re-sent");
                false
            }
        },
        Err(why) => {
            tracing::warn!(sale_id = %sale.id, %why, "purchase not reported to reviews yet");
            false
        }
    }
}

async fn current(store: &Store, id: &str) -> Result<Sale, ApiError> {
    store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("sale {id} vanished")))
}

/// Rolls back a sale left pending (both undo steps, since either may have happened).
pub async fn roll_back(store: &Store, services: &Services, sale: Sale) -> Result<Sale, ApiError> {
    debug_assert!(sale.is(SaleStatus::Pending));
    abort(store, services, sale, FailureReason::Abandoned, true).await
}
