//! The function resources of `template.yaml`: one per declared endpoint, with exactly
//! the environment, the DynamoDB actions and the trigger its declaration names, its log
//! group and its alarms; a scheduled one also retries and keeps what still fails in the
//! hand-written `ScheduleDeadLetterQueue`, whose policy admits exactly these schedules;
//! a table's events function reads its stream, publishes on `EventBus`, keeps what it
//! cannot publish in `EventsDeadLetterQueue` and has an alarm for events running late.
//!
//! Routes go to two hand-written HTTP APIs. `HttpApi`, the public one, takes every public
//! route and the `$default` route. `InternalApi` takes the `/internal/...` routes, each
//! with IAM authorization; the functions that call a service find it there (`*_URL`) and
//! may invoke there exactly the routes that admit them. One API for both would be a
//! circular dependency CloudFormation refuses: the API needs its routes' functions, and a
//! calling function's environment and role would need the API. Apart, the public API needs
//! its functions, which need the internal API, which needs only functions that call no
//! service (`render` refuses an internal route whose function calls one; a consistency
//! test looks for any circular dependency in the template).

use crate::{camel, replace_section, Error};
use endpoints::{Access, Endpoint, Grant, Method, Trigger, ENDPOINTS};
use std::fmt::Write;

pub const BEGIN: &str =
    "# ---- Functions: generated from shared/endpoints/src/lib.rs by `cargo run -p codegen`";
pub const END: &str = "# ---- End of the generated functions";
/// The hand-written APIs: the public one and the one of the internal routes.
const PUBLIC_API: &str = "HttpApi";
const INTERNAL_API: &str = "InternalApi";
/// The hand-written resources the generated ones name.
const ALARM_TOPIC: &str = "AlarmTopic";
const DEAD_LETTER_QUEUE: &str = "ScheduleDeadLetterQueue";
/// The domain events' bus, and the queue of stream records that could not be published.
const EVENT_BUS: &str = "EventBus";
const EVENTS_DEAD_LETTER_QUEUE: &str = "EventsDeadLetterQueue";
/// Where the alarms' descriptions send the operator (`docs/runbook.md#<anchor>`).
const RUNBOOK: &str = "docs/runbook.md";

/// The template with its generated section rendered; `packaged`: each function's code
/// is its zip (`<name>/bootstrap.zip`) instead of a cargo-lambda build.
pub fn render(template: &str, packaged: bool) -> Result<String, Error> {
    let mut functions = String::new();
    for endpoint in ENDPOINTS {
        internal_route_calls_no_service(endpoint)?;
    }
    for endpoint in ENDPOINTS {
        function(&mut functions, endpoint, packaged)?;
    }
    dead_letter_policy(&mut functions);
    let rendered = replace_section(template, BEGIN, END, &functions)?;
    if !packaged {
        return Ok(rendered);
    }
    let global_code = "    CodeUri: .\n";
    if !rendered.contains(global_code) {
        return Err("template.yaml: Globals has no `CodeUri: .` to replace".into());
    }
    Ok(rendered.replacen(global_code, "", 1))
}

/// The function's log group, created with it so that it has a retention (Lambda would
/// create one that keeps everything forever).
fn log_group(out: &mut String, endpoint: &Endpoint) {
    let name = camel(endpoint.name);
    let _ = writeln!(out, "  {name}Logs:");
    let _ = writeln!(out, "    Type: AWS::Logs::LogGroup");
    let _ = writeln!(out, "    Properties:");
    let _ = writeln!(
        out,
        "      LogGroupName: !Sub \"/aws/lambda/${{{name}Function}}\""
    );
    let _ = writeln!(out, "      RetentionInDays: !Ref LogRetentionDays");
    out.push('\n');
}

