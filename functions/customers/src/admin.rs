//! The first admin, made by an operator command (`create_admin`), never through the API.
//! An account already registered under the admin's email is never promoted silently: it
//! is refused unless the operator asks for that promotion, and the answer says which
//! happened (the account keeps its own password then, not the one given).

use crate::domain::{AccountStatus, CustomerRecord};
use crate::password_hash;
use crate::store::{Changes, Created, Customers};
use edge::auth::Role;
use edge::domain::Email;
use edge::ids;
use edge::money::Cents;
use edge::ApiError;

pub struct NewAdmin {
    pub email: Email,
    pub password: String,
    pub full_name: String,
    /// Make an account already registered under `email` admin.
    pub promote_existing: bool,
}

/// Creates the admin, or says why not; the message tells the operator what happened.
pub async fn create_admin(
    store: &impl Customers,
    admin: NewAdmin,
    now: &str,
) -> Result<String, String> {
    let email = admin.email;
    if let Some(existing) = store.find_by_email(&email).await.map_err(message)? {
        if existing.role == Role::Admin {
            return Ok(format!("admin {email} already exists (id {})", existing.id));
        }
        if !admin.promote_existing {
            return Err(format!(
                "{email} is already registered (id {}); it was not made admin. To promote that \
                 account (it keeps its own password), run again with --promote-existing; or \
                 choose another ADMIN_EMAIL",
                existing.id
            ));
        }
        let promote = Changes {
            role: Some(Role::Admin),
            ..Changes::default()
        };
        store
            .update(&existing.id, promote, now)
            .await
            .map_err(message)?;
        return Ok(format!(
            "promoted the existing account {email} (id {}) to admin, as asked; its password is \
             its own, not ADMIN_PASSWORD",
            existing.id
        ));
    }
    let record = CustomerRecord {
        id: ids::new_id(),
        email: email.clone(),
        full_name: admin.full_name,
        username: None,
        address: None,
        phone: None,
        role: Role::Admin,
        wallet_balance_cents: Cents::ZERO,
        password_hash: password_hash::hash_password(admin.password)
            .await
            .map_err(message)?,
        status: AccountStatus::Active,
        created_at: now.into(),
        updated_at: now.into(),
        token_generation: 0,
    };
    match store.create(&record).await.map_err(message)? {
        Created::Yes => Ok(format!("created admin {email} (id {})", record.id)),
        Created::EmailTaken => Err(format!(
            "{email} was registered meanwhile; it was not made admin (see --promote-existing)"
        )),
    }
}

/// An error as the operator reads it.
fn message(err: impl Into<ApiError>) -> String {
    err.into().to_string()
}
