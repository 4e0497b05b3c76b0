//! The `events/` samples: an API Gateway v2 (HTTP API) event per route, a scheduled
//! event per scheduled function, a DynamoDB stream event per events function. The envelope follows the declaration (route key,
//! method, the token its callers carry); the example itself (path, query, body and
//! extra headers such as `idempotency-key`) is kept from the file, or is a skeleton.

use crate::{camel, Error};
use endpoints::{Access, Endpoint, Method, Table, Trigger};
use serde_json::{json, Value};

/// A sample id for each path parameter of a skeleton.
const SAMPLE_ID: &str = "01JD8ZQ5V8Y3N2K4M6P7R9S0TB";
/// Headers the envelope sets; every other header of a sample is its own.
const ENVELOPE_HEADERS: [&str; 6] = [
    "accept",
    "host",
    "user-agent",
    "authorization",
    "x-service-token",
    "content-type",
];

pub fn render(endpoint: &Endpoint, current: Option<&str>) -> Result<String, Error> {
    let current: Value = match current {
        Some(text) => serde_json::from_str(text)?,
        None => Value::Null,
    };
    match endpoint.trigger {
        Trigger::Http(method, path) => {
            let route_key = format!("{} {path}", method.as_str());
            http(endpoint, method, path, &route_key, &current)
        }
        Trigger::Schedule(_) => Ok(scheduled(endpoint)),
        Trigger::Stream(table) => Ok(stream(table, &current)),
        // A request no route takes: its path is its own.
        Trigger::Unrouted => {
            let path = current["rawPath"].as_str().unwrap_or("/no/such/route");
            http(endpoint, Method::Get, path, "$default", &current)
        }
    }
}

