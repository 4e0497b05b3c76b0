//! DynamoDB access for the Customers table.
//!
//! One table keyed by `id` holds, told apart by `kind`:
//! - customers (`id` = ULID),
//! - unique-email guards (`email#<normalized email>` → `customer_id`), written in the
//!   same transaction as the customer so two registrations cannot share an email,
//! - login-failure counters (`login#<normalized email>`), expiring with `expires_at`,
//! - idempotency records of deposits (`idem#<customer id>#<key>`), expiring too,
//! - the charges of sales (`charge#<sale id>`), a ledger entry each (`storage::ledger`).

use crate::domain::{
    AccountStatus, Charge, ChargeStatus, Credit, CustomerRecord, MAX_BALANCE_CENTS,
};
use crate::sessions::{RefreshRecord, Rotated};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, ReturnValue, Update};
use aws_sdk_dynamodb::Client;
use edge::auth::Role;
use edge::domain::Email;
use edge::money::Cents;

use std::future::Future;
use storage::db::{
    applied, id_key, is_condition_failure, n, read, read_item, s, text, update_returning, Item,
    UpdateExpr,
};
use storage::idempotency::{self, NextAction};
use storage::ledger::{Ledger, Take};
use storage::transact::{self, put_guarded, transact, transact_if};
use storage::StoreError;

pub struct Store {
    client: Client,
    table: String,
}

pub enum Created {
    Yes,
    EmailTaken,
}

pub enum Deposited {
    Balance(Cents),
    NotFound,
    OverLimit,
    KeyReusedWithOtherRequest,
}

/// A profile update: each `Some` sets its field; for the optional fields, `Some(None)`
/// clears it.
#[derive(Default)]
pub struct Changes {
    pub full_name: Option<String>,
    pub username: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub role: Option<Role>,
    pub password_hash: Option<String>,
}

