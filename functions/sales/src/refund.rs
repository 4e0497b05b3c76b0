//! Refunds. A refund is recorded on its sale first, by a write conditional on the sale's
//! revision, so that racing refunds never give back more than was bought; then its
//! money goes back (Customers' credits) and, when asked, its stock (Inventory's
//! restocks), each once per refund id. A recorded refund is never rolled back: what a
//! crash or an outage interrupts, a retry or the reconciler finishes.

use crate::domain::{RefundOrder, RefundStatus, Sale};
use crate::saga::{self, undone, Peers};
use crate::store::Sales;
use edge::contracts::customers::CreditWallet;
use edge::contracts::inventory::{RestockRequest, StockLine};
use edge::idempotency_key;
use edge::ids;
use edge::money::Cents;
use edge::ApiError;
use endpoints::Service;
use infra::time;
use runtime::metrics;
use storage::idempotency::NextAction;

/// Attempts of a write that lost a race to another change of the sale.
const MAX_ATTEMPTS: usize = 8;

/// Makes a refund under an optional `Idempotency-Key` (a key already used answers its
/// refund, finishing it if it is still pending). Answers the sale and the refund's id;
/// the refund may still be pending when a service did not answer.
pub async fn refund(
    store: &impl Sales,
    peers: &impl Peers,
    order: &RefundOrder,
    key: Option<&str>,
    deadline_seconds: u64,
) -> Result<(Sale, String), ApiError> {
    let mut refund_id = ids::new_id();
    if let Some(key) = key {
        let scope = format!("refund:{}", order.admin_id);
        match store
            .bind_key(&scope, key, &refund_id, &order.fingerprint())
            .await?
        {
            NextAction::Proceed => {}
            NextAction::Mismatch => return Err(idempotency_key::mismatch()),
            NextAction::Replay(bound) => refund_id = bound,
        }
    }
    let sale = record(store, order, &refund_id, deadline_seconds).await?;
    let sale = finish(store, peers, sale, &refund_id).await?;
    Ok((sale, refund_id))
}

/// Records the refund on its sale (or finds it recorded by an earlier attempt).
async fn record(
    store: &impl Sales,
    order: &RefundOrder,
    refund_id: &str,
    deadline_seconds: u64,
) -> Result<Sale, ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        let sale = store
            .get(&order.sale_id)
            .await?
            .ok_or(ApiError::NotFound("sale"))?;
        if sale.refund(refund_id).is_some() {
            return Ok(sale);
        }
        let now = time::now_rfc3339();
        let (after, _) =
            sale.with_refund(order, refund_id, &now, time::rfc3339_in(deadline_seconds))?;
        if let Some(saved) = store.revise(&sale, &after).await? {
            return Ok(saved);
        }
    }
    Err(ApiError::Conflict(
        "the sale is changing too fast; retry".into(),
    ))
}

/// Gives a recorded refund's money (and stock) back and marks it completed. A step that
/// gets no answer leaves the refund pending, for a retry or the reconciler; every step
/// is once per refund id, so finishing twice gives back once.
pub async fn finish(
    store: &impl Sales,
    peers: &impl Peers,
    sale: Sale,
    refund_id: &str,
) -> Result<Sale, ApiError> {
    let Some(refund) = sale.refund(refund_id).cloned() else {
        return Err(ApiError::Internal(format!(
            "refund {refund_id} not on sale {}",
            sale.id
        )));
    };
    if refund.status == RefundStatus::Completed {
        return Ok(sale);
    }
    if refund.amount_cents > Cents::ZERO {
        let credit = CreditWallet {
            credit_id: refund.id.clone(),
            sale_id: sale.id.clone(),
            amount_cents: refund.amount_cents.get(),
        };
        if let Err(why) = undone(peers.credit(&sale.customer_id, &credit).await) {
            tracing::warn!(sale_id = %sale.id, refund_id, %why, "credit: left for the reconciler");
            return Ok(sale);
        }
    }
    if refund.restocked {
        let restock = RestockRequest {
            restock_id: refund.id.clone(),
            items: refund
                .items
                .iter()
                .map(|line| StockLine {
                    product_id: line.product_id.clone(),
                    quantity: line.quantity,
                })
                .collect(),
        };
        if let Err(why) = undone(peers.restock(&restock).await) {
            tracing::warn!(sale_id = %sale.id, refund_id, %why, "restock: left for the reconciler");
            return Ok(sale);
        }
    }
    mark_completed(store, peers, sale, refund_id).await
}

/// Marks the refund completed, starting from `sale` as last read; after a lost race it
/// reads the sale again.
async fn mark_completed(
    store: &impl Sales,
    peers: &impl Peers,
    mut sale: Sale,
    refund_id: &str,
) -> Result<Sale, ApiError> {
    for _ in 0..MAX_ATTEMPTS {
        if sale
            .refund(refund_id)
            .is_some_and(|r| r.status == RefundStatus::Completed)
        {
            return Ok(sale);
        }
        let after = sale.with_refund_completed(refund_id, &time::now_rfc3339());
        if let Some(saved) = store.revise(&sale, &after).await? {
            let amount = saved.refund(refund_id).map_or(0, |r| r.amount_cents.get());
            metrics::of(Service::Sales)
                .count("Refund")
                .value("RefundedAmount", amount as f64, metrics::Unit::None)
                .with("sale_id", saved.id.as_str())
                .with("refund_id", refund_id)
                .emit();
            saga::deliver(store, peers, &saved).await;
            return Ok(saved);
        }
        sale = store
            .get(&sale.id)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("sale {} vanished", sale.id)))?;
    }
    Err(ApiError::Conflict(
        "the sale is changing too fast; retry".into(),
    ))
}