fn function(out: &mut String, endpoint: &Endpoint, packaged: bool) -> Result<(), Error> {
    log_group(out, endpoint);
    let name = endpoint.name;
    let _ = writeln!(out, "  {}Function:", camel(name));
    let _ = writeln!(out, "    Type: AWS::Serverless::Function");
    if !packaged {
        let _ = writeln!(
            out,
            "    Metadata: {{ BuildMethod: rust-cargolambda, BuildProperties: {{ Binary: {name} }} }}"
        );
    }
    let _ = writeln!(out, "    Properties:");
    if packaged {
        let _ = writeln!(out, "      CodeUri: {name}/bootstrap.zip");
    }
    let _ = writeln!(out, "      Description: {}", quoted(&description(endpoint)));
    let _ = writeln!(out, "      MemorySize: {}", endpoint.memory_mb);
    let _ = writeln!(out, "      Timeout: {}", endpoint.timeout_seconds);
    environment(out, endpoint);
    policies(out, endpoint);
    let retries = match endpoint.trigger {
        Trigger::Schedule(expression) => {
            Some(Retries::of(expression).map_err(|e| format!("{name}: {e}"))?)
        }
        _ => None,
    };
    // A run that failed: retried by Lambda, then its record goes to the queue.
    if let Some(retries) = &retries {
        let _ = writeln!(out, "      EventInvokeConfig:");
        let _ = writeln!(
            out,
            "        MaximumRetryAttempts: {}",
            retries.function_attempts
        );
        let _ = writeln!(
            out,
            "        MaximumEventAgeInSeconds: {}",
            retries.event_age_seconds
        );
        let _ = writeln!(
            out,
            "        DestinationConfig: {{ OnFailure: {{ Type: SQS, Destination: !GetAtt {DEAD_LETTER_QUEUE}.Arn }} }}"
        );
    }
    let _ = writeln!(out, "      Events:");
    match endpoint.trigger {
        // Internal routes are on the internal API only, with IAM authorization: only
        // signed calls of allowed roles (the API's default authorizer too, named here so
        // that each route says it).
        Trigger::Http(method, path) if is_internal(path) => {
            let _ = writeln!(
                out,
                "        Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref {INTERNAL_API}, Method: {}, Path: {}, Auth: {{ Authorizer: AWS_IAM }} }} }}",
                method.as_str(),
                quoted(path)
            );
        }
        // A GET route's HEAD too (`Endpoint::routes`), to the same function.
        Trigger::Http(..) => {
            for (method, path) in endpoint.routes() {
                let event = if method == Method::Head {
                    "Head"
                } else {
                    "Api"
                };
                let _ = writeln!(
                    out,
                    "        {event}: {{ Type: HttpApi, Properties: {{ ApiId: !Ref {PUBLIC_API}, Method: {}, Path: {} }} }}",
                    method.as_str(),
                    quoted(path)
                );
            }
        }
        Trigger::Schedule(expression) => {
            let retries = Retries::of(expression)?;
            // The event is named `Schedule`: SAM names its rule `<Function>Schedule`, which
            // the alarm and the queue's policy below name.
            let _ = writeln!(out, "        Schedule:");
            let _ = writeln!(out, "          Type: Schedule");
            let _ = writeln!(out, "          Properties:");
            let _ = writeln!(out, "            Schedule: {}", quoted(expression));
            let _ = writeln!(
                out,
                "            RetryPolicy: {{ MaximumRetryAttempts: {}, MaximumEventAgeInSeconds: {} }}",
                retries.delivery_attempts, retries.event_age_seconds
            );
            let _ = writeln!(
                out,
                "            DeadLetterConfig: {{ Arn: !GetAtt {DEAD_LETTER_QUEUE}.Arn }}"
            );
        }
        // The table's stream, from its oldest record. The function reports the first record
        // it could not publish (ReportBatchItemFailures), so Lambda retries from there and
        // never publishes a record twice (infra::events); a record that still fails is
        // kept in the events queue. Deletions mean no event: filtered out before Lambda.
        Trigger::Stream(table) => {
            let _ = writeln!(out, "        Stream:");
            let _ = writeln!(out, "          Type: DynamoDB");
            let _ = writeln!(out, "          Properties:");
            let _ = writeln!(
                out,
                "            Stream: !GetAtt {}.StreamArn",
                table.resource()
            );
            let _ = writeln!(out, "            StartingPosition: TRIM_HORIZON");
            let _ = writeln!(out, "            BatchSize: 100");
            let _ = writeln!(out, "            MaximumBatchingWindowInSeconds: 1");
            let _ = writeln!(out, "            MaximumRetryAttempts: 10");
            let _ = writeln!(out, "            MaximumRecordAgeInSeconds: 86400");
            let _ = writeln!(
                out,
                "            FunctionResponseTypes: [ReportBatchItemFailures]"
            );
            let _ = writeln!(
                out,
                "            DestinationConfig: {{ OnFailure: {{ Type: SQS, Destination: !GetAtt {EVENTS_DEAD_LETTER_QUEUE}.Arn }} }}"
            );
            let _ = writeln!(
                out,
                "            FilterCriteria: {{ Filters: [{{ Pattern: {} }}] }}",
                quoted(r#"{"eventName": ["INSERT", "MODIFY"]}"#)
            );
        }
        // No path and no method: SAM makes this the public API's `$default` route. (The
        // internal API has none: API Gateway itself answers 404 there.)
        Trigger::Unrouted => {
            let _ = writeln!(
                out,
                "        Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref {PUBLIC_API} }} }}"
            );
        }
    }
    out.push('\n');
    alarms(out, endpoint);
    Ok(())
}

/// What a scheduled function's run gets when it fails, sized to its schedule's period.
#[derive(Debug, PartialEq, Eq)]
struct Retries {
    /// EventBridge's retries of a delivery Lambda refused (throttled, unavailable).
    delivery_attempts: u32,
    /// Lambda's retries of a run that failed (an error, a panic, a timeout); 2 is its most.
    function_attempts: u32,
    /// How long an undelivered or failed run may still be retried: one period, since the
    /// next scheduled run does the same work and supersedes it (so a minute's run is in
    /// practice not retried but kept in the queue). Clamped to what both services accept:
    /// at least 60 s, and at most Lambda's 6 hours.
    event_age_seconds: u64,
}

impl Retries {
    fn of(expression: &str) -> Result<Retries, Error> {
        let period = rate_seconds(expression)?;
        Ok(Retries {
            // A delivery retry is cheap and EventBridge spaces them out: a rarer run is
            // worth one more.
            delivery_attempts: if period < 3600 { 2 } else { 3 },
            function_attempts: 2,
            event_age_seconds: period.clamp(60, 6 * 3600),
        })
    }
}

/// The period of a `rate(N unit)` schedule, in seconds. A `cron(...)` schedule has no
/// single period: give it one here before declaring it.
fn rate_seconds(expression: &str) -> Result<u64, Error> {
    let inner = expression
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(|| format!("{expression}: only rate(N unit) schedules are sized"))?;
    let (count, unit) = inner
        .trim()
        .split_once(' ')
        .ok_or_else(|| format!("{expression}: no unit"))?;
    let count: u64 = count
        .parse()
        .map_err(|_| format!("{expression}: {count} is not a count"))?;
    let unit_seconds = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86400,
        other => return Err(format!("{expression}: unknown unit {other}").into()),
    };
    if count == 0 {
        return Err(format!("{expression}: a period of zero").into());
    }
    Ok(count * unit_seconds)
}

