//! The HTTP side of each Sales endpoint.

use crate::domain::{PurchaseRequest, Sale, SaleStatus, SaleView};
use crate::purchase::{purchase, Order};
use crate::store::Sales;
use crate::{saga, State};
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use shared::auth::{Principal, Role};
use shared::contracts::sales::Purchased;
use shared::domain::Quantity;
use shared::http::{json, json_body, ok, page_limit, path_param, query_param, Page};
use shared::session::Sessions;
use shared::{idempotency, ids, ApiError};

/// The answer to a purchase: 201 with the sale, or the error it failed with.
fn answer(sale: Sale) -> Result<Response<Body>, ApiError> {
    match (sale.status, sale.failure) {
        (SaleStatus::Completed, _) => {
            let location = format!("/sales/{}", sale.id);
            let mut response = json(StatusCode::CREATED, &SaleView::from(sale))?;
            if let Ok(value) = location.parse() {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
        (SaleStatus::Failed, Some(reason)) => Err(reason.to_error()),
        _ => Err(ApiError::Unavailable(format!(
            "sale {} still pending",
            sale.id
        ))),
    }
}

/// `POST /sales`: buy `quantity` units of a product at its current price, honoring
/// `Idempotency-Key` (a retry returns the first sale; after a 503 it tries again).
pub async fn create_sale(
    state: &State<crate::store::Store, saga::Services>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current(&req).await?;
    let body: PurchaseRequest = json_body(&req)?;
    let product_id = ids::parse_id(&body.product_id, "product")?;
    let key = idempotency::key(&req)?;
    let order = Order {
        customer_id: &principal.subject,
        product_id: &product_id,
        quantity: Quantity::parse(body.quantity).map_err(|e| e.of("quantity"))?,
        deadline_seconds: state.services.deadline_seconds,
    };
    answer(purchase(&state.store, &state.services, &order, key.as_deref()).await?)
}

/// Only the buyer and admins see a sale; to anyone else it does not exist.
fn visible_to(principal: &Principal, sale: &Sale) -> bool {
    principal.is_admin()
        || (principal.role == Role::Customer && principal.subject == sale.customer_id)
}

/// `GET /sales/{id}` (owner or admin)
pub async fn get_sale<S: Sales, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.authenticate(&req)?;
    let id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "sale")?;
    match state.store.get(&id).await? {
        Some(sale) if visible_to(&principal, &sale) => {
            // Another's sale is an admin's to see, while they are one.
            if principal.subject != sale.customer_id {
                state.confirm(principal).await?;
            }
            ok(&SaleView::from(sale))
        }
        _ => Err(ApiError::NotFound("sale")),
    }
}

/// `GET /sales/history/{customer_id}` (self or admin): completed sales, newest first.
pub async fn sales_history<S: Sales, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.authenticate(&req)?;
    let raw_id = path_param(&req, "customer_id").unwrap_or_default();
    principal.require_self_or_admin(raw_id)?;
    if principal.subject != raw_id {
        state.confirm(principal).await?;
    }
    let customer_id = ids::parse_id(raw_id, "customer")?;
    let limit = page_limit(&req)?;
    let scope = format!("sales-history|{customer_id}");
    let start = query_param(&req, "cursor")
        .map(|cursor| state.keys.cursors()?.decode(&scope, cursor))
        .transpose()?;
    let (sales, next) = state.store.history(&customer_id, start, limit).await?;
    let next_cursor = next
        .map(|key| state.keys.cursors()?.encode(&scope, &key))
        .transpose()?;
    ok(&Page {
        items: sales.into_iter().map(SaleView::from).collect(),
        next_cursor,
    })
}

/// `GET /internal/sales/purchases?customer_id=&product_id=` (service): whether the
/// customer bought the product (Reviews marks verified purchases with it).
pub async fn has_purchased<S: Sales>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let id = |name: &'static str| {
        query_param(&req, name)
            .and_then(|raw| ids::parse_id(raw, "id").ok())
            .ok_or_else(|| ApiError::validation(name, "must be an id"))
    };
    let (customer_id, product_id) = (id("customer_id")?, id("product_id")?);
    let purchased = state.store.has_purchased(&customer_id, &product_id).await?;
    ok(&Purchased {
        customer_id,
        product_id,
        purchased,
    })
}
