//! DynamoDB access for the products and stock-reservations tables.
//! Stock and version change only through conditional updates: never below zero,
//! never on a stale version, never twice for one sale.

use crate::domain::{
    price_lines, search_key, LinesRefused, Product, Reservation, ReservationStatus, Restock,
    StockLine, MAX_STOCK,
};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use edge::cursor::Key;
use edge::money::Cents;
use std::collections::HashMap;
use std::future::Future;
use storage::db::{
    batch_get_all, batch_get_consistent, decoded_page, id_key, n, read, s, text, update_returning,
    Item, UpdateExpr,
};
use storage::ledger::{Ledger, Take};
use storage::StoreError;

pub struct Store {
    client: Client,
    products: String,
    reservations: String,
}

/// The filters of `GET /products`.
#[derive(Debug, Default, Clone)]
pub struct ListFilter {
    pub category: Option<String>,
    pub q: Option<String>,
    pub min_price_cents: Option<i64>,
    pub max_price_cents: Option<i64>,
    pub in_stock: bool,
}

/// The changes of one product update, already validated.
#[derive(Debug, Default)]
pub struct ProductChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub price_cents: Option<Cents>,
    pub stock: Option<i64>,
    pub stock_delta: Option<i64>,
}

#[derive(Debug)]
pub enum Updated {
    Yes(Box<Product>),
    NotFound,
    StaleVersion,
    /// The delta would take stock below zero or above the maximum.
    StockOutOfRange,
}

/// What a restock did.
#[derive(Debug)]
pub enum Restocked {
    /// Put back (now, or by an earlier call with the same restock id: what it put back).
    Done(Restock),
    /// Refused whole: these lines (by index) name no product.
    UnknownProducts(Vec<usize>),
}

#[derive(Debug)]
pub enum Reserved {
    Yes(Reservation),
    Refused(LinesRefused),
    /// The sale id was already used for other lines, or released.
    SaleIdConflict(&'static str),
}

/// What the handlers need of the products and reservations tables: [`Store`] on
/// DynamoDB, and an in-process double for the tests (`crate::memory`).
pub trait Inventory: Sync {
    fn create(&self, product: &Product) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The product with this id, deleted or not.
    fn get(&self, id: &str) -> impl Future<Output = Result<Option<Product>, StoreError>> + Send;
    /// The ids among `ids` of products that exist and are not deleted, each once.
    fn live(&self, ids: &[String]) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// One page of live products matching `filter`, starting after `start`, and the key
    /// to continue from, if there may be more.
    fn list(
        &self,
        filter: &ListFilter,
        start: Option<Key>,
        limit: usize,
    ) -> impl Future<Output = Result<(Vec<Product>, Option<Key>), StoreError>> + Send;
    /// Applies `changes` to a live product, only at `expected_version` when given.
    fn update(
        &self,
        id: &str,
        changes: ProductChanges,
        expected_version: Option<i64>,
        now: &str,
    ) -> impl Future<Output = Result<Updated, StoreError>> + Send;
    /// Soft delete, only at `expected_version` when given: the product stays readable by
    /// id for old sales and reviews.
    fn delete(
        &self,
        id: &str,
        expected_version: Option<i64>,
        now: &str,
    ) -> impl Future<Output = Result<Updated, StoreError>> + Send;
    /// Takes every line's units of live products for a sale at their current prices, all
    /// or none, once per sale id, never below zero. The lines name distinct products.
    fn reserve(
        &self,
        sale_id: &str,
        lines: &[StockLine],
        now: &str,
    ) -> impl Future<Output = Result<Reserved, StoreError>> + Send;
    /// Gives a sale's units back, once; before the reservation, it leaves a tombstone
    /// that refuses the reservation when it arrives.
    fn release(
        &self,
        sale_id: &str,
        now: &str,
    ) -> impl Future<Output = Result<Reservation, StoreError>> + Send;
    /// Puts a refund's units back in stock, once per restock id; an id already used
    /// answers what it put back.
    fn restock(
        &self,
        restock: Restock,
    ) -> impl Future<Output = Result<Restocked, StoreError>> + Send;
}

impl Reserved {
    /// The answer to a reservation whose sale id is already in the ledger: the same
    /// reservation again (a retry), or a conflict.
    pub fn again(existing: Reservation, lines: &[StockLine]) -> Self {
        match existing.status {
            ReservationStatus::Released => {
                Self::SaleIdConflict("this sale's stock was already released")
            }
            ReservationStatus::Reserved if existing.is_for(lines) => Self::Yes(existing),
            ReservationStatus::Reserved => {
                Self::SaleIdConflict("this sale id already reserved other lines")
            }
        }
    }
}

/// The start of every change to a live product: a new version (only from
/// `expected_version`, when given) and a new `updated_at`.
fn versioned_change(expected_version: Option<i64>, now: &str) -> UpdateExpr {
    let mut expr = UpdateExpr::default();
    expr.set("updated_at", s(now))
        .set_clause("#version = #version + :one")
        .name("version")
        .value("one", n(1))
        .condition("attribute_exists(id) AND attribute_not_exists(deleted_at)");
    if let Some(version) = expected_version {
        expr.condition("#version = :expected_version")
            .value("expected_version", n(version));
    }
    expr
}

/// Moves a product's stock by `delta` units (a reservation takes, a release or a restock
/// gives back), with a new version; the caller adds the conditions.
fn stock_change(delta: i64, now: &str) -> UpdateExpr {
    let mut change = UpdateExpr::default();
    change
        .set_clause("#stock = #stock + :delta")
        .set_clause("#version = #version + :one")
        .set("updated_at", s(now))
        .name("stock")
        .name("version")
        .value("delta", n(delta))
        .value("one", n(1));
    change
}

/// Items evaluated per page read; several reads may make one page of results.
const READ_BATCH: i32 = 100;
/// Reads per list request before returning a short page with a cursor.
const MAX_READS: usize = 10;

/// What a reservation answers when the product keeps changing under it.
const BUSY: &str = "the product is changing too fast; retry";

impl Store {
    pub fn new(client: Client, products: String, reservations: String) -> Self {
        Self {
            client,
            products,
            reservations,
        }
    }

