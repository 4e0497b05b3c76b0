//! Every list of functions agrees with the one declaration (`endpoints`).
//! No stack needed. The generated files (`template.yaml`'s functions, the local router
//! in `Cargo.toml`, the binaries, `events/`) must be fresh; the hand-written ones
//! (`openapi.yaml`, `local/env.sh`) must name exactly what is declared.

use codegen::camel;
use endpoints::{Access, Endpoint, Service, Table, Trigger, ENDPOINTS};
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, BTreeSet};
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
            Trigger::Stream(table) => assert!(
                events.contains("Type: DynamoDB")
                    && events.contains(&format!("{}.StreamArn", table.resource())),
                "{}: triggered by its table's stream",
                endpoint.name
            ),
        }
    }
}

/// Each events function reads the stream of a table of its own service, one with old and
/// new images (the events compare them), reports failed records (so a retry starts at
/// the first one: exactly once), keeps what still fails in a queue with an alarm, may put
/// events on the bus and nothing else, and has an alarm for falling behind.
#[test]
fn events_functions_read_their_own_tables_stream_and_publish_once() {
    let template = yaml("template.yaml");
    let resources = &template["Resources"];
    let mut streams = 0;
    for endpoint in ENDPOINTS {
        let Trigger::Stream(table) = endpoint.trigger else {
            continue;
        };
        streams += 1;
        assert_eq!(table.owner(), endpoint.service, "{}", endpoint.name);
        let spec = &resources[table.resource()]["Properties"]["StreamSpecification"];
        assert_eq!(spec["StreamViewType"].as_str(), Some("NEW_AND_OLD_IMAGES"));
        let id = format!("{}Function", camel(endpoint.name));
        let properties = &resources[id.as_str()]["Properties"];
        let event = &properties["Events"]["Stream"]["Properties"];
        let text = serde_yaml::to_string(event).unwrap();
        assert!(text.contains("ReportBatchItemFailures"), "{text}");
        assert!(text.contains("EventsDeadLetterQueue"), "{text}");
        assert_eq!(event["StartingPosition"].as_str(), Some("TRIM_HORIZON"));
        let policies = serde_yaml::to_string(&properties["Policies"]).unwrap();
        assert!(policies.contains("events:PutEvents") && policies.contains("EventBus"));
        assert!(
            !policies.contains("dynamodb:"),
            "{}: no table access",
            endpoint.name
        );
        let environment = serde_yaml::to_string(&properties["Environment"]).unwrap();
        assert!(environment.contains("EVENT_BUS_NAME"));
        let alarm = &resources[format!("{}IteratorAge", camel(endpoint.name)).as_str()];
        assert_eq!(
            alarm["Properties"]["MetricName"].as_str(),
            Some("IteratorAge")
        );
    }
    assert_eq!(streams, 3, "sales, products and reviews");
    assert_eq!(
        resources["EventsDeadLetters"]["Properties"]["MetricName"].as_str(),
        Some("ApproximateNumberOfMessagesVisible")
    );
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
        .map(|e| (e.service.package().to_string(), e.name.to_string()))
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
                    assert!(endpoint.secrets.contains(&endpoints::Secret::ServiceTokens));
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
    assert_eq!(profile(&["release", "panic"]), Some("abort".into()));
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

/// `openapi.yaml` states the same bounds as `edge::limits`, which the request types
/// validate against: wherever a property of these names has a bound, it is this one.
#[test]
fn openapi_bounds_are_the_declared_limits() {
    use edge::limits::*;
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
    let mut document = yaml("openapi.yaml");
    // A product as read may hold more than a write can set: refunds' restocks put their
    // units back even above the maximum.
    let read_stock = document["components"]["schemas"]["Product"]["properties"]["stock"]
        .as_mapping_mut()
        .and_then(|stock| stock.remove("maximum"))
        .and_then(|maximum| maximum.as_i64());
    assert!(read_stock.is_some_and(|maximum| maximum > MAX_STOCK));
    let mut found = Vec::new();
    walk(&document, &mut found);
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

// ---- Monitoring: alarms, the dashboard, the schedules' retries and dead letters.

/// The sections of `docs/runbook.md` that alarm descriptions may send the operator to.
/// The sections of docs/runbook.md an alarm may send the operator to: its headings as
/// GitHub anchors them (lower case, spaces to hyphens, other punctuation dropped).
fn runbook_anchors() -> Vec<String> {
    read("docs/runbook.md")
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|heading| {
            heading
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' => Some('-'),
                    c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// The name a short-form intrinsic (`!Ref X`, `!GetAtt X.Arn`) holds, if `value` is one
/// with that tag.
fn intrinsic<'a>(value: &'a Yaml, tag: &str) -> Option<&'a str> {
    match value {
        Yaml::Tagged(tagged) if tagged.tag == tag => tagged.value.as_str(),
        _ => None,
    }
}

fn resources_of<'a>(template: &'a Yaml, kind: &str) -> Vec<(&'a str, &'a Yaml)> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some(kind))
        .map(|(name, r)| (name.as_str().unwrap(), r))
        .collect()
}

/// The alarm on `namespace`/`metric` with the dimension `name` = `!Ref referenced`.
fn alarm_on<'a>(
    template: &'a Yaml,
    (namespace, metric): (&str, &str),
    (name, referenced): (&str, &str),
) -> Option<(&'a str, &'a Yaml)> {
    resources_of(template, "AWS::CloudWatch::Alarm")
        .into_iter()
        .find(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["Namespace"].as_str() == Some(namespace)
                && p["MetricName"].as_str() == Some(metric)
                && p["Dimensions"].as_sequence().is_some_and(|dimensions| {
                    dimensions.iter().any(|d| {
                        d["Name"].as_str() == Some(name)
                            && intrinsic(&d["Value"], "Ref") == Some(referenced)
                    })
                })
        })
}

