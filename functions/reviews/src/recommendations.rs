//! `GET /recommendations/{customer_id}` and the internal route that feeds interactions.

use crate::reco_store::{Recommendations, StoredInteraction};
use crate::{RecommendationPeers, State};
use lambda_http::{Body, Request, Response};

use serde::Serialize;
use shared::contracts::reviews::{InteractionBatch, Recorded};
use shared::http::{json_body, ok, path_param, query_int};
use shared::{ids, time, ApiError};
use std::collections::HashSet;

/// At most this many of a customer's products are used to score (the most recent).
const MAX_HISTORY: usize = 500;

#[derive(Serialize)]
struct Item {
    product_id: String,
    score: f32,
}

#[derive(Serialize)]
struct RecommendationsView {
    customer_id: String,
    items: Vec<Item>,
    source: &'static str,
    generated_at: String,
}

/// `GET /recommendations/{customer_id}` (self or admin), `?limit=` 1..50 (default 10).
pub async fn get_recommendations<S: Recommendations, P: RecommendationPeers>(
    state: &State<S, P>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.authenticate(&req)?;
    let raw_id = path_param(&req, "customer_id").unwrap_or_default();
    principal.require_self_or_admin(raw_id)?;
    let customer_id = ids::parse_id(raw_id, "customer")?;
    let limit = query_int(&req, "limit", 1, 50)?.unwrap_or(10) as usize;
    if !state.services.customer_exists(&customer_id).await? {
        return Err(ApiError::NotFound("customer"));
    }
    let mut history = state.store.history(&customer_id).await?;
    history.sort_by_key(|e| std::cmp::Reverse(e.time));
    let recent: Vec<String> = {
        let mut seen = HashSet::new();
        history
            .iter()
            .filter(|e| seen.insert(e.product.clone()))
            .take(MAX_HISTORY)
            .map(|e| e.product.clone())
            .collect()
    };
    let (lists, popular, generated_at) = match state.store.active_model().await? {
        Some(model) => (
            state.store.neighbours(&model.version, &recent).await?,
            state.store.popular(&model.version).await?,
            model.generated_at,
        ),
        None => (Default::default(), Vec::new(), time::now_rfc3339()),
    };
    // Ask for spares: some candidates may have been deleted since the model was fitted.
    let recs = reco::recommend(
        &lists,
        &popular,
        &history,
        &reco::Params::default(),
        limit * 2 + 10,
        |_| false,
    );
    let candidates: Vec<String> = recs.items.iter().map(|(p, _)| p.clone()).collect();
    let for_sale = state.services.available(&candidates).await?;
    let items = recs
        .items
        .into_iter()
        .filter(|(product, _)| for_sale.contains(product))
        .take(limit)
        .map(|(product_id, score)| Item { product_id, score })
        .collect();
    ok(&RecommendationsView {
        customer_id,
        items,
        source: match recs.source {
            reco::Source::Personalized => "personalized",
            reco::Source::Popular => "popular",
        },
        generated_at,
    })
}

/// `POST /internal/reviews/interactions` (service): Sales reports completed purchases.
/// Recording one event twice changes nothing, so the sender may retry freely.
pub async fn record_interaction<S: Recommendations>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let body: InteractionBatch = json_body(&req)?;
    let mut interactions = Vec::with_capacity(body.interactions.len());
    for event in body.interactions {
        let id = |raw: &str, field: &str| {
            ids::parse_id(raw, "id").map_err(|_| ApiError::validation(field, "must be an id"))
        };
        interactions.push(StoredInteraction {
            customer_id: id(&event.customer_id, "customer_id")?,
            product_id: id(&event.product_id, "product_id")?,
            event_id: event.event_id,
            time: event.time,
            strength: event.strength,
            source: event.source,
        });
    }
    state.store.record_all(&interactions).await?;
    ok(&Recorded {
        recorded: interactions.len(),
    })
}
