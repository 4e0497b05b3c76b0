//! The DynamoDB client and the few helpers every store needs.

use crate::StoreError;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, TransactWriteItem};
use aws_sdk_dynamodb::Client;
use infra::config::ConfigError;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::time::Duration;

pub type Item = HashMap<String, AttributeValue>;

/// `{"id": id}`: the key of an item in every table of the platform.
pub fn id_key(id: &str) -> Item {
    HashMap::from([("id".to_string(), s(id))])
}

/// The string attribute `name` of an item, if it has one.
pub fn text<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// The item at `key`, read strongly consistent (a read that may decide a write).
pub async fn read_item(
    client: &Client,
    table: &str,
    key: Item,
) -> Result<Option<Item>, StoreError> {
    let output = client
        .get_item()
        .table_name(table)
        .set_key(Some(key))
        .consistent_read(true)
        .send()
        .await?;
    Ok(output.item)
}

/// The record at `key` ([`read_item`]) if there is one and `keep` takes it: a table
/// that holds other kinds of item beside its records tells them apart.
pub async fn read<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    key: Item,
    keep: impl FnOnce(&Item) -> bool,
) -> Result<Option<T>, StoreError> {
    match read_item(client, table, key).await? {
        Some(item) if keep(&item) => Ok(Some(serde_dynamo::from_item(item)?)),
        _ => Ok(None),
    }
}

/// A client with the function's AWS configuration ([`infra::aws`]). `DYNAMODB_ENDPOINT` points it at
/// another DynamoDB-compatible server (the local engine). Timeouts are short so that a
/// database that is down turns into a 503 within seconds instead of a hung function.
/// `DYNAMODB_TIMEOUT_MS` (default 5000) bounds a whole operation, retries included.
pub fn client() -> Result<Client, ConfigError> {
    let operation = std::env::var("DYNAMODB_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_millis(5_000), Duration::from_millis);
    // Up to three attempts fit in the default; a longer bound gives each attempt half.
    let attempt = if operation <= Duration::from_millis(5_000) {
        Duration::from_millis(2_000)
    } else {
        operation / 2
    };
    client_with(attempt, operation)
}

/// A client for scheduled batch jobs, whose scans of a large table may take long per page.
pub fn batch_client() -> Result<Client, ConfigError> {
    client_with(Duration::from_secs(60), Duration::from_secs(180))
}

fn client_with(attempt: Duration, operation: Duration) -> Result<Client, ConfigError> {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(infra::aws::CONNECT_TIMEOUT)
        .operation_attempt_timeout(attempt)
        .operation_timeout(operation)
        .build();
    let mut builder = aws_sdk_dynamodb::config::Builder::from(infra::aws::config()?)
        .timeout_config(timeouts)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .interceptor(infra::trace::DynamoDbSpans);
    if let Some(endpoint) = infra::aws::endpoint_override("DYNAMODB_ENDPOINT") {
        builder = builder.endpoint_url(endpoint);
    }
    Ok(Client::from_conf(builder.build()))
}

/// True when a conditional write was refused because its condition did not hold.
pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ConditionalCheckFailedException")
}

/// Whether a conditional write was applied: `false` when its condition did not hold.
pub fn applied<T, E>(result: Result<T, SdkError<E, HttpResponse>>) -> Result<bool, StoreError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) if is_condition_failure(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// The items of `table` with these keys (missing ones are left out), in requests of at
/// most 100 keys (BatchGetItem's limit), retrying the keys DynamoDB left unprocessed.
/// `projection` names the attributes to read (all when `None`).
pub async fn batch_get_all(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
    projection: Option<&str>,
) -> Result<Vec<Item>, StoreError> {
    batch_get(client, table, keys, projection, false).await
}

/// [`batch_get_all`] with strongly consistent reads: for a read that decides a write.
pub async fn batch_get_consistent(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
) -> Result<Vec<Item>, StoreError> {
    batch_get(client, table, keys, None, true).await
}

async fn batch_get(
    client: &Client,
    table: &str,
    keys: Vec<Item>,
    projection: Option<&str>,
    consistent: bool,
) -> Result<Vec<Item>, StoreError> {
    let mut items = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(100) {
        let mut request = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .set_projection_expression(projection.map(str::to_string))
                .consistent_read(consistent)
                .build()
                .map_err(|e| StoreError::caused("building a batch read", e))?,
        );
        while let Some(keys) = request.take() {
            let output = client
                .batch_get_item()
                .request_items(table, keys)
                .send()
                .await?;
            items.extend(
                output
                    .responses
                    .unwrap_or_default()
                    .remove(table)
                    .unwrap_or_default(),
            );
            request = output
                .unprocessed_keys
                .and_then(|mut left| left.remove(table));
        }
    }
    Ok(items)
}

