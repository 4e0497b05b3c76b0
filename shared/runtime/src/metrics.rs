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
//! ([`crate::serve`]).

use endpoints::Service;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use std::io::Write;
use std::sync::OnceLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Unit {
    Count,
    Milliseconds,
    /// Amounts of money, in cents.
    None,
}

/// One event's metrics, written by [`Metrics::emit`].
#[must_use = "metrics are written by emit()"]
pub struct Metrics {
    service: Service,
    dimension: Option<(&'static str, String)>,
    values: Vec<(&'static str, f64, Unit)>,
    properties: Vec<(&'static str, Value)>,
}

/// Metrics of `service`, e.g. `metrics::of(Service::Sales).count("SaleCompleted").emit()`.
pub fn of(service: Service) -> Metrics {
    Metrics {
        service,
        dimension: None,
        values: Vec::new(),
        properties: Vec::new(),
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

    /// A property of the line that is not a dimension (ids to find the event by); a
    /// second one of the same name replaces the first.
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        let value = value.into();
        match self.properties.iter_mut().find(|(known, _)| *known == name) {
            Some(property) => property.1 = value,
            None => self.properties.push((name, value)),
        }
        self
    }

    /// The line as written, with the trace of the request being served.
    fn line(&self, timestamp_ms: u64) -> Line<'_> {
        Line {
            metrics: self,
            timestamp_ms,
            trace_id: infra::trace::current_trace_id(),
        }
    }

    /// Writes the line (one write, so lines of concurrent requests never interleave).
    /// Serialized straight from the fields: it is on every request's path.
    pub fn emit(self) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let mut text = Vec::with_capacity(512);
        if serde_json::to_writer(&mut text, &self.line(now)).is_ok() {
            text.push(b'\n');
            let _ = std::io::stderr().lock().write_all(&text);
        }
    }
}

/// One line: the properties, the dimensions' values, the metrics' values, the trace, and
/// the `_aws` metadata that declares which of them are metrics. A property never hides a
/// dimension's or a metric's value: CloudWatch would drop the metric.
struct Line<'a> {
    metrics: &'a Metrics,
    timestamp_ms: u64,
    trace_id: Option<String>,
}

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Metrics {
            service,
            dimension,
            values,
            properties,
        } = self.metrics;
        let reserved = |name: &str| {
            name == "Service"
                || name == "_aws"
                || dimension.as_ref().is_some_and(|(d, _)| *d == name)
                || values.iter().any(|(v, _, _)| *v == name)
        };
        let mut line = serializer.serialize_map(None)?;
        for (name, value) in properties.iter().filter(|(name, _)| !reserved(name)) {
            line.serialize_entry(name, value)?;
        }
        line.serialize_entry("Service", service.name())?;
        if let Some((name, value)) = dimension {
            line.serialize_entry(name, value)?;
        }
        for (name, value, _) in values {
            line.serialize_entry(name, value)?;
        }
        if let Some(trace_id) = &self.trace_id {
            if !properties.iter().any(|(name, _)| *name == "trace_id") {
                line.serialize_entry("trace_id", trace_id)?;
            }
        }
        let dimensions: Vec<&str> = std::iter::once("Service")
            .chain(dimension.as_ref().map(|(name, _)| *name))
            .collect();
        let declared: Vec<Declared> = values
            .iter()
            .map(|&(name, _, unit)| Declared { name, unit })
            .collect();
        line.serialize_entry(
            "_aws",
            &Metadata {
                timestamp: self.timestamp_ms,
                cloud_watch_metrics: [Directive {
                    namespace: namespace(),
                    dimensions: [dimensions],
                    metrics: declared,
                }],
            },
        )?;
        line.end()
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata<'a> {
    timestamp: u64,
    cloud_watch_metrics: [Directive<'a>; 1],
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Directive<'a> {
    namespace: &'a str,
    dimensions: [Vec<&'a str>; 1],
    metrics: Vec<Declared>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct Declared {
    name: &'static str,
    unit: Unit,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The line as CloudWatch reads it.
    fn written(metrics: Metrics, timestamp_ms: u64) -> Value {
        serde_json::to_value(metrics.line(timestamp_ms)).unwrap()
    }

    #[test]
    fn a_line_declares_its_metrics_and_dimensions() {
        let metrics = of(Service::Sales)
            .by("Reason", "out_of_stock")
            .count("SaleFailed")
            .value("Revenue", 1250.0, Unit::None)
            .with("sale_id", "01ABC");
        let line = written(metrics, 1_700_000_000_000);
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
        let metrics = of(Service::Reviews)
            .by("Kind", "popular")
            .count("RecommendationsServed");
        let line = written(metrics, 0);
        let directive = &line["_aws"]["CloudWatchMetrics"][0];
        for dimension in directive["Dimensions"][0].as_array().unwrap() {
            assert!(line.get(dimension.as_str().unwrap()).is_some());
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            assert!(line[metric["Name"].as_str().unwrap()].is_number());
        }
    }

    #[test]
    fn a_property_never_hides_a_value_and_the_last_of_a_name_counts() {
        let metrics = of(Service::Customers)
            .by("Route", "POST /login")
            .value("Latency", 2.5, Unit::Milliseconds)
            .with("Latency", "hidden?")
            .with("Route", "hidden?")
            .with("Service", "hidden?")
            .with("status", 500)
            .with("status", 200);
        let text = serde_json::to_string(&metrics.line(0)).unwrap();
        // One key each (a JSON object's duplicate keys are read differently by readers).
        for key in ["\"Latency\":", "\"Route\":", "\"Service\":", "\"status\":"] {
            assert_eq!(text.matches(key).count(), 1, "{key} in {text}");
        }
        let line: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(line["Latency"], 2.5);
        assert_eq!(line["Route"], "POST /login");
        assert_eq!(line["Service"], "customers");
        assert_eq!(line["status"], 200);
    }
}
