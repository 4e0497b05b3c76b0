//! The HTTP side of each Reviews endpoint.

use crate::domain::{
    Moderation, ModerationRequest, NewReview, Review, ReviewPatch, ReviewStatus, ReviewView,
    FIRST_VERSION,
};
use crate::reco_store::{Interactions, StoredInteraction};
use crate::store::{Listing, Moderated, Reviews, Summary};
use crate::{ReviewPeers, State, Tables};
use edge::auth::{Principal, Role};
use edge::domain::{Comment, Rating};
use edge::http::{
    if_match, json, json_body, no_content, ok, page_limit, path_param, query_param, with_etag,
};
use edge::ids;
use edge::ApiError;
use infra::time;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use runtime::session::Sessions;
use serde::Serialize;

fn is_admin(principal: Option<&Principal>) -> bool {
    principal.is_some_and(Principal::is_admin)
}

fn is_author(principal: Option<&Principal>, review: &Review) -> bool {
    principal.is_some_and(|p| p.role != Role::Service && p.subject == review.customer_id)
}

/// Approved reviews are public; others exist only for their author and admins.
fn visible(principal: Option<&Principal>, review: &Review) -> bool {
    review.status == ReviewStatus::Approved || is_admin(principal) || is_author(principal, review)
}

/// The caller, if the request carries a token (a bad token is still a 401).
fn optional_principal<S, C>(
    state: &State<S, C>,
    req: &Request,
) -> Result<Option<Principal>, ApiError> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        Ok(Some(state.authenticate(req)?))
    } else {
        Ok(None)
    }
}

/// A token may only narrow what a public read shows, unless it is confirmed current: an
/// admin's (which shows more: pending reviews, `moderated_by`) always is, and so is the
/// author's when what it opens is their own unpublished review.
async fn confirm_widening<S, C: Sessions>(
    state: &State<S, C>,
    principal: Option<&Principal>,
    widens: bool,
) -> Result<(), ApiError> {
    match principal {
        Some(principal) if widens || principal.is_admin() => {
            state.confirm(principal.clone()).await.map(drop)
        }
        _ => Ok(()),
    }
}

/// The review at `{id}`, if the caller may see it.
async fn visible_review(
    reviews: &impl Reviews,
    req: &Request,
    principal: Option<&Principal>,
) -> Result<Review, ApiError> {
    let id = ids::parse_id(path_param(req, "id").unwrap_or_default(), "review")?;
    match reviews.get(&id).await? {
        Some(review) if visible(principal, &review) => Ok(review),
        _ => Err(ApiError::NotFound("review")),
    }
}

fn view(review: Review, principal: Option<&Principal>) -> ReviewView {
    ReviewView::new(review, is_admin(principal))
}

/// One review as `principal` may see it, with its version as `ETag`.
fn one(
    status: StatusCode,
    review: Review,
    principal: Option<&Principal>,
) -> Result<Response<Body>, ApiError> {
    let version = review.version;
    Ok(with_etag(json(status, &view(review, principal))?, version))
}

/// `POST /reviews` (customer): one review per customer and product, pending moderation.
pub async fn create_review<S: Reviews, P: ReviewPeers + Sessions>(
    state: &State<S, P>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current(&req).await?;
    let body: NewReview = json_body(&req)?;
    let comment = Comment::parse(&body.comment).map_err(|e| e.of("comment"))?;
    let rating = Rating::parse(body.rating).map_err(|e| e.of("rating"))?;
    let product_id = ids::parse_id(&body.product_id, "product")?;
    if !state.services.product_exists(&product_id).await? {
        return Err(ApiError::NotFound("product"));
    }
    let verified_purchase = state
        .services
        .purchased(&principal.subject, &product_id)
        .await?;
    let now = time::now_rfc3339();
    let review = Review {
        id: ids::new_id(),
        product_id,
        customer_id: principal.subject.clone(),
        rating,
        comment,
        status: ReviewStatus::Pending,
        verified_purchase,
        created_at: now.clone(),
        updated_at: now,
        moderation_history: Vec::new(),
        version: FIRST_VERSION,
    };
    if !state.store.create(&review).await? {
        return Err(ApiError::Conflict(
            "you already reviewed this product".into(),
        ));
    }
    let location = format!("/reviews/{}", review.id);
    let mut response = one(StatusCode::CREATED, review, Some(&principal))?;
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// `GET /reviews/{id}`: an unpublished review, and who moderated one, only to a current
/// token (its author's, an admin's).
pub async fn get_review<S: Reviews, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = optional_principal(state, &req)?;
    let review = visible_review(&state.store, &req, principal.as_ref()).await?;
    let unpublished = review.status != ReviewStatus::Approved;
    confirm_widening(state, principal.as_ref(), unpublished).await?;
    one(StatusCode::OK, review, principal.as_ref())
}

