//! What every AWS client of a function shares: the region, the credentials and one
//! HTTPS client, built from the environment Lambda gives the function.
//!
//! Both are chosen for the cold start. The SDK's default configuration chain looks for
//! profile files and builds STS and IMDS clients it never uses in Lambda, and its default
//! HTTPS client reads the whole system certificate store, once per client: together more
//! than half of a function's start. Lambda puts the region and the role's credentials in
//! the environment, and every AWS endpoint (and every ACM certificate) chains to one of
//! the five Amazon Trust Services roots, so the client trusts exactly those, compiled in.

use crate::config::{self, ConfigError};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use std::sync::OnceLock;

/// The roots of Amazon Trust Services, as amazontrust.com recommends for a custom trust
/// store: all five.
pub const AMAZON_ROOTS: &[u8] = include_bytes!("../certs/amazon-trust-services.pem");

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
        .http_client(https_client(AMAZON_ROOTS))
        .build();
    Ok(CONFIG.get_or_init(|| config))
}

/// For the commands an operator runs from a shell, where credentials may come from a
/// profile or SSO: the SDK's whole default chain, with the same HTTPS client. Only the
/// binaries that call this carry that chain.
pub async fn load_default_chain() {
    if CONFIG.get().is_none() {
        let config = aws_config::defaults(BehaviorVersion::latest())
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

/// An HTTPS client (rustls) that trusts only the certificates chaining to `roots` (PEM).
pub fn https_client(roots: &[u8]) -> SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(roots);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context of a trust store alone always builds");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
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
    use aws_sdk_dynamodb::config::retry::RetryConfig;
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::Arc;

    /// A CA of the test's own and a server certificate it signed for `name`.
    struct TestPki {
        ca_pem: String,
        server_chain: Vec<CertificateDer<'static>>,
        server_key: PrivateKeyDer<'static>,
    }

    fn pki(name: &str) -> TestPki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "Test CA");
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let server_key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec![name.to_string()])
            .unwrap()
            .signed_by(&server_key, &Issuer::new(ca, ca_key))
            .unwrap();
        TestPki {
            ca_pem: ca_cert.pem(),
            server_chain: vec![server.der().clone()],
            server_key: PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes())
                .unwrap(),
        }
    }

    /// A TLS server on 127.0.0.1 answering every request with DynamoDB's answer to
    /// ListTables; returns its port.
    fn serve(pki: &TestPki) -> u16 {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(pki.server_chain.clone(), pki.server_key.clone_key())
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // A client that refuses the certificate ends the handshake: read fails.
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let body = br#"{"TableNames":[]}"#;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = tls.write_all(head.as_bytes());
                let _ = tls.write_all(body);
                let _ = tls.flush();
            }
        });
        port
    }

    /// Lists tables at `https://{host}:{port}` through [`https_client`] trusting `roots`.
    async fn list_tables(roots: &[u8], host: &str, port: u16) -> Result<(), String> {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::for_tests())
            .http_client(https_client(roots))
            .retry_config(RetryConfig::disabled())
            .endpoint_url(format!("https://{host}:{port}"))
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
            .list_tables()
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))
    }

    #[tokio::test]
    async fn the_sdk_client_verifies_the_server_against_its_roots_only() {
        let localhost = pki("localhost");
        let port = serve(&localhost);
        // Trusting the server's CA: TLS works end to end.
        list_tables(localhost.ca_pem.as_bytes(), "localhost", port)
            .await
            .unwrap();
        // The functions' roots do not vouch for it: refused, even when the system's
        // store (here SSL_CERT_FILE, which the SDK's default client reads) trusts it.
        let system_store = std::env::temp_dir().join(format!("test-ca-{port}.pem"));
        std::fs::write(&system_store, &localhost.ca_pem).unwrap();
        std::env::set_var("SSL_CERT_FILE", &system_store);
        let refused = list_tables(AMAZON_ROOTS, "localhost", port)
            .await
            .unwrap_err();
        assert!(refused.contains("UnknownIssuer"), "{refused}");
        // A certificate of a trusted CA for another name: refused.
        let other = pki("other.example");
        let port = serve(&other);
        let refused = list_tables(other.ca_pem.as_bytes(), "localhost", port)
            .await
            .unwrap_err();
        assert!(refused.contains("NotValidForName"), "{refused}");
    }

    #[tokio::test]
    async fn service_calls_verify_the_server_against_the_same_roots() {
        let localhost = pki("localhost");
        let port = serve(&localhost);
        let url = format!("https://localhost:{port}/internal/customers/x");
        let trusting = reqwest::Client::builder()
            .use_preconfigured_tls(tls_config(localhost.ca_pem.as_bytes()))
            .build()
            .unwrap();
        assert_eq!(trusting.get(&url).send().await.unwrap().status(), 200);
        let refused = http_client()
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
            .unwrap_err();
        let chain = std::iter::successors(Some(&refused as &dyn std::error::Error), |e| e.source())
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join(": ");
        assert!(chain.contains("UnknownIssuer"), "{chain}");
    }

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
