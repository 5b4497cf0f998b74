//! Snapshots of the generated surface, one line per client method, for each 3CX document in
//! `../shared/xapi-spec`, so that a change of the generator or of a document shows up as a
//! reviewable diff of names, paths and Rust types.
//!
//! A snapshot is named after the document's label. Accept new or changed ones with
//! `cargo insta accept`, or run the test with `INSTA_UPDATE=always`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

mod common;

use common::shared_documents;

/// Loads the document at `path` and returns its label and surface lines.
fn surface(path: &Path) -> (String, Value, Vec<String>) {
    let document = xapi_spec::load(path).expect("load");
    let generated = xapi_codegen::generate(&document.value, &xapi_codegen::Options::new())
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let lines = generated.surface.iter().map(ToString::to_string).collect();
    (document.label, document.value, lines)
}

/// Collects every `description` and `summary` text of the document that has two words or
/// more, which a name, path or type never has.
fn prose(node: &Value, found: &mut BTreeSet<String>) {
    match node {
        Value::Object(members) => {
            for (key, value) in members {
                if let (true, Some(text)) =
                    (key == "description" || key == "summary", value.as_str())
                {
                    if text.trim().contains(' ') {
                        found.insert(text.trim().to_owned());
                    }
                }
                prose(value, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| prose(item, found)),
        _ => {}
    }
}

/// Fails when a surface line contains a description or summary of the document.
fn assert_no_prose(label: &str, document: &Value, lines: &[String]) {
    let mut texts = BTreeSet::new();
    prose(document, &mut texts);
    assert!(
        !texts.is_empty(),
        "{label}: the document has descriptions to check against"
    );
    for line in lines {
        if let Some(text) = texts.iter().find(|text| line.contains(text.as_str())) {
            panic!("{label}: surface line contains description text {text:?}: {line}");
        }
    }
}

#[test]
fn surface_matches_snapshot() {
    let documents = shared_documents();
    // Generation takes seconds per document, so the documents are generated in parallel and
    // compared one by one afterwards, where a mismatch names its document.
    let surfaces: Vec<(String, Value, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = documents
            .iter()
            .map(|path| scope.spawn(move || surface(path)))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("generation thread"))
            .collect()
    });

    for (label, document, lines) in surfaces {
        assert!(!lines.is_empty(), "{label}: no methods generated");
        assert_no_prose(&label, &document, &lines);
        insta::assert_snapshot!(label.clone(), lines.join("\n"));
    }
}
