//! The HTTP side of each Inventory endpoint.

use crate::domain::{
    normalize_category, AvailabilityQuery, NewProduct, Product, ProductPatch, ReserveStock,
    Restock, RestockRequest, StockLine, CURRENCY, MAX_PRICE_CENTS,
};
use crate::store::{Inventory, ListFilter, ProductChanges, Reserved, Restocked, Updated};
use crate::State;
use edge::contracts::inventory::{parse_product_ids, repeated_products, Availability};
use edge::error::FieldError;
use edge::http::{
    if_match, json, json_body, no_content, ok, page_limit, path_param, query_int, query_param,
    with_etag, Page,
};
use edge::ids;
use edge::limits::{MAX_CATEGORY_CHARS, MAX_SEARCH_CHARS};
use edge::money::Cents;
use edge::ApiError;
use infra::time;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use runtime::session::Sessions;

fn product_id(req: &Request) -> Result<String, ApiError> {
    ids::parse_id(path_param(req, "id").unwrap_or_default(), "product")
}

/// `GET /products`
pub async fn list_products<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let limit = page_limit(&req)?;
    let mut errors = Vec::new();
    let category = query_param(&req, "category").map(normalize_category);
    if category
        .as_ref()
        .is_some_and(|c| c.is_empty() || c.chars().count() as u64 > MAX_CATEGORY_CHARS)
    {
        errors.push(edge::FieldError::new(
            "category",
            format!("must be 1 to {MAX_CATEGORY_CHARS} characters"),
        ));
    }
    let q = query_param(&req, "q")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    if q.as_ref()
        .is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS)
    {
        errors.push(edge::FieldError::new(
            "q",
            format!("must be at most {MAX_SEARCH_CHARS} characters"),
        ));
    }
    let mut price = |name| match query_int(&req, name, 0, MAX_PRICE_CENTS) {
        Ok(value) => value,
        Err(ApiError::Validation(mut e)) => {
            errors.append(&mut e);
            None
        }
        Err(_) => None,
    };
    let min_price_cents = price("min_price_cents");
    let max_price_cents = price("max_price_cents");
    if let (Some(min), Some(max)) = (min_price_cents, max_price_cents) {
        if min > max {
            errors.push(edge::FieldError::new(
                "min_price_cents",
                "must not exceed max_price_cents",
            ));
        }
    }
    let in_stock = match query_param(&req, "in_stock") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push(edge::FieldError::new("in_stock", "must be true or false"));
            false
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let filter = ListFilter {
        category,
        q,
        min_price_cents,
        max_price_cents,
        in_stock,
    };
    // The cursor is bound to the filter: one taken from another listing is refused.
    let scope = format!(
        "products|{:?}|{:?}|{:?}|{:?}|{}",
        filter.category, filter.q, filter.min_price_cents, filter.max_price_cents, filter.in_stock
    );
    let start = query_param(&req, "cursor")
        .map(|cursor| state.keys.cursors()?.decode(&scope, cursor))
        .transpose()?;
    let (items, next) = state.store.list(&filter, start, limit as usize).await?;
    let next_cursor = next
        .map(|key| state.keys.cursors()?.encode(&scope, &key))
        .transpose()?;
    ok(&Page { items, next_cursor })
}

/// `POST /products` (admin)
pub async fn create_product<S: Inventory, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.current_admin(&req).await?;
    let body: NewProduct = json_body(&req)?;
    let now = time::now_rfc3339();
    let product = Product {
        id: ids::new_id(),
        name: body.name.trim().to_string(),
        description: body.description.trim().to_string(),
        category: normalize_category(&body.category),
        price_cents: Cents::new(body.price_cents),
        currency: CURRENCY.to_string(),
        stock: body.stock,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
    };
    state.store.create(&product).await?;
    let mut response = with_etag(json(StatusCode::CREATED, &product)?, product.version);
    if let Ok(location) = format!("/products/{}", product.id).parse() {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `GET /products/{id}`: deleted products still resolve, with `deleted_at` set.
pub async fn get_product<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let id = product_id(&req)?;
    let product = state
        .store
        .get(&id)
        .await?
        .ok_or(ApiError::NotFound("product"))?;
    Ok(with_etag(ok(&product)?, product.version))
}

fn updated(outcome: Updated) -> Result<Product, ApiError> {
    match outcome {
        Updated::Yes(product) => Ok(*product),
        Updated::NotFound => Err(ApiError::NotFound("product")),
        Updated::StaleVersion => Err(ApiError::Conflict(
            "the product changed since it was read (If-Match is stale); read it again".into(),
        )),
        Updated::StockOutOfRange => Err(ApiError::Conflict(
            "stock_delta would take the stock below 0 or above the maximum".into(),
        )),
    }
}

