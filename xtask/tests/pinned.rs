//! The committed lock and feature list of this workspace agree with the pinned document.

use std::path::{Path, PathBuf};

use xapi_spec::{Error, Lock, LOCK_PATH};
use xtask::features::{feature_block, feature_names, replace_feature_block, CLIENT_MANIFEST};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Resolves the pinned document as the build does, without reading `XAPI_SPEC`, or returns
/// `None` after printing a notice when no copy of it is present.
fn pinned_document() -> Option<xapi_spec::BuildSpec> {
    match xapi_spec::resolve(&workspace_root(), None) {
        Ok(spec) => Some(spec),
        Err(Error::NotFound { tried }) => {
            println!("skipped: no pinned document found ({})", tried.join("; "));
            None
        }
        Err(error) => panic!("{error}"),
    }
}

#[test]
fn lock_matches_pinned_document() {
    let Some(spec) = pinned_document() else {
        return;
    };
    let lock = Lock::read(&workspace_root().join(LOCK_PATH)).unwrap();

    assert_eq!(lock.sha256, spec.document.sha256);
    assert_eq!(lock.operations, spec.summary.operations);
    assert_eq!(lock.openapi, spec.summary.openapi);
    assert!(
        !lock.source_is_url() || !lock.source.contains('@'),
        "{}",
        lock.source
    );
}

#[test]
fn client_features_match_pinned_tags() {
    let Some(spec) = pinned_document() else {
        return;
    };
    let path = workspace_root().join(CLIENT_MANIFEST);
    let manifest = std::fs::read_to_string(&path).unwrap();
    let names = feature_names(&spec.document.value).unwrap();

    let regenerated = replace_feature_block(&manifest, &feature_block(&names), CLIENT_MANIFEST)
        .expect("xapi-client/Cargo.toml has the tag feature markers");

    assert_eq!(names.len(), spec.summary.tags);
    assert!(
        regenerated == manifest,
        "{CLIENT_MANIFEST} lists other tag features than the pinned document has; run `cargo xtask spec features`"
    );
}
