//! Downloading the XAPI document from a PBX.
//!
//! A PBX serves its document at `<base>/xapi/v1/swagger.yaml`. Some PBXs serve it without a
//! token. Others respond with 401, and then a token comes from the OAuth 2.0 client credentials
//! flow at `<base>/connect/token`.

use std::fmt;
use std::time::Duration;

use ureq::http::StatusCode;

/// Path of the document below the PBX's base URL.
pub const DOCUMENT_PATH: &str = "/xapi/v1/swagger.yaml";

/// Path of the OAuth 2.0 token endpoint below the PBX's base URL.
pub const TOKEN_PATH: &str = "/connect/token";

/// Maximum size of a downloaded document. The largest known 3CX document is about 1.2 MB.
const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// Maximum size of a token or error response.
const MAX_SMALL_BODY_BYTES: u64 = 1024 * 1024;

/// A client secret, kept out of `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Returns the secret's text, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret(text)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Client ID and secret of an API client that the PBX admin console created.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The client ID.
    pub client_id: String,
    /// The client secret (the console calls it the API key).
    pub client_secret: Secret,
}

/// Errors from [`pull`]. No message contains the client secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PullError {
    /// The URL is not an http(s) URL that can be used as a PBX's base URL.
    #[error("invalid PBX URL {url}: {reason}. Pass the PBX's base URL, such as https://pbx.example.com:5001")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Reason the URL is rejected.
        reason: &'static str,
    },
    /// The request failed before a response arrived.
    #[error("request to {url} failed: {message}")]
    Transport {
        /// URL requested.
        url: String,
        /// Transport error message.
        message: String,
    },
    /// The PBX responded with a status other than success or 401.
    #[error("GET {url} returned HTTP {status}. Check that the URL is the PBX's base URL")]
    Status {
        /// URL requested.
        url: String,
        /// HTTP status code.
        status: u16,
    },
    /// The PBX requires a token, and no credentials were given.
    #[error(
        "GET {url} returned HTTP 401, so the PBX requires a token. Pass --client-id and --client-secret, or set XAPI_CLIENT_ID and XAPI_CLIENT_SECRET, for an API client with XAPI access"
    )]
    CredentialsRequired {
        /// URL requested.
        url: String,
    },
    /// The token endpoint rejected the credentials or failed.
    #[error(
        "token request to {url} failed with HTTP {status}: {description}. Check the client ID and secret of the API client in the PBX admin console"
    )]
    Token {
        /// Token endpoint URL.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The response's OAuth `error_description`, else its `error`, with the secret removed.
        description: String,
    },
    /// The token endpoint responded with 200 but without an `access_token`.
    #[error("token response from {url} has no access_token")]
    TokenMissing {
        /// Token endpoint URL.
        url: String,
    },
    /// The PBX rejected the request even with a token.
    #[error(
        "GET {url} returned HTTP {status} with a token. Check that the API client has XAPI access and a role that may read the document"
    )]
    TokenRejected {
        /// URL requested.
        url: String,
        /// HTTP status code.
        status: u16,
    },
}

/// The downloaded document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Pulled {
    /// The document's bytes as served.
    pub bytes: Vec<u8>,
    /// URL the document was read from.
    pub document_url: String,
    /// Whether a token was needed.
    pub used_token: bool,
}

/// Returns the PBX's base URL from `url`: scheme, host, port and any path before `/xapi/`,
/// without a trailing slash, query or fragment.
///
/// URLs with user info (`user:password@`) are rejected, because the base URL is stored in the
/// committed lock file.
pub fn base_url(url: &str) -> Result<String, PullError> {
    let invalid = |reason| PullError::InvalidUrl {
        url: hide_user_info(url),
        reason,
    };
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| invalid("it has no scheme"))?;
    if scheme != "http" && scheme != "https" {
        return Err(invalid("the scheme must be http or https"));
    }
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(invalid("it has no host"));
    }
    if authority.contains('@') {
        return Err(invalid(
            "it contains user info, which would be stored in the lock file; pass --client-id and --client-secret instead",
        ));
    }
    let rest = match rest.find("/xapi/") {
        Some(index) => &rest[..index],
        None => rest,
    };
    Ok(format!("{scheme}://{}", rest.trim_end_matches('/')))
}

