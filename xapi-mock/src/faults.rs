//! Fault injection: scripted failures for the next requests that match a rule.
//!
//! A test adds [`FaultRule`]s through [`Faults::add`]. Each request takes the first rule
//! whose target matches and which has uses left. A rule with `times(1)` makes exactly one
//! request fail, so "fail once, then succeed" is one rule.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Effect of a fault on the request it applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// Responds with this status instead of handling the request. 401 has an empty
    /// body and a `WWW-Authenticate` header, 429 and 503 add `Retry-After: 1`, other
    /// codes get an OData error body.
    Status(u16),
    /// Responds 429 with this `Retry-After` value in seconds.
    TooManyRequests {
        /// Value of the `Retry-After` header, in seconds.
        retry_after_secs: u64,
    },
    /// Revokes the caller's token (as an administrator revoking the API key would) and
    /// responds 401; later requests with that token get 401 too.
    RevokeToken,
    /// Waits this long, then handles the request normally.
    Delay(Duration),
    /// Handles the request, then sends only the first bytes of the body, with a
    /// `Content-Length` that matches what is sent: a complete but malformed response.
    TruncateBody {
        /// Number of body bytes sent.
        keep_bytes: usize,
    },
    /// Responds with this status and an HTML body, as a proxy in front of a PBX does.
    NonJsonBody {
        /// Status code of the HTML response.
        status: u16,
    },
    /// Handles the request, announces the full `Content-Length`, sends the first bytes
    /// of the body and then closes the connection.
    DropConnection {
        /// Number of body bytes sent before the connection is closed.
        after_bytes: usize,
    },
}

/// Selector of the requests a rule applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultTarget {
    /// Every request, including token requests.
    Any,
    /// Requests routed to the operation with this operationId.
    Operation(String),
    /// Requests whose path template (`/Users({Id})`), decoded path below `/xapi/v1`
    /// (`/Users(5)`) or full decoded path (`/connect/token`) equals this text.
    Path(String),
}

/// A scripted fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FaultRule {
    /// Requests the rule applies to.
    pub target: FaultTarget,
    /// Effect on those requests.
    pub kind: FaultKind,
    /// Uses left; `None` applies to every matching request until cleared.
    pub remaining: Option<u32>,
}

impl FaultRule {
    /// Creates a rule that applies `kind` to every request until cleared.
    pub fn new(kind: FaultKind) -> FaultRule {
        FaultRule {
            target: FaultTarget::Any,
            kind,
            remaining: None,
        }
    }

    /// Creates a rule that responds with `status`; see [`FaultKind::Status`].
    pub fn status(status: u16) -> FaultRule {
        FaultRule::new(FaultKind::Status(status))
    }

    /// Restricts the rule to one operation, by operationId.
    #[must_use]
    pub fn for_operation(mut self, operation_id: &str) -> FaultRule {
        self.target = FaultTarget::Operation(operation_id.to_owned());
        self
    }

    /// Restricts the rule to a path; see [`FaultTarget::Path`].
    #[must_use]
    pub fn for_path(mut self, path: &str) -> FaultRule {
        self.target = FaultTarget::Path(path.to_owned());
        self
    }

    /// Applies the rule to the next `n` matching requests only.
    #[must_use]
    pub fn times(mut self, n: u32) -> FaultRule {
        self.remaining = Some(n);
        self
    }

    /// Applies the rule to the next matching request only.
    #[must_use]
    pub fn once(self) -> FaultRule {
        self.times(1)
    }

    fn matches(&self, request: &FaultRequest) -> bool {
        match &self.target {
            FaultTarget::Any => true,
            FaultTarget::Operation(id) => request.operation_id == Some(id.as_str()),
            FaultTarget::Path(path) => {
                request.template == Some(path.as_str())
                    || request.service_path == Some(path.as_str())
                    || request.full_path == path
            }
        }
    }
}

/// Facts of a request that rules are matched against.
pub(crate) struct FaultRequest<'a> {
    pub operation_id: Option<&'a str>,
    pub template: Option<&'a str>,
    /// Decoded path below the service root, when the request is under it.
    pub service_path: Option<&'a str>,
    pub full_path: &'a str,
}

/// The scripted faults of a running mock. Cloning shares the same rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a rule after the existing ones.
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(rule);
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Returns the rules that still have uses left.
    pub fn pending(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    /// Takes one use of the first matching rule and returns its fault.
    pub(crate) fn take(&self, request: &FaultRequest) -> Option<FaultKind> {
        let mut rules = self.lock();
        let position = rules.iter().position(|rule| rule.matches(request))?;
        let kind = rules[position].kind.clone();
        if let Some(remaining) = &mut rules[position].remaining {
            *remaining = remaining.saturating_sub(1);
            if *remaining == 0 {
                rules.remove(position);
            }
        }
        Some(kind)
    }
}
