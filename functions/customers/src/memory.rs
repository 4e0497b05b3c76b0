//! An in-process double of the customers table for the handlers' tests. It keeps the
//! rules the DynamoDB store keeps with conditions and transactions: one account per
//! email, active accounts only, the balance ceiling, one deposit per idempotency key,
//! one charge per sale with a tombstone when the refund comes first, and the login
//! window. One lock over everything stands for the store's atomic writes.

use crate::domain::{
    AccountStatus, Charge, ChargeStatus, Credit, CustomerRecord, MAX_BALANCE_CENTS,
};
use crate::sessions::{RefreshRecord, Rotated};
use crate::store::{
    deposit_fingerprint, Changes, Charged, Created, Credited, Customers, Deposited, Taken,
};
use edge::domain::Email;
use edge::money::Cents;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use storage::StoreError;

/// Clones share one table, as the functions of a service share theirs.
#[derive(Clone, Default)]
pub struct MemoryCustomers {
    tables: Arc<Mutex<Tables>>,
}

/// A window of attempts: slots taken (in flight or failed), failures, and its end.
#[derive(Default)]
struct Attempts {
    taken: u32,
    failures: u32,
    expires_at: u64,
}

#[derive(Default)]
struct Tables {
    customers: HashMap<String, CustomerRecord>,
    /// email → customer id
    emails: HashMap<Email, String>,
    /// (customer, key) → (fingerprint, balance answered)
    deposits: HashMap<(String, String), (String, i64)>,
    /// sale id → its charge
    charges: HashMap<String, Charge>,
    credits: HashMap<String, Credit>,
    /// email → (failures, window end)
    /// Attempt counters by id.
    attempts: HashMap<String, Attempts>,
    /// Refresh tokens by hash, and each family's customer and whether it is revoked.
    refresh_tokens: HashMap<String, RefreshRecord>,
    families: HashMap<String, (String, bool)>,
}

impl Tables {
    fn active(&mut self, id: &str) -> Option<&mut CustomerRecord> {
        self.customers
            .get_mut(id)
            .filter(|c| c.status == AccountStatus::Active)
    }

    fn deposit(&mut self, id: &str, amount: Cents, now: &str) -> Deposited {
        let Some(customer) = self.active(id) else {
            return Deposited::NotFound;
        };
        match customer
            .wallet_balance_cents
            .deposit(amount, Cents::new(MAX_BALANCE_CENTS))
        {
            Some(balance) => {
                customer.wallet_balance_cents = balance;
                customer.updated_at = now.into();
                Deposited::Balance(balance)
            }
            None => Deposited::OverLimit,
        }
    }
}

impl MemoryCustomers {
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap()
    }

    /// The money in every wallet plus what every charge still holds (its amount less its
    /// credits): what deposits put in.
    pub fn money(&self) -> i64 {
        let tables = self.tables();
        let wallets: i64 = tables
            .customers
            .values()
            .map(|c| c.wallet_balance_cents.get())
            .sum();
        let held: i64 = tables
            .charges
            .values()
            .filter(|c| c.status == ChargeStatus::Charged)
            .map(|c| c.amount_cents.get() - c.credited_cents.get())
            .sum();
        wallets + held
    }
}

impl Customers for MemoryCustomers {
    async fn create(&self, customer: &CustomerRecord) -> Result<Created, StoreError> {
        let mut tables = self.tables();
        if tables.emails.contains_key(&customer.email)
            || tables.customers.contains_key(&customer.id)
        {
            return Ok(Created::EmailTaken);
        }
        tables
            .emails
            .insert(customer.email.clone(), customer.id.clone());
        tables
            .customers
            .insert(customer.id.clone(), customer.clone());
        Ok(Created::Yes)
    }

    async fn get(&self, id: &str) -> Result<Option<CustomerRecord>, StoreError> {
        Ok(self.tables().customers.get(id).cloned())
    }

    async fn find_by_email(&self, email: &Email) -> Result<Option<CustomerRecord>, StoreError> {
        let mut tables = self.tables();
        let Some(id) = tables.emails.get(email).cloned() else {
            return Ok(None);
        };
        Ok(tables.active(&id).map(|c| c.clone()))
    }

