//! Products, stock reservations and the bodies of the Inventory routes.

use edge::money::Cents;
use edge::text::{multi_line, single_line};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use edge::limits::{MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_PRODUCT_NAME_CHARS};
pub use edge::limits::{MAX_PRICE_CENTS, MAX_STOCK};
pub const CURRENCY: &str = "USD";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub price_cents: Cents,
    pub currency: String,
    pub stock: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Set when deleted: hidden from lists and not purchasable, still readable by id.
    #[serde(default)]
    pub deleted_at: Option<String>,
}

/// Categories are compared case-insensitively: stored and queried in lower case.
pub fn normalize_category(category: &str) -> String {
    category.trim().to_lowercase()
}

/// The lower-cased name that `q` searches.
pub fn search_key(name: &str) -> String {
    name.to_lowercase()
}

fn nonzero(delta: i64) -> Result<(), ValidationError> {
    if delta == 0 {
        let mut err = ValidationError::new("nonzero");
        err.message = Some("must not be 0".into());
        return Err(err);
    }
    Ok(())
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct NewProduct {
    #[validate(length(min = 1, max = MAX_PRODUCT_NAME_CHARS), custom(function = single_line))]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = MAX_DESCRIPTION_CHARS), custom(function = multi_line))]
    pub description: String,
    #[validate(length(min = 1, max = MAX_CATEGORY_CHARS), custom(function = single_line))]
    pub category: String,
    #[validate(range(min = 0, max = MAX_PRICE_CENTS))]
    #[serde(deserialize_with = "edge::json::integer")]
    pub price_cents: i64,
    #[validate(range(min = 0, max = MAX_STOCK))]
    #[serde(deserialize_with = "edge::json::integer")]
    pub stock: i64,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProductPatch {
    #[validate(length(min = 1, max = MAX_PRODUCT_NAME_CHARS), custom(function = single_line))]
    pub name: Option<String>,
    #[validate(length(max = MAX_DESCRIPTION_CHARS), custom(function = multi_line))]
    pub description: Option<String>,
    #[validate(length(min = 1, max = MAX_CATEGORY_CHARS), custom(function = single_line))]
    pub category: Option<String>,
    #[validate(range(min = 0, max = MAX_PRICE_CENTS))]
    #[serde(default, deserialize_with = "edge::json::optional_integer")]
    pub price_cents: Option<i64>,
    /// Absolute stock.
    #[validate(range(min = 0, max = MAX_STOCK))]
    #[serde(default, deserialize_with = "edge::json::optional_integer")]
    pub stock: Option<i64>,
    /// Relative stock, e.g. +10 for a restock.
    #[validate(range(min = -MAX_STOCK, max = MAX_STOCK), custom(function = nonzero))]
    #[serde(default, deserialize_with = "edge::json::optional_integer")]
    pub stock_delta: Option<i64>,
}

impl ProductPatch {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.price_cents.is_none()
            && self.stock.is_none()
            && self.stock_delta.is_none()
    }
}

pub use edge::contracts::inventory::{
    AvailabilityQuery, Reservation, ReservationStatus, ReserveStock, ReservedLine, Restock,
    RestockRequest, StockLine,
};
use edge::error::FieldError;
use edge::ApiError;

/// Why the lines of an order cannot all be reserved: every failing line, by its index.
#[derive(Debug, PartialEq, Eq)]
pub enum LinesRefused {
    /// Lines of unknown or deleted products.
    NotFound(Vec<usize>),
    /// Lines short of stock, with the units left.
    OutOfStock(Vec<(usize, i64)>),
}

impl LinesRefused {
    /// The refusal as the reservation route answers it, naming each failing line.
    pub fn to_error(&self) -> ApiError {
        match self {
            Self::NotFound(lines) => ApiError::NotFound("product").itemized(
                lines
                    .iter()
                    .map(|i| FieldError::new(format!("items[{i}].product_id"), "no such product"))
                    .collect(),
            ),
            Self::OutOfStock(lines) => ApiError::OutOfStock("not enough stock".into()).itemized(
                lines
                    .iter()
                    .map(|(i, left)| {
                        FieldError::new(
                            format!("items[{i}].quantity"),
                            format!("{left} left in stock"),
                        )
                    })
                    .collect(),
            ),
        }
    }
}

/// The lines priced at their products' current prices, if every product is live and has
/// the units; otherwise every failing line (unknown products first: an order naming one
/// cannot be placed whatever the stock).
pub fn price_lines<'a>(
    lines: &[StockLine],
    product: impl Fn(&str) -> Option<&'a Product>,
) -> Result<Vec<ReservedLine>, LinesRefused> {
    let live = |line: &StockLine| product(&line.product_id).filter(|p| p.deleted_at.is_none());
    let unknown: Vec<usize> = (0..lines.len())
        .filter(|&i| live(&lines[i]).is_none())
        .collect();
    if !unknown.is_empty() {
        return Err(LinesRefused::NotFound(unknown));
    }
    let mut short = Vec::new();
    let mut priced = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let Some(product) = live(line) else { continue };
        if product.stock < line.quantity {
            short.push((i, product.stock));
        }
        priced.push(ReservedLine {
            product_id: line.product_id.clone(),
            quantity: line.quantity,
            unit_price_cents: product.price_cents,
        });
    }
    if short.is_empty() {
        Ok(priced)
    } else {
        Err(LinesRefused::OutOfStock(short))
    }
}

/// A restock puts units back into products that exist (deleted ones included): the
/// lines naming none, by index; a restock with any is refused whole.
pub fn unknown_lines(lines: &[StockLine], exists: impl Fn(&str) -> bool) -> Vec<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, line)| !exists(&line.product_id))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(json: &str) -> Result<ProductPatch, String> {
        let p: ProductPatch = serde_json::from_str(json).map_err(|e| e.to_string())?;
        p.validate().map_err(|e| e.to_string())?;
        Ok(p)
    }

    #[test]
    fn product_bounds() {
        let product = |price: i64, stock: i64| NewProduct {
            name: "Lamp".into(),
            description: String::new(),
            category: "home".into(),
            price_cents: price,
            stock,
        };
        assert!(product(0, 0).validate().is_ok());
        assert!(product(-1, 0).validate().is_err());
        assert!(product(1, -1).validate().is_err());
        assert!(product(MAX_PRICE_CENTS + 1, 0).validate().is_err());
        assert!(product(1, MAX_STOCK + 1).validate().is_err());
    }

    #[test]
    fn patches() {
        assert!(patch(r#"{"stock_delta": 5}"#).is_ok());
        assert!(patch(r#"{"stock_delta": 0}"#).is_err());
        assert!(patch(r#"{"stock": -1}"#).is_err());
        assert!(
            patch(r#"{"version": 3}"#).is_err(),
            "server-owned field accepted"
        );
        assert!(
            patch(r#"{"price_cents": 1.5}"#).is_err(),
            "money must be an integer"
        );
        assert!(patch("{}").unwrap().is_empty());
    }

    #[test]
    fn search_and_category_ignore_case() {
        assert_eq!(normalize_category("  Électronique "), "électronique");
        assert_eq!(search_key("USB-C Hub"), "usb-c hub");
    }
}