/// Whether the alarm notifies the alarm topic both when it fires and when it clears.
fn notifies_the_topic(alarm: &Yaml) -> bool {
    ["AlarmActions", "OKActions"].iter().all(|actions| {
        alarm["Properties"][actions]
            .as_sequence()
            .is_some_and(|a| a.iter().any(|t| intrinsic(t, "Ref") == Some("AlarmTopic")))
    })
}

#[test]
fn every_function_has_error_and_throttle_alarms_that_notify_the_topic() {
    let template = yaml("template.yaml");
    let functions = resources_of(&template, "AWS::Serverless::Function");
    assert_eq!(functions.len(), ENDPOINTS.len());
    for (function, _) in functions {
        for metric in ["Errors", "Throttles"] {
            let (alarm, resource) = alarm_on(
                &template,
                ("AWS/Lambda", metric),
                ("FunctionName", function),
            )
            .unwrap_or_else(|| panic!("{function} has no alarm on its {metric}"));
            assert!(
                notifies_the_topic(resource),
                "{alarm} does not notify AlarmTopic"
            );
        }
    }
}

#[test]
fn scheduled_functions_retry_and_keep_what_still_fails() {
    let template = yaml("template.yaml");
    let resources = &template["Resources"];
    let queue_arn =
        |value: &Yaml| intrinsic(value, "GetAtt") == Some("ScheduleDeadLetterQueue.Arn");
    let policies = resources_of(&template, "AWS::SQS::QueuePolicy");
    let scheduled: Vec<_> = ENDPOINTS
        .iter()
        .filter_map(|e| match e.trigger {
            Trigger::Schedule(expression) => Some((e.name, expression)),
            _ => None,
        })
        .collect();
    assert!(!scheduled.is_empty(), "no scheduled function to check");
    for (name, expression) in scheduled {
        let (function, resource) = resources_of(&template, "AWS::Serverless::Function")
            .into_iter()
            .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(name))
            .unwrap_or_else(|| panic!("{name} is not in template.yaml"));
        let properties = &resource["Properties"];

        // EventBridge: retries of a delivery, then the queue.
        let event = &properties["Events"]["Schedule"];
        assert_eq!(event["Type"].as_str(), Some("Schedule"), "{function}");
        let event = &event["Properties"];
        assert_eq!(event["Schedule"].as_str(), Some(expression), "{function}");
        let attempts = event["RetryPolicy"]["MaximumRetryAttempts"].as_i64();
        let age = event["RetryPolicy"]["MaximumEventAgeInSeconds"].as_i64();
        assert!(
            attempts.is_some_and(|n| (0..=185).contains(&n)),
            "{function}: RetryPolicy"
        );
        assert!(
            age.is_some_and(|s| (60..=86_400).contains(&s)),
            "{function}: RetryPolicy"
        );
        assert!(
            queue_arn(&event["DeadLetterConfig"]["Arn"]),
            "{function}: DeadLetterConfig"
        );

        // Lambda: retries of a failed run, then its record in the same queue.
        let invoke = &properties["EventInvokeConfig"];
        let attempts = invoke["MaximumRetryAttempts"].as_i64();
        let age = invoke["MaximumEventAgeInSeconds"].as_i64();
        assert!(
            attempts.is_some_and(|n| (0..=2).contains(&n)),
            "{function}: EventInvokeConfig"
        );
        assert!(
            age.is_some_and(|s| (60..=21_600).contains(&s)),
            "{function}: EventInvokeConfig"
        );
        let on_failure = &invoke["DestinationConfig"]["OnFailure"];
        assert_eq!(
            on_failure["Type"].as_str(),
            Some("SQS"),
            "{function}: OnFailure"
        );
        assert!(
            queue_arn(&on_failure["Destination"]),
            "{function}: OnFailure"
        );

        // SAM names the event's rule `<Function><Event>`: its failures are alarmed, and
        // the queue takes its dead letters.
        let rule = format!("{function}Schedule");
        let (alarm, alarm_resource) = alarm_on(
            &template,
            ("AWS/Events", "FailedInvocations"),
            ("RuleName", &rule),
        )
        .unwrap_or_else(|| panic!("{function}: no alarm on its rule's FailedInvocations"));
        assert!(notifies_the_topic(alarm_resource), "{alarm}");
        let admitted = policies.iter().any(|(_, policy)| {
            let properties = &policy["Properties"];
            let on_queue = properties["Queues"].as_sequence().is_some_and(|queues| {
                queues
                    .iter()
                    .any(|q| intrinsic(q, "Ref") == Some("ScheduleDeadLetterQueue"))
            });
            on_queue
                && properties["PolicyDocument"]["Statement"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .any(|statement| {
                        statement["Principal"]["Service"].as_str() == Some("events.amazonaws.com")
                            && statement["Action"].as_str() == Some("sqs:SendMessage")
                            && statement["Condition"]["ArnEquals"]["aws:SourceArn"]
                                .as_sequence()
                                .is_some_and(|arns| {
                                    arns.iter().any(|a| {
                                        intrinsic(a, "GetAtt")
                                            == Some(format!("{rule}.Arn").as_str())
                                    })
                                })
                    })
        });
        assert!(admitted, "the queue's policy does not admit {rule}");
    }

    let queue = &resources["ScheduleDeadLetterQueue"];
    assert_eq!(queue["Type"].as_str(), Some("AWS::SQS::Queue"));
    assert_eq!(
        queue["Properties"]["SqsManagedSseEnabled"].as_bool(),
        Some(true)
    );
    assert_eq!(
        queue["Properties"]["MessageRetentionPeriod"].as_i64(),
        Some(14 * 86_400)
    );
    let depth = resources_of(&template, "AWS::CloudWatch::Alarm")
        .into_iter()
        .find(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["MetricName"].as_str() == Some("ApproximateNumberOfMessagesVisible")
                && p["Dimensions"][0]["Name"].as_str() == Some("QueueName")
                && intrinsic(&p["Dimensions"][0]["Value"], "GetAtt")
                    == Some("ScheduleDeadLetterQueue.QueueName")
        });
    let (name, alarm) = depth.expect("no alarm on the dead-letter queue's depth");
    assert_eq!(name, "ScheduleDeadLetters");
    assert!(notifies_the_topic(alarm));
}

