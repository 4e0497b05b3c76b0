//! What every function builds once per cold start, from the parts its declaration
//! ([`endpoints`]) names: its store, the keys of the tokens and cursors it reads,
//! and the clients of the services it calls. One shape for all functions: each service
//! says what its `Store` and `Services` are, as [`Part`]s built from the declaration.

use edge::auth::{Principal, Role, TokenKeys};
use edge::cursor::CursorCodec;
use edge::ApiError;
use endpoints::{Access, Endpoint, Secret, Table};
use infra::config::{self, ConfigError};
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
            reason: format!("{name} is not declared in endpoints"),
        })?;
        infra::secrets::load(endpoint.secrets).await?;
        Ok(Self {
            endpoint,
            keys: Keys::from_env(endpoint.secrets)?,
            store: Store::build(endpoint).await?,
            services: Services::build(endpoint).await?,
        })
    }
}

impl<Store, Services> State<Store, Services> {
    /// The state of the declared function `name` from parts built elsewhere: in-process
    /// tests give it a store double and keys of their own.
    pub fn assemble(name: &str, store: Store, services: Services, keys: Keys) -> Self {
        let endpoint =
            endpoints::named(name).unwrap_or_else(|| panic!("{name} is not declared in endpoints"));
        Self {
            endpoint,
            store,
            services,
            keys,
        }
    }

    /// The customer or admin of a request's bearer token.
    pub fn authenticate(&self, req: &Request) -> Result<Principal, ApiError> {
        let principal = self.keys.users()?.authenticate(req)?;
        crate::caller::note(&principal);
        Ok(principal)
    }

    /// The caller of an internal route: a service token (401 without a valid one) of a
    /// service this route's declaration admits (403 for any other service).
    pub fn require_service(&self, req: &Request) -> Result<Principal, ApiError> {
        let principal = self.keys.services()?.authenticate_service(req)?;
        crate::caller::note(&principal);
        if principal.role != Role::Service {
            return Err(ApiError::Forbidden("internal route"));
        }
        match self.endpoint.access {
            Access::Services(callers) if callers.iter().any(|c| c.name() == principal.subject) => {
                Ok(principal)
            }
            _ => Err(ApiError::Forbidden(
                "this internal route is not open to the calling service",
            )),
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
    pub fn new(
        users: Option<TokenKeys>,
        services: Option<TokenKeys>,
        cursors: Option<CursorCodec>,
    ) -> Self {
        Self {
            users,
            services,
            cursors,
        }
    }

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
