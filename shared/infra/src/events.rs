//! Domain events (sale completed, sale refunded, review approved, stock low), published
//! on the platform's EventBridge bus from the owning service's table stream: each change
//! of a table arrives once in its DynamoDB stream, in order per item; the service's
//! events function turns it into the events it means (none for most changes) and puts
//! them on the bus. The schema of each event is in `docs/events.md`.
//!
//! Exactly once per change: the records of a batch are published in order, one record's
//! events per `PutEvents`, and the first record that cannot be published ends the batch
//! and is reported as its failure (`ReportBatchItemFailures`), so Lambda retries from
//! that record and never publishes an earlier one again. Only a `PutEvents` whose answer
//! is lost can repeat an event; every event carries the stream record's id
//! (`detail.event_id`) for consumers to drop the repeat.

use crate::config::ConfigError;
use aws_lambda_events::event::dynamodb::EventRecord;

/// A batch of a table's stream records, as Lambda hands it to an events function.
pub use aws_lambda_events::event::dynamodb::Event as StreamEvent;

/// The changes of a stream event's records (for tests of a service's events).
pub fn changes<T: DeserializeOwned>(event: &StreamEvent) -> Result<Vec<Change<T>>, String> {
    event
        .records
        .iter()
        .filter_map(|record| change(record).transpose())
        .collect()
}
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use std::future::Future;

/// The bus every event goes to; a local endpoint with `EVENTBRIDGE_ENDPOINT`.
const BUS_VARIABLE: &str = "EVENT_BUS_NAME";

/// One domain event: `source` is `shop.<service>`, `detail_type` its name, e.g.
/// `SaleCompleted`, and `detail` its body, which always holds `event_id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DomainEvent {
    pub source: &'static str,
    pub detail_type: &'static str,
    pub detail: Value,
}

/// A change of one item of a service's table, as the stream saw it: the item before and
/// after (`None`: created, or deleted).
#[derive(Debug, Clone, PartialEq)]
pub struct Change<T> {
    /// The stream record's id: the id of every event the change means.
    pub event_id: String,
    pub old: Option<T>,
    pub new: Option<T>,
}

impl<T> Change<T> {
    /// An event of this change, with its `event_id` and `version` added to `detail`.
    pub fn event(
        &self,
        source: &'static str,
        detail_type: &'static str,
        mut detail: Value,
    ) -> DomainEvent {
        detail["event_id"] = json!(self.event_id);
        detail["version"] = json!(1);
        DomainEvent {
            source,
            detail_type,
            detail,
        }
    }
}

/// The item images of a stream record as `T`. Items that are not `T`s (idempotency
/// keys, guards: a key holding `#`) are no change of an entity: `None`.
pub fn change<T: DeserializeOwned>(record: &EventRecord) -> Result<Option<Change<T>>, String> {
    let is_auxiliary =
        record.change.keys.values().any(
            |value| matches!(value, serde_dynamo::AttributeValue::S(key) if key.contains('#')),
        );
    if is_auxiliary {
        return Ok(None);
    }
    let image = |item: &serde_dynamo::Item| -> Result<Option<T>, String> {
        if item.is_empty() {
            return Ok(None);
        }
        serde_dynamo::from_item(item.clone())
            .map(Some)
            .map_err(|e| format!("record {}: {e}", record.event_id))
    };
    Ok(Some(Change {
        event_id: record.event_id.clone(),
        old: image(&record.change.old_image)?,
        new: image(&record.change.new_image)?,
    }))
}

/// Puts events on the bus, all or none of them.
pub trait Publish: Sync {
    fn publish(&self, events: &[DomainEvent]) -> impl Future<Output = Result<(), String>> + Send;
}

/// The EventBridge bus named by `EVENT_BUS_NAME`.
pub struct EventBus {
    client: aws_sdk_eventbridge::Client,
    name: String,
}

impl EventBus {
    pub async fn from_env() -> Result<Self, ConfigError> {
        let name = crate::config::required(BUS_VARIABLE)?;
        let mut config = aws_sdk_eventbridge::config::Builder::from(crate::aws::config()?);
        if let Some(endpoint) = crate::aws::endpoint_override("EVENTBRIDGE_ENDPOINT") {
            config = config.endpoint_url(endpoint);
        }
        Ok(Self {
            client: aws_sdk_eventbridge::Client::from_conf(config.build()),
            name,
        })
    }
}

impl Publish for EventBus {
    async fn publish(&self, events: &[DomainEvent]) -> Result<(), String> {
        use aws_sdk_eventbridge::types::PutEventsRequestEntry;
        let entries = events
            .iter()
            .map(|event| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(&self.name)
                    .source(event.source)
                    .detail_type(event.detail_type)
                    .detail(event.detail.to_string())
                    .build()
            })
            .collect();
        let answer = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "PutEvents: {}",
                    aws_sdk_eventbridge::error::DisplayErrorContext(e)
                )
            })?;
        match answer.failed_entry_count() {
            0 => Ok(()),
            // A record's events are one PutEvents; some of them failing fails the record,
            // whose retry puts again those that did not fail (a repeat consumers drop).
            failed => Err(format!(
                "PutEvents: {failed} of {} entries failed",
                events.len()
            )),
        }
    }
}

