//! The client's error type.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// Maximum length, in characters, of a reply body excerpt kept in an error.
const EXCERPT_CHARS: usize = 300;

/// Errors from calling an XAPI operation.
///
/// Every variant that concerns a call names the operation (its `operationId` in the
/// document), so a log line shows which call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The PBX responded with an error status (4xx or 5xx).
    #[error("{operation_id} failed with HTTP {status}{}: {message}{}", code_text(.code), hint(*.status))]
    Api {
        /// The operation.
        operation_id: &'static str,
        /// HTTP status.
        status: u16,
        /// OData error code (`error.code`), when the body had one.
        code: Option<String>,
        /// OData error message (`error.message`), or an excerpt of a body of another shape.
        message: String,
        /// OData error details (`error.details`).
        details: Vec<ErrorDetail>,
    },
    /// No token could be obtained, or the PBX rejected the token.
    #[error("authentication failed{}: {message}; check the client id and secret of the API entry in the 3CX admin console", operation_text(.operation_id))]
    Auth {
        /// The operation that needed the token, if any.
        operation_id: Option<&'static str>,
        /// HTTP status of the token endpoint, when it responded.
        status: Option<u16>,
        /// The OAuth `error_description` (or `error`), or what went wrong.
        message: String,
    },
    /// The request could not be sent or the reply could not be read.
    #[error("{operation_id}: connection to the PBX failed: {source}; check the base URL and that the PBX is reachable")]
    Transport {
        /// The operation.
        operation_id: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request or its reply took longer than the configured timeout.
    #[error("{operation_id} timed out: {source}; raise the timeout with ClientBuilder::timeout for large replies")]
    Timeout {
        /// The operation.
        operation_id: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A success reply did not match the document's schema.
    #[error("{operation_id}: the reply does not match the schema the client was built from: {message} (body starts with {excerpt:?}); the PBX may run another release: regenerate the client from its document")]
    Decode {
        /// The operation.
        operation_id: &'static str,
        /// What did not match.
        message: String,
        /// The start of the body.
        excerpt: String,
    },
    /// The request was rejected before it was sent.
    #[error("{operation_id}: invalid request: {message}")]
    InvalidRequest {
        /// The operation.
        operation_id: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// One entry of an OData error's `details`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Detail code.
    pub code: String,
    /// Detail message.
    pub message: String,
    /// What the detail refers to, if stated.
    pub target: Option<String>,
}

impl Error {
    /// HTTP status of the reply, if one was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            Error::Transport { source, .. } | Error::Timeout { source, .. } => {
                source.status().map(|status| status.as_u16())
            }
            Error::Decode { .. } | Error::InvalidRequest { .. } => None,
        }
    }

    /// Returns the operation the error belongs to, if any.
    pub fn operation_id(&self) -> Option<&'static str> {
        match self {
            Error::Api { operation_id, .. }
            | Error::Transport { operation_id, .. }
            | Error::Timeout { operation_id, .. }
            | Error::Decode { operation_id, .. }
            | Error::InvalidRequest { operation_id, .. } => Some(operation_id),
            Error::Auth { operation_id, .. } => *operation_id,
        }
    }
}

fn code_text(code: &Option<String>) -> String {
    code.as_ref()
        .map(|code| format!(" ({code})"))
        .unwrap_or_default()
}

fn operation_text(operation_id: &Option<&'static str>) -> String {
    operation_id
        .map(|id| format!(" for {id}"))
        .unwrap_or_default()
}

fn hint(status: u16) -> &'static str {
    match status {
        401 => "; the token was rejected: check the API entry's credentials",
        403 => "; the API entry's role lacks the rights for this operation",
        404 => "; the entity does not exist, or a path argument is malformed",
        429 => "; the PBX limits request rates: retry later",
        _ => "",
    }
}

/// Converts the result of a generated method (called by the generated wrapper methods).
#[doc(hidden)]
pub async fn from_generated<T, E>(
    result: Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>,
    operation_id: &'static str,
) -> Result<progenitor_client::ResponseValue<T>, Error>
where
    E: Serialize + fmt::Debug,
{
    use progenitor_client::Error as Generated;

    let error = match result {
        Ok(response) => return Ok(response),
        Err(error) => error,
    };
    Err(match error {
        Generated::InvalidRequest(message) => Error::InvalidRequest {
            operation_id,
            message,
        },
        Generated::Custom(message) => Error::Auth {
            operation_id: Some(operation_id),
            status: None,
            message,
        },
        Generated::CommunicationError(source)
        | Generated::InvalidUpgrade(source)
        | Generated::ResponseBodyError(source) => transport(operation_id, source),
        Generated::ErrorResponse(response) => {
            let status = response.status().as_u16();
            let body = serde_json::to_value(response.into_inner()).unwrap_or(Value::Null);
            api_error(operation_id, status, &body)
        }
        Generated::InvalidResponsePayload(bytes, error) => Error::Decode {
            operation_id,
            message: error.to_string(),
            excerpt: excerpt(&bytes),
        },
        Generated::UnexpectedResponse(response) => {
            let status = response.status().as_u16();
            let bytes = response.bytes().await.unwrap_or_default();
            let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            match status {
                200..=299 => Error::Decode {
                    operation_id,
                    message: format!("HTTP {status} is not a status the document declares"),
                    excerpt: excerpt(&bytes),
                },
                _ if body.pointer("/error/message").is_some() => {
                    api_error(operation_id, status, &body)
                }
                _ => Error::Api {
                    operation_id,
                    status,
                    code: None,
                    message: excerpt(&bytes),
                    details: Vec::new(),
                },
            }
        }
    })
}

/// Builds an [`Error::Api`] from an OData error body (`{"error":{"code","message","details"}}`).
pub(crate) fn api_error(operation_id: &'static str, status: u16, body: &Value) -> Error {
    let text = |pointer: &str| {
        body.pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let details = body
        .pointer("/error/details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|detail| ErrorDetail {
            code: detail["code"].as_str().unwrap_or_default().to_owned(),
            message: detail["message"].as_str().unwrap_or_default().to_owned(),
            target: detail["target"].as_str().map(str::to_owned),
        })
        .collect();
    Error::Api {
        operation_id,
        status,
        code: text("/error/code").filter(|code| !code.is_empty()),
        message: text("/error/message").unwrap_or_else(|| "no error message".to_owned()),
        details,
    }
}

pub(crate) fn transport(operation_id: &'static str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout {
            operation_id,
            source,
        }
    } else {
        Error::Transport {
            operation_id,
            source,
        }
    }
}

/// Returns the first [`EXCERPT_CHARS`] characters of a body, lossily decoded.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    if text.chars().count() > EXCERPT_CHARS {
        excerpt.push('…');
    }
    excerpt
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odata_error_body_is_read() {
        let body = json!({ "error": {
            "code": "BadRequest",
            "message": "The limit of '100' for Top query has been exceeded",
            "details": [ { "code": "Top", "message": "too large", "target": "$top" } ]
        }});
        let error = api_error("ListUser", 400, &body);
        assert_eq!(error.status(), Some(400));
        assert_eq!(
            error.to_string(),
            "ListUser failed with HTTP 400 (BadRequest): The limit of '100' for Top query has been exceeded"
        );
        let Error::Api { details, code, .. } = error else {
            panic!("expected an API error");
        };
        assert_eq!(code.as_deref(), Some("BadRequest"));
        assert_eq!(details[0].target.as_deref(), Some("$top"));
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = "x".repeat(1000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&[0xff, b'a']), "\u{fffd}a");
    }
}
