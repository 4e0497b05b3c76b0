//! Customer records and the bodies of the Customers routes, with their validation.

use crate::passwords;
use edge::auth::Role;
use edge::domain::Email;
use edge::money::Cents;
use edge::text::single_line;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use validator::{Validate, ValidationError};

use edge::limits::{
    MAX_ADDRESS_CHARS, MAX_EMAIL_CHARS, MAX_FULL_NAME_CHARS, MAX_PASSWORD_CHARS, MAX_PHONE_DIGITS,
    MAX_REFRESH_TOKEN_CHARS, MAX_USERNAME_CHARS, MIN_PASSWORD_CHARS, MIN_PHONE_DIGITS,
    MIN_USERNAME_CHARS,
};
pub use edge::limits::{MAX_BALANCE_CENTS, MAX_DEPOSIT_CENTS};

pub use edge::contracts::customers::{
    AccountStatus, Charge, ChargeStatus, ChargeWallet, Credit, CreditWallet,
};

/// A customer as stored. Never serialized to a client: see [`CustomerView`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CustomerRecord {
    pub id: String,
    pub email: Email,
    pub full_name: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub role: Role,
    pub wallet_balance_cents: Cents,
    pub password_hash: String,
    pub status: AccountStatus,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every password or role change: tokens issued before are not current.
    #[serde(default)]
    pub token_generation: u64,
}

/// A customer as the API shows it: no password hash, no internal status.
#[derive(Debug, Serialize)]
pub struct CustomerView {
    pub id: String,
    pub email: Email,
    pub full_name: String,
    pub username: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub role: Role,
    pub wallet_balance_cents: Cents,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CustomerRecord> for CustomerView {
    fn from(c: CustomerRecord) -> Self {
        Self {
            id: c.id,
            email: c.email,
            full_name: c.full_name,
            username: c.username,
            address: c.address,
            phone: c.phone,
            role: c.role,
            wallet_balance_cents: c.wallet_balance_cents,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// An address is judged as the mailbox it names ([`Email`]: NFKC, lower case, IDNA).
fn email_address(value: &str) -> Result<(), ValidationError> {
    Email::parse(value)
        .map(|_| ())
        .map_err(|invalid| message("email", invalid.0))
}

fn message(code: &'static str, text: impl Into<Cow<'static, str>>) -> ValidationError {
    let mut err = ValidationError::new(code);
    err.message = Some(text.into());
    err
}

/// The password rules that need nothing but the password ([`passwords::refusal`]).
fn password_rules(value: &str) -> Result<(), ValidationError> {
    match passwords::refusal(value) {
        Some(why) => Err(message("password", why)),
        None => Ok(()),
    }
}

fn username_chars(value: &str) -> Result<(), ValidationError> {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        Ok(())
    } else {
        Err(message(
            "username",
            "may contain only letters, digits, '_', '.' and '-'",
        ))
    }
}

fn phone_chars(value: &str) -> Result<(), ValidationError> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (i == 0 && c == '+')
    });
    if allowed && (MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) {
        Ok(())
    } else {
        Err(message(
            "phone",
            format!("must be a phone number of {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits"),
        ))
    }
}

fn clearable_username(value: &str) -> Result<(), ValidationError> {
    match value.chars().count() {
        0 => Ok(()),
        n if (MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&(n as u64)) => {
            username_chars(value)
        }
        _ => Err(message(
            "length",
            format!("must be {MIN_USERNAME_CHARS} to {MAX_USERNAME_CHARS} characters"),
        )),
    }
}

fn clearable_single_line(value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        Ok(())
    } else {
        single_line(value)
    }
}

fn clearable_phone(value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        Ok(())
    } else {
        phone_chars(value)
    }
}

fn assignable_role(role: &Role) -> Result<(), ValidationError> {
    match role {
        Role::Customer | Role::Admin => Ok(()),
        Role::Service => Err(message("role", "must be customer or admin")),
    }
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(length(max = MAX_EMAIL_CHARS), custom(function = email_address))]
    pub email: String,
    #[validate(
        length(min = MIN_PASSWORD_CHARS, max = MAX_PASSWORD_CHARS),
        custom(function = password_rules)
    )]
    pub password: String,
    #[validate(length(min = 1, max = MAX_FULL_NAME_CHARS), custom(function = single_line))]
    pub full_name: String,
    #[validate(length(min = MIN_USERNAME_CHARS, max = MAX_USERNAME_CHARS), custom(function = username_chars))]
    pub username: Option<String>,
    #[validate(length(min = 1, max = MAX_ADDRESS_CHARS), custom(function = single_line))]
    pub address: Option<String>,
    #[validate(custom(function = phone_chars))]
    pub phone: Option<String>,
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = MAX_EMAIL_CHARS))]
    pub email: String,
    #[validate(length(min = 1, max = MAX_PASSWORD_CHARS))]
    pub password: String,
}

/// `POST /token/refresh` and `POST /logout`.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = MAX_REFRESH_TOKEN_CHARS))]
    pub refresh_token: String,
}

