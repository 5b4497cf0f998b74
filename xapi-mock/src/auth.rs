//! OAuth2 client-credentials tokens as a 3CX PBX issues them at `POST /connect/token`.
//!
//! The behaviour follows a PBX. The body is form-urlencoded or multipart, and bad
//! credentials get 401 `{"error":"unauthorized",...}`. Only one token per client is
//! active, so issuing a new one invalidates the previous one. `refresh_token` is null.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use crate::config::ExpiresInUnit;
use crate::generate::{combine, mix};

/// Result of a token request.
#[derive(Debug)]
pub(crate) enum TokenOutcome {
    /// 200 with this JSON body; the client id is for the log.
    Issued { body: Value, client_id: String },
    /// 401 for unknown client or wrong secret.
    Unauthorized,
    /// 400 with an OAuth error code and description.
    BadRequest {
        error: &'static str,
        description: String,
    },
    /// 429: the per-minute limit is reached; retry after this many seconds.
    RateLimited { retry_after: u64 },
}

/// Reason a bearer token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BearerError {
    Missing,
    /// Unknown, replaced by a newer token, or revoked.
    Invalid,
    Expired,
}

struct ActiveToken {
    value: String,
    expires: Instant,
}

#[derive(Default)]
struct AuthState {
    /// The one active token of each client, by client id.
    active: HashMap<String, ActiveToken>,
    /// Times of admitted token requests within the last minute.
    recent: VecDeque<Instant>,
    issued: u64,
}

/// Credentials, token lifetime and the token request limit.
pub(crate) struct Auth {
    clients: Vec<(String, String)>,
    lifetime: Duration,
    unit: ExpiresInUnit,
    per_minute: Option<u32>,
    seed: u64,
    state: Mutex<AuthState>,
}

impl Auth {
    pub fn new(
        clients: Vec<(String, String)>,
        lifetime: Duration,
        unit: ExpiresInUnit,
        per_minute: Option<u32>,
        seed: u64,
    ) -> Auth {
        Auth {
            clients,
            lifetime,
            unit,
            per_minute,
            seed,
            state: Mutex::new(AuthState::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AuthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Handles a `POST /connect/token` body.
    pub fn token_request(&self, content_type: Option<&str>, body: &[u8]) -> TokenOutcome {
        let now = Instant::now();
        if let Some(limit) = self.per_minute {
            let mut state = self.lock();
            while state
                .recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
            {
                state.recent.pop_front();
            }
            if state.recent.len() >= limit as usize {
                let oldest = state.recent.front().copied().unwrap_or(now);
                let wait = Duration::from_secs(60).saturating_sub(now.duration_since(oldest));
                return TokenOutcome::RateLimited {
                    retry_after: wait.as_secs_f64().ceil().max(1.0) as u64,
                };
            }
            state.recent.push_back(now);
        }

        let fields = match parse_form(content_type, body) {
            Ok(fields) => fields,
            Err(description) => {
                return TokenOutcome::BadRequest {
                    error: "invalid_request",
                    description,
                }
            }
        };
        let field = |name: &str| {
            fields
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.as_str())
        };
        match field("grant_type") {
            Some("client_credentials") => {}
            Some(other) => {
                return TokenOutcome::BadRequest {
                    error: "unsupported_grant_type",
                    description: format!(
                        "The grant type '{other}' is not supported; use client_credentials."
                    ),
                }
            }
            None => {
                return TokenOutcome::BadRequest {
                    error: "invalid_request",
                    description: "The mandatory 'grant_type' parameter is missing.".to_owned(),
                }
            }
        }
        let (Some(client_id), Some(secret)) = (field("client_id"), field("client_secret")) else {
            return TokenOutcome::Unauthorized;
        };
        let known = self
            .clients
            .iter()
            .any(|(id, expected)| id == client_id && expected == secret);
        if !known {
            return TokenOutcome::Unauthorized;
        }
        let token = self.issue(client_id, now);
        TokenOutcome::Issued {
            body: json!({
                "token_type": "Bearer",
                "expires_in": self.expires_in(),
                "access_token": token,
                "refresh_token": Value::Null,
            }),
            client_id: client_id.to_owned(),
        }
    }

    /// Returns `expires_in` in the configured unit, rounded up.
    fn expires_in(&self) -> u64 {
        let secs = self.lifetime.as_secs();
        match self.unit {
            ExpiresInUnit::Seconds => secs,
            ExpiresInUnit::Minutes => secs.div_ceil(60),
        }
    }

    fn issue(&self, client_id: &str, now: Instant) -> String {
        let mut state = self.lock();
        state.issued += 1;
        let clock = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let base = combine(&[self.seed, state.issued, clock]);
        let value = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            mix(base),
            mix(base ^ 1),
            mix(base ^ 2),
            mix(base ^ 3)
        );
        // Replacing the entry invalidates the client's previous token.
        state.active.insert(
            client_id.to_owned(),
            ActiveToken {
                value: value.clone(),
                expires: now + self.lifetime,
            },
        );
        value
    }

    /// Checks an `Authorization` header and returns the client id the token belongs to.
    pub fn check_bearer(&self, header: Option<&str>) -> Result<String, BearerError> {
        let header = header.ok_or(BearerError::Missing)?;
        let (scheme, token) = header.split_once(' ').ok_or(BearerError::Invalid)?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(BearerError::Invalid);
        }
        let token = token.trim();
        let state = self.lock();
        let (client, active) = state
            .active
            .iter()
            .find(|(_, active)| active.value == token)
            .ok_or(BearerError::Invalid)?;
        if Instant::now() >= active.expires {
            return Err(BearerError::Expired);
        }
        Ok(client.clone())
    }

