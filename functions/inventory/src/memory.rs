//! An in-process double of the products and reservations tables for the handlers'
//! tests. It keeps the rules the DynamoDB store keeps with conditions and transactions:
//! versions checked and bumped on every change, stock within 0..=MAX_STOCK, deleted
//! products hidden and frozen, one reservation per sale at the price of the moment,
//! and a tombstone when the release comes first. One lock stands for the store's
//! atomic writes.
use edge::money::Cents;

use crate::domain::{
    price_lines, search_key, Product, Reservation, ReservationStatus, Restock, StockLine, MAX_STOCK,
};
use crate::store::{Inventory, ListFilter, ProductChanges, Reserved, Restocked, Updated};
use edge::cursor::Key;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use storage::db::s;
use storage::StoreError;

/// Clones share one pair of tables, as the functions of a service share theirs.
#[derive(Clone, Default)]
pub struct MemoryInventory {
    tables: Arc<Mutex<Tables>>,
}

#[derive(Default)]
struct Tables {
    /// By id: listings come in id order.
    products: BTreeMap<String, Product>,
    reservations: HashMap<String, Reservation>,
    restocks: HashMap<String, Restock>,
}

impl Tables {
    fn add_stock(&mut self, product_id: &str, units: i64, now: &str) {
        if let Some(product) = self.products.get_mut(product_id) {
            product.stock += units;
            product.version += 1;
            product.updated_at = now.into();
        }
    }
}

impl Tables {
    /// A live product to change, at `expected_version` when given.
    fn live_at(
        &mut self,
        id: &str,
        expected_version: Option<i64>,
    ) -> Result<&mut Product, Updated> {
        let product = self
            .products
            .get_mut(id)
            .filter(|p| p.deleted_at.is_none())
            .ok_or(Updated::NotFound)?;
        if expected_version.is_some_and(|v| v != product.version) {
            return Err(Updated::StaleVersion);
        }
        Ok(product)
    }
}

impl MemoryInventory {
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap()
    }

    /// A product's stock plus every unit its reservations hold, less what refunds put
    /// back: what was stocked.
    pub fn units(&self, product_id: &str) -> i64 {
        let tables = self.tables();
        let stock = tables.products.get(product_id).map_or(0, |p| p.stock);
        let of_product = |line: &StockLine| line.product_id == product_id;
        let held: i64 = tables
            .reservations
            .values()
            .filter(|r| r.status == ReservationStatus::Reserved)
            .flat_map(|r| &r.items)
            .filter(|line| line.product_id == product_id)
            .map(|line| line.quantity)
            .sum();
        let restocked: i64 = tables
            .restocks
            .values()
            .flat_map(|r| &r.items)
            .filter(|line| of_product(line))
            .map(|line| line.quantity)
            .sum();
        stock + held - restocked
    }
}

fn matches(product: &Product, filter: &ListFilter) -> bool {
    product.deleted_at.is_none()
        && filter
            .category
            .as_ref()
            .is_none_or(|c| *c == product.category)
        && filter
            .q
            .as_ref()
            .is_none_or(|q| search_key(&product.name).contains(&search_key(q)))
        && filter
            .min_price_cents
            .is_none_or(|min| product.price_cents >= Cents::new(min))
        && filter
            .max_price_cents
            .is_none_or(|max| product.price_cents <= Cents::new(max))
        && (!filter.in_stock || product.stock > 0)
}

