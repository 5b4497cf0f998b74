//! Configuration of a [`Client`].

use std::time::Duration;

use crate::auth::{ExpiresIn, TokenSource};
use crate::context::{Auth, Context, Secret, Shared};
use crate::retry::RetryPolicy;
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

/// Path below the PBX root of the OAuth token endpoint.
pub const TOKEN_PATH: &str = "/connect/token";

/// How the built client authenticates.
#[derive(Debug)]
enum Login {
    None,
    Bearer(Secret),
    ClientCredentials { client_id: String, secret: Secret },
}

/// Builder for [`Client`], from [`Client::builder`].
///
/// ```no_run
/// # fn run() -> Result<(), xapi_client::builder::BuildError> {
/// use std::time::Duration;
/// use xapi_client::{Client, RetryPolicy};
///
/// let client = Client::builder("https://pbx.example.com")
///     .client_credentials("api-client", std::env::var("XAPI_CLIENT_SECRET").unwrap_or_default())
///     .timeout(Duration::from_secs(600))
///     .retry_policy(RetryPolicy::default().with_max_attempts(6))
///     .build()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Login,
    expires_in: ExpiresIn,
    retry: RetryPolicy,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: Option<String>,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            credentials: Login::None,
            expires_in: ExpiresIn::Auto,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
            user_agent: None,
        }
    }

    /// Sends this bearer token with every request (it is never renewed).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Login::Bearer(Secret::new(token));
        self
    }

    /// Authenticates with the OAuth client-credentials grant of an API entry (Admin Console →
    /// Integrations → API): the client id and its API key. The token is fetched on first use,
    /// shared by every copy of the client, and renewed before it expires or once when a call is
    /// answered 401.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.credentials = Login::ClientCredentials {
            client_id: client_id.into(),
            secret: Secret::new(secret),
        };
        self
    }

    /// Sets how the token reply's `expires_in` is read (default [`ExpiresIn::Auto`]).
    pub fn expires_in(mut self, unit: ExpiresIn) -> Self {
        self.expires_in = unit;
        self
    }

    /// Sets when failed requests are sent again (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Replaces the `User-Agent` (default `xapi-client/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
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
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("xapi-client/", env!("CARGO_PKG_VERSION")).to_owned());
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(user_agent)
            .build()?;
        let auth = match self.credentials {
            Login::None => Auth::None,
            Login::Bearer(token) => Auth::Bearer(token),
            Login::ClientCredentials { client_id, secret } => {
                let root = base_url.strip_suffix(XAPI_PREFIX).unwrap_or(&base_url);
                Auth::ClientCredentials(TokenSource::new(
                    format!("{root}{TOKEN_PATH}"),
                    client_id,
                    secret,
                    self.expires_in,
                    http.clone(),
                ))
            }
        };
        let context = Context::new(Shared {
            auth,
            retry: self.retry,
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
pub(crate) fn install_crypto_provider() {
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
