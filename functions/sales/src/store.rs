//! DynamoDB access for the sales table.
//!
//! Sales are keyed by id; a sale's refunds live in its item. Sparse indexes: `history`
//! holds completed sales by customer (`history_customer_id`, newest first by
//! `created_at`); `pending_by_deadline` holds, for the reconciler, the sales still
//! pending (`pending` = "pending") and those with refunds still pending (`pending` =
//! "refund"), by `deadline_at`; `undelivered` the sales whose latest state the
//! recommender has not heard yet (`interaction_pending`, `created_at`). Idempotency keys
//! live in the same table (`idem#<scope>#<key>`).

use crate::domain::{FailureReason, Sale};
use aws_sdk_dynamodb::Client;
use edge::cursor::Key;
use edge::error::FieldError;
use edge::money::Cents;
use std::future::Future;
use storage::db::{
    any_item, applied, decoded_page, id_key, is_condition_failure, n, query_all_as, read, s, text,
    update_returning, Item, UpdateExpr,
};
use storage::idempotency::{self, NextAction};
use storage::StoreError;

/// What the saga, the reconciler and the purchase need of the sales table: [`Store`]
/// on DynamoDB, and an in-process double for the tests (`crate::memory`).
pub trait Sales: Sync {
    /// Records a new pending sale, or returns the one already recorded under its id
    /// (two retries with one idempotency key may race to record it).
    fn create(&self, sale: Sale) -> impl Future<Output = Result<Sale, StoreError>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Sale>, StoreError>> + Send;
    /// Moves a pending sale to completed at these unit prices (one per line) and total;
    /// `None` if it was no longer pending, or was claimed for a roll-back.
    fn complete(
        &self,
        sale: &Sale,
        prices: &[Cents],
        total_cents: Cents,
        now: &str,
    ) -> impl Future<Output = Result<Option<Sale>, StoreError>> + Send;
    /// Moves a pending sale to failed, with the lines a refusal named; `None` if it was
    /// no longer pending.
    fn fail(
        &self,
        sale: &Sale,
        reason: FailureReason,
        lines: &[FieldError],
        now: &str,
    ) -> impl Future<Output = Result<Option<Sale>, StoreError>> + Send;
    /// Writes the refunds of a bought sale as `after` has them (with its lines, refunded
    /// cents and status), if the sale is still at `before`'s revision; `None` if another
    /// change came first.
    fn revise(
        &self,
        before: &Sale,
        after: &Sale,
    ) -> impl Future<Output = Result<Option<Sale>, StoreError>> + Send;
    /// Sales with refunds still pending past their deadline.
    fn refunds_pending_past(
        &self,
        now: &str,
    ) -> impl Future<Output = Result<Vec<Sale>, StoreError>> + Send;
    /// Claims a pending sale for a roll-back, as `claim` allows (again, if it was claimed
    /// before and its undo could not finish; the first claim's time stays); `None` if it
    /// is final now, or not yet overdue for the reconciler. A claimed sale cannot complete.
    fn claim(
        &self,
        id: &str,
        now: &str,
        claim: Claim,
    ) -> impl Future<Output = Result<Option<Sale>, StoreError>> + Send;
    /// Sales still pending past their deadline (`deadline_at` before `now`).
    fn pending_past(&self, now: &str)
        -> impl Future<Output = Result<Vec<Sale>, StoreError>> + Send;
    fn mark_delivered(&self, id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Completed sales not yet reported to the recommender.
    fn undelivered(&self) -> impl Future<Output = Result<Vec<Sale>, StoreError>> + Send;
    /// Binds a customer's `Idempotency-Key` to a sale; a key already used answers the
    /// sale it is bound to (`Replay`), or `Mismatch` for another request.
    fn bind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        sale_id: &str,
        fingerprint: &str,
    ) -> impl Future<Output = Result<NextAction<String>, StoreError>> + Send;
    /// A customer's completed sales, newest first: a page, and the key to continue from.
    fn history(
        &self,
        customer_id: &str,
        start: Option<Key>,
        limit: i32,
    ) -> impl Future<Output = Result<(Vec<Sale>, Option<Key>), StoreError>> + Send;
    /// Whether the customer completed a purchase of the product.
    fn has_purchased(
        &self,
        customer_id: &str,
        product_id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Points a key at a new attempt, if it still points at `previous`.
    fn rebind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        previous: &str,
        sale_id: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// Who claims a pending sale for a roll-back, and so when they may.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// The reconciler, once the sale is past its deadline.
    Overdue,
    /// An attempt of its saga, the moment one of its steps failed or went unanswered.
    Now,
}

pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: String) -> Self {
        Self { client, table }
    }

    /// Moves a pending sale to its final state; `None` if it was no longer pending.
    async fn finish(
        &self,
        id: &str,
        mut expr: UpdateExpr,
        now: &str,
    ) -> Result<Option<Sale>, StoreError> {
        expr.set("updated_at", s(now))
            .remove("pending")
            .condition("#status = :pending_status")
            .value("pending_status", s("pending"));
        self.update(id, expr).await
    }

    /// The sales whose `pending` marker is `what`, past their deadline.
    async fn pending_by_deadline(&self, what: &str, now: &str) -> Result<Vec<Sale>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("pending_by_deadline")
            .key_condition_expression("pending = :pending AND deadline_at < :now")
            .expression_attribute_values(":pending", s(what))
            .expression_attribute_values(":now", s(now));
        query_all_as(query).await
    }

    /// Applies a conditional update to a sale; the sale as it is after, or `None` if the
    /// condition did not hold.
    async fn update(&self, id: &str, expr: UpdateExpr) -> Result<Option<Sale>, StoreError> {
        update_returning(&self.client, &self.table, id_key(id), expr).await
    }
}

