//! The purchase saga: reserve stock (Inventory) → charge the wallet (Customers) →
//! mark the sale completed. Each step is idempotent by sale id, so running the saga of
//! a sale again (a retry, or the reconciler) never takes stock or money twice.
//! A failed step undoes the steps before it; undoing is idempotent too, and safe for a
//! step that never happened (it leaves a tombstone that a late step cannot pass).

use crate::domain::{FailureReason, Sale, SaleStatus};
use crate::store::{Claim, Sales};
use edge::contracts::customers::{self, Charge, ChargeWallet, Credit, CreditWallet};
use edge::contracts::inventory::{self, Reservation, ReserveStock, Restock, RestockRequest};
use edge::contracts::reviews::{self, Interaction, InteractionBatch, Recorded};
use edge::error::{problem, FieldError};
use edge::money::Cents;

use edge::service::{Answer, ServiceClient};
use edge::ApiError;
use endpoints::{Endpoint, Service};
use infra::config::{self, ConfigError};
use infra::time;
use runtime::metrics;
use runtime::state::Part;
use std::future::Future;

/// The other services' routes that the sagas call: Inventory's reservations and restocks,
/// Customers' charges and credits, Reviews' interactions. [`Services`] calls them over HTTP; the tests call
/// in-process doubles (`crate::memory`) that can refuse, fail, lose an answer or stall.
pub trait Peers: Sync {
    fn reserve(&self, request: &ReserveStock) -> impl Future<Output = Answer<Reservation>> + Send;
    fn release(&self, sale_id: &str) -> impl Future<Output = Answer<Reservation>> + Send;
    fn charge(
        &self,
        customer_id: &str,
        request: &ChargeWallet,
    ) -> impl Future<Output = Answer<Charge>> + Send;
    fn refund(
        &self,
        customer_id: &str,
        sale_id: &str,
    ) -> impl Future<Output = Answer<Charge>> + Send;
    fn credit(
        &self,
        customer_id: &str,
        request: &CreditWallet,
    ) -> impl Future<Output = Answer<Credit>> + Send;
    fn restock(&self, request: &RestockRequest) -> impl Future<Output = Answer<Restock>> + Send;
    fn record(&self, batch: &InteractionBatch) -> impl Future<Output = Answer<Recorded>> + Send;
}

/// The other services the saga calls, and how long a sale may stay pending before the
/// reconciler rolls it back.
pub struct Services {
    inventory: inventory::Client,
    customers: customers::Client,
    reviews: reviews::Client,
    pub deadline_seconds: u64,
}

/// How a step went.
enum Step<T> {
    Done(T),
    /// The service answered no, naming the lines at fault; the step did not happen.
    Refused(FailureReason, Vec<FieldError>),
    /// No answer: the step may or may not have happened.
    Unknown(String),
}

impl<T> Step<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Step<U> {
        match self {
            Step::Done(done) => Step::Done(f(done)),
            Step::Refused(reason, lines) => Step::Refused(reason, lines),
            Step::Unknown(why) => Step::Unknown(why),
        }
    }
}

/// A step's answer, with the refusals it knows told apart by problem type.
fn step<T>(answer: Answer<T>, refused: impl Fn(&str) -> Option<FailureReason>) -> Step<T> {
    match answer {
        Ok(Ok(done)) => Step::Done(done),
        Ok(Err(refusal)) => match refused(&refusal.problem) {
            Some(reason) => Step::Refused(reason, refusal.errors),
            None => Step::Unknown(refusal.to_string()),
        },
        Err(err) => Step::Unknown(err.to_string()),
    }
}

/// A step that must happen (an undo, a refund's step): it succeeds, or it is left to the
/// reconciler.
pub fn undone<T>(answer: Answer<T>) -> Result<(), String> {
    match answer {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(refusal)) => Err(refusal.to_string()),
        Err(err) => Err(err.to_string()),
    }
}

