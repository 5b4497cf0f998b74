//! The crate's error type and the source location that most errors carry.

use std::fmt;
use std::path::{Path, PathBuf};

/// Place of a problem inside a document.
///
/// `pointer` is a JSON pointer (RFC 6901) into the parsed document. `line` and `column` are
/// 1-based and come from the parser, or for validation errors from a scan of block-style YAML.
/// Either part may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// JSON pointer of the node, such as `/paths/~1Users/get/operationId`.
    pub pointer: Option<String>,
    /// 1-based line number.
    pub line: Option<usize>,
    /// 1-based column number.
    pub column: Option<usize>,
}

impl Location {
    /// Creates a location from a JSON pointer alone.
    pub fn pointer(pointer: impl Into<String>) -> Self {
        Location {
            pointer: Some(pointer.into()),
            line: None,
            column: None,
        }
    }

    /// Creates a location from a 1-based line and column alone.
    pub fn line_column(line: usize, column: usize) -> Self {
        Location {
            pointer: None,
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    /// Formats as `line 12, column 5, at /paths/~1Users`, leaving out the parts that are unknown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(line) = self.line {
            parts.push(format!("line {line}"));
        }
        if let Some(column) = self.column {
            parts.push(format!("column {column}"));
        }
        if let Some(pointer) = &self.pointer {
            parts.push(format!("at {}", display_pointer(pointer)));
        }
        if parts.is_empty() {
            f.write_str("unknown location")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// Shows the root pointer, which is the empty string, as `/`.
fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() {
        "/"
    } else {
        pointer
    }
}

/// Formats a file and a location the way compilers do: `file:line:column`, then the pointer.
struct Place<'a>(&'a Path, &'a Location);

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Place(path, location) = self;
        write!(f, "{}", path.display())?;
        if let Some(line) = location.line {
            write!(f, ":{line}")?;
            if let Some(column) = location.column {
                write!(f, ":{column}")?;
            }
        }
        if let Some(pointer) = &location.pointer {
            write!(f, " (at {})", display_pointer(pointer))?;
        }
        Ok(())
    }
}

/// Format of a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// YAML, read with YAML 1.2 scalar rules.
    Yaml,
    /// JSON.
    Json,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Yaml => "YAML",
            Format::Json => "JSON",
        })
    }
}

/// Errors from loading, validating, pinning and resolving documents.
///
/// Every message names the file and, where one is known, the location in it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },

    /// The file is not valid YAML or JSON.
    #[error(
        "{}: invalid {format}: {message}. Fix the syntax, or fetch the document again if it was cut short",
        Place(path, location)
    )]
    Parse {
        /// File that failed.
        path: PathBuf,
        /// Syntax the file was parsed as, chosen by its first character.
        format: Format,
        /// Line and column from the parser, where it gives them.
        location: Location,
        /// Parser message without its location.
        message: String,
    },

    /// The file parses, but is not an OpenAPI document at all.
    #[error(
        "{}: not an OpenAPI document: {found}. Expected a top-level `openapi: 3.0.x` field, as in the document a 3CX PBX serves at /xapi/v1/swagger.yaml",
        path.display()
    )]
    NotOpenApi {
        /// File that failed.
        path: PathBuf,
        /// Description of the file's actual content.
        found: String,
    },

    /// The document is OpenAPI or Swagger, but not version 3.0.x.
    #[error(
        "{}: {version} is not supported, only OpenAPI 3.0.x is. Use the OpenAPI 3.0 document that a 3CX PBX serves at /xapi/v1/swagger.yaml",
        Place(path, location)
    )]
    UnsupportedVersion {
        /// File that failed.
        path: PathBuf,
        /// Location of the version field.
        location: Location,
        /// The version found, such as `Swagger 2.0` or `OpenAPI 3.1.0`.
        version: String,
    },

    /// The document breaks a structural rule of OpenAPI 3.0, such as `paths` not being a map.
    #[error("{}: {message}", Place(path, location))]
    Invalid {
        /// File that failed.
        path: PathBuf,
        /// Location of the offending node.
        location: Location,
        /// Description of the problem and the expected structure.
        message: String,
    },

    /// A local `$ref` points at nothing.
    #[error(
        "{}: `$ref` {reference} does not resolve. Fix the reference or add the missing definition",
        Place(path, location)
    )]
    DanglingRef {
        /// File that failed.
        path: PathBuf,
        /// Location of the `$ref` member.
        location: Location,
        /// The reference as written.
        reference: String,
    },

    /// A `$ref` points into another file or URL.
    #[error(
        "{}: `$ref` {reference} points outside the document, and only local references (`#/...`) are supported. Bundle the referenced definitions into the document",
        Place(path, location)
    )]
    ExternalRef {
        /// File that failed.
        path: PathBuf,
        /// Location of the `$ref` member.
        location: Location,
        /// The reference as written.
        reference: String,
    },

    /// An operation has no `operationId`.
    #[error(
        "{}: operation has no operationId. Every operation needs a unique operationId, because it names the generated method",
        Place(path, location)
    )]
    MissingOperationId {
        /// File that failed.
        path: PathBuf,
        /// Location of the operation object.
        location: Location,
    },

    /// Two operations share an `operationId`.
    #[error(
        "{}: operationId {operation_id} is used twice, first {first}, then {second}. Rename one of them",
        path.display()
    )]
    DuplicateOperationId {
        /// File that failed.
        path: PathBuf,
        /// The repeated operationId.
        operation_id: String,
        /// Location of the first use.
        first: Box<Location>,
        /// Location of the second use.
        second: Box<Location>,
    },

    /// The lock file is not valid.
    #[error(
        "{}: invalid lock file: {message}. Rewrite it with `cargo xtask spec vendor FILE`",
        Place(path, location)
    )]
    InvalidLock {
        /// Lock file that failed.
        path: PathBuf,
        /// Line and column from the JSON parser.
        location: Location,
        /// Parser message.
        message: String,
    },

    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// File that failed.
        path: PathBuf,
        /// Underlying I/O error.
        source: std::io::Error,
    },

    /// A document found for the build has no lock to check it against.
    #[error(
        "{} exists, but the lock file {} does not. Run `cargo xtask spec vendor {}` to pin it, or set XAPI_SPEC to build against an unpinned document",
        document.display(), lock.display(), document.display()
    )]
    MissingLock {
        /// Document that was found.
        document: PathBuf,
        /// Lock file that is missing.
        lock: PathBuf,
    },

    /// A document found for the build is not the one the lock pins.
    #[error(
        "{} has sha256 {actual_sha256}, but {} pins {} with sha256 {}. {fix}",
        document.display(), lock_path.display(), locked.label, locked.sha256
    )]
    LockMismatch {
        /// Document that was found.
        document: PathBuf,
        /// Lock file it was checked against.
        lock_path: PathBuf,
        /// The lock's content.
        locked: Box<crate::Lock>,
        /// sha256 of the document found.
        actual_sha256: String,
        /// Commands that resolve the mismatch.
        fix: String,
    },

    /// No document was found in any of the places the build looks.
    #[error(
        "no XAPI document found. Looked in: {}. Run `cargo xtask spec vendor FILE` or `cargo xtask spec pull URL`, or set XAPI_SPEC=FILE",
        tried.join("; ")
    )]
    NotFound {
        /// Each place looked in, with why it did not apply.
        tried: Vec<String>,
    },
}
