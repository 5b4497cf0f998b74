//! Typed async client for the 3CX XAPI, the OData v4 configuration API that every 3CX V20 PBX
//! serves under `/xapi/v1`.
//!
//! The client is generated at build time from the XAPI document the crate is pinned to (see
//! the workspace README for building against your own PBX's document): one method per
//! operation on [`Client`], request and response types in [`types`]. Path arguments are OData
//! literals ([`literal`]); OData system query options are given once per call as a [`Query`].
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = xapi_client::Client::builder("https://pbx.example.com")
//!     .bearer_token("eyJ…")
//!     .build()?;
//! let status = client.get_license_status().await?.into_inner();
//! println!("{status:?}");
//! # Ok(())
//! # }
//! ```
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
