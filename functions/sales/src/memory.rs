//! In-process doubles for the saga's tests: the sales table ([`MemorySales`]) and the
//! other services' internal routes ([`MemoryPeers`]), which keep Inventory's reservations
//! and Customers' charges as the real ones do (one ledger entry per sale id, with a
//! tombstone when the undo comes first). Each route can be scripted to refuse, to fail
//! before or after its effect, or to stall until the test lets it go on.

use crate::domain::{FailureReason, Sale, SaleStatus};
use crate::saga::Peers;
use crate::store::{Claim, Sales};
use edge::contracts::customers::{Charge, ChargeStatus, ChargeWallet, Credit, CreditWallet};
use edge::contracts::inventory::{
    Reservation, ReservationStatus, ReserveStock, ReservedLine, Restock, RestockRequest,
};
use edge::contracts::reviews::{InteractionBatch, Recorded};
use edge::cursor::Key;
use edge::error::problem;
use edge::error::FieldError;
use edge::money::Cents;
use edge::service::{Answer, Refusal};
use edge::ApiError;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use storage::idempotency::NextAction;
use storage::StoreError;
use testkit::{page_after, Turns};
use tokio::sync::Notify;

#[derive(Default)]
pub struct MemorySales {
    sales: Mutex<BTreeMap<String, Sale>>,
    delivered: Mutex<HashSet<String>>,
    /// (customer, key) → (fingerprint, sale id)
    keys: Mutex<HashMap<(String, String), (String, String)>>,
    turns: Arc<Turns>,
}

impl MemorySales {
    /// Every operation takes its turn in `turns` first.
    pub fn with_turns(turns: Arc<Turns>) -> Self {
        Self {
            turns,
            ..Self::default()
        }
    }

    pub fn all(&self) -> Vec<Sale> {
        self.sales.lock().unwrap().values().cloned().collect()
    }

    fn finish(&self, id: &str, change: impl FnOnce(&mut Sale)) -> Option<Sale> {
        let mut sales = self.sales.lock().unwrap();
        let sale = sales.get_mut(id).filter(|s| s.is(SaleStatus::Pending))?;
        change(sale);
        Some(sale.clone())
    }
}

impl Sales for MemorySales {
    async fn create(&self, sale: Sale) -> Result<Sale, StoreError> {
        self.turns.step().await;
        let mut sales = self.sales.lock().unwrap();
        Ok(sales.entry(sale.id.clone()).or_insert(sale).clone())
    }

    async fn get(&self, id: &str) -> Result<Option<Sale>, StoreError> {
        self.turns.step().await;
        Ok(self.sales.lock().unwrap().get(id).cloned())
    }

    async fn complete(
        &self,
        sale: &Sale,
        prices: &[Cents],
        total_cents: Cents,
        now: &str,
    ) -> Result<Option<Sale>, StoreError> {
        self.turns.step().await;
        let mut sales = self.sales.lock().unwrap();
        let Some(s) = sales
            .get_mut(&sale.id)
            .filter(|s| s.is(SaleStatus::Pending) && s.claimed_at.is_none())
        else {
            return Ok(None);
        };
        s.status = SaleStatus::Completed;
        for (line, price) in s.items.iter_mut().zip(prices) {
            line.unit_price_cents = Some(*price);
        }
        s.total_cents = Some(total_cents);
        s.updated_at = now.to_string();
        Ok(Some(s.clone()))
    }

    async fn fail(
        &self,
        sale: &Sale,
        reason: FailureReason,
        lines: &[FieldError],
        now: &str,
    ) -> Result<Option<Sale>, StoreError> {
        self.turns.step().await;
        Ok(self.finish(&sale.id, |s| {
            s.status = SaleStatus::Failed;
            s.failure = Some(reason);
            s.failed_lines = lines.to_vec();
            s.updated_at = now.to_string();
        }))
    }

    async fn revise(&self, before: &Sale, after: &Sale) -> Result<Option<Sale>, StoreError> {
        self.turns.step().await;
        let mut sales = self.sales.lock().unwrap();
        let Some(stored) = sales
            .get_mut(&after.id)
            .filter(|s| s.revision == before.revision && s.is_bought())
        else {
            return Ok(None);
        };
        let completed = |sale: &Sale| sale.refunds.len() - sale.pending_refunds().count();
        if completed(after) > completed(stored) {
            self.delivered.lock().unwrap().remove(&after.id);
        }
        *stored = after.clone();
        Ok(Some(after.clone()))
    }

