//! Opaque, tamper-evident pagination cursors.
//!
//! A cursor is `base64url(json of the last evaluated key) . base64url(HMAC-SHA256)`, where
//! the MAC also covers a scope naming the list and its filters. A cursor edited by hand,
//! or taken from another list or filter, fails verification and is a 400.

use crate::ApiError;
use aws_lc_rs::hmac;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use infra::config::ConfigError;
use std::collections::{BTreeMap, HashMap};

pub type Key = HashMap<String, AttributeValue>;

pub struct CursorCodec {
    key: hmac::Key,
}

fn invalid() -> ApiError {
    ApiError::BadRequest("invalid cursor".into())
}

impl CursorCodec {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }
    }

    /// `CURSOR_SECRET`: signs the cursors of list routes.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(&infra::secrets::required("CURSOR_SECRET")?))
    }

    fn tag(&self, scope: &str, payload: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.key);
        context.update(scope.as_bytes());
        context.update(&[0]);
        context.update(payload);
        context.sign()
    }

    /// Encodes a DynamoDB key made only of string and number attributes.
    pub fn encode(&self, scope: &str, key: &Key) -> Result<String, ApiError> {
        let mut plain = BTreeMap::new();
        for (name, value) in key {
            let value = match value {
                AttributeValue::S(s) => serde_json::json!({ "S": s }),
                AttributeValue::N(n) => serde_json::json!({ "N": n }),
                _ => {
                    return Err(ApiError::Internal(format!(
                        "cursor key attribute {name} is not S or N"
                    )))
                }
            };
            plain.insert(name.clone(), value);
        }
        let payload = serde_json::to_vec(&plain).map_err(|e| ApiError::Internal(e.to_string()))?;
        let tag = self.tag(scope, &payload);
        Ok(format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag.as_ref())
        ))
    }

    pub fn decode(&self, scope: &str, cursor: &str) -> Result<Key, ApiError> {
        let (payload, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        let mut context = Vec::with_capacity(scope.len() + 1 + payload.len());
        context.extend_from_slice(scope.as_bytes());
        context.push(0);
        context.extend_from_slice(&payload);
        hmac::verify(&self.key, &context, &tag).map_err(|_| invalid())?;
        let plain: BTreeMap<String, BTreeMap<String, String>> =
            serde_json::from_slice(&payload).map_err(|_| invalid())?;
        plain
            .into_iter()
            .map(|(name, typed)| {
                let value = match (typed.get("S"), typed.get("N")) {
                    (Some(s), None) => AttributeValue::S(s.clone()),
                    (None, Some(n)) => AttributeValue::N(n.clone()),
                    _ => return Err(invalid()),
                };
                Ok((name, value))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec() -> CursorCodec {
        CursorCodec::new(b"cursor-test-secret-cursor-test-secret")
    }

    fn key() -> Key {
        HashMap::from([
            (
                "id".to_string(),
                AttributeValue::S("01J0000000000000000000000".into()),
            ),
            ("price_cents".to_string(), AttributeValue::N("1299".into())),
        ])
    }

    #[test]
    fn round_trips_within_its_scope() {
        let cursor = codec().encode("products|all", &key()).unwrap();
        assert_eq!(codec().decode("products|all", &cursor).unwrap(), key());
        assert!(!cursor.contains("01J0"), "cursor should be opaque");
    }

    #[test]
    fn tampered_foreign_and_garbage_cursors_are_bad_requests() {
        let cursor = codec().encode("products|all", &key()).unwrap();
        let (payload, tag) = cursor.split_once('.').unwrap();
        let mut forged_payload = URL_SAFE_NO_PAD.decode(payload).unwrap();
        forged_payload[10] ^= 1;
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(forged_payload));
        let other_secret = CursorCodec::new(b"another-secret-another-secret-!!!!")
            .encode("products|all", &key())
            .unwrap();
        for bad in [
            forged.as_str(),
            other_secret.as_str(),
            "",
            ".",
            "abc",
            "abc.def",
            "%%%.###",
            "\u{1F600}.\u{1F600}",
        ] {
            assert!(
                matches!(
                    codec().decode("products|all", bad),
                    Err(ApiError::BadRequest(_))
                ),
                "{bad:?}"
            );
        }
        assert!(
            codec().decode("products|category=books", &cursor).is_err(),
            "foreign scope accepted"
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn keys() -> impl Strategy<Value = Key> {
            proptest::collection::hash_map(
                "[a-z_]{1,16}",
                prop_oneof![
                    any::<String>().prop_map(AttributeValue::S),
                    any::<i64>().prop_map(|n| AttributeValue::N(n.to_string())),
                ],
                1..4,
            )
        }

        proptest! {
            #[test]
            fn every_key_round_trips(key in keys(), scope in any::<String>()) {
                let cursor = codec().encode(&scope, &key).unwrap();
                prop_assert_eq!(codec().decode(&scope, &cursor).unwrap(), key);
            }

            #[test]
            fn a_cursor_opens_only_in_its_own_scope(key in keys(), scope in "[a-z|=]{0,20}", other in "[a-z|=]{0,20}") {
                prop_assume!(scope != other);
                let cursor = codec().encode(&scope, &key).unwrap();
                prop_assert!(codec().decode(&other, &cursor).is_err());
            }

            #[test]
            fn an_altered_cursor_never_yields_another_key(key in keys(), at in any::<prop::sample::Index>(), c in "[A-Za-z0-9_.-]") {
                let cursor = codec().encode("scope", &key).unwrap();
                let mut chars: Vec<char> = cursor.chars().collect();
                let i = at.index(chars.len());
                chars[i] = c.chars().next().unwrap();
                let altered: String = chars.into_iter().collect();
                match codec().decode("scope", &altered) {
                    Ok(decoded) => prop_assert_eq!(decoded, key),
                    Err(err) => prop_assert_eq!(err.status().as_u16(), 400),
                }
            }

            #[test]
            fn garbage_is_a_bad_request(garbage in any::<String>()) {
                let err = codec().decode("scope", &garbage).unwrap_err();
                prop_assert_eq!(err.status().as_u16(), 400);
            }
        }
    }
}