impl Part for Services {
    /// `INVENTORY_URL`, `CUSTOMERS_URL` and `REVIEWS_URL`: where their internal routes are;
    /// `SALE_DEADLINE_SECONDS` (default 60).
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let service = ServiceClient::for_endpoint(endpoint)?;
        Ok(Self {
            inventory: inventory::Client::from_env(&service)?,
            customers: customers::Client::from_env(&service)?,
            reviews: reviews::Client::from_env(&service)?,
            deadline_seconds: config::parsed_or("SALE_DEADLINE_SECONDS", 60u64)?,
        })
    }
}

/// A purchase acts for its buyer: their token must still be current (Customers says).
impl runtime::session::Sessions for Services {
    async fn is_current(&self, principal: &edge::auth::Principal) -> Result<bool, ApiError> {
        self.customers.is_current(principal).await
    }
}

impl Peers for Services {
    async fn reserve(&self, request: &ReserveStock) -> Answer<Reservation> {
        self.inventory.reserve(request).await
    }

    async fn release(&self, sale_id: &str) -> Answer<Reservation> {
        self.inventory.release(sale_id).await
    }

    async fn charge(&self, customer_id: &str, request: &ChargeWallet) -> Answer<Charge> {
        self.customers.charge(customer_id, request).await
    }

    async fn refund(&self, customer_id: &str, sale_id: &str) -> Answer<Charge> {
        self.customers.refund(customer_id, sale_id).await
    }

    async fn credit(&self, customer_id: &str, request: &CreditWallet) -> Answer<Credit> {
        self.customers.credit(customer_id, request).await
    }

    async fn restock(&self, request: &RestockRequest) -> Answer<Restock> {
        self.inventory.restock(request).await
    }

    async fn record(&self, batch: &InteractionBatch) -> Answer<Recorded> {
        self.reviews.record(batch).await
    }
}

/// Tells Reviews (the recommender) what a sale comes to now: each line's units less those
/// refunded (a line refunded whole counts no more). Each line is one event, written over
/// by a later report, so reporting again is harmless.
pub async fn report_purchase(peers: &impl Peers, sale: &Sale) -> Result<(), String> {
    let time = humantime::parse_rfc3339(&sale.created_at)
        .map_err(|e| e.to_string())?
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let time = i64::try_from(time).map_err(|e| e.to_string())?;
    let batch = InteractionBatch {
        interactions: sale
            .items
            .iter()
            .map(|line| Interaction {
                event_id: format!("sale-{}-{}", sale.id, line.product_id),
                customer_id: sale.customer_id.clone(),
                product_id: line.product_id.clone(),
                time,
                strength: (line.quantity.units() - line.refunded_quantity) as f32,
                source: "purchase".into(),
            })
            .collect(),
    };
    undone(peers.record(&batch).await)
}

/// Reserves every line's units; answers each line's unit price, in the sale's order.
async fn reserve(peers: &impl Peers, sale: &Sale) -> Step<Vec<Cents>> {
    let request = ReserveStock {
        sale_id: sale.id.clone(),
        items: sale.stock_lines(),
    };
    let step = step(peers.reserve(&request).await, |refusal| match refusal {
        problem::NOT_FOUND => Some(FailureReason::ProductNotFound),
        problem::OUT_OF_STOCK => Some(FailureReason::OutOfStock),
        problem::CONFLICT => Some(FailureReason::Conflict),
        _ => None,
    });
    match step.map(|reservation| prices(sale, &reservation)) {
        Step::Done(Some(prices)) => Step::Done(prices),
        Step::Done(None) => Step::Unknown("the reservation holds other lines".into()),
        Step::Refused(reason, lines) => Step::Refused(reason, lines),
        Step::Unknown(why) => Step::Unknown(why),
    }
}

