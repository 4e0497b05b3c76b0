//! The scheduled refresh of the recommendation model: read every interaction, fit,
//! write the neighbour lists and popularity as a new version, switch readers to it,
//! and drop old versions. Safe to re-run and to run twice at once.

use crate::reco_store::RecoStore;
use edge::ids;
use edge::ApiError;
use endpoints::{Endpoint, Table};
use infra::config::ConfigError;
use infra::time;
use runtime::state::{self, Part};
use serde::Serialize;
use std::time::Instant;

#[derive(Debug, Serialize)]
pub struct Report {
    pub version: String,
    pub interactions: usize,
    pub products: usize,
    pub items_written: usize,
    pub activated: bool,
    pub pruned_versions: usize,
    pub read_ms: u64,
    pub fit_ms: u64,
    pub write_ms: u64,
    pub total_ms: u64,
}

/// The recommender's table through a client whose timeouts fit scans of a large table.
pub struct BatchReco(pub RecoStore);

impl Part for BatchReco {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        let table = state::required_table(endpoint, Table::Reco)?;
        Ok(Self(RecoStore::new(storage::db::batch_client()?, table)))
    }
}

/// The scheduled function's job (`runtime::scheduled!`).
pub async fn scheduled(state: &crate::State<BatchReco>) -> Result<Report, ApiError> {
    run(&state.store.0).await
}

pub async fn run(store: &RecoStore) -> Result<Report, ApiError> {
    let started = Instant::now();
    // ULIDs sort by time: the version that starts later wins if two runs overlap.
    let version = ids::new_id();
    let interactions = store.all_interactions().await?;
    let counted = interactions.len();
    let read_ms = started.elapsed().as_millis() as u64;
    let fitting = Instant::now();
    let model = reco::fit_compact(interactions, &reco::Params::default());
    let fit_ms = fitting.elapsed().as_millis() as u64;
    let writing = Instant::now();
    let items_written = store.write_model(&version, &model).await?;
    let write_ms = writing.elapsed().as_millis() as u64;
    let activated = store.activate(&version, &time::now_rfc3339()).await?;
    // Keep the active version and the one before it (a reader may be mid-request).
    let pruned_versions = store.prune(2).await?;
    let report = Report {
        version,
        interactions: counted,
        products: model.products_with_neighbours(),
        items_written,
        activated,
        pruned_versions,
        read_ms,
        fit_ms,
        write_ms,
        total_ms: started.elapsed().as_millis() as u64,
    };
    tracing::info!(?report, "recommendations refreshed");
    Ok(report)
}
