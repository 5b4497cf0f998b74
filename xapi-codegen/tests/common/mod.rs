//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

/// Lists the YAML documents in `../shared/xapi-spec` beside the workspace, sorted by name; an
/// empty list (with a printed notice) when the folder is absent.
pub fn shared_documents() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/xapi-spec");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        eprintln!("skipped: {} is absent", folder.display());
        return Vec::new();
    };
    let mut documents: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "yaml")
        })
        .collect();
    documents.sort();
    documents
}
