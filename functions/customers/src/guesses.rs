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
//!
//! Registrations of a mailbox that is already taken count the same way, per client
//! address: a 409 tells that the mailbox has an account, so probing for accounts is a
//! guess too. 10 per address per 15 minutes; a registration that creates an account gives
//! its slot back. Once the window is spent every registration from the address is refused
//! (429), whether its mailbox is taken or not, so the refusal tells nothing either.

use crate::store::{Customers, Taken};
use edge::domain::Email;
use edge::ApiError;
use std::time::Duration;

pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
pub const PER_ADDRESS: u32 = 100;
pub const TAKEN_MAILBOXES_PER_ADDRESS: u32 = 10;
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
    take_all(store, limits, now).await
}

/// Takes the slot of a registration from `address`, which counts as a failure if its
/// mailbox turns out taken; a 429 with `Retry-After` when the address's window is spent.
pub async fn take_registration(
    store: &impl Customers,
    address: &str,
    now: u64,
) -> Result<Guess, ApiError> {
    let limits = [(
        format!("register-taken#{address}"),
        TAKEN_MAILBOXES_PER_ADDRESS,
    )];
    take_all(store, limits, now).await
}

async fn take_all(
    store: &impl Customers,
    limits: impl IntoIterator<Item = (String, u32)>,
    now: u64,
) -> Result<Guess, ApiError> {
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