    async fn update(
        &self,
        id: &str,
        changes: Changes,
        now: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let mut tables = self.tables();
        let Some(customer) = tables.active(id) else {
            return Ok(None);
        };
        if let Some(full_name) = changes.full_name {
            customer.full_name = full_name;
        }
        for (field, value) in [
            (&mut customer.username, changes.username),
            (&mut customer.address, changes.address),
            (&mut customer.phone, changes.phone),
        ] {
            if let Some(value) = value {
                *field = value;
            }
        }
        if changes.role.is_some() || changes.password_hash.is_some() {
            customer.token_generation += 1;
        }
        if let Some(role) = changes.role {
            customer.role = role;
        }
        if let Some(hash) = changes.password_hash {
            customer.password_hash = hash;
        }
        customer.updated_at = now.into();
        Ok(Some(customer.clone()))
    }

    async fn delete(&self, customer: &CustomerRecord, now: &str) -> Result<bool, StoreError> {
        let mut tables = self.tables();
        let Some(record) = tables.active(&customer.id) else {
            return Ok(false);
        };
        record.status = AccountStatus::Deleted;
        record.updated_at = now.into();
        if tables.emails.get(&customer.email) == Some(&customer.id) {
            tables.emails.remove(&customer.email);
        }
        Ok(true)
    }

    async fn deposit(&self, id: &str, amount: Cents, now: &str) -> Result<Deposited, StoreError> {
        Ok(self.tables().deposit(id, amount, now))
    }

    async fn deposit_once(
        &self,
        id: &str,
        key: &str,
        amount: Cents,
        now: &str,
    ) -> Result<Deposited, StoreError> {
        let fingerprint = deposit_fingerprint(id, amount);
        let mut tables = self.tables();
        let bound = (id.to_string(), key.to_string());
        if let Some((first, balance)) = tables.deposits.get(&bound) {
            return Ok(if *first == fingerprint {
                Deposited::Balance(Cents::new(*balance))
            } else {
                Deposited::KeyReusedWithOtherRequest
            });
        }
        let outcome = tables.deposit(id, amount, now);
        if let Deposited::Balance(balance) = outcome {
            tables.deposits.insert(bound, (fingerprint, balance.get()));
        }
        Ok(outcome)
    }

    async fn charge(
        &self,
        customer_id: &str,
        sale_id: &str,
        amount: Cents,
        now: &str,
    ) -> Result<Charged, StoreError> {
        let mut tables = self.tables();
        if let Some(existing) = tables.charges.get(sale_id) {
            return Ok(Charged::again(existing.clone(), customer_id, amount));
        }
        let Some(customer) = tables.active(customer_id) else {
            return Ok(Charged::CustomerNotFound);
        };
        let Some(balance) = customer.wallet_balance_cents.pay(amount) else {
            return Ok(Charged::InsufficientFunds);
        };
        customer.wallet_balance_cents = balance;
        customer.updated_at = now.into();
        let charge = Charge {
            sale_id: sale_id.into(),
            customer_id: customer_id.into(),
            amount_cents: amount,
            status: ChargeStatus::Charged,
            created_at: now.into(),
            refunded_at: None,
            credited_cents: Cents::ZERO,
        };
        tables.charges.insert(sale_id.into(), charge.clone());
        Ok(Charged::Yes(charge))
    }

    async fn refund(
        &self,
        customer_id: &str,
        sale_id: &str,
        now: &str,
    ) -> Result<Charge, StoreError> {
        let mut tables = self.tables();
        let Some(existing) = tables.charges.get(sale_id).cloned() else {
            let tombstone = Charge {
                sale_id: sale_id.into(),
                customer_id: customer_id.into(),
                amount_cents: Cents::ZERO,
                status: ChargeStatus::Refunded,
                created_at: now.into(),
                refunded_at: Some(now.into()),
                credited_cents: Cents::ZERO,
            };
            tables.charges.insert(sale_id.into(), tombstone.clone());
            return Ok(tombstone);
        };
        if existing.customer_id != customer_id {
            return Err(StoreError::Conflict(
                "this sale belongs to another customer".into(),
            ));
        }
        if existing.status == ChargeStatus::Refunded {
            return Ok(existing);
        }
        if let Some(customer) = tables.customers.get_mut(customer_id) {
            customer.wallet_balance_cents =
                plus(customer.wallet_balance_cents, existing.amount_cents);
            customer.updated_at = now.into();
        }
        let refunded = Charge {
            status: ChargeStatus::Refunded,
            refunded_at: Some(now.into()),
            ..existing
        };
        tables.charges.insert(sale_id.into(), refunded.clone());
        Ok(refunded)
    }

