//! The lock file that pins the document a build uses.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{Error, Location};

/// The committed record of the pinned document, stored as JSON in `xapi-spec/xapi.lock`.
///
/// The build accepts the vendored copy, or the file named by `source`, only when its sha256
/// equals `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lock {
    /// Human-readable name of the document, such as the file name it was vendored from.
    pub label: String,
    /// Lowercase hex sha256 of the document's bytes.
    pub sha256: String,
    /// Value of the document's `openapi` field.
    pub openapi: String,
    /// Number of operations in the document.
    pub operations: usize,
    /// Origin of the document: a file path, relative to the workspace root where
    /// possible, or the URL of a PBX without credentials.
    pub source: String,
}

impl Lock {
    /// Creates a lock record.
    pub fn new(
        label: impl Into<String>,
        sha256: impl Into<String>,
        openapi: impl Into<String>,
        operations: usize,
        source: impl Into<String>,
    ) -> Self {
        Lock {
            label: label.into(),
            sha256: sha256.into(),
            openapi: openapi.into(),
            operations,
            source: source.into(),
        }
    }

    /// Reads a lock file.
    pub fn read(path: &Path) -> Result<Lock, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|error| Error::InvalidLock {
            path: path.to_owned(),
            location: Location::line_column(error.line(), error.column()),
            message: crate::strip_suffix_location(&error.to_string(), error.line(), error.column()),
        })
    }

    /// Writes the lock file as pretty-printed JSON, replacing any existing one.
    ///
    /// The file is written even when its content is unchanged, because the new modification
    /// time is what makes cargo rerun `xapi-client`'s build script after a vendor or pull.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).expect("a lock serializes to JSON");
        text.push('\n');
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.to_owned(),
            source,
        })
    }

    /// Reports whether `source` is a URL rather than a file path.
    pub fn source_is_url(&self) -> bool {
        self.source.starts_with("http://") || self.source.starts_with("https://")
    }
}
