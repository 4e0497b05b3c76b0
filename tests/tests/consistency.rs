//! Every list of functions agrees with the one declaration (`shared::endpoints`).
//! No stack needed. The generated files (`template.yaml`'s functions, the local router
//! in `Cargo.toml`, `events/`) must be fresh; the hand-written ones (the binaries,
//! `openapi.yaml`, `local/env.sh`) must name exactly what is declared.

use serde_yaml::Value as Yaml;
use shared::endpoints::{Access, Endpoint, Service, Table, Trigger, ENDPOINTS};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Binaries that are operator commands, not functions.
const OPERATOR_COMMANDS: &[&str] = &["create_admin"];

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

#[test]
fn generated_files_are_fresh() {
    let stale = codegen::stale(&root()).unwrap();
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p codegen`): {stale:?}"
    );
}

#[test]
fn the_generated_template_routes_every_declared_function() {
    let template = yaml("template.yaml");
    let functions: BTreeSet<(String, String)> = template["Resources"]
        .as_mapping()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function"))
        .map(|r| {
            let binary = r["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap();
            let event = serde_yaml::to_string(&r["Properties"]["Events"]).unwrap();
            (binary.to_string(), event)
        })
        .collect();
    assert_eq!(functions.len(), ENDPOINTS.len());
    for endpoint in ENDPOINTS {
        let (_, events) = functions
            .iter()
            .find(|(binary, _)| binary == endpoint.name)
            .unwrap_or_else(|| panic!("{} is not in template.yaml", endpoint.name));
        match endpoint.trigger {
            Trigger::Http(method, path) => {
                assert!(events.contains("Type: HttpApi"), "{}", endpoint.name);
                assert!(
                    events.contains(&format!("Path: {path}")),
                    "{}",
                    endpoint.name
                );
                assert!(events.contains(&format!("Method: {}", method.as_str())));
            }
            Trigger::Schedule(_) => assert!(events.contains("Type: Schedule"), "{}", endpoint.name),
            Trigger::Unrouted => assert!(
                events.contains("Type: HttpApi") && !events.contains("Path:"),
                "{}: the $default route has no path",
                endpoint.name
            ),
        }
    }
}

/// The directory of a service's function package.
fn package(service: Service) -> &'static str {
    match service {
        Service::Platform => "health",
        other => other.name(),
    }
}

#[test]
fn every_declared_function_has_its_binary_in_its_service_and_no_other_exists() {
    let mut binaries = BTreeSet::new();
    for dir in std::fs::read_dir(root().join("functions")).unwrap() {
        let dir = dir.unwrap().path();
        let service = dir.file_name().unwrap().to_string_lossy().to_string();
        for file in std::fs::read_dir(dir.join("src/bin")).into_iter().flatten() {
            let path = file.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if !OPERATOR_COMMANDS.contains(&name.as_str()) {
                binaries.insert((service.clone(), name));
            }
        }
    }
    let declared: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .map(|e| (package(e.service).to_string(), e.name.to_string()))
        .collect();
    assert_eq!(
        binaries, declared,
        "(package, binary) pairs differ from the declaration"
    );
}

#[test]
fn names_and_routes_are_unique() {
    let names: BTreeSet<&str> = ENDPOINTS.iter().map(|e| e.name).collect();
    assert_eq!(names.len(), ENDPOINTS.len(), "a name declared twice");
    let routes: BTreeSet<_> = ENDPOINTS.iter().filter_map(Endpoint::route).collect();
    let routed = ENDPOINTS.iter().filter(|e| e.route().is_some()).count();
    assert_eq!(routes.len(), routed, "a route declared twice");
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
    let declared: BTreeSet<(String, String)> = ENDPOINTS
        .iter()
        .filter_map(Endpoint::route)
        .map(|(method, path)| (method.as_str().to_string(), path.to_string()))
        .collect();
    assert_eq!(
        documented, declared,
        "openapi.yaml and the declaration differ"
    );
}

#[test]
fn local_table_names_match_the_template() {
    let template = yaml("template.yaml");
    let env = read("local/env.sh");
    for table in Table::ALL {
        assert_eq!(
            template["Resources"][table.resource()]["Type"].as_str(),
            Some("AWS::DynamoDB::Table"),
            "{table:?} is not a table of template.yaml"
        );
        let line = format!(
            "export {0}=\"${{{0}:-{1}}}\"",
            table.variable(),
            table.resource()
        );
        assert!(env.contains(&line), "local/env.sh does not say {line}");
    }
}

/// Least privilege: a function touches only its own service's tables, and the
/// platform's health only describes them.
#[test]
fn functions_touch_only_their_own_services_tables() {
    for endpoint in ENDPOINTS {
        for grant in endpoint.grants {
            assert!(
                !grant.actions.is_empty(),
                "{}: a grant of nothing",
                endpoint.name
            );
            if endpoint.service == Service::Platform {
                assert_eq!(grant.actions, ["DescribeTable"], "{}", endpoint.name);
            } else {
                assert_eq!(
                    grant.table.owner(),
                    endpoint.service,
                    "{} may touch {:?}",
                    endpoint.name,
                    grant.table
                );
            }
            for action in grant.actions {
                assert!(!action.contains('*'), "{}: wildcard action", endpoint.name);
            }
        }
    }
    let template = read("template.yaml");
    assert!(!template.contains("dynamodb:*") && !template.contains("Resource: '*'"));
}

/// Each internal route admits exactly callers that call its service, and every call
/// between services has a route that admits its caller.
#[test]
fn internal_routes_admit_exactly_the_services_that_call_them() {
    let calls = |caller: Service, callee: Service| {
        ENDPOINTS
            .iter()
            .any(|e| e.service == caller && e.calls.contains(&callee))
    };
    for endpoint in ENDPOINTS {
        let is_internal = endpoint
            .route()
            .is_some_and(|(_, path)| path.starts_with("/internal/"));
        match endpoint.access {
            Access::Services(callers) => {
                assert!(
                    is_internal,
                    "{}: service access outside /internal/",
                    endpoint.name
                );
                assert!(!callers.is_empty(), "{}", endpoint.name);
                for caller in callers {
                    assert!(
                        calls(*caller, endpoint.service),
                        "{} admits {caller:?}, which never calls {:?}",
                        endpoint.name,
                        endpoint.service
                    );
                    assert!(endpoint
                        .secrets
                        .contains(&shared::endpoints::Secret::ServiceTokens));
                }
            }
            _ => assert!(
                !is_internal,
                "{}: an internal route open to users",
                endpoint.name
            ),
        }
        for callee in endpoint.calls {
            let admitted = ENDPOINTS.iter().any(|e| {
                e.service == *callee
                    && matches!(e.access, Access::Services(callers) if callers.contains(&endpoint.service))
            });
            assert!(
                admitted,
                "{} calls {callee:?}, which admits no {:?}",
                endpoint.name, endpoint.service
            );
        }
    }
}

/// The build profiles sit beside the generated router in `Cargo.toml`; regenerating it
/// must keep them (it once dropped them: full debug info filled CI's disk, and release
/// binaries lost LTO and size optimization).
#[test]
fn build_profiles_survive_code_generation() {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).unwrap();
    let profile = |path: &[&str]| {
        path.iter()
            .try_fold(&manifest["profile"], |value, key| value.get(key))
            .cloned()
    };
    assert_eq!(profile(&["release", "lto"]), Some(true.into()));
    assert_eq!(profile(&["release", "opt-level"]), Some("s".into()));
    assert_eq!(profile(&["release", "strip"]), Some(true.into()));
    assert_eq!(profile(&["dev", "debug"]), Some("line-tables-only".into()));
    assert_eq!(
        profile(&["dev", "package", "*", "debug"]),
        Some(false.into())
    );
    for hot in ["argon2", "blake2", "reco"] {
        assert_eq!(
            profile(&["dev", "package", hot, "opt-level"]),
            Some(3.into())
        );
        assert_eq!(
            profile(&["release", "package", hot, "opt-level"]),
            Some(3.into())
        );
    }
}

/// `openapi.yaml` states the same bounds as `shared::limits`, which the request types
/// validate against: wherever a property of these names has a bound, it is this one.
#[test]
fn openapi_bounds_are_the_declared_limits() {
    use shared::limits::*;
    let expected: [(&str, &str, i64); 9] = [
        ("time", "maximum", MAX_EVENT_TIME),
        ("quantity", "minimum", 1),
        ("quantity", "maximum", MAX_QUANTITY),
        ("rating", "minimum", MIN_RATING),
        ("rating", "maximum", MAX_RATING),
        ("price_cents", "maximum", MAX_PRICE_CENTS),
        ("stock", "maximum", MAX_STOCK),
        ("stock_delta", "maximum", MAX_STOCK),
        ("stock_delta", "minimum", -MAX_STOCK),
    ];
    fn walk(node: &Yaml, found: &mut Vec<(String, String, i64)>) {
        match node {
            Yaml::Mapping(map) => {
                for (key, value) in map {
                    if let (Some(name), Yaml::Mapping(schema)) = (key.as_str(), value) {
                        for bound in ["minimum", "maximum"] {
                            if let Some(n) = schema.get(bound).and_then(Yaml::as_i64) {
                                found.push((name.to_string(), bound.to_string(), n));
                            }
                        }
                    }
                    walk(value, found);
                }
            }
            Yaml::Sequence(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&yaml("openapi.yaml"), &mut found);
    for (name, bound, value) in expected {
        let stated: Vec<i64> = found
            .iter()
            .filter(|(n, b, _)| n == name && b == bound)
            .map(|(_, _, v)| *v)
            .collect();
        assert!(
            !stated.is_empty(),
            "openapi.yaml states no {bound} of {name}"
        );
        assert!(
            stated.iter().all(|v| *v == value),
            "openapi.yaml: {name} {bound} {stated:?}, declared {value}"
        );
    }
    let deposit = &yaml("openapi.yaml")["components"]["schemas"]["DepositRequest"];
    assert_eq!(
        deposit["properties"]["amount_cents"]["maximum"].as_i64(),
        Some(MAX_DEPOSIT_CENTS)
    );
}

/// Every table outlives its stack: kept when the stack is deleted or the table replaced,
/// and protected from deletion.
#[test]
fn every_table_is_retained_and_protected() {
    let template = yaml("template.yaml");
    let tables: Vec<(&str, &Yaml)> = template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .map(|(name, r)| (name.as_str().unwrap(), r))
        .collect();
    assert_eq!(tables.len(), 6);
    for (name, table) in tables {
        assert_eq!(table["DeletionPolicy"].as_str(), Some("Retain"), "{name}");
        assert_eq!(
            table["UpdateReplacePolicy"].as_str(),
            Some("Retain"),
            "{name}"
        );
        assert_eq!(
            table["Properties"]["DeletionProtectionEnabled"].as_bool(),
            Some(true),
            "{name}"
        );
    }
}

/// Every function's log group is the stack's, with a retention (Lambda would otherwise
/// create one that keeps logs forever).
#[test]
fn every_function_has_a_log_group_with_a_retention() {
    let text = read("template.yaml");
    let template = yaml("template.yaml");
    let resources = template["Resources"].as_mapping().unwrap();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let function = name.as_str().unwrap();
        let logs = function.replace("Function", "Logs");
        let group = &template["Resources"][logs.as_str()];
        assert_eq!(
            group["Type"].as_str(),
            Some("AWS::Logs::LogGroup"),
            "{function}"
        );
        assert!(
            text.contains(&format!(
                "LogGroupName: !Sub \"/aws/lambda/${{{function}}}\""
            )),
            "{function}: its log group is not named after it"
        );
        assert!(
            !group["Properties"]["RetentionInDays"].is_null(),
            "{function}"
        );
    }
}
