//! What every function builds once per cold start, from the parts its declaration
//! ([`crate::endpoints`]) names: its store, the keys of the tokens and cursors it reads,
//! and the clients of the services it calls. One shape for all functions: each service
//! says what its `Store` and `Services` are, as [`Part`]s built from the declaration.

use crate::auth::{Principal, Role, TokenKeys};
use crate::config::{self, ConfigError};
use crate::cursor::CursorCodec;
use crate::endpoints::{self, Endpoint, Secret, Table};
use crate::ApiError;
use lambda_http::Request;
use std::future::Future;

pub struct State<Store, Services = ()> {
    /// This function's declaration.
    pub endpoint: &'static Endpoint,
    pub store: Store,
    /// The clients of the services it calls.
    pub services: Services,
    pub keys: Keys,
}

/// A part of a function's state, built from its declaration at cold start. A part
/// the declaration does not provide for (a table, a service it does not call) is a
/// configuration error then, not a failure of some later request.
pub trait Part: Sized {
    fn build(endpoint: &'static Endpoint) -> impl Future<Output = Result<Self, ConfigError>>;
}

impl Part for () {
    async fn build(_: &'static Endpoint) -> Result<Self, ConfigError> {
        Ok(())
    }
}

impl<Store: Part, Services: Part> State<Store, Services> {
    /// The state of the function called `name` (its binary's name).
    pub async fn load(name: &str) -> Result<Self, ConfigError> {
        let endpoint = endpoints::named(name).ok_or_else(|| ConfigError::Invalid {
            name: "the function name",
            reason: format!("{name} is not declared in shared::endpoints"),
        })?;
        Ok(Self {
            endpoint,
            keys: Keys::from_env(endpoint.secrets)?,
            store: Store::build(endpoint).await?,
            services: Services::build(endpoint).await?,
        })
    }
}

impl<Store, Services> State<Store, Services> {
    /// The customer or admin of a request's bearer token.
    pub fn authenticate(&self, req: &Request) -> Result<Principal, ApiError> {
        self.keys.users()?.authenticate(req)
    }

    /// The caller of an internal route: a valid service token, or 401.
    pub fn require_service(&self, req: &Request) -> Result<Principal, ApiError> {
        let principal = self.keys.services()?.authenticate(req)?;
        match principal.role {
            Role::Service => Ok(principal),
            _ => Err(ApiError::Forbidden("internal route")),
        }
    }
}

/// The keys a function's declaration names; asking for another is a server error.
pub struct Keys {
    users: Option<TokenKeys>,
    services: Option<TokenKeys>,
    cursors: Option<CursorCodec>,
}

impl Keys {
    pub fn from_env(secrets: &[Secret]) -> Result<Self, ConfigError> {
        let has = |secret| secrets.contains(&secret);
        Ok(Self {
            users: has(Secret::UserTokens)
                .then(TokenKeys::users_from_env)
                .transpose()?,
            services: has(Secret::ServiceTokens)
                .then(TokenKeys::services_from_env)
                .transpose()?,
            cursors: has(Secret::Cursors)
                .then(CursorCodec::from_env)
                .transpose()?,
        })
    }

    /// Customer and admin tokens.
    pub fn users(&self) -> Result<&TokenKeys, ApiError> {
        self.users
            .as_ref()
            .ok_or_else(|| undeclared(Secret::UserTokens))
    }

    /// Tokens between services.
    pub fn services(&self) -> Result<&TokenKeys, ApiError> {
        self.services
            .as_ref()
            .ok_or_else(|| undeclared(Secret::ServiceTokens))
    }

    pub fn cursors(&self) -> Result<&CursorCodec, ApiError> {
        self.cursors
            .as_ref()
            .ok_or_else(|| undeclared(Secret::Cursors))
    }
}

fn undeclared(secret: Secret) -> ApiError {
    ApiError::Internal(format!(
        "{} is not declared for this function",
        secret.variable()
    ))
}

/// The physical name of a table the endpoint declares (from its variable), or `None`
/// when it does not declare it.
pub fn table_name(endpoint: &Endpoint, table: Table) -> Result<Option<String>, ConfigError> {
    if endpoint.grants.iter().any(|g| g.table == table) {
        config::required(table.variable()).map(Some)
    } else {
        Ok(None)
    }
}

/// The physical name of a table the endpoint must declare.
pub fn required_table(endpoint: &Endpoint, table: Table) -> Result<String, ConfigError> {
    table_name(endpoint, table)?.ok_or_else(|| ConfigError::Invalid {
        name: table.variable(),
        reason: format!("{} does not declare {}", endpoint.name, table.resource()),
    })
}
