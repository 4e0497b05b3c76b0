//! `GET /recommendations/{customer_id}`, `GET /products/{id}/similar`, and the internal
//! route that feeds interactions.

use crate::reco_store::{Recommendations, StoredInteraction};
use crate::{ForSale, RecommendationPeers, State};
use lambda_http::{Body, Request, Response};

use edge::contracts::reviews::{InteractionBatch, Recorded};
use edge::http::{json_body, ok, path_param, query_int};
use edge::ids;
use edge::limits::{DEFAULT_RECOMMENDATIONS, MAX_RECOMMENDATIONS};
use edge::ApiError;
use endpoints::Service;
use infra::time;
use runtime::metrics;
use serde::Serialize;
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
    let limit = query_int(&req, "limit", 1, MAX_RECOMMENDATIONS)?.unwrap_or(DEFAULT_RECOMMENDATIONS)
        as usize;
    // One's own (built from what one bought) while the token is current, which also
    // says the account is open; another's while the admin is one, if that account is.
    let principal = state.confirm(principal).await?;
    if principal.subject != customer_id && !state.services.customer_exists(&customer_id).await? {
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
    let source = match recs.source {
        reco::Source::Personalized => "personalized",
        reco::Source::Popular => "popular",
    };
    metrics::of(Service::Reviews)
        .by("Kind", source)
        .count("RecommendationsServed")
        .emit();
    ok(&RecommendationsView {
        customer_id,
        items,
        source,
        generated_at,
    })
}

#[derive(Serialize)]
struct SimilarView {
    product_id: String,
    items: Vec<Item>,
    generated_at: String,
}

/// `GET /products/{id}/similar` (anyone), `?limit=` 1..50 (default 10): the products
/// bought together with this one, from the current model, most similar first; never one
/// no longer for sale. Empty when the model knows nothing of it; 404 when the product is
/// unknown or deleted.
pub async fn similar_products<S: Recommendations, P: ForSale>(
    state: &State<S, P>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let product_id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "product")?;
    let limit = query_int(&req, "limit", 1, MAX_RECOMMENDATIONS)?.unwrap_or(DEFAULT_RECOMMENDATIONS)
        as usize;
    let (mut neighbours, generated_at) = match state.store.active_model().await? {
        Some(model) => (
            state
                .store
                .neighbours(&model.version, std::slice::from_ref(&product_id))
                .await?
                .remove(&product_id)
                .unwrap_or_default(),
            model.generated_at,
        ),
        None => (Vec::new(), time::now_rfc3339()),
    };
    neighbours.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
    // One question to Inventory: the product itself, and its neighbours with spares for
    // those deleted since the model was fitted.
    let mut asked: Vec<String> = neighbours
        .iter()
        .take(limit * 2 + 10)
        .map(|n| n.product.clone())
        .collect();
    asked.push(product_id.clone());
    let for_sale = state.services.available(&asked).await?;
    if !for_sale.contains(&product_id) {
        return Err(ApiError::NotFound("product"));
    }
    let items = neighbours
        .into_iter()
        .filter(|n| n.product != product_id && for_sale.contains(&n.product))
        .take(limit)
        .map(|n| Item {
            product_id: n.product,
            score: n.similarity,
        })
        .collect();
    ok(&SimilarView {
        product_id,
        items,
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
