//! Finding the document that `xapi-client`'s build script generates code from.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::{hex_sha256, parse, validate, Document, Error, Lock, Summary};

/// Environment variable that names a document to build against, bypassing the lock.
pub const SPEC_ENV: &str = "XAPI_SPEC";

/// Path of the vendored document, relative to the workspace root.
///
/// `cargo xtask spec vendor` and `cargo xtask spec pull` write it, and git ignores it because
/// the document is the PBX vendor's file.
pub const VENDOR_PATH: &str = "xapi-spec/vendor/xapi.yaml";

/// Path of the committed lock file, relative to the workspace root.
pub const LOCK_PATH: &str = "xapi-spec/xapi.lock";

/// Origin of the document that [`resolve`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The file named by the `XAPI_SPEC` environment variable. The lock is not checked.
    Environment(PathBuf),
    /// The vendored copy at [`VENDOR_PATH`], checked against the lock.
    Vendored(PathBuf),
    /// The file that the lock's `source` names, checked against the lock.
    LockSource(PathBuf),
}

impl Source {
    /// Returns the document's path.
    pub fn path(&self) -> &Path {
        match self {
            Source::Environment(path) | Source::Vendored(path) | Source::LockSource(path) => path,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Environment(path) => write!(f, "{} (from {SPEC_ENV})", path.display()),
            Source::Vendored(path) => write!(f, "{} (vendored)", path.display()),
            Source::LockSource(path) => write!(f, "{} (source named by the lock)", path.display()),
        }
    }
}

/// The document a build uses, with what the build script must watch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BuildSpec {
    /// The loaded document. Its label is the lock's label unless it came from `XAPI_SPEC`.
    pub document: Document,
    /// Counts from validating the document.
    pub summary: Summary,
    /// Origin of the document.
    pub source: Source,
    /// Files whose change must rerun the build script: the document, and the lock unless the
    /// document came from `XAPI_SPEC`.
    pub rerun_if_changed: Vec<PathBuf>,
    /// Environment variables whose change must rerun the build script.
    pub rerun_if_env_changed: Vec<&'static str>,
}

impl BuildSpec {
    /// Returns the `cargo:rerun-if-…` lines a build script prints for this document.
    pub fn cargo_directives(&self) -> Vec<String> {
        let files = self
            .rerun_if_changed
            .iter()
            .map(|path| format!("cargo:rerun-if-changed={}", path.display()));
        let variables = self
            .rerun_if_env_changed
            .iter()
            .map(|name| format!("cargo:rerun-if-env-changed={name}"));
        files.chain(variables).collect()
    }
}

/// Finds the document for a build of the workspace at `workspace_root`, reading `XAPI_SPEC`.
///
/// This is [`resolve`] with the value of the `XAPI_SPEC` environment variable; an empty value
/// counts as unset.
pub fn resolve_for_build(workspace_root: &Path) -> Result<BuildSpec, Error> {
    let spec_override = std::env::var_os(SPEC_ENV).filter(|value| !value.is_empty());
    resolve(workspace_root, spec_override.as_deref().map(Path::new))
}

/// Finds, loads and validates the document for a build of the workspace at `workspace_root`.
///
/// The first of these that exists is used:
/// 1. `spec_override` (the value of `XAPI_SPEC`), relative to `workspace_root` unless
///    absolute. Any valid document is accepted and the lock is not checked.
/// 2. The vendored copy at [`VENDOR_PATH`].
/// 3. The file named by the lock's `source`, when that is a file path.
///
/// For 2 and 3 the document's sha256 must equal the lock's, and the error for a mismatch names
/// the command that fixes it. The hash is compared before the document is parsed.
pub fn resolve(workspace_root: &Path, spec_override: Option<&Path>) -> Result<BuildSpec, Error> {
    if let Some(path) = spec_override {
        let path = workspace_root.join(path);
        let document = crate::load(&path)?;
        let summary = validate(&document)?;
        return Ok(BuildSpec {
            document,
            summary,
            source: Source::Environment(path.clone()),
            rerun_if_changed: vec![path],
            rerun_if_env_changed: vec![SPEC_ENV],
        });
    }

    let vendored = workspace_root.join(VENDOR_PATH);
    let lock_path = workspace_root.join(LOCK_PATH);
    if vendored.is_file() {
        if !lock_path.is_file() {
            return Err(Error::MissingLock {
                document: vendored,
                lock: lock_path,
            });
        }
        let lock = Lock::read(&lock_path)?;
        return load_locked(
            Source::Vendored(vendored),
            &lock,
            &lock_path,
            workspace_root,
        );
    }

    let mut tried = vec![
        format!("{SPEC_ENV} is not set"),
        format!("{} does not exist", vendored.display()),
    ];
    if !lock_path.is_file() {
        tried.push(format!(
            "{} does not exist, so no source file is pinned",
            lock_path.display()
        ));
        return Err(Error::NotFound { tried });
    }
    let lock = Lock::read(&lock_path)?;
    if lock.source_is_url() {
        tried.push(format!(
            "the lock's source {} is a URL, which the build does not fetch",
            lock.source
        ));
        return Err(Error::NotFound { tried });
    }
    let pinned = workspace_root.join(&lock.source);
    if !pinned.is_file() {
        tried.push(format!(
            "{} (the lock's source) does not exist",
            pinned.display()
        ));
        return Err(Error::NotFound { tried });
    }
    load_locked(
        Source::LockSource(pinned),
        &lock,
        &lock_path,
        workspace_root,
    )
}

/// Loads the document at `source` after checking its sha256 against `lock`.
fn load_locked(
    source: Source,
    lock: &Lock,
    lock_path: &Path,
    workspace_root: &Path,
) -> Result<BuildSpec, Error> {
    let path = source.path().to_owned();
    let bytes = std::fs::read(&path).map_err(|error| Error::Read {
        path: path.clone(),
        source: error,
    })?;
    let sha256 = hex_sha256(&bytes);
    if sha256 != lock.sha256 {
        return Err(Error::LockMismatch {
            document: path.clone(),
            lock_path: lock_path.to_owned(),
            locked: Box::new(lock.clone()),
            actual_sha256: sha256,
            fix: mismatch_fix(&source, lock, workspace_root),
        });
    }

    let mut document = parse(&path, bytes)?;
    document.label = lock.label.clone();
    let summary = validate(&document)?;
    Ok(BuildSpec {
        document,
        summary,
        source,
        rerun_if_changed: vec![path, lock_path.to_owned()],
        rerun_if_env_changed: vec![SPEC_ENV],
    })
}

/// Returns the commands that resolve a mismatch between the document at `source` and `lock`.
fn mismatch_fix(source: &Source, lock: &Lock, workspace_root: &Path) -> String {
    let present = source.path().display();
    let restore = if lock.source_is_url() {
        format!("cargo xtask spec pull {}", lock.source)
    } else {
        format!(
            "cargo xtask spec vendor {}",
            workspace_root.join(&lock.source).display()
        )
    };
    match source {
        Source::LockSource(_) => format!(
            "The file changed since it was pinned. Run `cargo xtask spec vendor {present}` to pin it as it is now, or set {SPEC_ENV} to build against an unpinned document"
        ),
        _ => format!(
            "Run `{restore}` to restore the pinned document, or `cargo xtask spec vendor {present}` to pin this one, or set {SPEC_ENV} to build against an unpinned document"
        ),
    }
}
