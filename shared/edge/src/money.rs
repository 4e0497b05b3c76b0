//! Money arithmetic on integer minor units. Every operation is checked: an amount that
//! would overflow or cross a limit is refused, never wrapped or clamped.

/// The price of `quantity` units at `unit_price_cents`, if it fits.
pub fn total(unit_price_cents: i64, quantity: i64) -> Option<i64> {
    if unit_price_cents < 0 || quantity < 0 {
        return None;
    }
    unit_price_cents.checked_mul(quantity)
}

/// The balance after depositing `amount` (> 0), unless it would exceed `ceiling`.
pub fn deposit(balance: i64, amount: i64, ceiling: i64) -> Option<i64> {
    if amount <= 0 {
        return None;
    }
    balance.checked_add(amount).filter(|new| *new <= ceiling)
}

/// The balance after paying `amount` (≥ 0: a free product costs nothing), unless the
/// balance does not cover it.
pub fn pay(balance: i64, amount: i64) -> Option<i64> {
    if amount < 0 || amount > balance {
        return None;
    }
    Some(balance - amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
}