/// Replaces the user info of `url`, which may contain a password, with `[redacted]`.
fn hide_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://[redacted]{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// Downloads the document from the PBX at `url`, fetching a token when the PBX responds with 401.
pub fn pull(url: &str, credentials: Option<&Credentials>) -> Result<Pulled, PullError> {
    let base = base_url(url)?;
    let document_url = format!("{base}{DOCUMENT_PATH}");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_connect(Some(Duration::from_secs(15)))
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into();

    let response = get(&agent, &document_url, None)?;
    if response.status() != StatusCode::UNAUTHORIZED {
        let bytes = document_body(response, &document_url)?;
        return Ok(Pulled {
            bytes,
            document_url,
            used_token: false,
        });
    }

    let credentials = credentials.ok_or_else(|| PullError::CredentialsRequired {
        url: document_url.clone(),
    })?;
    let token = fetch_token(&agent, &base, credentials)?;
    let response = get(&agent, &document_url, Some(&token))?;
    let status = response.status();
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(PullError::TokenRejected {
            url: document_url,
            status: status.as_u16(),
        });
    }
    let bytes = document_body(response, &document_url)?;
    Ok(Pulled {
        bytes,
        document_url,
        used_token: true,
    })
}

type Response = ureq::http::Response<ureq::Body>;

fn get(agent: &ureq::Agent, url: &str, token: Option<&str>) -> Result<Response, PullError> {
    let mut request = agent.get(url);
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    request.call().map_err(|error| transport(url, &error))
}

fn document_body(mut response: Response, url: &str) -> Result<Vec<u8>, PullError> {
    let status = response.status();
    if !status.is_success() {
        return Err(PullError::Status {
            url: url.to_owned(),
            status: status.as_u16(),
        });
    }
    response
        .body_mut()
        .with_config()
        .limit(MAX_DOCUMENT_BYTES)
        .read_to_vec()
        .map_err(|error| transport(url, &error))
}

/// Requests a token with the client credentials grant and returns its `access_token`.
fn fetch_token(
    agent: &ureq::Agent,
    base: &str,
    credentials: &Credentials,
) -> Result<String, PullError> {
    let url = format!("{base}{TOKEN_PATH}");
    let secret = credentials.client_secret.expose();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", secret),
    ];
    let mut response = agent
        .post(&url)
        .send_form(form)
        .map_err(|error| transport(&url, &error))?;

    let status = response.status();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_SMALL_BODY_BYTES)
        .read_to_vec()
        .map_err(|error| transport(&url, &error))?;
    let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let field = |name: &str| {
        json.as_ref()
            .and_then(|value| value.get(name))
            .and_then(serde_json::Value::as_str)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };

    if !status.is_success() {
        let description = field("error_description")
            .or_else(|| field("error"))
            .unwrap_or_else(|| "the response has no OAuth error description".to_owned());
        return Err(PullError::Token {
            url,
            status: status.as_u16(),
            description: redact(&description, secret),
        });
    }
    field("access_token").ok_or(PullError::TokenMissing { url })
}

/// Replaces every occurrence of `secret` in `text`, in case a server echoes it.
fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[redacted]")
    }
}

fn transport(url: &str, error: &ureq::Error) -> PullError {
    PullError::Transport {
        url: url.to_owned(),
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_trims_document_path() {
        let base = base_url("https://pbx.example.com:5001/xapi/v1/swagger.yaml?x=1").unwrap();

        assert_eq!(base, "https://pbx.example.com:5001");
    }

    #[test]
    fn base_url_keeps_path_prefix() {
        assert_eq!(
            base_url("http://127.0.0.1:8080/pbx/").unwrap(),
            "http://127.0.0.1:8080/pbx"
        );
    }

    #[test]
    fn base_url_rejects_user_info() {
        let error = base_url("https://admin:hunter2@pbx.example.com").unwrap_err();

        assert!(matches!(error, PullError::InvalidUrl { .. }), "{error:?}");
        let message = error.to_string();
        assert!(!message.contains("hunter2"), "{message}");
        assert!(
            message.contains("https://[redacted]@pbx.example.com"),
            "{message}"
        );
    }

    #[test]
    fn base_url_rejects_other_scheme() {
        let error = base_url("ftp://pbx.example.com").unwrap_err();

        assert!(matches!(error, PullError::InvalidUrl { .. }), "{error:?}");
    }

    #[test]
    fn secret_debug_redacted() {
        let credentials = Credentials {
            client_id: "pull-client".to_owned(),
            client_secret: Secret::from("s3cr3t-value".to_owned()),
        };
        let debug_output = format!("{credentials:?}");

        assert!(debug_output.contains("pull-client"), "{debug_output}");
        assert!(!debug_output.contains("s3cr3t-value"), "{debug_output}");
    }

    #[test]
    fn redact_removes_echoed_secret() {
        assert_eq!(
            redact("bad secret s3cr3t for client", "s3cr3t"),
            "bad secret [redacted] for client"
        );
    }
}
