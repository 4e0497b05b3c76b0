//! The reconciler: rolls back every sale still pending past its deadline, i.e. whose
//! saga was cut short by a crash or an outage. Scheduled every minute in AWS; locally
//! `local/reconcile.sh` runs it once.

use crate::saga;
use crate::Reconciling;
use serde::Serialize;
use shared::{time, ApiError};

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub examined: usize,
    pub rolled_back: usize,
    /// Still pending: a service did not answer; the next run tries again.
    pub still_pending: usize,
}

pub async fn run(state: &Reconciling) -> Result<Report, ApiError> {
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
    tracing::info!(
        examined = report.examined,
        rolled_back = report.rolled_back,
        still_pending = report.still_pending,
        "reconciled"
    );
    Ok(report)
}