/// The function's alarms: every run that failed, every invocation Lambda throttled, and
/// for a scheduled one every run EventBridge could not deliver even after its retries.
/// Each notifies the alarm topic when it fires and when it clears.
fn alarms(out: &mut String, endpoint: &Endpoint) {
    let name = endpoint.name;
    let id = camel(name);
    let function = format!("{{ Name: FunctionName, Value: !Ref {id}Function }}");
    alarm(
        out,
        &format!("{id}Errors"),
        &format!(
            "{name} failed (returned an error, panicked or timed out) at least once in 5 minutes"
        ),
        "function-errors",
        ("AWS/Lambda", "Errors", &function),
        &ANY_IN_5_MINUTES,
    );
    alarm(
        out,
        &format!("{id}Throttles"),
        &format!("Lambda refused to run {name} (concurrency exhausted) at least once in 5 minutes"),
        "function-throttles",
        ("AWS/Lambda", "Throttles", &function),
        &ANY_IN_5_MINUTES,
    );
    if let Trigger::Stream(table) = endpoint.trigger {
        alarm(
            out,
            &format!("{id}IteratorAge"),
            &format!(
                "{name} is more than a minute behind {}'s stream: domain events are late",
                table.resource()
            ),
            "events-late",
            ("AWS/Lambda", "IteratorAge", &function),
            &A_MINUTE_BEHIND_FOR_5_MINUTES,
        );
    }
    if let Trigger::Schedule(expression) = endpoint.trigger {
        alarm(
            out,
            &format!("{id}ScheduleFailed"),
            &format!(
                "EventBridge could not start {name} ({expression}) even after its retries; the event is in {DEAD_LETTER_QUEUE}"
            ),
            "schedule-failed",
            (
                "AWS/Events",
                "FailedInvocations",
                &format!("{{ Name: RuleName, Value: !Ref {id}FunctionSchedule }}"),
            ),
            &ANY_IN_5_MINUTES,
        );
    }
}

