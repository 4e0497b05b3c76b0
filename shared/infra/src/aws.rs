//! What every AWS client of a function shares: the region, the credentials and one
//! HTTPS client, built from the environment Lambda gives the function.
//!
//! Both are chosen for the cold start. The SDK's default configuration chain looks for
//! profile files and builds STS and IMDS clients it never uses in Lambda, and its default
//! HTTPS client reads the whole system certificate store and parses it again for every
//! client: together more than half of a function's start. Lambda puts the region and the
//! role's credentials in the environment, and every AWS endpoint (and every public ACM
//! certificate, not an imported one) chains to one of the five Amazon Trust Services roots,
//! so the clients trust exactly those, compiled in.
//!
//! The HTTPS client's one connector is built with it, at init, not on the first request: the
//! SDK's own client builds one at construction only to throw it away (to load a system store
//! early) and the real one when the first request goes out, parsing the roots each time.

use crate::config::{self, ConfigError};
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_async::rt::sleep::{default_async_sleep, SharedAsyncSleep};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use std::sync::OnceLock;
use std::time::Duration;

/// The roots of Amazon Trust Services, as amazontrust.com recommends for a custom trust
/// store: all five.
pub const AMAZON_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

/// How long every AWS client waits for a connection (an endpoint in the function's region
/// answers in milliseconds), and so the settings of the connector built at init.
pub const CONNECT_TIMEOUT: Duration = Duration::from_millis(1_000);

static CONFIG: OnceLock<SdkConfig> = OnceLock::new();

/// The configuration every AWS client of the process shares: the region and the role's
/// credentials from the Lambda environment, unless [`load_default_chain`] ran first.
pub fn config() -> Result<&'static SdkConfig, ConfigError> {
    if let Some(config) = CONFIG.get() {
        return Ok(config);
    }
    let (region, credentials) = lambda_environment()?;
    let config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .timeout_config(timeouts())
        .http_client(https_client(AMAZON_ROOTS))
        .build();
    Ok(CONFIG.get_or_init(|| config))
}

/// For the commands an operator runs from a shell, where credentials may come from a
/// profile: the SDK's default chain (without SSO), with the same HTTPS client. Only the
/// binaries that call this carry that chain.
pub async fn load_default_chain() {
    if CONFIG.get().is_none() {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .timeout_config(timeouts())
            .http_client(https_client(AMAZON_ROOTS))
            .load()
            .await;
        let _ = CONFIG.set(config);
    }
}

/// The region and the role's credentials Lambda sets (`AWS_REGION`, `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
pub fn lambda_environment() -> Result<(String, Credentials), ConfigError> {
    let credentials = Credentials::new(
        config::required("AWS_ACCESS_KEY_ID")?,
        config::required("AWS_SECRET_ACCESS_KEY")?,
        config::required("AWS_SESSION_TOKEN").ok(),
        None,
        "lambda-environment",
    );
    Ok((config::required("AWS_REGION")?, credentials))
}

/// The timeouts every client starts from: [`CONNECT_TIMEOUT`], nothing else bounded (a
/// client adds its own attempt and operation bounds).
fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .build()
}

/// An HTTPS client (rustls, AWS-LC) that trusts only the certificates chaining to `roots`
/// (PEM); otherwise the SDK's default client (its proxy settings from the environment). Its
/// connector for [`CONNECT_TIMEOUT`] is built here.
pub fn https_client(roots: &[u8]) -> SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(roots);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context of a trust store alone always builds");
    let connector = move |settings: Option<&HttpConnectorSettings>,
                          sleep: Option<SharedAsyncSleep>| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
            .tls_context(context.clone());
        connector.set_connector_settings(settings.cloned());
        connector.set_sleep_impl(sleep);
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    };
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .build();
    let built = SharedHttpConnector::new(connector(Some(&settings), default_async_sleep()));
    let other = aws_smithy_http_client::Builder::new().build_with_connector_fn(
        move |settings, components: Option<&RuntimeComponents>| -> Connector {
            connector(settings, components.and_then(|c| c.sleep_impl()))
        },
    );
    SharedHttpClient::new(Prebuilt {
        settings,
        built,
        other,
    })
}

/// A connector built ahead for one set of settings; the SDK's own client, building on first
/// use, for any other.
#[derive(Debug)]
struct Prebuilt {
    settings: HttpConnectorSettings,
    built: SharedHttpConnector,
    other: SharedHttpClient,
}

impl HttpClient for Prebuilt {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let same = settings.connect_timeout() == self.settings.connect_timeout()
            && settings.read_timeout() == self.settings.read_timeout();
        if same {
            self.built.clone()
        } else {
            self.other.http_connector(settings, components)
        }
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.other.connector_metadata()
    }
}

/// The endpoint in the variable `name`, when set: another server compatible with an AWS
/// service (the local engine, a test's stand-in).
pub fn endpoint_override(name: &'static str) -> Option<String> {
    config::required(name).ok()
}

/// A client for HTTPS calls outside the SDK (calls between services) with the same trust:
/// only the certificates chaining to the Amazon roots.
pub fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().use_preconfigured_tls(tls_config(AMAZON_ROOTS))
}

/// A rustls configuration (AWS-LC) that trusts only the certificates chaining to `roots`
/// (PEM).
pub fn tls_config(roots: &[u8]) -> rustls::ClientConfig {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut store = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(roots) {
        store
            .add(cert.expect("the roots are PEM certificates"))
            .expect("the roots are certificates rustls can use");
    }
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("AWS-LC offers the default protocol versions")
        .with_root_certificates(store)
        .with_no_client_auth()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::pki_types::{pem::PemObject, CertificateDer};

    #[test]
    fn the_roots_are_the_five_of_amazon_trust_services() {
        // SHA-256 of each certificate, as amazontrust.com/repository publishes them.
        let published = [
            "8ecde6884f3d87b1125ba31ac3fcb13d7016de7f57cc904fe1cb97c6ae98196e",
            "1ba5b2aa8c65401a82960118f80bec4f62304d83cec4713a19c39c011ea46db4",
            "18ce6cfe7bf14e60b2e347b8dfe868cb31d02ebb3ada271569f50343b46db3a4",
            "e35d28419ed02025cfa69038cd623962458da5c695fbdea3c22b0bfb25897092",
            "568d6905a2c88708a4b3025190edcfedb1974a606a13c6e5290fcb2ae63edab5",
        ];
        let found: Vec<String> = CertificateDer::pem_slice_iter(AMAZON_ROOTS)
            .map(|cert| {
                let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &cert.unwrap());
                digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
            })
            .collect();
        assert_eq!(found, published);
        // Each is a usable trust anchor.
        let mut store = rustls::RootCertStore::empty();
        let (added, refused) =
            store.add_parsable_certificates(CertificateDer::pem_slice_iter(AMAZON_ROOTS).flatten());
        assert_eq!((added, refused), (5, 0));
    }
}
