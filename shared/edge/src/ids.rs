//! Server-generated identifiers: ULIDs (time-sortable, 26 characters).

use crate::ApiError;

pub fn new_id() -> String {
    ulid::Ulid::new().to_string()
}

/// Checks that a path id is one of ours; anything else cannot exist, so it is a 404.
pub fn parse_id(raw: &str, what: &'static str) -> Result<String, ApiError> {
    // A ULID is 128 bits: 26 base-32 digits whose first one is at most 7.
    if !raw.starts_with(|c: char| ('0'..='7').contains(&c)) {
        return Err(ApiError::NotFound(what));
    }
    ulid::Ulid::from_string(raw)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::NotFound(what))
}

/// An id of a `what` ("sale") given in a request body's `field`: a 422 naming the field
/// if it is not one of ours.
pub fn body_id(raw: &str, what: &'static str, field: &str) -> Result<String, ApiError> {
    parse_id(raw, what).map_err(|_| ApiError::validation(field, &format!("must be a {what} id")))
}

/// Checks that an id given as a filter is one of ours (a 422 naming `field` if not).
pub fn filter_id(raw: &str, field: &str) -> Result<String, ApiError> {
    parse_id(raw, "id").map_err(|_| ApiError::validation(field, "must be an id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_garbage_is_not_found() {
        let id = new_id();
        assert_eq!(parse_id(&id, "thing").unwrap(), id);
        for bad in [
            "",
            "1",
            "../etc/passwd",
            "' OR 1=1 --",
            "ÄÖÜ",
            &"9".repeat(26),
        ] {
            assert!(
                matches!(parse_id(bad, "thing"), Err(ApiError::NotFound(_))),
                "{bad}"
            );
        }
    }
}
