//! What every DynamoDB store shares: the client and item helpers, `Idempotency-Key`
//! records, and the ledger of what a sale took and gave back.

pub mod db;
pub mod error;
pub mod idempotency;
pub mod ledger;
pub mod transact;

pub use error::StoreError;