/// When an alarm fires: the metric's statistic over each period breaches the threshold in
/// that many periods in a row.
struct Breach {
    statistic: &'static str,
    period_seconds: u32,
    periods: u32,
    threshold: u64,
    comparison: &'static str,
}

/// At least one in 5 minutes is one too many.
const ANY_IN_5_MINUTES: Breach = Breach {
    statistic: "Sum",
    period_seconds: 300,
    periods: 1,
    threshold: 1,
    comparison: "GreaterThanOrEqualToThreshold",
};

/// The events of a table's changes are late: its function has not caught up with the
/// stream within a minute, for 5 minutes (failing records are retried for a while before
/// they are kept in the events queue).
const A_MINUTE_BEHIND_FOR_5_MINUTES: Breach = Breach {
    statistic: "Maximum",
    period_seconds: 60,
    periods: 5,
    threshold: 60_000,
    comparison: "GreaterThanThreshold",
};

fn alarm(
    out: &mut String,
    id: &str,
    meaning: &str,
    anchor: &str,
    (namespace, metric, dimension): (&str, &str, &str),
    breach: &Breach,
) {
    let description = format!("{meaning}. Runbook: {RUNBOOK}#{anchor}");
    let _ = writeln!(out, "  {id}:");
    let _ = writeln!(out, "    Type: AWS::CloudWatch::Alarm");
    let _ = writeln!(out, "    Properties:");
    let _ = writeln!(out, "      AlarmDescription: {}", quoted(&description));
    let _ = writeln!(out, "      Namespace: {namespace}");
    let _ = writeln!(out, "      MetricName: {metric}");
    let _ = writeln!(out, "      Dimensions: [{dimension}]");
    let _ = writeln!(out, "      Statistic: {}", breach.statistic);
    let _ = writeln!(out, "      Period: {}", breach.period_seconds);
    let _ = writeln!(out, "      EvaluationPeriods: {}", breach.periods);
    let _ = writeln!(out, "      Threshold: {}", breach.threshold);
    let _ = writeln!(out, "      ComparisonOperator: {}", breach.comparison);
    let _ = writeln!(out, "      TreatMissingData: notBreaching");
    let _ = writeln!(out, "      AlarmActions: [!Ref {ALARM_TOPIC}]");
    let _ = writeln!(out, "      OKActions: [!Ref {ALARM_TOPIC}]");
    out.push('\n');
}

/// EventBridge may put into the queue the events of exactly the declared schedules'
/// rules. (Lambda's own on-failure records need no statement here: SAM gives each
/// scheduled function's role `sqs:SendMessage` on the queue.)
fn dead_letter_policy(out: &mut String) {
    let rules: Vec<String> = ENDPOINTS
        .iter()
        .filter(|e| matches!(e.trigger, Trigger::Schedule(_)))
        .map(|e| format!("!GetAtt {}FunctionSchedule.Arn", camel(e.name)))
        .collect();
    if rules.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "  # Only the schedules' rules may leave their undeliverable events here (the functions'"
    );
    let _ = writeln!(
        out,
        "  # failed runs come through their roles, to which SAM grants sqs:SendMessage on it)."
    );
    let _ = writeln!(out, "  {DEAD_LETTER_QUEUE}Policy:");
    let _ = writeln!(out, "    Type: AWS::SQS::QueuePolicy");
    let _ = writeln!(out, "    Properties:");
    let _ = writeln!(out, "      Queues: [!Ref {DEAD_LETTER_QUEUE}]");
    let _ = writeln!(out, "      PolicyDocument:");
    let _ = writeln!(out, "        Version: \"2012-10-17\"");
    let _ = writeln!(out, "        Statement:");
    let _ = writeln!(out, "          - Sid: ScheduleRulesDeadLetters");
    let _ = writeln!(out, "            Effect: Allow");
    let _ = writeln!(
        out,
        "            Principal: {{ Service: events.amazonaws.com }}"
    );
    let _ = writeln!(out, "            Action: sqs:SendMessage");
    let _ = writeln!(out, "            Resource: !GetAtt {DEAD_LETTER_QUEUE}.Arn");
    let _ = writeln!(
        out,
        "            Condition: {{ ArnEquals: {{ aws:SourceArn: [{}] }} }}",
        rules.join(", ")
    );
    out.push('\n');
}