#[test]
fn functions_are_traced_and_name_their_metrics_namespace() {
    let template = yaml("template.yaml");
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["Tracing"].as_str(), Some("Active"));
    assert_eq!(
        intrinsic(
            &globals["Environment"]["Variables"]["METRICS_NAMESPACE"],
            "Ref"
        ),
        Some("AWS::StackName")
    );
    for (function, resource) in resources_of(&template, "AWS::Serverless::Function") {
        let tracing = &resource["Properties"]["Tracing"];
        assert!(
            tracing.is_null() || tracing.as_str() == Some("Active"),
            "{function} turns tracing off"
        );
        // SAM attaches the X-Ray write policy itself when tracing is active.
        let policies = serde_yaml::to_string(&resource["Properties"]["Policies"]).unwrap();
        assert!(
            !policies.contains("xray"),
            "{function}: a second X-Ray grant"
        );
    }
}

#[test]
fn the_stack_alarms_watch_the_api_the_sales_and_name_their_thresholds() {
    let template = yaml("template.yaml");
    let resources = &template["Resources"];
    for name in [
        "Api5xxRate",
        "ApiLatencyP99",
        "SalesOverdue",
        "ScheduleDeadLetters",
    ] {
        assert_eq!(
            resources[name]["Type"].as_str(),
            Some("AWS::CloudWatch::Alarm"),
            "{name}"
        );
        assert!(notifies_the_topic(&resources[name]), "{name}");
    }
    let on_the_api = |metric: &Yaml| {
        metric["Namespace"].as_str() == Some("AWS/ApiGateway")
            && metric["Dimensions"].as_sequence().is_some_and(|d| {
                d.iter().any(|d| {
                    d["Name"].as_str() == Some("ApiId")
                        && intrinsic(&d["Value"], "Ref") == Some("HttpApi")
                }) && d.iter().any(|d| {
                    d["Name"].as_str() == Some("Stage") && d["Value"].as_str() == Some("$default")
                })
            })
    };

    let rate = &resources["Api5xxRate"]["Properties"];
    let metrics = rate["Metrics"].as_sequence().unwrap();
    for name in ["5xx", "Count"] {
        assert!(
            metrics.iter().any(|m| {
                let metric = &m["MetricStat"]["Metric"];
                metric["MetricName"].as_str() == Some(name) && on_the_api(metric)
            }),
            "Api5xxRate does not read the API's {name}"
        );
    }
    let returned: Vec<&Yaml> = metrics
        .iter()
        .filter(|m| m["ReturnData"].as_bool() == Some(true))
        .collect();
    assert_eq!(returned.len(), 1, "Api5xxRate must return one series");
    assert!(returned[0]["Expression"].as_str().unwrap().contains("100"));
    assert_eq!(rate["Threshold"].as_f64(), Some(1.0));
    assert_eq!(rate["EvaluationPeriods"].as_i64(), Some(3));
    assert_eq!(rate["DatapointsToAlarm"].as_i64(), Some(2));

    let latency = &resources["ApiLatencyP99"]["Properties"];
    assert!(on_the_api(latency));
    assert_eq!(latency["MetricName"].as_str(), Some("Latency"));
    assert_eq!(latency["ExtendedStatistic"].as_str(), Some("p99"));
    assert_eq!(latency["Threshold"].as_f64(), Some(1000.0));
    assert_eq!(latency["EvaluationPeriods"].as_i64(), Some(3));
    assert_eq!(latency["DatapointsToAlarm"].as_i64(), Some(3));

    let overdue = &resources["SalesOverdue"]["Properties"];
    assert_eq!(
        intrinsic(&overdue["Namespace"], "Ref"),
        Some("AWS::StackName")
    );
    assert_eq!(overdue["MetricName"].as_str(), Some("SalesOverdue"));
    assert_eq!(overdue["Dimensions"][0]["Name"].as_str(), Some("Service"));
    assert_eq!(overdue["Dimensions"][0]["Value"].as_str(), Some("sales"));
    assert_eq!(overdue["Statistic"].as_str(), Some("Maximum"));
    assert_eq!(overdue["Period"].as_i64(), Some(60));
    assert_eq!(overdue["EvaluationPeriods"].as_i64(), Some(3));
    assert_eq!(overdue["DatapointsToAlarm"].as_i64(), Some(3));
    assert_eq!(overdue["Threshold"].as_f64(), Some(0.0));
    assert_eq!(
        overdue["ComparisonOperator"].as_str(),
        Some("GreaterThanThreshold")
    );
}

