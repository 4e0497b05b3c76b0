//! Money in integer minor units (cents). Every operation is checked: an amount that would
//! overflow or cross a limit is refused, never wrapped or clamped.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in cents. In JSON and in the tables it is the bare integer.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: i64) -> Self {
        Self(cents)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    /// The price of `quantity` units at this unit price, if it fits.
    pub fn times(self, quantity: i64) -> Option<Cents> {
        if self.0 < 0 || quantity < 0 {
            return None;
        }
        self.0.checked_mul(quantity).map(Cents)
    }

    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// The sum of `amounts`, if it fits.
    pub fn sum(amounts: impl IntoIterator<Item = Cents>) -> Option<Cents> {
        amounts
            .into_iter()
            .try_fold(Cents::ZERO, |sum, amount| sum.checked_add(amount))
    }

    /// This balance after depositing `amount` (> 0), unless it would exceed `ceiling`.
    pub fn deposit(self, amount: Cents, ceiling: Cents) -> Option<Cents> {
        if amount.0 <= 0 {
            return None;
        }
        self.checked_add(amount).filter(|new| *new <= ceiling)
    }

    /// This balance after paying `amount` (≥ 0: a free product costs nothing), unless it
    /// does not cover it.
    pub fn pay(self, amount: Cents) -> Option<Cents> {
        if amount.0 < 0 || amount > self {
            return None;
        }
        Some(Cents(self.0 - amount.0))
    }
}

impl fmt::Display for Cents {
    /// The bare integer: what a table's number attribute and a fingerprint hold.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn total(price: i64, quantity: i64) -> Option<i64> {
        Cents(price).times(quantity).map(Cents::get)
    }

    fn deposit(balance: i64, amount: i64, ceiling: i64) -> Option<i64> {
        Cents(balance)
            .deposit(Cents(amount), Cents(ceiling))
            .map(Cents::get)
    }

    fn pay(balance: i64, amount: i64) -> Option<i64> {
        Cents(balance).pay(Cents(amount)).map(Cents::get)
    }

    const CEILING: i64 = 100_000_000_000;

    proptest! {
        #[test]
        fn a_total_is_exact_or_refused(price in any::<i64>(), quantity in any::<i64>()) {
            match total(price, quantity) {
                Some(t) => {
                    prop_assert!(price >= 0 && quantity >= 0);
                    prop_assert_eq!(t as i128, price as i128 * quantity as i128);
                }
                None => prop_assert!(
                    price < 0 || quantity < 0 || (price as i128 * quantity as i128) > i64::MAX as i128
                ),
            }
        }

        #[test]
        fn every_valid_sale_has_a_total(price in 0..=100_000_000i64, quantity in 1..=100i64) {
            prop_assert!(total(price, quantity).is_some());
        }

        #[test]
        fn deposits_never_cross_the_ceiling(balance in 0..=CEILING, amount in any::<i64>()) {
            match deposit(balance, amount, CEILING) {
                Some(new) => {
                    prop_assert!(amount > 0);
                    prop_assert_eq!(new - balance, amount);
                    prop_assert!(new <= CEILING);
                }
                None => prop_assert!(amount <= 0 || balance as i128 + amount as i128 > CEILING as i128),
            }
        }

        #[test]
        fn payments_never_go_negative_and_conserve_money(balance in 0..=CEILING, amount in any::<i64>()) {
            match pay(balance, amount) {
                Some(new) => {
                    prop_assert!(new >= 0);
                    prop_assert_eq!(new + amount, balance);
                }
                None => prop_assert!(amount < 0 || amount > balance),
            }
        }

        #[test]
        fn nothing_is_paid_for_free(balance in 0..=CEILING) {
            prop_assert_eq!(pay(balance, 0), Some(balance));
        }

        #[test]
        fn a_deposit_then_a_payment_of_it_restores_the_balance(balance in 0..=CEILING / 2, amount in 1..=CEILING / 2) {
            let after = deposit(balance, amount, CEILING).unwrap();
            prop_assert_eq!(pay(after, amount), Some(balance));
        }
    }

    #[test]
    fn a_sum_is_exact_or_refused() {
        assert_eq!(Cents::sum([Cents(1), Cents(2), Cents(3)]), Some(Cents(6)));
        assert_eq!(Cents::sum([Cents(i64::MAX), Cents(1)]), None);
        assert_eq!(Cents::sum([]), Some(Cents::ZERO));
    }

    #[test]
    fn cents_are_the_bare_integer_in_json() {
        assert_eq!(serde_json::to_string(&Cents(1250)).unwrap(), "1250");
        assert_eq!(serde_json::from_str::<Cents>("1250").unwrap(), Cents(1250));
        assert_eq!(Cents(1250).to_string(), "1250");
    }
}
