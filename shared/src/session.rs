//! Whether a user's token is still *current*: issued at the account's present token
//! generation and role, to an open account. Customers owns accounts and checks its own
//! routes itself; a function of another service that acts for a user or uses admin rights
//! asks Customers (`GET /internal/customers/{id}`), so that a password change, a demotion
//! or closing the account takes effect at once there too, not when the token expires.

use crate::auth::{Principal, Role};
use crate::config::ConfigError;
use crate::contracts::customers::{self, AccountStatus};
use crate::endpoints::Endpoint;
use crate::error::problem;
use crate::service::ServiceClient;
use crate::state::{Part, State};
use crate::ApiError;
use lambda_http::Request;
use std::future::Future;

/// Who answers whether a token is current: Customers over HTTP ([`customers::Client`]),
/// or a double in tests (`crate::testing::Accounts`).
pub trait Sessions: Sync {
    fn is_current(
        &self,
        principal: &Principal,
    ) -> impl Future<Output = Result<bool, ApiError>> + Send;
}

/// The rule itself: a token is current for an open account whose role and token
/// generation are still the token's.
pub fn admits(principal: &Principal, status: AccountStatus, role: Role, generation: u64) -> bool {
    status == AccountStatus::Active && role == principal.role && generation == principal.generation
}

impl Sessions for customers::Client {
    async fn is_current(&self, principal: &Principal) -> Result<bool, ApiError> {
        match self.status(&principal.subject).await? {
            Ok(account) => Ok(admits(
                principal,
                account.status,
                account.role,
                account.token_generation,
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
