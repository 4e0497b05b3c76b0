//! What a store's call can fail with, its cause kept: the handlers turn it into a problem
//! at the edge (`From<StoreError> for ApiError`), where the cause is logged and never sent.
//! A refusal the caller acts on (a taken email, a version that moved, too little stock) is
//! not an error: the stores answer it as an outcome.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use edge::ApiError;
use std::error::Error as StdError;

pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database gave no usable answer now (a timeout, throttling, a 5xx, a missing
    /// table): a retry may succeed. A 503.
    #[error("the database is unavailable")]
    Unavailable(#[source] BoxError),
    /// A write kept losing races to others on the same items; the text says what to
    /// retry and is shown to the client. A 409.
    #[error("{0}")]
    Conflict(String),
    /// A bug or an answer no rule expects: an item that does not decode, a request the
    /// SDK cannot build, a broken invariant. A 500.
    #[error("{context}")]
    Internal {
        context: String,
        #[source]
        source: Option<BoxError>,
    },
}

impl StoreError {
    /// An internal error with no cause beyond its `context`.
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An internal error caused by `source`.
    pub fn caused(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }
}

/// DynamoDB error codes that mean "the database is unable right now", not "this request
/// is wrong".
const TRANSIENT_CODES: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "ResourceNotFoundException",
];

impl<E> From<SdkError<E, HttpResponse>> for StoreError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    fn from(err: SdkError<E, HttpResponse>) -> Self {
        let transient = match &err {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => {
                service.raw().status().is_server_error()
                    || service
                        .err()
                        .code()
                        .is_some_and(|code| TRANSIENT_CODES.contains(&code))
            }
            _ => false,
        };
        if transient {
            StoreError::Unavailable(Box::new(err))
        } else {
            StoreError::caused("dynamodb", err)
        }
    }
}

impl From<serde_dynamo::Error> for StoreError {
    fn from(err: serde_dynamo::Error) -> Self {
        StoreError::caused("item (de)serialization", err)
    }
}

/// The problem a store error is at the edge: the cause goes to the log line of the
/// answer (`ApiError`'s text), never into its body.
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(source) => {
                ApiError::Unavailable(format!("{}", DisplayErrorContext(&*source)))
            }
            StoreError::Conflict(text) => ApiError::Conflict(text),
            StoreError::Internal { context, source } => ApiError::Internal(match source {
                Some(source) => format!("{context}: {}", DisplayErrorContext(&*source)),
                None => context,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_its_problem_and_keeps_its_cause_for_the_log() {
        let unavailable = StoreError::Unavailable("connection reset".into());
        assert_eq!(
            std::error::Error::source(&unavailable).unwrap().to_string(),
            "connection reset"
        );
        let api = ApiError::from(unavailable);
        assert_eq!(api.status().as_u16(), 503);
        assert!(api.to_string().contains("connection reset"));

        let conflict = ApiError::from(StoreError::Conflict("the sale moved; retry".into()));
        assert_eq!(conflict.status().as_u16(), 409);
        assert!(conflict.to_string().contains("the sale moved; retry"));

        let internal = ApiError::from(StoreError::caused("decoding a sale", "missing field"));
        assert_eq!(internal.status().as_u16(), 500);
        assert!(internal
            .to_string()
            .contains("decoding a sale: missing field"));
    }
}