/// What the handlers need of the customers table: [`Store`] on DynamoDB, and an
/// in-process double for the tests (`crate::memory`).
pub trait Customers: Sync {
    /// Writes the customer and claims its email, both or neither.
    fn create(
        &self,
        customer: &CustomerRecord,
    ) -> impl Future<Output = Result<Created, StoreError>> + Send;
    /// The customer with this id, active or deleted.
    fn get(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<CustomerRecord>, StoreError>> + Send;
    /// The active customer with this (normalized) email.
    fn find_by_email(
        &self,
        email: &Email,
    ) -> impl Future<Output = Result<Option<CustomerRecord>, StoreError>> + Send;
    /// Applies a profile update to an active customer; `None` if there is none.
    fn update(
        &self,
        id: &str,
        changes: Changes,
        now: &str,
    ) -> impl Future<Output = Result<Option<CustomerRecord>, StoreError>> + Send;
    /// Marks an active customer deleted and frees their email; false if there was none.
    fn delete(
        &self,
        customer: &CustomerRecord,
        now: &str,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Adds to an active wallet, up to the balance ceiling.
    fn deposit(
        &self,
        id: &str,
        amount: Cents,
        now: &str,
    ) -> impl Future<Output = Result<Deposited, StoreError>> + Send;
    /// [`Customers::deposit`] at most once per idempotency key: a retry answers exactly
    /// the first answer.
    fn deposit_once(
        &self,
        id: &str,
        key: &str,
        amount: Cents,
        now: &str,
    ) -> impl Future<Output = Result<Deposited, StoreError>> + Send;
    /// Takes a sale's total from an active wallet, once per sale id, never below zero.
    fn charge(
        &self,
        customer_id: &str,
        sale_id: &str,
        amount: Cents,
        now: &str,
    ) -> impl Future<Output = Result<Charged, StoreError>> + Send;
    /// Gives a sale's charge back, once; before the charge, it leaves a tombstone that
    /// refuses the charge when it arrives.
    fn refund(
        &self,
        customer_id: &str,
        sale_id: &str,
        now: &str,
    ) -> impl Future<Output = Result<Charge, StoreError>> + Send;
    /// Gives part of a sale's charge back to the wallet, once per credit id, never more
    /// over all credits of the sale than the charge.
    fn credit(&self, credit: Credit) -> impl Future<Output = Result<Credited, StoreError>> + Send;
    /// Takes one of the `limit` attempts that a counter (see `crate::guesses`) allows per
    /// window, opening a window of `window_seconds` when none is open. Atomic: parallel
    /// attempts never take more than `limit`.
    fn take_attempt(
        &self,
        counter: &str,
        limit: u32,
        now: u64,
        window_seconds: u64,
    ) -> impl Future<Output = Result<Taken, StoreError>> + Send;
    /// The attempt succeeded: its slot is free again.
    fn give_back_attempt(
        &self,
        counter: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The attempt failed: its slot stays taken for the window, and counts as a failure.
    fn count_failure(&self, counter: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Starts a login's family of refresh tokens with its first one.
    fn start_family(
        &self,
        first: &RefreshRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The refresh token stored under a hash.
    fn refresh_token(
        &self,
        hash: &str,
    ) -> impl Future<Output = Result<Option<RefreshRecord>, StoreError>> + Send;
    /// Spends `old` for `next` (one family), both or neither: only if `old` is unspent and
    /// its family not revoked.
    fn rotate(
        &self,
        old: &RefreshRecord,
        next: &RefreshRecord,
    ) -> impl Future<Output = Result<Rotated, StoreError>> + Send;
    /// No token of the family refreshes any more, and its access tokens stop being
    /// current (they name it: `sid`).
    fn revoke_family(&self, family: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The customer with this id, active or deleted, and whether their login `session`
    /// (a family of refresh tokens) is live: theirs, neither logged out nor revoked. What
    /// decides whether an access token is current, in one read.
    fn session(
        &self,
        id: &str,
        session: &str,
    ) -> impl Future<Output = Result<(Option<CustomerRecord>, bool), StoreError>> + Send;
}

/// How taking an attempt went.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    Yes,
    /// The window's failures reached the limit: no attempt until it closes, in `retry_after`
    /// seconds.
    Spent {
        retry_after: u64,
    },
    /// Attempts still being checked fill the window; one may be free in a moment.
    Busy,
}

pub enum Charged {
    Yes(Charge),
    CustomerNotFound,
    InsufficientFunds,
    SaleIdConflict(&'static str),
}

impl Charged {
    /// The answer to a charge whose sale id is already in the ledger: the same charge
    /// again (a retry), or a conflict.
    pub fn again(existing: Charge, customer_id: &str, amount: Cents) -> Self {
        match existing.status {
            ChargeStatus::Refunded => Self::SaleIdConflict("this sale was already refunded"),
            ChargeStatus::Charged
                if existing.customer_id == customer_id && existing.amount_cents == amount =>
            {
                Self::Yes(existing)
            }
            ChargeStatus::Charged => {
                Self::SaleIdConflict("this sale id already charged another amount")
            }
        }
    }
}

pub enum Credited {
    Yes(Credit),
    /// The customer has no charge for the sale, or it was given back whole.
    NotCharged,
    /// More than what is left of the charge.
    BeyondCharge,
    /// The credit id was used for another sale, customer or amount.
    CreditIdConflict,
}

impl Credited {
    /// The answer to a credit whose id is already in the ledger.
    pub fn again(existing: Credit, asked: &Credit) -> Self {
        let same = existing.sale_id == asked.sale_id
            && existing.customer_id == asked.customer_id
            && existing.amount_cents == asked.amount_cents;
        if same {
            Self::Yes(existing)
        } else {
            Self::CreditIdConflict
        }
    }

    /// Whether `charge` can give `credit` back: what is left of it after earlier credits.
    pub fn check(charge: Option<&Charge>, credit: &Credit) -> Result<(), Self> {
        match charge {
            Some(c) if c.status == ChargeStatus::Charged && c.customer_id == credit.customer_id => {
                if c.credited_cents
                    .checked_add(credit.amount_cents)
                    .is_some_and(|total| total <= c.amount_cents)
                {
                    Ok(())
                } else {
                    Err(Self::BeyondCharge)
                }
            }
            _ => Err(Self::NotCharged),
        }
    }
}

/// What an `Idempotency-Key` of a deposit is bound to: the same key for another wallet
/// or amount is another request.
pub fn deposit_fingerprint(customer_id: &str, amount: Cents) -> String {
    idempotency::fingerprint(&format!("deposit:{customer_id}:{amount}"))
}

/// Attempts of an optimistic read-then-write before giving up with 409.
const MAX_ATTEMPTS: usize = 8;

fn refresh_id(hash: &str) -> String {
    format!("refresh#{hash}")
}

fn family_id(family: &str) -> String {
    format!("family#{family}")
}

fn refresh_item(record: &RefreshRecord) -> Result<Item, StoreError> {
    let mut item = storage::db::to_item(record)?;
    item.insert("id".into(), s(refresh_id(&record.hash)));
    item.insert("kind".into(), s("refresh_token"));
    Ok(item)
}

fn guard_id(email: &Email) -> String {
    format!("email#{email}")
}

fn charge_id(sale_id: &str) -> String {
    format!("charge#{sale_id}")
}

/// What a charge answers when the wallet keeps changing under it.
const BUSY: &str = "the wallet is changing too fast; retry";

impl Store {
    pub fn new(client: Client, table: String) -> Self {
        Self { client, table }
    }

    /// The charge entry of a sale (see `storage::ledger`), beside the customers.
    fn ledger(&self, sale_id: &str) -> Ledger<'_> {
        Ledger {
            client: &self.client,
            table: &self.table,
            key: ("id", charge_id(sale_id)),
            extra: &[("kind", "charge")],
            busy: BUSY,
        }
    }
}

impl Customers for Store {
    /// Writes the customer and its email guard atomically.
    async fn create(&self, customer: &CustomerRecord) -> Result<Created, StoreError> {
        let mut record: Item = storage::db::to_item(customer)?;
        record.insert("kind".into(), s("customer"));
        let guard = Item::from([
            ("id".to_string(), s(guard_id(&customer.email))),
            ("kind".to_string(), s("email")),
            ("customer_id".to_string(), s(&customer.id)),
        ]);
        let what = "the registration met another";
        Ok(
            match put_guarded(&self.client, &self.table, record, guard, what).await? {
                true => Created::Yes,
                false => Created::EmailTaken,
            },
        )
    }

    /// The customer with this id, active or deleted.
    async fn get(&self, id: &str) -> Result<Option<CustomerRecord>, StoreError> {
        let is_customer = |item: &Item| text(item, "kind") == Some("customer");
        read(&self.client, &self.table, id_key(id), is_customer).await
    }

    /// The active customer with this (normalized) email.
    async fn find_by_email(&self, email: &Email) -> Result<Option<CustomerRecord>, StoreError> {
        let guard = read_item(&self.client, &self.table, id_key(&guard_id(email))).await?;
        let Some(customer_id) = guard.as_ref().and_then(|item| text(item, "customer_id")) else {
            return Ok(None);
        };
        Ok(self
            .get(customer_id)
            .await?
            .filter(|c| c.status == AccountStatus::Active))
    }

    /// Applies a profile update to an active customer; `None` if there is none.
    async fn update(
        &self,
        id: &str,
        changes: Changes,
        now: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let mut expr = UpdateExpr::default();
        expr.set("updated_at", s(now))
            .condition("attribute_exists(id) AND #status = :active")
            .name("status")
            .value("active", s("active"));
        if let Some(full_name) = changes.full_name {
            expr.set("full_name", s(full_name));
        }
        for (name, value) in [
            ("username", changes.username),
            ("address", changes.address),
            ("phone", changes.phone),
        ] {
            match value {
                Some(Some(value)) => expr.set(name, s(value)),
                Some(None) => expr.remove(name),
                None => &mut expr,
            };
        }
        // A new password or role: tokens issued before stop being current.
        if changes.role.is_some() || changes.password_hash.is_some() {
            expr.set_clause("#token_generation = if_not_exists(#token_generation, :zero) + :one")
                .name("token_generation")
                .value("zero", n(0))
                .value("one", n(1));
        }
        if let Some(role) = changes.role {
            expr.set("role", serde_dynamo::to_attribute_value(role)?);
        }
        if let Some(hash) = changes.password_hash {
            expr.set("password_hash", s(hash));
        }
        update_returning(&self.client, &self.table, id_key(id), expr).await
    }

    /// Marks the customer deleted and frees their email; false if there was none.
    async fn delete(&self, customer: &CustomerRecord, now: &str) -> Result<bool, StoreError> {
        let mark_deleted = transact::update(
            Update::builder()
                .table_name(&self.table)
                .key("id", s(&customer.id))
                .update_expression("SET #status = :deleted, updated_at = :now")
                .condition_expression("#status = :active")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":deleted", s("deleted"))
                .expression_attribute_values(":active", s("active"))
                .expression_attribute_values(":now", s(now))
                .build(),
        )?;
        let free_email = transact::delete(
            Delete::builder()
                .table_name(&self.table)
                .key("id", s(guard_id(&customer.email)))
                .condition_expression("attribute_not_exists(id) OR customer_id = :id")
                .expression_attribute_values(":id", s(&customer.id))
                .build(),
        )?;
        let what = "the account changed during deletion";
        transact_if(&self.client, vec![mark_deleted, free_email], what).await
    }

    /// Adds to an active wallet atomically.
    async fn deposit(&self, id: &str, amount: Cents, now: &str) -> Result<Deposited, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(id))
            .update_expression(
                "SET wallet_balance_cents = wallet_balance_cents + :amount, updated_at = :now",
            )
            .condition_expression(
                "#kind = :customer AND #status = :active AND wallet_balance_cents <= :ceiling",
            )
            .expression_attribute_names("#kind", "kind")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":customer", s("customer"))
            .expression_attribute_values(":active", s("active"))
            .expression_attribute_values(":amount", n(amount))
            .expression_attribute_values(":ceiling", n(MAX_BALANCE_CENTS - amount.get()))
            .expression_attribute_values(":now", s(now))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(output) => {
                let record: CustomerRecord =
                    serde_dynamo::from_item(output.attributes.unwrap_or_default())?;
                Ok(Deposited::Balance(record.wallet_balance_cents))
            }
            Err(err) if is_condition_failure(&err) => Ok(match self.get(id).await? {
                Some(c) if c.status == AccountStatus::Active => Deposited::OverLimit,
                _ => Deposited::NotFound,
            }),
            Err(err) => Err(err.into()),
        }
    }

