//! The domain events of the reviews table's changes: `ReviewApproved` when a review
//! becomes approved (again, after an edit sent it back to moderation). Schema in
//! `docs/events.md`.

use crate::domain::{Review, ReviewStatus};
use serde_json::json;
use shared::events::{Change, DomainEvent};

pub const SOURCE: &str = "shop.reviews";

pub fn derive(change: &Change<Review>) -> Vec<DomainEvent> {
    let Some(review) = &change.new else {
        return vec![];
    };
    let was_approved = change
        .old
        .as_ref()
        .is_some_and(|old| old.status == ReviewStatus::Approved);
    if was_approved || review.status != ReviewStatus::Approved {
        return vec![];
    }
    vec![change.event(
        SOURCE,
        "ReviewApproved",
        json!({
            "review_id": review.id,
            "product_id": review.product_id,
            "customer_id": review.customer_id,
            "rating": review.rating,
            "verified_purchase": review.verified_purchase,
            "approved_at": review.updated_at,
        }),
    )]
}
