//! The domain events of the reviews table's changes: `ReviewApproved` when a review
//! becomes approved (again, after an edit sent it back to moderation). Schema in
//! `docs/events.md`.

use crate::domain::{Review, ReviewStatus};
use infra::events::{Change, DomainEvent};
use serde_json::json;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_event_is_an_approval_and_only_the_first_approval_counts() {
        let sample = include_str!("../../../events/reviews_events.json");
        let event: infra::events::StreamEvent = serde_json::from_str(sample).unwrap();
        let changes = infra::events::changes::<Review>(&event).unwrap();
        let events: Vec<DomainEvent> = changes.iter().flat_map(derive).collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].detail_type, "ReviewApproved");
        assert_eq!(events[0].detail["rating"], 5);
        // The approved review changed again (still approved): no second event.
        let again = Change {
            event_id: "later".into(),
            old: changes[0].new.clone(),
            new: changes[0].new.clone(),
        };
        assert!(derive(&again).is_empty());
        // Sent back to moderation, then approved again: a new approval.
        let mut pending = changes[0].new.clone().unwrap();
        pending.status = ReviewStatus::Pending;
        let reapproved = Change {
            event_id: "again".into(),
            old: Some(pending),
            new: changes[0].new.clone(),
        };
        assert_eq!(derive(&reapproved).len(), 1);
    }
}
