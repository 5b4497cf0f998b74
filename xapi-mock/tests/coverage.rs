//! Every GET operation of each real 3CX document gets a response other than 5xx, and every
//! JSON 200 response validates against the operation's declared response schema.

mod common;

use std::collections::HashMap;

use common::{get, shared_specs, token};
use serde_json::Value;
use xapi_mock::{MockHandle, MockPbx};

const DOCUMENTS: [&str; 4] = [
    "xapi-2024-04.yaml",
    "xapi-20.0.5.yaml",
    "xapi-20.0.8.yaml",
    "xapi-20.0.10.yaml",
];

fn deref<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => document
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(value),
        None => value,
    }
}

/// Returns a well-formed literal for a path parameter schema.
fn sample_literal(document: &Value, schema: &Value) -> String {
    let schema = deref(document, schema);
    if let Some(first) = schema
        .get("allOf")
        .or_else(|| schema.get("anyOf"))
        .and_then(|parts| parts.get(0))
    {
        return sample_literal(document, first);
    }
    if let Some(member) = schema
        .get("enum")
        .and_then(|e| e.get(0))
        .and_then(Value::as_str)
    {
        return format!("'{member}'");
    }
    match (
        schema.get("type").and_then(Value::as_str),
        schema.get("format").and_then(Value::as_str),
    ) {
        (Some("integer"), _) => "1".to_owned(),
        (Some("number"), _) => "1.5".to_owned(),
        (Some("boolean"), _) => "true".to_owned(),
        (Some("string"), Some("date-time")) => "2024-01-02T03:04:05Z".to_owned(),
        (Some("string"), Some("uuid")) => "00000000-0000-4000-8000-000000000001".to_owned(),
        _ => "'x'".to_owned(),
    }
}

/// Formats a key value read from a row as a URL literal.
fn key_literal(schema: &Value, value: &Value) -> String {
    match value {
        Value::String(text) => match schema.get("format").and_then(Value::as_str) {
            Some("uuid" | "date-time") => text.clone(),
            _ => format!("'{}'", text.replace('\'', "''")),
        },
        other => other.to_string(),
    }
}

/// Returns the declared JSON schema of the 200 response, if any.
fn success_schema<'a>(document: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let response = deref(document, op.get("responses")?.get("200")?);
    response
        .get("content")?
        .get("application/json")?
        .get("schema")
}

fn percent_encode(text: &str) -> String {
    text.replace('%', "%25")
        .replace(' ', "%20")
        .replace('+', "%2B")
        .replace('#', "%23")
        .replace('?', "%3F")
}

/// Reads one existing key of each entity set that has a list GET and a key path.
async fn sample_keys(pbx: &MockHandle, access: &str, document: &Value) -> HashMap<String, String> {
    let mut keys = HashMap::new();
    let paths = document["paths"].as_object().unwrap();
    for (path, item) in paths {
        let Some((set, rest)) = path.trim_start_matches('/').split_once('(') else {
            continue;
        };
        let Some(param) = rest.strip_prefix('{').and_then(|r| r.strip_suffix("})")) else {
            continue;
        };
        if set.contains('/') || !paths.contains_key(&format!("/{set}")) {
            continue;
        }
        let schema = item
            .as_object()
            .unwrap()
            .values()
            .filter_map(|op| op.get("parameters")?.as_array())
            .flatten()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(param))
            .and_then(|p| p.get("schema"))
            .cloned()
            .unwrap_or(Value::Null);
        let listed = get(pbx, access, &format!("/xapi/v1/{set}?$top=1")).await;
        if listed.status != 200 {
            continue;
        }
        if let Some(value) = listed.json()["value"].get(0).and_then(|row| row.get(param)) {
            keys.insert(set.to_owned(), key_literal(&schema, value));
        }
    }
    keys
}