/// A Query or a Scan, read a page at a time from an optional start key.
pub trait Paged: Clone {
    /// One page: its items and the key to continue from, if there are more.
    fn page(
        self,
        start: Option<Item>,
    ) -> impl std::future::Future<Output = Result<(Vec<Item>, Option<Item>), StoreError>> + Send;
}

impl Paged for QueryFluentBuilder {
    async fn page(self, start: Option<Item>) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let output = self.set_exclusive_start_key(start).send().await?;
        Ok((output.items.unwrap_or_default(), output.last_evaluated_key))
    }
}

impl Paged for ScanFluentBuilder {
    async fn page(self, start: Option<Item>) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let output = self.set_exclusive_start_key(start).send().await?;
        Ok((output.items.unwrap_or_default(), output.last_evaluated_key))
    }
}

/// The pages of a Query or a Scan in order, following `LastEvaluatedKey`:
/// `while let Some(items) = pages.next().await? { … }` reads them one at a time.
pub struct Pages<R> {
    request: R,
    start: Option<Item>,
    done: bool,
}

impl<R: Paged> Pages<R> {
    pub fn new(request: R) -> Self {
        Self {
            request,
            start: None,
            done: false,
        }
    }

    /// The next page's items; `None` after the last page.
    pub async fn next(&mut self) -> Result<Option<Vec<Item>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let (items, last) = self.request.clone().page(self.start.take()).await?;
        self.done = last.is_none();
        self.start = last;
        Ok(Some(items))
    }
}

/// One page of a Query or a Scan, decoded, and the key to continue from.
pub async fn decoded_page<T: DeserializeOwned>(
    request: impl Paged,
    start: Option<Item>,
) -> Result<(Vec<T>, Option<Item>), StoreError> {
    let (items, last) = request.page(start).await?;
    let records = items
        .into_iter()
        .map(serde_dynamo::from_item)
        .collect::<Result<_, _>>()?;
    Ok((records, last))
}

/// Every record a Query or a Scan matches, decoded.
pub async fn query_all_as<T: DeserializeOwned>(request: impl Paged) -> Result<Vec<T>, StoreError> {
    Ok(query_all(request)
        .await?
        .into_iter()
        .map(serde_dynamo::from_item)
        .collect::<Result<_, _>>()?)
}

/// Every item a Query or a Scan matches, across all its pages.
pub async fn query_all(request: impl Paged) -> Result<Vec<Item>, StoreError> {
    let mut pages = Pages::new(request);
    let mut items = Vec::new();
    while let Some(page) = pages.next().await? {
        items.extend(page);
    }
    Ok(items)
}

