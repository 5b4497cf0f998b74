//! The HTTP server: listener on 127.0.0.1, connections, body faults and the handle.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::app::{self, MockRequest, Reply, State};
use crate::auth::Auth;
use crate::config::{
    ExpiresInUnit, MockBuilder, SpecSource, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
};
use crate::faults::{FaultKind, Faults};
use crate::log::{LoggedRequest, RequestLog, LOGGED_HEADERS};
use crate::model::Model;

/// Largest request body accepted; larger bodies get 413.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// How long a dropped connection waits after the partial body before closing, so that
/// the bytes reach the client first.
const DROP_FLUSH_DELAY: Duration = Duration::from_millis(50);

/// Errors from starting a mock.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MockError {
    /// The builder has no document.
    #[error("no OpenAPI document is configured: call MockBuilder::spec with a path or a document")]
    MissingSpec,
    /// The document file could not be read or parsed.
    #[error("cannot load the OpenAPI document {path}: {message}")]
    Load {
        /// File that failed.
        path: PathBuf,
        /// Loader message.
        message: String,
    },
    /// The document lacks what the mock needs.
    #[error("the OpenAPI document cannot be served: {0}")]
    InvalidSpec(String),
    /// The port on 127.0.0.1 could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// Requested port.
        port: u16,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// Entry point of the library: `MockPbx::builder().spec(path).start().await`.
#[derive(Debug)]
pub struct MockPbx;

impl MockPbx {
    /// Returns a builder with the defaults described on each [`MockBuilder`] method.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }
}

impl MockBuilder {
    /// Loads the document, seeds the store and starts serving on 127.0.0.1 in the current
    /// Tokio runtime. The server stops when the handle is shut down or dropped.
    pub async fn start(self) -> Result<MockHandle, MockError> {
        let (document, document_yaml) = load_document(self.spec.ok_or(MockError::MissingSpec)?)?;
        let mut settings = self.settings;
        if settings.clients.is_empty() {
            settings.clients.push((
                DEFAULT_CLIENT_ID.to_owned(),
                DEFAULT_CLIENT_SECRET.to_owned(),
            ));
        }
        let model = Model::compile(&document).map_err(MockError::InvalidSpec)?;
        let unit = settings
            .expires_in_unit
            .unwrap_or_else(|| ExpiresInUnit::guess(&document));

        let port = settings.port;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|source| MockError::Bind { port, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| MockError::Bind { port, source })?;
        let base_url = format!("http://{addr}");

        let auth = Auth::new(
            settings.clients.clone(),
            settings.token_lifetime,
            unit,
            settings.token_requests_per_minute,
            settings.seed,
        );
        let (client_id, client_secret) = settings.clients[0].clone();
        let state = Arc::new(State::new(
            model,
            document,
            document_yaml,
            settings,
            auth,
            base_url.clone(),
        ));
        tracing::info!(
            %base_url,
            operations = state.model.operations.len(),
            entity_sets = state.sets.len(),
            "mock PBX listening"
        );

        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(accept_loop(listener, Arc::clone(&state), stopped));
        Ok(MockHandle {
            state,
            addr,
            client_id,
            client_secret,
            expires_in_unit: unit,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

fn load_document(spec: SpecSource) -> Result<(serde_json::Value, Bytes), MockError> {
    match spec {
        SpecSource::Path(path) => {
            let document = xapi_spec::load(&path).map_err(|e| MockError::Load {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let is_json = path
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
            let yaml = if is_json {
                Bytes::from(serde_yaml_ng::to_string(&document.value).unwrap_or_default())
            } else {
                let bytes = std::fs::read(&path).map_err(|e| MockError::Load {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
                Bytes::from(bytes)
            };
            Ok((document.value, yaml))
        }
        SpecSource::Document(value) => {
            let yaml = Bytes::from(serde_yaml_ng::to_string(&value).unwrap_or_default());
            Ok((value, yaml))
        }
    }
}

/// A running mock. Dropping it stops the server too.
#[derive(Debug)]
pub struct MockHandle {
    state: Arc<State>,
    addr: SocketAddr,
    client_id: String,
    client_secret: String,
    expires_in_unit: ExpiresInUnit,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl MockHandle {
    /// Returns the base URL of the PBX, `http://127.0.0.1:<port>`; the API is below
    /// `/xapi/v1` and the token endpoint is `/connect/token`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Returns the bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Returns the first configured client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// Returns the secret of the first configured client.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// Returns the unit of `expires_in` in token responses.
    pub fn expires_in_unit(&self) -> ExpiresInUnit {
        self.expires_in_unit
    }

    /// Returns the fault rules; rules added through it apply to the next requests.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// Returns the request log.
    pub fn log(&self) -> &RequestLog {
        &self.state.log
    }

    /// Invalidates every issued token, as revoking the API key on a PBX does.
    pub fn revoke_tokens(&self) {
        self.state.auth.revoke_all();
        tracing::info!("all tokens revoked");
    }

    /// Returns the operationIds of the loaded document, in document order.
    pub fn operation_ids(&self) -> Vec<String> {
        self.state
            .model
            .operations
            .iter()
            .map(|op| op.id.clone())
            .collect()
    }

    /// Returns the names of the entity sets found in the document.
    pub fn entity_sets(&self) -> Vec<String> {
        self.state.model.sets.keys().cloned().collect()
    }

    /// Stops accepting connections, closes open ones and waits for the server task.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        tracing::info!(base_url = %self.state.base_url, "mock PBX stopped");
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        continue;
                    }
                };
                let state = Arc::clone(&state);
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let state = Arc::clone(&state);
                        async move { Ok::<_, Infallible>(serve(state, request).await) }
                    });
                    if let Err(error) = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await
                    {
                        tracing::debug!(%peer, %error, "connection closed with an error");
                    }
                });
            }
            // Reap finished connection tasks so the set does not grow without bound.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve(state: Arc<State>, request: Request<Incoming>) -> Response<MockBody> {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| parts.uri.path().to_owned());
    let query = parts.uri.query().map(str::to_owned);
    let raw_path = parts.uri.path();
    let method = parts.method.clone();
    let headers: Vec<(String, String)> = LOGGED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = parts.headers.get(*name)?.to_str().ok()?;
            Some(((*name).to_owned(), value.to_owned()))
        })
        .collect();

    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            let too_large = error.is::<http_body_util::LengthLimitError>();
            let reply = if too_large {
                Reply::odata_error(
                    413,
                    "PayloadTooLarge",
                    &format!("The request body exceeds {MAX_BODY_BYTES} bytes."),
                )
            } else {
                Reply::odata_error(400, "BadRequest", "The request body could not be read.")
            };
            return finish(
                &state,
                method.as_str(),
                target,
                raw_path.to_owned(),
                query,
                headers,
                Bytes::new(),
                reply,
                None,
                None,
            );
        }
    };

    let decoded = percent_encoding::percent_decode_str(raw_path).decode_utf8();
    let Ok(path) = decoded.map(|p| p.into_owned()) else {
        let reply = Reply::odata_error(
            400,
            "BadRequest",
            "The request path is not valid percent-encoded UTF-8.",
        );
        return finish(
            &state,
            method.as_str(),
            target,
            raw_path.to_owned(),
            query,
            headers,
            body,
            reply,
            None,
            None,
        );
    };

    let request = Arc::new(MockRequest {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        headers: parts.headers,
        body: body.clone(),
    });
    let outcome = app::respond(&state, request).await;
    finish(
        &state,
        method.as_str(),
        target,
        path,
        query,
        headers,
        body,
        outcome.reply,
        outcome.operation_id,
        outcome.fault,
    )
}

