//! Limits on password guesses (`POST /login`, and `current_password` on a password
//! change): 5 per account and client address and 100 per client address over all accounts,
//! per 15 minutes. An attempt is taken before the password is checked, so that parallel
//! guesses never get more than the limit evaluated, and given back when it succeeds: only
//! failures count, and the right password clears the account's failures from its address. Keyed by address too, so that nobody can lock an account for others:
//! the right password from another address still works.

use crate::store::Customers;
use shared::domain::Email;
use shared::ApiError;

pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
pub const PER_ADDRESS: u32 = 100;
pub const WINDOW_SECONDS: u64 = 15 * 60;

/// The attempts one guess took: per account and address, then per address.
pub struct Guess {
    counters: Vec<String>,
}

/// Takes the attempt of a guess at `email`'s password from `address`; a 429 with
/// `Retry-After` when a limit is spent (then nothing stays taken).
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
        match store
            .take_attempt(&counter, limit, now, WINDOW_SECONDS)
            .await?
        {
            Ok(()) => guess.counters.push(counter),
            Err(retry_after_secs) => {
                for counter in &guess.counters {
                    store.give_back_attempt(counter).await?;
                }
                return Err(ApiError::TooManyRequests {
                    retry_after_secs: retry_after_secs.max(1),
                });
            }
        }
    }
    Ok(guess)
}

impl Guess {
    /// The password was right: the account's failures from this address are forgotten,
    /// and the guess does not count against the address.
    pub async fn succeeded(self, store: &impl Customers) -> Result<(), ApiError> {
        let [account, address] = &self.counters[..] else {
            return Err(ApiError::Internal("a guess takes two attempts".into()));
        };
        store.clear_attempts(account).await?;
        store.give_back_attempt(address).await
    }
}
