//! The domain events of the products table's changes: `StockLow` when a product's stock
//! falls below `LOW_STOCK_THRESHOLD` (default 5), once per fall: not again while it stays
//! below, again after a restock above it. Schema in `docs/events.md`.

use crate::domain::Product;
use infra::events::{Change, DomainEvent};
use serde_json::json;
use std::sync::OnceLock;

pub const SOURCE: &str = "shop.inventory";

fn threshold() -> i64 {
    static THRESHOLD: OnceLock<i64> = OnceLock::new();
    *THRESHOLD.get_or_init(|| {
        std::env::var("LOW_STOCK_THRESHOLD")
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(5)
    })
}

pub fn derive(change: &Change<Product>) -> Vec<DomainEvent> {
    low_stock(change, threshold())
}

fn low_stock(change: &Change<Product>, threshold: i64) -> Vec<DomainEvent> {
    let Some(product) = change.new.as_ref().filter(|p| p.deleted_at.is_none()) else {
        return vec![];
    };
    let was_low = change.old.as_ref().is_some_and(|old| old.stock < threshold);
    if was_low || product.stock >= threshold {
        return vec![];
    }
    vec![change.event(
        SOURCE,
        "StockLow",
        json!({
            "product_id": product.id,
            "name": product.name,
            "stock": product.stock,
            "threshold": threshold,
        }),
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use edge::money::Cents;

    fn product(stock: i64) -> Product {
        Product {
            id: "p".into(),
            name: "Lamp".into(),
            description: String::new(),
            category: "home".into(),
            price_cents: Cents::new(100),
            currency: "USD".into(),
            stock,
            version: 1,
            created_at: String::new(),
            updated_at: String::new(),
            deleted_at: None,
        }
    }

    fn events(old: Option<i64>, new: Option<i64>) -> usize {
        let change = Change {
            event_id: "ev".into(),
            old: old.map(product),
            new: new.map(product),
        };
        low_stock(&change, 5).len()
    }

    #[test]
    fn the_sample_event_is_a_fall_to_low_stock() {
        let sample = include_str!("../../../events/inventory_events.json");
        let event: infra::events::StreamEvent = serde_json::from_str(sample).unwrap();
        let changes = infra::events::changes::<Product>(&event).unwrap();
        let events: Vec<DomainEvent> = changes.iter().flat_map(|c| low_stock(c, 5)).collect();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].detail_type, "StockLow");
        assert_eq!(events[0].detail["stock"], 4);
    }

    #[test]
    fn stock_low_once_per_fall_below_the_threshold() {
        assert_eq!(events(Some(6), Some(4)), 1, "falls below");
        assert_eq!(events(Some(5), Some(4)), 1, "from the threshold itself");
        assert_eq!(events(Some(4), Some(2)), 0, "already low");
        assert_eq!(events(Some(2), Some(9)), 0, "restocked");
        assert_eq!(events(Some(9), Some(5)), 0, "at the threshold is not low");
        assert_eq!(events(None, Some(1)), 1, "created low");
        assert_eq!(events(Some(6), None), 0, "deleted");
    }
}
