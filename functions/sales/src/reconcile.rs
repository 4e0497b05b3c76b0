//! The reconciler: rolls back every sale still pending past its deadline, i.e. whose
//! saga was cut short by a crash or an outage, finishes the refunds such a cut left
//! pending, and reports to the recommender the sales whose latest state it has not
//! heard of yet. Scheduled every minute in AWS; locally
//! `local/run.sh reconcile_sales` runs it once.

use crate::refund;
use crate::saga::{self, Peers};
use crate::store::Sales;
use edge::ApiError;
use endpoints::Service;
use infra::time;
use runtime::metrics;
use serde::Serialize;

/// Later than any deadline: `pending_past` it lists every pending sale.
const END_OF_TIME: &str = "9999-12-31T23:59:59Z";

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub examined: usize,
    pub rolled_back: usize,
    /// Listed, but completed or failed by their own saga before the reconciler claimed them.
    pub finished_meanwhile: usize,
    /// Still pending: a service did not answer; the next run tries again.
    pub still_pending: usize,
    /// Refunds found pending past their deadline and finished now.
    pub refunds_finished: usize,
    /// Refunds still pending: a service did not answer; the next run tries again.
    pub refunds_pending: usize,
    /// Completed sales reported to the recommender now (their first report failed).
    pub delivered: usize,
    /// Completed sales still not reported; the next run tries again.
    pub undelivered: usize,
}

/// The scheduled function's job (`runtime::scheduled!`).
pub async fn scheduled(
    state: &crate::State<crate::store::Store, saga::Services>,
) -> Result<Report, ApiError> {
    run(&state.store, &state.services, &time::now_rfc3339()).await
}

/// One run of the reconciler at the instant `now`.
pub async fn run(store: &impl Sales, peers: &impl Peers, now: &str) -> Result<Report, ApiError> {
    let mut report = Report::default();
    for sale in store.pending_past(now).await? {
        report.examined += 1;
        match saga::roll_back(store, peers, &sale.id, now).await {
            Ok(Some(_)) => {
                metrics::of(Service::Sales)
                    .count("SaleRolledBack")
                    .with("sale_id", sale.id.as_str())
                    .emit();
                report.rolled_back += 1
            }
            // A retry completed or failed it since it was listed.
            Ok(None) => report.finished_meanwhile += 1,
            Err(err) => {
                tracing::warn!(sale_id = %sale.id, error = %err, "could not roll back yet");
                report.still_pending += 1;
            }
        }
    }
    for sale in store.refunds_pending_past(now).await? {
        let pending: Vec<String> = sale.pending_refunds().map(|r| r.id.clone()).collect();
        for refund_id in pending {
            let sale = store.get(&sale.id).await?.unwrap_or_else(|| sale.clone());
            match refund::finish(store, peers, sale, &refund_id).await {
                Ok(after) if after.refund(&refund_id).is_some_and(|r| r.is_completed()) => {
                    report.refunds_finished += 1
                }
                Ok(_) => report.refunds_pending += 1,
                Err(err) => {
                    tracing::warn!(refund_id, error = %err, "could not finish the refund yet");
                    report.refunds_pending += 1;
                }
            }
        }
    }
    for sale in store.undelivered().await? {
        if saga::deliver(store, peers, &sale).await {
            report.delivered += 1;
        } else {
            report.undelivered += 1;
        }
    }
    // What is left for the next run: every pending sale, and those overdue (past their
    // deadline and still not rolled back: an alarm when it lasts).
    let pending = store.pending_past(END_OF_TIME).await?.len();
    metrics::of(Service::Sales)
        .value("SalesPending", pending as f64, metrics::Unit::Count)
        .value(
            "SalesOverdue",
            report.still_pending as f64,
            metrics::Unit::Count,
        )
        .emit();
    tracing::info!(?report, "reconciled");
    Ok(report)
}