    /// Adds to a wallet at most once per idempotency key. The key's record stores the
    /// resulting balance and is written in the same transaction as the new balance, so a
    /// retry returns exactly the first answer and a crash cannot leave one without the other.
    async fn deposit_once(
        &self,
        id: &str,
        key: &str,
        amount: Cents,
        now: &str,
    ) -> Result<Deposited, StoreError> {
        let fingerprint = deposit_fingerprint(id, amount);
        for _attempt in 0..MAX_ATTEMPTS {
            let balance = |record: &Item| {
                record
                    .get("wallet_balance_cents")?
                    .as_n()
                    .ok()?
                    .parse()
                    .ok()
                    .map(Cents::new)
            };
            match idempotency::look_up(&self.client, &self.table, id, key, &fingerprint)
                .await?
                .read(balance)?
            {
                NextAction::Replay(balance) => return Ok(Deposited::Balance(balance)),
                NextAction::Mismatch => return Ok(Deposited::KeyReusedWithOtherRequest),
                NextAction::Proceed => {}
            }
            let customer = match self.get(id).await? {
                Some(c) if c.status == AccountStatus::Active => c,
                _ => return Ok(Deposited::NotFound),
            };
            let old = customer.wallet_balance_cents;
            let Some(new) = old.deposit(amount, Cents::new(MAX_BALANCE_CENTS)) else {
                return Ok(Deposited::OverLimit);
            };
            let saved = Item::from([("wallet_balance_cents".to_string(), n(new))]);
            let remember = idempotency::put(&self.table, id, key, &fingerprint, saved)?;
            let credit = transact::update(
                Update::builder()
                    .table_name(&self.table)
                    .key("id", s(id))
                    .update_expression("SET wallet_balance_cents = :new, updated_at = :now")
                    .condition_expression("#status = :active AND wallet_balance_cents = :old")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":active", s("active"))
                    .expression_attribute_values(":old", n(old))
                    .expression_attribute_values(":new", n(new))
                    .expression_attribute_values(":now", s(now))
                    .build(),
            )?;
            let items = vec![remember, credit];
            match transact(&self.client, items).await? {
                Ok(()) => return Ok(Deposited::Balance(new)),
                // The key was used meanwhile, or the balance moved: look again.
                Err(_) => continue,
            }
        }
        Err(StoreError::Conflict(BUSY.into()))
    }

    /// Takes a sale's total from an active wallet, once per sale id. The charge record
    /// and the debit are one transaction; the debit never takes the balance below zero.
    async fn charge(
        &self,
        customer_id: &str,
        sale_id: &str,
        amount: Cents,
        now: &str,
    ) -> Result<Charged, StoreError> {
        let existing = |existing| Charged::again(existing, customer_id, amount);
        let plan = || async {
            let customer = match self.get(customer_id).await? {
                Some(c) if c.status == AccountStatus::Active => c,
                _ => return Ok(Take::Answer(Charged::CustomerNotFound)),
            };
            if customer.wallet_balance_cents.pay(amount).is_none() {
                return Ok(Take::Answer(Charged::InsufficientFunds));
            }
            let charge = Charge {
                sale_id: sale_id.to_string(),
                customer_id: customer_id.to_string(),
                amount_cents: amount,
                status: ChargeStatus::Charged,
                created_at: now.to_string(),
                refunded_at: None,
                credited_cents: Cents::ZERO,
            };
            let mut debit = UpdateExpr::default();
            debit
                .set_clause("#wallet_balance_cents = #wallet_balance_cents - :amount")
                .name("wallet_balance_cents")
                .value("amount", n(amount))
                .set("updated_at", s(now))
                .condition("#status = :active AND #wallet_balance_cents >= :amount")
                .name("status")
                .value("active", s("active"));
            let debit = debit.into_transact_update(&self.table, id_key(customer_id))?;
            Ok(Take::Write(charge, vec![debit]))
        };
        self.ledger(sale_id)
            .take(existing, plan, Charged::Yes)
            .await
    }

    /// Gives a sale's charge back, once. A refund for a sale that was never charged leaves
    /// a tombstone, so that a charge arriving late cannot take money afterwards.
    async fn refund(
        &self,
        customer_id: &str,
        sale_id: &str,
        now: &str,
    ) -> Result<Charge, StoreError> {
        let check = |existing: &Charge| {
            if existing.customer_id == customer_id {
                Ok(())
            } else {
                Err(StoreError::Conflict(
                    "this sale belongs to another customer".into(),
                ))
            }
        };
        let tombstone = || Charge {
            sale_id: sale_id.to_string(),
            customer_id: customer_id.to_string(),
            amount_cents: Cents::ZERO,
            status: ChargeStatus::Refunded,
            created_at: now.to_string(),
            refunded_at: Some(now.to_string()),
            credited_cents: Cents::ZERO,
        };
        let credit = |existing: &Charge| {
            let mut credit = UpdateExpr::default();
            credit
                .set_clause("#wallet_balance_cents = #wallet_balance_cents + :amount")
                .name("wallet_balance_cents")
                .value("amount", n(existing.amount_cents))
                .set("updated_at", s(now))
                .condition("attribute_exists(id)");
            Ok(vec![credit.into_transact_update(
                &self.table,
                id_key(&existing.customer_id),
            )?])
        };
        self.ledger(sale_id)
            .give_back(check, tombstone, credit, now)
            .await
    }

    /// The credit entry, the wallet's increment and the charge's `credited_cents` are one
    /// transaction, the last conditional on the amount credited as read.
    async fn credit(&self, credit: Credit) -> Result<Credited, StoreError> {
        let ledger = Ledger {
            key: ("id", format!("credit#{}", credit.credit_id)),
            extra: &[("kind", "credit")],
            ..self.ledger(&credit.sale_id)
        };
        let existing = |existing| Credited::again(existing, &credit);
        let plan = || async {
            let charge: Option<Charge> = self.ledger(&credit.sale_id).read().await?;
            if let Err(refused) = Credited::check(charge.as_ref(), &credit) {
                return Ok(Take::Answer(refused));
            }
            let already = charge.map_or(Cents::ZERO, |c| c.credited_cents);
            let mut wallet = UpdateExpr::default();
            wallet
                .set_clause("#wallet_balance_cents = #wallet_balance_cents + :amount")
                .name("wallet_balance_cents")
                .value("amount", n(credit.amount_cents))
                .set("updated_at", s(&credit.created_at))
                .condition("attribute_exists(id)");
            let mut credited = UpdateExpr::default();
            credited
                .set(
                    "credited_cents",
                    n(already
                        .checked_add(credit.amount_cents)
                        .ok_or_else(|| StoreError::internal("a credit past the largest amount"))?),
                )
                .name("status")
                .value("charged", s("charged"))
                .value("already", n(already))
                .condition("#status = :charged")
                .condition("(attribute_not_exists(credited_cents) OR credited_cents = :already)");
            let charge_key = id_key(&charge_id(&credit.sale_id));
            Ok(Take::Write(
                credit.clone(),
                vec![
                    wallet.into_transact_update(&self.table, id_key(&credit.customer_id))?,
                    credited.into_transact_update(&self.table, charge_key)?,
                ],
            ))
        };
        ledger.take(existing, plan, Credited::Yes).await
    }

    async fn take_attempt(
        &self,
        counter: &str,
        limit: u32,
        now: u64,
        window_seconds: u64,
    ) -> Result<Taken, StoreError> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(counter))
            .update_expression("SET attempts = attempts + :one")
            .condition_expression("expires_at > :now AND attempts < :limit")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":limit", n(limit))
            .send()
            .await;
        if applied(counted)? {
            return Ok(Taken::Yes);
        }
        let current = read_item(&self.client, &self.table, id_key(counter)).await?;
        let number = |name: &str| {
            current
                .as_ref()
                .and_then(|item| item.get(name)?.as_n().ok()?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        let expires_at = number("expires_at");
        if expires_at > now {
            return Ok(if number("failures") >= u64::from(limit) {
                Taken::Spent {
                    retry_after: expires_at - now,
                }
            } else {
                Taken::Busy
            });
        }
        // No window open: open one with this attempt (a racing opener makes this one wait).
        let opened = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("id", s(counter))
            .item("kind", s("attempts"))
            .item("attempts", n(1))
            .item("failures", n(0))
            .item("expires_at", n(now + window_seconds))
            .condition_expression("attribute_not_exists(id) OR expires_at <= :now")
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        Ok(if applied(opened)? {
            Taken::Yes
        } else {
            Taken::Busy
        })
    }

    async fn give_back_attempt(&self, counter: &str) -> Result<(), StoreError> {
        let given = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(counter))
            .update_expression("SET attempts = attempts - :one")
            .condition_expression("attempts > :zero")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        // Nothing to give back: the window closed meanwhile.
        applied(given).map(drop)
    }

    async fn count_failure(&self, counter: &str) -> Result<(), StoreError> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(counter))
            .update_expression("SET failures = if_not_exists(failures, :zero) + :one")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        applied(counted).map(drop)
    }

    async fn start_family(&self, first: &RefreshRecord) -> Result<(), StoreError> {
        // The family first: a token without its family could never be refreshed, a family
        // without a token (a failure between the two writes) is only an unused record.
        self.client
            .put_item()
            .table_name(&self.table)
            .item("id", s(family_id(&first.family)))
            .item("kind", s("refresh_family"))
            .item("customer_id", s(&first.customer_id))
            .item("revoked", AttributeValue::Bool(false))
            .item("expires_at", n(first.expires_at))
            .condition_expression("attribute_not_exists(id)")
            .send()
            .await?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(refresh_item(first)?))
            .send()
            .await?;
        Ok(())
    }

    async fn refresh_token(&self, hash: &str) -> Result<Option<RefreshRecord>, StoreError> {
        read(&self.client, &self.table, id_key(&refresh_id(hash)), |_| {
            true
        })
        .await
    }

    async fn rotate(
        &self,
        old: &RefreshRecord,
        next: &RefreshRecord,
    ) -> Result<Rotated, StoreError> {
        let spend = transact::update(
            Update::builder()
                .table_name(&self.table)
                .key("id", s(refresh_id(&old.hash)))
                .update_expression("SET spent = :yes")
                .condition_expression("spent = :no")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .build(),
        )?;
        let live_family = transact::update(
            Update::builder()
                .table_name(&self.table)
                .key("id", s(family_id(&old.family)))
                .update_expression("SET expires_at = :expires")
                .condition_expression("revoked = :no")
                .expression_attribute_values(":expires", n(next.expires_at))
                .expression_attribute_values(":no", AttributeValue::Bool(false))
                .build(),
        )?;
        let issue = transact::put(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(refresh_item(next)?))
                .build(),
        )?;
        match transact(&self.client, vec![spend, live_family, issue]).await? {
            Ok(()) => Ok(Rotated::Done),
            Err(cancelled) if cancelled.condition_failed(0) => Ok(Rotated::AlreadySpent),
            Err(cancelled) if cancelled.condition_failed(1) => Ok(Rotated::Revoked),
            Err(cancelled) => Err(cancelled.retry("the token was refreshed at the same time")),
        }
    }

    async fn revoke_family(&self, family: &str) -> Result<(), StoreError> {
        let revoked = self
            .client
            .update_item()
            .table_name(&self.table)
            .key("id", s(family_id(family)))
            .update_expression("SET revoked = :yes")
            .condition_expression("attribute_exists(id)")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .send()
            .await;
        applied(revoked).map(drop)
    }

    async fn session(
        &self,
        id: &str,
        session: &str,
    ) -> Result<(Option<CustomerRecord>, bool), StoreError> {
        let family = family_id(session);
        let keys = vec![id_key(id), id_key(&family)];
        let items = storage::db::batch_get_consistent(&self.client, &self.table, keys).await?;
        let (mut customer, mut live) = (None, false);
        for item in items {
            match (text(&item, "id"), text(&item, "kind")) {
                (Some(key), Some("customer")) if key == id => {
                    customer = Some(serde_dynamo::from_item(item)?);
                }
                (Some(key), Some("refresh_family")) if key == family => {
                    live = text(&item, "customer_id") == Some(id)
                        && item.get("revoked").and_then(|v| v.as_bool().ok()) == Some(&false);
                }
                _ => {}
            }
        }
        Ok((customer, live))
    }
}
