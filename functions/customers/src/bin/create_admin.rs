//! Operator command, not a Lambda: creates the first admin by writing to the Customers
//! table directly (see `customers::admin`). Admins are never created through the public
//! API. An account already registered under the email is refused, unless the command is
//! given `--promote-existing`.
//!
//! Environment: `CUSTOMERS_TABLE`, `ADMIN_EMAIL`, `ADMIN_PASSWORD` (8..128 characters, the
//! rules of every password: `customers::passwords`),
//! optional `ADMIN_FULL_NAME`; AWS credentials as usual, `DYNAMODB_ENDPOINT` for local.

use customers::admin::{create_admin, NewAdmin};
use customers::passwords;
use customers::store::Store;
use edge::domain::Email;
use edge::limits::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};
use infra::config;
use infra::time;
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
    let mut promote_existing = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--promote-existing" => promote_existing = true,
            other => {
                return Err(format!(
                    "unknown argument {other} (usage: create_admin [--promote-existing])"
                ))
            }
        }
    }
    let table = config::required("CUSTOMERS_TABLE").map_err(|e| e.to_string())?;
    let email = config::required("ADMIN_EMAIL").map_err(|e| e.to_string())?;
    let email = Email::parse(&email).map_err(|e| format!("ADMIN_EMAIL {e}"))?;
    let password = config::required("ADMIN_PASSWORD").map_err(|e| e.to_string())?;
    let length = password.chars().count() as u64;
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
        return Err(format!(
            "ADMIN_PASSWORD must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        ));
    }
    let full_name = std::env::var("ADMIN_FULL_NAME").unwrap_or_else(|_| "Administrator".into());
    // The rules of every password (customers::passwords): not common, not a pattern, not
    // made of the admin's email or name.
    if let Some(why) = passwords::refusal_for(&password, email.as_str(), &[&full_name]) {
        return Err(format!("ADMIN_PASSWORD {why}"));
    }
    // An operator's shell: credentials may come from a profile.
    infra::aws::load_default_chain().await;
    let client = storage::db::client().map_err(|e| e.to_string())?;
    let store = Store::new(client, table);
    let admin = NewAdmin {
        email,
        password,
        full_name,
        promote_existing,
    };
    create_admin(&store, admin, &time::now_rfc3339()).await
}