    /// Applies a change built by [`versioned_change`], telling why when it is refused.
    async fn apply_change(
        &self,
        id: &str,
        expr: UpdateExpr,
        expected_version: Option<i64>,
    ) -> Result<Updated, StoreError> {
        match update_returning(&self.client, &self.products, id_key(id), expr).await? {
            Some(product) => Ok(Updated::Yes(Box::new(product))),
            None => self.why_not_updated(id, expected_version).await,
        }
    }

    /// Tells which condition of a refused update failed.
    async fn why_not_updated(
        &self,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<Updated, StoreError> {
        Ok(match self.get(id).await? {
            None => Updated::NotFound,
            Some(p) if p.deleted_at.is_some() => Updated::NotFound,
            Some(p) if expected_version.is_some_and(|v| v != p.version) => Updated::StaleVersion,
            Some(_) => Updated::StockOutOfRange,
        })
    }

    /// The reservation entry of a sale (see `storage::ledger`).
    fn ledger(&self, sale_id: &str) -> Ledger<'_> {
        Ledger {
            client: &self.client,
            table: &self.reservations,
            key: ("sale_id", sale_id.to_string()),
            extra: &[],
            busy: BUSY,
        }
    }
}

impl Inventory for Store {
    async fn create(&self, product: &Product) -> Result<(), StoreError> {
        let mut item: Item = storage::db::to_item(product)?;
        item.insert("name_lower".into(), s(search_key(&product.name)));
        self.client
            .put_item()
            .table_name(&self.products)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Product>, StoreError> {
        read(&self.client, &self.products, id_key(id), |_| true).await
    }

    /// The ids among `ids` of products that exist and are not deleted, each once.
    async fn live(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        // A batch read refuses a key named twice.
        let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
        let keys = distinct.into_iter().map(|id| id_key(id)).collect();
        let items =
            batch_get_all(&self.client, &self.products, keys, Some("id, deleted_at")).await?;
        Ok(items
            .into_iter()
            .filter(|item| !item.contains_key("deleted_at"))
            .filter_map(|item| text(&item, "id").map(str::to_string))
            .collect())
    }

    /// One page of live products matching `filter`, starting after `start`.
    /// Returns the products and the key to continue from, if there may be more.
    async fn list(
        &self,
        filter: &ListFilter,
        start: Option<Key>,
        limit: usize,
    ) -> Result<(Vec<Product>, Option<Key>), StoreError> {
        let mut conditions = vec!["attribute_not_exists(deleted_at)".to_string()];
        let mut values: HashMap<String, AttributeValue> = HashMap::new();
        if let Some(q) = &filter.q {
            conditions.push("contains(name_lower, :q)".into());
            values.insert(":q".into(), s(search_key(q)));
        }
        if let Some(min) = filter.min_price_cents {
            conditions.push("price_cents >= :min_price".into());
            values.insert(":min_price".into(), n(min));
        }
        if let Some(max) = filter.max_price_cents {
            conditions.push("price_cents <= :max_price".into());
            values.insert(":max_price".into(), n(max));
        }
        if filter.in_stock {
            conditions.push("stock > :zero".into());
            values.insert(":zero".into(), n(0));
        }
        let filter_expression = conditions.join(" AND ");

        let mut products = Vec::new();
        let mut next = start;
        for _ in 0..MAX_READS {
            let (items, last_key) = match &filter.category {
                Some(category) => {
                    let mut query_values = values.clone();
                    query_values.insert(":category".into(), s(category));
                    let query = self
                        .client
                        .query()
                        .table_name(&self.products)
                        .index_name("by_category")
                        .key_condition_expression("category = :category")
                        .filter_expression(&filter_expression)
                        .set_expression_attribute_values(Some(query_values))
                        .limit(READ_BATCH);
                    decoded_page::<Product>(query, next.take()).await?
                }
                None => {
                    let scan = self
                        .client
                        .scan()
                        .table_name(&self.products)
                        .filter_expression(&filter_expression)
                        .set_expression_attribute_values(
                            (!values.is_empty()).then(|| values.clone()),
                        )
                        .limit(READ_BATCH);
                    decoded_page::<Product>(scan, next.take()).await?
                }
            };
            for product in items {
                products.push(product);
                if products.len() == limit {
                    // Stopped inside a read: continue right after this product.
                    let last = &products[limit - 1];
                    let mut key = id_key(&last.id);
                    if filter.category.is_some() {
                        key.insert("category".into(), s(&last.category));
                    }
                    return Ok((products, Some(key)));
                }
            }
            match last_key {
                Some(key) => next = Some(key),
                None => return Ok((products, None)),
            }
        }
        Ok((products, next))
    }

    /// Applies `changes` to a live product, optionally only at `expected_version`.
    async fn update(
        &self,
        id: &str,
        changes: ProductChanges,
        expected_version: Option<i64>,
        now: &str,
    ) -> Result<Updated, StoreError> {
        let mut expr = versioned_change(expected_version, now);
        if let Some(name) = &changes.name {
            expr.set("name", s(name))
                .set("name_lower", s(search_key(name)));
        }
        if let Some(description) = changes.description {
            expr.set("description", s(description));
        }
        if let Some(category) = changes.category {
            expr.set("category", s(category));
        }
        if let Some(price) = changes.price_cents {
            expr.set("price_cents", n(price));
        }
        if let Some(stock) = changes.stock {
            expr.set("stock", n(stock));
        }
        if let Some(delta) = changes.stock_delta {
            expr.set_clause("#stock = #stock + :delta")
                .name("stock")
                .value("delta", n(delta));
            // Never below 0, never up past the maximum; a stock that refunds' restocks
            // took past it may always move back down.
            if delta > 0 {
                expr.condition("#stock <= :highest")
                    .value("highest", n(MAX_STOCK - delta));
            } else {
                expr.condition("#stock >= :lowest")
                    .value("lowest", n(-delta));
            }
        }
        self.apply_change(id, expr, expected_version).await
    }

    /// Soft delete: the product stays readable by id for old sales and reviews.
    async fn delete(
        &self,
        id: &str,
        expected_version: Option<i64>,
        now: &str,
    ) -> Result<Updated, StoreError> {
        let mut expr = versioned_change(expected_version, now);
        expr.set("deleted_at", s(now));
        self.apply_change(id, expr, expected_version).await
    }

    /// Takes every line's units for a sale at the current prices, once per sale id. The
    /// reservation and every line's stock decrement are one transaction.
    async fn reserve(
        &self,
        sale_id: &str,
        lines: &[StockLine],
        now: &str,
    ) -> Result<Reserved, StoreError> {
        let existing = |existing| Reserved::again(existing, lines);
        let plan = || async {
            let keys = lines.iter().map(|l| id_key(&l.product_id)).collect();
            let products: HashMap<String, Product> =
                batch_get_consistent(&self.client, &self.products, keys)
                    .await?
                    .into_iter()
                    .map(|item| {
                        serde_dynamo::from_item::<_, Product>(item).map(|p| (p.id.clone(), p))
                    })
                    .collect::<Result<_, _>>()?;
            let priced = match price_lines(lines, |id| products.get(id)) {
                Ok(priced) => priced,
                Err(refused) => return Ok(Take::Answer(Reserved::Refused(refused))),
            };
            let mut takes = Vec::with_capacity(priced.len());
            for line in &priced {
                let mut take = stock_change(-line.quantity, now);
                take.value("quantity", n(line.quantity))
                    .value("price", n(line.unit_price_cents))
                    .condition("attribute_exists(id) AND attribute_not_exists(deleted_at)")
                    .condition("#stock >= :quantity AND price_cents = :price");
                takes.push(take.into_transact_update(&self.products, id_key(&line.product_id))?);
            }
            let reservation = Reservation {
                sale_id: sale_id.to_string(),
                items: priced,
                status: ReservationStatus::Reserved,
                created_at: now.to_string(),
                released_at: None,
            };
            Ok(Take::Write(reservation, takes))
        };
        self.ledger(sale_id)
            .take(existing, plan, Reserved::Yes)
            .await
    }

    /// Gives a sale's units back, once. A release for a sale that never reserved leaves a
    /// tombstone, so that a reservation arriving late cannot take stock afterwards.
    async fn release(&self, sale_id: &str, now: &str) -> Result<Reservation, StoreError> {
        let tombstone = || Reservation {
            sale_id: sale_id.to_string(),
            items: Vec::new(),
            status: ReservationStatus::Released,
            created_at: now.to_string(),
            released_at: Some(now.to_string()),
        };
        let give_back = |existing: &Reservation| {
            let lines = existing.items.iter().map(|line| StockLine {
                product_id: line.product_id.clone(),
                quantity: line.quantity,
            });
            self.add_stock(lines, now)
        };
        self.ledger(sale_id)
            .give_back(|_| Ok(()), tombstone, give_back, now)
            .await
    }

    /// Puts a refund's units back, once per restock id: the restock entry and every
    /// line's stock increment are one transaction. A deleted product gets its units
    /// back too, so that stock stays conserved.
    async fn restock(&self, restock: Restock) -> Result<Restocked, StoreError> {
        let ledger = Ledger {
            key: ("sale_id", format!("restock#{}", restock.restock_id)),
            ..self.ledger("")
        };
        let plan = || async {
            let keys = restock
                .items
                .iter()
                .map(|line| id_key(&line.product_id))
                .collect();
            let found = batch_get_consistent(&self.client, &self.products, keys).await?;
            let known: std::collections::HashSet<&str> =
                found.iter().filter_map(|item| text(item, "id")).collect();
            let unknown = crate::domain::unknown_lines(&restock.items, |id| known.contains(id));
            if !unknown.is_empty() {
                return Ok(Take::Answer(Restocked::UnknownProducts(unknown)));
            }
            let adds = self.add_stock(restock.items.iter().cloned(), &restock.created_at)?;
            Ok(Take::Write(restock.clone(), adds))
        };
        ledger.take(Restocked::Done, plan, Restocked::Done).await
    }
}

impl Store {
    /// One increment of stock per line (a release, a restock).
    fn add_stock(
        &self,
        lines: impl Iterator<Item = StockLine>,
        now: &str,
    ) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, StoreError> {
        lines
            .map(|line| {
                let mut add = stock_change(line.quantity, now);
                add.condition("attribute_exists(id)");
                add.into_transact_update(&self.products, id_key(&line.product_id))
            })
            .collect()
    }
}
