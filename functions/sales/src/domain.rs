//! Sales, their refunds, and the bodies of the Sales routes.

use edge::contracts::inventory::{parse_product_ids, repeated_products, StockLine};
use edge::domain::Quantity;
use edge::error::FieldError;
use edge::limits::{MAX_ORDER_LINES, MAX_REASON_CHARS, MAX_REFUNDS_PER_SALE};
use edge::money::Cents;

use edge::text::multi_line;
use edge::ApiError;
use serde::{Deserialize, Serialize};
use validator::Validate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    Pending,
    Completed,
    Failed,
    PartiallyRefunded,
    Refunded,
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
    /// Cut short (a crash, an outage) and rolled back, by a retry or the reconciler. A
    /// retry may succeed.
    Abandoned,
}

impl FailureReason {
    pub fn to_error(self) -> ApiError {
        match self {
            Self::ProductNotFound => ApiError::NotFound("product"),
            Self::CustomerNotFound => ApiError::NotFound("customer"),
            Self::OutOfStock => ApiError::OutOfStock("not enough stock".into()),
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

    /// Its name in answers and metrics.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProductNotFound => "product_not_found",
            Self::OutOfStock => "out_of_stock",
            Self::InsufficientFunds => "insufficient_funds",
            Self::CustomerNotFound => "customer_not_found",
            Self::Conflict => "conflict",
            Self::Unavailable => "unavailable",
            Self::Abandoned => "abandoned",
        }
    }

    /// A retry with the same key tries again after these, instead of replaying them.
    pub fn is_transient(self) -> bool {
        matches!(self, Self::Unavailable | Self::Abandoned)
    }
}

/// A line of a sale: units of one product, priced when the sale completes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub product_id: String,
    pub quantity: Quantity,
    #[serde(default)]
    pub unit_price_cents: Option<Cents>,
    /// Units given back by refunds so far.
    #[serde(default)]
    pub refunded_quantity: i64,
}

impl Line {
    pub fn line_total_cents(&self) -> Option<Cents> {
        self.unit_price_cents?.times(self.quantity.units())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Recorded on the sale; the money (and stock) are on their way back.
    Pending,
    /// The money is in the wallet, and the stock back when asked.
    Completed,
}

/// A refund of units of some lines of a sale, kept in the sale's item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub items: Vec<RefundLine>,
    pub amount_cents: Cents,
    pub restocked: bool,
    pub reason: String,
    pub created_by: String,
    pub created_at: String,
    pub status: RefundStatus,
}

impl Refund {
    pub fn is_completed(&self) -> bool {
        self.status == RefundStatus::Completed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLine {
    pub product_id: String,
    pub quantity: i64,
    pub unit_price_cents: Cents,
    pub line_total_cents: Cents,
}

/// A sale as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sale {
    pub id: String,
    pub customer_id: String,
    pub items: Vec<Line>,
    /// The products of `items`: what the purchase check filters on.
    pub product_ids: Vec<String>,
    #[serde(default)]
    pub total_cents: Option<Cents>,
    pub status: SaleStatus,
    #[serde(default)]
    pub failure: Option<FailureReason>,
    /// The lines a refusal named (`items[i].quantity` short of stock, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_lines: Vec<FieldError>,
    #[serde(default)]
    pub refunds: Vec<Refund>,
    #[serde(default)]
    pub refunded_cents: Cents,
    /// Moved on by every change of the refunds: the condition of the next one.
    #[serde(default)]
    pub revision: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Past this instant, the reconciler takes over what is pending: it rolls back a sale
    /// still pending, and finishes the refunds still pending.
    pub deadline_at: String,
    /// When the reconciler claimed the sale to roll it back; a claimed sale never
    /// completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimed_at: Option<String>,
}

impl Sale {
    /// A new pending sale of these lines (distinct products, valid quantities).
    pub fn new(
        id: String,
        customer_id: String,
        lines: &[StockLine],
        now: &str,
        deadline: String,
    ) -> Self {
        let items: Vec<Line> = lines
            .iter()
            .map(|line| Line {
                product_id: line.product_id.clone(),
                quantity: Quantity::parse(line.quantity).unwrap_or_else(|_| {
                    unreachable!("lines are validated before a sale is made of them")
                }),
                unit_price_cents: None,
                refunded_quantity: 0,
            })
            .collect();
        Self {
            id,
            customer_id,
            product_ids: items.iter().map(|l| l.product_id.clone()).collect(),
            items,
            total_cents: None,
            status: SaleStatus::Pending,
            failure: None,
            failed_lines: Vec::new(),
            refunds: Vec::new(),
            refunded_cents: Cents::ZERO,
            revision: 0,
            created_at: now.to_string(),
            updated_at: now.to_string(),
            deadline_at: deadline,
            claimed_at: None,
        }
    }

