//! DynamoDB access for the recommendation table (one table, keys `pk` + `sk`):
//!
//! | pk                  | sk                  | what                                        |
//! |---------------------|---------------------|---------------------------------------------|
//! | `customer#<id>`     | `event#<event id>`  | an interaction (purchase, approved review)  |
//! |                     |                     | or a review's tombstone (`forgotten`)       |
//! | `model#<version>`   | `product#<id>`      | that product's neighbour list               |
//! | `model#<version>`   | `popular`           | the popular products                        |
//! | `model`             | `active`            | which version readers use (switched last)   |
//! | `model`             | `version#<version>` | every version written, for clean-up         |
//!
//! A refresh writes a whole new version, then switches `active` to it, so readers never
//! see a half-written model; two refreshes at once write two versions and the newer wins.

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;
use futures::{StreamExt, TryStreamExt};
use reco::{CompactModel, Event, Neighbour};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use storage::db::{applied, batch_get_all, n, query_all_as, read_item, s, text, Item, Pages};
use storage::StoreError;

pub struct RecoStore {
    client: Client,
    table: String,
}

/// An interaction as reported by Sales or by moderation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredInteraction {
    pub event_id: String,
    pub customer_id: String,
    pub product_id: String,
    /// Unix seconds.
    pub time: i64,
    pub strength: f32,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct ActiveModel {
    pub version: String,
    pub generated_at: String,
}

/// A neighbour list or the popular list, as stored: two parallel lists.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StoredList {
    products: Vec<String>,
    scores: Vec<f32>,
}

impl StoredList {
    fn pairs(self) -> impl Iterator<Item = (String, f32)> {
        self.products.into_iter().zip(self.scores)
    }
}

/// What the review handlers need of the recommender's table: keeping a review's
/// interaction in step with its status ([`RecoStore`], and a double for the tests).
pub trait Interactions: Sync {
    /// Makes a review count as its `version` says: as `interaction` (approved) or not at
    /// all. Versions only move forward: a write for an older version arriving late (an
    /// edit racing a moderation) changes nothing.
    fn follow_review(
        &self,
        customer_id: &str,
        event_id: &str,
        version: i64,
        interaction: Option<&StoredInteraction>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// What the recommendation routes need of the recommender's table: [`RecoStore`], and
/// an in-process double for the tests (`crate::memory`).
pub trait Recommendations: Sync {
    /// Records many interactions; recording an event again changes nothing.
    fn record_all(
        &self,
        interactions: &[StoredInteraction],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A customer's interactions, as the scorer sees them.
    fn history(
        &self,
        customer_id: &str,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
    /// The model version readers use, if one was ever written.
    fn active_model(&self) -> impl Future<Output = Result<Option<ActiveModel>, StoreError>> + Send;
    /// The neighbour lists of `products` in a model version.
    fn neighbours(
        &self,
        version: &str,
        products: &[String],
    ) -> impl Future<Output = Result<HashMap<String, Vec<Neighbour>>, StoreError>> + Send;
    /// The popular products of a model version, most popular first.
    fn popular(
        &self,
        version: &str,
    ) -> impl Future<Output = Result<Vec<(String, f32)>, StoreError>> + Send;
}

fn key(pk: String, sk: String) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

fn customer_pk(customer_id: &str) -> String {
    format!("customer#{customer_id}")
}

fn model_pk(version: &str) -> String {
    format!("model#{version}")
}

/// Largest write batch DynamoDB takes.
const WRITE_BATCH: usize = 25;
/// Batches a refresh writes at once: a model of 100k products is 4,000 batches.
const WRITES_IN_FLIGHT: usize = 8;

impl Recommendations for RecoStore {
    /// Records many interactions in batches.
    async fn record_all(&self, interactions: &[StoredInteraction]) -> Result<(), StoreError> {
        let mut requests = Vec::with_capacity(interactions.len());
        // One batch may not hold the same item twice: the last report of an event wins.
        let mut unique: HashMap<(&str, &str), &StoredInteraction> = HashMap::new();
        for interaction in interactions {
            unique.insert(
                (&interaction.customer_id, &interaction.event_id),
                interaction,
            );
        }
        for interaction in unique.into_values() {
            let mut item = storage::db::to_item(interaction)?;
            item.extend(key(
                customer_pk(&interaction.customer_id),
                format!("event#{}", interaction.event_id),
            ));
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::caused("building a batch write", e))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        self.write_batches(requests).await
    }

    /// A customer's interactions, as the scorer sees them.
    async fn history(&self, customer_id: &str) -> Result<Vec<Event>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :events)")
            .expression_attribute_values(":pk", s(customer_pk(customer_id)))
            .expression_attribute_values(":events", s("event#"))
            .filter_expression("attribute_not_exists(forgotten)")
            .consistent_read(true);
        let stored: Vec<StoredInteraction> = query_all_as(query).await?;
        Ok(stored
            .into_iter()
            .map(|stored| Event {
                product: stored.product_id,
                time: stored.time,
                strength: stored.strength,
            })
            .collect())
    }

    async fn active_model(&self) -> Result<Option<ActiveModel>, StoreError> {
        let active = key("model".into(), "active".into());
        let item = read_item(&self.client, &self.table, active).await?;
        let owned = |item: &Item, name: &str| text(item, name).map(str::to_string);
        Ok(item.and_then(|item| {
            Some(ActiveModel {
                version: owned(&item, "version")?,
                generated_at: owned(&item, "generated_at")?,
            })
        }))
    }

    /// The neighbour lists of `products` in a model version.
    async fn neighbours(
        &self,
        version: &str,
        products: &[String],
    ) -> Result<HashMap<String, Vec<Neighbour>>, StoreError> {
        let keys = products
            .iter()
            .map(|p| key(model_pk(version), format!("product#{p}")))
            .collect();
        let mut lists = HashMap::new();
        for item in batch_get_all(&self.client, &self.table, keys, None).await? {
            let product = text(&item, "sk")
                .and_then(|sk| sk.strip_prefix("product#"))
                .map(str::to_string)
                .unwrap_or_default();
            let list: StoredList = serde_dynamo::from_item(item)?;
            let neighbours = list
                .pairs()
                .map(|(product, similarity)| Neighbour {
                    product,
                    similarity,
                })
                .collect();
            lists.insert(product, neighbours);
        }
        Ok(lists)
    }

    async fn popular(&self, version: &str) -> Result<Vec<(String, f32)>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(model_pk(version), "popular".into())))
            .send()
            .await?;
        Ok(match output.item {
            Some(item) => serde_dynamo::from_item::<_, StoredList>(item)?
                .pairs()
                .collect(),
            None => Vec::new(),
        })
    }
}

