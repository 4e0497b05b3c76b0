//! Transactions: run one and read why it was cancelled, or the shapes every store writes
//! (a record with the guard that keeps one of its values unique; changes that apply only
//! when the first one's condition holds).

use crate::db::Item;
use crate::StoreError;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use aws_sdk_dynamodb::Client;

/// Why each item of a cancelled transaction failed ("None" where it did not).
#[derive(Debug)]
pub struct Cancelled(pub Vec<String>);

impl Cancelled {
    /// The condition of item `index` did not hold.
    pub fn condition_failed(&self, index: usize) -> bool {
        self.0
            .get(index)
            .is_some_and(|code| code == "ConditionalCheckFailed")
    }

    /// Another transaction touched the same items at the same time.
    pub fn conflicted(&self) -> bool {
        self.0.iter().any(|code| code == "TransactionConflict")
    }

    /// A 409 saying `what` happened, for the client to retry; the engine's reasons go to
    /// the log, never into the answer.
    pub fn retry(self, what: &str) -> StoreError {
        tracing::warn!(reasons = ?self.0, "transaction cancelled: {what}");
        StoreError::Conflict(format!("{what}; retry"))
    }
}

/// Runs a transaction. `Ok(Err(_))` means it was cancelled, with the reasons per item.
pub async fn transact(
    client: &Client,
    items: Vec<TransactWriteItem>,
) -> Result<Result<(), Cancelled>, StoreError> {
    match client
        .transact_write_items()
        .set_transact_items(Some(items))
        .send()
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(err) => match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(cancel)) => {
                let reasons = cancel
                    .cancellation_reasons()
                    .iter()
                    .map(|r| r.code().unwrap_or("None").to_string())
                    .collect();
                Ok(Err(Cancelled(reasons)))
            }
            _ => Err(err.into()),
        },
    }
}

/// A transaction item from a built `Put` (building fails only when a required part, the
/// table or the item, is missing: a bug).
pub fn put(put: Result<Put, BuildError>) -> Result<TransactWriteItem, StoreError> {
    let put = put.map_err(|e| StoreError::caused("building a put", e))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A transaction item from a built `Update`.
pub fn update(update: Result<Update, BuildError>) -> Result<TransactWriteItem, StoreError> {
    let update = update.map_err(|e| StoreError::caused("building an update", e))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// A transaction item from a built `Delete`.
pub fn delete(delete: Result<Delete, BuildError>) -> Result<TransactWriteItem, StoreError> {
    let delete = delete.map_err(|e| StoreError::caused("building a delete", e))?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Writes `record` and the `guard` item that keeps one of its values unique, each only if
/// new, in one transaction: false when the guard is there (or a racing write takes it).
/// Any other cancellation is a conflict saying `what` to retry.
pub async fn put_guarded(
    client: &Client,
    table: &str,
    record: Item,
    guard: Item,
    what: &str,
) -> Result<bool, StoreError> {
    let new = |item: Item| {
        put(Put::builder()
            .table_name(table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(id)")
            .build())
    };
    match transact(client, vec![new(record)?, new(guard)?]).await? {
        Ok(()) => Ok(true),
        Err(cancelled) if cancelled.condition_failed(1) || cancelled.conflicted() => Ok(false),
        Err(cancelled) => Err(cancelled.retry(what)),
    }
}

/// Runs a transaction whose first item decides whether it applies: false when that item's
/// condition did not hold. Any other cancellation is a conflict saying `what` to retry.
pub async fn transact_if(
    client: &Client,
    items: Vec<TransactWriteItem>,
    what: &str,
) -> Result<bool, StoreError> {
    match transact(client, items).await? {
        Ok(()) => Ok(true),
        Err(cancelled) if cancelled.condition_failed(0) => Ok(false),
        Err(cancelled) => Err(cancelled.retry(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cancelled transaction's 409 carries no engine wording (its reasons are logged).
    #[test]
    fn a_cancelled_transaction_answers_without_the_engines_reasons() {
        let codes = vec!["None".to_string(), "TransactionConflict".to_string()];
        let answer = Cancelled(codes).retry("the review changed meanwhile");
        let body = format!("{answer} {answer:?}");
        assert!(matches!(answer, StoreError::Conflict(_)));
        for engine in ["TransactionConflict", "None", "Cancel", "Condition"] {
            assert!(!body.contains(engine), "{body}");
        }
    }
}
