//! A mock 3CX PBX that serves the XAPI described by an OpenAPI document, for tests, demos
//! and benchmarks.
//!
//! The mock reads a 3CX XAPI document (the one a PBX publishes at
//! `/xapi/v1/swagger.yaml`) and serves every operation in it on 127.0.0.1:
//!
//! - `POST /connect/token` issues client-credentials tokens (form-urlencoded or multipart),
//!   one active token per client, with a configurable per-minute limit.
//! - `GET /xapi/v1/swagger.yaml` and `/xapi/v1/swagger.json` serve the document without a
//!   token.
//! - Entity sets support list, get by key, create, update and delete (with `If-Match`).
//!   Singletons, functions, actions and navigation paths respond with values generated
//!   from their declared response schemas. Rows are generated from the schemas, deterministically from a
//!   seed, and computed on demand, so a set can hold a million rows.
//! - Collections honour `$top`, `$skip`, `$count`, `$select`, `$orderby`, `$filter`,
//!   `$search` and `$expand`, with a `$top` cap (default 100) whose excess gets a 400 OData
//!   error.
//! - Keys and function arguments in the path must be well-formed OData literals of the
//!   declared types. Otherwise the path does not match and the mock responds 404.
//! - [`Faults`] scripts failures per operation or path, and [`RequestLog`] records what
//!   the client sent.
//!
//! ```no_run
//! # async fn demo() -> Result<(), xapi_mock::MockError> {
//! use xapi_mock::{FaultRule, MockPbx};
//!
//! let pbx = MockPbx::builder()
//!     .spec("../shared/xapi-spec/xapi-20.0.10.yaml")
//!     .rows(50)
//!     .seed(7)
//!     .client("api-client", "api-secret")
//!     .start()
//!     .await?;
//! pbx.faults().add(FaultRule::status(503).for_operation("ListUser").once());
//! println!("{} {} {}", pbx.base_url(), pbx.client_id(), pbx.client_secret());
//! pbx.shutdown().await;
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod app;
mod auth;
mod config;
mod faults;
mod filter;
mod generate;
mod literal;
mod log;
mod model;
mod query;
mod routing;
mod schema;
mod server;
mod store;
mod validate;

pub use config::{
    ExpiresInUnit, MockBuilder, SpecSource, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
pub use faults::{FaultKind, FaultRule, FaultTarget, Faults};
pub use log::{LoggedRequest, RequestLog};
pub use server::{MockError, MockHandle, MockPbx};

/// Returns the body every file download of `operation_id` sends: a line naming the
/// operation followed by the 256 byte values `0x00..=0xFF`, which are not valid UTF-8.
pub fn file_bytes(operation_id: &str) -> Vec<u8> {
    app::file_bytes(operation_id)
}

/// Checks `value` against a schema of `document` (a `$ref` such as
/// `#/components/schemas/Pbx.User`, or an inline schema) and returns a message naming the
/// first invalid field. Tests use it to prove that responses match the document.
pub fn validate_against(
    document: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
) -> Result<(), String> {
    let mut schemas = schema::Schemas::compile(document);
    let ty = schemas.compile_inline(document, schema);
    validate::validate(&schemas, ty, value)
}
