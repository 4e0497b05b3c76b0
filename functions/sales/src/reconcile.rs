//! The reconciler: rolls back every sale still pending past its deadline, i.e. whose
//! saga was cut short by a crash or an outage, and reports to the recommender the
//! completed sales it has not heard of yet. Scheduled every minute in AWS; locally
//! `local/reconcile.sh` runs it once.

use crate::saga;
use crate::State;
use serde::Serialize;
use shared::{time, ApiError};

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub examined: usize,
    pub rolled_back: usize,
    /// Still pending: a service did not answer; the next run tries again.
    pub still_pending: usize,
    /// Completed sales reported to the recommender now (their first report failed).
    pub delivered: usize,
    /// Completed sales still not reported; the next run tries again.
    pub undelivered: usize,
}

pub async fn run(state: &State<saga::Services>) -> Result<Report, ApiError> {
    let mut report = Report::default();
    for sale in state.store.pending_past(&time::now_rfc3339()).await? {
        report.examined += 1;
        let id = sale.id.clone();
        match saga::roll_back(&state.store, &state.services, sale).await {
            Ok(_) => report.rolled_back += 1,
            Err(err) => {
                tracing::warn!(sale_id = %id, error = %err, "could not roll back yet");
                report.still_pending += 1;
            }
        }
    }
    for sale in state.store.undelivered().await? {
        if saga::deliver(&state.store, &state.services, &sale).await {
            report.delivered += 1;
        } else {
            report.undelivered += 1;
        }
    }
    tracing::info!(?report, "reconciled");
    Ok(report)
}
