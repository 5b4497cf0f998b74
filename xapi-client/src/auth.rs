//! OAuth 2.0 client-credentials tokens from the PBX's `/connect/token`.
//!
//! A PBX keeps one active token per API client: requesting a new token makes the previous one
//! useless, and clients that request too often get locked out. So the token is fetched lazily,
//! cached, shared by every copy of a client, renewed shortly before it expires, and fetched by
//! one request at a time (callers that need it meanwhile wait for that request).

use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use crate::context::Secret;
use crate::error::excerpt;

/// How to read the token reply's `expires_in`.
///
/// 3CX sent minutes before 20.0.9 (`60` for an hour) and sends seconds from 20.0.9 on, as
/// OAuth specifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExpiresIn {
    /// Values up to [`MINUTES_THRESHOLD`] are minutes, larger ones seconds. The default.
    #[default]
    Auto,
    /// Always seconds.
    Seconds,
    /// Always minutes.
    Minutes,
}

/// Largest `expires_in` that [`ExpiresIn::Auto`] reads as minutes: 120 minutes is two hours,
/// while 120 seconds would be a lifetime no 3CX release has used (they issue one-hour tokens).
pub const MINUTES_THRESHOLD: u64 = 120;

impl ExpiresIn {
    /// Converts an `expires_in` value into a lifetime.
    pub fn lifetime(self, expires_in: u64) -> Duration {
        let minutes = match self {
            ExpiresIn::Auto => expires_in <= MINUTES_THRESHOLD,
            ExpiresIn::Seconds => false,
            ExpiresIn::Minutes => true,
        };
        match minutes {
            true => Duration::from_secs(expires_in.saturating_mul(60)),
            false => Duration::from_secs(expires_in),
        }
    }
}

/// Why a token could not be obtained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenError {
    pub(crate) status: Option<u16>,
    pub(crate) message: String,
}

/// A cached token and the number of tokens fetched before it.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) value: Secret,
    pub(crate) generation: u64,
    renew_at: Instant,
}

/// Fetches and caches tokens for one API client.
pub(crate) struct TokenSource {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    expires_in: ExpiresIn,
    http: reqwest::Client,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Token>,
    fetched: u64,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct OAuthError {
    error: Option<String>,
    error_description: Option<String>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    pub(crate) fn new(
        token_url: String,
        client_id: String,
        client_secret: Secret,
        expires_in: ExpiresIn,
        http: reqwest::Client,
    ) -> Self {
        TokenSource {
            token_url,
            client_id,
            client_secret,
            expires_in,
            http,
            state: Mutex::new(State::default()),
        }
    }

    /// Returns a valid token, fetching one if none is cached or the cached one is due.
    pub(crate) async fn token(&self) -> Result<Token, TokenError> {
        let mut state = self.state.lock().await;
        if let Some(token) = &state.current {
            if Instant::now() < token.renew_at {
                return Ok(token.clone());
            }
        }
        self.fetch(&mut state).await
    }

    /// Returns a token other than the `rejected` one, fetching a new one unless another caller
    /// already replaced it (so that many requests rejected at once cause one token request).
    pub(crate) async fn renew(&self, rejected: &str) -> Result<Token, TokenError> {
        let mut state = self.state.lock().await;
        if let Some(token) = &state.current {
            if token.value.expose() != rejected && Instant::now() < token.renew_at {
                return Ok(token.clone());
            }
        }
        self.fetch(&mut state).await
    }

    async fn fetch(&self, state: &mut State) -> Result<Token, TokenError> {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose()),
        ];
        let started = Instant::now();
        let reply = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|error| TokenError {
                status: None,
                message: format!("the token request to {} failed: {error}", self.token_url),
            })?;
        let status = reply.status();
        let body = reply.bytes().await.map_err(|error| TokenError {
            status: Some(status.as_u16()),
            message: format!("reading the token reply failed: {error}"),
        })?;
        if !status.is_success() {
            let described = serde_json::from_slice::<OAuthError>(&body)
                .ok()
                .and_then(|error| error.error_description.or(error.error));
            tracing::warn!(status = status.as_u16(), "token request rejected");
            return Err(TokenError {
                status: Some(status.as_u16()),
                message: described.unwrap_or_else(|| {
                    format!(
                        "the token endpoint answered HTTP {status}: {}",
                        excerpt(&body)
                    )
                }),
            });
        }
        let parsed: TokenReply = serde_json::from_slice(&body).map_err(|error| TokenError {
            status: Some(status.as_u16()),
            message: format!("the token reply has no usable access_token: {error}"),
        })?;

        // One hour is what every known 3CX release issues when the reply omits the lifetime.
        let lifetime = parsed
            .expires_in
            .map(|value| self.expires_in.lifetime(value))
            .unwrap_or(Duration::from_secs(3600));
        let margin = (lifetime / 10).min(Duration::from_secs(60));
        state.fetched += 1;
        let token = Token {
            value: Secret::new(parsed.access_token),
            generation: state.fetched,
            renew_at: started + lifetime.saturating_sub(margin),
        };
        tracing::debug!(
            generation = token.generation,
            lifetime_secs = lifetime.as_secs(),
            "fetched an access token"
        );
        state.current = Some(token.clone());
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expires_in_units() {
        assert_eq!(ExpiresIn::Auto.lifetime(60), Duration::from_secs(3600));
        assert_eq!(ExpiresIn::Auto.lifetime(3600), Duration::from_secs(3600));
        assert_eq!(ExpiresIn::Auto.lifetime(121), Duration::from_secs(121));
        assert_eq!(ExpiresIn::Seconds.lifetime(60), Duration::from_secs(60));
        assert_eq!(
            ExpiresIn::Minutes.lifetime(3600),
            Duration::from_secs(216_000)
        );
    }

    #[test]
    fn debug_hides_secret() {
        crate::builder::install_crypto_provider();
        let source = TokenSource::new(
            "http://127.0.0.1:1/connect/token".to_owned(),
            "api".to_owned(),
            Secret::new("s3cr3t-value"),
            ExpiresIn::Auto,
            reqwest::Client::new(),
        );
        let text = format!("{source:?}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        assert!(text.contains("api"), "{text}");
    }
}
