//! Per-client state carried by the generated [`crate::Client`] and the hooks that apply it to
//! every request: authentication, the OData query options of the call, retries, and one
//! tracing span per request.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};
use tracing::Instrument;

use crate::auth::TokenSource;
use crate::catalog;
use crate::error::excerpt;
use crate::query::{encode_query_value, Query};
use crate::retry::{is_retryable_status, retry_after, RetryPolicy};
use crate::Client;

/// Largest error body read into memory to normalize it; longer ones are cut.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// Returns the secret value; call only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

/// How requests are authenticated.
#[derive(Debug)]
pub(crate) enum Auth {
    /// No `Authorization` header.
    None,
    /// A fixed bearer token.
    Bearer(Secret),
    /// Tokens from the PBX's token endpoint.
    ClientCredentials(TokenSource),
}

/// State shared by a client and every copy made from it.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) auth: Auth,
    pub(crate) retry: RetryPolicy,
}

/// The inner value of the generated client: shared state plus the query of one call.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) shared: Arc<Shared>,
    pub(crate) query: Option<Arc<Query>>,
}

impl Context {
    pub(crate) fn new(shared: Shared) -> Self {
        Context {
            shared: Arc::new(shared),
            query: None,
        }
    }
}

impl ClientHooks<Context> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let context = self.inner();
        if let Some(query) = &context.query {
            apply_query(request, info.operation_id, query).map_err(Error::InvalidRequest)?;
        }
        let token = match &context.shared.auth {
            Auth::None => return Ok(()),
            Auth::Bearer(token) => token.clone(),
            Auth::ClientCredentials(source) => {
                source
                    .token()
                    .await
                    .map_err(|error| Error::Custom(error.message))?
                    .value
            }
        };
        set_bearer(request, &token).map_err(Error::InvalidRequest)
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let operation = catalog::by_rust_method(info.operation_id);
        let operation_id = operation.map_or(info.operation_id, |operation| operation.operation_id);
        let streams_body = operation.is_some_and(|operation| operation.file_response);
        let span = tracing::info_span!(
            "xapi_request",
            operation_id,
            method = %request.method(),
            url = %request.url(),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        self.send_with_retries(request, streams_body)
            .instrument(span)
            .await
    }
}

impl Client {
    /// Sends `request`, renewing a rejected token once and retrying as the policy allows.
    async fn send_with_retries(
        &self,
        request: reqwest::Request,
        streams_body: bool,
    ) -> reqwest::Result<reqwest::Response> {
        let shared = &self.inner().shared;
        let policy = &shared.retry;
        let method_retries = policy.allows_method(request.method());
        let span = tracing::Span::current();
        let mut renewed_token = false;
        let mut attempt = 1;
        let mut current = request;

        loop {
            let spare = current.try_clone();
            let sent_token = bearer_of(&current);
            let started = Instant::now();
            span.record("attempt", attempt);
            let result = self.client().execute(current).await;
            let result = match result {
                Ok(response) if !streams_body || !response.status().is_success() => {
                    buffer(response).await
                }
                other => other,
            };
            span.record("elapsed_ms", started.elapsed().as_millis() as u64);

            let can_resend = spare.is_some() && attempt < policy.max_attempts;
            match &result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    span.record("status", status);
                    if status == 401 && !renewed_token {
                        if let (Auth::ClientCredentials(source), Some(mut next)) =
                            (&shared.auth, spare)
                        {
                            renewed_token = true;
                            let rejected = sent_token.unwrap_or_default();
                            match source.renew(&rejected).await {
                                Ok(token) => {
                                    tracing::info!(
                                        "token rejected with 401; renewed it, resending"
                                    );
                                    if set_bearer(&mut next, &token.value).is_ok() {
                                        current = next;
                                        continue;
                                    }
                                }
                                Err(error) => {
                                    tracing::warn!(error = %error.message, "renewing the rejected token failed");
                                }
                            }
                        }
                        return normalize_error_body(result).await;
                    }
                    if is_retryable_status(status) && method_retries && can_resend {
                        let delay = policy.delay(attempt, retry_after(response.headers()));
                        tracing::warn!(
                            status,
                            attempt,
                            delay_ms = delay.as_millis() as u64,
                            "retrying"
                        );
                        tokio::time::sleep(delay).await;
                        current = spare.expect("can_resend implies a spare request");
                        attempt += 1;
                        continue;
                    }
                }
                Err(error) => {
                    let transient = error.is_connect() || error.is_body() || error.is_request();
                    if transient && !error.is_timeout() && method_retries && can_resend {
                        let delay = policy.delay(attempt, None);
                        tracing::warn!(error = %error, attempt, delay_ms = delay.as_millis() as u64, "retrying after a connection error");
                        tokio::time::sleep(delay).await;
                        current = spare.expect("can_resend implies a spare request");
                        attempt += 1;
                        continue;
                    }
                    tracing::warn!(error = %error, attempt, "request failed");
                }
            }
            return normalize_error_body(result).await;
        }
    }
}

