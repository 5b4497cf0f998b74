//! Single calls that check one behaviour each: header parameters, rejected query options and
//! arguments, and the decoding of file, empty and error replies. Each test picks its operation
//! from the catalog by shape, so the tests run unchanged against any document.

use serde_json::json;
use xapi_client::catalog::{operations, Operation};
use xapi_client::dynamic::{call, CallError, Reply};
use xapi_client::{Error, Query};
use xapi_tests::capture_server::PreparedReply;
use xapi_tests::conformance::{sample_path_arguments, Harness};
use xapi_tests::document::{find_operation, success_response};
use xapi_tests::schema_sample::Variant;

async fn harness() -> Harness {
    let document = xapi_tests::load_build_document().unwrap_or_else(|error| panic!("{error}"));
    Harness::start(document.value).await
}

/// Returns the first operation without a request body that satisfies `wanted`.
fn find_without_body(wanted: impl Fn(&Operation) -> bool) -> Option<&'static Operation> {
    operations()
        .iter()
        .find(|operation| !operation.has_body && wanted(operation))
}

#[tokio::test]
async fn file_reply_keeps_bytes_and_name() {
    let harness = harness().await;
    let Some(operation) = find_without_body(|operation| operation.file_response) else {
        // A document may have no file operations; then there is nothing to decode.
        return;
    };
    let body: Vec<u8> = vec![0x52, 0x49, 0xFF, 0xFE, 0x00, 0x80, b'\r', b'\n', 0xC3, 0x28];
    harness.server.prepare(PreparedReply {
        status: 200,
        headers: vec![
            ("Content-Type".to_owned(), "audio/wav".to_owned()),
            (
                "Content-Disposition".to_owned(),
                "attachment; filename=\"fallback.wav\"; \
                 filename*=UTF-8''O%27Brien%20%C3%BC%20%E2%82%AC.wav"
                    .to_owned(),
            ),
        ],
        body: body.clone(),
    });

    let arguments = sample_path_arguments(operation, Variant::First);
    let reply = call(&harness.client, operation.operation_id, &arguments)
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", operation.operation_id));

    let Reply::File { status, download } = reply else {
        panic!(
            "{}: expected a file reply, got {reply:?}",
            operation.operation_id
        );
    };
    assert_eq!(status, 200);
    assert_eq!(download.content_type.as_deref(), Some("audio/wav"));
    assert_eq!(download.file_name.as_deref(), Some("O'Brien ü €.wav"));
    assert_eq!(download.bytes().await.unwrap(), body);
}

#[tokio::test]
async fn no_content_reply_is_empty() {
    let harness = harness().await;
    let no_content = |operation: &Operation| {
        let found = find_operation(&harness.document, operation.operation_id);
        found
            .is_some_and(|found| success_response(&harness.document, found.operation).status == 204)
    };
    let operation = find_without_body(no_content).expect("the document has no 204 operation");
    harness.server.prepare(PreparedReply::empty(204));

    let arguments = sample_path_arguments(operation, Variant::First);
    let reply = call(&harness.client, operation.operation_id, &arguments).await;

    assert!(
        matches!(reply, Ok(Reply::Empty { status: 204 })),
        "{}: {reply:?}",
        operation.operation_id
    );
}

#[tokio::test]
async fn if_match_is_sent_exactly() {
    let harness = harness().await;
    let has_header = |operation: &Operation| {
        operation
            .parameters
            .iter()
            .any(|parameter| parameter.name.eq_ignore_ascii_case("If-Match"))
    };
    let Some(operation) = find_without_body(has_header) else {
        // Documents without conditional requests have no If-Match to send.
        return;
    };
    let found = find_operation(&harness.document, operation.operation_id).unwrap();
    let status = success_response(&harness.document, found.operation).status;
    harness.server.prepare(PreparedReply::empty(status));

    let etag = "W/\"datetime'2025-03-01T00%3A00%3A00Z'\"";
    let mut arguments = sample_path_arguments(operation, Variant::First);
    arguments.set("If-Match", etag);
    call(&harness.client, operation.operation_id, &arguments)
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", operation.operation_id));

    let requests = harness.server.take_requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header_values("if-match"), [etag]);
}

