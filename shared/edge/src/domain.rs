//! Values that can only hold what the platform accepts: parsed once, where a request
//! enters, and trusted from then on (handlers, stores and records take these types, and
//! a stored record that breaks a rule fails to load instead of spreading).
//!
//! The request types still validate their raw fields with `validator`, so that one
//! answer lists every invalid field; parsing into these types after that cannot fail
//! for a request that passed, and says which field it was when it does.

use crate::limits::{MAX_COMMENT_CHARS, MAX_QUANTITY, MAX_RATING, MIN_QUANTITY, MIN_RATING};
use crate::ApiError;
use crate::FieldError;
use icu_normalizer::ComposingNormalizerBorrowed;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use validator::ValidateEmail;

/// Why a value was refused, in the words a client sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Cow<'static, str>);

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Invalid {
    pub fn new(why: impl Into<Cow<'static, str>>) -> Self {
        Self(why.into())
    }

    /// The 422 for `field`.
    pub fn of(self, field: &str) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, self.0)])
    }
}

/// An email address as accounts are keyed by: one mailbox, one key. Trimmed, the local
/// part in Unicode NFKC and lower case, the domain in IDNA ASCII (punycode), so that
/// `a@ＥＸＡＭＰＬＥ.com`, `A@Example.COM`, `b@bücher.de` (composed or not) and
/// `b@xn--bcher-kva.de` are each one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let invalid = Invalid::new("must be a valid email address");
        let (local, domain) = raw.trim().rsplit_once('@').ok_or(invalid.clone())?;
        let local = ComposingNormalizerBorrowed::new_nfkc()
            .normalize(local)
            .to_lowercase();
        // UTS 46: maps full-width forms and case, composes, then punycode.
        let domain = idna::domain_to_ascii(domain).map_err(|_| invalid.clone())?;
        let email = format!("{local}@{domain}");
        if email.chars().count() > 254 || !email.validate_email() {
            return Err(invalid);
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A review's rating, [`MIN_RATING`]..=[`MAX_RATING`] stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Rating(i64);

impl Rating {
    pub fn parse(stars: i64) -> Result<Self, Invalid> {
        if (MIN_RATING..=MAX_RATING).contains(&stars) {
            Ok(Self(stars))
        } else {
            Err(Invalid::new(format!(
                "must be between {MIN_RATING} and {MAX_RATING}"
            )))
        }
    }

    pub fn stars(self) -> i64 {
        self.0
    }
}

/// Units of one product in one purchase, 1..=[`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Quantity(i64);

impl Quantity {
    pub fn parse(units: i64) -> Result<Self, Invalid> {
        if (MIN_QUANTITY..=MAX_QUANTITY).contains(&units) {
            Ok(Self(units))
        } else {
            Err(Invalid::new(format!(
                "must be between {MIN_QUANTITY} and {MAX_QUANTITY}"
            )))
        }
    }

    pub fn units(self) -> i64 {
        self.0
    }
}

/// A review's comment: trimmed, 1..=[`MAX_COMMENT_CHARS`] characters, stored as given
/// (it is text, never markup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Comment(String);

impl Comment {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > MAX_COMMENT_CHARS {
            return Err(Invalid::new(format!(
                "must be 1 to {MAX_COMMENT_CHARS} characters after trimming"
            )));
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! conversions {
    ($($name:ident($raw:ty) by $parse:expr;)*) => {$(
        impl TryFrom<$raw> for $name {
            type Error = Invalid;
            fn try_from(raw: $raw) -> Result<Self, Invalid> {
                $parse(raw)
            }
        }

        impl From<$name> for $raw {
            fn from(value: $name) -> $raw {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

conversions! {
    Email(String) by |raw: String| Email::parse(&raw);
    Rating(i64) by Rating::parse;
    Quantity(i64) by Quantity::parse;
    Comment(String) by |raw: String| Comment::parse(&raw);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn emails_are_one_account_in_any_case() {
        let email = Email::parse("  Dana.K@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "dana.k@example.com");
        assert_eq!(email, Email::parse("DANA.k@example.com").unwrap());
        // The demo admin's address, created by an operator command.
        assert!(Email::parse("admin@shop.local").is_ok());
        for bad in ["", "no-at-sign", "a@", "@b.c", "a b@c.d"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn one_mailbox_is_one_key_whatever_its_spelling() {
        let key = |raw: &str| Email::parse(raw).unwrap().as_str().to_string();
        assert_eq!(key("a@ＥＸＡＭＰＬＥ.com"), "a@example.com");
        assert_eq!(key("ａnn@example.com"), "ann@example.com");
        assert_eq!(key("A@Example.COM"), "a@example.com");
        let bucher = key("b@bücher.de");
        assert_eq!(bucher, "b@xn--bcher-kva.de");
        assert_eq!(key("b@xn--bcher-kva.de"), bucher);
        assert_eq!(key("b@bu\u{0308}cher.de"), bucher, "decomposed ü");
        assert_eq!(key("B@BÜCHER.DE"), bucher);
    }

    #[test]
    fn comments_are_trimmed_and_bounded_after_trimming() {
        assert_eq!(Comment::parse("  great  ").unwrap().as_str(), "great");
        assert!(Comment::parse(" \n\t ").is_err());
        assert!(Comment::parse(&format!("  {}  ", "é".repeat(MAX_COMMENT_CHARS))).is_ok());
        assert!(Comment::parse(&"é".repeat(MAX_COMMENT_CHARS + 1)).is_err());
        let markup = "<script>alert(1)</script>";
        assert_eq!(Comment::parse(markup).unwrap().as_str(), markup);
    }

    #[test]
    fn stored_values_that_break_a_rule_do_not_load() {
        assert!(serde_json::from_str::<Rating>("6").is_err());
        assert!(serde_json::from_str::<Quantity>("0").is_err());
        assert!(serde_json::from_str::<Comment>("\"  \"").is_err());
        assert!(serde_json::from_str::<Email>("\"x\"").is_err());
        assert_eq!(
            serde_json::to_string(&Rating::parse(4).unwrap()).unwrap(),
            "4"
        );
        let email: Email = serde_json::from_str("\"A@B.io\"").unwrap();
        assert_eq!(serde_json::to_string(&email).unwrap(), "\"a@b.io\"");
    }

    proptest! {
        #[test]
        fn ratings_and_quantities_hold_only_their_range(n in any::<i64>()) {
            prop_assert_eq!(Rating::parse(n).is_ok(), (MIN_RATING..=MAX_RATING).contains(&n));
            prop_assert_eq!(Quantity::parse(n).is_ok(), (1..=MAX_QUANTITY).contains(&n));
            if let Ok(q) = Quantity::parse(n) {
                prop_assert_eq!(q.units(), n);
            }
        }
    }
}
