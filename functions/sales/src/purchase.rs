//! A purchase under an optional `Idempotency-Key`: a new key starts the saga; a key
//! already used resumes the attempt it is bound to (still pending), replays its outcome
//! (final), or, when that attempt gave everything back for want of a service or was
//! rolled back after it was cut short, starts a new attempt and rebinds the key to it
//! (only one retry wins the rebind; the others follow it). So a retry completes whenever
//! stock and money allow, whatever an earlier attempt left behind.

use crate::domain::{fingerprint_lines, Sale, SaleStatus};
use crate::saga;
use crate::store::Sales;
use edge::contracts::inventory::StockLine;
use edge::idempotency_key;
use edge::ids;
use edge::ApiError;
use infra::time;
use storage::idempotency::{self, NextAction};

/// A purchase to make, already validated: lines of distinct products.
pub struct Order<'a> {
    pub customer_id: &'a str,
    pub lines: Vec<StockLine>,
    pub deadline_seconds: u64,
}

/// Makes a purchase (the saga), or, for a key already used, resumes or replays the
/// attempt it is bound to; answers the sale in its final state.
pub async fn purchase(
    store: &impl Sales,
    peers: &impl saga::Peers,
    order: &Order<'_>,
    key: Option<&str>,
) -> Result<Sale, ApiError> {
    let candidate = Sale::new(
        ids::new_id(),
        order.customer_id.to_string(),
        &order.lines,
        &time::now_rfc3339(),
        time::rfc3339_in(order.deadline_seconds),
    );
    let Some(key) = key else {
        let sale = store.create(candidate).await?;
        return saga::run(store, peers, sale).await;
    };
    // One line fingerprints as the one-product form always did: `purchase:<id>:<units>`.
    let fingerprint =
        idempotency::fingerprint(&format!("purchase:{}", fingerprint_lines(&order.lines)));
    let mut bound = match store
        .bind_key(order.customer_id, key, &candidate.id, &fingerprint)
        .await?
    {
        NextAction::Proceed => {
            let sale = store.create(candidate).await?;
            return saga::run(store, peers, sale).await;
        }
        NextAction::Mismatch => return Err(idempotency_key::mismatch()),
        NextAction::Replay(sale_id) => sale_id,
    };
    // At most two rounds: the attempt the key is bound to, and, if that gave everything
    // back, a new one (ours, or the one of the retry that rebound the key first).
    let mut next_attempt = Some(candidate.clone());
    loop {
        let sale = match store.get(&bound).await? {
            // Bound, but its request stopped before recording the sale: record it now.
            None => {
                let sale = store
                    .create(Sale {
                        id: bound,
                        ..candidate
                    })
                    .await?;
                return saga::run(store, peers, sale).await;
            }
            Some(sale) if sale.is(SaleStatus::Pending) => saga::run(store, peers, sale).await?,
            Some(sale) => sale,
        };
        let gave_back = sale.failure.is_some_and(|f| f.is_transient());
        let Some(attempt) = next_attempt.take().filter(|_| gave_back) else {
            return Ok(sale);
        };
        if store
            .rebind_key(order.customer_id, key, &sale.id, &attempt.id)
            .await?
        {
            let sale = store.create(attempt).await?;
            return saga::run(store, peers, sale).await;
        }
        // Another retry rebound the key first: its attempt is this key's now.
        bound = match store
            .bind_key(order.customer_id, key, &candidate.id, &fingerprint)
            .await?
        {
            NextAction::Replay(sale_id) => sale_id,
            _ => {
                return Err(ApiError::Conflict(
                    "a retry with this key is in progress".into(),
                ))
            }
        };
    }
}
