//! Calls every operation of the document the client was built from and checks the request on
//! the wire and the decoding of the reply.

use xapi_tests::conformance::{Harness, Pass};

/// At most this many failing operations are listed in the output.
const LISTED_FAILURES: usize = 30;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_conforms() {
    let document = xapi_tests::load_build_document().unwrap_or_else(|error| panic!("{error}"));
    let harness = Harness::start(document.value).await;

    let operations = xapi_client::catalog::operations();
    assert!(
        !operations.is_empty(),
        "the client was built with no operations"
    );

    let mut failures: Vec<(&str, Vec<String>)> = Vec::new();
    for (index, operation) in operations.iter().enumerate() {
        let mut problems = Vec::new();
        for pass in [Pass::NullsAndQuery, Pass::Values, Pass::ErrorReply] {
            for problem in harness.check(operation, pass, index).await {
                problems.push(format!("{pass:?}: {problem}"));
            }
        }
        if !problems.is_empty() {
            failures.push((operation.operation_id, problems));
        }
    }

    let failed = failures.len();
    let passed = operations.len() - failed;
    for (operation_id, problems) in failures.iter().take(LISTED_FAILURES) {
        println!("FAILED {operation_id}");
        for problem in problems {
            println!("    {problem}");
        }
    }
    if failed > LISTED_FAILURES {
        println!("… and {} more failing operations", failed - LISTED_FAILURES);
    }
    let coverage = harness.coverage();
    println!("checked: {coverage}");
    println!(
        "{}: {passed} passed, {failed} failed",
        xapi_client::SPEC_LABEL
    );

    assert_eq!(
        coverage.calls,
        3 * operations.len(),
        "every pass made its call"
    );
    assert!(coverage.path_arguments > 0, "no path argument was checked");
    assert!(coverage.json_replies > 0, "no JSON reply was checked");
    let patches_with_body = operations
        .iter()
        .filter(|operation| operation.method == "PATCH" && operation.has_body)
        .count();
    assert!(
        patches_with_body == 0 || coverage.sparse_patch_bodies > 0,
        "{patches_with_body} PATCH operations take a body, but no sparse body with a null \
         was checked"
    );
    assert_eq!(
        failed,
        0,
        "{failed} of {} operations do not conform (listed above)",
        operations.len()
    );
}
