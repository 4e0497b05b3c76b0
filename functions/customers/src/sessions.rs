//! Refresh tokens. A login starts a *family*; each refresh spends its token and issues the
//! next one of the family. A spent token presented again means it was copied: the whole
//! family is revoked. Logging out revokes the family; a password or role change moves the
//! customer's token generation on, which no earlier token of any family matches.
//!
//! A token is `<family id>.<32 random bytes, base64url>`; only its SHA-256 is stored
//! (`refresh#<hash>`), beside its family (`family#<id>`), both expiring with `expires_at`.

use aws_lc_rs::digest::{digest, SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use edge::ApiError;
use serde::{Deserialize, Serialize};

/// How long a login lasts without logging in again: 30 days.
pub const REFRESH_TTL_SECONDS: u64 = 30 * 24 * 3600;

/// A refresh token as stored: never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefreshRecord {
    /// The token's SHA-256, hex.
    pub hash: String,
    pub family: String,
    pub customer_id: String,
    /// The customer's token generation when issued.
    pub generation: u64,
    pub expires_at: u64,
    pub spent: bool,
}

/// How spending a refresh token for the next one went.
#[derive(Debug, PartialEq, Eq)]
pub enum Rotated {
    Done,
    /// Spent before: the token was copied.
    AlreadySpent,
    /// Its family was revoked (logout, reuse).
    Revoked,
}

/// The SHA-256 of a token, hex: what the store keys it by.
pub fn hash(token: &str) -> String {
    digest(&SHA256, token.as_bytes())
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A new token of `family` for a customer at `generation`, and its record.
pub fn issue(
    family: &str,
    customer_id: &str,
    generation: u64,
    now: u64,
) -> Result<(String, RefreshRecord), ApiError> {
    let mut secret = [0u8; 32];
    // The operating system's randomness: aws-lc's generator would keep its state resident.
    crate::password_hash::random(&mut secret)?;
    let token = format!("{family}.{}", URL_SAFE_NO_PAD.encode(secret));
    let record = RefreshRecord {
        hash: hash(&token),
        family: family.to_string(),
        customer_id: customer_id.to_string(),
        generation,
        expires_at: now + REFRESH_TTL_SECONDS,
        spent: false,
    };
    Ok((token, record))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (one, record) = issue("fam", "c", 3, 100).unwrap();
        let (two, _) = issue("fam", "c", 3, 100).unwrap();
        assert_ne!(one, two);
        assert!(one.starts_with("fam."));
        assert_eq!(record.hash, hash(&one));
        assert!(!record.hash.contains(one.split_once('.').unwrap().1));
        assert_eq!(record.expires_at, 100 + REFRESH_TTL_SECONDS);
    }
}
