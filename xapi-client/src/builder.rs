//! Configuration of a [`Client`].

use std::time::Duration;

use crate::context::{Context, Secret, Shared};
use crate::Client;

/// Path below the PBX root where the XAPI is served.
pub const XAPI_PREFIX: &str = "/xapi/v1";

/// Errors from [`ClientBuilder::build`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The base URL does not parse or is not http(s).
    #[error("invalid base URL {url:?}: {reason}; expected something like https://pbx.example.com")]
    InvalidBaseUrl {
        /// The URL given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The HTTP client could not be created.
    #[error("cannot create the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Builder for [`Client`], from [`Client::builder`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    bearer_token: Option<Secret>,
    connect_timeout: Duration,
    timeout: Duration,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            bearer_token: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
        }
    }

    /// Sends this bearer token with every request.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(Secret::new(token));
        self
    }

    /// Sets the time allowed to establish a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the time allowed for a whole request including its body (default 300 s, because
    /// exports and call history pages can be large).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Creates the client.
    pub fn build(self) -> Result<Client, BuildError> {
        let base_url = xapi_base_url(&self.base_url)?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(concat!("xapi-client/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let context = Context::new(Shared {
            bearer_token: self.bearer_token,
        });
        Ok(Client::new_with_client(&base_url, http, context))
    }
}

/// Returns `base_url` without a trailing `/`, ending in `/xapi/v1`.
fn xapi_base_url(base_url: &str) -> Result<String, BuildError> {
    let invalid = |reason: &str| BuildError::InvalidBaseUrl {
        url: base_url.to_owned(),
        reason: reason.to_owned(),
    };
    let parsed = reqwest::Url::parse(base_url).map_err(|error| invalid(&error.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("a base URL has no query or fragment"));
    }
    let trimmed = base_url.trim_end_matches('/');
    if trimmed.ends_with(XAPI_PREFIX) {
        Ok(trimmed.to_owned())
    } else {
        Ok(format!("{trimmed}{XAPI_PREFIX}"))
    }
}

/// Makes ring the process's rustls crypto provider unless one is installed already.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one between the check and here; either provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_gets_prefix() {
        assert_eq!(
            xapi_base_url("https://pbx.example.com").unwrap(),
            "https://pbx.example.com/xapi/v1"
        );
        assert_eq!(
            xapi_base_url("http://127.0.0.1:5000/").unwrap(),
            "http://127.0.0.1:5000/xapi/v1"
        );
        assert_eq!(
            xapi_base_url("https://pbx/xapi/v1/").unwrap(),
            "https://pbx/xapi/v1"
        );
    }

    #[test]
    fn bad_base_urls_are_rejected() {
        for url in ["pbx.example.com", "ftp://pbx", "https://pbx?x=1", ""] {
            assert!(xapi_base_url(url).is_err(), "{url}");
        }
    }
}