    async fn refunds_pending_past(&self, now: &str) -> Result<Vec<Sale>, StoreError> {
        self.turns.step().await;
        let sales = self.sales.lock().unwrap();
        Ok(sales
            .values()
            .filter(|s| s.pending_refunds().next().is_some() && s.deadline_at.as_str() < now)
            .cloned()
            .collect())
    }

    async fn claim(&self, id: &str, now: &str, claim: Claim) -> Result<Option<Sale>, StoreError> {
        self.turns.step().await;
        let mut sales = self.sales.lock().unwrap();
        let Some(sale) = sales.get_mut(id).filter(|s| {
            s.is(SaleStatus::Pending) && (claim == Claim::Now || s.deadline_at.as_str() < now)
        }) else {
            return Ok(None);
        };
        sale.claimed_at.get_or_insert_with(|| now.to_string());
        Ok(Some(sale.clone()))
    }

    async fn pending_past(&self, now: &str) -> Result<Vec<Sale>, StoreError> {
        self.turns.step().await;
        let sales = self.sales.lock().unwrap();
        Ok(sales
            .values()
            .filter(|s| s.is(SaleStatus::Pending) && s.deadline_at.as_str() < now)
            .cloned()
            .collect())
    }

    async fn mark_delivered(&self, id: &str) -> Result<(), StoreError> {
        self.turns.step().await;
        self.delivered.lock().unwrap().insert(id.to_string());
        Ok(())
    }

    async fn undelivered(&self) -> Result<Vec<Sale>, StoreError> {
        self.turns.step().await;
        let delivered = self.delivered.lock().unwrap();
        let sales = self.sales.lock().unwrap();
        Ok(sales
            .values()
            .filter(|s| s.is_bought() && !delivered.contains(&s.id))
            .cloned()
            .collect())
    }

    async fn bind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        sale_id: &str,
        fingerprint: &str,
    ) -> Result<NextAction<String>, StoreError> {
        self.turns.step().await;
        let mut keys = self.keys.lock().unwrap();
        let id = (customer_id.to_string(), idempotency_key.to_string());
        Ok(match keys.get(&id) {
            Some((bound, sale)) if bound == fingerprint => NextAction::Replay(sale.clone()),
            Some(_) => NextAction::Mismatch,
            None => {
                keys.insert(id, (fingerprint.into(), sale_id.into()));
                NextAction::Proceed
            }
        })
    }

    async fn history(
        &self,
        customer_id: &str,
        start: Option<Key>,
        limit: i32,
    ) -> Result<(Vec<Sale>, Option<Key>), StoreError> {
        self.turns.step().await;
        let sales = self.sales.lock().unwrap();
        let mut completed: Vec<&Sale> = sales
            .values()
            .filter(|s| s.customer_id == customer_id && s.is_bought())
            .collect();
        // The index's order: newest first.
        completed.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
        Ok(page_after(
            &completed,
            |s| &s.id,
            start.as_ref(),
            limit as usize,
        ))
    }

    async fn has_purchased(&self, customer_id: &str, product_id: &str) -> Result<bool, StoreError> {
        self.turns.step().await;
        let sales = self.sales.lock().unwrap();
        Ok(sales.values().any(|s| {
            s.customer_id == customer_id
                && s.product_ids.iter().any(|p| p == product_id)
                && s.is_bought()
        }))
    }

    async fn rebind_key(
        &self,
        customer_id: &str,
        idempotency_key: &str,
        previous: &str,
        sale_id: &str,
    ) -> Result<bool, StoreError> {
        self.turns.step().await;
        let mut keys = self.keys.lock().unwrap();
        match keys.get_mut(&(customer_id.to_string(), idempotency_key.to_string())) {
            Some((_, bound)) if bound == previous => {
                *bound = sale_id.into();
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

/// A route of another service, as the saga calls it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Reserve,
    Release,
    Charge,
    Refund,
    Credit,
    Restock,
    Record,
}

/// What the next call of a route does instead of simply answering.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers as usual (so that a later call of the route can be the one to suffer).
    Answered,
    /// No effect, no answer (a timeout or a 5xx before the work).
    Unavailable,
    /// The effect happens, the answer is lost.
    AnswerLost,
    /// Waits at the route's door until the test opens the gate, then carries on.
    Stall(Arc<Gate>),
    /// No answer now; the call is held in the network and lands when the test says
    /// ([`MemoryPeers::land_late`]), after its caller gave up on it.
    Late,
}

/// A call held in the network by [`Fault::Late`].
enum LateCall {
    Reserve(ReserveStock),
    Release(String),
    Charge(String, ChargeWallet),
    Refund(String, String),
}

/// Where a stalled call waits: the test learns it arrived, then lets it through.
#[derive(Debug, Default)]
pub struct Gate {
    arrived: Notify,
    open: Notify,
}

impl Gate {
    pub fn new() -> Arc<Self> {
        Arc::default()
    }

    /// Waits until a call is stalled here.
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }

    pub fn open(&self) {
        self.open.notify_one();
    }
}

