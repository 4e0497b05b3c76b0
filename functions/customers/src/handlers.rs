//! The HTTP side of each Customers endpoint: parse, authorize, call the store, answer.

use crate::domain::{
    clean, AccountStatus, ChargeWallet, Credit, CreditWallet, CustomerRecord, CustomerView,
    DepositRequest, LoginRequest, ProfilePatch, RefreshRequest, RegisterRequest,
};
use crate::password_hash::{hash_password, verify_password};
use crate::sessions::{self, Rotated};
use crate::store::{Changes, Charged, Created, Credited, Customers, Deposited};
use crate::{guesses, passwords, State};
use edge::auth::{Principal, Role};
use edge::contracts::customers::CustomerStatus;
use edge::domain::Email;
use edge::http::{client_address, json, json_body, no_content, ok, path_param, query_param};
use edge::idempotency_key;
use edge::ids;
use edge::money::Cents;
use edge::ApiError;
use endpoints::Service;
use infra::time;
use lambda_http::http::{header, StatusCode};
use lambda_http::{Body, Request, Response};
use runtime::metrics;
use runtime::session;
use serde::Serialize;

/// `POST /register`: 429 when the client's address registered taken mailboxes too often
/// ([`guesses::take_registration`]).
pub async fn register<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let body: RegisterRequest = json_body(&req)?;
    let email = Email::parse(&body.email).map_err(|e| e.of("email"))?;
    let names = [
        body.full_name.as_str(),
        body.username.as_deref().unwrap_or(""),
    ];
    passwords::check_for(&body.password, email.as_str(), &names)?;
    let attempt =
        guesses::take_registration(&state.store, client_address(&req), time::epoch_seconds())
            .await
            .inspect_err(|err| {
                if matches!(err, ApiError::TooManyRequests { .. }) {
                    metrics::of(Service::Customers)
                        .count("RegisterThrottled")
                        .emit();
                }
            })?;
    let now = time::now_rfc3339();
    let customer = CustomerRecord {
        id: ids::new_id(),
        email,
        full_name: clean(&body.full_name),
        username: body.username.as_deref().map(clean),
        address: body.address.as_deref().map(clean),
        phone: body.phone.as_deref().map(clean),
        role: Role::Customer,
        wallet_balance_cents: Cents::ZERO,
        password_hash: hash_password(body.password).await?,
        status: AccountStatus::Active,
        created_at: now.clone(),
        updated_at: now,
        token_generation: 0,
    };
    match state.store.create(&customer).await? {
        Created::Yes => {
            attempt.succeeded(&state.store).await?;
            let location = format!("/profile/{}", customer.id);
            let mut response = json(StatusCode::CREATED, &CustomerView::from(customer))?;
            response.headers_mut().insert(
                header::LOCATION,
                location.parse().expect("ids are header-safe"),
            );
            Ok(response)
        }
        Created::EmailTaken => {
            attempt.failed(&state.store).await?;
            Err(ApiError::Conflict(
                "an account with this email already exists".into(),
            ))
        }
    }
}

#[derive(Serialize)]
struct LoginResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    refresh_token: String,
    refresh_expires_in: u64,
    customer_id: String,
    role: Role,
}

/// The answer to a login or a refresh: an access token of the login `session` (its
/// family of refresh tokens) at the customer's current token generation, and the refresh
/// token that continues the login.
fn signed_in<S>(
    state: &State<S>,
    customer: CustomerRecord,
    session: &str,
    refresh_token: String,
) -> Result<Response<Body>, ApiError> {
    let access = state.keys.users()?.issue_session(
        &customer.id,
        customer.role,
        customer.token_generation,
        session,
    )?;
    ok(&LoginResponse {
        access_token: access.token,
        token_type: "Bearer",
        expires_in: access.expires_in,
        refresh_token,
        refresh_expires_in: sessions::REFRESH_TTL_SECONDS,
        customer_id: customer.id,
        role: customer.role,
    })
}

