//! The route table exists in several places; they must agree. No stack needed.
//!   template.yaml (what deploys), the local router in Cargo.toml (what runs locally),
//!   the function binaries, openapi.yaml (what clients read) and events/ (samples).

use serde_yaml::Value as Yaml;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Binaries that are operator commands, not HTTP functions.
const OPERATOR_COMMANDS: &[&str] = &["create_admin", "reco", "import_purchases"];
/// Functions triggered by a schedule, not by a route.
const SCHEDULED_FUNCTIONS: &[&str] = &["reconcile_sales", "refresh_recommendations"];

type Route = (String, String, String); // (METHOD, path, binary)

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Yaml {
    serde_yaml::from_str(&read(path)).unwrap()
}

fn template_routes() -> BTreeSet<Route> {
    let template = yaml("template.yaml");
    let mut routes = BTreeSet::new();
    for (_, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .unwrap()
            .to_string();
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, event) in events {
            if event["Type"].as_str() == Some("HttpApi") {
                let props = &event["Properties"];
                routes.insert((
                    props["Method"].as_str().unwrap().to_uppercase(),
                    props["Path"].as_str().unwrap().to_string(),
                    binary.clone(),
                ));
            }
        }
    }
    routes
}

fn router_routes() -> BTreeSet<Route> {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .unwrap();
    let mut routes = BTreeSet::new();
    for (path, entries) in router {
        for entry in entries.as_array().unwrap() {
            routes.insert((
                entry["method"].as_str().unwrap().to_uppercase(),
                path.clone(),
                entry["function"].as_str().unwrap().to_string(),
            ));
        }
    }
    routes
}

fn function_binaries() -> BTreeSet<String> {
    let mut binaries = BTreeSet::new();
    for package in std::fs::read_dir(root().join("functions")).unwrap() {
        let bin_dir = package.unwrap().path().join("src/bin");
        for file in std::fs::read_dir(bin_dir).into_iter().flatten() {
            let name = file
                .unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .to_string();
            if !OPERATOR_COMMANDS.contains(&name.as_str())
                && !SCHEDULED_FUNCTIONS.contains(&name.as_str())
            {
                binaries.insert(name);
            }
        }
    }
    binaries
}

#[test]
fn template_router_and_binaries_agree() {
    let template = template_routes();
    let router = router_routes();
    assert_eq!(
        template, router,
        "template.yaml and the Cargo.toml router differ"
    );
    let routed: BTreeSet<String> = template.iter().map(|(_, _, b)| b.clone()).collect();
    assert_eq!(
        routed,
        function_binaries(),
        "a binary without a route, or a route without a binary"
    );
}

#[test]
fn openapi_documents_every_route() {
    let openapi = yaml("openapi.yaml");
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    let mut documented = BTreeSet::new();
    for (path, item) in openapi["paths"].as_mapping().unwrap() {
        for (method, _) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if ["get", "post", "patch", "put", "delete"].contains(&method) {
                documented.insert((method.to_uppercase(), path.as_str().unwrap().to_string()));
            }
        }
    }
    let routed: BTreeSet<(String, String)> = router_routes()
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    assert_eq!(documented, routed, "openapi.yaml and the router differ");
}

#[test]
fn every_function_has_a_sample_event() {
    for (method, path, binary) in router_routes() {
        let event: serde_json::Value =
            serde_json::from_str(&read(&format!("events/{binary}.json")))
                .unwrap_or_else(|e| panic!("{binary}: {e}"));
        assert_eq!(event["version"], "2.0", "{binary}: API Gateway v2 payload");
        assert_eq!(
            event["requestContext"]["http"]["method"],
            method.as_str(),
            "{binary}"
        );
        assert_eq!(
            event["routeKey"],
            format!("{method} {path}").as_str(),
            "{binary}"
        );
    }
}

#[test]
fn local_table_names_match_the_template() {
    let template = yaml("template.yaml");
    let tables: BTreeSet<String> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .map(|(id, _)| id.as_str().unwrap().to_string())
        .collect();
    let env = read("local/env.sh");
    for table in &tables {
        assert!(
            env.contains(&format!(":-{table}}}")),
            "local/env.sh does not name {table}"
        );
    }
}

/// Least privilege: each function's policy names only its own service's tables,
/// and no wildcard actions or resources.
#[test]
fn functions_touch_only_their_own_services_tables() {
    let template = yaml("template.yaml");
    let owner = |table: &str| match table {
        "CustomersTable" => "customers",
        "ProductsTable" | "ReservationsTable" => "inventory",
        "SalesTable" => "sales",
        "ReviewsTable" | "RecoTable" => "reviews",
        other => panic!("unknown table {other}"),
    };
    for (id, resource) in template["Resources"].as_mapping().unwrap() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let description = resource["Properties"]["Description"].as_str().unwrap();
        let service = description
            .rsplit('(')
            .next()
            .unwrap()
            .trim_end_matches(')');
        let policies = serde_yaml::to_string(&resource["Properties"]["Policies"]).unwrap();
        assert!(
            !policies.contains("dynamodb:*") && !policies.contains("Resource: '*'"),
            "{id:?}: wildcard"
        );
        for table in [
            "CustomersTable",
            "ProductsTable",
            "ReservationsTable",
            "SalesTable",
            "ReviewsTable",
        ] {
            if policies.contains(table) && service != "health" {
                assert_eq!(owner(table), service, "{id:?} may touch {table}");
            }
        }
        if service == "health" {
            assert!(
                !policies.contains("Item")
                    && !policies.contains("Scan")
                    && !policies.contains("Query"),
                "the aggregate health function may only describe tables"
            );
        }
    }
}

#[test]
fn scheduled_functions_are_scheduled_and_have_sample_events() {
    let template = yaml("template.yaml");
    for name in SCHEDULED_FUNCTIONS {
        let function = template["Resources"]
            .as_mapping()
            .unwrap()
            .values()
            .find(|r| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name} is not in template.yaml"));
        let events = serde_yaml::to_string(&function["Properties"]["Events"]).unwrap();
        assert!(events.contains("Type: Schedule"), "{name} has no schedule");
        let event: serde_json::Value =
            serde_json::from_str(&read(&format!("events/{name}.json"))).unwrap();
        assert_eq!(event["detail-type"], "Scheduled Event");
    }
}