#[derive(Default)]
struct World {
    stock: HashMap<String, i64>,
    prices: HashMap<String, i64>,
    reservations: HashMap<String, Reservation>,
    wallets: HashMap<String, i64>,
    charges: HashMap<String, Charge>,
    credits: HashMap<String, Credit>,
    restocks: HashMap<String, Restock>,
    /// Event id → strength, as last reported.
    interactions: HashMap<String, f32>,
}

#[derive(Default)]
pub struct MemoryPeers {
    world: Mutex<World>,
    faults: Mutex<HashMap<Route, VecDeque<Fault>>>,
    calls: Mutex<HashMap<Route, usize>>,
    late: Mutex<Vec<LateCall>>,
    turns: Arc<Turns>,
}

const NOW: &str = "2026-12-01T00:00:00Z";

fn refused<T>(status: u16, problem: &str) -> Answer<T> {
    Ok(Err(Refusal {
        status,
        problem: problem.into(),
        detail: String::new(),
        errors: Vec::new(),
    }))
}

impl MemoryPeers {
    /// Every call takes its turn in `turns` first.
    pub fn with_turns(self, turns: Arc<Turns>) -> Self {
        Self { turns, ..self }
    }

    pub fn with_product(self, id: &str, price_cents: i64, stock: i64) -> Self {
        let mut world = self.world.lock().unwrap();
        world.prices.insert(id.into(), price_cents);
        world.stock.insert(id.into(), stock);
        drop(world);
        self
    }

    pub fn with_wallet(self, customer_id: &str, balance_cents: i64) -> Self {
        self.world
            .lock()
            .unwrap()
            .wallets
            .insert(customer_id.into(), balance_cents);
        self
    }

    /// The next call of `route` suffers `fault` (faults of one route queue up).
    pub fn fail_next(&self, route: Route, fault: Fault) {
        self.faults
            .lock()
            .unwrap()
            .entry(route)
            .or_default()
            .push_back(fault);
    }

    /// Drops the faults no call has met yet; whether there were any.
    pub fn clear_faults(&self) -> bool {
        let mut faults = self.faults.lock().unwrap();
        let unmet = faults.values().any(|queue| !queue.is_empty());
        faults.clear();
        unmet
    }

    pub fn stock(&self, product_id: &str) -> i64 {
        self.world.lock().unwrap().stock[product_id]
    }

    pub fn balance(&self, customer_id: &str) -> i64 {
        self.world.lock().unwrap().wallets[customer_id]
    }

    pub fn recorded(&self, event_id: &str) -> bool {
        self.strength(event_id).is_some()
    }

    /// The strength of an event as last reported.
    pub fn strength(&self, event_id: &str) -> Option<f32> {
        self.world
            .lock()
            .unwrap()
            .interactions
            .get(event_id)
            .copied()
    }

    /// A product's stock plus the units reservations hold, less what restocks put back:
    /// what it started with, whatever sales and refunds did.
    pub fn stocked(&self, product_id: &str) -> i64 {
        let world = self.world.lock().unwrap();
        let held: i64 = world
            .reservations
            .values()
            .filter(|r| r.status == ReservationStatus::Reserved)
            .flat_map(|r| &r.items)
            .filter(|l| l.product_id == product_id)
            .map(|l| l.quantity)
            .sum();
        let restocked: i64 = world
            .restocks
            .values()
            .flat_map(|r| &r.items)
            .filter(|l| l.product_id == product_id)
            .map(|l| l.quantity)
            .sum();
        world.stock[product_id] + held - restocked
    }

