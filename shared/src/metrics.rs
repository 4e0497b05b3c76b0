//! Metrics in CloudWatch Embedded Metric Format: one JSON log line per event, which
//! CloudWatch Logs turns into metrics of the namespace `METRICS_NAMESPACE` (the stack's
//! name in AWS; `shop` locally), each with the dimension `Service` and at most one more
//! (`Reason`, `Kind`, `Route`). No client, no flush, no call at request time: the line
//! is the metric. Lines go to stderr with the other logs (stdout stays a command's own).
//!
//! The names the dashboard and alarms of `template.yaml` use:
//! `SaleCompleted`, `Revenue` (cents), `SaleFailed` by `Reason`, `Refund`,
//! `RefundedAmount` (cents), `SaleRolledBack`, `SalesPending`, `SalesOverdue`,
//! `LoginFailed`, `LoginThrottled`, `RecommendationsServed` by `Kind`, and
//! `Latency` (milliseconds) by `Route`, which is the request's log line itself
//! ([`crate::runtime`]).

use crate::endpoints::Service;
use serde_json::{json, Map, Value};
use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    /// Amounts of money, in cents.
    None,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::None => "None",
        }
    }
}

/// One event's metrics, written by [`Metrics::emit`].
#[must_use = "metrics are written by emit()"]
pub struct Metrics {
    service: Service,
    dimension: Option<(&'static str, String)>,
    values: Vec<(&'static str, f64, Unit)>,
    properties: Map<String, Value>,
}

/// Metrics of `service`, e.g. `metrics::of(Service::Sales).count("SaleCompleted").emit()`.
pub fn of(service: Service) -> Metrics {
    Metrics {
        service,
        dimension: None,
        values: Vec::new(),
        properties: Map::new(),
    }
}

fn namespace() -> &'static str {
    static NAMESPACE: OnceLock<String> = OnceLock::new();
    NAMESPACE.get_or_init(|| std::env::var("METRICS_NAMESPACE").unwrap_or_else(|_| "shop".into()))
}

impl Metrics {
    /// The second dimension, e.g. `by("Reason", "out_of_stock")`.
    pub fn by(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.dimension = Some((name, value.into()));
        self
    }

    /// One occurrence of `name`.
    pub fn count(self, name: &'static str) -> Self {
        self.value(name, 1.0, Unit::Count)
    }

    pub fn value(mut self, name: &'static str, value: f64, unit: Unit) -> Self {
        self.values.push((name, value, unit));
        self
    }

    /// A property of the line that is not a dimension (ids to find the event by).
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.properties.insert(name.to_string(), value.into());
        self
    }

    /// The line: the properties, the dimensions' values, the metrics' values, and the
    /// `_aws` metadata that declares which of them are metrics.
    pub fn line(self, timestamp_ms: u64) -> Value {
        let mut dimensions = vec!["Service"];
        let mut line = self.properties;
        line.insert("Service".into(), json!(self.service.name()));
        if let Some((name, value)) = self.dimension {
            dimensions.push(name);
            line.insert(name.into(), json!(value));
        }
        let declared: Vec<Value> = self
            .values
            .iter()
            .map(|(name, _, unit)| json!({ "Name": name, "Unit": unit.name() }))
            .collect();
        for (name, value, _) in &self.values {
            line.insert((*name).into(), json!(value));
        }
        if let Some(trace_id) = crate::trace::current_trace_id() {
            line.entry("trace_id").or_insert(json!(trace_id));
        }
        line.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": namespace(),
                    "Dimensions": [dimensions],
                    "Metrics": declared,
                }],
            }),
        );
        Value::Object(line)
    }

    /// Writes the line (one write, so lines of concurrent requests never interleave).
    pub fn emit(self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut text = self.line(now).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_declares_its_metrics_and_dimensions() {
        let line = of(Service::Sales)
            .by("Reason", "out_of_stock")
            .count("SaleFailed")
            .value("Revenue", 1250.0, Unit::None)
            .with("sale_id", "01ABC")
            .line(1_700_000_000_000);
        assert_eq!(line["Service"], "sales");
        assert_eq!(line["Reason"], "out_of_stock");
        assert_eq!(line["SaleFailed"], 1.0);
        assert_eq!(line["Revenue"], 1250.0);
        assert_eq!(line["sale_id"], "01ABC");
        let metadata = &line["_aws"];
        assert_eq!(metadata["Timestamp"], 1_700_000_000_000u64);
        let directive = &metadata["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], namespace());
        assert_eq!(directive["Dimensions"], json!([["Service", "Reason"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "SaleFailed", "Unit": "Count"}, {"Name": "Revenue", "Unit": "None"}])
        );
    }

    #[test]
    fn every_declared_dimension_and_metric_has_its_value_on_the_line() {
        // CloudWatch drops a metric whose value or dimension is missing from the line.
        let line = of(Service::Reviews)
            .by("Kind", "popular")
            .count("RecommendationsServed")
            .line(0);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        for dimension in directive["Dimensions"][0].as_array().unwrap() {
            assert!(line.get(dimension.as_str().unwrap()).is_some());
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            assert!(line[metric["Name"].as_str().unwrap()].is_number());
        }
    }
}
