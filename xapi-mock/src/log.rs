//! The request log that tests assert on.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::faults::FaultKind;

/// Request headers copied into the log, lowercase.
pub(crate) const LOGGED_HEADERS: [&str; 7] = [
    "authorization",
    "content-type",
    "if-match",
    "accept",
    "user-agent",
    "prefer",
    "odata-version",
];

/// One handled request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// HTTP method, for example `GET`.
    pub method: String,
    /// Path and query exactly as received, still percent-encoded.
    pub target: String,
    /// Percent-decoded path without the query.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// Headers of interest (see `LOGGED_HEADERS` in the source), names in lowercase.
    pub headers: Vec<(String, String)>,
    /// Request body bytes.
    pub body: Vec<u8>,
    /// Status code of the response.
    pub status: u16,
    /// operationId of the matched operation, if the path matched one.
    pub operation_id: Option<String>,
    /// Fault applied to the request, if any.
    pub fault: Option<FaultKind>,
}

impl LoggedRequest {
    /// Returns the value of a logged header; `name` is matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Returns the body as text, with invalid UTF-8 replaced.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The log of a running mock, oldest entry first. Cloning shares the same log.
#[derive(Debug, Clone)]
pub struct RequestLog {
    entries: Arc<Mutex<VecDeque<LoggedRequest>>>,
    capacity: usize,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> RequestLog {
        RequestLog {
            entries: Arc::new(Mutex::new(VecDeque::new())),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<LoggedRequest>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn push(&self, entry: LoggedRequest) {
        let mut entries = self.lock();
        if entries.len() >= self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// Returns a copy of all entries.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.lock().iter().cloned().collect()
    }

    /// Returns the most recent entry.
    pub fn last(&self) -> Option<LoggedRequest> {
        self.lock().back().cloned()
    }

    /// Returns the entries routed to the operation with this operationId.
    pub fn for_operation(&self, operation_id: &str) -> Vec<LoggedRequest> {
        self.lock()
            .iter()
            .filter(|entry| entry.operation_id.as_deref() == Some(operation_id))
            .cloned()
            .collect()
    }

    /// Returns the number of entries.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Returns true when no request was logged.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Removes all entries.
    pub fn clear(&self) {
        self.lock().clear();
    }
}
