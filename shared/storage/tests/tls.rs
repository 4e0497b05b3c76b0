//! The TLS of every outbound connection (`infra::aws`): a client trusts only the roots it
//! is given, and the functions' clients only the Amazon Trust Services roots, never the
//! host's store. Here the host's store trusts the test's own CA (`SSL_CERT_FILE`, set before
//! any client exists: the SDK's default client reads the store once per process), so a
//! client that fell back to it would connect.

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use infra::aws;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// A CA of the test's own and a server certificate it signed for one name.
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
        server_key: PrivateKeyDer::from_pem_slice(server_key.serialize_pem().as_bytes()).unwrap(),
    }
}

/// The PKI of `localhost`, whose CA the host's store trusts.
static LOCALHOST: LazyLock<TestPki> = LazyLock::new(|| {
    let localhost = pki("localhost");
    let store = std::env::temp_dir().join(format!("shared-tls-test-ca-{}.pem", std::process::id()));
    std::fs::write(&store, &localhost.ca_pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &store);
    localhost
});

/// A TLS server on 127.0.0.1 answering every request as DynamoDB answers ListTables;
/// returns its port.
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
            // A client that refuses the certificate ends the handshake: reading fails.
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

fn describe(err: impl std::error::Error + 'static) -> String {
    format!("{}", aws_sdk_dynamodb::error::DisplayErrorContext(err))
}

/// Lists the tables at `https://localhost:{port}` through `aws::https_client(roots)`.
async fn list_tables(roots: &[u8], port: u16) -> Result<(), String> {
    list_tables_through(aws::https_client(roots), aws::CONNECT_TIMEOUT, port).await
}

async fn list_tables_through(
    http: aws_sdk_dynamodb::config::SharedHttpClient,
    connect_timeout: Duration,
    port: u16,
) -> Result<(), String> {
    let timeouts = aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
        .connect_timeout(connect_timeout)
        .build();
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::for_tests())
        .timeout_config(timeouts)
        .http_client(http)
        .retry_config(RetryConfig::disabled())
        .endpoint_url(format!("https://localhost:{port}"))
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    client
        .list_tables()
        .send()
        .await
        .map(|_| ())
        .map_err(describe)
}

#[tokio::test]
async fn a_client_connects_only_to_servers_its_roots_vouch_for() {
    let port = serve(&LOCALHOST);
    list_tables(LOCALHOST.ca_pem.as_bytes(), port)
        .await
        .unwrap();
    let refused = list_tables(aws::AMAZON_ROOTS, port).await.unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
    // A certificate from a trusted CA, but for another name.
    let other = pki("other.example");
    let port = serve(&other);
    let refused = list_tables(other.ca_pem.as_bytes(), port)
        .await
        .unwrap_err();
    assert!(refused.contains("NotValidForName"), "{refused}");
}

#[tokio::test]
async fn the_functions_database_client_trusts_the_amazon_roots_not_the_hosts_store() {
    let port = serve(&LOCALHOST);
    // A function's environment in Lambda, its database at a server the host trusts.
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("DYNAMODB_TIMEOUT_MS", "3000"),
    ] {
        std::env::set_var(name, value);
    }
    std::env::set_var("DYNAMODB_ENDPOINT", format!("https://localhost:{port}"));
    let client = storage::db::client().unwrap();
    let refused = client
        .list_tables()
        .send()
        .await
        .map_err(describe)
        .unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
}

#[tokio::test]
async fn calls_between_services_trust_the_same_roots() {
    let port = serve(&LOCALHOST);
    let url = format!("https://localhost:{port}/internal/customers/x");
    let trusting = reqwest::Client::builder()
        .use_preconfigured_tls(aws::tls_config(LOCALHOST.ca_pem.as_bytes()))
        .build()
        .unwrap();
    assert_eq!(trusting.get(&url).send().await.unwrap().status(), 200);
    let refused = aws::http_client()
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

/// The SDK's debug lines on this thread while the guard lives.
fn sdk_debug_lines() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let lines = lines.clone();
        move || Lines(lines.clone())
    };
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(writer)
        .finish();
    (lines, tracing::subscriber::set_default(subscriber))
}

struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_first_request_finds_its_connector_built() {
    let port = serve(&LOCALHOST);
    let http = aws::https_client(LOCALHOST.ca_pem.as_bytes());
    let (lines, _guard) = sdk_debug_lines();
    let built = |lines: &Mutex<Vec<u8>>| {
        String::from_utf8_lossy(&lines.lock().unwrap())
            .matches("new connector created")
            .count()
    };
    // With the functions' timeouts: the connector built with the client, twice.
    list_tables_through(http.clone(), aws::CONNECT_TIMEOUT, port)
        .await
        .unwrap();
    list_tables_through(http.clone(), aws::CONNECT_TIMEOUT, port)
        .await
        .unwrap();
    assert_eq!(built(&lines), 0);
    // Other timeouts get a connector of their own, built on their first request, once.
    let other = aws::CONNECT_TIMEOUT * 2;
    list_tables_through(http.clone(), other, port)
        .await
        .unwrap();
    list_tables_through(http, other, port).await.unwrap();
    assert_eq!(built(&lines), 1);
}