impl Interactions for RecoStore {
    async fn follow_review(
        &self,
        customer_id: &str,
        event_id: &str,
        version: i64,
        interaction: Option<&StoredInteraction>,
    ) -> Result<(), StoreError> {
        // A review that no longer counts leaves a tombstone (`forgotten`) holding its
        // version, which readers skip and older writes cannot pass.
        let mut item = match interaction {
            Some(interaction) => storage::db::to_item(interaction)?,
            None => Item::from([("forgotten".to_string(), AttributeValue::Bool(true))]),
        };
        item.extend(key(customer_pk(customer_id), format!("event#{event_id}")));
        item.insert("review_version".into(), n(version));
        let written = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(
                "attribute_not_exists(review_version) OR review_version < :version",
            )
            .expression_attribute_values(":version", n(version))
            .send()
            .await;
        // Not applied: a newer version is in already.
        applied(written).map(drop)
    }
}

impl RecoStore {
    pub fn new(client: Client, table: String) -> Self {
        Self { client, table }
    }

    /// Every interaction (for a refresh), read in parallel segments a page at a time
    /// straight into compact rows with interned ids: a raw item lives only as long as its
    /// page.
    pub async fn all_interactions(&self) -> Result<reco::Interactions, StoreError> {
        const SEGMENTS: i32 = 4;
        let all = std::sync::Mutex::new(reco::Interactions::default());
        let scans = (0..SEGMENTS).map(|segment| self.scan_segment(segment, SEGMENTS, &all));
        for part in futures::future::join_all(scans).await {
            part?;
        }
        all.into_inner()
            .map_err(|_| StoreError::internal("interaction reader panicked"))
    }

    async fn scan_segment(
        &self,
        segment: i32,
        total: i32,
        all: &std::sync::Mutex<reco::Interactions>,
    ) -> Result<(), StoreError> {
        let scan = self
            .client
            .scan()
            .table_name(&self.table)
            .segment(segment)
            .total_segments(total)
            .filter_expression("begins_with(pk, :customer) AND attribute_not_exists(forgotten)")
            .expression_attribute_values(":customer", s("customer#"));
        let mut pages = Pages::new(scan);
        while let Some(items) = pages.next().await? {
            let page: Vec<StoredInteraction> = items
                .into_iter()
                .map(serde_dynamo::from_item)
                .collect::<Result<_, _>>()?;
            let mut all = all
                .lock()
                .map_err(|_| StoreError::internal("interaction reader panicked"))?;
            for stored in page {
                all.push(
                    &stored.customer_id,
                    &stored.product_id,
                    stored.time,
                    stored.strength,
                );
            }
        }
        Ok(())
    }