/// `PATCH /profile/{id}`: only the fields present change; `""` clears an optional one.
#[derive(Debug, Default, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    #[validate(length(min = 1, max = MAX_FULL_NAME_CHARS), custom(function = single_line))]
    pub full_name: Option<String>,
    /// `""` clears the username, as for `address` and `phone`.
    #[validate(custom(function = clearable_username))]
    pub username: Option<String>,
    #[validate(length(max = MAX_ADDRESS_CHARS), custom(function = clearable_single_line))]
    pub address: Option<String>,
    #[validate(custom(function = clearable_phone))]
    pub phone: Option<String>,
    #[validate(
        length(min = MIN_PASSWORD_CHARS, max = MAX_PASSWORD_CHARS),
        custom(function = password_rules)
    )]
    pub password: Option<String>,
    #[validate(length(min = 1, max = MAX_PASSWORD_CHARS))]
    pub current_password: Option<String>,
    #[validate(custom(function = assignable_role))]
    pub role: Option<Role>,
}

impl ProfilePatch {
    pub fn is_empty(&self) -> bool {
        self.full_name.is_none()
            && self.username.is_none()
            && self.address.is_none()
            && self.phone.is_none()
            && self.password.is_none()
            && self.role.is_none()
    }
}

#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct DepositRequest {
    #[validate(range(min = 1, max = MAX_DEPOSIT_CENTS))]
    #[serde(deserialize_with = "edge::json::integer")]
    pub amount_cents: i64,
}

/// Text fields are stored trimmed.
pub fn clean(value: &str) -> String {
    value.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn register(json: &str) -> Result<RegisterRequest, Vec<String>> {
        let req: RegisterRequest = serde_json::from_str(json).map_err(|e| vec![e.to_string()])?;
        req.validate().map_err(|e| {
            edge::http::field_errors(&e)
                .into_iter()
                .map(|f| f.field)
                .collect::<Vec<_>>()
        })?;
        Ok(req)
    }

    #[test]
    fn valid_registration() {
        let req = register(
            r#"{"email":"Zoe@Example.com","password":"longenough","full_name":"Zoë Ångström","phone":"+1 (555) 010-2030","username":"zoe_a"}"#,
        );
        assert!(req.is_ok(), "{req:?}");
    }

    #[test]
    fn every_invalid_field_is_reported() {
        let errors = register(
            r#"{"email":"not-an-email","password":"short","full_name":"","phone":"call me","username":"a b"}"#,
        )
        .unwrap_err();
        assert_eq!(
            errors,
            ["email", "full_name", "password", "phone", "username"]
        );
    }

    #[test]
    fn password_bounds_are_8_to_128_characters() {
        let with = |pw: &str| {
            register(&format!(
                r#"{{"email":"a@b.co","password":"{pw}","full_name":"A"}}"#
            ))
            .is_ok()
        };
        // Cycles of a phrase: long, varied, and no piece repeated a whole number of times.
        let phrase = |length: usize| {
            "Zoë à Ørsted, née Ångström; "
                .chars()
                .cycle()
                .take(length)
                .collect::<String>()
        };
        assert!(!with(&phrase(7)));
        assert!(with(&phrase(8)));
        assert!(with(&phrase(128)));
        assert!(!with(&phrase(129)));
    }

    /// Issue 30: `password`, `12345678`, eight spaces and eight NULs were accepted.
    #[test]
    fn common_blank_and_invisible_passwords_are_refused_naming_why() {
        let refusal = |password: &str| {
            let body =
                serde_json::json!({"email": "a@b.co", "password": password, "full_name": "A"});
            let req: RegisterRequest = serde_json::from_value(body).unwrap();
            let errors = edge::http::field_errors(&req.validate().unwrap_err());
            assert_eq!(errors.len(), 1, "{password:?}");
            assert_eq!(errors[0].field, "password");
            errors[0].message.clone()
        };
        assert_eq!(refusal("password"), passwords::COMMON_PASSWORD);
        assert_eq!(refusal("12345678"), passwords::COMMON_PASSWORD);
        assert_eq!(refusal("        "), passwords::BLANK);
        assert_eq!(refusal(&"\0".repeat(8)), passwords::CONTROL);
        assert_eq!(refusal("abcdefghij"), passwords::PATTERN);
        let patch: ProfilePatch = serde_json::from_str(r#"{"password":"password1"}"#).unwrap();
        assert!(patch.validate().is_err());
    }

    #[test]
    fn clients_cannot_send_server_owned_fields() {
        for field in [
            "role",
            "wallet_balance_cents",
            "id",
            "status",
            "password_hash",
        ] {
            let json = format!(
                r#"{{"email":"a@b.co","password":"longenough","full_name":"A","{field}":"x"}}"#
            );
            assert!(register(&json).is_err(), "{field} accepted");
        }
        let patch: Result<ProfilePatch, _> = serde_json::from_str(r#"{"wallet_balance_cents":5}"#);
        assert!(patch.is_err());
        let patch: ProfilePatch = serde_json::from_str(r#"{"role":"service"}"#).unwrap();
        assert!(patch.validate().is_err());
    }

    #[test]
    fn deposits_must_be_positive_and_bounded() {
        for (amount, ok) in [
            (0, false),
            (-5, false),
            (1, true),
            (MAX_DEPOSIT_CENTS, true),
            (MAX_DEPOSIT_CENTS + 1, false),
        ] {
            let req = DepositRequest {
                amount_cents: amount,
            };
            assert_eq!(req.validate().is_ok(), ok, "{amount}");
        }
    }
}