    pub fn is(&self, status: SaleStatus) -> bool {
        self.status == status
    }

    /// The lines as Inventory reserves them.
    pub fn stock_lines(&self) -> Vec<StockLine> {
        self.items
            .iter()
            .map(|line| StockLine {
                product_id: line.product_id.clone(),
                quantity: line.quantity.units(),
            })
            .collect()
    }

    /// Completed, and refunded in part or whole since.
    pub fn is_bought(&self) -> bool {
        matches!(
            self.status,
            SaleStatus::Completed | SaleStatus::PartiallyRefunded | SaleStatus::Refunded
        )
    }

    pub fn refund(&self, id: &str) -> Option<&Refund> {
        self.refunds.iter().find(|r| r.id == id)
    }

    /// The sale with `refund` recorded: its lines' refunded units, `refunded_cents` and
    /// status moved on, the refund pending until `deadline` (then the reconciler's).
    /// Refused when a line is not the sale's, or asks more than is left of it.
    pub fn with_refund(
        &self,
        asked: &RefundOrder,
        id: &str,
        now: &str,
        deadline: String,
    ) -> Result<(Sale, Refund), ApiError> {
        if !self.is_bought() {
            return Err(ApiError::Conflict(
                "only a completed sale can be refunded".into(),
            ));
        }
        if self.refunds.len() >= MAX_REFUNDS_PER_SALE {
            return Err(ApiError::Conflict(format!(
                "a sale takes at most {MAX_REFUNDS_PER_SALE} refunds"
            )));
        }
        let mut sale = self.clone();
        let (mut unknown, mut beyond, mut items) = (Vec::new(), Vec::new(), Vec::new());
        for (i, want) in asked.lines.iter().enumerate() {
            let Some(line) = sale
                .items
                .iter_mut()
                .find(|l| l.product_id == want.product_id)
            else {
                unknown.push(FieldError::new(
                    format!("items[{i}].product_id"),
                    "is not a line of this sale",
                ));
                continue;
            };
            let left = line.quantity.units() - line.refunded_quantity;
            if want.quantity > left {
                beyond.push(FieldError::new(
                    format!("items[{i}].quantity"),
                    format!("{left} left to refund"),
                ));
                continue;
            }
            // A completed sale has a price on every line, and its totals fit (checked when
            // it was charged): anything else is a broken record, not a refund to make.
            let priced = line
                .unit_price_cents
                .and_then(|price| Some((price, price.times(want.quantity)?)));
            let Some((unit_price_cents, line_total_cents)) = priced else {
                return Err(ApiError::Internal(format!(
                    "sale {} line {i} has no price to refund",
                    sale.id
                )));
            };
            line.refunded_quantity += want.quantity;
            items.push(RefundLine {
                product_id: want.product_id.clone(),
                quantity: want.quantity,
                unit_price_cents,
                line_total_cents,
            });
        }
        if !unknown.is_empty() {
            return Err(ApiError::Validation(unknown));
        }
        if !beyond.is_empty() {
            return Err(ApiError::Conflict("more than is left to refund".into()).itemized(beyond));
        }
        let amount_cents =
            Cents::sum(items.iter().map(|l| l.line_total_cents)).ok_or_else(|| {
                ApiError::Internal(format!("sale {}: refund total overflows", sale.id))
            })?;
        let refund = Refund {
            id: id.to_string(),
            amount_cents,
            items,
            restocked: asked.restock,
            reason: asked.reason.clone(),
            created_by: asked.admin_id.clone(),
            created_at: now.to_string(),
            status: RefundStatus::Pending,
        };
        sale.refunded_cents = sale
            .refunded_cents
            .checked_add(refund.amount_cents)
            .ok_or_else(|| {
                ApiError::Internal(format!("sale {}: refunded total overflows", sale.id))
            })?;
        sale.status = if sale
            .items
            .iter()
            .all(|l| l.refunded_quantity == l.quantity.units())
        {
            SaleStatus::Refunded
        } else {
            SaleStatus::PartiallyRefunded
        };
        sale.refunds.push(refund.clone());
        sale.revision += 1;
        sale.updated_at = now.to_string();
        sale.deadline_at = deadline;
        Ok((sale, refund))
    }