fn http(
    endpoint: &Endpoint,
    method: Method,
    route: &str,
    route_key: &str,
    current: &Value,
) -> Result<String, Error> {
    let name = endpoint.name;
    let method = method.as_str();
    let raw_path = match current["rawPath"].as_str() {
        Some(path) => path.to_string(),
        None => skeleton_path(route),
    };
    let parameters = path_parameters(route, &raw_path)
        .ok_or_else(|| format!("rawPath {raw_path} does not match {route}"))?;
    let query = current["rawQueryString"].as_str().unwrap_or_default();
    let body = match current["body"].as_str() {
        Some(body) => Some(body.to_string()),
        // A skeleton of a route that takes a body.
        None if current.is_null() && (method == "POST" || method == "PATCH") => {
            Some("{}".to_string())
        }
        None => None,
    };

    let mut headers = vec![
        ("accept".to_string(), "application/json".to_string()),
        ("host".into(), "localhost:9000".into()),
        ("user-agent".into(), "curl/8.5.0".into()),
    ];
    // An internal route's token is its first declared caller's: the route refuses others'.
    let bearer = match endpoint.access {
        Access::Customer => Some("CUSTOMER".to_string()),
        Access::Admin => Some("ADMIN".into()),
        Access::Services(callers) => callers
            .first()
            .map(|caller| format!("{}-SERVICE", caller.name().to_uppercase())),
        Access::Public | Access::Scheduler | Access::Stream => None,
    };
    if let Some(kind) = bearer {
        // A service token travels in its own header (`authorization` is the SigV4
        // signature's, which API Gateway checks before the function runs).
        let header = match endpoint.access {
            Access::Services(_) => endpoints::SERVICE_TOKEN_HEADER.to_string(),
            _ => "authorization".to_string(),
        };
        let prefix = if header == "authorization" {
            "Bearer "
        } else {
            ""
        };
        headers.push((header, format!("{prefix}REPLACE-WITH-A-{kind}-TOKEN")));
    }
    if let Some(own) = current["headers"].as_object() {
        for (header, value) in own {
            if !ENVELOPE_HEADERS.contains(&header.as_str()) {
                headers.push((
                    header.clone(),
                    value.as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    if body.is_some() {
        headers.push(("content-type".into(), "application/json".into()));
    }

    let q = |text: &str| serde_json::to_string(text).expect("a string serializes");
    let object = |pairs: &[(String, String)], indent: &str| -> String {
        let lines: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{indent}  {}: {}", q(k), q(v)))
            .collect();
        format!("{{\n{}\n{indent}}}", lines.join(",\n"))
    };
    let mut out = String::from("{\n");
    out += "  \"version\": \"2.0\",\n";
    out += &format!("  \"routeKey\": {},\n", q(route_key));
    out += &format!("  \"rawPath\": {},\n", q(&raw_path));
    out += &format!("  \"rawQueryString\": {},\n", q(query));
    out += &format!("  \"headers\": {},\n", object(&headers, "  "));
    if !query.is_empty() {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        out += &format!("  \"queryStringParameters\": {},\n", object(&pairs, "  "));
    }
    out += &format!(
        r#"  "requestContext": {{
    "accountId": "123456789012",
    "apiId": "local",
    "domainName": "localhost",
    "domainPrefix": "localhost",
    "http": {{
      "method": {},
      "path": {},
      "protocol": "HTTP/1.1",
      "sourceIp": "127.0.0.1",
      "userAgent": "curl/8.5.0"
    }},
    "requestId": {},
    "routeKey": {},
    "stage": "$default",
    "time": "26/Nov/2026:12:00:00 +0000",
    "timeEpoch": 1795694400000
  }},
"#,
        q(method),
        q(&raw_path),
        q(&format!("sample-{name}")),
        q(route_key),
    );
    if !parameters.is_empty() {
        out += &format!("  \"pathParameters\": {},\n", object(&parameters, "  "));
    }
    if let Some(body) = body {
        out += &format!("  \"body\": {},\n", q(&body));
    }
    out += "  \"isBase64Encoded\": false\n}\n";
    Ok(out)
}

fn scheduled(endpoint: &Endpoint) -> String {
    format!(
        r#"{{
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "2026-11-26T12:00:00Z",
  "region": "us-east-1",
  "resources": ["arn:aws:events:us-east-1:123456789012:rule/shop-platform-{}FunctionSchedule"],
  "detail": {{}}
}}
"#,
        camel(endpoint.name)
    )
}

/// A DynamoDB stream event of the table: the file's records (a realistic change is
/// written by hand), each from the table's stream; a skeleton record otherwise.
fn stream(table: Table, current: &Value) -> String {
    let arn = format!(
        "arn:aws:dynamodb:us-east-1:123456789012:table/shop-platform-{}/stream/2026-11-26T12:00:00.000",
        table.resource()
    );
    let mut records = match current["Records"].as_array() {
        Some(records) => records.clone(),
        None => vec![json!({
            "eventID": "c4ca4238a0b923820dcc509a6f75849b",
            "eventName": "MODIFY",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": 1_795_000_000,
                "Keys": { "id": { "S": SAMPLE_ID } },
                "OldImage": { "id": { "S": SAMPLE_ID } },
                "NewImage": { "id": { "S": SAMPLE_ID } },
                "SequenceNumber": "111100000000000000000001",
                "SizeBytes": 100,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        })],
    };
    for record in &mut records {
        record["eventSourceARN"] = json!(arn);
    }
    let mut text = serde_json::to_string_pretty(&json!({ "Records": records })).expect("JSON");
    text.push('\n');
    text
}

fn skeleton_path(route: &str) -> String {
    route
        .split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                SAMPLE_ID
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The `{name}` segments of `route` with their values in `path`; `None` if they differ.
fn path_parameters(route: &str, path: &str) -> Option<Vec<(String, String)>> {
    let (route, path): (Vec<&str>, Vec<&str>) =
        (route.split('/').collect(), path.split('/').collect());
    if route.len() != path.len() {
        return None;
    }
    let mut parameters = Vec::new();
    for (pattern, value) in route.iter().zip(path) {
        match pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if !value.is_empty() => {
                parameters.push((name.to_string(), value.to_string()))
            }
            Some(_) => return None,
            None if pattern == &value => {}
            None => return None,
        }
    }
    Some(parameters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_their_route() {
        assert_eq!(
            path_parameters("/profile/{id}/wallet", "/profile/7/wallet").unwrap(),
            vec![("id".to_string(), "7".to_string())]
        );
        assert!(path_parameters("/profile/{id}", "/profiles/7").is_none());
        assert!(path_parameters("/profile/{id}", "/profile/").is_none());
        assert_eq!(skeleton_path("/a/{id}"), format!("/a/{SAMPLE_ID}"));
    }
}