/// The unit price of each line of `sale` as reserved, if the reservation holds them all.
fn prices(sale: &Sale, reservation: &Reservation) -> Option<Vec<Cents>> {
    sale.items
        .iter()
        .map(|line| {
            reservation
                .items
                .iter()
                .find(|held| {
                    held.product_id == line.product_id && held.quantity == line.quantity.units()
                })
                .map(|held| held.unit_price_cents)
        })
        .collect()
}

async fn charge(peers: &impl Peers, sale: &Sale, amount_cents: Cents) -> Step<()> {
    let request = ChargeWallet {
        sale_id: sale.id.clone(),
        amount_cents: amount_cents.get(),
    };
    let answer = peers.charge(&sale.customer_id, &request).await;
    step(answer, |refusal| match refusal {
        problem::INSUFFICIENT_FUNDS => Some(FailureReason::InsufficientFunds),
        problem::NOT_FOUND => Some(FailureReason::CustomerNotFound),
        problem::CONFLICT => Some(FailureReason::Conflict),
        _ => None,
    })
    .map(|_charge| ())
}

async fn refund(peers: &impl Peers, sale: &Sale) -> Result<(), String> {
    undone(peers.refund(&sale.customer_id, &sale.id).await)
}

async fn release(peers: &impl Peers, sale: &Sale) -> Result<(), String> {
    undone(peers.release(&sale.id).await)
}

/// Runs (or resumes) the saga of a pending sale. Returns the sale in its final state,
/// or `Unavailable` when it had to stay pending (a retry or the reconciler finishes it).
/// Attempts of one sale may run at once (a retry beside a live attempt): each step is
/// idempotent by sale id, and only a claimed sale is undone, which no attempt can then
/// complete.
pub async fn run(store: &impl Sales, peers: &impl Peers, sale: Sale) -> Result<Sale, ApiError> {
    if sale.claimed_at.is_some() {
        return given_up(store, peers, sale).await;
    }
    let prices = match reserve(peers, &sale).await {
        Step::Done(prices) => prices,
        Step::Refused(reason, lines) => return abort(store, peers, sale, reason, lines).await,
        Step::Unknown(why) => {
            tracing::warn!(sale_id = %sale.id, %why, "reserve: no answer");
            return abort(store, peers, sale, FailureReason::Unavailable, vec![]).await;
        }
    };
    // A total beyond any wallet's reach cannot be paid (validation keeps it in range).
    let Some(total) = sale_total(&sale, &prices) else {
        return abort(store, peers, sale, FailureReason::InsufficientFunds, vec![]).await;
    };
    match charge(peers, &sale, total).await {
        Step::Done(()) => {}
        Step::Refused(reason, lines) => return abort(store, peers, sale, reason, lines).await,
        Step::Unknown(why) => {
            tracing::warn!(sale_id = %sale.id, %why, "charge: no answer");
            return abort(store, peers, sale, FailureReason::Unavailable, vec![]).await;
        }
    }
    match store
        .complete(&sale, &prices, total, &time::now_rfc3339())
        .await?
    {
        Some(completed) => {
            metrics::of(Service::Sales)
                .count("SaleCompleted")
                .value("Revenue", total.get() as f64, metrics::Unit::None)
                .with("sale_id", completed.id.as_str())
                .emit();
            deliver(store, peers, &completed).await;
            Ok(completed)
        }
        // Claimed by another attempt or the reconciler, or final already.
        None => match current(store, &sale.id).await? {
            claimed if claimed.is(SaleStatus::Pending) => given_up(store, peers, claimed).await,
            done => Ok(done),
        },
    }
}

/// A claimed sale cannot complete any more: the saga stops, helps undo it (every undo is
/// idempotent, so racing another actor's is harmless), and reports that.
async fn given_up(store: &impl Sales, peers: &impl Peers, sale: Sale) -> Result<Sale, ApiError> {
    tracing::info!(sale_id = %sale.id, "claimed for a roll-back; helping it");
    undo(store, peers, sale, FailureReason::Abandoned, vec![]).await
}