fn description(endpoint: &Endpoint) -> String {
    let access = match endpoint.access {
        Access::Public => "public".to_string(),
        Access::Customer => "customers".to_string(),
        Access::Admin => "admins".to_string(),
        Access::Scheduler => "scheduled".to_string(),
        Access::Stream => "stream".to_string(),
        Access::Services(callers) => {
            let names: Vec<&str> = callers.iter().map(|s| s.name()).collect();
            format!("internal, for {}", names.join(", "))
        }
    };
    let trigger = match endpoint.trigger {
        Trigger::Http(method, path) => format!("{} {path}", method.as_str()),
        Trigger::Schedule(expression) => expression.to_string(),
        Trigger::Unrouted => "$default".to_string(),
        Trigger::Stream(table) => format!("{} stream", table.resource()),
    };
    format!(
        "{} ({}, {access}): {trigger}",
        endpoint.summary,
        endpoint.service.name()
    )
}

fn environment(out: &mut String, endpoint: &Endpoint) {
    let mut variables: Vec<(String, String)> = Vec::new();
    for table in endpoint.tables() {
        variables.push((
            table.variable().into(),
            format!("!Ref {}", table.resource()),
        ));
    }
    // The secrets' ARNs, never their values (infra::secrets).
    for secret in endpoint.secrets {
        variables.push((
            secret.arn_variable().into(),
            format!("!Ref {}", secret.resource()),
        ));
    }
    // Every service's internal routes are on the internal API.
    for service in endpoint.calls {
        variables.push((
            service.url_variable().into(),
            format!(
                "!Sub \"https://${{{INTERNAL_API}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}\""
            ),
        ));
    }
    if let Trigger::Stream(_) = endpoint.trigger {
        variables.push(("EVENT_BUS_NAME".into(), format!("!Ref {EVENT_BUS}")));
    }
    for (name, value) in endpoint.settings {
        variables.push((name.to_string(), quoted(value)));
    }
    if variables.is_empty() {
        return;
    }
    let _ = writeln!(out, "      Environment:\n        Variables:");
    for (name, value) in variables {
        let _ = writeln!(out, "          {name}: {value}");
    }
}

/// A function on an internal route must not call a service: its environment and role
/// would name the internal API, which needs the function for its route, and
/// CloudFormation refuses that circular dependency.
fn internal_route_calls_no_service(endpoint: &Endpoint) -> Result<(), Error> {
    match endpoint.route() {
        Some((_, path)) if is_internal(path) && !endpoint.calls.is_empty() => Err(format!(
            "{}: an internal route's function calls {:?}; {INTERNAL_API} and it would depend \
             on each other (a circular dependency CloudFormation refuses)",
            endpoint.name, endpoint.calls
        )
        .into()),
        _ => Ok(()),
    }
}

fn is_internal(path: &str) -> bool {
    path.starts_with("/internal/")
}

/// The internal routes `endpoint` may invoke: those of the services it calls that admit
/// its service, as `execute-api` ARNs on the internal API (a path parameter is any one
/// segment).
fn invocable(endpoint: &Endpoint) -> Vec<String> {
    ENDPOINTS
        .iter()
        .filter(|callee| endpoint.calls.contains(&callee.service))
        .filter(|callee| {
            matches!(callee.access, Access::Services(callers) if callers.contains(&endpoint.service))
        })
        .filter_map(|callee| callee.route())
        .filter(|(_, path)| is_internal(path))
        .map(|(method, path)| {
            let path: Vec<&str> = path
                .split('/')
                .map(|part| if part.starts_with('{') { "*" } else { part })
                .collect();
            format!(
                "!Sub \"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{INTERNAL_API}}}/*/{}{}\"",
                method.as_str(),
                path.join("/")
            )
        })
        .collect()
}

