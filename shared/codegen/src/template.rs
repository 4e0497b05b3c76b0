//! The function resources of `template.yaml`: one per declared endpoint, with exactly
//! the environment, the DynamoDB actions and the trigger its declaration names.

use crate::{camel, replace_section, Error};
use shared::endpoints::{Access, Endpoint, Grant, Trigger, ENDPOINTS};
use std::fmt::Write;

pub const BEGIN: &str =
    "# ---- Functions: generated from shared/src/endpoints.rs by `cargo run -p codegen`";
pub const END: &str = "# ---- End of the generated functions";
const API_URL: &str = r#"!Sub "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}""#;

/// The template with its generated section rendered; `packaged`: each function's code
/// is its zip (`<name>/bootstrap.zip`) instead of a cargo-lambda build.
pub fn render(template: &str, packaged: bool) -> Result<String, Error> {
    let mut functions = String::new();
    for endpoint in ENDPOINTS {
        function(&mut functions, endpoint, packaged);
    }
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

fn function(out: &mut String, endpoint: &Endpoint, packaged: bool) {
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
    let _ = writeln!(out, "      Events:");
    match endpoint.trigger {
        // Internal routes take IAM authorization: only signed calls of allowed roles.
        Trigger::Http(method, path) if is_internal(path) => {
            let _ = writeln!(
                out,
                "        Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref HttpApi, Method: {}, Path: {}, Auth: {{ Authorizer: AWS_IAM }} }} }}",
                method.as_str(),
                quoted(path)
            );
        }
        Trigger::Http(method, path) => {
            let _ = writeln!(
                out,
                "        Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref HttpApi, Method: {}, Path: {} }} }}",
                method.as_str(),
                quoted(path)
            );
        }
        Trigger::Schedule(expression) => {
            let _ = writeln!(
                out,
                "        Schedule: {{ Type: Schedule, Properties: {{ Schedule: {} }} }}",
                quoted(expression)
            );
        } // No path and no method: SAM makes this the API's `$default` route.
        Trigger::Unrouted => {
            let _ = writeln!(
                out,
                "        Api: {{ Type: HttpApi, Properties: {{ ApiId: !Ref HttpApi }} }}"
            );
        }
    }
    out.push('\n');
}

fn description(endpoint: &Endpoint) -> String {
    let access = match endpoint.access {
        Access::Public => "public".to_string(),
        Access::Customer => "customers".to_string(),
        Access::Admin => "admins".to_string(),
        Access::Scheduler => "scheduled".to_string(),
        Access::Services(callers) => {
            let names: Vec<&str> = callers.iter().map(|s| s.name()).collect();
            format!("internal, for {}", names.join(", "))
        }
    };
    let trigger = match endpoint.trigger {
        Trigger::Http(method, path) => format!("{} {path}", method.as_str()),
        Trigger::Schedule(expression) => expression.to_string(),
        Trigger::Unrouted => "$default".to_string(),
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
    // The secrets' ARNs, never their values (shared::secrets).
    for secret in endpoint.secrets {
        variables.push((
            shared::secrets::arn_variable(*secret).into(),
            format!("!Ref {}", secret.resource()),
        ));
    }
    for service in endpoint.calls {
        variables.push((service.url_variable().into(), API_URL.into()));
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

fn is_internal(path: &str) -> bool {
    path.starts_with("/internal/")
}

/// The internal routes `endpoint` may invoke: those of the services it calls that admit
/// its service, as `execute-api` ARNs (a path parameter is any one segment).
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
                "!Sub \"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{HttpApi}}/*/{}{}\"",
                method.as_str(),
                path.join("/")
            )
        })
        .collect()
}

fn policies(out: &mut String, endpoint: &Endpoint) {
    let invoke = invocable(endpoint);
    if endpoint.grants.is_empty() && endpoint.secrets.is_empty() && invoke.is_empty() {
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
