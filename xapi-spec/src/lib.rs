//! Loading of 3CX XAPI OpenAPI documents.
//!
//! A 3CX V20 PBX publishes its configuration API as an OpenAPI 3.0 document at
//! `/xapi/v1/swagger.yaml`. This crate reads such a document from YAML (with YAML 1.2
//! scalar rules, so the enum member `No` stays a string) or JSON.
#![deny(missing_docs)]

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A loaded document with the facts that identify it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Document {
    /// File the document was read from.
    pub path: PathBuf,
    /// File name without its extension, used as a human-readable label.
    pub label: String,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    /// The parsed document as a JSON value.
    pub value: serde_json::Value,
}

/// Errors from loading a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or JSON.
    #[error("{path}: {message}")]
    Parse {
        /// File that failed.
        path: PathBuf,
        /// Parser message with line and column where known.
        message: String,
    },
}

/// Reads and parses the document at `path`.
pub fn load(path: &Path) -> Result<Document, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    let value: serde_json::Value = serde_yaml_ng::from_slice(&bytes).map_err(|e| Error::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    let label = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Document {
        path: path.to_owned(),
        label,
        sha256: hex_sha256(&bytes),
        value,
    })
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