#[test]
fn every_alarm_names_its_runbook_section_and_notifies_the_topic() {
    let template = yaml("template.yaml");
    let alarms = resources_of(&template, "AWS::CloudWatch::Alarm");
    assert!(alarms.len() >= 2 * ENDPOINTS.len() + 4);
    for (name, alarm) in alarms {
        let description = alarm["Properties"]["AlarmDescription"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no description"));
        let anchor = description
            .split("docs/runbook.md#")
            .nth(1)
            .map(|rest| {
                rest.split(|c: char| !(c.is_alphanumeric() || c == '-'))
                    .next()
                    .unwrap()
            })
            .unwrap_or_else(|| {
                panic!("{name}: its description names no section of docs/runbook.md")
            });
        assert!(
            runbook_anchors().iter().any(|a| a == anchor),
            "{name}: unknown runbook section #{anchor}"
        );
        assert!(
            notifies_the_topic(alarm),
            "{name} does not notify AlarmTopic"
        );
        assert!(
            alarm["Properties"]["TreatMissingData"].as_str().is_some(),
            "{name}: say what no data means"
        );
    }
}

/// CloudWatch cannot publish to a topic under the AWS-managed `alias/aws/sns` key (its
/// policy cannot admit `cloudwatch.amazonaws.com`): the topic's key is the stack's own.
#[test]
fn the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use_and_mails_only_when_asked() {
    let template = yaml("template.yaml");
    let resources = &template["Resources"];
    let topic = &resources["AlarmTopic"];
    assert_eq!(topic["Type"].as_str(), Some("AWS::SNS::Topic"));
    let key = intrinsic(&topic["Properties"]["KmsMasterKeyId"], "Ref")
        .expect("the topic's key is not the stack's own");
    assert_eq!(resources[key]["Type"].as_str(), Some("AWS::KMS::Key"));
    assert_eq!(
        resources[key]["Properties"]["EnableKeyRotation"].as_bool(),
        Some(true)
    );
    let cloudwatch_may_use = resources[key]["Properties"]["KeyPolicy"]["Statement"]
        .as_sequence()
        .unwrap()
        .iter()
        .any(|s| {
            let actions = serde_yaml::to_string(&s["Action"]).unwrap();
            s["Principal"]["Service"].as_str() == Some("cloudwatch.amazonaws.com")
                && actions.contains("kms:Decrypt")
                && actions.contains("kms:GenerateDataKey")
        });
    assert!(
        cloudwatch_may_use,
        "CloudWatch could not publish to the topic"
    );

    assert_eq!(
        template["Parameters"]["AlarmEmail"]["Default"].as_str(),
        Some("")
    );
    assert!(!template["Conditions"]["HasAlarmEmail"].is_null());
    let (name, subscription) = resources_of(&template, "AWS::SNS::Subscription")
        .into_iter()
        .next()
        .expect("no subscription to the alarm topic");
    assert_eq!(
        subscription["Condition"].as_str(),
        Some("HasAlarmEmail"),
        "{name}"
    );
    let p = &subscription["Properties"];
    assert_eq!(intrinsic(&p["TopicArn"], "Ref"), Some("AlarmTopic"));
    assert_eq!(p["Protocol"].as_str(), Some("email"));
    assert_eq!(intrinsic(&p["Endpoint"], "Ref"), Some("AlarmEmail"));
    assert_eq!(
        intrinsic(&template["Outputs"]["AlarmTopicArn"]["Value"], "Ref"),
        Some("AlarmTopic")
    );
}

/// The dashboard's body is JSON once `!Sub` has replaced its `${...}`, each of which names
/// a pseudo parameter or a resource; it shows every metric the functions write.
#[test]
fn the_dashboard_is_json_and_shows_every_metric() {
    let template = yaml("template.yaml");
    let dashboard = &template["Resources"]["Dashboard"];
    assert_eq!(
        dashboard["Type"].as_str(),
        Some("AWS::CloudWatch::Dashboard")
    );
    assert_eq!(
        intrinsic(&dashboard["Properties"]["DashboardName"], "Sub"),
        Some("${AWS::StackName}")
    );
    let body = intrinsic(&dashboard["Properties"]["DashboardBody"], "Sub")
        .expect("the dashboard's body is not a !Sub string");

    // Substitute as CloudFormation would, with sample values.
    let mut substituted = String::new();
    let mut rest = body;
    while let Some(start) = rest.find("${") {
        substituted += &rest[..start];
        let end = start + rest[start..].find('}').expect("an unclosed ${");
        let name = &rest[start + 2..end];
        let resource = name.split('.').next().unwrap();
        assert!(
            name.starts_with("AWS::") || !template["Resources"][resource].is_null(),
            "the dashboard names ${{{name}}}, which is no resource"
        );
        substituted += &format!("sample-{}", name.replace([':', '.'], "-"));
        rest = &rest[end + 1..];
    }
    substituted += rest;
    let body: serde_json::Value = serde_json::from_str(&substituted)
        .unwrap_or_else(|e| panic!("the dashboard's body is not JSON: {e}"));
    let namespace = "sample-AWS--StackName";

    // (namespace, metric name, dimension names) of every graphed metric and search.
    let mut shown: BTreeSet<(String, String, Vec<String>)> = BTreeSet::new();
    let mut text = String::new();
    for widget in body["widgets"].as_array().unwrap() {
        let properties = &widget["properties"];
        text += properties["markdown"].as_str().unwrap_or_default();
        for metric in properties["metrics"].as_array().into_iter().flatten() {
            if let Some(expression) = metric["expression"].as_str() {
                // SEARCH('{"NS",Dim1,Dim2} MetricName="Name" ...', 'Stat', period)
                let schema = expression
                    .split('{')
                    .nth(1)
                    .unwrap()
                    .split('}')
                    .next()
                    .unwrap();
                let mut parts = schema.split(',').map(|p| p.trim_matches('"').to_string());
                let ns = parts.next().unwrap();
                let name = expression
                    .split("MetricName=\"")
                    .nth(1)
                    .and_then(|rest| rest.split('"').next())
                    .unwrap_or_else(|| panic!("a search without a MetricName: {expression}"));
                shown.insert((ns, name.to_string(), parts.collect()));
            } else if let Some(parts) = metric.as_array() {
                let strings: Vec<String> = parts
                    .iter()
                    .filter_map(|p| p.as_str().map(String::from))
                    .collect();
                let dimensions = strings[2..].iter().step_by(2).cloned().collect();
                shown.insert((strings[0].clone(), strings[1].clone(), dimensions));
            }
        }
    }
    let service = |extra: &[&str]| -> Vec<String> {
        std::iter::once("Service")
            .chain(extra.iter().copied())
            .map(String::from)
            .collect()
    };
    let mut expected: Vec<(String, &str, Vec<String>)> = [
        "SaleCompleted",
        "Revenue",
        "Refund",
        "RefundedAmount",
        "SaleRolledBack",
        "SalesPending",
        "SalesOverdue",
        "LoginFailed",
        "LoginThrottled",
    ]
    .into_iter()
    .map(|name| (namespace.to_string(), name, service(&[])))
    .collect();
    expected.extend([
        (namespace.to_string(), "SaleFailed", service(&["Reason"])),
        (
            namespace.to_string(),
            "RecommendationsServed",
            service(&["Kind"]),
        ),
        (namespace.to_string(), "Latency", service(&["Route"])),
    ]);
    let api = vec!["ApiId".to_string(), "Stage".to_string()];
    for name in ["Count", "4xx", "5xx", "Latency"] {
        expected.push(("AWS/ApiGateway".into(), name, api.clone()));
    }
    for name in ["Errors", "Throttles"] {
        expected.push(("AWS/Lambda".into(), name, vec!["FunctionName".into()]));
    }
    expected.push((
        "AWS/SQS".into(),
        "ApproximateNumberOfMessagesVisible",
        vec!["QueueName".into()],
    ));
    for (ns, name, dimensions) in expected {
        let key = (ns, name.to_string(), dimensions);
        assert!(shown.contains(&key), "the dashboard does not show {key:?}");
    }
    assert!(text.contains("xray"), "the dashboard does not link X-Ray");
}

// ---- The two HTTP APIs: the public routes and `$default` on HttpApi, the internal
// routes on InternalApi.

const PUBLIC_API: &str = "HttpApi";
const INTERNAL_API: &str = "InternalApi";
const SERVICES: [Service; 6] = [
    Service::Customers,
    Service::Inventory,
    Service::Sales,
    Service::Reviews,
    Service::Platform,
    Service::Web,
];

/// A function's route on an HTTP API of the template, as the function declares it.
struct ApiRoute<'a> {
    function: &'a str,
    api: &'a str,
    method: Option<&'a str>,
    path: Option<&'a str>,
    authorizer: Option<&'a str>,
}

