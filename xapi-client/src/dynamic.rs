//! Calling any operation by its operationId with arguments given as JSON values
//! (feature `dynamic`).
//!
//! This is what the `xapi` command line and the conformance tests use: each generated method
//! has a caller in the generated `dispatch` table that reads its arguments from an
//! [`Arguments`] map by their names in the document, parses them into the method's Rust types
//! and turns the typed reply into a [`Reply`].
//!
//! ```no_run
//! # async fn run(client: xapi_client::Client) -> Result<(), xapi_client::dynamic::CallError> {
//! use xapi_client::dynamic::{call, Arguments};
//!
//! let mut arguments = Arguments::new();
//! arguments.set("Id", 42);
//! let reply = call(&client, "GetUser", &arguments).await?;
//! # Ok(())
//! # }
//! ```

use std::future::Future;
use std::pin::Pin;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalog::{self, Operation};
use crate::file::Download;
use crate::literal::{DateTime, Nullable, Text};
use crate::{ByteStream, Client, ResponseValue};

/// The future a dispatch caller returns.
pub type CallFuture<'a> = Pin<Box<dyn Future<Output = Result<Reply, CallError>> + Send + 'a>>;

/// A dispatch caller: reads the arguments, calls the typed method, converts the reply.
pub type CallFn = for<'a> fn(&'a Client, &'a Arguments) -> CallFuture<'a>;

/// Arguments of a dynamic call: parameters by their names in the document, and the body.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Arguments {
    /// Path and header parameters by document name (`Id`, `startDate`, `If-Match`). A string
    /// value is parsed by the parameter's type, so `"42"` and `42` both give an integer;
    /// `null` or a missing entry is `null` for a nullable parameter.
    pub values: Map<String, Value>,
    /// The request body as JSON; it must decode into the operation's body type.
    pub body: Option<Value>,
}

impl Arguments {
    /// Empty arguments.
    pub fn new() -> Self {
        Arguments::default()
    }

    /// Sets a parameter.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<Value>) -> &mut Self {
        self.values.insert(name.into(), value.into());
        self
    }

    /// Sets the body.
    pub fn set_body(&mut self, body: Value) -> &mut Self {
        self.body = Some(body);
        self
    }
}

/// The reply of a dynamic call.
#[derive(Debug)]
#[non_exhaustive]
pub enum Reply {
    /// A success without a body (204).
    Empty {
        /// HTTP status.
        status: u16,
    },
    /// A JSON success body.
    Json {
        /// HTTP status.
        status: u16,
        /// The body re-encoded from the typed value (unknown properties are not kept).
        value: Value,
    },
    /// A file.
    File {
        /// HTTP status.
        status: u16,
        /// The file and its metadata.
        download: Download,
    },
}

/// Why a dynamic call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// No operation has that operationId.
    #[error("unknown operation {name:?}{}", suggestion_text(.suggestions))]
    UnknownOperation {
        /// The name given.
        name: String,
        /// Operation ids that are spelled similarly.
        suggestions: Vec<String>,
    },
    /// A required argument is missing.
    #[error("{operation_id}: missing argument {name} ({expected})")]
    MissingArgument {
        /// The operation.
        operation_id: String,
        /// Parameter name in the document.
        name: String,
        /// The type the parameter takes.
        expected: &'static str,
    },
    /// An argument does not parse as the parameter's type.
    #[error("{operation_id}: invalid argument {name}={value}: expected {expected}")]
    InvalidArgument {
        /// The operation.
        operation_id: String,
        /// Parameter name in the document.
        name: String,
        /// The value given.
        value: String,
        /// The type the parameter takes.
        expected: &'static str,
    },
    /// The body is missing or does not match the operation's body type.
    #[error("{operation_id}: invalid request body: {message}")]
    InvalidBody {
        /// The operation.
        operation_id: String,
        /// What is wrong.
        message: String,
    },
    /// The call failed.
    #[error(transparent)]
    Call(#[from] crate::Error),
}

fn suggestion_text(suggestions: &[String]) -> String {
    match suggestions.is_empty() {
        true => "; list operations with their ids to find the right one".to_owned(),
        false => format!("; did you mean {}?", suggestions.join(" or ")),
    }
}

/// Calls the operation `operation_id` (case-insensitive) with `arguments`.
pub async fn call(
    client: &Client,
    operation_id: &str,
    arguments: &Arguments,
) -> Result<Reply, CallError> {
    let operation =
        catalog::by_operation_id(operation_id).ok_or_else(|| CallError::UnknownOperation {
            name: operation_id.to_owned(),
            suggestions: suggestions(operation_id),
        })?;
    let caller = crate::generated::dispatch::DISPATCH
        .binary_search_by(|(name, _)| (*name).cmp(operation.rust_method))
        .map(|index| crate::generated::dispatch::DISPATCH[index].1)
        .map_err(|_| CallError::UnknownOperation {
            name: operation_id.to_owned(),
            suggestions: Vec::new(),
        })?;
    caller(client, arguments)
        .await
        .map_err(|error| error.for_operation(operation))
}