    /// Writes a whole model under a new version (not yet active), several batches at a time.
    pub async fn write_model(
        &self,
        version: &str,
        model: &CompactModel,
    ) -> Result<usize, StoreError> {
        let name = |id: u32| model.products.name(id).to_string();
        let list_item = |sk: String, pairs: &[(u32, f32)]| -> Result<WriteRequest, StoreError> {
            let (products, scores) = pairs.iter().map(|&(p, s)| (name(p), s)).unzip();
            let mut item = storage::db::to_item(&StoredList { products, scores })?;
            item.extend(key(model_pk(version), sk));
            let put = PutRequest::builder()
                .set_item(Some(item))
                .build()
                .map_err(|e| StoreError::caused("building a batch write", e))?;
            Ok(WriteRequest::builder().put_request(put).build())
        };
        let popular = &model.popular[..model.popular.len().min(200)];
        let lists = model
            .neighbours
            .iter()
            .enumerate()
            .filter(|(_, neighbours)| !neighbours.is_empty())
            .map(|(product, neighbours)| {
                let sk = format!("product#{}", name(product as u32));
                (sk, neighbours.as_slice())
            });
        let mut items = std::iter::once(("popular".to_string(), popular))
            .chain(lists)
            .map(|(sk, pairs)| list_item(sk, pairs));
        // Items are made as batches are taken, so only the batches in flight are in memory.
        let batches = std::iter::from_fn(move || {
            let batch: Vec<_> = items.by_ref().take(WRITE_BATCH).collect();
            (!batch.is_empty()).then(|| batch.into_iter().collect::<Result<Vec<_>, _>>())
        });
        futures::stream::iter(batches)
            .map(|batch| async move { self.write_batches(batch?).await })
            .buffer_unordered(WRITES_IN_FLIGHT)
            .try_collect::<Vec<()>>()
            .await?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key("model".into(), format!("version#{version}"))))
            .send()
            .await?;
        Ok(1 + model.products_with_neighbours())
    }

    async fn write_batches(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(WRITE_BATCH) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0u32;
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await?;
                pending = output
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    attempt += 1;
                    if attempt > 10 {
                        return Err(StoreError::Unavailable(
                            "batch write kept being throttled".into(),
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt.min(6)))
                        .await;
                }
            }
        }
        Ok(())
    }

    /// Makes `version` the one readers use, unless a newer one already is.
    pub async fn activate(&self, version: &str, generated_at: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key("model".into(), "active".into())))
            .item("version", s(version))
            .item("generated_at", s(generated_at))
            .condition_expression("attribute_not_exists(version) OR version < :version")
            .expression_attribute_values(":version", s(version))
            .send()
            .await;
        applied(result)
    }

    /// Deletes every model version but the newest `keep` (readers may still be using
    /// the one before the active one for a moment).
    pub async fn prune(&self, keep: usize) -> Result<usize, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :model AND begins_with(sk, :version)")
            .expression_attribute_values(":model", s("model"))
            .expression_attribute_values(":version", s("version#"))
            .scan_index_forward(false)
            .send()
            .await?;
        let mut pruned = 0;
        for item in output.items.unwrap_or_default().into_iter().skip(keep) {
            let Some(version) = text(&item, "sk").and_then(|sk| sk.strip_prefix("version#")) else {
                continue;
            };
            self.delete_partition(&model_pk(version)).await?;
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key("model".into(), format!("version#{version}"))))
                .send()
                .await?;
            pruned += 1;
        }
        Ok(pruned)
    }

    async fn delete_partition(&self, pk: &str) -> Result<(), StoreError> {
        let keys = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", s(pk))
            .projection_expression("pk, sk");
        let mut pages = Pages::new(keys);
        while let Some(items) = pages.next().await? {
            let deletes = items
                .into_iter()
                .map(|k| {
                    DeleteRequest::builder()
                        .set_key(Some(k))
                        .build()
                        .map(|d| WriteRequest::builder().delete_request(d).build())
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::caused("building a batch write", e))?;
            self.write_batches(deletes).await?;
        }
        Ok(())
    }
}
