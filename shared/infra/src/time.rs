//! Timestamps: RFC 3339 UTC strings for the API, epoch seconds for TTLs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now as an RFC 3339 UTC string with millisecond precision, e.g. `2026-01-02T03:04:05.678Z`.
/// Fixed width, so these strings also sort chronologically.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

pub fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs()
}

/// An RFC 3339 UTC instant `seconds` from now, in the same format as [`now_rfc3339`].
pub fn rfc3339_in(seconds: u64) -> String {
    humantime::format_rfc3339_millis(SystemTime::now() + Duration::from_secs(seconds)).to_string()
}
