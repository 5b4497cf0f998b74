//! Resolution order of the build's document and the lock check, on temporary workspaces.
//!
//! Every test passes the `XAPI_SPEC` value as a parameter to `resolve`, so no test reads or
//! sets the process environment.

use std::path::{Path, PathBuf};

use xapi_spec::{hex_sha256, resolve, Error, Lock, Source, LOCK_PATH, SPEC_ENV, VENDOR_PATH};

const PINNED: &str = "\
openapi: 3.0.1
info: {title: XAPI, version: 1.0.0}
paths:
  /Users:
    get:
      operationId: ListUser
      responses:
        '200': {description: OK}
";

const OTHER: &str = "\
openapi: 3.0.4
info: {title: XAPI, version: 1.0.0}
paths:
  /Users:
    get:
      operationId: ListUser
      responses:
        '200': {description: OK}
  /Groups:
    get:
      operationId: ListGroup
      responses:
        '200': {description: OK}
";

/// A temporary workspace root with a sibling folder standing in for `../shared/xapi-spec`.
struct Workspace {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("main");
        std::fs::create_dir_all(root.join("xapi-spec")).unwrap();
        std::fs::create_dir_all(dir.path().join("shared")).unwrap();
        Workspace { _dir: dir, root }
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn lock(&self, text: &str, source: &str) {
        Lock::new(
            "pinned-label",
            hex_sha256(text.as_bytes()),
            "3.0.1",
            1,
            source,
        )
        .write(&self.root.join(LOCK_PATH))
        .unwrap();
    }
}

#[test]
fn lock_round_trip() {
    let workspace = Workspace::new();
    let path = workspace.root.join(LOCK_PATH);
    let lock = Lock::new(
        "xapi-test",
        "ab".repeat(32),
        "3.0.4",
        601,
        "../shared/x.yaml",
    );
    lock.write(&path).unwrap();

    assert_eq!(Lock::read(&path).unwrap(), lock);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"operations\": 601"), "{text}");
    assert!(text.ends_with("}\n"), "{text}");
}

#[test]
fn invalid_lock_reports_line() {
    let workspace = Workspace::new();
    let path = workspace.write(LOCK_PATH, "{\n  \"label\": \"x\",\n  \"sha256\": 12\n}\n");
    let error = Lock::read(&path).unwrap_err();

    let Error::InvalidLock { location, .. } = &error else {
        panic!("expected Error::InvalidLock, got {error:?}");
    };
    assert_eq!(location.line, Some(3));
    assert!(error.to_string().contains("xapi.lock:3:"), "{error}");
}

#[test]
fn override_wins_without_lock_check() {
    let workspace = Workspace::new();
    workspace.write(VENDOR_PATH, PINNED);
    workspace.lock(PINNED, "../shared/pinned.yaml");
    let other = workspace.write("other.yaml", OTHER);

    let spec = resolve(&workspace.root, Some(Path::new("other.yaml"))).unwrap();

    assert_eq!(spec.source, Source::Environment(other.clone()));
    assert_eq!(spec.document.label, "other");
    assert_eq!(spec.summary.operations, 2);
    assert_eq!(spec.rerun_if_changed, vec![other]);
    assert_eq!(spec.rerun_if_env_changed, vec![SPEC_ENV]);
}

#[test]
fn override_absolute_path() {
    let workspace = Workspace::new();
    let other = workspace.write("elsewhere/doc.yaml", OTHER);

    let spec = resolve(Path::new("/nonexistent-root"), Some(&other)).unwrap();

    assert_eq!(spec.source, Source::Environment(other));
}