    /// A wallet plus what charges hold, less what credits gave back: what it started with.
    pub fn funds(&self, customer_id: &str) -> i64 {
        let world = self.world.lock().unwrap();
        let charged: i64 = world
            .charges
            .values()
            .filter(|c| c.customer_id == customer_id && c.status == ChargeStatus::Charged)
            .map(|c| c.amount_cents.get())
            .sum();
        let credited: i64 = world
            .credits
            .values()
            .filter(|c| c.customer_id == customer_id)
            .map(|c| c.amount_cents.get())
            .sum();
        world.wallets[customer_id] + charged - credited
    }

    /// Cents given back by the credit of refund `id`, and units by its restock.
    pub fn refunded(&self, id: &str) -> (i64, i64) {
        let world = self.world.lock().unwrap();
        let cents = world.credits.get(id).map_or(0, |c| c.amount_cents.get());
        let units = world
            .restocks
            .get(id)
            .map_or(0, |r| r.items.iter().map(|l| l.quantity).sum());
        (cents, units)
    }

    /// Lands every call held by [`Fault::Late`] (their answers go nowhere).
    pub async fn land_late(&self) {
        let late = std::mem::take(&mut *self.late.lock().unwrap());
        for call in late {
            let _ = match call {
                LateCall::Reserve(request) => self.reserve(&request).await.map(|_| ()),
                LateCall::Release(sale_id) => self.release(&sale_id).await.map(|_| ()),
                LateCall::Charge(customer_id, request) => {
                    self.charge(&customer_id, &request).await.map(|_| ())
                }
                LateCall::Refund(customer_id, sale_id) => {
                    self.refund(&customer_id, &sale_id).await.map(|_| ())
                }
            };
        }
    }

    /// Under a [`Fault::Late`] next for `route`, holds the call for later: true if it did.
    async fn held_back(&self, route: Route, call: impl FnOnce() -> LateCall) -> bool {
        let late = {
            let mut faults = self.faults.lock().unwrap();
            let queue = faults.get_mut(&route);
            let late = queue
                .as_ref()
                .is_some_and(|q| matches!(q.front(), Some(Fault::Late)));
            if late {
                queue.and_then(VecDeque::pop_front);
            }
            late
        };
        if !late {
            return false;
        }
        self.late.lock().unwrap().push(call());
        self.turns.step().await;
        *self.calls.lock().unwrap().entry(route).or_default() += 1;
        true
    }

    pub fn calls(&self, route: Route) -> usize {
        self.calls.lock().unwrap().get(&route).copied().unwrap_or(0)
    }

    /// Units held by live reservations of a sale, and cents held by its live charge.
    pub fn held(&self, sale_id: &str) -> (i64, i64) {
        let world = self.world.lock().unwrap();
        let units = world
            .reservations
            .get(sale_id)
            .filter(|r| r.status == ReservationStatus::Reserved)
            .map_or(0, |r| r.items.iter().map(|l| l.quantity).sum());
        let cents = world
            .charges
            .get(sale_id)
            .filter(|c| c.status == ChargeStatus::Charged)
            .map_or(0, |c| c.amount_cents.get());
        (units, cents)
    }

    /// Runs `effect` as the route would, under its scripted fault.
    async fn call<T>(
        &self,
        route: Route,
        effect: impl FnOnce(&mut World) -> Answer<T>,
    ) -> Answer<T> {
        self.turns.step().await;
        *self.calls.lock().unwrap().entry(route).or_default() += 1;
        let fault = self
            .faults
            .lock()
            .unwrap()
            .get_mut(&route)
            .and_then(VecDeque::pop_front);
        if let Some(Fault::Stall(gate)) = &fault {
            gate.arrived.notify_one();
            gate.open.notified().await;
        }
        if let Some(Fault::Unavailable) = fault {
            return Err(ApiError::Unavailable(format!("{route:?}: no answer")));
        }
        let answer = effect(&mut self.world.lock().unwrap());
        match fault {
            Some(Fault::AnswerLost) => {
                Err(ApiError::Unavailable(format!("{route:?}: answer lost")))
            }
            _ => answer,
        }
    }
}