fn policies(out: &mut String, endpoint: &Endpoint) {
    let invoke = invocable(endpoint);
    let publishes = matches!(endpoint.trigger, Trigger::Stream(_));
    if endpoint.grants.is_empty() && endpoint.secrets.is_empty() && invoke.is_empty() && !publishes
    {
        return;
    }
    let _ = writeln!(
        out,
        "      Policies:\n        - Version: \"2012-10-17\"\n          Statement:"
    );
    if !invoke.is_empty() {
        let _ = writeln!(
            out,
            "            - {{ Effect: Allow, Action: [execute-api:Invoke], Resource: [{}] }}",
            invoke.join(", ")
        );
    }
    // Reading the stream SAM grants with the event (AWSLambdaDynamoDBExecutionRole).
    if publishes {
        let _ = writeln!(
            out,
            "            - {{ Effect: Allow, Action: [events:PutEvents], Resource: [!GetAtt {EVENT_BUS}.Arn] }}"
        );
    }
    if !endpoint.secrets.is_empty() {
        let secrets: Vec<String> = endpoint
            .secrets
            .iter()
            .map(|secret| format!("!Ref {}", secret.resource()))
            .collect();
        let _ = writeln!(
            out,
            "            - {{ Effect: Allow, Action: [secretsmanager:GetSecretValue], Resource: [{}] }}",
            secrets.join(", ")
        );
    }
    for grant in endpoint.grants {
        let actions: Vec<String> = grant
            .actions
            .iter()
            .map(|a| format!("dynamodb:{a}"))
            .collect();
        let _ = writeln!(
            out,
            "            - {{ Effect: Allow, Action: [{}], Resource: [{}] }}",
            actions.join(", "),
            resources(grant).join(", ")
        );
    }
}

fn resources(grant: &Grant) -> Vec<String> {
    let table = grant.table.resource();
    if grant.indexes.is_empty() {
        return vec![format!("!GetAtt {table}.Arn")];
    }
    grant
        .indexes
        .iter()
        .map(|index| format!("!Sub \"${{{table}.Arn}}/index/{index}\""))
        .collect()
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_route_that_calls_a_service_is_refused() {
        use endpoints::{Method, Service};
        let internal = Endpoint {
            access: Access::Services(&[Service::Reviews]),
            ..endpoints::endpoint(
                "probe",
                Service::Sales,
                Trigger::Http(Method::Get, "/internal/sales/probe"),
            )
        };
        assert!(internal_route_calls_no_service(&internal).is_ok());
        let calling = Endpoint {
            calls: &[Service::Inventory],
            ..internal
        };
        assert!(internal_route_calls_no_service(&calling).is_err());
        let public = Endpoint {
            trigger: Trigger::Http(Method::Get, "/sales/probe"),
            ..calling
        };
        assert!(internal_route_calls_no_service(&public).is_ok());
        for endpoint in ENDPOINTS {
            internal_route_calls_no_service(endpoint).unwrap();
        }
    }

    #[test]
    fn schedules_are_sized_to_their_period() {
        assert_eq!(rate_seconds("rate(1 minute)").unwrap(), 60);
        assert_eq!(rate_seconds("rate(5 minutes)").unwrap(), 300);
        assert_eq!(rate_seconds("rate(1 hour)").unwrap(), 3600);
        assert_eq!(rate_seconds("rate(2 days)").unwrap(), 172_800);
        for wrong in [
            "cron(0 * * * ? *)",
            "rate(minute)",
            "rate(0 minutes)",
            "rate(1 week)",
        ] {
            assert!(rate_seconds(wrong).is_err(), "{wrong}");
        }
        assert_eq!(
            Retries::of("rate(1 minute)").unwrap(),
            Retries {
                delivery_attempts: 2,
                function_attempts: 2,
                event_age_seconds: 60
            }
        );
        assert_eq!(
            Retries::of("rate(1 hour)").unwrap(),
            Retries {
                delivery_attempts: 3,
                function_attempts: 2,
                event_age_seconds: 3600
            }
        );
        // Lambda keeps an event at most 6 hours.
        assert_eq!(
            Retries::of("rate(1 day)").unwrap().event_age_seconds,
            21_600
        );
    }
}