/// `POST /login`: one answer for unknown email and wrong password; 429 when throttled.
pub async fn login<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let body: LoginRequest = json_body(&req)?;
    // An address no account can have is answered as an unknown one, in the same time.
    let Ok(email) = Email::parse(&body.email) else {
        metrics::of(Service::Customers).count("LoginFailed").emit();
        verify_password(body.password, None).await;
        return Err(ApiError::Unauthorized("invalid email or password"));
    };
    let guess = guesses::take(
        &state.store,
        &email,
        client_address(&req),
        time::epoch_seconds(),
    )
    .await
    .inspect_err(|err| {
        if matches!(err, ApiError::TooManyRequests { .. }) {
            metrics::of(Service::Customers)
                .count("LoginThrottled")
                .emit();
        }
    })?;
    let customer = state.store.find_by_email(&email).await?;
    // Verified against a dummy hash when the account does not exist: same time, same answer.
    let verified = verify_password(
        body.password,
        customer.as_ref().map(|c| c.password_hash.clone()),
    )
    .await;
    let Some(customer) = customer.filter(|_| verified) else {
        metrics::of(Service::Customers).count("LoginFailed").emit();
        guess.failed(&state.store).await?;
        return Err(ApiError::Unauthorized("invalid email or password"));
    };
    guess.succeeded(&state.store).await?;
    let family = ids::new_id();
    let (refresh_token, record) = sessions::issue(
        &family,
        &customer.id,
        customer.token_generation,
        time::epoch_seconds(),
    )?;
    state.store.start_family(&record).await?;
    signed_in(state, customer, &family, refresh_token)
}

/// `POST /token/refresh`: spends a refresh token for new tokens. A spent token presented
/// again was copied: its whole login is revoked.
pub async fn token_refresh<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let body: RefreshRequest = json_body(&req)?;
    let refused = || ApiError::Unauthorized("invalid, expired or revoked refresh token");
    let now = time::epoch_seconds();
    let hash = sessions::hash(&body.refresh_token);
    let Some(old) = state.store.refresh_token(&hash).await? else {
        return Err(refused());
    };
    if old.expires_at <= now {
        return Err(refused());
    }
    if old.spent {
        state.store.revoke_family(&old.family).await?;
        return Err(refused());
    }
    // A password or role change since, or a closed account: the login is over.
    let customer = state
        .store
        .get(&old.customer_id)
        .await?
        .filter(|c| c.status == AccountStatus::Active && c.token_generation == old.generation);
    let Some(customer) = customer else {
        state.store.revoke_family(&old.family).await?;
        return Err(refused());
    };
    let (refresh_token, next) =
        sessions::issue(&old.family, &customer.id, customer.token_generation, now)?;
    match state.store.rotate(&old, &next).await? {
        Rotated::Done => signed_in(state, customer, &old.family, refresh_token),
        Rotated::AlreadySpent => {
            state.store.revoke_family(&old.family).await?;
            Err(refused())
        }
        Rotated::Revoked => Err(refused()),
    }
}

/// `POST /logout`: the login the refresh token belongs to ends (its refresh tokens stop
/// working). Someone else's or an unknown token changes nothing, and is answered alike.
pub async fn logout<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let principal = state.authenticate(&req)?;
    let body: RefreshRequest = json_body(&req)?;
    let hash = sessions::hash(&body.refresh_token);
    if let Some(token) = state.store.refresh_token(&hash).await? {
        if token.customer_id == principal.subject {
            state.store.revoke_family(&token.family).await?;
        }
    }
    no_content()
}

/// The caller's account, and whether their token is current: issued at the caller's
/// present token generation and role, to an open account, for a login that has not
/// ended (a password or role change, closing the account, a logout or a reused refresh
/// token ends every token issued before). One read.
async fn caller_of<S: Customers>(
    state: &State<S>,
    principal: &Principal,
) -> Result<(Option<CustomerRecord>, bool), ApiError> {
    let Some(login) = principal.session.as_deref() else {
        // A token naming no login is never current.
        return Ok((state.store.get(&principal.subject).await?, false));
    };
    let (caller, live) = state.store.session(&principal.subject, login).await?;
    let current = caller
        .as_ref()
        .is_some_and(|c| session::admits(principal, c.status, c.role, c.token_generation, live));
    Ok((caller, current))
}