fn api_routes(template: &Yaml) -> Vec<ApiRoute<'_>> {
    let mut routes = Vec::new();
    for (function, resource) in resources_of(template, "AWS::Serverless::Function") {
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values() {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let p = &event["Properties"];
            routes.push(ApiRoute {
                function,
                api: intrinsic(&p["ApiId"], "Ref")
                    .unwrap_or_else(|| panic!("{function}: a route on no API of the template")),
                method: p["Method"].as_str(),
                path: p["Path"].as_str(),
                authorizer: p["Auth"]["Authorizer"].as_str(),
            });
        }
    }
    routes
}

/// The template's function resource of a declared endpoint.
fn function_of<'a>(template: &'a Yaml, endpoint: &Endpoint) -> (&'a str, &'a Yaml) {
    resources_of(template, "AWS::Serverless::Function")
        .into_iter()
        .find(|(_, r)| r["Metadata"]["BuildProperties"]["Binary"].as_str() == Some(endpoint.name))
        .unwrap_or_else(|| panic!("{} is not in template.yaml", endpoint.name))
}

/// The internal routes are on the internal API only, each IAM-authorized; the public API
/// has the public routes and `$default`, the internal one no `$default`.
#[test]
fn internal_routes_are_on_the_internal_api_only_each_iam_authorized() {
    let template = yaml("template.yaml");
    let routes = api_routes(&template);
    for endpoint in ENDPOINTS {
        let (function, _) = function_of(&template, endpoint);
        let mine: Vec<&ApiRoute> = routes.iter().filter(|r| r.function == function).collect();
        if let Trigger::Schedule(_) | Trigger::Stream(_) = endpoint.trigger {
            assert!(
                mine.is_empty(),
                "{function}: a function without a route routed"
            );
            continue;
        }
        // Its route, and HEAD beside a public GET.
        let declared: BTreeSet<(String, String)> = endpoint
            .routes()
            .into_iter()
            .map(|(method, path)| (method.as_str().to_string(), path.to_string()))
            .collect();
        let routed: BTreeSet<(String, String)> = mine
            .iter()
            .filter_map(|r| Some((r.method?.to_string(), r.path?.to_string())))
            .collect();
        if endpoint.trigger != Trigger::Unrouted {
            assert_eq!(routed, declared, "{function}: its routes");
        }
        assert!(
            mine.iter().all(|r| r.api == mine[0].api),
            "{function}: one API"
        );
        let internal = endpoint
            .route()
            .is_some_and(|(_, path)| path.starts_with("/internal/"));
        if internal {
            assert_eq!(mine[0].api, INTERNAL_API, "{function}");
            assert_eq!(mine[0].authorizer, Some("AWS_IAM"), "{function}");
        } else {
            // Public routes check bearer tokens in the function, not in the gateway.
            assert_eq!(mine[0].api, PUBLIC_API, "{function}");
            assert_eq!(mine[0].authorizer, None, "{function}");
        }
    }
    // Whatever the declaration says: no internal path on the public API, and nothing but
    // internal paths (no `$default`) on the internal one.
    for route in &routes {
        let internal_path = route.path.is_some_and(|p| p.starts_with("/internal/"));
        match route.api {
            PUBLIC_API => assert!(
                !internal_path,
                "{}: {:?} on the public API",
                route.function, route.path
            ),
            INTERNAL_API => assert!(
                internal_path && route.method.is_some(),
                "{}: {:?} {:?} on the internal API, which takes /internal/... routes only",
                route.function,
                route.method,
                route.path
            ),
            other => panic!("{}: a route on {other}", route.function),
        }
    }
    let apis: BTreeSet<&str> = resources_of(&template, "AWS::Serverless::HttpApi")
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(apis, BTreeSet::from([PUBLIC_API, INTERNAL_API]));
    let public = &template["Resources"][PUBLIC_API]["Properties"];
    let internal = &template["Resources"][INTERNAL_API]["Properties"];
    // IAM on every route, even one whose event forgot to say it.
    assert_eq!(
        internal["Auth"]["EnableIamAuthorizer"].as_bool(),
        Some(true)
    );
    assert_eq!(
        internal["Auth"]["DefaultAuthorizer"].as_str(),
        Some("AWS_IAM")
    );
    assert!(public["Auth"]["DefaultAuthorizer"].is_null());
    assert!(!internal["DefaultRouteSettings"]["ThrottlingRateLimit"].is_null());
    // A purchase makes up to four internal calls (session check, reservation, charge,
    // the recommender's report): the internal API takes four times the public rate.
    let limit = |api: &Yaml, name: &str| api["DefaultRouteSettings"][name].as_u64().unwrap();
    for name in ["ThrottlingRateLimit", "ThrottlingBurstLimit"] {
        assert!(limit(internal, name) >= 4 * limit(public, name), "{name}");
    }
}