/// `POST /products/{id}/update` (admin), honoring `If-Match`.
pub async fn update_product<S: Inventory, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (id, expected) = admin_change(state, &req).await?;
    let patch: ProductPatch = json_body(&req)?;
    if patch.is_empty() {
        return Err(ApiError::validation(
            "body",
            "must contain at least one field to change",
        ));
    }
    if patch.stock.is_some() && patch.stock_delta.is_some() {
        return Err(ApiError::validation(
            "stock_delta",
            "cannot be combined with stock",
        ));
    }
    // Validation refused blank names and categories: trimmed, they stay non-empty.
    let changes = ProductChanges {
        name: patch.name.map(|n| n.trim().to_string()),
        description: patch.description.map(|d| d.trim().to_string()),
        category: patch.category.map(|c| normalize_category(&c)),
        price_cents: patch.price_cents.map(Cents::new),
        stock: patch.stock,
        stock_delta: patch.stock_delta,
    };
    let product = updated(
        state
            .store
            .update(&id, changes, expected, &time::now_rfc3339())
            .await?,
    )?;
    Ok(with_etag(ok(&product)?, product.version))
}

/// `DELETE /products/{id}` (admin): a soft delete, honoring `If-Match`.
pub async fn delete_product<S: Inventory, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (id, expected) = admin_change(state, &req).await?;
    updated(
        state
            .store
            .delete(&id, expected, &time::now_rfc3339())
            .await?,
    )?;
    no_content()
}

/// What an admin's change of a product names: the product, and the version it was read
/// at (`If-Match`), once the caller is known to be a current admin.
async fn admin_change<S: Inventory, C: Sessions>(
    state: &State<S, C>,
    req: &Request,
) -> Result<(String, Option<i64>), ApiError> {
    state.current_admin(req).await?;
    Ok((product_id(req)?, if_match(req)?))
}

/// Lines with their product ids parsed (422 naming each bad one) and each product once.
fn parsed_lines(lines: Vec<StockLine>) -> Result<Vec<StockLine>, ApiError> {
    let mut errors = repeated_products(&lines);
    let (parsed, malformed) = parse_product_ids(lines);
    errors.extend(
        malformed
            .into_iter()
            .map(|i| FieldError::new(format!("items[{i}].product_id"), "must be a product id")),
    );
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// `POST /internal/inventory/reservations` (service): take the stock of every line of a
/// sale, all or none, once.
pub async fn reserve_stock<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let body: ReserveStock = json_body(&req)?;
    let sale_id = ids::body_id(&body.sale_id, "sale", "sale_id")?;
    let lines = parsed_lines(body.items)?;
    match state
        .store
        .reserve(&sale_id, &lines, &time::now_rfc3339())
        .await?
    {
        Reserved::Yes(reservation) => ok(&reservation),
        Reserved::Refused(refused) => Err(refused.to_error()),
        Reserved::SaleIdConflict(why) => Err(ApiError::Conflict(why.into())),
    }
}

/// `POST /internal/inventory/restocks` (service): put a refund's units back, once per
/// restock id.
pub async fn restock<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let body: RestockRequest = json_body(&req)?;
    let restock_id = ids::body_id(&body.restock_id, "refund", "restock_id")?;
    let restock = Restock {
        restock_id,
        items: parsed_lines(body.items)?,
        created_at: time::now_rfc3339(),
    };
    match state.store.restock(restock).await? {
        Restocked::Done(restock) => ok(&restock),
        Restocked::UnknownProducts(lines) => Err(ApiError::NotFound("product").itemized(
            lines
                .iter()
                .map(|i| FieldError::new(format!("items[{i}].product_id"), "no such product"))
                .collect(),
        )),
    }
}

/// `POST /internal/inventory/reservations/{sale_id}/release` (service): give a sale's
/// stock back, once; safe to call before, after or instead of the reservation.
pub async fn release_stock<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let sale_id = ids::parse_id(path_param(&req, "sale_id").unwrap_or_default(), "sale")?;
    ok(&state.store.release(&sale_id, &time::now_rfc3339()).await?)
}

/// `POST /internal/inventory/availability` (service): which of the given products exist
/// and are not deleted (Reviews filters recommendations with it).
pub async fn product_availability<S: Inventory>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let body: AvailabilityQuery = json_body(&req)?;
    let ids: Vec<String> = body
        .product_ids
        .iter()
        .filter_map(|raw| ids::parse_id(raw, "product").ok())
        .collect();
    ok(&Availability {
        available: state.store.live(&ids).await?,
    })
}
