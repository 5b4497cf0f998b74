//! Configuration of a mock PBX: the builder and the settings it produces.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

/// Unit of `expires_in` in token responses.
///
/// 3CX reported minutes (`"expires_in": 60` for a one-hour token) before 20.0.9 and
/// seconds, as OAuth specifies, from 20.0.9 on. The document itself states no 3CX
/// version, so [`ExpiresInUnit::guess`] decides from its `openapi` field unless the
/// builder sets a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExpiresInUnit {
    /// `expires_in` counts minutes, as PBXs before 20.0.9 send it.
    Minutes,
    /// `expires_in` counts seconds, as PBXs from 20.0.9 on send it.
    Seconds,
}

impl ExpiresInUnit {
    /// Guesses the unit from the document.
    ///
    /// Documents with `openapi` below 3.0.4 come from 3CX releases before 20.0.6 (3CX
    /// moved from OpenAPI 3.0.1 to 3.0.4 with 20.0.6), which all send minutes. Every
    /// other document gets seconds, the current behaviour.
    // NOTE: 20.0.6 to 20.0.8 documents are OpenAPI 3.0.4, but their PBXs send minutes.
    // The guess is wrong for them, so callers that know the release set the unit.
    pub fn guess(document: &Value) -> ExpiresInUnit {
        let version = document
            .get("openapi")
            .and_then(Value::as_str)
            .unwrap_or("");
        let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let triple = (
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
            parts.next().unwrap_or(0),
        );
        if triple.0 == 3 && triple.1 == 0 && triple.2 < 4 {
            ExpiresInUnit::Minutes
        } else {
            ExpiresInUnit::Seconds
        }
    }
}

/// Source of the OpenAPI document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SpecSource {
    /// A YAML or JSON file, read with [`xapi_spec::load`].
    Path(PathBuf),
    /// An already parsed document.
    Document(Value),
}

impl From<&Path> for SpecSource {
    fn from(path: &Path) -> SpecSource {
        SpecSource::Path(path.to_owned())
    }
}

impl From<PathBuf> for SpecSource {
    fn from(path: PathBuf) -> SpecSource {
        SpecSource::Path(path)
    }
}

impl From<&str> for SpecSource {
    fn from(path: &str) -> SpecSource {
        SpecSource::Path(PathBuf::from(path))
    }
}

impl From<Value> for SpecSource {
    fn from(document: Value) -> SpecSource {
        SpecSource::Document(document)
    }
}

/// Default client id when the builder configures none.
pub const DEFAULT_CLIENT_ID: &str = "mock-client";
/// Default client secret when the builder configures none.
pub const DEFAULT_CLIENT_SECRET: &str = "mock-secret";

/// Settings of a running mock, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub rows: u64,
    pub rows_for: HashMap<String, u64>,
    pub function_rows: u64,
    pub seed: u64,
    pub clients: Vec<(String, String)>,
    pub token_lifetime: Duration,
    pub expires_in_unit: Option<ExpiresInUnit>,
    pub token_requests_per_minute: Option<u32>,
    pub top_cap: Option<u64>,
    pub top_cap_for: HashMap<String, Option<u64>>,
    pub max_unpaged_rows: u64,
    pub port: u16,
    pub log_capacity: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            rows: 25,
            rows_for: HashMap::new(),
            function_rows: 5,
            seed: 1,
            clients: Vec::new(),
            token_lifetime: Duration::from_secs(3600),
            expires_in_unit: None,
            token_requests_per_minute: Some(60),
            top_cap: Some(100),
            top_cap_for: HashMap::new(),
            max_unpaged_rows: 10_000,
            port: 0,
            log_capacity: 10_000,
        }
    }
}

impl Settings {
    /// Seeded rows of an entity set.
    pub fn rows_of(&self, set: &str) -> u64 {
        self.rows_for.get(set).copied().unwrap_or(self.rows)
    }

    /// `$top` cap of an entity set (by name) or of another collection operation (by
    /// operationId, uncapped unless configured).
    pub fn top_cap_of(&self, name: &str, is_entity_set: bool) -> Option<u64> {
        match self.top_cap_for.get(name) {
            Some(cap) => *cap,
            None if is_entity_set => self.top_cap,
            None => None,
        }
    }
}