    /// The sale with refund `id` completed.
    pub fn with_refund_completed(&self, id: &str, now: &str) -> Sale {
        let mut sale = self.clone();
        for refund in sale.refunds.iter_mut().filter(|r| r.id == id) {
            refund.status = RefundStatus::Completed;
        }
        sale.revision += 1;
        sale.updated_at = now.to_string();
        sale
    }

    /// Refunds whose money or stock may not be back yet.
    pub fn pending_refunds(&self) -> impl Iterator<Item = &Refund> {
        self.refunds
            .iter()
            .filter(|r| r.status == RefundStatus::Pending)
    }
}

/// A refund to make, already validated.
#[derive(Debug, Clone)]
pub struct RefundOrder {
    pub sale_id: String,
    pub lines: Vec<StockLine>,
    pub reason: String,
    pub restock: bool,
    pub admin_id: String,
}

impl RefundOrder {
    /// What an `Idempotency-Key` of a refund is bound to.
    pub fn fingerprint(&self) -> String {
        storage::idempotency::fingerprint(&format!(
            "refund:{}:{}:{}:{}",
            self.sale_id,
            fingerprint_lines(&self.lines),
            self.restock,
            self.reason
        ))
    }
}

/// The lines of an order or a refund as one string, for fingerprints.
pub fn fingerprint_lines(lines: &[StockLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{}:{}", l.product_id, l.quantity))
        .collect::<Vec<_>>()
        .join(",")
}

/// A line of a sale as the API shows it.
#[derive(Debug, Serialize)]
pub struct LineView {
    pub product_id: String,
    pub quantity: Quantity,
    pub unit_price_cents: Option<Cents>,
    pub line_total_cents: Option<Cents>,
    pub refunded_quantity: i64,
}

/// The fields of a sale of one product, kept from the first version of the API.
#[derive(Debug, Serialize)]
pub struct OneProduct {
    pub product_id: String,
    pub quantity: Quantity,
    pub unit_price_cents: Option<Cents>,
}

/// A refund as the API shows it: the refund, naming its sale.
#[derive(Debug, Serialize)]
pub struct RefundView {
    pub sale_id: String,
    #[serde(flatten)]
    pub refund: Refund,
}

impl RefundView {
    pub fn of(sale_id: &str, refund: Refund) -> Self {
        Self {
            sale_id: sale_id.to_string(),
            refund,
        }
    }
}

/// A sale as the API shows it.
#[derive(Debug, Serialize)]
pub struct SaleView {
    pub id: String,
    pub customer_id: String,
    #[serde(flatten)]
    pub one_product: Option<OneProduct>,
    pub items: Vec<LineView>,
    pub total_cents: Option<Cents>,
    pub refunded_cents: Cents,
    pub refunds: Vec<RefundView>,
    pub status: SaleStatus,
    pub created_at: String,
}

impl From<Sale> for SaleView {
    fn from(s: Sale) -> Self {
        let one_product = match s.items.as_slice() {
            [line] => Some(OneProduct {
                product_id: line.product_id.clone(),
                quantity: line.quantity,
                unit_price_cents: line.unit_price_cents,
            }),
            _ => None,
        };
        let items = s
            .items
            .iter()
            .map(|line| LineView {
                product_id: line.product_id.clone(),
                quantity: line.quantity,
                unit_price_cents: line.unit_price_cents,
                line_total_cents: line.line_total_cents(),
                refunded_quantity: line.refunded_quantity,
            })
            .collect();
        Self {
            refunds: s
                .refunds
                .into_iter()
                .map(|r| RefundView::of(&s.id, r))
                .collect(),
            id: s.id,
            customer_id: s.customer_id,
            one_product,
            items,
            total_cents: s.total_cents,
            refunded_cents: s.refunded_cents,
            status: s.status,
            created_at: s.created_at,
        }
    }
}

/// `POST /sales`: one product (`product_id`, `quantity`) or several (`items`).
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct PurchaseRequest {
    #[validate(length(min = 1, max = edge::limits::MAX_PRODUCT_ID_CHARS))]
    pub product_id: Option<String>,
    #[validate(range(min = edge::limits::MIN_QUANTITY, max = edge::limits::MAX_QUANTITY))]
    #[serde(default, deserialize_with = "edge::json::optional_integer")]
    pub quantity: Option<i64>,
    #[validate(length(min = 1, max = MAX_ORDER_LINES), nested)]
    pub items: Option<Vec<StockLine>>,
}

/// The lines of an order or a refund as asked: each product once, ids well-formed. A
/// malformed id names no product (404, with the lines); a product twice is a 422.
pub fn parse_lines(lines: Vec<StockLine>) -> Result<Vec<StockLine>, ApiError> {
    let repeated = repeated_products(&lines);
    if !repeated.is_empty() {
        return Err(ApiError::Validation(repeated));
    }
    let (parsed, malformed) = parse_product_ids(lines);
    if malformed.is_empty() {
        Ok(parsed)
    } else {
        let unknown = malformed
            .into_iter()
            .map(|i| FieldError::new(format!("items[{i}].product_id"), "no such product"))
            .collect();
        Err(ApiError::NotFound("product").itemized(unknown))
    }
}

impl PurchaseRequest {
    /// The order's lines, whichever form the body took.
    pub fn lines(self) -> Result<Vec<StockLine>, ApiError> {
        let lines = match (self.items, self.product_id, self.quantity) {
            (Some(items), None, None) => items,
            (Some(_), _, _) => {
                return Err(ApiError::validation(
                    "items",
                    "give either items or product_id and quantity",
                ))
            }
            (None, Some(product_id), Some(quantity)) => vec![StockLine {
                product_id,
                quantity,
            }],
            (None, product_id, quantity) => {
                let mut missing = Vec::new();
                if product_id.is_none() {
                    missing.push(FieldError::new("product_id", "is required (or items)"));
                }
                if quantity.is_none() {
                    missing.push(FieldError::new("quantity", "is required (or items)"));
                }
                return Err(ApiError::Validation(missing));
            }
        };
        parse_lines(lines)
    }
}

/// `POST /sales/{id}/refunds`.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    #[validate(length(min = 1, max = MAX_ORDER_LINES), nested)]
    pub items: Vec<StockLine>,
    #[validate(length(min = 1, max = MAX_REASON_CHARS), custom(function = multi_line))]
    pub reason: String,
    pub restock: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Vec<StockLine>, ApiError> {
        let body: PurchaseRequest =
            serde_json::from_str(json).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        body.validate()
            .map_err(|e| ApiError::Validation(edge::http::field_errors(&e)))?;
        body.lines()
    }

    const P: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    const Q: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAW";

    fn fields(err: ApiError) -> Vec<String> {
        err.field_errors().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn purchase_bodies() {
        let one = parse(&format!(r#"{{"product_id":"{P}","quantity":1}}"#)).unwrap();
        let items = parse(&format!(
            r#"{{"items":[{{"product_id":"{P}","quantity":1}}]}}"#
        ))
        .unwrap();
        assert_eq!(one, items, "both forms make the same order");
        assert!(parse(r#"{"product_id":"x","quantity":0}"#).is_err());
        assert!(parse(r#"{"product_id":"x","quantity":101}"#).is_err());
        assert!(
            parse(r#"{"product_id":"x","quantity":1,"unit_price_cents":1}"#).is_err(),
            "client-set price"
        );
        assert!(parse(r#"{"product_id":"x","quantity":1,"customer_id":"y"}"#).is_err());
        assert_eq!(
            fields(parse(r#"{"quantity":1}"#).unwrap_err()),
            ["product_id"]
        );
        assert_eq!(
            fields(parse(r#"{}"#).unwrap_err()),
            ["product_id", "quantity"]
        );
        let both = format!(
            r#"{{"product_id":"{P}","quantity":1,"items":[{{"product_id":"{P}","quantity":1}}]}}"#
        );
        assert_eq!(fields(parse(&both).unwrap_err()), ["items"]);
        assert_eq!(fields(parse(r#"{"items":[]}"#).unwrap_err()), ["items"]);
        let bad_lines = format!(
            r#"{{"items":[{{"product_id":"{P}","quantity":0}},{{"product_id":"{Q}","quantity":1}},{{"product_id":"","quantity":101}}]}}"#
        );
        assert_eq!(
            fields(parse(&bad_lines).unwrap_err()),
            [
                "items[0].quantity",
                "items[2].product_id",
                "items[2].quantity"
            ]
        );
        let twice = format!(
            r#"{{"items":[{{"product_id":"{P}","quantity":1}},{{"product_id":"{P}","quantity":2}}]}}"#
        );
        assert_eq!(fields(parse(&twice).unwrap_err()), ["items[1].product_id"]);
        // One id in another letter case is the same product (a ULID reads either way).
        let lower = P.to_lowercase();
        let twice_in_two_cases = format!(
            r#"{{"items":[{{"product_id":"{P}","quantity":1}},{{"product_id":"{lower}","quantity":2}}]}}"#
        );
        let err = parse(&twice_in_two_cases).unwrap_err();
        assert_eq!(err.status(), 422);
        assert_eq!(fields(err), ["items[1].product_id"]);
        let malformed = format!(
            r#"{{"items":[{{"product_id":"{P}","quantity":1}},{{"product_id":"nope","quantity":2}}]}}"#
        );
        let err = parse(&malformed).unwrap_err();
        assert_eq!(err.status(), 404);
        assert_eq!(fields(err), ["items[1].product_id"]);
        let many: Vec<String> = (0..21)
            .map(|_| format!(r#"{{"product_id":"{}","quantity":1}}"#, edge::ids::new_id()))
            .collect();
        let many = format!(r#"{{"items":[{}]}}"#, many.join(","));
        assert_eq!(fields(parse(&many).unwrap_err()), ["items"]);
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

    fn bought(lines: &[(&str, i64, i64)]) -> Sale {
        let asked: Vec<StockLine> = lines
            .iter()
            .map(|(p, q, _)| StockLine {
                product_id: p.to_string(),
                quantity: *q,
            })
            .collect();
        let mut sale = Sale::new(
            edge::ids::new_id(),
            edge::ids::new_id(),
            &asked,
            "t0",
            "t1".into(),
        );
        for (line, (_, _, price)) in sale.items.iter_mut().zip(lines) {
            line.unit_price_cents = Some(Cents::new(*price));
        }
        sale.status = SaleStatus::Completed;
        sale
    }

    fn refund_of(lines: &[(&str, i64)]) -> RefundOrder {
        RefundOrder {
            sale_id: "s".into(),
            lines: lines
                .iter()
                .map(|(p, q)| StockLine {
                    product_id: p.to_string(),
                    quantity: *q,
                })
                .collect(),
            reason: "damaged".into(),
            restock: false,
            admin_id: "a".into(),
        }
    }

    #[test]
    fn refunds_never_give_back_more_than_was_bought() {
        let sale = bought(&[(P, 3, 250), (Q, 1, 1_000)]);
        let (sale, first) = sale
            .with_refund(&refund_of(&[(P, 2)]), "r1", "t2", "d".into())
            .unwrap();
        assert_eq!(
            (first.amount_cents.get(), sale.refunded_cents.get()),
            (500, 500)
        );
        assert_eq!(sale.status, SaleStatus::PartiallyRefunded);
        let err = sale
            .with_refund(&refund_of(&[(P, 2), (Q, 2)]), "r2", "t3", "d".into())
            .unwrap_err();
        assert_eq!(err.status(), 409);
        assert_eq!(fields(err), ["items[0].quantity", "items[1].quantity"]);
        let err = sale
            .with_refund(&refund_of(&[("other", 1)]), "r2", "t3", "d".into())
            .unwrap_err();
        assert_eq!(err.status(), 422);
        let (sale, last) = sale
            .with_refund(&refund_of(&[(P, 1), (Q, 1)]), "r2", "t3", "d".into())
            .unwrap();
        assert_eq!(
            (last.amount_cents.get(), sale.refunded_cents.get()),
            (1_250, 1_750)
        );
        assert_eq!(sale.status, SaleStatus::Refunded);
        assert_eq!(
            sale.refunded_cents,
            Cents::sum(sale.items.iter().map(|l| l.line_total_cents().unwrap())).unwrap()
        );
        assert_eq!(sale.pending_refunds().count(), 2);
        let sale = sale.with_refund_completed("r1", "t4");
        assert_eq!(
            sale.pending_refunds()
                .map(|r| r.id.as_str())
                .collect::<Vec<_>>(),
            ["r2"]
        );
        assert_eq!(
            sale.with_refund(&refund_of(&[(P, 1)]), "r3", "t5", "d".into())
                .unwrap_err()
                .status(),
            409
        );
        let mut pending = bought(&[(P, 1, 1)]);
        pending.status = SaleStatus::Pending;
        assert_eq!(
            pending
                .with_refund(&refund_of(&[(P, 1)]), "r", "t", "d".into())
                .unwrap_err()
                .status(),
            409
        );
    }
}
