//! The keys of tokens and cursors, read once per cold start. In AWS they live in Secrets
//! Manager: a function's environment holds only the ARNs of the secrets its declaration
//! names (`JWT_SECRET_ARN`, ...), its role may read only those, and [`load`] fetches them
//! all at once before anything needs them. On a developer machine the values themselves
//! come from the environment (`JWT_SECRET`, ...: local development defaults, local/env.sh),
//! and nothing is fetched.

use crate::config::ConfigError;
use endpoints::Secret;
use std::collections::HashMap;
use std::sync::OnceLock;

static FETCHED: OnceLock<HashMap<&'static str, String>> = OnceLock::new();

/// Fetches from Secrets Manager, concurrently, every secret of `secrets` whose value is not
/// in the environment. Called once per cold start, before the state is built.
pub async fn load(secrets: &[Secret]) -> Result<(), ConfigError> {
    let wanted: Vec<Secret> = secrets
        .iter()
        .copied()
        .filter(|secret| std::env::var(secret.variable()).is_err())
        .collect();
    if wanted.is_empty() || FETCHED.get().is_some() {
        return Ok(());
    }
    let mut arns = Vec::new();
    for secret in &wanted {
        arns.push(crate::config::required(secret.arn_variable())?);
    }
    let mut config = aws_sdk_secretsmanager::config::Builder::from(crate::aws::config()?);
    if let Some(endpoint) = crate::aws::endpoint_override("SECRETS_MANAGER_ENDPOINT") {
        config = config.endpoint_url(endpoint);
    }
    let client = aws_sdk_secretsmanager::Client::from_conf(config.build());
    let fetches = arns
        .iter()
        .map(|arn| client.get_secret_value().secret_id(arn).send());
    let mut fetched = HashMap::new();
    for (secret, answer) in wanted.iter().zip(futures::future::join_all(fetches).await) {
        let name = secret.arn_variable();
        let value = answer
            .map_err(|err| ConfigError::Invalid {
                name,
                reason: format!(
                    "the secret could not be read: {}",
                    aws_sdk_secretsmanager::error::DisplayErrorContext(&err)
                ),
            })?
            .secret_string
            .ok_or_else(|| ConfigError::Invalid {
                name,
                reason: "the secret has no string value".into(),
            })?;
        fetched.insert(secret.variable(), value);
    }
    let _ = FETCHED.set(fetched);
    Ok(())
}

/// A secret's value: from the environment on a developer machine, else as [`load`]
/// fetched it.
pub fn value(variable: &str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.trim().is_empty())
        .or_else(|| FETCHED.get()?.get(variable).cloned())
}

/// A secret's value ([`value`]): required, and long enough to resist brute force.
pub fn required(name: &'static str) -> Result<Vec<u8>, ConfigError> {
    let value = value(name).ok_or(ConfigError::Missing(name))?;
    if value.len() < 32 {
        return Err(ConfigError::Invalid {
            name,
            reason: "must be at least 32 bytes".into(),
        });
    }
    Ok(value.into_bytes())
}
