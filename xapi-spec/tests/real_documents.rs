//! Loads the real 3CX documents kept next to the workspace, if they are there.

use std::path::PathBuf;
use std::time::Instant;

use xapi_spec::{load, validate};

/// Returns `../shared/xapi-spec` relative to the workspace root, or `None` after printing a
/// notice when it is absent.
fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/xapi-spec");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: {} is absent", dir.display());
        None
    }
}

#[test]
fn real_documents_validate() {
    let Some(dir) = shared_dir() else {
        return;
    };
    // (file, openapi, paths, operations, schemas, tags)
    let expected = [
        ("xapi-2024-04.yaml", "3.0.1", 366, 469, 425, 110),
        ("xapi-20.0.5.yaml", "3.0.1", 419, 531, 488, 119),
        ("xapi-20.0.8.yaml", "3.0.4", 453, 571, 543, 126),
        ("xapi-20.0.10.yaml", "3.0.4", 480, 601, 597, 132),
    ];
    for (file, openapi, paths, operations, schemas, tags) in expected {
        let started = Instant::now();
        let document = load(&dir.join(file)).unwrap();
        let summary = validate(&document).unwrap();
        println!("{file}: loaded and validated in {:?}", started.elapsed());

        assert_eq!(summary.label, file.trim_end_matches(".yaml"), "{file}");
        assert_eq!(summary.openapi, openapi, "{file}");
        assert_eq!(summary.paths, paths, "{file}");
        assert_eq!(summary.operations, operations, "{file}");
        assert_eq!(summary.schemas, schemas, "{file}");
        assert_eq!(summary.tags, tags, "{file}");
    }
}

#[test]
fn real_enum_member_no_is_string() {
    let Some(dir) = shared_dir() else {
        return;
    };
    let document = load(&dir.join("xapi-20.0.10.yaml")).unwrap();
    let schemas = document.value["components"]["schemas"].as_object().unwrap();

    // Find the member by content so that the test names no particular schema.
    let members: Vec<&serde_json::Value> = schemas
        .values()
        .filter_map(|schema| schema.get("enum")?.as_array())
        .flatten()
        .collect();
    assert!(members.iter().any(|member| member.as_str() == Some("No")));
    assert!(!members.iter().any(|member| member.is_boolean()));
}
