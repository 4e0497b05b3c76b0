//! The domain events of the sales table's changes: `SaleCompleted` when a sale completes,
//! `SaleRefunded` when one of its refunds completes (the money is back). Schemas in
//! `docs/events.md`.

use crate::domain::{RefundStatus, Sale, SaleStatus};
use infra::events::{Change, DomainEvent};
use serde_json::json;

pub const SOURCE: &str = "shop.sales";

pub fn derive(change: &Change<Sale>) -> Vec<DomainEvent> {
    let Some(sale) = &change.new else {
        return vec![];
    };
    let mut events = Vec::new();
    let was_pending = change
        .old
        .as_ref()
        .is_none_or(|old| old.is(SaleStatus::Pending));
    if was_pending && sale.is(SaleStatus::Completed) {
        let items: Vec<_> = sale
            .items
            .iter()
            .map(|line| {
                json!({
                    "product_id": line.product_id,
                    "quantity": line.quantity.units(),
                    "unit_price_cents": line.unit_price_cents,
                })
            })
            .collect();
        events.push(change.event(
            SOURCE,
            "SaleCompleted",
            json!({
                "sale_id": sale.id,
                "customer_id": sale.customer_id,
                "total_cents": sale.total_cents,
                "items": items,
                "completed_at": sale.updated_at,
            }),
        ));
    }
    for refund in sale
        .refunds
        .iter()
        .filter(|r| r.status == RefundStatus::Completed)
    {
        let completed_before = change.old.as_ref().is_some_and(|old| {
            old.refund(&refund.id)
                .is_some_and(|r| r.status == RefundStatus::Completed)
        });
        if completed_before {
            continue;
        }
        let items: Vec<_> = refund
            .items
            .iter()
            .map(|line| json!({ "product_id": line.product_id, "quantity": line.quantity }))
            .collect();
        events.push(change.event(
            SOURCE,
            "SaleRefunded",
            json!({
                "sale_id": sale.id,
                "customer_id": sale.customer_id,
                "refund_id": refund.id,
                "amount_cents": refund.amount_cents,
                "items": items,
                "restocked": refund.restocked,
            }),
        ));
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Line;
    use edge::money::Cents;

    fn sale(status: SaleStatus) -> Sale {
        let line = edge::contracts::inventory::StockLine {
            product_id: "p1".into(),
            quantity: 2,
        };
        Sale {
            status,
            ..Sale::new(
                "s1".into(),
                "c1".into(),
                &[line],
                "2026-12-03T10:00:00Z",
                "2026-12-03T10:01:00Z".into(),
            )
        }
    }

    fn change(old: Option<Sale>, new: Option<Sale>) -> Change<Sale> {
        Change {
            event_id: "ev".into(),
            old,
            new,
        }
    }

    fn types(events: &[DomainEvent]) -> Vec<&str> {
        events.iter().map(|e| e.detail_type).collect()
    }

    #[test]
    fn the_sample_event_is_a_sale_completing() {
        let sample = include_str!("../../../events/sales_events.json");
        let event: infra::events::StreamEvent = serde_json::from_str(sample).unwrap();
        let changes = infra::events::changes::<Sale>(&event).unwrap();
        let events: Vec<DomainEvent> = changes.iter().flat_map(derive).collect();
        assert_eq!(types(&events), ["SaleCompleted"]);
        assert_eq!(events[0].detail["total_cents"], 2500);
    }

    #[test]
    fn a_sale_completes_once() {
        let pending = sale(SaleStatus::Pending);
        let mut completed = sale(SaleStatus::Completed);
        completed.total_cents = Some(Cents::new(500));
        completed.items = vec![Line {
            unit_price_cents: Some(Cents::new(250)),
            ..completed.items[0].clone()
        }];
        let events = derive(&change(Some(pending.clone()), Some(completed.clone())));
        assert_eq!(types(&events), ["SaleCompleted"]);
        assert_eq!(events[0].source, "shop.sales");
        assert_eq!(events[0].detail["total_cents"], 500);
        assert_eq!(events[0].detail["items"][0]["unit_price_cents"], 250);
        assert_eq!(events[0].detail["event_id"], "ev");
        // Written completed at once (no pending image before it): completed too.
        assert_eq!(
            types(&derive(&change(None, Some(completed.clone())))),
            ["SaleCompleted"]
        );
        // Any later change of a completed sale is no new completion.
        assert!(derive(&change(Some(completed.clone()), Some(completed.clone()))).is_empty());
        // A failure, a deletion: nothing.
        assert!(derive(&change(
            Some(pending.clone()),
            Some(sale(SaleStatus::Failed))
        ))
        .is_empty());
        assert!(derive(&change(Some(completed.clone()), None)).is_empty());
    }
}
