//! Typed async client for the 3CX XAPI, the OData v4 configuration API that every 3CX V20 PBX
//! serves under `/xapi/v1`.
//!
//! The client is generated at build time from the XAPI document the crate is pinned to (see
//! the workspace README for building against your own PBX's document): one method per
//! operation on [`Client`], request and response types in [`types`]. The examples below use
//! operations of the pinned 3CX release; the names of yours come from its document.
//!
//! # Connecting
//!
//! An API entry of the PBX (Admin Console → Integrations → API) has a client id and a secret.
//! The client fetches a token on first use, shares it between clones, renews it before it
//! expires and once after a 401 ([`auth`]).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use xapi_client::Client;
//!
//! let client = Client::builder("https://pbx.example.com")
//!     .client_credentials("api-client", std::env::var("XAPI_CLIENT_SECRET")?)
//!     .build()?;
//! let status = client.get_license_status().await?.into_inner();
//! println!("{:?} {:?}", status.product_code, status.expiration_date);
//! # Ok(())
//! # }
//! ```
//!
//! # Query options and filters
//!
//! OData system query options are one [`Query`] per call, given with [`Client::with_query`];
//! [`filter`] builds `$filter` expressions whose values are escaped like path arguments.
//!
//! ```no_run
//! # async fn run(client: xapi_client::Client) -> Result<(), xapi_client::Error> {
//! use xapi_client::filter::field;
//! use xapi_client::Query;
//!
//! let query = Query::new()
//!     .filter(field("LastName").eq("O'Brien").or(field("Number").starts_with("10")))
//!     .select(["Id", "Number", "LastName"])
//!     .order_by("Number")
//!     .top(50);
//! let page = client.with_query(query).list_user().await?.into_inner();
//! for user in page.value {
//!     println!("{:?}", user.number);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Every item of a collection
//!
//! [`Client::paginate`] pages with `$top` and `$skip` (100 items per request, the limit
//! several PBX entity sets enforce) and keeps one page in memory at a time ([`paging`]).
//!
//! ```no_run
//! # async fn run(client: xapi_client::Client) -> Result<(), xapi_client::Error> {
//! use futures::TryStreamExt;
//!
//! let calls = client.paginate(xapi_client::Query::new(), |page| async move {
//!     page.list_call_history_view().await
//! });
//! futures::pin_mut!(calls);
//! while let Some(call) = calls.try_next().await? {
//!     println!("{:?}", call.segment_start_time);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Path arguments, changes and files
//!
//! Keys and function arguments are OData literals ([`literal`]): strings are quoted with `'`
//! doubled, date-times sent in UTC. PATCH bodies are `…Patch` types whose fields are
//! [`patch::Patch`] values, so a field can be left unchanged, cleared or set. Operations that
//! return files give a byte stream; [`file::Download`] adds the file name.
//!
//! ```no_run
//! # async fn run(client: xapi_client::Client) -> Result<(), xapi_client::Error> {
//! use xapi_client::patch::Patch;
//! use xapi_client::types::PbxUserPatch;
//!
//! let change = PbxUserPatch {
//!     email_address: Patch::Value("ops@example.com".to_owned()),
//!     last_name: Patch::Null,
//!     ..Default::default()
//! };
//! client.update_user(42, &change).await?;
//!
//! let download = xapi_client::file::Download::new(client.download_recording(7).await?);
//! println!("{:?} {:?}", download.file_name, download.content_type);
//! # Ok(())
//! # }
//! ```
//!
//! # Errors and retries
//!
//! Every method returns [`Error`], which names the operation: the PBX's OData error code and
//! message for 4xx/5xx replies, authentication, transport, timeout, decode and invalid-request
//! failures. Idempotent requests are retried on 429, 502, 503, 504 and connection errors with
//! backoff and `Retry-After` ([`RetryPolicy`]); POST actions only when enabled. Each request
//! runs in a `tracing` span named `xapi_request` with the operation, method, URL, status,
//! attempt and elapsed time; the token travels in a header, which is never recorded.
#![deny(missing_docs)]

pub mod auth;
pub mod builder;
pub mod catalog;
pub mod context;
#[cfg(feature = "dynamic")]
pub mod dynamic;
pub mod error;
pub mod file;
pub mod filter;
pub mod lenient;
pub mod literal;
pub mod paging;
pub mod patch;
pub mod query;
pub mod retry;

/// The code progenitor generated from the document; never edited by hand.
#[allow(missing_docs, clippy::all, unused_imports, dead_code)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/xapi.rs"));
}

pub use auth::ExpiresIn;
pub use builder::ClientBuilder;
pub use error::Error;
pub use generated::{types, ByteStream, Client, ResponseValue};
pub use query::Query;
pub use retry::RetryPolicy;

/// Label of the XAPI document the client was generated from (its file name without extension).
pub const SPEC_LABEL: &str = env!("XAPI_SPEC_LABEL");

/// sha256 of the XAPI document the client was generated from.
pub const SPEC_SHA256: &str = env!("XAPI_SPEC_SHA256");

impl Client {
    /// Starts configuring a client for the PBX at `base_url` (`https://pbx.example.com`; the
    /// `/xapi/v1` prefix is added when missing).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// Returns a copy of this client whose next calls send the OData options of `query`.
    ///
    /// The copy shares the connection pool and credentials. A call to an operation that does
    /// not accept one of the options set fails with [`Error::InvalidRequest`] before anything
    /// is sent.
    pub fn with_query(&self, query: Query) -> Client {
        let mut context = self.inner.clone();
        context.query = Some(std::sync::Arc::new(query));
        Client::new_with_client(&self.baseurl, self.client.clone(), context)
    }
}
