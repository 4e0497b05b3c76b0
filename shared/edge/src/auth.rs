//! Bearer tokens: HS256 JWTs with a pinned algorithm, issuer, audience and a short lifetime.
//!
//! Two keys exist. Customer and admin tokens are signed with `JWT_SECRET` and only
//! `POST /login` issues them. Service tokens (role `service`), used by one service to
//! call another's internal routes, are signed with `SERVICE_TOKEN_SECRET` and carry
//! another audience, so a leaked customer token can never open an internal route.

use crate::ApiError;
use infra::config::{self, ConfigError};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::http::header::AUTHORIZATION;
use lambda_http::Request;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Admin,
    Service,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    iss: String,
    aud: String,
    iat: u64,
    exp: u64,
    /// The customer's token generation when issued: a password or role change moves the
    /// customer's on, and earlier tokens stop being current (tokens without one are 0).
    #[serde(default)]
    gen: u64,
    /// The login (session) the token belongs to: the family of refresh tokens it was
    /// issued with, so that ending the login (logout, a reused refresh token) ends its
    /// access tokens too. User tokens without one are never current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

/// Who is calling, as proven by a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub role: Role,
    /// The token generation the token was issued at (see `Claims::gen`).
    pub generation: u64,
    /// The login the token belongs to (see `Claims::sid`); `None` for service tokens.
    pub session: Option<String>,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), ApiError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ApiError::Forbidden("this action requires the admin role"))
        }
    }

    /// Customers may act on their own resources; admins on anyone's.
    pub fn require_self_or_admin(&self, customer_id: &str) -> Result<(), ApiError> {
        if self.is_admin() || (self.role == Role::Customer && self.subject == customer_id) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "not allowed to access another customer's resources",
            ))
        }
    }
}

pub struct IssuedToken {
    pub token: String,
    pub expires_in: u64,
}

/// Issues and verifies one kind of token (one key, one audience).
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: u64,
}

pub const DEFAULT_ISSUER: &str = "shop-platform";
pub use endpoints::SERVICE_TOKEN_HEADER;
pub const USER_AUDIENCE: &str = "shop-api";
pub const SERVICE_AUDIENCE: &str = "shop-internal";

