//! Loading, validation and pinning of 3CX XAPI OpenAPI documents.
//!
//! A 3CX V20 PBX publishes its configuration API as an OpenAPI 3.0 document at
//! `/xapi/v1/swagger.yaml`. This crate:
//!
//! - reads such a document from YAML, with YAML 1.2 scalar rules so that the enum member `No`
//!   stays a string, or from JSON ([`load`]);
//! - checks that it is OpenAPI 3.0.x, that every `$ref` resolves and that every operation has a
//!   unique operationId ([`validate`]);
//! - pins the document the build uses with a small committed lock file ([`Lock`]);
//! - finds the document for `xapi-client`'s build script ([`resolve_for_build`]);
//! - lists what changed between two documents and which changes break client code ([`diff`]).
//!
//! ```no_run
//! let document = xapi_spec::load(std::path::Path::new("swagger.yaml"))?;
//! let summary = xapi_spec::validate(&document)?;
//! println!("{} operations", summary.operations);
//! # Ok::<(), xapi_spec::Error>(())
//! ```
#![deny(missing_docs)]

mod diff;
mod error;
mod locate;
mod lock;
mod resolve;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

pub use diff::{diff, diff_values, Change, ChangeKind, Diff, Endpoint, Parameter};
pub use error::{Error, Format, Location};
pub use lock::Lock;
pub use resolve::{
    resolve, resolve_for_build, BuildSpec, Source, LOCK_PATH, SPEC_ENV, VENDOR_PATH,
};
pub use validate::{tags, validate, Summary};

/// A loaded document with the facts that identify it.
#[derive(Clone)]
#[non_exhaustive]
pub struct Document {
    /// File the document was read from.
    pub path: PathBuf,
    /// Human-readable name: the file name without its extension, or the label a lock records.
    pub label: String,
    /// Lowercase hex sha256 of the file's bytes.
    pub sha256: String,
    /// Syntax the document was parsed as.
    pub format: Format,
    /// The parsed document as a JSON value.
    pub value: serde_json::Value,
    /// The file's bytes, kept so that errors can point at lines and copies stay byte-exact.
    bytes: Arc<[u8]>,
}

impl Document {
    /// Returns the bytes the document was parsed from.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for Document {
    /// Leaves out the bytes and the parsed value, which run to megabytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("path", &self.path)
            .field("label", &self.label)
            .field("sha256", &self.sha256)
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Reads and parses the document at `path`.
///
/// The format is chosen by content, not by file name: text whose first character (after an
/// optional byte order mark and whitespace) is `{` is parsed as JSON, anything else as YAML.
pub fn load(path: &Path) -> Result<Document, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, bytes)
}

/// Parses `bytes` as a document read from `path`, which is used for the label and in errors.
pub fn parse(path: &Path, bytes: impl Into<Arc<[u8]>>) -> Result<Document, Error> {
    let bytes: Arc<[u8]> = bytes.into();
    let format = detect_format(&bytes);
    let value = match format {
        Format::Json => parse_json(path, &bytes)?,
        Format::Yaml => parse_yaml(path, &bytes)?,
    };
    let label = path
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Document {
        path: path.to_owned(),
        label,
        sha256: hex_sha256(&bytes),
        format,
        value,
        bytes,
    })
}

/// Returns the lowercase hex sha256 of `bytes`.
pub fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Converts an OpenAPI tag or operationId to kebab case (`ActiveCalls` → `active-calls`,
/// `CDRSettings` → `cdr-settings`, `GetThingById` → `get-thing-by-id`).
///
/// A new word starts at an uppercase letter after a lowercase letter or digit, and at the last
/// uppercase letter of a run that a lowercase letter follows. Characters other than ASCII
/// letters and digits become `-`. Tag feature names of `xapi-client` and the command names of
/// `xapi` are spelled this way.
pub fn kebab_case(name: &str) -> String {
    let characters: Vec<char> = name.chars().collect();
    let mut kebab = String::with_capacity(name.len() + 4);
    for (index, &character) in characters.iter().enumerate() {
        if !character.is_ascii_alphanumeric() {
            if !kebab.ends_with('-') && !kebab.is_empty() {
                kebab.push('-');
            }
            continue;
        }
        if character.is_ascii_uppercase() && index > 0 {
            let previous = characters[index - 1];
            let next_is_lower = characters
                .get(index + 1)
                .is_some_and(|next| next.is_ascii_lowercase());
            let starts_word = previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower);
            if starts_word && !kebab.ends_with('-') {
                kebab.push('-');
            }
        }
        kebab.push(character.to_ascii_lowercase());
    }
    kebab.trim_end_matches('-').to_owned()
}

fn detect_format(bytes: &[u8]) -> Format {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match text.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'{') => Format::Json,
        _ => Format::Yaml,
    }
}

fn parse_json(path: &Path, bytes: &[u8]) -> Result<serde_json::Value, Error> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    serde_json::from_slice(text).map_err(|error| {
        let location = Location::line_column(error.line(), error.column());
        Error::Parse {
            path: path.to_owned(),
            format: Format::Json,
            location,
            message: strip_suffix_location(&error.to_string(), error.line(), error.column()),
        }
    })
}

fn parse_yaml(path: &Path, bytes: &[u8]) -> Result<serde_json::Value, Error> {
    // serde_yaml_ng resolves plain scalars with YAML 1.2 core schema rules: only `true` and
    // `false` (in three spellings) are booleans, so `No`, `yes` and `off` stay strings.
    serde_yaml_ng::from_slice(bytes).map_err(|error| {
        let location = error
            .location()
            .map(|at| Location::line_column(at.line(), at.column()))
            .unwrap_or_default();
        let mut message = error.to_string();
        if let (Some(line), Some(column)) = (location.line, location.column) {
            message = strip_suffix_location(&message, line, column);
        }
        Error::Parse {
            path: path.to_owned(),
            format: Format::Yaml,
            location,
            message,
        }
    })
}

/// Removes the ` at line L column C` that both parsers append, because [`Error::Parse`] shows
/// the location in front of the message.
pub(crate) fn strip_suffix_location(message: &str, line: usize, column: usize) -> String {
    let suffix = format!(" at line {line} column {column}");
    message.strip_suffix(&suffix).unwrap_or(message).to_owned()
}