/// Logs the request and turns the reply into an HTTP response, applying body faults.
#[allow(clippy::too_many_arguments)]
fn finish(
    state: &State,
    method: &str,
    target: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, String)>,
    body: Bytes,
    reply: Reply,
    operation_id: Option<String>,
    fault: Option<FaultKind>,
) -> Response<MockBody> {
    tracing::debug!(method, %target, status = reply.status, operation = operation_id.as_deref(), "request");
    state.log.push(LoggedRequest {
        method: method.to_owned(),
        target,
        path,
        query,
        headers,
        body: body.to_vec(),
        status: reply.status,
        operation_id,
        fault: fault.clone(),
    });

    let full_length = reply.body.len();
    let (body, announced_length) = match fault {
        Some(FaultKind::TruncateBody { keep_bytes }) => {
            let kept = reply.body.slice(..keep_bytes.min(full_length));
            let length = kept.len();
            (MockBody::full(kept), length)
        }
        Some(FaultKind::DropConnection { after_bytes }) => {
            let sent = reply.body.slice(..after_bytes.min(full_length));
            (MockBody::dropping(sent), full_length)
        }
        _ => (MockBody::full(reply.body), full_length),
    };

    let mut response = Response::new(body);
    *response.status_mut() = hyper::StatusCode::from_u16(reply.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            headers.append(name, value);
        }
    }
    headers.insert(
        "odata-version",
        hyper::header::HeaderValue::from_static("4.0"),
    );
    headers.insert(
        "x-content-type-options",
        hyper::header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        "x-frame-options",
        hyper::header::HeaderValue::from_static("DENY"),
    );
    if reply.status != 204 && reply.status != 304 {
        headers.insert(hyper::header::CONTENT_LENGTH, announced_length.into());
    }
    response
}

/// Response body: all bytes at once, or some bytes and then an error that makes hyper
/// close the connection.
pub(crate) struct MockBody {
    data: Option<Bytes>,
    drop_after: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl MockBody {
    fn full(data: Bytes) -> MockBody {
        MockBody {
            data: Some(data),
            drop_after: None,
        }
    }

    fn dropping(data: Bytes) -> MockBody {
        MockBody {
            data: Some(data),
            drop_after: Some(Box::pin(tokio::time::sleep(DROP_FLUSH_DELAY))),
        }
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            if !data.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
        }
        if let Some(sleep) = this.drop_after.as_mut() {
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            this.drop_after = None;
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "connection dropped by an injected fault",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.as_ref().is_none_or(Bytes::is_empty) && self.drop_after.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, &self.drop_after) {
            (Some(data), None) => SizeHint::with_exact(data.len() as u64),
            (None, None) => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

use std::future::Future as _;
