//! The reconciler: rolls back every sale still pending past its deadline, i.e. whose
//! saga was cut short by a crash or an outage, and reports to the recommender the
//! completed sales it has not heard of yet. Scheduled every minute in AWS; locally
//! `local/run.sh reconcile_sales` runs it once.

use crate::saga::{self, Peers};
use crate::store::Sales;
use serde::Serialize;
use shared::{time, ApiError};

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub examined: usize,
    pub rolled_back: usize,
    /// Listed, but completed or failed by their own saga before the reconciler claimed them.
    pub finished_meanwhile: usize,
    /// Still pending: a service did not answer; the next run tries again.
    pub still_pending: usize,
    /// Completed sales reported to the recommender now (their first report failed).
    pub delivered: usize,
    /// Completed sales still not reported; the next run tries again.
    pub undelivered: usize,
}

/// The scheduled function's job (`shared::scheduled!`).
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
            Ok(Some(_)) => report.rolled_back += 1,
            // A retry completed or failed it since it was listed.
            Ok(None) => report.finished_meanwhile += 1,
            Err(err) => {
                tracing::warn!(sale_id = %sale.id, error = %err, "could not roll back yet");
                report.still_pending += 1;
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
    tracing::info!(?report, "reconciled");
    Ok(report)
}