impl Inventory for MemoryInventory {
    async fn create(&self, product: &Product) -> Result<(), StoreError> {
        let mut tables = self.tables();
        if tables.products.contains_key(&product.id) {
            return Err(StoreError::Conflict("product id taken".into()));
        }
        tables.products.insert(product.id.clone(), product.clone());
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Product>, StoreError> {
        Ok(self.tables().products.get(id).cloned())
    }

    async fn live(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let tables = self.tables();
        let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
        Ok(distinct
            .into_iter()
            .filter(|id| {
                tables
                    .products
                    .get(*id)
                    .is_some_and(|p| p.deleted_at.is_none())
            })
            .cloned()
            .collect())
    }

    async fn list(
        &self,
        filter: &ListFilter,
        start: Option<Key>,
        limit: usize,
    ) -> Result<(Vec<Product>, Option<Key>), StoreError> {
        let from = match start.as_ref().and_then(|key| key.get("id")?.as_s().ok()) {
            Some(id) => Bound::Excluded(id.clone()),
            None => Bound::Unbounded,
        };
        let tables = self.tables();
        let mut page: Vec<Product> = tables
            .products
            .range((from, Bound::Unbounded))
            .map(|(_, product)| product)
            .filter(|product| matches(product, filter))
            .take(limit + 1)
            .cloned()
            .collect();
        let more = page.len() > limit;
        page.truncate(limit);
        let next = more
            .then(|| page.last())
            .flatten()
            .map(|last| Key::from([("id".to_string(), s(&last.id))]));
        Ok((page, next))
    }

    async fn update(
        &self,
        id: &str,
        changes: ProductChanges,
        expected_version: Option<i64>,
        now: &str,
    ) -> Result<Updated, StoreError> {
        let mut tables = self.tables();
        let product = match tables.live_at(id, expected_version) {
            Ok(product) => product,
            Err(refused) => return Ok(refused),
        };
        let stock = match (changes.stock, changes.stock_delta) {
            // Never below 0, never up past the maximum; a stock that refunds' restocks
            // took past it may always move back down.
            (_, Some(delta)) if delta > 0 && product.stock + delta > MAX_STOCK => {
                return Ok(Updated::StockOutOfRange)
            }
            (_, Some(delta)) if product.stock + delta < 0 => return Ok(Updated::StockOutOfRange),
            (_, Some(delta)) => product.stock + delta,
            (Some(stock), None) => stock,
            (None, None) => product.stock,
        };
        product.stock = stock;
        if let Some(name) = changes.name {
            product.name = name;
        }
        if let Some(description) = changes.description {
            product.description = description;
        }
        if let Some(category) = changes.category {
            product.category = category;
        }
        if let Some(price) = changes.price_cents {
            product.price_cents = price;
        }
        product.version += 1;
        product.updated_at = now.into();
        Ok(Updated::Yes(Box::new(product.clone())))
    }

    async fn delete(
        &self,
        id: &str,
        expected_version: Option<i64>,
        now: &str,
    ) -> Result<Updated, StoreError> {
        let mut tables = self.tables();
        let product = match tables.live_at(id, expected_version) {
            Ok(product) => product,
            Err(refused) => return Ok(refused),
        };
        product.version += 1;
        product.updated_at = now.into();
        product.deleted_at = Some(now.into());
        Ok(Updated::Yes(Box::new(product.clone())))
    }

    async fn reserve(
        &self,
        sale_id: &str,
        lines: &[StockLine],
        now: &str,
    ) -> Result<Reserved, StoreError> {
        let mut tables = self.tables();
        if let Some(existing) = tables.reservations.get(sale_id) {
            return Ok(Reserved::again(existing.clone(), lines));
        }
        let priced = match price_lines(lines, |id| tables.products.get(id)) {
            Ok(priced) => priced,
            Err(refused) => return Ok(Reserved::Refused(refused)),
        };
        for line in &priced {
            tables.add_stock(&line.product_id, -line.quantity, now);
        }
        let reservation = Reservation {
            sale_id: sale_id.into(),
            items: priced,
            status: ReservationStatus::Reserved,
            created_at: now.into(),
            released_at: None,
        };
        tables
            .reservations
            .insert(sale_id.into(), reservation.clone());
        Ok(Reserved::Yes(reservation))
    }

    async fn release(&self, sale_id: &str, now: &str) -> Result<Reservation, StoreError> {
        let mut tables = self.tables();
        let Some(existing) = tables.reservations.get(sale_id).cloned() else {
            let tombstone = Reservation {
                sale_id: sale_id.into(),
                items: Vec::new(),
                status: ReservationStatus::Released,
                created_at: now.into(),
                released_at: Some(now.into()),
            };
            tables
                .reservations
                .insert(sale_id.into(), tombstone.clone());
            return Ok(tombstone);
        };
        if existing.status == ReservationStatus::Released {
            return Ok(existing);
        }
        for line in &existing.items {
            tables.add_stock(&line.product_id, line.quantity, now);
        }
        let released = Reservation {
            status: ReservationStatus::Released,
            released_at: Some(now.into()),
            ..existing
        };
        tables.reservations.insert(sale_id.into(), released.clone());
        Ok(released)
    }

    async fn restock(&self, restock: Restock) -> Result<Restocked, StoreError> {
        let mut tables = self.tables();
        if let Some(existing) = tables.restocks.get(&restock.restock_id) {
            return Ok(Restocked::Done(existing.clone()));
        }
        let unknown =
            crate::domain::unknown_lines(&restock.items, |id| tables.products.contains_key(id));
        if !unknown.is_empty() {
            return Ok(Restocked::UnknownProducts(unknown));
        }
        for line in &restock.items {
            tables.add_stock(&line.product_id, line.quantity, &restock.created_at);
        }
        tables
            .restocks
            .insert(restock.restock_id.clone(), restock.clone());
        Ok(Restocked::Done(restock))
    }
}