impl Peers for MemoryPeers {
    async fn reserve(&self, request: &ReserveStock) -> Answer<Reservation> {
        let late = || {
            LateCall::Reserve(ReserveStock {
                sale_id: request.sale_id.clone(),
                items: request.items.clone(),
            })
        };
        if self.held_back(Route::Reserve, late).await {
            return Err(ApiError::Unavailable("reserve: held in the network".into()));
        }
        self.call(Route::Reserve, |world| {
            if let Some(existing) = world.reservations.get(&request.sale_id) {
                let same = existing.status == ReservationStatus::Reserved
                    && existing.is_for(&request.items);
                return if same {
                    Ok(Ok(existing.clone()))
                } else {
                    refused(409, problem::CONFLICT)
                };
            }
            let mut unknown = Vec::new();
            let mut short = Vec::new();
            for (i, line) in request.items.iter().enumerate() {
                match world.stock.get(&line.product_id) {
                    None => unknown.push(FieldError::new(
                        format!("items[{i}].product_id"),
                        "no such product",
                    )),
                    Some(&left) if left < line.quantity => short.push(FieldError::new(
                        format!("items[{i}].quantity"),
                        format!("{left} left in stock"),
                    )),
                    Some(_) => {}
                }
            }
            let refusal = if !unknown.is_empty() {
                Some((404, problem::NOT_FOUND, unknown))
            } else if !short.is_empty() {
                Some((409, problem::OUT_OF_STOCK, short))
            } else {
                None
            };
            if let Some((status, problem, errors)) = refusal {
                return Ok(Err(Refusal {
                    status,
                    problem: problem.into(),
                    detail: String::new(),
                    errors,
                }));
            }
            let mut items = Vec::with_capacity(request.items.len());
            for line in &request.items {
                *world.stock.get_mut(&line.product_id).expect("stock") -= line.quantity;
                items.push(ReservedLine {
                    product_id: line.product_id.clone(),
                    quantity: line.quantity,
                    unit_price_cents: Cents::new(world.prices[&line.product_id]),
                });
            }
            let reservation = Reservation {
                sale_id: request.sale_id.clone(),
                items,
                status: ReservationStatus::Reserved,
                created_at: NOW.into(),
                released_at: None,
            };
            world
                .reservations
                .insert(request.sale_id.clone(), reservation.clone());
            Ok(Ok(reservation))
        })
        .await
    }

    async fn release(&self, sale_id: &str) -> Answer<Reservation> {
        if self
            .held_back(Route::Release, || LateCall::Release(sale_id.into()))
            .await
        {
            return Err(ApiError::Unavailable("release: held in the network".into()));
        }
        self.call(Route::Release, |world| {
            let World {
                reservations,
                stock,
                ..
            } = world;
            let reservation =
                reservations
                    .entry(sale_id.to_string())
                    .or_insert_with(|| Reservation {
                        // A tombstone: the release came first, and a late reserve cannot pass it.
                        sale_id: sale_id.into(),
                        items: Vec::new(),
                        status: ReservationStatus::Released,
                        created_at: NOW.into(),
                        released_at: Some(NOW.into()),
                    });
            if reservation.status == ReservationStatus::Reserved {
                for line in &reservation.items {
                    *stock.get_mut(&line.product_id).expect("stock of a product") += line.quantity;
                }
                reservation.status = ReservationStatus::Released;
                reservation.released_at = Some(NOW.into());
            }
            Ok(Ok(reservation.clone()))
        })
        .await
    }

    async fn restock(&self, request: &RestockRequest) -> Answer<Restock> {
        self.call(Route::Restock, |world| {
            if let Some(existing) = world.restocks.get(&request.restock_id) {
                return Ok(Ok(existing.clone()));
            }
            for line in &request.items {
                *world.stock.get_mut(&line.product_id).expect("stock") += line.quantity;
            }
            let restock = Restock {
                restock_id: request.restock_id.clone(),
                items: request.items.clone(),
                created_at: NOW.into(),
            };
            world
                .restocks
                .insert(request.restock_id.clone(), restock.clone());
            Ok(Ok(restock))
        })
        .await
    }