/// The `{id}` of a profile route, after checking the caller may act on it.
/// Authorization comes first, so a customer learns nothing about other ids.
async fn authorized_customer<S: Customers>(
    state: &State<S>,
    req: &Request,
) -> Result<(Principal, CustomerRecord), ApiError> {
    let principal = state.authenticate(req)?;
    let raw_id = path_param(req, "id").unwrap_or_default();
    let id = ids::parse_id(raw_id, "customer").or_else(|e| {
        // An admin asking for a malformed id gets a 404; a customer gets the same 403
        // as for any id that is not theirs.
        principal.require_self_or_admin(raw_id)?;
        Err(e)
    })?;
    principal.require_self_or_admin(&id)?;
    let (caller, current) = caller_of(state, &principal).await?;
    let customer = if principal.subject == id {
        caller
    } else {
        state.store.get(&id).await?
    };
    match customer {
        Some(customer) if customer.status == AccountStatus::Active => {
            if !current {
                return Err(session::revoked());
            }
            Ok((principal, customer))
        }
        _ => Err(ApiError::NotFound("customer")),
    }
}

/// `GET /profile/{id}`
pub async fn get_profile<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer) = authorized_customer(state, &req).await?;
    ok(&CustomerView::from(customer))
}

/// `PATCH /profile/{id}`
pub async fn update_profile<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (principal, customer) = authorized_customer(state, &req).await?;
    let patch: ProfilePatch = json_body(&req)?;
    if patch.role.is_some() && !principal.is_admin() {
        return Err(ApiError::Forbidden("only an admin can change a role"));
    }
    if patch.is_empty() {
        return Err(ApiError::validation(
            "body",
            "must contain at least one field to change",
        ));
    }
    // An optional field sent empty is cleared (validation refuses blank ones).
    let optional = |value: &Option<String>| {
        value
            .as_deref()
            .map(clean)
            .map(|v| (!v.is_empty()).then_some(v))
    };
    let mut changes = Changes {
        full_name: patch.full_name.as_deref().map(clean),
        username: optional(&patch.username),
        address: optional(&patch.address),
        phone: optional(&patch.phone),
        role: patch.role,
        password_hash: None,
    };
    match (patch.password, patch.current_password) {
        (Some(password), Some(current)) => {
            // Judged against the account's email and names, old and new ones.
            let names = [
                Some(customer.full_name.as_str()),
                customer.username.as_deref(),
                patch.full_name.as_deref(),
                patch.username.as_deref(),
            ];
            let names: Vec<&str> = names.into_iter().flatten().collect();
            passwords::check_for(&password, customer.email.as_str(), &names)?;
            // A wrong current password is a failed guess, as at login.
            let address = client_address(&req);
            let now = time::epoch_seconds();
            let guess = guesses::take(&state.store, &customer.email, address, now).await?;
            if !verify_password(current, Some(customer.password_hash.clone())).await {
                guess.failed(&state.store).await?;
                return Err(ApiError::Forbidden("current_password is incorrect"));
            }
            guess.succeeded(&state.store).await?;
            changes.password_hash = Some(hash_password(password).await?);
        }
        (Some(_), None) => {
            return Err(ApiError::validation(
                "current_password",
                "is required to change the password",
            ));
        }
        (None, Some(_)) => {
            return Err(ApiError::validation(
                "current_password",
                "is only accepted with password",
            ));
        }
        (None, None) => {}
    }
    match state
        .store
        .update(&customer.id, changes, &time::now_rfc3339())
        .await?
    {
        Some(updated) => ok(&CustomerView::from(updated)),
        None => Err(ApiError::NotFound("customer")),
    }
}

/// `DELETE /profile/{id}`: the account is closed; its email can register again.
pub async fn delete_profile<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer) = authorized_customer(state, &req).await?;
    if state.store.delete(&customer, &time::now_rfc3339()).await? {
        no_content()
    } else {
        Err(ApiError::NotFound("customer"))
    }
}

#[derive(Serialize)]
struct Balance {
    wallet_balance_cents: Cents,
}