impl TokenKeys {
    pub fn new(secret: &[u8], audience: &str, ttl_seconds: u64) -> Self {
        let issuer = DEFAULT_ISSUER.to_string();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer,
            audience: audience.to_string(),
            ttl_seconds,
        }
    }

    /// Customer and admin tokens: `JWT_SECRET`, lifetime `ACCESS_TOKEN_TTL_SECONDS` (default 900).
    pub fn users_from_env() -> Result<Self, ConfigError> {
        let ttl = config::parsed_or("ACCESS_TOKEN_TTL_SECONDS", 900u64)?;
        Ok(Self::new(
            &infra::secrets::required("JWT_SECRET")?,
            USER_AUDIENCE,
            ttl,
        ))
    }

    /// Service tokens: `SERVICE_TOKEN_SECRET`, one minute.
    pub fn services_from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(
            &infra::secrets::required("SERVICE_TOKEN_SECRET")?,
            SERVICE_AUDIENCE,
            60,
        ))
    }

    /// A token of no login: a service token (a user token without a login is never
    /// current where that is checked).
    pub fn issue(&self, subject: &str, role: Role) -> Result<IssuedToken, ApiError> {
        self.issue_claims(subject, role, 0, None)
    }

    /// An access token of a customer's login `session` (its family of refresh tokens),
    /// at the customer's token generation `generation`.
    pub fn issue_session(
        &self,
        subject: &str,
        role: Role,
        generation: u64,
        session: &str,
    ) -> Result<IssuedToken, ApiError> {
        self.issue_claims(subject, role, generation, Some(session))
    }

    fn issue_claims(
        &self,
        subject: &str,
        role: Role,
        generation: u64,
        session: Option<&str>,
    ) -> Result<IssuedToken, ApiError> {
        let iat = infra::time::epoch_seconds();
        let claims = Claims {
            sub: subject.to_string(),
            role,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat,
            exp: iat + self.ttl_seconds,
            gen: generation,
            sid: session.map(str::to_string),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("signing token: {e}")))?;
        Ok(IssuedToken {
            token,
            expires_in: self.ttl_seconds,
        })
    }

    pub fn verify(&self, token: &str) -> Result<Principal, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
        let expected_service = self.audience == SERVICE_AUDIENCE;
        if (data.claims.role == Role::Service) != expected_service {
            return Err(ApiError::Unauthorized("invalid or expired token"));
        }
        Ok(Principal {
            subject: data.claims.sub,
            role: data.claims.role,
            generation: data.claims.gen,
            session: data.claims.sid,
        })
    }

    /// The calling service of a request's `x-service-token` header.
    pub fn authenticate_service(&self, req: &Request) -> Result<Principal, ApiError> {
        let token = req
            .headers()
            .get(SERVICE_TOKEN_HEADER)
            .ok_or(ApiError::Unauthorized("missing service token"))?
            .to_str()
            .map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
        self.verify(token.trim())
    }

    /// The principal of a request's `Authorization: Bearer` header.
    pub fn authenticate(&self, req: &Request) -> Result<Principal, ApiError> {
        let header = req
            .headers()
            .get(AUTHORIZATION)
            .ok_or(ApiError::Unauthorized("missing bearer token"))?;
        let value = header
            .to_str()
            .map_err(|_| ApiError::Unauthorized("invalid or expired token"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .ok_or(ApiError::Unauthorized("missing bearer token"))?;
        self.verify(token.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    const SECRET: &[u8] = b"unit-test-secret-unit-test-secret!!";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET, USER_AUDIENCE, 900)
    }

    #[test]
    fn issued_tokens_verify() {
        let token = keys().issue("01ABC", Role::Admin).unwrap();
        assert_eq!(token.expires_in, 900);
        let principal = keys().verify(&token.token).unwrap();
        assert_eq!(principal.subject, "01ABC");
        assert!(principal.is_admin());
    }

    #[test]
    fn access_tokens_name_their_login() {
        let token = keys()
            .issue_session("01ABC", Role::Customer, 3, "01LOGIN")
            .unwrap();
        let principal = keys().verify(&token.token).unwrap();
        assert_eq!(principal.session.as_deref(), Some("01LOGIN"));
        assert_eq!(principal.generation, 3);
        let bare = keys().issue("01ABC", Role::Customer).unwrap();
        assert_eq!(keys().verify(&bare.token).unwrap().session, None);
    }

    #[test]
    fn forged_tokens_are_rejected() {
        let good = keys().issue("01ABC", Role::Customer).unwrap().token;
        let other_key = TokenKeys::new(b"another-secret-another-secret-!!!", USER_AUDIENCE, 900);
        let wrong_audience = TokenKeys::new(SECRET, "someone-else", 900);
        // Expired long ago, beyond any leeway.
        let expired_token = {
            let claims = Claims {
                sub: "01ABC".into(),
                role: Role::Customer,
                iss: DEFAULT_ISSUER.into(),
                aud: USER_AUDIENCE.into(),
                iat: 1,
                exp: 2,
                gen: 0,
                sid: None,
            };
            encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(SECRET),
            )
            .unwrap()
        };
        // alg "none": header {"alg":"none"}, the same claims, no signature.
        let payload = good.split('.').nth(1).unwrap();
        let alg_none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#)
        );
        // Tampered: promote to admin without re-signing.
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let mut promoted = claims.clone();
        promoted["role"] = "admin".into();
        let parts: Vec<&str> = good.split('.').collect();
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(promoted.to_string()),
            parts[2]
        );
        for (name, token) in [
            (
                "wrong key",
                other_key.issue("01ABC", Role::Customer).unwrap().token,
            ),
            (
                "wrong audience",
                wrong_audience.issue("01ABC", Role::Customer).unwrap().token,
            ),
            ("expired", expired_token),
            ("alg none", alg_none),
            ("tampered", tampered),
            ("garbage", "not.a.token".into()),
        ] {
            assert!(
                matches!(keys().verify(&token), Err(ApiError::Unauthorized(_))),
                "{name} accepted"
            );
        }
    }

    #[test]
    fn service_tokens_only_open_internal_routes() {
        let services = TokenKeys::new(SECRET, SERVICE_AUDIENCE, 60);
        let service_token = services.issue("sales", Role::Service).unwrap().token;
        assert_eq!(services.verify(&service_token).unwrap().role, Role::Service);
        // Even with the same secret, a service token is no user token and vice versa.
        assert!(keys().verify(&service_token).is_err());
        let admin_on_internal = services.issue("x", Role::Admin).unwrap().token;
        assert!(services.verify(&admin_on_internal).is_err());
    }

    #[test]
    fn ownership_rules() {
        let alice = Principal {
            subject: "A".into(),
            role: Role::Customer,
            generation: 0,
            session: None,
        };
        let admin = Principal {
            subject: "Z".into(),
            role: Role::Admin,
            generation: 0,
            session: None,
        };
        let service = Principal {
            subject: "A".into(),
            role: Role::Service,
            generation: 0,
            session: None,
        };
        assert!(alice.require_self_or_admin("A").is_ok());
        assert!(alice.require_self_or_admin("B").is_err());
        assert!(admin.require_self_or_admin("B").is_ok());
        assert!(service.require_self_or_admin("A").is_err());
        assert!(alice.require_admin().is_err());
    }
}
