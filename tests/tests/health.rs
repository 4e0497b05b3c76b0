//! Health endpoints of every service and the aggregates.
#![cfg(feature = "stack")]

use e2e::*;

#[tokio::test]
async fn every_service_reports_status_and_database() {
    for service in ["customers", "inventory", "sales", "reviews"] {
        let status = get(&format!("/{service}/health/status"), None).await;
        let body = status.expect(200);
        assert_eq!(body["status"], "ok");
        assert_eq!(body["service"], service);
        assert!(body["version"].is_string());
        let database = get(&format!("/{service}/health/database"), None).await;
        let body = database.expect(200);
        assert_eq!(body["status"], "ok");
        let tables = body["tables"].as_array().unwrap();
        assert!(!tables.is_empty());
        for table in tables {
            assert_eq!(table["status"], "ok");
            assert_eq!(table["service"], service);
            assert!(table["latency_ms"].is_u64());
        }
    }
}

#[tokio::test]
async fn aggregates_cover_all_four_services() {
    get("/health/status", None).await.expect(200);
    let database = get("/health/database", None).await;
    let body = database.expect(200);
    let mut services: Vec<&str> = body["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["service"].as_str().unwrap())
        .collect();
    services.dedup();
    assert_eq!(services, ["customers", "inventory", "sales", "reviews"]);
    assert!(
        !database.text.contains("Table\""),
        "physical table names are not shown"
    );
}

#[tokio::test]
async fn the_api_serves_its_openapi_document() {
    let reply = get("/openapi.yaml", None).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
    assert!(reply
        .header("content-type")
        .unwrap_or_default()
        .starts_with("application/yaml"));
    let served: serde_yaml::Value = serde_yaml::from_str(&reply.text).unwrap();
    let file =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml")).unwrap();
    assert_eq!(
        served,
        serde_yaml::from_str::<serde_yaml::Value>(&file).unwrap()
    );
    assert!(served["paths"]["/openapi.yaml"]["get"].is_mapping());
}