/// Builder of a mock PBX; see [`crate::MockPbx::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct MockBuilder {
    pub(crate) spec: Option<SpecSource>,
    pub(crate) settings: Settings,
}

impl MockBuilder {
    /// Sets the OpenAPI document: a path to YAML or JSON, or a parsed `serde_json::Value`.
    pub fn spec(mut self, spec: impl Into<SpecSource>) -> Self {
        self.spec = Some(spec.into());
        self
    }

    /// Sets the number of seeded rows of every entity set (default 25).
    pub fn rows(mut self, rows: u64) -> Self {
        self.settings.rows = rows;
        self
    }

    /// Sets the number of seeded rows of one entity set, overriding [`MockBuilder::rows`].
    pub fn rows_for(mut self, set: &str, rows: u64) -> Self {
        self.settings.rows_for.insert(set.to_owned(), rows);
        self
    }

    /// Sets the number of rows returned by functions and navigation paths that return
    /// collections (default 5).
    pub fn function_rows(mut self, rows: u64) -> Self {
        self.settings.function_rows = rows;
        self
    }

    /// Sets the seed of all generated data (default 1).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }

    /// Adds accepted client credentials. Without any, the mock accepts
    /// [`DEFAULT_CLIENT_ID`] with [`DEFAULT_CLIENT_SECRET`].
    pub fn client(mut self, id: &str, secret: &str) -> Self {
        self.settings
            .clients
            .push((id.to_owned(), secret.to_owned()));
        self
    }

    /// Sets how long a token stays valid (default one hour).
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.token_lifetime = lifetime;
        self
    }

    /// Sets the unit of `expires_in`, overriding [`ExpiresInUnit::guess`].
    pub fn expires_in_unit(mut self, unit: ExpiresInUnit) -> Self {
        self.settings.expires_in_unit = Some(unit);
        self
    }

    /// Sets the maximum number of token requests per rolling minute; past it the token
    /// endpoint responds 429 with `Retry-After`. `None` removes the limit (default 60).
    // NOTE: the limit of a real PBX is not documented; 60 is a guess.
    pub fn token_requests_per_minute(mut self, limit: Option<u32>) -> Self {
        self.settings.token_requests_per_minute = limit;
        self
    }

    /// Sets the largest `$top` accepted on entity sets (default 100, as a PBX responds on
    /// `/Users`); `None` removes the cap.
    pub fn top_cap(mut self, cap: Option<u64>) -> Self {
        self.settings.top_cap = cap;
        self
    }

    /// Sets the `$top` cap of one entity set (by name) or collection-returning function
    /// (by operationId). Functions are uncapped unless set here.
    pub fn top_cap_for(mut self, name: &str, cap: Option<u64>) -> Self {
        self.settings.top_cap_for.insert(name.to_owned(), cap);
        self
    }

    /// Sets the largest number of rows a collection response without `$top` may contain;
    /// larger results are rejected with 400 (default 10,000). This bounds the memory of
    /// one response when sets are seeded with millions of rows.
    pub fn max_unpaged_rows(mut self, rows: u64) -> Self {
        self.settings.max_unpaged_rows = rows;
        self
    }

    /// Sets the port on 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.settings.port = port;
        self
    }

    /// Sets how many requests the request log keeps; older entries are dropped
    /// (default 10,000).
    pub fn log_capacity(mut self, entries: usize) -> Self {
        self.settings.log_capacity = entries;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expires_in_guess_by_openapi_version() {
        assert_eq!(
            ExpiresInUnit::guess(&json!({"openapi": "3.0.1"})),
            ExpiresInUnit::Minutes
        );
        assert_eq!(
            ExpiresInUnit::guess(&json!({"openapi": "3.0.4"})),
            ExpiresInUnit::Seconds
        );
        assert_eq!(
            ExpiresInUnit::guess(&json!({"openapi": "3.1.0"})),
            ExpiresInUnit::Seconds
        );
        assert_eq!(ExpiresInUnit::guess(&json!({})), ExpiresInUnit::Seconds);
    }
}