#[tokio::test]
async fn error_reply_decodes_odata_error() {
    let harness = harness().await;
    let operation = find_without_body(|_| true).expect("the document has no operation");
    let error = json!({
        "error": {
            "code": "NotFound",
            "message": "User 'O''Brien' ü was not found",
            "target": "Id",
            "details": [
                { "code": "Missing", "message": "no such key", "target": "Id" },
                { "code": "Hint", "message": "list the users first", "target": null }
            ]
        }
    });
    harness.server.prepare(PreparedReply::json(404, &error));

    let arguments = sample_path_arguments(operation, Variant::First);
    let result = call(&harness.client, operation.operation_id, &arguments).await;

    let Err(CallError::Call(failure)) = result else {
        panic!(
            "{}: expected a failed call, got {result:?}",
            operation.operation_id
        );
    };
    let text = failure.to_string();
    let Error::Api {
        status,
        code,
        message,
        details,
        ..
    } = failure
    else {
        panic!(
            "{}: expected Error::Api, got {failure:?}",
            operation.operation_id
        );
    };
    assert_eq!(status, 404);
    assert_eq!(code.as_deref(), Some("NotFound"));
    assert_eq!(message, "User 'O''Brien' ü was not found");
    assert_eq!(details.len(), 2);
    assert_eq!(details[0].code, "Missing");
    assert_eq!(details[0].target.as_deref(), Some("Id"));
    assert_eq!(details[1].message, "list the users first");
    assert_eq!(details[1].target, None);
    assert!(text.contains("User 'O''Brien' ü was not found"), "{text}");
}

#[tokio::test]
async fn error_reply_without_odata_body_has_status() {
    let harness = harness().await;
    let operation = find_without_body(|_| true).expect("the document has no operation");
    harness.server.prepare(PreparedReply {
        status: 500,
        headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
        body: b"<html>maintenance</html>".to_vec(),
    });

    let arguments = sample_path_arguments(operation, Variant::First);
    let result = call(&harness.client, operation.operation_id, &arguments).await;

    let Err(CallError::Call(failure)) = result else {
        panic!(
            "{}: expected a failed call, got {result:?}",
            operation.operation_id
        );
    };
    assert_eq!(failure.status(), Some(500), "{failure:?}");
    assert!(
        matches!(failure, Error::Api { code: None, .. }),
        "{failure:?}"
    );
}

#[tokio::test]
async fn unaccepted_query_option_is_not_sent() {
    let harness = harness().await;
    let Some(operation) = find_without_body(|operation| !operation.query_options.contains(&"$top"))
    else {
        return;
    };
    let client = harness.client.with_query(Query::new().top(5));

    let arguments = sample_path_arguments(operation, Variant::First);
    let result = call(&client, operation.operation_id, &arguments).await;

    assert!(
        matches!(&result, Err(CallError::Call(Error::InvalidRequest { message, .. }))
            if message.contains("$top")),
        "{}: {result:?}",
        operation.operation_id
    );
    assert!(harness.server.take_requests().is_empty());
}

#[tokio::test]
async fn missing_argument_is_not_sent() {
    let harness = harness().await;
    let required_path = |operation: &Operation| {
        operation
            .parameters
            .iter()
            .any(|parameter| parameter.location == "path" && !parameter.nullable)
    };
    let operation = find_without_body(required_path).expect("no operation has a path argument");
    let missing = operation
        .parameters
        .iter()
        .find(|parameter| parameter.location == "path" && !parameter.nullable)
        .unwrap();
    let mut arguments = sample_path_arguments(operation, Variant::First);
    arguments.values.remove(missing.name);

    let result = call(&harness.client, operation.operation_id, &arguments).await;

    assert!(
        matches!(&result, Err(CallError::MissingArgument { name, .. }) if name == missing.name),
        "{}: {result:?}",
        operation.operation_id
    );
    assert!(harness.server.take_requests().is_empty());
}