/// The sum of every line at its price, if it is within a sale's bounds.
pub fn sale_total(sale: &Sale, prices: &[Cents]) -> Option<Cents> {
    sale.items
        .iter()
        .zip(prices)
        .try_fold(Cents::ZERO, |total, (line, price)| {
            total
                .checked_add(price.times(line.quantity.units())?)
                .filter(|t| t.get() <= edge::limits::MAX_SALE_TOTAL_CENTS)
        })
}

/// Gives up on a sale after a step failed: claims it, so that no attempt can complete it
/// any more, then undoes both steps. Answers the sale as it is when another attempt
/// finished it first.
async fn abort(
    store: &impl Sales,
    peers: &impl Peers,
    sale: Sale,
    reason: FailureReason,
    lines: Vec<FieldError>,
) -> Result<Sale, ApiError> {
    // A step refused as a conflict met another actor's undo (its tombstone), and every
    // undo is claimed first: that is a roll-back, not a conflict of the buyer's, and a
    // retry with the key may try again.
    let reason = match reason {
        FailureReason::Conflict if current(store, &sale.id).await?.claimed_at.is_some() => {
            FailureReason::Abandoned
        }
        other => other,
    };
    match store
        .claim(&sale.id, &time::now_rfc3339(), Claim::Now)
        .await?
    {
        Some(claimed) => undo(store, peers, claimed, reason, lines).await,
        None => current(store, &sale.id).await,
    }
}

/// Undoes whatever the saga of a claimed sale may have done — either step may have
/// happened, or may still arrive: each undo leaves a tombstone that a late step cannot
/// pass — then records the failure (and the lines a refusal named). If an undo gets no
/// answer the sale stays pending (and claimed): a retry or the reconciler undoes it.
async fn undo(
    store: &impl Sales,
    peers: &impl Peers,
    sale: Sale,
    reason: FailureReason,
    lines: Vec<FieldError>,
) -> Result<Sale, ApiError> {
    if let Err(why) = refund(peers, &sale).await {
        tracing::warn!(sale_id = %sale.id, %why, "refund: no answer; left for a retry or the reconciler");
        return Err(ApiError::Unavailable(format!(
            "refund of sale {} pending",
            sale.id
        )));
    }
    if let Err(why) = release(peers, &sale).await {
        tracing::warn!(sale_id = %sale.id, %why, "release: no answer; left for a retry or the reconciler");
        return Err(ApiError::Unavailable(format!(
            "release of sale {} pending",
            sale.id
        )));
    }
    match store
        .fail(&sale, reason, &lines, &time::now_rfc3339())
        .await?
    {
        Some(failed) => {
            metrics::of(Service::Sales)
                .by("Reason", reason.code())
                .count("SaleFailed")
                .with("sale_id", failed.id.as_str())
                .emit();
            Ok(failed)
        }
        None => current(store, &sale.id).await,
    }
}

/// Reports a completed sale to the recommender. A failure is only logged: the sale stays
/// marked undelivered, and the reconciler delivers it later (no silent loss).
pub async fn deliver(store: &impl Sales, peers: &impl Peers, sale: &Sale) -> bool {
    match report_purchase(peers, sale).await {
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

async fn current(store: &impl Sales, id: &str) -> Result<Sale, ApiError> {
    store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("sale {id} vanished")))
}

/// Rolls back a sale left pending past its deadline: claims it first, so that a live
/// saga or a retry can no longer complete it, then undoes both steps (either may have
/// happened). `None` when the sale was final before the claim.
pub async fn roll_back(
    store: &impl Sales,
    peers: &impl Peers,
    sale_id: &str,
    now: &str,
) -> Result<Option<Sale>, ApiError> {
    match store.claim(sale_id, now, Claim::Overdue).await? {
        Some(claimed) => undo(store, peers, claimed, FailureReason::Abandoned, vec![])
            .await
            .map(Some),
        None => Ok(None),
    }
}
