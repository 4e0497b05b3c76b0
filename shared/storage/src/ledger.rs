//! A ledger entry per sale: something (units of stock, cents of a wallet) taken once for
//! a sale id and given back once. Inventory's reservations and Customers' charges are
//! both this, written here once:
//! - taking writes the entry and changes the counters (stock of each line, balance) in
//!   one transaction, so neither exists without the other; taking again answers the entry;
//! - giving back marks the entry and restores the counter in one transaction; giving
//!   back again answers the entry;
//! - giving back first leaves a tombstone, an entry already given back, which a late
//!   take cannot pass: a saga's undo may overtake its step.
//!
//! Every write is conditional; one that loses a race looks again, a few times, after a
//! short random pause (orders of several lines contend on several items at once).
//!
//! Entries that are only ever taken (a refund's credit, a restock) use [`Ledger::take`]
//! alone: any serializable entry will do.

use crate::db::{read, s, to_item, Item, UpdateExpr};
use crate::transact::{self, transact};
use crate::StoreError;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use edge::contracts::customers::{Charge, ChargeStatus};
use edge::contracts::inventory::{Reservation, ReservationStatus};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// How often a write that lost a race is tried again.
const MAX_ATTEMPTS: usize = 8;

/// A ledger entry that can be given back, as stored: its `status` attribute is `TAKEN`
/// or `GIVEN_BACK`.
pub trait Entry: Serialize + DeserializeOwned {
    const TAKEN: &'static str;
    const GIVEN_BACK: &'static str;
    /// The attribute recording when it was given back.
    const GIVEN_BACK_AT: &'static str;

    fn is_given_back(&self) -> bool;
    /// The entry as it is once given back at `now`.
    fn given_back(self, now: &str) -> Self;
}

/// What a take does when the sale has no entry yet.
pub enum Take<E, R> {
    /// Write this entry together with these changes of the counters; answer with it.
    Write(E, Vec<TransactWriteItem>),
    /// Answer this and write nothing (a refusal: unknown, out of stock, no money).
    Answer(R),
}

/// The entry of one sale id in a table.
pub struct Ledger<'a> {
    pub client: &'a Client,
    pub table: &'a str,
    /// The name and value of the entry's (hash) key.
    pub key: (&'static str, String),
    /// Attributes stored beside the entry's own fields (say, the `kind` of a shared table).
    pub extra: &'a [(&'static str, &'static str)],
    /// The conflict answered when writes keep losing races.
    pub busy: &'static str,
}

