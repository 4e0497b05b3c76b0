//! `Idempotency-Key` records: the fingerprint of a request body (so that a retry with the
//! same key but a different body is told apart, 422), and the key's record in its owner's table (`idem#<owner>#<key>`, expiring after a day).
//!
//! A request with a key first binds it ([`bind`], or [`put`] inside the transaction that
//! does the work); the answer says what to do next ([`NextAction`]): proceed with a
//! fresh key, replay what the record saved for the same request, or refuse another.

use crate::db::{id_key, is_condition_failure, n, read_item, s, Item};
use crate::StoreError;
use aws_lc_rs::digest;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use aws_sdk_dynamodb::Client;

/// How long a key is remembered.
pub const RETENTION_SECONDS: u64 = 24 * 60 * 60;

/// A stable fingerprint of what the request asks for (hex SHA-256 of a canonical form).
pub fn fingerprint(canonical_request: &str) -> String {
    digest::digest(&digest::SHA256, canonical_request.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a request with a key does next.
#[derive(Debug, PartialEq)]
pub enum NextAction<T = Item> {
    /// The key is new (now bound to this request): do the work.
    Proceed,
    /// The key was used by the same request: what its record saved.
    Replay(T),
    /// The key was used by another request.
    Mismatch,
}

impl NextAction {
    /// Reads what a replay needs out of the record it saved.
    pub fn read<T>(
        self,
        saved: impl FnOnce(&Item) -> Option<T>,
    ) -> Result<NextAction<T>, StoreError> {
        Ok(match self {
            NextAction::Proceed => NextAction::Proceed,
            NextAction::Mismatch => NextAction::Mismatch,
            NextAction::Replay(item) => NextAction::Replay(
                saved(&item).ok_or_else(|| StoreError::internal("malformed idempotency record"))?,
            ),
        })
    }
}

fn record_id(owner: &str, key: &str) -> String {
    format!("idem#{owner}#{key}")
}

/// The key (`id`) of a key's record, in the table of the key's owner.
pub fn record_key(owner: &str, key: &str) -> Item {
    id_key(&record_id(owner, key))
}

/// The first write of a key's record, as an item of the transaction that does the work
/// (so the work and its record exist together or not at all): its fingerprint and
/// `saved` (what a replay answers with), only if the key is new. [`bind`] writes it alone.
pub fn put(
    table: &str,
    owner: &str,
    key: &str,
    fingerprint: &str,
    saved: Item,
) -> Result<TransactWriteItem, StoreError> {
    crate::transact::put(
        Put::builder()
            .table_name(table)
            .set_item(Some(record(owner, key, fingerprint, saved)))
            .condition_expression("attribute_not_exists(id)")
            .build(),
    )
}

fn record(owner: &str, key: &str, fingerprint: &str, mut saved: Item) -> Item {
    saved.insert("id".into(), s(record_id(owner, key)));
    saved.insert("kind".into(), s("idempotency"));
    saved.insert("fingerprint".into(), s(fingerprint));
    let expires_at = infra::time::epoch_seconds() + RETENTION_SECONDS;
    saved.insert("expires_at".into(), n(expires_at));
    saved
}

/// What a key's record says about a request with `fingerprint`; `Proceed` if there is none.
pub async fn look_up(
    client: &Client,
    table: &str,
    owner: &str,
    key: &str,
    fingerprint: &str,
) -> Result<NextAction, StoreError> {
    let Some(mut record) = read_item(client, table, record_key(owner, key)).await? else {
        return Ok(NextAction::Proceed);
    };
    let bound = record
        .remove("fingerprint")
        .and_then(|v| v.as_s().ok().cloned());
    Ok(if bound.as_deref() == Some(fingerprint) {
        NextAction::Replay(record)
    } else {
        NextAction::Mismatch
    })
}

/// Binds a key to a request on its own, before the work: `Proceed` if it was new.
pub async fn bind(
    client: &Client,
    table: &str,
    owner: &str,
    key: &str,
    fingerprint: &str,
    saved: Item,
) -> Result<NextAction, StoreError> {
    let written = client
        .put_item()
        .table_name(table)
        .set_item(Some(record(owner, key, fingerprint, saved)))
        .condition_expression("attribute_not_exists(id)")
        .send()
        .await;
    match written {
        Ok(_) => Ok(NextAction::Proceed),
        Err(err) if is_condition_failure(&err) => {
            look_up(client, table, owner, key, fingerprint).await
        }
        Err(err) => Err(err.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_differ_by_request() {
        assert_eq!(fingerprint("deposit:100"), fingerprint("deposit:100"));
        assert_ne!(fingerprint("deposit:100"), fingerprint("deposit:101"));
        assert_eq!(fingerprint("x").len(), 64);
    }
}
