//! A minimal HTTP/1.1 server on 127.0.0.1 that records each request exactly as it arrived and
//! sends back the reply the test prepared for it.
//!
//! It reads the request line, headers and a `Content-Length` or chunked body, keeps the
//! connection open between requests, and serves one prepared reply per request in order. A
//! request that arrives with no reply prepared gets 599, which no operation documents, so the
//! test reports the mismatch.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedRequest {
    /// Method, as sent.
    pub method: String,
    /// Request target as sent: the raw path and query, still percent-encoded.
    pub target: String,
    /// Headers in arrival order, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body bytes (chunked bodies are decoded).
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// Returns the raw path (the target before `?`).
    pub fn raw_path(&self) -> &str {
        self.target
            .split_once('?')
            .map_or(&self.target, |(path, _)| path)
    }

    /// Returns the raw query (the target after `?`), or `""`.
    pub fn raw_query(&self) -> &str {
        self.target.split_once('?').map_or("", |(_, query)| query)
    }

    /// Returns every value of the header `name` (case-insensitive).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(found, _)| found.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .collect()
    }
}

/// A reply the server sends for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedReply {
    /// HTTP status.
    pub status: u16,
    /// Extra headers (`Content-Length` is added).
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl PreparedReply {
    /// Builds a JSON reply.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        PreparedReply {
            status,
            headers: vec![(
                "Content-Type".to_owned(),
                "application/json; odata.metadata=minimal".to_owned(),
            )],
            body: body.to_string().into_bytes(),
        }
    }

    /// Builds a reply without a body.
    pub fn empty(status: u16) -> Self {
        PreparedReply {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    replies: VecDeque<PreparedReply>,
    requests: Vec<CapturedRequest>,
}

/// A running capture server; it stops when dropped.
#[derive(Debug)]
pub struct CaptureServer {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    accept_task: tokio::task::JoinHandle<()>,
}

impl CaptureServer {
    /// Starts a server on an ephemeral port of 127.0.0.1.
    pub async fn start() -> std::io::Result<CaptureServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let accept_state = Arc::clone(&state);
        let accept_task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = Arc::clone(&accept_state);
                tokio::spawn(async move {
                    // A connection error ends only that connection. The test then reports the
                    // missing request or reply.
                    let _ = serve_connection(stream, state).await;
                });
            }
        });
        Ok(CaptureServer {
            address,
            state,
            accept_task,
        })
    }

    /// Returns `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Queues the reply for the next request.
    pub fn prepare(&self, reply: PreparedReply) {
        self.lock().replies.push_back(reply);
    }

    /// Removes and returns every request received so far, and drops unused replies.
    pub fn take_requests(&self) -> Vec<CapturedRequest> {
        let mut state = self.lock();
        state.replies.clear();
        std::mem::take(&mut state.requests)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for CaptureServer {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

async fn serve_connection(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    loop {
        let Some(request) = read_request(&mut reader).await? else {
            return Ok(());
        };
        let reply = {
            let mut state = state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.requests.push(request);
            state.replies.pop_front()
        };
        let reply = reply.unwrap_or_else(|| PreparedReply {
            status: 599,
            headers: vec![("Content-Type".to_owned(), "text/plain".to_owned())],
            body: b"the test prepared no reply for this request".to_vec(),
        });
        write_half.write_all(&encode_reply(&reply)).await?;
        write_half.flush().await?;
    }
}

/// Reads one request; `None` when the client closed the connection between requests.
async fn read_request<R>(reader: &mut BufReader<R>) -> std::io::Result<Option<CapturedRequest>>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let mut line = String::new();
    if reader.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.trim_end().splitn(3, ' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();

    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).await?;
        let header = header.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }

    let header = |name: &str| {
        headers
            .iter()
            .find(|(found, _)| found == name)
            .map(|(_, value)| value.clone())
    };
    let chunked = header("transfer-encoding")
        .is_some_and(|value| value.to_ascii_lowercase().contains("chunked"));
    let body = if chunked {
        read_chunked(reader).await?
    } else {
        let length = header("content-length")
            .and_then(|value| value.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).await?;
        body
    };
    Ok(Some(CapturedRequest {
        method,
        target,
        headers,
        body,
    }))
}

async fn read_chunked<R>(reader: &mut BufReader<R>) -> std::io::Result<Vec<u8>>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let mut body = Vec::new();
    loop {
        let mut size_line = String::new();
        reader.read_line(&mut size_line).await?;
        let size_text = size_line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_text, 16).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("invalid chunk size line {size_line:?}"),
            )
        })?;
        if size == 0 {
            // Trailer section: header lines up to an empty line.
            loop {
                let mut trailer = String::new();
                reader.read_line(&mut trailer).await?;
                if trailer.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..]).await?;
        let mut line_end = [0; 2];
        reader.read_exact(&mut line_end).await?;
    }
}

fn encode_reply(reply: &PreparedReply) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    // A 204 reply carries no Content-Length (RFC 9110, section 8.6).
    if reply.status != 204 {
        head.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&reply.body);
    bytes
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        412 => "Precondition Failed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