impl Ledger<'_> {
    fn key_item(&self) -> Item {
        Item::from([(self.key.0.to_string(), s(&self.key.1))])
    }

    pub async fn read<E: DeserializeOwned>(&self) -> Result<Option<E>, StoreError> {
        read(self.client, self.table, self.key_item(), |_| true).await
    }

    /// Takes once. An entry already there is answered by `existing` (a replay, a
    /// tombstone, another request under the same sale id); otherwise `plan` reads the
    /// counter and says what to write or answer, and `taken` answers a won write.
    pub async fn take<E, R, Plan, Planned>(
        &self,
        existing: impl Fn(E) -> R,
        plan: Plan,
        taken: impl Fn(E) -> R,
    ) -> Result<R, StoreError>
    where
        E: Serialize + DeserializeOwned,
        Plan: Fn() -> Planned,
        Planned: Future<Output = Result<Take<E, R>, StoreError>>,
    {
        for attempt in 0..MAX_ATTEMPTS {
            if let Some(entry) = self.read::<E>().await? {
                return Ok(existing(entry));
            }
            match plan().await? {
                Take::Answer(answer) => return Ok(answer),
                Take::Write(entry, counters) => {
                    let mut items = vec![self.put(&entry)?];
                    items.extend(counters);
                    if transact(self.client, items).await?.is_ok() {
                        return Ok(taken(entry));
                    }
                    // The sale was taken meanwhile, or a counter moved: look again.
                    pause(attempt).await;
                }
            }
        }
        Err(StoreError::Conflict(self.busy.into()))
    }

    /// Gives back once. `check` may refuse an entry (say, of another customer); a
    /// missing entry becomes `tombstone()`; a taken one is marked given back in one
    /// transaction with `restore(&entry)`, the changes that give the counters back.
    pub async fn give_back<E: Entry>(
        &self,
        check: impl Fn(&E) -> Result<(), StoreError>,
        tombstone: impl Fn() -> E,
        restore: impl Fn(&E) -> Result<Vec<TransactWriteItem>, StoreError>,
        now: &str,
    ) -> Result<E, StoreError> {
        for attempt in 0..MAX_ATTEMPTS {
            let Some(entry) = self.read::<E>().await? else {
                let stone = tombstone();
                if transact(self.client, vec![self.put(&stone)?])
                    .await?
                    .is_ok()
                {
                    return Ok(stone);
                }
                continue;
            };
            check(&entry)?;
            if entry.is_given_back() {
                return Ok(entry);
            }
            let mut mark = UpdateExpr::default();
            mark.set("status", s(E::GIVEN_BACK))
                .set(E::GIVEN_BACK_AT, s(now))
                .condition("#status = :taken")
                .value("taken", s(E::TAKEN));
            let mut items = vec![mark.into_transact_update(self.table, self.key_item())?];
            items.extend(restore(&entry)?);
            if transact(self.client, items).await?.is_ok() {
                return Ok(entry.given_back(now));
            }
            pause(attempt).await;
        }
        Err(StoreError::Conflict(self.busy.into()))
    }

    /// The entry's first write: only where there is none yet.
    fn put<E: Serialize>(&self, entry: &E) -> Result<TransactWriteItem, StoreError> {
        let mut item = to_item(entry)?;
        item.extend(self.key_item());
        for (name, value) in self.extra {
            item.insert(name.to_string(), s(*value));
        }
        transact::put(
            Put::builder()
                .table_name(self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(#key)")
                .expression_attribute_names("#key", self.key.0)
                .build(),
        )
    }
}

/// A random pause of up to 2^attempt × 5 ms, so that writers who lost a race to each
/// other do not meet again at once.
async fn pause(attempt: usize) {
    let ceiling_ms = 5u64 << attempt.min(5);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    tokio::time::sleep(std::time::Duration::from_millis(nanos % ceiling_ms)).await;
}

impl Entry for Reservation {
    const TAKEN: &'static str = "reserved";
    const GIVEN_BACK: &'static str = "released";
    const GIVEN_BACK_AT: &'static str = "released_at";

    fn is_given_back(&self) -> bool {
        self.status == ReservationStatus::Released
    }

    fn given_back(self, now: &str) -> Self {
        Self {
            status: ReservationStatus::Released,
            released_at: Some(now.to_string()),
            ..self
        }
    }
}

impl Entry for Charge {
    const TAKEN: &'static str = "charged";
    const GIVEN_BACK: &'static str = "refunded";
    const GIVEN_BACK_AT: &'static str = "refunded_at";

    fn is_given_back(&self) -> bool {
        self.status == ChargeStatus::Refunded
    }

    fn given_back(self, now: &str) -> Self {
        Self {
            status: ChargeStatus::Refunded,
            refunded_at: Some(now.to_string()),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status values the ledger writes are the ones the entries read back.
    #[test]
    fn status_values_match_the_serialized_entries() {
        let status = |value: serde_json::Value| value["status"].as_str().unwrap().to_string();
        let reservation = Reservation {
            sale_id: "s".into(),
            items: Vec::new(),
            status: ReservationStatus::Reserved,
            created_at: "t".into(),
            released_at: None,
        };
        assert_eq!(
            status(serde_json::to_value(&reservation).unwrap()),
            Reservation::TAKEN
        );
        let released = reservation.given_back("now");
        assert!(released.is_given_back());
        assert_eq!(
            status(serde_json::to_value(&released).unwrap()),
            Reservation::GIVEN_BACK
        );
        assert_eq!(released.released_at.as_deref(), Some("now"));

        let charge = Charge {
            sale_id: "s".into(),
            customer_id: "c".into(),
            amount_cents: edge::money::Cents::new(1),
            status: ChargeStatus::Charged,
            created_at: "t".into(),
            refunded_at: None,
            credited_cents: edge::money::Cents::ZERO,
        };
        assert_eq!(
            status(serde_json::to_value(&charge).unwrap()),
            Charge::TAKEN
        );
        let refunded = charge.given_back("now");
        assert_eq!(
            status(serde_json::to_value(&refunded).unwrap()),
            Charge::GIVEN_BACK
        );
    }
}