/// Fills a path template with sample literals, using real keys where known.
fn fill_template(
    document: &Value,
    path: &str,
    op: &Value,
    keys: &HashMap<String, String>,
) -> String {
    let params: Vec<&Value> = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(|p| deref(document, p)).collect())
        .unwrap_or_default();
    let mut filled = path.to_owned();
    let first_segment = path
        .trim_start_matches('/')
        .split(['(', '/'])
        .next()
        .unwrap_or("");
    for param in params {
        if param.get("in").and_then(Value::as_str) != Some("path") {
            continue;
        }
        let name = param["name"].as_str().unwrap();
        let placeholder = format!("{{{name}}}");
        let key_position = format!("/{first_segment}({placeholder})");
        let literal = match keys.get(first_segment) {
            Some(key) if path.starts_with(&key_position) => key.clone(),
            _ => sample_literal(document, &param["schema"]),
        };
        filled = filled.replacen(&placeholder, &percent_encode(&literal), 1);
    }
    format!("/xapi/v1{filled}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_get_operation_responds() {
    let Some(dir) = shared_specs() else {
        return;
    };
    let mut total_passed = 0;
    let mut total_failed = 0;
    for file in DOCUMENTS {
        let path = dir.join(file);
        let document = xapi_spec::load(&path).expect("document loads").value;
        let pbx = MockPbx::builder()
            .spec(path.as_path())
            .rows(5)
            .function_rows(3)
            .token_requests_per_minute(None)
            .start()
            .await
            .expect("mock starts");
        let access = token(&pbx).await;
        let keys = sample_keys(&pbx, &access, &document).await;

        let mut passed = 0;
        let mut failures = Vec::new();
        let mut statuses: std::collections::BTreeMap<u16, usize> = Default::default();
        for (template, item) in document["paths"].as_object().unwrap() {
            let Some(op) = item.get("get") else {
                continue;
            };
            let target = fill_template(&document, template, op, &keys);
            let response = get(&pbx, &access, &target).await;
            let id = op["operationId"].as_str().unwrap_or(template);
            *statuses.entry(response.status).or_default() += 1;
            if response.status >= 500 {
                failures.push(format!("{id} {target}: status {}", response.status));
                continue;
            }
            let is_json = response
                .header("content-type")
                .is_some_and(|ct| ct.starts_with("application/json"));
            if response.status == 200 && is_json {
                if let Some(schema) = success_schema(&document, op) {
                    if let Err(message) =
                        xapi_mock::validate_against(&document, schema, &response.json())
                    {
                        failures.push(format!("{id} {target}: invalid response: {message}"));
                        continue;
                    }
                }
            }
            passed += 1;
        }
        println!("{file}: statuses {statuses:?}");
        println!("{file}: {passed} passed, {} failed", failures.len());
        for failure in &failures {
            println!("  {failure}");
        }
        total_passed += passed;
        total_failed += failures.len();
        pbx.shutdown().await;
    }
    println!("{total_passed} passed, {total_failed} failed");
    assert_eq!(total_failed, 0);
    assert!(total_passed > 1000, "about 300 GET operations per document");
}

#[tokio::test]
async fn swagger_yaml_is_the_original_file() {
    let Some(dir) = shared_specs() else {
        return;
    };
    let path = dir.join("xapi-20.0.10.yaml");
    let pbx = MockPbx::builder()
        .spec(path.as_path())
        .start()
        .await
        .unwrap();
    let served = common::call(&pbx, "GET", "/xapi/v1/swagger.yaml", &[], b"").await;
    assert_eq!(served.status, 200);
    assert_eq!(served.body, std::fs::read(&path).unwrap());
    let json = common::call(&pbx, "GET", "/xapi/v1/swagger.json", &[], b"").await;
    assert_eq!(json.json(), xapi_spec::load(&path).unwrap().value);
}

#[tokio::test]
async fn real_document_entity_sets_and_tokens() {
    let Some(dir) = shared_specs() else {
        return;
    };
    let old = MockPbx::builder()
        .spec(dir.join("xapi-2024-04.yaml").as_path())
        .start()
        .await
        .unwrap();
    assert_eq!(old.expires_in_unit(), xapi_mock::ExpiresInUnit::Minutes);
    let path = dir.join("xapi-20.0.10.yaml");
    let new = MockPbx::builder()
        .spec(path.as_path())
        .start()
        .await
        .unwrap();
    assert_eq!(new.expires_in_unit(), xapi_mock::ExpiresInUnit::Seconds);
    let document = xapi_spec::load(&path).unwrap().value;
    let declared: usize = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|item| {
            ["get", "post", "patch", "put", "delete"]
                .iter()
                .filter(|method| item.get(**method).is_some())
                .count()
        })
        .sum();
    assert_eq!(new.operation_ids().len(), declared);
    assert!(new.entity_sets().len() > 40);
}