/// `POST /profile/{id}/wallet/deposit`, honoring `Idempotency-Key`.
pub async fn deposit<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    let (_, customer) = authorized_customer(state, &req).await?;
    let body: DepositRequest = json_body(&req)?;
    let key = idempotency_key::parse(&req)?;
    let now = time::now_rfc3339();
    let outcome = match key {
        Some(key) => {
            state
                .store
                .deposit_once(&customer.id, &key, Cents::new(body.amount_cents), &now)
                .await?
        }
        None => {
            state
                .store
                .deposit(&customer.id, Cents::new(body.amount_cents), &now)
                .await?
        }
    };
    match outcome {
        Deposited::Balance(wallet_balance_cents) => ok(&Balance {
            wallet_balance_cents,
        }),
        Deposited::NotFound => Err(ApiError::NotFound("customer")),
        Deposited::OverLimit => Err(ApiError::validation(
            "amount_cents",
            "would exceed the wallet balance limit",
        )),
        Deposited::KeyReusedWithOtherRequest => Err(idempotency_key::mismatch()),
    }
}

/// `POST /internal/customers/{id}/wallet/charges` (service): take a sale's total, once.
pub async fn charge_wallet<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let customer_id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "customer")?;
    let body: ChargeWallet = json_body(&req)?;
    let sale_id = ids::body_id(&body.sale_id, "sale", "sale_id")?;
    match state
        .store
        .charge(
            &customer_id,
            &sale_id,
            Cents::new(body.amount_cents),
            &time::now_rfc3339(),
        )
        .await?
    {
        Charged::Yes(charge) => ok(&charge),
        Charged::CustomerNotFound => Err(ApiError::NotFound("customer")),
        Charged::InsufficientFunds => Err(ApiError::PaymentRequired(
            "insufficient wallet balance".into(),
        )),
        Charged::SaleIdConflict(why) => Err(ApiError::Conflict(why.into())),
    }
}

/// `POST /internal/customers/{id}/wallet/credits` (service): give part of a sale's charge
/// back for a refund, once per credit id.
pub async fn credit_wallet<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let customer_id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "customer")?;
    let body: CreditWallet = json_body(&req)?;
    let id = |raw: &str, field: &str| {
        ids::parse_id(raw, "id").map_err(|_| ApiError::validation(field, "must be an id"))
    };
    let credit = Credit {
        credit_id: id(&body.credit_id, "credit_id")?,
        sale_id: id(&body.sale_id, "sale_id")?,
        customer_id,
        amount_cents: Cents::new(body.amount_cents),
        created_at: time::now_rfc3339(),
    };
    match state.store.credit(credit).await? {
        Credited::Yes(credit) => ok(&credit),
        Credited::NotCharged => Err(ApiError::NotFound("charge")),
        Credited::BeyondCharge => Err(ApiError::Conflict(
            "more than is left of the sale's charge".into(),
        )),
        Credited::CreditIdConflict => Err(ApiError::Conflict(
            "this credit id was used for another credit".into(),
        )),
    }
}

/// `POST /internal/customers/{id}/wallet/charges/{sale_id}/refund` (service): give a
/// sale's charge back, once; safe to call before, after or instead of the charge.
pub async fn refund_charge<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let customer_id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "customer")?;
    let sale_id = ids::parse_id(path_param(&req, "sale_id").unwrap_or_default(), "sale")?;
    ok(&state
        .store
        .refund(&customer_id, &sale_id, &time::now_rfc3339())
        .await?)
}

/// `GET /internal/customers/{id}[?session=]` (service): whether a customer exists, and is
/// active; what their tokens must carry to be current; and whether the login `session`
/// is live (one read either way).
pub async fn customer_status<S: Customers>(
    state: &State<S>,
    req: Request,
) -> Result<Response<Body>, ApiError> {
    state.require_service(&req)?;
    let id = ids::parse_id(path_param(&req, "id").unwrap_or_default(), "customer")?;
    let session = query_param(&req, "session")
        .map(|raw| ids::filter_id(raw, "session"))
        .transpose()?;
    let (customer, session_live) = match session {
        Some(session) => state.store.session(&id, &session).await?,
        None => (state.store.get(&id).await?, false),
    };
    match customer {
        Some(customer) => ok(&CustomerStatus {
            id: customer.id,
            status: customer.status,
            role: customer.role,
            token_generation: customer.token_generation,
            session_live,
        }),
        None => Err(ApiError::NotFound("customer")),
    }
}
