//! The HTTP side of each Sales endpoint.

use crate::domain::{
    parse_lines, PurchaseRequest, RefundOrder, RefundRequest, RefundView, Sale, SaleStatus,
    SaleView,
};
use crate::purchase::{purchase, Order};
use crate::store::Sales;
use crate::{refund, saga, State};
use edge::auth::{Principal, Role};
use edge::contracts::sales::Purchased;
use edge::http::{json, json_body, ok, page_limit, path_param, query_param, Page};
use edge::idempotency_key;
use edge::ids;
use edge::ApiError;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use runtime::session::Sessions;

/// A JSON answer with `Location` naming the sale.
fn at_sale(
    status: StatusCode,
    sale_id: &str,
    body: &impl serde::Serialize,
) -> Result<Response<Body>, ApiError> {
    let mut response = json(status, body)?;
    if let Ok(value) = format!("/sales/{sale_id}").parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// The answer to a purchase: 201 with the sale, or the error it failed with (naming the
/// lines at fault).
fn answer(sale: Sale) -> Result<Response<Body>, ApiError> {
    match (sale.status, sale.failure) {
        (SaleStatus::Failed, Some(reason)) => Err(reason.to_error().itemized(sale.failed_lines)),
        (SaleStatus::Pending | SaleStatus::Failed, _) => Err(ApiError::Unavailable(format!(
            "sale {} still pending",
            sale.id
        ))),
        // Completed, or refunded since (a replay of the purchase).
        _ => at_sale(StatusCode::CREATED, &sale.id.clone(), &SaleView::from(sale)),
    }
}

/// `POST /sales`: buy one product (`product_id`, `quantity`) or several (`items`) at
/// their current prices, all or nothing, honoring `Idempotency-Key` (a retry returns the
/// first sale; after a 503 it tries again).
pub async fn create_sale(
    state: &State<crate::store::Store, saga::Services>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.current(&req).await?;
    let body: PurchaseRequest = json_body(&req)?;
    let key = idempotency_key::parse(&req)?;
    let order = Order {
        customer_id: &principal.subject,
        lines: body.lines()?,
        deadline_seconds: state.services.deadline_seconds,
    };
    answer(purchase(&state.store, &state.services, &order, key.as_deref()).await?)
}

/// `POST /sales/{id}/refunds` (admin): give back units of some lines, the money to the
/// wallet and the stock when `restock`, honoring `Idempotency-Key`. 201 with the refund
/// when done; 202 with it pending when a service did not answer (it is finished later).
pub async fn refund_sale(
    state: &State<crate::store::Store, saga::Services>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let admin = state.current_admin(&req).await?;
    let sale_id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "sale")?;
    let body: RefundRequest = json_body(&req)?;
    let key = idempotency_key::parse(&req)?;
    let reason = body.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::validation("reason", "must not be blank"));
    }
    let order = RefundOrder {
        sale_id,
        lines: parse_lines(body.items)?,
        reason: reason.to_string(),
        restock: body.restock,
        admin_id: admin.subject,
    };
    let deadline = state.services.deadline_seconds;
    let (sale, refund_id) = refund::refund(
        &state.store,
        &state.services,
        &order,
        key.as_deref(),
        deadline,
    )
    .await?;
    let refund = sale
        .refund(&refund_id)
        .cloned()
        .ok_or_else(|| ApiError::Internal(format!("refund {refund_id} not recorded")))?;
    let status = if refund.is_completed() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    at_sale(status, &sale.id, &RefundView::of(&sale.id, refund))
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
            // The buyer's while their token is current (not after a password change, a
            // closed account or an ended login); another's an admin's while they are one.
            state.confirm(principal).await?;
            ok(&SaleView::from(sale))
        }
        _ => Err(ApiError::NotFound("sale")),
    }
}

/// `GET /sales/history/{customer_id}` (self or admin): completed sales (refunded ones
/// too), newest first.
pub async fn sales_history<S: Sales, C: Sessions>(
    state: &State<S, C>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.authenticate(&req)?;
    let raw_id = path_param(&req, "customer_id").unwrap_or_default();
    principal.require_self_or_admin(raw_id)?;
    // One's own history too: only while the token is current.
    state.confirm(principal).await?;
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