/// The interaction an approved review counts as (its rating as strength).
fn interaction_id(review_id: &str) -> String {
    format!("review-{review_id}")
}

/// Keeps the recommender's view of a review in step: approved reviews are interactions.
async fn sync_interaction(reco: &impl Interactions, review: &Review) -> Result<(), ApiError> {
    let interaction = (review.status == ReviewStatus::Approved).then(|| StoredInteraction {
        event_id: interaction_id(&review.id),
        customer_id: review.customer_id.clone(),
        product_id: review.product_id.clone(),
        time: time::epoch_seconds() as i64,
        strength: review.rating.stars() as f32,
        source: "review".into(),
    });
    Ok(reco
        .follow_review(
            &review.customer_id,
            &interaction_id(&review.id),
            review.version,
            interaction.as_ref(),
        )
        .await?)
}

/// `PATCH /reviews/{id}` (author): the review goes back to pending.
pub async fn update_review<R: Reviews, I: Interactions, C: Sessions>(
    state: &State<Tables<R, I>, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current(&req).await?;
    let review = visible_review(&state.store.reviews, &req, Some(&principal)).await?;
    if !is_author(Some(&principal), &review) {
        return Err(ApiError::Forbidden("only the author can edit a review"));
    }
    let patch: ReviewPatch = json_body(&req)?;
    if patch.rating.is_none() && patch.comment.is_none() {
        return Err(ApiError::validation(
            "body",
            "must contain rating or comment",
        ));
    }
    let comment = patch
        .comment
        .as_deref()
        .map(Comment::parse)
        .transpose()
        .map_err(|e| e.of("comment"))?;
    let rating = patch
        .rating
        .map(Rating::parse)
        .transpose()
        .map_err(|e| e.of("rating"))?;
    match state
        .store
        .reviews
        .edit(&review.id, rating, comment, &time::now_rfc3339())
        .await?
    {
        Some(updated) => {
            sync_interaction(&state.store.reco, &updated).await?;
            one(StatusCode::OK, updated, Some(&principal))
        }
        None => Err(ApiError::NotFound("review")),
    }
}

/// `DELETE /reviews/{id}` (author or admin)
pub async fn delete_review<R: Reviews, I: Interactions, C: Sessions>(
    state: &State<Tables<R, I>, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current(&req).await?;
    let review = visible_review(&state.store.reviews, &req, Some(&principal)).await?;
    if !is_author(Some(&principal), &review) && !principal.is_admin() {
        return Err(ApiError::Forbidden(
            "only the author or an admin can delete a review",
        ));
    }
    if state.store.reviews.delete(&review).await? {
        // A deleted review never counts again, whatever arrives late.
        state
            .store
            .reco
            .follow_review(
                &review.customer_id,
                &interaction_id(&review.id),
                i64::MAX,
                None,
            )
            .await?;
        no_content()
    } else {
        Err(ApiError::NotFound("review"))
    }
}

