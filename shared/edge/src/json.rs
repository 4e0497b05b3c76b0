//! Field deserializers for request bodies.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// Largest magnitude at which every whole `f64` is exact.
const EXACT_F64: f64 = 9_007_199_254_740_992.0;

fn whole(number: serde_json::Number) -> Option<i64> {
    number.as_i64().or_else(|| {
        number
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() <= EXACT_F64)
            .map(|f| f as i64)
    })
}

/// An integer as JSON Schema counts them: `41`, `41.0` and `4.1e1` alike, never `41.5`.
pub fn integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    whole(number).ok_or_else(|| D::Error::custom("expected an integer"))
}

/// [`integer`] for an optional field (use with `#[serde(default)]`).
pub fn optional_integer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => whole(number)
            .map(Some)
            .ok_or_else(|| D::Error::custom("expected an integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "integer")]
        n: i64,
        #[serde(default, deserialize_with = "optional_integer")]
        m: Option<i64>,
    }

    fn parse(json: &str) -> Result<Body, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn whole_numbers_in_any_notation_are_integers() {
        for (json, n) in [
            (r#"{"n":41}"#, 41),
            (r#"{"n":41.0}"#, 41),
            (r#"{"n":4.1e1}"#, 41),
            (r#"{"n":-3}"#, -3),
        ] {
            assert_eq!(parse(json).unwrap().n, n, "{json}");
        }
        assert_eq!(parse(r#"{"n":1,"m":2.0}"#).unwrap().m, Some(2));
        assert_eq!(parse(r#"{"n":1}"#).unwrap().m, None);
        assert_eq!(parse(r#"{"n":1,"m":null}"#).unwrap().m, None);
    }

    #[test]
    fn fractions_strings_and_huge_numbers_are_refused() {
        for json in [
            r#"{"n":41.5}"#,
            r#"{"n":"41"}"#,
            r#"{"n":1e300}"#,
            r#"{"n":true}"#,
            r#"{"n":1,"m":0.5}"#,
        ] {
            assert!(parse(json).is_err(), "{json}");
        }
    }

    proptest! {
        #[test]
        fn every_i64_round_trips(n in any::<i64>()) {
            prop_assert_eq!(parse(&format!(r#"{{"n":{n}}}"#)).unwrap().n, n);
        }
    }
}