impl Sales for Store {
    /// A customer's completed sales, newest first.
    async fn history(
        &self,
        customer_id: &str,
        start: Option<Key>,
        limit: i32,
    ) -> Result<(Vec<Sale>, Option<Key>), StoreError> {
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("history")
            .key_condition_expression("history_customer_id = :customer")
            .expression_attribute_values(":customer", s(customer_id))
            .scan_index_forward(false)
            .limit(limit);
        decoded_page(request, start).await
    }

    /// Whether the customer has a completed purchase of the product.
    async fn has_purchased(&self, customer_id: &str, product_id: &str) -> Result<bool, StoreError> {
        let purchases = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("history")
            .key_condition_expression("history_customer_id = :customer")
            .filter_expression("contains(product_ids, :product)")
            .expression_attribute_values(":customer", s(customer_id))
            .expression_attribute_values(":product", s(product_id));
        any_item(purchases).await
    }

    async fn create(&self, sale: Sale) -> Result<Sale, StoreError> {
        let mut item = storage::db::to_item(&sale)?;
        item.insert("pending".into(), s("pending"));
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await;
        match written {
            Ok(_) => Ok(sale),
            Err(err) if is_condition_failure(&err) => self
                .get(&sale.id)
                .await?
                .ok_or_else(|| StoreError::internal(format!("sale {} vanished", sale.id))),
            Err(err) => Err(err.into()),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Sale>, StoreError> {
        // Idempotency records share the table; no sale id looks like theirs.
        if id.starts_with("idem#") {
            return Ok(None);
        }
        read(&self.client, &self.table, id_key(id), |_| true).await
    }

    async fn complete(
        &self,
        sale: &Sale,
        prices: &[Cents],
        total_cents: Cents,
        now: &str,
    ) -> Result<Option<Sale>, StoreError> {
        let mut items = sale.items.clone();
        for (line, price) in items.iter_mut().zip(prices) {
            line.unit_price_cents = Some(*price);
        }
        let mut expr = UpdateExpr::default();
        expr.set("status", s("completed"))
            .set("items", serde_dynamo::to_attribute_value(&items)?)
            .set("total_cents", n(total_cents))
            .set("history_customer_id", s(&sale.customer_id))
            .set("interaction_pending", s("pending"))
            .condition("attribute_not_exists(claimed_at)");
        self.finish(&sale.id, expr, now).await
    }

    async fn fail(
        &self,
        sale: &Sale,
        reason: FailureReason,
        lines: &[FieldError],
        now: &str,
    ) -> Result<Option<Sale>, StoreError> {
        let mut expr = UpdateExpr::default();
        expr.set("status", s("failed"))
            .set("failure", serde_dynamo::to_attribute_value(reason)?);
        if !lines.is_empty() {
            expr.set("failed_lines", serde_dynamo::to_attribute_value(lines)?);
        }
        self.finish(&sale.id, expr, now).await
    }

    async fn revise(&self, before: &Sale, after: &Sale) -> Result<Option<Sale>, StoreError> {
        let completed = |sale: &Sale| sale.refunds.len() - sale.pending_refunds().count();
        let mut expr = UpdateExpr::default();
        expr.set("items", serde_dynamo::to_attribute_value(&after.items)?)
            .set("refunds", serde_dynamo::to_attribute_value(&after.refunds)?)
            .set("refunded_cents", n(after.refunded_cents))
            .set("status", serde_dynamo::to_attribute_value(after.status)?)
            .set("revision", n(after.revision))
            .set("updated_at", s(&after.updated_at))
            .set("deadline_at", s(&after.deadline_at))
            .value("before", n(before.revision))
            .condition("#revision = :before")
            .condition("#status IN (:completed, :partially_refunded, :refunded)")
            .value("completed", s("completed"))
            .value("partially_refunded", s("partially_refunded"))
            .value("refunded", s("refunded"));
        if after.pending_refunds().next().is_some() {
            expr.set("pending", s("refund"));
        } else {
            expr.remove("pending");
        }
        // The recommender hears of what a completed refund took away.
        if completed(after) > completed(before) {
            expr.set("interaction_pending", s("pending"));
        }
        self.update(&after.id, expr).await
    }

    async fn refunds_pending_past(&self, now: &str) -> Result<Vec<Sale>, StoreError> {
        self.pending_by_deadline("refund", now).await
    }

    async fn claim(&self, id: &str, now: &str, claim: Claim) -> Result<Option<Sale>, StoreError> {
        let mut expr = UpdateExpr::default();
        expr.set_clause("claimed_at = if_not_exists(claimed_at, :now)")
            .name("status")
            .value("now", s(now))
            .value("pending_status", s("pending"))
            .condition("#status = :pending_status");
        if claim == Claim::Overdue {
            expr.condition("deadline_at < :now");
        }
        self.update(id, expr).await
    }

    async fn pending_past(&self, now: &str) -> Result<Vec<Sale>, StoreError> {
        self.pending_by_deadline("pending", now).await
    }

    async fn mark_delivered(&self, id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(id_key(id)))
            .update_expression("REMOVE interaction_pending")
            .condition_expression("attribute_exists(id)")
            .send()
            .await?;
        Ok(())
    }

    async fn undelivered(&self) -> Result<Vec<Sale>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("undelivered")
            .key_condition_expression("interaction_pending = :pending")
            .expression_attribute_values(":pending", s("pending"));
        query_all_as(query).await
    }

    async fn bind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        sale_id: &str,
        fingerprint: &str,
    ) -> Result<NextAction<String>, StoreError> {
        let saved = Item::from([("sale_id".to_string(), s(sale_id))]);
        let (table, customer) = (&self.table, customer_id);
        idempotency::bind(
            &self.client,
            table,
            customer,
            idempotency_key,
            fingerprint,
            saved,
        )
        .await?
        .read(|record| text(record, "sale_id").map(str::to_string))
    }

    async fn rebind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        previous: &str,
        sale_id: &str,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(idempotency::record_key(customer_id, idempotency_key)))
            .update_expression("SET sale_id = :new")
            .condition_expression("sale_id = :previous")
            .expression_attribute_values(":new", s(sale_id))
            .expression_attribute_values(":previous", s(previous))
            .send()
            .await;
        applied(result)
    }
}