    /// Invalidates every active token.
    pub fn revoke_all(&self) {
        self.lock().active.clear();
    }

    /// Invalidates the token of one client.
    pub fn revoke_client(&self, client_id: &str) {
        self.lock().active.remove(client_id);
    }
}

/// Parses a form-urlencoded or multipart/form-data body into name/value pairs.
fn parse_form(content_type: Option<&str>, body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let content_type = content_type.unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/x-www-form-urlencoded" => Ok(form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()),
        "multipart/form-data" => {
            let boundary = content_type
                .split(';')
                .skip(1)
                .filter_map(|param| param.trim().split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
                .map(|(_, value)| value.trim().trim_matches('"').to_owned())
                .filter(|b| !b.is_empty())
                .ok_or_else(|| "The multipart/form-data body has no boundary parameter.".to_owned())?;
            parse_multipart(body, &boundary)
        }
        _ => Err(format!(
            "The content type '{content_type}' is not supported; send application/x-www-form-urlencoded or multipart/form-data."
        )),
    }
}

/// Parses the text fields of a multipart/form-data body.
fn parse_multipart(body: &[u8], boundary: &str) -> Result<Vec<(String, String)>, String> {
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let mut fields = Vec::new();
    let mut parts = text.split(delimiter.as_str());
    // Anything before the first delimiter is preamble.
    parts.next();
    for part in parts {
        if part.starts_with("--") {
            return Ok(fields);
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let Some((headers, value)) = part.split_once("\r\n\r\n") else {
            return Err(
                "A multipart/form-data part has no blank line after its headers.".to_owned(),
            );
        };
        let name = headers
            .lines()
            .find(|line| {
                line.to_ascii_lowercase()
                    .starts_with("content-disposition:")
            })
            .and_then(|line| {
                line.split(';')
                    .filter_map(|param| param.trim().split_once('='))
                    .find(|(key, _)| key.trim() == "name")
                    .map(|(_, value)| value.trim().trim_matches('"').to_owned())
            })
            .ok_or_else(|| "A multipart/form-data part has no name.".to_owned())?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        fields.push((name, value.to_owned()));
    }
    Err("The multipart/form-data body has no closing boundary.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_fields() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\nabc\r\n--XyZ\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\ns3\r\ncret\r\n--XyZ--\r\n";
        let fields =
            parse_form(Some("multipart/form-data; boundary=XyZ"), body.as_bytes()).unwrap();
        assert_eq!(fields[0], ("client_id".to_owned(), "abc".to_owned()));
        assert_eq!(
            fields[1],
            ("client_secret".to_owned(), "s3\r\ncret".to_owned())
        );
    }

    #[test]
    fn multipart_without_closing_boundary_fails() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n";
        assert!(parse_form(Some("multipart/form-data; boundary=XyZ"), body.as_bytes()).is_err());
    }

    #[test]
    fn unsupported_content_type_fails() {
        assert!(parse_form(Some("application/json"), b"{}").is_err());
    }
}