/// Whether a Query or a Scan matches anything; reads only as many pages as it takes
/// (a filtered page may be empty while later ones are not).
pub async fn any_item(request: impl Paged) -> Result<bool, StoreError> {
    let mut pages = Pages::new(request);
    while let Some(page) = pages.next().await? {
        if !page.is_empty() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Applies `expr` to the item at `key` and answers the new item; `None` when its
/// condition did not hold.
pub async fn update_returning<T: DeserializeOwned>(
    client: &Client,
    table: &str,
    key: Item,
    expr: UpdateExpr,
) -> Result<Option<T>, StoreError> {
    let request = client
        .update_item()
        .table_name(table)
        .set_key(Some(key))
        .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
    match expr.apply(request).send().await {
        Ok(output) => Ok(Some(serde_dynamo::from_item(
            output.attributes.unwrap_or_default(),
        )?)),
        Err(err) if is_condition_failure(&err) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Builds an `UpdateItem` expression with placeholders only: every attribute name is
/// aliased (`#name`, since many words are reserved) and every value bound (`:name`).
#[derive(Default)]
pub struct UpdateExpr {
    sets: Vec<String>,
    removes: Vec<String>,
    conditions: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl UpdateExpr {
    /// `SET #attr = :attr`
    pub fn set(&mut self, attr: &str, value: AttributeValue) -> &mut Self {
        self.sets.push(format!("#{attr} = :{attr}"));
        self.name(attr).value(attr, value)
    }

    /// A raw `SET` clause, e.g. `#stock = #stock + :delta`; bind its names and values too.
    pub fn set_clause(&mut self, clause: &str) -> &mut Self {
        self.sets.push(clause.to_string());
        self
    }

    /// `REMOVE #attr`
    pub fn remove(&mut self, attr: &str) -> &mut Self {
        self.removes.push(format!("#{attr}"));
        self.name(attr)
    }

    /// One more condition, joined with AND.
    pub fn condition(&mut self, condition: &str) -> &mut Self {
        self.conditions.push(condition.to_string());
        self
    }

    /// Binds `#attr` to the attribute `attr`.
    pub fn name(&mut self, attr: &str) -> &mut Self {
        self.names.insert(format!("#{attr}"), attr.to_string());
        self
    }

    /// Binds `:placeholder`.
    pub fn value(&mut self, placeholder: &str, value: AttributeValue) -> &mut Self {
        self.values.insert(format!(":{placeholder}"), value);
        self
    }

    pub fn update_expression(&self) -> String {
        let mut expression = String::new();
        if !self.sets.is_empty() {
            expression.push_str(&format!("SET {}", self.sets.join(", ")));
        }
        if !self.removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", self.removes.join(", ")));
        }
        expression
    }

    pub fn condition_expression(&self) -> Option<String> {
        (!self.conditions.is_empty()).then(|| self.conditions.join(" AND "))
    }

    pub fn apply(
        self,
        request: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
    ) -> aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder {
        let update = self.update_expression();
        let condition = self.condition_expression();
        let values = (!self.values.is_empty()).then_some(self.values);
        request
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(values)
    }

    /// The same expression as one item of a transaction.
    pub fn into_transact_update(
        self,
        table: &str,
        key: Item,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = self.update_expression();
        let condition = self.condition_expression();
        let values = (!self.values.is_empty()).then_some(self.values);
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(table)
            .set_key(Some(key))
            .update_expression(update)
            .set_condition_expression(condition)
            .set_expression_attribute_names(Some(self.names))
            .set_expression_attribute_values(values)
            .build()
            .map_err(|e| StoreError::caused("building an update", e))?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

/// Serializes a record to an item, leaving out absent optional fields (rather than
/// storing NULL), so that `attribute_not_exists` means "not set".
pub fn to_item<T: serde::Serialize>(record: &T) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(record)?;
    item.retain(|_, value| !matches!(value, AttributeValue::Null(_)));
    Ok(item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_expressions_use_placeholders_only() {
        let mut expr = UpdateExpr::default();
        expr.set("name", s("Robert'); DROP TABLE--"))
            .set_clause("#stock = #stock + :delta")
            .name("stock")
            .value("delta", n(-2))
            .remove("phone")
            .condition("attribute_exists(id)")
            .condition("#stock >= :need")
            .value("need", n(2));
        assert_eq!(
            expr.update_expression(),
            "SET #name = :name, #stock = #stock + :delta REMOVE #phone"
        );
        assert_eq!(
            expr.condition_expression().unwrap(),
            "attribute_exists(id) AND #stock >= :need"
        );
        assert!(!expr.update_expression().contains("DROP"));
    }
}