/// A route's `Authorizer: AWS_IAM` is refused by SAM's transform unless its API enables
/// the IAM authorizer (`sam validate --lint` does not run the transform).
#[test]
fn every_api_with_iam_routes_enables_the_iam_authorizer() {
    let template = yaml("template.yaml");
    let routes = api_routes(&template);
    assert!(routes.iter().any(|r| r.authorizer == Some("AWS_IAM")));
    for route in routes.iter().filter(|r| r.authorizer == Some("AWS_IAM")) {
        assert_eq!(
            template["Resources"][route.api]["Properties"]["Auth"]["EnableIamAuthorizer"].as_bool(),
            Some(true),
            "{}",
            route.api
        );
    }
}

/// A function that calls services finds them on the internal API (`*_URL`) and may invoke
/// there exactly the internal routes that admit its service; any other has neither.
#[test]
fn service_calls_go_to_the_internal_api_and_to_routes_that_admit_the_caller() {
    let template = yaml("template.yaml");
    let url =
        format!("https://${{{INTERNAL_API}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}");
    let arn = format!(
        "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{INTERNAL_API}}}/*/"
    );
    for endpoint in ENDPOINTS {
        let (function, resource) = function_of(&template, endpoint);
        let variables = &resource["Properties"]["Environment"]["Variables"];
        for service in SERVICES {
            let value = &variables[service.url_variable()];
            if endpoint.calls.contains(&service) {
                assert_eq!(
                    intrinsic(value, "Sub"),
                    Some(url.as_str()),
                    "{function}: {}",
                    service.url_variable()
                );
            } else {
                assert!(value.is_null(), "{function}: {}", service.url_variable());
            }
        }
        let mut invoked = BTreeSet::new();
        for policy in resource["Properties"]["Policies"]
            .as_sequence()
            .into_iter()
            .flatten()
        {
            for statement in policy["Statement"].as_sequence().into_iter().flatten() {
                let invokes = statement["Action"]
                    .as_sequence()
                    .is_some_and(|a| a.iter().any(|a| a.as_str() == Some("execute-api:Invoke")));
                if !invokes {
                    continue;
                }
                for resource in statement["Resource"].as_sequence().unwrap() {
                    let resource = intrinsic(resource, "Sub").unwrap_or_default();
                    let route = resource
                        .strip_prefix(arn.as_str())
                        .unwrap_or_else(|| panic!("{function} may invoke {resource}"));
                    invoked.insert(route.to_string());
                }
            }
        }
        let admitting: BTreeSet<String> = ENDPOINTS
            .iter()
            .filter(|callee| endpoint.calls.contains(&callee.service))
            .filter(|callee| {
                matches!(callee.access, Access::Services(callers) if callers.contains(&endpoint.service))
            })
            .filter_map(|callee| callee.route())
            .map(|(method, path)| {
                let path: Vec<&str> = path
                    .split('/')
                    .map(|part| if part.starts_with('{') { "*" } else { part })
                    .collect();
                format!("{}{}", method.as_str(), path.join("/"))
            })
            .collect();
        assert_eq!(invoked, admitting, "{function}");
    }
}

