//! Whether a user's token is still *current*: issued at the account's present token
//! generation and role, to an open account, for a login that has not ended (logged out,
//! or revoked when one of its refresh tokens was presented again). Customers owns accounts
//! and checks its own routes itself; a function of another service that acts for a user,
//! shows a user their own data or uses admin rights asks Customers
//! (`GET /internal/customers/{id}?session=`, one read there), so that a password change, a
//! demotion, closing the account or ending the login takes effect at once there too, not
//! when the token expires.

use crate::state::{Part, State};
use edge::auth::{Principal, Role};
use edge::contracts::customers::{self, AccountStatus};
use edge::error::problem;
use edge::service::ServiceClient;
use edge::ApiError;
use endpoints::Endpoint;
use infra::config::ConfigError;
use lambda_http::Request;
use std::future::Future;

/// Who answers whether a token is current: Customers over HTTP ([`customers::Client`]),
/// or a double in tests (`testkit::Accounts`).
pub trait Sessions: Sync {
    fn is_current(
        &self,
        principal: &Principal,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;
}

/// The rule itself: a token is current for an open account whose role and token
/// generation are still the token's, and whose login it names is live (`session_live`:
/// the login named by `principal.session`). A token naming no login (issued before tokens
/// named theirs; they lived 15 minutes) is never current.
pub fn admits(
    principal: &Principal,
    status: AccountStatus,
    role: Role,
    generation: u64,
    session_live: bool,
) -> bool {
    principal.session.is_some()
        && session_live
        && status == AccountStatus::Active
        && role == principal.role
        && generation == principal.generation
}

impl Sessions for customers::Client {
    async fn is_current(&self, principal: &Principal) -> Result<bool, ApiError> {
        let Some(session) = principal.session.as_deref() else {
            return Ok(false);
        };
        // Both come from a token we signed; anything else is no login of ours.
        let (Ok(subject), Ok(session)) = (
            edge::ids::parse_id(&principal.subject, "customer"),
            edge::ids::parse_id(session, "session"),
        ) else {
            return Ok(false);
        };
        match self.session_status(&subject, &session).await? {
            Ok(account) => Ok(admits(
                principal,
                account.status,
                account.role,
                account.token_generation,
                account.session_live,
            )),
            Err(refusal) if refusal.is(problem::NOT_FOUND) => Ok(false),
            Err(refusal) => Err(ApiError::Unavailable(format!(
                "customers refused: {refusal}"
            ))),
        }
    }
}

impl Part for customers::Client {
    async fn build(endpoint: &'static Endpoint) -> Result<Self, ConfigError> {
        customers::Client::from_env(&ServiceClient::for_endpoint(endpoint)?)
    }
}

/// A token that is no longer current.
pub fn revoked() -> ApiError {
    ApiError::Unauthorized("this token is no longer valid; log in again")
}

impl<Store, Services: Sessions> State<Store, Services> {
    /// The customer or admin of a request's bearer token, if that token is still current.
    pub async fn current(&self, req: &Request) -> Result<Principal, ApiError> {
        let principal = self.authenticate(req)?;
        self.confirm(principal).await
    }

    /// The admin of a request's bearer token, if that token is still current: a demoted
    /// admin's earlier tokens are refused at once (403 for a customer's token).
    pub async fn current_admin(&self, req: &Request) -> Result<Principal, ApiError> {
        let principal = self.authenticate(req)?;
        principal.require_admin()?;
        self.confirm(principal).await
    }

    /// `principal`, if its token is still current.
    pub async fn confirm(&self, principal: Principal) -> Result<Principal, ApiError> {
        if self.services.is_current(&principal).await? {
            Ok(principal)
        } else {
            Err(revoked())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(session: Option<&str>) -> Principal {
        Principal {
            subject: "01ABC".into(),
            role: Role::Admin,
            generation: 2,
            session: session.map(str::to_string),
        }
    }

    #[test]
    fn a_token_is_current_only_for_its_live_login_at_the_accounts_role_and_generation() {
        let token = principal(Some("01LOGIN"));
        let active = AccountStatus::Active;
        assert!(admits(&token, active, Role::Admin, 2, true));
        // The login ended (a logout, a reused refresh token).
        assert!(!admits(&token, active, Role::Admin, 2, false));
        // A password or role change, a closed account.
        assert!(!admits(&token, active, Role::Admin, 3, true));
        assert!(!admits(&token, active, Role::Customer, 2, true));
        assert!(!admits(
            &token,
            AccountStatus::Deleted,
            Role::Admin,
            2,
            true
        ));
        // A token naming no login.
        assert!(!admits(&principal(None), active, Role::Admin, 2, true));
    }
}
