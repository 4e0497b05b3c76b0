//! SigV4 signatures on calls to internal routes. In AWS the internal routes take IAM
//! authorization: API Gateway refuses a call that is not signed by a role allowed to
//! invoke that route, so they are not callable from the internet at all; the service
//! token (`x-service-token`) still says which service calls. The function signs with the
//! credentials Lambda gives it (its role's). Locally the gateway checks the same
//! signatures (local/gateway.py) against the local credentials of local/env.sh.

use crate::ApiError;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::SystemTime;

/// The service name API Gateway signatures are scoped to.
const SERVICE: &str = "execute-api";

pub struct Signer {
    credentials: Credentials,
    region: String,
}

impl Signer {
    pub fn new(
        access_key: &str,
        secret_key: &str,
        session_token: Option<&str>,
        region: &str,
    ) -> Self {
        Self {
            credentials: Credentials::new(
                access_key,
                secret_key,
                session_token.map(str::to_string),
                None,
                "given",
            ),
            region: region.to_string(),
        }
    }

    /// With the credentials Lambda gives every function ([`infra::aws::lambda_environment`]);
    /// `None` without them.
    pub fn from_env() -> Option<Self> {
        let (region, credentials) = infra::aws::lambda_environment().ok()?;
        Some(Self {
            credentials,
            region,
        })
    }

    /// Adds the signature headers (`authorization`, `x-amz-date`, and the session
    /// token's) to a request ready to send.
    ///
    /// The signature covers the body (its SHA-256 in the canonical request, never
    /// `UNSIGNED-PAYLOAD`): API Gateway, and the local gateway, refuse a call whose body
    /// is not the one signed.
    pub fn sign(&self, request: &mut reqwest::Request) -> Result<(), ApiError> {
        self.sign_at(request, SystemTime::now())
    }

    fn sign_at(&self, request: &mut reqwest::Request, time: SystemTime) -> Result<(), ApiError> {
        let failed = |e: &dyn std::fmt::Display| ApiError::Internal(format!("signing: {e}"));
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default()
            .to_vec();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.to_string(), value.to_str().ok()?.to_string())))
            .collect();
        let signable = SignableRequest::new(
            request.method().as_str(),
            request.url().as_str(),
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| failed(&e))?;
        let identity = self.credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| failed(&e))?
            .into();
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| failed(&e))?
            .into_parts();
        for (name, value) in instructions.headers() {
            let name =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|e| failed(&e))?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|e| failed(&e))?;
            request.headers_mut().insert(name, value);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_request_names_its_key_scope_and_headers() {
        let signer = Signer {
            credentials: Credentials::new(
                "AKIDEXAMPLE",
                "secret",
                Some("session".into()),
                None,
                "test",
            ),
            region: "eu-west-1".into(),
        };
        let mut request = infra::aws::http_client()
            .build()
            .unwrap()
            .post("http://127.0.0.1:9104/internal/inventory/reservations")
            .header("content-type", "application/json")
            .body("{}")
            .build()
            .unwrap();
        signer.sign(&mut request).unwrap();
        let header = |name: &str| request.headers()[name].to_str().unwrap().to_string();
        let authorization = header("authorization");
        assert!(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
        assert!(authorization.contains("/eu-west-1/execute-api/aws4_request"));
        assert!(authorization.contains("SignedHeaders=content-type;host;x-amz-date"));
        assert_eq!(header("x-amz-security-token"), "session");
        assert_eq!(header("x-amz-date").len(), "20261202T000000Z".len());
    }

    #[test]
    fn the_signature_covers_the_body() {
        let signer = Signer::new("AKIDEXAMPLE", "secret", None, "eu-west-1");
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
        let signed = |body: &'static str| {
            let mut request = infra::aws::http_client()
                .build()
                .unwrap()
                .post("http://127.0.0.1:9104/internal/inventory/reservations")
                .header("content-type", "application/json")
                .body(body)
                .build()
                .unwrap();
            signer.sign_at(&mut request, at).unwrap();
            assert!(request.headers().get("x-amz-content-sha256").is_none());
            request.headers()["authorization"]
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(signed(r#"{"quantity":1}"#), signed(r#"{"quantity":1}"#));
        assert_ne!(signed(r#"{"quantity":1}"#), signed(r#"{"quantity":9}"#));
    }
}
