//! Sales and the bodies of the Sales routes.

use serde::{Deserialize, Serialize};
use shared::domain::Quantity;
use shared::ApiError;
use validator::Validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SaleStatus {
    Pending,
    Completed,
    Failed,
}

/// Why a purchase did not complete. Stored, so that a retry with the same
/// `Idempotency-Key` gets the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    ProductNotFound,
    OutOfStock,
    InsufficientFunds,
    CustomerNotFound,
    Conflict,
    /// A service did not answer; everything was given back. A retry may succeed.
    Unavailable,
    /// Left pending by a crash and rolled back by the reconciler.
    Abandoned,
}

impl FailureReason {
    pub fn to_error(self) -> ApiError {
        match self {
            Self::ProductNotFound => ApiError::NotFound("product"),
            Self::CustomerNotFound => ApiError::NotFound("customer"),
            Self::OutOfStock => ApiError::Conflict("not enough stock".into()),
            Self::InsufficientFunds => {
                ApiError::PaymentRequired("insufficient wallet balance".into())
            }
            Self::Conflict => {
                ApiError::Conflict("the purchase conflicted with another; retry".into())
            }
            Self::Unavailable | Self::Abandoned => {
                ApiError::Unavailable("a service was unavailable; nothing was charged".into())
            }
        }
    }

    /// A retry with the same key tries again after these, instead of replaying them.
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Unavailable | Self::Abandoned)
    }
}

/// A sale as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sale {
    pub id: String,
    pub customer_id: String,
    pub product_id: String,
    pub quantity: Quantity,
    #[serde(default)]
    pub unit_price_cents: Option<i64>,
    #[serde(default)]
    pub total_cents: Option<i64>,
    pub status: SaleStatus,
    #[serde(default)]
    pub failure: Option<FailureReason>,
    pub created_at: String,
    pub updated_at: String,
    /// Still pending after this instant, the sale is rolled back by the reconciler.
    pub deadline_at: String,
    /// When the reconciler claimed the sale to roll it back; a claimed sale never
    /// completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<String>,
}

/// A sale as the API shows it.
#[derive(Debug, Serialize)]
pub struct SaleView {
    pub id: String,
    pub customer_id: String,
    pub product_id: String,
    pub quantity: Quantity,
    pub unit_price_cents: Option<i64>,
    pub total_cents: Option<i64>,
    pub status: SaleStatus,
    pub created_at: String,
}

impl From<Sale> for SaleView {
    fn from(s: Sale) -> Self {
        Self {
            id: s.id,
            customer_id: s.customer_id,
            product_id: s.product_id,
            quantity: s.quantity,
            unit_price_cents: s.unit_price_cents,
            total_cents: s.total_cents,
            status: s.status,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    #[validate(length(min = 1, max = 64))]
    pub product_id: String,
    #[validate(range(min = 1, max = shared::limits::MAX_QUANTITY))]
    #[serde(deserialize_with = "shared::json::integer")]
    pub quantity: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purchase_bodies() {
        let parse = |json: &str| -> Result<PurchaseRequest, String> {
            let body: PurchaseRequest = serde_json::from_str(json).map_err(|e| e.to_string())?;
            body.validate().map_err(|e| e.to_string())?;
            Ok(body)
        };
        assert!(parse(r#"{"product_id":"01ARZ3NDEKTSV4RRFFQ69G5FAV","quantity":1}"#).is_ok());
        assert!(parse(r#"{"product_id":"x","quantity":0}"#).is_err());
        assert!(parse(r#"{"product_id":"x","quantity":101}"#).is_err());
        assert!(
            parse(r#"{"product_id":"x","quantity":1,"unit_price_cents":1}"#).is_err(),
            "client-set price"
        );
        assert!(parse(r#"{"product_id":"x","quantity":1,"customer_id":"y"}"#).is_err());
    }

    #[test]
    fn failures_map_to_the_contract_statuses() {
        let status = |r: FailureReason| r.to_error().status().as_u16();
        assert_eq!(status(FailureReason::ProductNotFound), 404);
        assert_eq!(status(FailureReason::OutOfStock), 409);
        assert_eq!(status(FailureReason::InsufficientFunds), 402);
        assert_eq!(status(FailureReason::Unavailable), 503);
        assert!(
            FailureReason::Abandoned.is_transient() && !FailureReason::OutOfStock.is_transient()
        );
    }
}
