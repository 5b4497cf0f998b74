//! Generates the client for each 3CX document in `../shared/xapi-spec` and checks that every
//! operation of the document became exactly one method.

use std::collections::BTreeSet;

mod common;

use common::shared_documents;

#[test]
fn every_operation_becomes_one_method() {
    for path in shared_documents() {
        let document = xapi_spec::load(&path).expect("load");
        let summary = xapi_spec::validate(&document).expect("validate");
        let generated = xapi_codegen::generate(&document.value, &xapi_codegen::Options::new())
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));

        let documented: BTreeSet<String> = xapi_codegen::document::operations(&document.value)
            .into_iter()
            .filter_map(|(_, _, operation)| operation["operationId"].as_str().map(str::to_owned))
            .collect();
        let generated_ids: BTreeSet<String> = generated
            .surface
            .iter()
            .map(|entry| entry.operation_id.clone())
            .collect();

        println!(
            "{}: {} operations, {} methods",
            document.label,
            summary.operations,
            generated.surface.len()
        );
        assert_eq!(
            generated.surface.len(),
            summary.operations,
            "{}",
            document.label
        );
        assert_eq!(generated_ids, documented, "{}", document.label);
        assert_eq!(
            generated.operation_count, summary.operations,
            "{}",
            document.label
        );
    }
}

#[test]
fn tag_selection_keeps_only_those_operations() {
    let Some(path) = shared_documents().pop() else {
        return;
    };
    let document = xapi_spec::load(&path).expect("load");
    let by_tag = xapi_codegen::passes::operations_by_tag(&document.value);
    let (tag, operations) = by_tag.iter().next().expect("a tag");
    let options = xapi_codegen::Options::new().with_tags(Some(BTreeSet::from([tag.clone()])));
    let generated = xapi_codegen::generate(&document.value, &options).expect("generate");

    let expected: BTreeSet<&String> = operations.iter().collect();
    let actual: BTreeSet<&String> = generated
        .surface
        .iter()
        .map(|entry| &entry.operation_id)
        .collect();
    assert_eq!(actual, expected);
    assert!(
        generated.code.len() < 1_000_000,
        "a one-tag client is small: {} bytes",
        generated.code.len()
    );
}
