//! Limits on password guesses (`POST /login`, and `current_password` on a password
//! change): 5 failures per account and client address and 100 per client address over all
//! accounts, per 15 minutes. Keyed by address too, so that nobody can lock an account for
//! others: the right password from another address still works.
//!
//! A guess takes a slot of each window before the password is checked, so that parallel
//! guesses never get more than the limit checked; a right one gives its slots back, a
//! wrong one keeps them and counts as a failure. When only guesses still being checked
//! fill a window (parallel logins of one person), the next waits a moment for a slot
//! instead of being refused.

use crate::store::{Customers, Taken};
use shared::domain::Email;
use shared::ApiError;
use std::time::Duration;

pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
pub const PER_ADDRESS: u32 = 100;
pub const WINDOW_SECONDS: u64 = 15 * 60;
/// How long a guess waits for a slot that guesses in flight hold.
const WAIT: Duration = Duration::from_millis(100);
const WAITS: u32 = 50;

/// The slots one guess took: per account and address, then per address.
pub struct Guess {
    counters: Vec<String>,
}

/// Takes the slots of a guess at `email`'s password from `address`; a 429 with
/// `Retry-After` when a window's failures reached its limit (then nothing stays taken).
pub async fn take(
    store: &impl Customers,
    email: &Email,
    address: &str,
    now: u64,
) -> Result<Guess, ApiError> {
    let limits = [
        (format!("login#{email}#{address}"), PER_ACCOUNT_AND_ADDRESS),
        (format!("login-from#{address}"), PER_ADDRESS),
    ];
    let mut guess = Guess {
        counters: Vec::new(),
    };
    for (counter, limit) in limits {
        match take_one(store, &counter, limit, now).await {
            Ok(()) => guess.counters.push(counter),
            Err(refused) => {
                guess.succeeded(store).await?;
                return Err(refused);
            }
        }
    }
    Ok(guess)
}

async fn take_one(
    store: &impl Customers,
    counter: &str,
    limit: u32,
    now: u64,
) -> Result<(), ApiError> {
    for _ in 0..WAITS {
        match store
            .take_attempt(counter, limit, now, WINDOW_SECONDS)
            .await?
        {
            Taken::Yes => return Ok(()),
            Taken::Spent { retry_after } => {
                return Err(ApiError::TooManyRequests {
                    retry_after_secs: retry_after.max(1),
                })
            }
            Taken::Busy => tokio::time::sleep(WAIT).await,
        }
    }
    Err(ApiError::TooManyRequests {
        retry_after_secs: 1,
    })
}

impl Guess {
    /// The password was right: the guess does not count.
    pub async fn succeeded(self, store: &impl Customers) -> Result<(), ApiError> {
        for counter in &self.counters {
            store.give_back_attempt(counter).await?;
        }
        Ok(())
    }

    /// The password was wrong: the guess counts against every window it took.
    pub async fn failed(self, store: &impl Customers) -> Result<(), ApiError> {
        for counter in &self.counters {
            store.count_failure(counter).await?;
        }
        Ok(())
    }
}