/// `POST /reviews/{id}/moderate` (admin): approve or reject the review as it was read
/// (`If-Match` its version), with an audit trail; never one's own review.
pub async fn moderate_review<R: Reviews, I: Interactions, C: Sessions>(
    state: &State<Tables<R, I>, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current_admin(&req).await?;
    let body: ModerationRequest = json_body(&req)?;
    let review = visible_review(&state.store.reviews, &req, Some(&principal)).await?;
    if review.customer_id == principal.subject {
        return Err(ApiError::Forbidden(
            "an admin cannot moderate their own review",
        ));
    }
    // The precondition last, as RFC 9110 §13.2.1 says: only a request that would
    // otherwise succeed (an existing review the admin may moderate) is told it lacks one.
    let version = if_match(&req)?.ok_or(ApiError::PreconditionRequired(
        "moderation needs If-Match: the ETag of the review as read",
    ))?;
    let now = time::now_rfc3339();
    let moderation = Moderation {
        action: body.action,
        moderated_by: principal.subject.clone(),
        moderated_at: now.clone(),
        reason: body
            .reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
    };
    match state
        .store
        .reviews
        .moderate(&review, version, moderation, &now)
        .await?
    {
        Moderated::Done(moderated) => {
            sync_interaction(&state.store.reco, &moderated).await?;
            one(StatusCode::OK, moderated, Some(&principal))
        }
        Moderated::Stale => Err(ApiError::Conflict(
            "the review changed since it was read (If-Match is stale); read it again".into(),
        )),
        Moderated::Gone => Err(ApiError::NotFound("review")),
    }
}

#[derive(Serialize)]
struct SummaryView {
    count: u64,
    average_rating: Option<f64>,
}

#[derive(Serialize)]
struct ReviewPage {
    items: Vec<ReviewView>,
    next_cursor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<SummaryView>,
}

/// `GET /reviews?product_id=` (approved, with a summary), `?customer_id=` (self or
/// admin) or `?status=` (admin): exactly one of them.
pub async fn list_reviews<S: Reviews, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = optional_principal(state, &req)?;
    let filters = [
        query_param(&req, "product_id").map(|v| ("product_id", v)),
        query_param(&req, "customer_id").map(|v| ("customer_id", v)),
        query_param(&req, "status").map(|v| ("status", v)),
    ];
    let given: Vec<(&str, &str)> = filters.into_iter().flatten().collect();
    let [(filter, raw)] = given.as_slice() else {
        return Err(ApiError::validation(
            "query",
            "give exactly one of product_id, customer_id or status",
        ));
    };
    let limit = page_limit(&req)?;
    // An id in either letter case is one id: the listing and its cursor take its
    // canonical spelling.
    let value = match *filter {
        "status" => raw.to_string(),
        _ => ids::filter_id(raw, filter)?,
    };
    let value = value.as_str();
    let listing = match *filter {
        "product_id" => {
            // Public; an admin's token shows `moderated_by`, while they are one.
            confirm_widening(state, principal.as_ref(), false).await?;
            Listing::ApprovedForProduct(value)
        }
        "customer_id" => {
            let principal = principal
                .as_ref()
                .ok_or(ApiError::Unauthorized("missing bearer token"))?;
            principal.require_self_or_admin(value)?;
            // One's own reviews too: only while the token is current.
            state.confirm(principal.clone()).await?;
            Listing::ByCustomer(value)
        }
        _ => {
            let principal = principal
                .as_ref()
                .ok_or(ApiError::Unauthorized("missing bearer token"))?;
            principal.require_admin()?;
            state.confirm(principal.clone()).await?;
            let status = serde_json::from_value(serde_json::Value::String(value.to_string()))
                .map_err(|_| {
                    ApiError::validation("status", "must be pending, approved or rejected")
                })?;
            Listing::ByStatus(status)
        }
    };
    let scope = format!("reviews|{filter}={value}");
    let start = query_param(&req, "cursor")
        .map(|cursor| state.keys.cursors()?.decode(&scope, cursor))
        .transpose()?;
    let (reviews, next) = state.store.list(&listing, start, limit).await?;
    let next_cursor = next
        .map(|key| state.keys.cursors()?.encode(&scope, &key))
        .transpose()?;
    let summary = match listing {
        Listing::ApprovedForProduct(product) => {
            let Summary {
                count,
                average_rating,
            } = state.store.summary(product).await?;
            Some(SummaryView {
                count,
                average_rating,
            })
        }
        _ => None,
    };
    ok(&ReviewPage {
        items: reviews
            .into_iter()
            .map(|r| view(r, principal.as_ref()))
            .collect(),
        next_cursor,
        summary,
    })
}