/// Reads the whole body so that a connection dropped mid-body is seen here, where the request
/// can still be sent again, and rebuilds the response from the bytes.
async fn buffer(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    Ok(rebuild(status, version, headers, bytes))
}

/// Rewrites a 4xx/5xx body that is not an OData error (`{"error":{"code","message"}}`) into
/// one, so that the status and the server's text reach the caller as an API error instead of a
/// decode failure. OAuth-style bodies (`error`, `error_description`) keep their text.
async fn normalize_error_body(
    result: reqwest::Result<reqwest::Response>,
) -> reqwest::Result<reqwest::Response> {
    let response = result?;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(response);
    }

    let version = response.version();
    let mut headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let body = odata_error_body(status, &bytes[..bytes.len().min(MAX_ERROR_BODY)]);

    headers.insert(
        reqwest::header::CONTENT_TYPE,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    headers.remove(reqwest::header::CONTENT_LENGTH);
    Ok(rebuild(status, version, headers, body.to_string()))
}

/// Returns `bytes` as an OData error body: unchanged (with `details` added when missing) if it
/// is one, otherwise a new one carrying the OAuth `error`/`error_description`, a `message`, or
/// an excerpt of the text.
fn odata_error_body(status: reqwest::StatusCode, bytes: &[u8]) -> serde_json::Value {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(bytes).ok();
    let is_text_at = |body: &serde_json::Value, pointer: &str| {
        body.pointer(pointer)
            .is_some_and(serde_json::Value::is_string)
    };
    if let Some(mut body) = parsed
        .clone()
        .filter(|body| is_text_at(body, "/error/code") && is_text_at(body, "/error/message"))
    {
        if body.pointer("/error/details").is_none() {
            body["error"]["details"] = serde_json::json!([]);
        }
        return body;
    }

    let text = |key: &str| {
        parsed
            .as_ref()
            .and_then(|body| body.get(key))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let message = text("error_description")
        .or_else(|| text("message"))
        .unwrap_or_else(|| match bytes.is_empty() {
            true => format!("HTTP {status} with an empty body"),
            false => excerpt(bytes),
        });
    serde_json::json!({ "error": {
        "code": text("error").unwrap_or_default(),
        "message": message,
        "details": [],
    }})
}

/// Builds a response from its parts, for replies whose body was read here.
fn rebuild(
    status: reqwest::StatusCode,
    version: reqwest::Version,
    headers: reqwest::header::HeaderMap,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body.into());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

fn set_bearer(request: &mut reqwest::Request, token: &Secret) -> Result<(), String> {
    let value = format!("Bearer {}", token.expose());
    let mut header = reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
        "the bearer token contains characters not allowed in an HTTP header".to_owned()
    })?;
    header.set_sensitive(true);
    request
        .headers_mut()
        .insert(reqwest::header::AUTHORIZATION, header);
    Ok(())
}

/// Returns the token a request carries, without the `Bearer ` prefix.
fn bearer_of(request: &reqwest::Request) -> Option<String> {
    let value = request
        .headers()
        .get(reqwest::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    value.strip_prefix("Bearer ").map(str::to_owned)
}

/// Appends the query options to the request URL after checking that the operation takes each.
fn apply_query(
    request: &mut reqwest::Request,
    rust_method: &str,
    query: &Query,
) -> Result<(), String> {
    let pairs = query.pairs();
    if pairs.is_empty() {
        return Ok(());
    }
    let operation = catalog::by_rust_method(rust_method);
    let accepted = operation
        .map(|operation| operation.query_options)
        .unwrap_or(&[]);
    for (name, _) in &pairs {
        if !accepted.contains(name) {
            let accepted = match accepted.is_empty() {
                true => "none".to_owned(),
                false => accepted.join(" "),
            };
            return Err(format!(
                "the operation does not accept the query option {name} (it accepts: \
                 {accepted}); remove it from the Query"
            ));
        }
    }

    let url = request.url_mut();
    let mut query_string = url.query().unwrap_or("").to_owned();
    for (name, value) in pairs {
        if !query_string.is_empty() {
            query_string.push('&');
        }
        query_string.push_str(name);
        query_string.push('=');
        encode_query_value(&value, &mut query_string);
    }
    url.set_query(Some(&query_string));
    Ok(())
}
