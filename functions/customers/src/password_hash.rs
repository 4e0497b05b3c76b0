//! Password hashing with argon2id (OWASP parameters), always off the async executor.
//!
//! The working memory (several MiB) is allocated once per process and reused: a function
//! instance serves one request at a time, and a fresh buffer per hash would be kept by the
//! allocator between requests, growing the resident set far past the function's memory.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use edge::ApiError;
use std::sync::Mutex;

/// One of OWASP's equivalent argon2id settings (7 MiB, 5 passes, 1 lane): the one with the
/// least memory, for 128 MB functions. Hashes made with other parameters still verify.
const MEMORY_KIB: u32 = 7 * 1024;
const PASSES: u32 = 5;
const LANES: u32 = 1;
const OUTPUT_BYTES: usize = 32;

/// Verified against when the account does not exist, so that a login for an unknown
/// email costs as much time as one with a wrong password. Hash of a random string.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=7168,t=5,p=1$AaJcmk+3RjiXN2SFVVP5Lw$DKbbuPgVa19AULSVZkMpJNpfE8er+04Sck2kSibcepA";

static MEMORY: Mutex<Vec<Block>> = Mutex::new(Vec::new());

/// Runs argon2id with `params` into `out`, in the process's reused working memory.
fn argon2id(params: Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), String> {
    let mut memory = MEMORY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .map_err(|e| e.to_string())
}

fn hash_now(password: &[u8]) -> Result<String, String> {
    let params =
        Params::new(MEMORY_KIB, PASSES, LANES, Some(OUTPUT_BYTES)).map_err(|e| e.to_string())?;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .map_err(|e| e.to_string())?;
    let mut out = [0u8; OUTPUT_BYTES];
    argon2id(params.clone(), password, salt_bytes, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params)
            .try_into()
            .map_err(|e: argon2::password_hash::Error| e.to_string())?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
    };
    Ok(phc.to_string())
}

/// True when `phc` is an argon2id hash of `password`; compared in constant time.
fn matches(password: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    if argon2id(params, password, salt_bytes, &mut out).is_err() {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected)
}

/// Fills `bytes` from the operating system's randomness, as the salts are (secrets such as
/// refresh tokens).
pub fn random(bytes: &mut [u8]) -> Result<(), ApiError> {
    OsRng
        .try_fill_bytes(bytes)
        .map_err(|e| ApiError::Internal(format!("no randomness: {e}")))
}

pub async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_now(password.as_bytes()))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing task: {e}")))?
        .map_err(|e| ApiError::Internal(format!("hashing password: {e}")))
}

/// True only if `stored_hash` exists and matches. Takes the same time either way.
pub async fn verify_password(password: String, stored_hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored_hash.is_some();
        let phc = stored_hash.unwrap_or_else(|| DUMMY_HASH.to_string());
        let matches = matches(password.as_bytes(), &phc);
        known && matches
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_do_not_contain_the_password() {
        let hash = hash_password("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(!hash.contains("correct horse"));
        assert!(verify_password("correct horse battery".into(), Some(hash.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(hash)).await);
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "dummy hash must parse, or timing leaks"
        );
        assert!(!verify_password("anything".into(), None).await);
    }

    #[test]
    fn hashes_of_other_parameters_and_libraries_still_verify() {
        // Made by the argon2 crate's own PasswordHasher with OWASP's 19 MiB setting.
        use argon2::password_hash::PasswordHasher;
        let params = Params::new(19 * 1024, 2, 1, None).unwrap();
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"an older password", &salt)
            .unwrap()
            .to_string();
        assert!(matches(b"an older password", &hash));
        assert!(!matches(b"another password", &hash));
        // And ours verify with the crate's verifier.
        use argon2::password_hash::PasswordVerifier;
        let ours = hash_now(b"pass phrase").unwrap();
        assert!(Argon2::default()
            .verify_password(b"pass phrase", &PasswordHash::new(&ours).unwrap())
            .is_ok());
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = hash_now(b"x").unwrap();
        let params = |phc: &str| PasswordHash::new(phc).unwrap().params.to_string();
        assert_eq!(params(DUMMY_HASH), params(&real), "a fresh dummy: {real}");
    }

    #[test]
    fn garbage_hashes_never_verify() {
        for phc in [
            "",
            "$argon2id$",
            "$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$aGFzaA",
            "plain",
        ] {
            assert!(!matches(b"x", phc), "{phc}");
        }
    }
}
