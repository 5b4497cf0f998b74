//! Pinning a document in a workspace: the vendored copy, the lock and the feature list.

use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use xapi_spec::{Document, Lock, Summary, LOCK_PATH, VENDOR_PATH};

use crate::features::{self, FeaturesOutcome, CLIENT_MANIFEST};

/// Record of the files that [`vendor`] wrote.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VendorReport {
    /// Counts of the vendored document.
    pub summary: Summary,
    /// The lock as written.
    pub lock: Lock,
    /// Path of the vendored copy.
    pub vendored: PathBuf,
    /// Outcome of rewriting the feature list in `xapi-client/Cargo.toml`.
    pub features: FeaturesOutcome,
}

/// Validates `document`, copies its bytes unchanged to the vendored path, writes the lock and
/// regenerates the tag feature list.
///
/// A JSON document is stored as it is, because JSON is valid YAML 1.2 and the loader detects
/// the format by content. `source` is recorded in the lock as the document's origin, and
/// `label` replaces the document's own label when given.
pub fn vendor(
    workspace_root: &Path,
    document: &Document,
    source: &str,
    label: Option<&str>,
) -> anyhow::Result<VendorReport> {
    let summary = xapi_spec::validate(document)?;
    // Compute the features before writing anything, so that a bad tag leaves the workspace as
    // it was.
    features::feature_names(&document.value)?;

    let vendored = workspace_root.join(VENDOR_PATH);
    write_atomically(&vendored, document.bytes())?;

    let lock = Lock::new(
        label.unwrap_or(&document.label),
        &summary.sha256,
        &summary.openapi,
        summary.operations,
        source,
    );
    lock.write(&workspace_root.join(LOCK_PATH))?;

    let features = update_features(workspace_root, &document.value)?;
    Ok(VendorReport {
        summary,
        lock,
        vendored,
        features,
    })
}

/// Rewrites the tag feature list in the workspace's `xapi-client/Cargo.toml` from `document`.
///
/// A missing manifest counts as one without markers.
pub fn update_features(
    workspace_root: &Path,
    document: &serde_json::Value,
) -> anyhow::Result<FeaturesOutcome> {
    let manifest = workspace_root.join(CLIENT_MANIFEST);
    if !manifest.is_file() {
        return Ok(FeaturesOutcome::NoMarkers);
    }
    Ok(features::write_features(&manifest, document)?)
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over `path`, so that an
/// interrupted run never leaves a half-written document.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let directory = path.parent().context("the vendored path has no parent")?;
    std::fs::create_dir_all(directory)
        .with_context(|| format!("cannot create {}", directory.display()))?;
    let temporary = path.with_extension("yaml.partial");
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| {
        format!(
            "cannot rename {} to {}",
            temporary.display(),
            path.display()
        )
    })
}

/// Returns how the lock records `file` as its source: relative to `workspace_root` when the two
/// share a directory below the file system root, absolute otherwise.
///
/// A relative source keeps the lock valid in every checkout that has the same neighbours, such
/// as a fresh clone with its `../shared` folder.
pub fn lock_source(workspace_root: &Path, file: &Path) -> String {
    let (Ok(root), Ok(file)) = (workspace_root.canonicalize(), file.canonicalize()) else {
        return file.display().to_string();
    };
    let root_parts: Vec<Component> = root.components().collect();
    let file_parts: Vec<Component> = file.components().collect();
    let common = root_parts
        .iter()
        .zip(&file_parts)
        .take_while(|(left, right)| left == right)
        .count();
    let shares_directory = root_parts[..common]
        .iter()
        .any(|part| matches!(part, Component::Normal(_)));
    if !shares_directory {
        return file.display().to_string();
    }

    let ups = std::iter::repeat_n("..".to_owned(), root_parts.len() - common);
    let downs = file_parts[common..]
        .iter()
        .map(|part| part.as_os_str().to_string_lossy().into_owned());
    ups.chain(downs).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_source_relative_to_sibling() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("main");
        let shared = dir.path().join("shared/xapi-spec");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::write(shared.join("doc.yaml"), "").unwrap();

        assert_eq!(
            lock_source(&root, &shared.join("doc.yaml")),
            "../shared/xapi-spec/doc.yaml"
        );
    }

    #[test]
    fn lock_source_inside_workspace() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("specs")).unwrap();
        std::fs::write(dir.path().join("specs/doc.yaml"), "").unwrap();

        assert_eq!(
            lock_source(dir.path(), &dir.path().join("specs/doc.yaml")),
            "specs/doc.yaml"
        );
    }

    #[test]
    fn lock_source_missing_file_kept_as_given() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("absent.yaml");

        assert_eq!(
            lock_source(dir.path(), &missing),
            missing.display().to_string()
        );
    }
}