    async fn credit(&self, customer_id: &str, request: &CreditWallet) -> Answer<Credit> {
        self.call(Route::Credit, |world| {
            if let Some(existing) = world.credits.get(&request.credit_id) {
                return Ok(Ok(existing.clone()));
            }
            let Some(charge) = world
                .charges
                .get_mut(&request.sale_id)
                .filter(|c| c.status == ChargeStatus::Charged && c.customer_id == customer_id)
            else {
                return refused(404, problem::NOT_FOUND);
            };
            if charge.credited_cents.get() + request.amount_cents > charge.amount_cents.get() {
                return refused(409, problem::CONFLICT);
            }
            charge.credited_cents = Cents::new(charge.credited_cents.get() + request.amount_cents);
            *world.wallets.get_mut(customer_id).expect("a wallet") += request.amount_cents;
            let credit = Credit {
                credit_id: request.credit_id.clone(),
                sale_id: request.sale_id.clone(),
                customer_id: customer_id.into(),
                amount_cents: Cents::new(request.amount_cents),
                created_at: NOW.into(),
            };
            world
                .credits
                .insert(request.credit_id.clone(), credit.clone());
            Ok(Ok(credit))
        })
        .await
    }

    async fn charge(&self, customer_id: &str, request: &ChargeWallet) -> Answer<Charge> {
        let late = || {
            LateCall::Charge(
                customer_id.into(),
                ChargeWallet {
                    sale_id: request.sale_id.clone(),
                    amount_cents: request.amount_cents,
                },
            )
        };
        if self.held_back(Route::Charge, late).await {
            return Err(ApiError::Unavailable("charge: held in the network".into()));
        }
        self.call(Route::Charge, |world| {
            if let Some(existing) = world.charges.get(&request.sale_id) {
                let same = existing.status == ChargeStatus::Charged
                    && existing.customer_id == customer_id
                    && existing.amount_cents == Cents::new(request.amount_cents);
                return if same {
                    Ok(Ok(existing.clone()))
                } else {
                    refused(409, problem::CONFLICT)
                };
            }
            let Some(balance) = world.wallets.get_mut(customer_id) else {
                return refused(404, problem::NOT_FOUND);
            };
            let paid = Cents::new(*balance).pay(Cents::new(request.amount_cents));
            let Some(after) = paid.map(Cents::get) else {
                return refused(402, problem::INSUFFICIENT_FUNDS);
            };
            *balance = after;
            let charge = Charge {
                sale_id: request.sale_id.clone(),
                customer_id: customer_id.into(),
                amount_cents: Cents::new(request.amount_cents),
                status: ChargeStatus::Charged,
                created_at: NOW.into(),
                refunded_at: None,
                credited_cents: Cents::ZERO,
            };
            world
                .charges
                .insert(request.sale_id.clone(), charge.clone());
            Ok(Ok(charge))
        })
        .await
    }

    async fn refund(&self, customer_id: &str, sale_id: &str) -> Answer<Charge> {
        let late = || LateCall::Refund(customer_id.into(), sale_id.into());
        if self.held_back(Route::Refund, late).await {
            return Err(ApiError::Unavailable("refund: held in the network".into()));
        }
        self.call(Route::Refund, |world| {
            let World {
                charges, wallets, ..
            } = world;
            let charge = charges
                .entry(sale_id.to_string())
                .or_insert_with(|| Charge {
                    sale_id: sale_id.into(),
                    customer_id: customer_id.into(),
                    amount_cents: Cents::ZERO,
                    status: ChargeStatus::Refunded,
                    created_at: NOW.into(),
                    refunded_at: Some(NOW.into()),
                    credited_cents: Cents::ZERO,
                });
            if charge.status == ChargeStatus::Charged {
                *wallets.get_mut(customer_id).expect("a charged wallet") +=
                    charge.amount_cents.get();
                charge.status = ChargeStatus::Refunded;
                charge.refunded_at = Some(NOW.into());
            }
            Ok(Ok(charge.clone()))
        })
        .await
    }

    async fn record(&self, batch: &InteractionBatch) -> Answer<Recorded> {
        self.call(Route::Record, |world| {
            for interaction in &batch.interactions {
                world
                    .interactions
                    .insert(interaction.event_id.clone(), interaction.strength);
            }
            Ok(Ok(Recorded {
                recorded: batch.interactions.len(),
            }))
        })
        .await
    }
}
