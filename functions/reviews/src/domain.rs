//! Reviews and the bodies of the Reviews routes.

use edge::text::multi_line;
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use edge::domain::{Comment, Rating};
use edge::limits::{
    MAX_COMMENT_INPUT_CHARS, MAX_MODERATION_REASON_CHARS, MAX_PRODUCT_ID_CHARS, MAX_RATING,
    MIN_RATING,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModerationAction {
    Approve,
    Reject,
}

/// One moderation decision, kept for the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Moderation {
    pub action: ModerationAction,
    pub moderated_by: String,
    pub moderated_at: String,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A review as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Review {
    pub id: String,
    pub product_id: String,
    pub customer_id: String,
    pub rating: Rating,
    pub comment: Comment,
    pub status: ReviewStatus,
    pub verified_purchase: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Every moderation decision, oldest first; the last one is the current one
    /// unless the review was edited since.
    #[serde(default)]
    pub moderation_history: Vec<Moderation>,
    /// Moves on every edit and decision; moderation names the version it was read at.
    /// Reviews written before versions existed read as version 1.
    #[serde(default = "first_version")]
    pub version: i64,
}

pub const FIRST_VERSION: i64 = 1;

fn first_version() -> i64 {
    FIRST_VERSION
}

/// A review as the API shows it. The moderation history is for admins only.
#[derive(Debug, Serialize)]
pub struct ReviewView {
    pub id: String,
    pub product_id: String,
    pub customer_id: String,
    pub rating: Rating,
    pub comment: Comment,
    pub status: ReviewStatus,
    pub verified_purchase: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Which admin decided: shown to admins only.
    pub moderated_by: Option<String>,
    pub moderated_at: Option<String>,
    pub moderation_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation_history: Option<Vec<Moderation>>,
}

impl ReviewView {
    pub fn new(review: Review, for_admin: bool) -> Self {
        // The current decision: the last one, if the review has not gone back to pending.
        let current = match review.status {
            ReviewStatus::Pending => None,
            _ => review.moderation_history.last().cloned(),
        };
        Self {
            id: review.id,
            product_id: review.product_id,
            customer_id: review.customer_id,
            rating: review.rating,
            comment: review.comment,
            status: review.status,
            verified_purchase: review.verified_purchase,
            created_at: review.created_at,
            updated_at: review.updated_at,
            version: review.version,
            moderated_by: current
                .as_ref()
                .filter(|_| for_admin)
                .map(|m| m.moderated_by.clone()),
            moderated_at: current.as_ref().map(|m| m.moderated_at.clone()),
            moderation_reason: current.and_then(|m| m.reason),
            moderation_history: for_admin.then_some(review.moderation_history),
        }
    }
}

/// A comment's rules as a validation, so that a 422 lists it beside every other invalid
/// field: text without control characters but newlines and tabs, and a [`Comment`].
fn comment_text(value: &str) -> Result<(), ValidationError> {
    multi_line(value)?;
    Comment::parse(value).map(|_| ()).map_err(|invalid| {
        let mut err = ValidationError::new("comment");
        err.message = Some(invalid.0);
        err
    })
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewReview {
    #[validate(length(min = 1, max = MAX_PRODUCT_ID_CHARS))]
    pub product_id: String,
    #[validate(range(min = MIN_RATING, max = MAX_RATING))]
    #[serde(deserialize_with = "edge::json::integer")]
    pub rating: i64,
    #[validate(length(max = MAX_COMMENT_INPUT_CHARS), custom(function = comment_text))]
    pub comment: String,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReviewPatch {
    #[validate(range(min = MIN_RATING, max = MAX_RATING))]
    #[serde(default, deserialize_with = "edge::json::optional_integer")]
    pub rating: Option<i64>,
    #[validate(length(max = MAX_COMMENT_INPUT_CHARS), custom(function = comment_text))]
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ModerationRequest {
    pub action: ModerationAction,
    #[validate(length(max = MAX_MODERATION_REASON_CHARS), custom(function = multi_line))]
    pub reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_1_to_5() {
        for (rating, ok) in [(0, false), (1, true), (5, true), (6, false)] {
            let review = NewReview {
                product_id: "p".into(),
                rating,
                comment: "x".into(),
            };
            assert_eq!(review.validate().is_ok(), ok);
        }
        assert!(serde_json::from_str::<NewReview>(
            r#"{"product_id":"p","rating":4.5,"comment":"x"}"#
        )
        .is_err());
        assert!(serde_json::from_str::<NewReview>(
            r#"{"product_id":"p","rating":4,"comment":"x","status":"approved"}"#
        )
        .is_err());
        assert!(serde_json::from_str::<ModerationRequest>(r#"{"action":"delete"}"#).is_err());
    }

    #[test]
    fn moderation_shows_only_the_current_decision_and_history_to_admins() {
        let review = Review {
            id: "r".into(),
            product_id: "p".into(),
            customer_id: "c".into(),
            rating: Rating::parse(5).unwrap(),
            comment: Comment::parse("ok").unwrap(),
            status: ReviewStatus::Pending,
            verified_purchase: false,
            created_at: "t".into(),
            updated_at: "t".into(),
            moderation_history: vec![Moderation {
                action: ModerationAction::Approve,
                moderated_by: "admin".into(),
                moderated_at: "t".into(),
                reason: None,
            }],
            version: 2,
        };
        let public = ReviewView::new(review.clone(), false);
        assert!(
            public.moderated_by.is_none(),
            "edited since: back to pending"
        );
        assert!(public.moderation_history.is_none());
        let approved = Review {
            status: ReviewStatus::Approved,
            ..review
        };
        let public = ReviewView::new(approved.clone(), false);
        assert!(public.moderated_at.is_some());
        assert!(public.moderated_by.is_none(), "who moderated: admins only");
        let admin = ReviewView::new(approved, true);
        assert_eq!(admin.moderated_by.as_deref(), Some("admin"));
        assert_eq!(admin.moderation_history.unwrap().len(), 1);
    }
}
