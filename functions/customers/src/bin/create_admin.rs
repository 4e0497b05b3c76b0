//! Operator command, not a Lambda: creates the first admin (or promotes an existing
//! account) by writing to the Customers table directly. Admins are never created
//! through the public API.
//!
//! Environment: `CUSTOMERS_TABLE`, `ADMIN_EMAIL`, `ADMIN_PASSWORD` (8..128 characters),
//! optional `ADMIN_FULL_NAME`; AWS credentials as usual, `DYNAMODB_ENDPOINT` for local.

use customers::domain::{AccountStatus, CustomerRecord};
use customers::store::{Changes, Created, Customers, Store};
use shared::auth::Role;
use shared::domain::Email;
use shared::{config, ids, password, time};
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("create_admin: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let table = config::required("CUSTOMERS_TABLE").map_err(|e| e.to_string())?;
    let email = config::required("ADMIN_EMAIL").map_err(|e| e.to_string())?;
    let email = Email::parse(&email).map_err(|e| format!("ADMIN_EMAIL {e}"))?;
    let password = config::required("ADMIN_PASSWORD").map_err(|e| e.to_string())?;
    if !(8..=128).contains(&password.chars().count()) {
        return Err("ADMIN_PASSWORD must be 8 to 128 characters".into());
    }
    let full_name = std::env::var("ADMIN_FULL_NAME").unwrap_or_else(|_| "Administrator".into());
    let store = Store::new(shared::db::client().await, table);
    let now = time::now_rfc3339();

    if let Some(existing) = store
        .find_by_email(&email)
        .await
        .map_err(|e| e.to_string())?
    {
        if existing.role == Role::Admin {
            return Ok(format!("admin {email} already exists (id {})", existing.id));
        }
        let promote = Changes {
            role: Some(Role::Admin),
            ..Changes::default()
        };
        store
            .update(&existing.id, promote, &now)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(format!("promoted {email} to admin (id {})", existing.id));
    }
    let admin = CustomerRecord {
        id: ids::new_id(),
        email: email.clone(),
        full_name,
        username: None,
        address: None,
        phone: None,
        role: Role::Admin,
        wallet_balance_cents: 0,
        password_hash: password::hash_password(password)
            .await
            .map_err(|e| e.to_string())?,
        status: AccountStatus::Active,
        created_at: now.clone(),
        updated_at: now,
    };
    match store.create(&admin).await.map_err(|e| e.to_string())? {
        Created::Yes => Ok(format!("created admin {email} (id {})", admin.id)),
        Created::EmailTaken => Err(format!(
            "{email} was registered concurrently; run again to promote it"
        )),
    }
}