impl CallError {
    /// Fills in the operation id, which the generated callers leave empty.
    fn for_operation(mut self, operation: &Operation) -> Self {
        let id = match &mut self {
            CallError::UnknownOperation { .. } => return self,
            CallError::MissingArgument { operation_id, .. }
            | CallError::InvalidArgument { operation_id, .. }
            | CallError::InvalidBody { operation_id, .. } => operation_id,
            CallError::Call(_) => return self,
        };
        operation.operation_id.clone_into(id);
        self
    }
}

/// The generated callers do not know their operationId; [`call`] fills it in.
fn current_operation_id() -> String {
    String::new()
}

/// Operation ids within a small edit distance of `name`, closest first.
pub fn suggestions(name: &str) -> Vec<String> {
    let lowered = name.to_ascii_lowercase();
    let mut scored: Vec<(usize, &str)> = catalog::operations()
        .iter()
        .map(|operation| {
            let candidate = operation.operation_id.to_ascii_lowercase();
            (edit_distance(&lowered, &candidate), operation.operation_id)
        })
        .filter(|(distance, _)| *distance <= 2.max(name.len() / 4))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(3)
        .map(|(_, id)| id.to_owned())
        .collect()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Reads the parameter `name` as `T` (called by the generated dispatch code).
pub fn argument<T: FromArgument>(arguments: &Arguments, name: &str) -> Result<T, CallError> {
    let value = arguments.values.get(name);
    T::from_argument(value).map_err(|problem| match problem {
        ArgumentProblem::Missing => CallError::MissingArgument {
            operation_id: current_operation_id(),
            name: name.to_owned(),
            expected: T::EXPECTED,
        },
        ArgumentProblem::Invalid => CallError::InvalidArgument {
            operation_id: current_operation_id(),
            name: name.to_owned(),
            value: value.map(Value::to_string).unwrap_or_default(),
            expected: T::EXPECTED,
        },
    })
}

/// Reads the body as `T` (called by the generated dispatch code).
pub fn body<T: DeserializeOwned>(arguments: &Arguments) -> Result<T, CallError> {
    let invalid = |message: String| CallError::InvalidBody {
        operation_id: current_operation_id(),
        message,
    };
    let body = arguments
        .body
        .clone()
        .ok_or_else(|| invalid("the operation takes a body and none was given".to_owned()))?;
    serde_json::from_value(body).map_err(|error| invalid(error.to_string()))
}

/// Why an argument could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentProblem {
    /// Absent (or `null` where `null` is not allowed).
    Missing,
    /// Present with a value of the wrong type.
    Invalid,
}

/// A Rust argument type that can be read from a JSON value.
pub trait FromArgument: Sized {
    /// The expected type, for messages (`integer (int32)`, `string`, …).
    const EXPECTED: &'static str;

    /// Reads the value; `None` is an absent argument.
    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem>;
}

fn present(value: Option<&Value>) -> Result<&Value, ArgumentProblem> {
    match value {
        None | Some(Value::Null) => Err(ArgumentProblem::Missing),
        Some(value) => Ok(value),
    }
}

macro_rules! integer_argument {
    ($($ty:ty => $expected:literal),*) => {$(
        impl FromArgument for $ty {
            const EXPECTED: &'static str = $expected;

            fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
                let parsed = match present(value)? {
                    Value::Number(number) => number.as_i64().and_then(|n| <$ty>::try_from(n).ok()),
                    Value::String(text) => text.trim().parse::<$ty>().ok(),
                    _ => None,
                };
                parsed.ok_or(ArgumentProblem::Invalid)
            }
        }
    )*};
}

integer_argument!(i32 => "integer (int32)", i64 => "integer (int64)");

impl FromArgument for f64 {
    const EXPECTED: &'static str = "number";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        let parsed = match present(value)? {
            Value::Number(number) => number.as_f64(),
            Value::String(text) => text.trim().parse::<f64>().ok(),
            _ => None,
        };
        parsed.ok_or(ArgumentProblem::Invalid)
    }
}

impl FromArgument for bool {
    const EXPECTED: &'static str = "boolean (true or false)";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        match present(value)? {
            Value::Bool(flag) => Ok(*flag),
            Value::String(text) if text == "true" => Ok(true),
            Value::String(text) if text == "false" => Ok(false),
            _ => Err(ArgumentProblem::Invalid),
        }
    }
}