/// The logical ids a template value names: `!Ref X`, `!GetAtt X.attr` and `${X}` or
/// `${X.attr}` in `!Sub` strings, short or long form (pseudo parameters and `${!literal}`
/// aside; parameters and a `!Sub`'s own variables are taken out by the caller, which
/// keeps only resources).
fn references(value: &Yaml, found: &mut BTreeSet<String>) {
    fn named(value: &Yaml, found: &mut BTreeSet<String>) {
        let name = match value {
            Yaml::Sequence(items) => items.first().and_then(Yaml::as_str),
            _ => value.as_str(),
        };
        if let Some(name) = name {
            found.insert(name.split('.').next().unwrap_or(name).to_string());
        }
    }
    fn substituted(value: &Yaml, found: &mut BTreeSet<String>) {
        let (text, variables) = match value {
            Yaml::Sequence(items) => (items.first().and_then(Yaml::as_str), items.get(1)),
            _ => (value.as_str(), None),
        };
        let mut rest = text.unwrap_or_default();
        while let Some(start) = rest.find("${") {
            rest = &rest[start + 2..];
            let end = rest.find('}').unwrap_or(rest.len());
            let name = &rest[..end];
            if !name.starts_with('!') && !name.contains("::") {
                found.insert(name.split('.').next().unwrap_or(name).to_string());
            }
        }
        if let Some(variables) = variables {
            references(variables, found);
        }
    }
    match value {
        Yaml::Tagged(tagged) if tagged.tag == "Ref" || tagged.tag == "GetAtt" => {
            named(&tagged.value, found)
        }
        Yaml::Tagged(tagged) if tagged.tag == "Sub" => substituted(&tagged.value, found),
        Yaml::Tagged(tagged) => references(&tagged.value, found),
        Yaml::Mapping(mapping) => {
            for (key, value) in mapping {
                match key.as_str() {
                    Some("Ref" | "Fn::GetAtt") => named(value, found),
                    Some("Fn::Sub") => substituted(value, found),
                    _ => references(value, found),
                }
            }
        }
        Yaml::Sequence(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

/// What each resource of the template depends on once SAM has transformed it: the
/// resources it names and those of its `DependsOn`, and for an HTTP API the functions of
/// its routes (their integrations are in its definition). A function's own events are
/// not its dependencies: the permissions and rules SAM makes of them depend on it. Its
/// policies are: they become its role, on which it depends.
fn dependencies(template: &Yaml) -> BTreeMap<String, BTreeSet<String>> {
    let resources = template["Resources"].as_mapping().unwrap();
    let names: BTreeSet<&str> = resources.keys().filter_map(Yaml::as_str).collect();
    let mut graph = BTreeMap::new();
    for (name, resource) in resources {
        let mut resource = resource.clone();
        if resource["Type"].as_str() == Some("AWS::Serverless::Function") {
            if let Some(properties) = resource["Properties"].as_mapping_mut() {
                properties.remove("Events");
            }
        }
        let mut found = BTreeSet::new();
        references(&resource, &mut found);
        match &resource["DependsOn"] {
            Yaml::String(one) => {
                found.insert(one.clone());
            }
            Yaml::Sequence(many) => {
                found.extend(many.iter().filter_map(Yaml::as_str).map(String::from))
            }
            _ => {}
        }
        found.retain(|n| names.contains(n.as_str()));
        graph.insert(name.as_str().unwrap().to_string(), found);
    }
    for route in api_routes(template) {
        if let Some(needs) = graph.get_mut(route.api) {
            needs.insert(route.function.to_string());
        }
    }
    graph
}

/// A circular dependency of the graph, as the path that closes it, if there is one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

/// CloudFormation refuses a stack whose resources depend on each other in a circle
/// (cfn-lint E3004 on the transformed template; `sam validate --lint` misses it). One API
/// for every route was one: it needed its routes' functions, and a calling function's
/// environment and role needed the API.
#[test]
fn no_resource_depends_on_itself_through_an_api_and_its_functions() {
    let template = yaml("template.yaml");
    let graph = dependencies(&template);
    assert_eq!(cycle(&graph), None, "a circular dependency");
    // The check sees what matters: the APIs' routes and the callers' use of the internal API.
    let needs =
        |resource: &str, needed: &str| graph.get(resource).is_some_and(|n| n.contains(needed));
    assert!(needs(PUBLIC_API, "CreateSaleFunction"));
    assert!(needs(INTERNAL_API, "ChargeWalletFunction"));
    assert!(needs("CreateSaleFunction", INTERNAL_API));
}

/// The check above finds the cycle of a function routed on the API it calls, whether its
/// environment or its policy names the API.
#[test]
fn the_circular_dependency_check_finds_a_caller_routed_on_the_api_it_calls() {
    let one_api = r#"
Resources:
  HttpApi: { Type: AWS::Serverless::HttpApi }
  Callee:
    Type: AWS::Serverless::Function
    Properties:
      Events: { Api: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: GET, Path: /internal/x } } }
  Caller:
    Type: AWS::Serverless::Function
    Properties:
      Environment: { Variables: { X_URL: !Sub "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" } }
      Events: { Api: { Type: HttpApi, Properties: { ApiId: !Ref HttpApi, Method: GET, Path: /x } } }
"#;
    let cycle_of = |text: &str| cycle(&dependencies(&serde_yaml::from_str(text).unwrap()));
    let circle = Some(vec!["Caller".into(), "HttpApi".into(), "Caller".into()]);
    assert_eq!(cycle_of(one_api), circle);
    let by_policy = one_api.replace(
        r#"Environment: { Variables: { X_URL: !Sub "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}" } }"#,
        r#"Policies: [{ Statement: [{ Effect: Allow, Action: [execute-api:Invoke], Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/internal/x" }] }] }]"#,
    );
    assert_ne!(by_policy, one_api);
    assert_eq!(cycle_of(&by_policy), circle);
    let two_apis = one_api
        .replace(
            "ApiId: !Ref HttpApi, Method: GET, Path: /internal/x",
            "ApiId: !Ref InternalApi, Method: GET, Path: /internal/x",
        )
        .replace("${HttpApi}", "${InternalApi}")
        + "  InternalApi: { Type: AWS::Serverless::HttpApi }\n";
    assert_eq!(cycle_of(&two_apis), None);
}

/// CloudFormation takes at most 500 resources a stack, counted after SAM's transform. This
/// counts them as the transform makes them (checked against SAM's translator: a function
/// is its function, role and one permission per API event, a schedule its rule and
/// permission, an EventInvokeConfig its own resource; each HTTP API is an API and a stage).
#[test]
fn the_stack_stays_under_cloudformations_resource_limit() {
    let template = yaml("template.yaml");
    let mut count = 0;
    for (_, resource) in template["Resources"].as_mapping().unwrap() {
        count += match resource["Type"].as_str().unwrap() {
            "AWS::Serverless::Function" => {
                let properties = &resource["Properties"];
                let events: usize = properties["Events"]
                    .as_mapping()
                    .map(|events| {
                        events
                            .values()
                            .map(|e| {
                                if e["Type"].as_str() == Some("Schedule") {
                                    2
                                } else {
                                    1
                                }
                            })
                            .sum()
                    })
                    .unwrap_or(0);
                2 + events + usize::from(!properties["EventInvokeConfig"].is_null())
            }
            "AWS::Serverless::HttpApi" => 2,
            kind => {
                assert!(!kind.starts_with("AWS::Serverless::"), "uncounted {kind}");
                1
            }
        };
    }
    assert!(
        count < 500,
        "{count} resources after SAM's transform: CloudFormation takes 500"
    );
}

/// HEAD is served wherever GET is on the public API (RFC 9110 section 9.3.2): each public
/// GET route has its HEAD route to the same function, in the template as in the local
/// router; the internal API has none (no client calls it).
#[test]
fn every_public_get_route_takes_head_too() {
    let template = yaml("template.yaml");
    let routes = api_routes(&template);
    let key = |r: &ApiRoute| {
        (
            r.function.to_string(),
            r.path.unwrap_or_default().to_string(),
        )
    };
    let heads: BTreeSet<(String, String)> = routes
        .iter()
        .filter(|r| r.method == Some("HEAD"))
        .map(|r| {
            assert_eq!(r.api, PUBLIC_API, "{}: HEAD on {}", r.function, r.api);
            key(r)
        })
        .collect();
    let gets: BTreeSet<(String, String)> = routes
        .iter()
        .filter(|r| r.method == Some("GET") && r.api == PUBLIC_API)
        .map(key)
        .collect();
    assert!(gets.len() > 20, "{gets:?}");
    assert_eq!(heads, gets);
    let manifest: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .unwrap();
    for (path, targets) in router {
        let targets = targets.as_array().unwrap();
        let function_of = |method: &str| {
            targets
                .iter()
                .find(|t| t["method"].as_str() == Some(method))
                .map(|t| t["function"].as_str().unwrap().to_string())
        };
        if path.starts_with("/internal/") {
            assert_eq!(function_of("HEAD"), None, "{path}");
        } else {
            assert_eq!(function_of("HEAD"), function_of("GET"), "{path}");
        }
    }
}

/// Both HTTP APIs write an access log (checkov CKV_AWS_95): a JSON line per request,
/// those API Gateway refuses itself too (throttled 429, IAM 403), to a log group of the
/// template that has a retention; the line names the request, never a header, token or
/// body.
#[test]
fn both_apis_write_json_access_logs_with_retention_and_no_secrets() {
    let template = yaml("template.yaml");
    let mut groups = BTreeSet::new();
    for (name, api) in resources_of(&template, "AWS::Serverless::HttpApi") {
        let settings = &api["Properties"]["AccessLogSettings"];
        let destination = intrinsic(&settings["DestinationArn"], "GetAtt")
            .unwrap_or_else(|| panic!("{name}: no access log (AccessLogSettings.DestinationArn)"));
        let group = destination
            .strip_suffix(".Arn")
            .unwrap_or_else(|| panic!("{name}: {destination}"));
        let resource = &template["Resources"][group];
        assert_eq!(
            resource["Type"].as_str(),
            Some("AWS::Logs::LogGroup"),
            "{name}"
        );
        assert_eq!(
            intrinsic(&resource["Properties"]["RetentionInDays"], "Ref"),
            Some("LogRetentionDays"),
            "{name}: its log group keeps lines as long as the functions' do"
        );
        assert!(groups.insert(group), "{name}: a log group of its own");
        let format = settings["Format"].as_str().expect("a format");
        let line: serde_json::Value = serde_json::from_str(format)
            .unwrap_or_else(|e| panic!("{name}: the format is not one JSON object: {e}"));
        let fields = line.as_object().unwrap();
        for (field, variable) in [
            ("requestId", "$context.requestId"),
            ("ip", "$context.identity.sourceIp"),
            ("requestTime", "$context.requestTime"),
            ("httpMethod", "$context.httpMethod"),
            ("routeKey", "$context.routeKey"),
            ("status", "$context.status"),
            ("protocol", "$context.protocol"),
            ("responseLength", "$context.responseLength"),
            ("integrationError", "$context.integrationErrorMessage"),
            ("errors", "$context.error.message"),
        ] {
            assert_eq!(
                fields.get(field).and_then(|v| v.as_str()),
                Some(variable),
                "{name}: {field}"
            );
        }
        for value in fields.values() {
            let value = value.as_str().unwrap().to_ascii_lowercase();
            for secret in [
                "$request.",
                "header",
                "authorization",
                "authorizer",
                "token",
                "cookie",
                "body",
                "querystring",
            ] {
                assert!(
                    !value.contains(secret),
                    "{name}: the access log takes {value}"
                );
            }
        }
    }
    assert_eq!(groups.len(), 2);
}
