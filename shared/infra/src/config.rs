//! Configuration comes from the environment only and is read once per cold start.
//! A missing or invalid value stops the function at init with a message naming it.

use std::env;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// A required, non-empty variable.
pub fn required(name: &'static str) -> Result<String, ConfigError> {
    match env::var(name) {
        Ok(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(ConfigError::Missing(name)),
    }
}

/// An optional variable with a default; an unparsable value is an error, not the default.
pub fn parsed_or<T>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    match env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            value
                .trim()
                .parse()
                .map_err(|e: T::Err| ConfigError::Invalid {
                    name,
                    reason: e.to_string(),
                })
        }
        _ => Ok(default),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_invalid_values_name_the_variable() {
        let err = required("SHARED_TEST_NEVER_SET").unwrap_err();
        assert!(err.to_string().contains("SHARED_TEST_NEVER_SET"));
        assert_eq!(parsed_or("SHARED_TEST_NEVER_SET", 7u32).unwrap(), 7);
        env::set_var("SHARED_TEST_BAD_NUMBER", "seven");
        let err = parsed_or::<u32>("SHARED_TEST_BAD_NUMBER", 7).unwrap_err();
        assert!(err.to_string().contains("SHARED_TEST_BAD_NUMBER"));
    }
}