/// Publishes the events of a batch's records in order, stopping at the first record that
/// fails: the answer names it (`batchItemFailures`), and Lambda retries from there.
pub async fn publish_batch<T: DeserializeOwned>(
    records: &[EventRecord],
    derive: impl Fn(&Change<T>) -> Vec<DomainEvent>,
    bus: &impl Publish,
) -> Value {
    for record in records {
        let outcome = match change::<T>(record) {
            Ok(Some(change)) => {
                let events = derive(&change);
                if events.is_empty() {
                    Ok(())
                } else {
                    bus.publish(&events).await.inspect(|()| {
                        for event in &events {
                            tracing::info!(detail_type = event.detail_type, event_id = %change.event_id, "published");
                        }
                    })
                }
            }
            Ok(None) => Ok(()),
            Err(why) => Err(why),
        };
        if let Err(why) = outcome {
            tracing::error!(event_id = %record.event_id, %why, "stream record not published; retried from here");
            let sequence = record.change.sequence_number.clone().unwrap_or_default();
            return json!({ "batchItemFailures": [{ "itemIdentifier": sequence }] });
        }
    }
    json!({ "batchItemFailures": [] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::sync::Mutex;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Thing {
        id: String,
        level: i64,
    }

    fn record(seq: &str, id: &str, old: Option<i64>, new: Option<i64>) -> EventRecord {
        let image = |level: Option<i64>| {
            level.map_or(
                json!({}),
                |l| json!({"id": {"S": id}, "level": {"N": l.to_string()}}),
            )
        };
        serde_json::from_value(json!({
            "eventID": format!("ev-{seq}"),
            "eventName": "MODIFY",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "Keys": {"id": {"S": id}},
                "OldImage": image(old),
                "NewImage": image(new),
                "SequenceNumber": seq,
                "SizeBytes": 10,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }))
        .unwrap()
    }

    /// Publishes, except the events whose detail `level` is in `refuse`.
    struct Bus {
        refuse: Vec<i64>,
        published: Mutex<Vec<Value>>,
    }

    impl Publish for Bus {
        async fn publish(&self, events: &[DomainEvent]) -> Result<(), String> {
            if events
                .iter()
                .any(|e| self.refuse.contains(&e.detail["level"].as_i64().unwrap()))
            {
                return Err("refused".into());
            }
            self.published
                .lock()
                .unwrap()
                .extend(events.iter().map(|e| e.detail.clone()));
            Ok(())
        }
    }

    /// An event each time a thing's level rises.
    fn rises(change: &Change<Thing>) -> Vec<DomainEvent> {
        match (&change.old, &change.new) {
            (Some(old), Some(new)) if new.level > old.level => {
                vec![change.event("test", "Rose", json!({"id": new.id, "level": new.level}))]
            }
            _ => vec![],
        }
    }

    #[tokio::test]
    async fn a_batch_stops_at_its_first_failure_so_its_retry_repeats_nothing() {
        let bus = Bus {
            refuse: vec![3],
            published: Mutex::new(vec![]),
        };
        let batch = [
            record("100", "a", Some(1), Some(2)),
            record("101", "a", Some(2), Some(1)), // no event
            record("102", "b", Some(2), Some(3)), // refused
            record("103", "c", Some(0), Some(4)),
        ];
        let answer = publish_batch(&batch, rises, &bus).await;
        assert_eq!(
            answer,
            json!({"batchItemFailures": [{"itemIdentifier": "102"}]})
        );
        let published = bus.published.lock().unwrap().clone();
        assert_eq!(published.len(), 1, "nothing after the failed record");
        assert_eq!(published[0]["event_id"], "ev-100");
        assert_eq!(published[0]["version"], 1);

        // Lambda retries from the failed record; the bus now takes it.
        let bus = Bus {
            refuse: vec![],
            published: Mutex::new(published),
        };
        let answer = publish_batch(&batch[2..], rises, &bus).await;
        assert_eq!(answer, json!({"batchItemFailures": []}));
        let ids: Vec<Value> = bus
            .published
            .lock()
            .unwrap()
            .iter()
            .map(|d| d["event_id"].clone())
            .collect();
        assert_eq!(
            ids,
            [json!("ev-100"), json!("ev-102"), json!("ev-103")],
            "each once"
        );
    }

    #[tokio::test]
    async fn keys_and_guards_are_skipped_and_a_malformed_entity_is_a_failure() {
        let bus = Bus {
            refuse: vec![],
            published: Mutex::new(vec![]),
        };
        let key = record("200", "idem#c1#k", Some(1), Some(5));
        assert_eq!(change::<Thing>(&key), Ok(None));
        let mut broken = record("201", "x", Some(1), Some(2));
        broken.change.new_image.insert(
            "level".into(),
            serde_dynamo::AttributeValue::S("high".into()),
        );
        let answer = publish_batch(&[key, broken], rises, &bus).await;
        assert_eq!(
            answer,
            json!({"batchItemFailures": [{"itemIdentifier": "201"}]})
        );
        assert!(bus.published.lock().unwrap().is_empty());
    }

    #[test]
    fn a_created_item_has_no_old_image() {
        let created = record("300", "n", None, Some(1));
        let change = change::<Thing>(&created).unwrap().unwrap();
        assert_eq!(change.old, None);
        assert_eq!(
            change.new,
            Some(Thing {
                id: "n".into(),
                level: 1
            })
        );
    }
}
