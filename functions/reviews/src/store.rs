//! DynamoDB access for the reviews table.
//!
//! Reviews are keyed by id, with three indexes: `approved_by_product` (sparse: set only
//! while approved), `by_customer` and `by_status`, each ordered by `created_at`.
//! `guard#<customer>#<product>` items make a customer's review of a product unique.

use crate::domain::{Moderation, ModerationAction, Review, ReviewStatus, FIRST_VERSION};
use aws_sdk_dynamodb::types::{AttributeValue, Delete};
use aws_sdk_dynamodb::Client;
use edge::cursor::Key;
use edge::domain::{Comment, Rating};
use std::future::Future;
use storage::db::{
    decoded_page, id_key, n, query_all, read, s, update_returning, Item, UpdateExpr,
};
use storage::transact::{self, put_guarded, transact_if};
use storage::StoreError;

pub struct Store {
    client: Client,
    table: String,
}

/// Which reviews a list shows.
pub enum Listing<'a> {
    ApprovedForProduct(&'a str),
    ByCustomer(&'a str),
    ByStatus(ReviewStatus),
}

/// How a moderation went.
pub enum Moderated {
    Done(Review),
    /// The review changed since the version the admin read: nothing was changed.
    Stale,
    Gone,
}

pub struct Summary {
    pub count: u64,
    pub average_rating: Option<f64>,
}

/// What the review handlers need of the reviews table: [`Store`] on DynamoDB, and an
/// in-process double for the tests (`crate::memory`).
pub trait Reviews: Sync {
    /// Writes the review and claims its customer-and-product pair, both or neither;
    /// false if the customer already reviewed the product.
    fn create(&self, review: &Review) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Review>, StoreError>> + Send;
    /// An author's edit: new rating and/or comment, and back to pending; `None` if the
    /// review is gone.
    fn edit(
        &self,
        id: &str,
        rating: Option<Rating>,
        comment: Option<Comment>,
        now: &str,
    ) -> impl Future<Output = Result<Option<Review>, StoreError>> + Send;
    /// An admin's decision on the review as it was at `version`, appended to its audit
    /// trail.
    fn moderate(
        &self,
        review: &Review,
        version: i64,
        moderation: Moderation,
        now: &str,
    ) -> impl Future<Output = Result<Moderated, StoreError>> + Send;
    /// Deletes the review and frees its pair; false if it was already gone.
    fn delete(&self, review: &Review) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// One page of a listing, newest first (the moderation queue oldest first), and the
    /// key to continue from.
    fn list(
        &self,
        listing: &Listing<'_>,
        start: Option<Key>,
        limit: i32,
    ) -> impl Future<Output = Result<(Vec<Review>, Option<Key>), StoreError>> + Send;
    /// Count and average rating of a product's approved reviews.
    fn summary(&self, product_id: &str)
        -> impl Future<Output = Result<Summary, StoreError>> + Send;
}

/// The average of `count` ratings adding up to `total`, to two decimals.
pub fn average(count: u64, total: i64) -> Option<f64> {
    (count > 0).then(|| ((total as f64 / count as f64) * 100.0).round() / 100.0)
}

fn guard_id(customer_id: &str, product_id: &str) -> String {
    format!("guard#{customer_id}#{product_id}")
}

/// `SET #version = #version + 1` (a review from before versions counts as the first).
fn next_version(expr: &mut UpdateExpr) {
    expr.set_clause("#version = if_not_exists(#version, :first) + :one")
        .name("version")
        .value("first", n(FIRST_VERSION))
        .value("one", n(1));
}

fn status_value(status: ReviewStatus) -> Result<AttributeValue, StoreError> {
    Ok(serde_dynamo::to_attribute_value(status)?)
}

impl Store {
    pub fn new(client: Client, table: String) -> Self {
        Self { client, table }
    }

    /// Applies an update to an existing review, returning it; `None` if it is gone.
    async fn update(&self, id: &str, mut expr: UpdateExpr) -> Result<Option<Review>, StoreError> {
        expr.condition("attribute_exists(id)");
        update_returning(&self.client, &self.table, id_key(id), expr).await
    }
}

impl Reviews for Store {
    /// Writes the review and its one-per-customer-and-product guard; false if the
    /// customer already reviewed the product.
    async fn create(&self, review: &Review) -> Result<bool, StoreError> {
        let record = storage::db::to_item(review)?;
        let guard = Item::from([
            (
                "id".to_string(),
                s(guard_id(&review.customer_id, &review.product_id)),
            ),
            ("kind".to_string(), s("guard")),
            ("review_id".to_string(), s(&review.id)),
        ]);
        let what = "the review met another";
        put_guarded(&self.client, &self.table, record, guard, what).await
    }

    async fn get(&self, id: &str) -> Result<Option<Review>, StoreError> {
        // Guards share the table; reviews have no `kind`.
        let is_review = |item: &Item| !item.contains_key("kind");
        read(&self.client, &self.table, id_key(id), is_review).await
    }

    /// An author's edit: new rating and/or comment, and back to pending.
    async fn edit(
        &self,
        id: &str,
        rating: Option<Rating>,
        comment: Option<Comment>,
        now: &str,
    ) -> Result<Option<Review>, StoreError> {
        let mut expr = UpdateExpr::default();
        expr.set("status", status_value(ReviewStatus::Pending)?)
            .set("updated_at", s(now))
            .remove("approved_product_id");
        next_version(&mut expr);
        if let Some(rating) = rating {
            expr.set("rating", n(rating.stars()));
        }
        if let Some(comment) = comment {
            expr.set("comment", s(comment.as_str()));
        }
        self.update(id, expr).await
    }

    /// An admin's decision, appended to the review's audit trail, if the review is still
    /// at `version`.
    async fn moderate(
        &self,
        review: &Review,
        version: i64,
        moderation: Moderation,
        now: &str,
    ) -> Result<Moderated, StoreError> {
        let status = match moderation.action {
            ModerationAction::Approve => ReviewStatus::Approved,
            ModerationAction::Reject => ReviewStatus::Rejected,
        };
        let mut expr = UpdateExpr::default();
        expr.set("status", status_value(status)?)
            .set("updated_at", s(now))
            .set_clause("#moderation_history = list_append(if_not_exists(#moderation_history, :empty), :decision)")
            .name("moderation_history")
            .value("empty", AttributeValue::L(vec![]))
            .value("decision", AttributeValue::L(vec![serde_dynamo::to_attribute_value(&moderation)?]))
            .value("expected", n(version));
        next_version(&mut expr);
        // A review from before versions has none, and reads as the first.
        expr.condition(if version == FIRST_VERSION {
            "(#version = :expected OR attribute_not_exists(#version))"
        } else {
            "#version = :expected"
        });
        if status == ReviewStatus::Approved {
            expr.set("approved_product_id", s(&review.product_id));
        } else {
            expr.remove("approved_product_id");
        }
        match self.update(&review.id, expr).await? {
            Some(moderated) => Ok(Moderated::Done(moderated)),
            None if self.get(&review.id).await?.is_some() => Ok(Moderated::Stale),
            None => Ok(Moderated::Gone),
        }
    }

    /// Deletes the review and frees its guard; false if it was already gone.
    async fn delete(&self, review: &Review) -> Result<bool, StoreError> {
        let delete_review = transact::delete(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(id_key(&review.id)))
                .condition_expression("attribute_exists(id)")
                .build(),
        )?;
        let delete_guard = transact::delete(
            Delete::builder()
                .table_name(&self.table)
                .set_key(Some(id_key(&guard_id(
                    &review.customer_id,
                    &review.product_id,
                ))))
                .build(),
        )?;
        let what = "the review changed meanwhile";
        transact_if(&self.client, vec![delete_review, delete_guard], what).await
    }

    /// One page of a listing, newest first (the moderation queue oldest first).
    async fn list(
        &self,
        listing: &Listing<'_>,
        start: Option<Key>,
        limit: i32,
    ) -> Result<(Vec<Review>, Option<Key>), StoreError> {
        let (index, attribute, value, newest_first) = match listing {
            Listing::ApprovedForProduct(product) => (
                "approved_by_product",
                "approved_product_id",
                s(*product),
                true,
            ),
            Listing::ByCustomer(customer) => ("by_customer", "customer_id", s(*customer), true),
            Listing::ByStatus(status) => ("by_status", "status", status_value(*status)?, false),
        };
        let request = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#key = :value")
            .expression_attribute_names("#key", attribute)
            .expression_attribute_values(":value", value)
            .scan_index_forward(!newest_first)
            .limit(limit);
        decoded_page(request, start).await
    }

    /// Count and average rating of a product's approved reviews.
    async fn summary(&self, product_id: &str) -> Result<Summary, StoreError> {
        let approved = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("approved_by_product")
            .key_condition_expression("approved_product_id = :product")
            .expression_attribute_values(":product", s(product_id))
            .projection_expression("rating");
        let (mut count, mut total) = (0u64, 0i64);
        for item in query_all(approved).await? {
            let rating: i64 = item
                .get("rating")
                .and_then(|v| v.as_n().ok())
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| StoreError::internal("review without rating"))?;
            count += 1;
            total += rating;
        }
        Ok(Summary {
            count,
            average_rating: average(count, total),
        })
    }
}