#[test]
fn override_invalid_document_fails() {
    let workspace = Workspace::new();
    workspace.write("broken.yaml", "swagger: '2.0'\n");

    let error = resolve(&workspace.root, Some(Path::new("broken.yaml"))).unwrap_err();

    assert!(
        matches!(error, Error::UnsupportedVersion { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("broken.yaml"), "{error}");
}

#[test]
fn vendored_copy_used_when_locked() {
    let workspace = Workspace::new();
    let vendored = workspace.write(VENDOR_PATH, PINNED);
    workspace.write("../shared/pinned.yaml", OTHER);
    workspace.lock(PINNED, "../shared/pinned.yaml");

    let spec = resolve(&workspace.root, None).unwrap();

    assert_eq!(spec.source, Source::Vendored(vendored.clone()));
    assert_eq!(spec.document.label, "pinned-label");
    assert_eq!(spec.document.sha256, hex_sha256(PINNED.as_bytes()));
    assert_eq!(
        spec.rerun_if_changed,
        vec![vendored.clone(), workspace.root.join(LOCK_PATH)]
    );
    assert_eq!(
        spec.cargo_directives(),
        vec![
            format!("cargo:rerun-if-changed={}", vendored.display()),
            format!(
                "cargo:rerun-if-changed={}",
                workspace.root.join(LOCK_PATH).display()
            ),
            "cargo:rerun-if-env-changed=XAPI_SPEC".to_owned(),
        ]
    );
}

#[test]
fn vendored_mismatch_names_fix() {
    let workspace = Workspace::new();
    let vendored = workspace.write(VENDOR_PATH, OTHER);
    workspace.lock(PINNED, "../shared/pinned.yaml");

    let error = resolve(&workspace.root, None).unwrap_err();

    let Error::LockMismatch {
        document,
        locked,
        actual_sha256,
        ..
    } = &error
    else {
        panic!("expected Error::LockMismatch, got {error:?}");
    };
    assert_eq!(document, &vendored);
    assert_eq!(locked.sha256, hex_sha256(PINNED.as_bytes()));
    assert_eq!(locked.label, "pinned-label");
    assert_eq!(actual_sha256, &hex_sha256(OTHER.as_bytes()));
    let message = error.to_string();
    let restore = format!(
        "cargo xtask spec vendor {}",
        workspace.root.join("../shared/pinned.yaml").display()
    );
    assert!(message.contains(&restore), "{message}");
    let pin = format!("cargo xtask spec vendor {}", vendored.display());
    assert!(message.contains(&pin), "{message}");
    assert!(message.contains("XAPI_SPEC"), "{message}");
}

#[test]
fn vendored_mismatch_with_url_source() {
    let workspace = Workspace::new();
    workspace.write(VENDOR_PATH, OTHER);
    workspace.lock(PINNED, "https://pbx.example.com:5001");

    let error = resolve(&workspace.root, None).unwrap_err();

    assert!(matches!(error, Error::LockMismatch { .. }), "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("cargo xtask spec pull https://pbx.example.com:5001"),
        "{message}"
    );
}

#[test]
fn vendored_without_lock_fails() {
    let workspace = Workspace::new();
    let vendored = workspace.write(VENDOR_PATH, PINNED);

    let error = resolve(&workspace.root, None).unwrap_err();

    let Error::MissingLock { document, .. } = &error else {
        panic!("expected Error::MissingLock, got {error:?}");
    };
    assert_eq!(document, &vendored);
    let message = error.to_string();
    assert!(message.contains("xapi.lock"), "{message}");
    assert!(message.contains("cargo xtask spec vendor"), "{message}");
}

#[test]
fn lock_source_used_without_vendored_copy() {
    let workspace = Workspace::new();
    workspace.write("../shared/pinned.yaml", PINNED);
    workspace.lock(PINNED, "../shared/pinned.yaml");

    let spec = resolve(&workspace.root, None).unwrap();

    let pinned = workspace.root.join("../shared/pinned.yaml");
    assert_eq!(spec.source, Source::LockSource(pinned.clone()));
    assert_eq!(spec.document.label, "pinned-label");
    assert_eq!(
        spec.rerun_if_changed,
        vec![pinned, workspace.root.join(LOCK_PATH)]
    );
}

#[test]
fn lock_source_changed_names_fix() {
    let workspace = Workspace::new();
    let pinned = workspace.write("../shared/pinned.yaml", OTHER);
    workspace.lock(PINNED, "../shared/pinned.yaml");

    let error = resolve(&workspace.root, None).unwrap_err();

    assert!(matches!(error, Error::LockMismatch { .. }), "{error:?}");
    let message = error.to_string();
    let pin = format!("cargo xtask spec vendor {}", pinned.display());
    assert!(message.contains(&pin), "{message}");
}

#[test]
fn nothing_found_names_three_places() {
    let workspace = Workspace::new();
    workspace.lock(PINNED, "../shared/pinned.yaml");

    let error = resolve(&workspace.root, None).unwrap_err();

    let Error::NotFound { tried } = &error else {
        panic!("expected Error::NotFound, got {error:?}");
    };
    assert_eq!(tried.len(), 3);
    let message = error.to_string();
    assert!(message.contains("XAPI_SPEC is not set"), "{message}");
    assert!(message.contains(VENDOR_PATH), "{message}");
    assert!(message.contains("shared/pinned.yaml"), "{message}");
    assert!(
        message.contains("cargo xtask spec vendor FILE"),
        "{message}"
    );
    assert!(message.contains("cargo xtask spec pull URL"), "{message}");
}

#[test]
fn nothing_found_without_lock() {
    let workspace = Workspace::new();

    let error = resolve(&workspace.root, None).unwrap_err();

    let Error::NotFound { tried } = &error else {
        panic!("expected Error::NotFound, got {error:?}");
    };
    assert_eq!(tried.len(), 3);
    assert!(tried[2].contains("xapi.lock does not exist"), "{tried:?}");
}

#[test]
fn url_source_without_vendored_copy() {
    let workspace = Workspace::new();
    workspace.lock(PINNED, "https://pbx.example.com");

    let error = resolve(&workspace.root, None).unwrap_err();

    let Error::NotFound { tried } = &error else {
        panic!("expected Error::NotFound, got {error:?}");
    };
    assert!(tried[2].contains("is a URL"), "{tried:?}");
}
