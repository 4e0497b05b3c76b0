//! Calls from one service to another's internal routes, authenticated with a
//! short-lived service token. Transport failures and timeouts are `Unavailable`;
//! any HTTP answer is returned as it is, for the caller to interpret.

use crate::auth::{Role, TokenKeys};
use crate::config::{self, ConfigError};
use crate::ApiError;
use serde::Serialize;
use std::time::Duration;

pub struct ServiceClient {
    http: reqwest::Client,
    keys: TokenKeys,
    caller: &'static str,
}

/// An answer from another service.
#[derive(Debug)]
pub struct ServiceReply {
    pub status: u16,
    pub body: serde_json::Value,
}

impl ServiceReply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `detail` of a problem answer, for logs and error messages.
    pub fn detail(&self) -> String {
        self.body["detail"]
            .as_str()
            .unwrap_or("no detail")
            .to_string()
    }
}

/// The base URL of another service's routes, from the environment (no trailing slash).
pub fn base_url(name: &'static str) -> Result<String, ConfigError> {
    Ok(config::required(name)?.trim_end_matches('/').to_string())
}

impl ServiceClient {
    /// `SERVICE_TOKEN_SECRET` signs the tokens; `caller` names this service in them.
    pub fn from_env(caller: &'static str) -> Result<Self, ConfigError> {
        let timeout = config::parsed_or("SERVICE_CALL_TIMEOUT_MS", 5_000u64)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(timeout))
            .connect_timeout(Duration::from_millis(1_000))
            .build()
            .map_err(|e| ConfigError::Invalid {
                name: "SERVICE_CALL_TIMEOUT_MS",
                reason: e.to_string(),
            })?;
        Ok(Self {
            http,
            keys: TokenKeys::services_from_env()?,
            caller,
        })
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<ServiceReply, ApiError> {
        let token = self.keys.issue(self.caller, Role::Service)?.token;
        let response = request
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| ApiError::Unavailable(format!("service call failed: {e}")))?;
        let status = response.status().as_u16();
        let text = response
            .text()
            .await
            .map_err(|e| ApiError::Unavailable(format!("service answer unreadable: {e}")))?;
        Ok(ServiceReply {
            status,
            body: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        })
    }

    pub async fn post<T: Serialize>(&self, url: &str, body: &T) -> Result<ServiceReply, ApiError> {
        self.send(self.http.post(url).json(body)).await
    }

    pub async fn get(&self, url: &str) -> Result<ServiceReply, ApiError> {
        self.send(self.http.get(url)).await
    }
}