impl FromArgument for String {
    const EXPECTED: &'static str = "string";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        match present(value)? {
            Value::String(text) => Ok(text.clone()),
            Value::Number(number) => Ok(number.to_string()),
            Value::Bool(flag) => Ok(flag.to_string()),
            _ => Err(ArgumentProblem::Invalid),
        }
    }
}

impl FromArgument for Text {
    const EXPECTED: &'static str = "string";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        String::from_argument(value).map(Text)
    }
}

impl FromArgument for DateTime {
    const EXPECTED: &'static str = "date-time (RFC 3339, e.g. 2025-03-01T00:00:00Z)";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        let Value::String(text) = present(value)? else {
            return Err(ArgumentProblem::Invalid);
        };
        chrono::DateTime::parse_from_rfc3339(text.trim())
            .map(DateTime::from)
            .map_err(|_| ArgumentProblem::Invalid)
    }
}

impl FromArgument for chrono::NaiveDate {
    const EXPECTED: &'static str = "date (YYYY-MM-DD)";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        let Value::String(text) = present(value)? else {
            return Err(ArgumentProblem::Invalid);
        };
        text.trim().parse().map_err(|_| ArgumentProblem::Invalid)
    }
}

impl FromArgument for uuid::Uuid {
    const EXPECTED: &'static str = "GUID (8-4-4-4-12 hex digits)";

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        let Value::String(text) = present(value)? else {
            return Err(ArgumentProblem::Invalid);
        };
        uuid::Uuid::parse_str(text.trim()).map_err(|_| ArgumentProblem::Invalid)
    }
}

impl<T: FromArgument> FromArgument for Nullable<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        match value {
            None | Some(Value::Null) => Ok(Nullable(None)),
            Some(Value::String(text)) if text == "null" => Ok(Nullable(None)),
            Some(_) => T::from_argument(value).map(|inner| Nullable(Some(inner))),
        }
    }
}

impl<T: FromArgument> FromArgument for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;

    fn from_argument(value: Option<&Value>) -> Result<Self, ArgumentProblem> {
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(_) => T::from_argument(value).map(Some),
        }
    }
}

/// Converts a JSON success reply (called by the generated dispatch code).
pub async fn json_reply<T: Serialize>(
    result: Result<ResponseValue<T>, crate::Error>,
) -> Result<Reply, CallError> {
    let response = result?;
    let status = response.status().as_u16();
    // Re-encoding a value that was just decoded from JSON cannot fail for generated types.
    let value = serde_json::to_value(response.into_inner()).unwrap_or(Value::Null);
    Ok(Reply::Json { status, value })
}

/// Converts a reply without a body (called by the generated dispatch code).
pub async fn empty_reply(
    result: Result<ResponseValue<()>, crate::Error>,
) -> Result<Reply, CallError> {
    let response = result?;
    Ok(Reply::Empty {
        status: response.status().as_u16(),
    })
}

/// Converts a file reply (called by the generated dispatch code).
pub async fn file_reply(
    result: Result<ResponseValue<ByteStream>, crate::Error>,
) -> Result<Reply, CallError> {
    let response = result?;
    Ok(Reply::File {
        status: response.status().as_u16(),
        download: Download::new(response),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_parse_from_numbers_and_strings() {
        assert_eq!(i32::from_argument(Some(&json!(7))), Ok(7));
        assert_eq!(i32::from_argument(Some(&json!("-7"))), Ok(-7));
        assert_eq!(
            i32::from_argument(Some(&json!(4_000_000_000i64))),
            Err(ArgumentProblem::Invalid)
        );
        assert_eq!(
            i32::from_argument(Some(&json!("x"))),
            Err(ArgumentProblem::Invalid)
        );
        assert_eq!(i32::from_argument(None), Err(ArgumentProblem::Missing));
    }

    #[test]
    fn nullable_accepts_absence() {
        assert_eq!(Nullable::<Text>::from_argument(None), Ok(Nullable(None)));
        assert_eq!(
            Nullable::<Text>::from_argument(Some(&json!("a"))),
            Ok(Nullable(Some(Text::from("a"))))
        );
        assert_eq!(
            Nullable::<i32>::from_argument(Some(&json!("x"))),
            Err(ArgumentProblem::Invalid)
        );
    }

    #[test]
    fn date_times_need_an_offset() {
        let parsed = DateTime::from_argument(Some(&json!("2025-03-01T01:00:00+01:00"))).unwrap();
        assert_eq!(parsed.to_string(), "2025-03-01T00:00:00Z");
        assert_eq!(
            DateTime::from_argument(Some(&json!("2025-03-01 00:00:00"))),
            Err(ArgumentProblem::Invalid)
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("getuser", "getusers"), 1);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("", "ab"), 2);
    }
}
