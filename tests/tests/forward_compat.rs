//! A client built from one document against a mock PBX serving the pinned document: every GET
//! operation the two share must decode.
//!
//! Run with `XAPI_SPEC=<older document> cargo test -p xapi-tests`, this is a PBX upgraded past
//! the release the client was generated from: new properties, new enum members, new
//! operations. Without `XAPI_SPEC` both sides use the pinned document.

use std::path::Path;

use serde_json::Value;
use xapi_client::dynamic::{call, CallError};
use xapi_client::{Client, Error, RetryPolicy};
use xapi_tests::conformance::sample_path_arguments;
use xapi_tests::schema_sample::Variant;

/// Replaces every `{name}` in a path template with `{}`.
fn path_shape(path: &str) -> String {
    let mut shape = String::new();
    let mut in_braces = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_braces = true;
                shape.push_str("{}");
            }
            '}' => in_braces = false,
            _ if in_braces => {}
            _ => shape.push(character),
        }
    }
    shape
}

fn documented_get_paths(document: &Value) -> Vec<String> {
    let Some(paths) = document["paths"].as_object() else {
        return Vec::new();
    };
    paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| path_shape(path))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_get_operations_decode() {
    let built = xapi_tests::load_build_document().expect("the client's document");
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let pinned = match xapi_spec::resolve(&workspace_root, None) {
        Ok(pinned) => pinned.document,
        Err(error) => {
            eprintln!("skipped: no pinned document: {error}");
            return;
        }
    };
    let served_paths = documented_get_paths(&pinned.value);

    let mock = xapi_mock::MockPbx::builder()
        .spec(pinned.path.clone())
        .rows(3)
        .start()
        .await
        .expect("start the mock");
    let client = Client::builder(mock.base_url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");

    let mut decoded = 0;
    let mut answered_with_error = 0;
    let mut failures = Vec::new();
    let shared = xapi_client::catalog::operations()
        .iter()
        .filter(|operation| operation.method == "GET")
        .filter(|operation| served_paths.contains(&path_shape(operation.path)));
    for operation in shared {
        let arguments = sample_path_arguments(operation, Variant::First);
        match call(&client, operation.operation_id, &arguments).await {
            Ok(_) => decoded += 1,
            // A made-up key may name no entity; the reply is then a documented error, decoded.
            Err(CallError::Call(Error::Api { status, .. })) if (400..500).contains(&status) => {
                answered_with_error += 1
            }
            Err(error) => failures.push(format!("{}: {error}", operation.operation_id)),
        }
    }

    println!(
        "client from {} against a mock serving {}: {decoded} decoded, {answered_with_error} \
         answered with a 4xx error",
        built.label, pinned.label
    );
    for failure in failures.iter().take(30) {
        println!("  {failure}");
    }
    println!(
        "{} passed, {} failed",
        decoded + answered_with_error,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} operations failed to decode",
        failures.len()
    );
    assert!(
        decoded > answered_with_error,
        "most shared operations answer 200"
    );
}

/// Finds a property of `schema` whose values are string enum members, following `$ref` and a
/// one-member `allOf`.
fn enum_property<'d>(doc: &'d Value, schema: &'d Value) -> Option<(&'d str, Vec<String>)> {
    use xapi_tests::document::{object_properties, resolve};

    for (name, property) in object_properties(doc, schema) {
        let mut target = resolve(doc, property)?;
        if let Some([single]) = target
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            target = resolve(doc, single)?;
        }
        let members: Vec<String> = target
            .get("enum")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        if !members.is_empty() {
            return Some((name, members));
        }
    }
    None
}

#[tokio::test]
async fn unknown_enum_member_round_trips() {
    use xapi_tests::capture_server::{CaptureServer, PreparedReply};
    use xapi_tests::document::{find_operation, resolve, success_response};

    let doc = xapi_tests::load_build_document()
        .expect("the client's document")
        .value;
    let candidate = xapi_client::catalog::operations()
        .iter()
        .find_map(|operation| {
            let simple = operation.method == "GET" && operation.parameters.is_empty();
            if !simple || operation.file_response {
                return None;
            }
            let found = find_operation(&doc, operation.operation_id)?;
            let schema = resolve(&doc, success_response(&doc, found.operation).schema?)?;
            // A single entity, not a collection: its properties are at the top level.
            if xapi_tests::document::object_properties(&doc, schema)
                .iter()
                .any(|(name, _)| *name == "value")
            {
                return None;
            }
            let (property, members) = enum_property(&doc, schema)?;
            Some((operation, property.to_owned(), members))
        });
    let Some((operation, property, members)) = candidate else {
        eprintln!("skipped: no single-entity GET with an enum property in this document");
        return;
    };
    let unknown = "XapiFutureMember";
    assert!(!members.iter().any(|member| member == unknown));

    let server = CaptureServer::start().await.expect("capture server");
    let reply = serde_json::json!({ property.clone(): unknown, "XapiFutureProperty": [1, 2] });
    server.prepare(PreparedReply::json(200, &reply));
    let client = Client::builder(server.base_url())
        .bearer_token("token")
        .build()
        .expect("client");

    let decoded = call(&client, operation.operation_id, &Default::default())
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", operation.operation_id));

    let xapi_client::dynamic::Reply::Json { value, .. } = decoded else {
        panic!("expected a JSON reply");
    };
    println!(
        "{}: {property} = {unknown:?} decoded and encoded back",
        operation.operation_id
    );
    assert_eq!(
        value[property.as_str()],
        unknown,
        "{}.{property}",
        operation.operation_id
    );
    assert!(
        value.get("XapiFutureProperty").is_none(),
        "unknown properties are ignored"
    );
}