    async fn credit(&self, credit: Credit) -> Result<Credited, StoreError> {
        let mut tables = self.tables();
        if let Some(existing) = tables.credits.get(&credit.credit_id) {
            return Ok(Credited::again(existing.clone(), &credit));
        }
        if let Err(refused) = Credited::check(tables.charges.get(&credit.sale_id), &credit) {
            return Ok(refused);
        }
        let Some(customer) = tables.customers.get_mut(&credit.customer_id) else {
            return Ok(Credited::NotCharged);
        };
        customer.wallet_balance_cents = plus(customer.wallet_balance_cents, credit.amount_cents);
        customer.updated_at = credit.created_at.clone();
        if let Some(charge) = tables.charges.get_mut(&credit.sale_id) {
            charge.credited_cents = plus(charge.credited_cents, credit.amount_cents);
        }
        tables
            .credits
            .insert(credit.credit_id.clone(), credit.clone());
        Ok(Credited::Yes(credit))
    }

    async fn take_attempt(
        &self,
        counter: &str,
        limit: u32,
        now: u64,
        window_seconds: u64,
    ) -> Result<Taken, StoreError> {
        let mut tables = self.tables();
        let window = tables.attempts.entry(counter.into()).or_default();
        if window.expires_at <= now {
            *window = Attempts {
                expires_at: now + window_seconds,
                ..Attempts::default()
            };
        }
        if window.failures >= limit {
            return Ok(Taken::Spent {
                retry_after: window.expires_at - now,
            });
        }
        if window.taken >= limit {
            return Ok(Taken::Busy);
        }
        window.taken += 1;
        Ok(Taken::Yes)
    }

    async fn start_family(&self, first: &RefreshRecord) -> Result<(), StoreError> {
        let mut tables = self.tables();
        // The table writes a family only where there is none: a revoked one stays revoked.
        if tables.families.contains_key(&first.family) {
            return Err(StoreError::Conflict(
                "this family was started before".into(),
            ));
        }
        tables
            .families
            .insert(first.family.clone(), (first.customer_id.clone(), false));
        tables
            .refresh_tokens
            .insert(first.hash.clone(), first.clone());
        Ok(())
    }

    async fn refresh_token(&self, hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        Ok(self.tables().refresh_tokens.get(hash).cloned())
    }

    async fn rotate(
        &self,
        old: &RefreshRecord,
        next: &RefreshRecord,
    ) -> Result<Rotated, StoreError> {
        let mut tables = self.tables();
        if tables.refresh_tokens.get(&old.hash).is_none_or(|t| t.spent) {
            return Ok(Rotated::AlreadySpent);
        }
        if tables
            .families
            .get(&old.family)
            .is_none_or(|(_, revoked)| *revoked)
        {
            return Ok(Rotated::Revoked);
        }
        if let Some(token) = tables.refresh_tokens.get_mut(&old.hash) {
            token.spent = true;
        }
        tables
            .refresh_tokens
            .insert(next.hash.clone(), next.clone());
        Ok(Rotated::Done)
    }

    async fn revoke_family(&self, family: &str) -> Result<(), StoreError> {
        if let Some((_, revoked)) = self.tables().families.get_mut(family) {
            *revoked = true;
        }
        Ok(())
    }

    async fn session(
        &self,
        id: &str,
        session: &str,
    ) -> Result<(Option<CustomerRecord>, bool), StoreError> {
        let tables = self.tables();
        let live = tables
            .families
            .get(session)
            .is_some_and(|(customer, revoked)| customer == id && !revoked);
        Ok((tables.customers.get(id).cloned(), live))
    }

    async fn count_failure(&self, counter: &str) -> Result<(), StoreError> {
        if let Some(window) = self.tables().attempts.get_mut(counter) {
            window.failures += 1;
        }
        Ok(())
    }

    async fn give_back_attempt(&self, counter: &str) -> Result<(), StoreError> {
        if let Some(window) = self.tables().attempts.get_mut(counter) {
            window.taken = window.taken.saturating_sub(1);
        }
        Ok(())
    }
}

/// A credit to a wallet or a charge: unbounded, as the table's increment (the amounts
/// credited are bounded by what was charged).
fn plus(a: Cents, b: Cents) -> Cents {
    a.checked_add(b).expect("amounts within i64")
}
