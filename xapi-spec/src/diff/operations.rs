//! Comparison of the operations under `paths`.

use std::collections::BTreeMap;

use serde_json::Value;

use super::describe::describe;
use super::{Change, Endpoint, Parameter};

/// HTTP methods under which an OpenAPI 3.0 path item contains an operation.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation with the path item it sits in.
struct Operation<'a> {
    endpoint: Endpoint,
    path_item: &'a Value,
    operation: &'a Value,
}

/// Returns the changes to operations: added, removed, renamed and moved operations, then the
/// parameter, request body and response changes of each operation both documents have.
pub(super) fn compare(old_document: &Value, new_document: &Value) -> Vec<Change> {
    let old = operations(old_document);
    let new = operations(new_document);
    let renames = find_renames(&old, &new);

    let mut changes = Vec::new();
    for (id, operation) in &new {
        if !old.contains_key(id) && !renames.contains_key(id) {
            changes.push(Change::OperationAdded {
                operation: operation.endpoint.clone(),
            });
        }
    }
    for (id, operation) in &old {
        let renamed = renames.values().any(|old_id| old_id == id);
        if !new.contains_key(id) && !renamed {
            changes.push(Change::OperationRemoved {
                operation: operation.endpoint.clone(),
            });
        }
    }
    for (new_id, old_id) in &renames {
        changes.push(Change::OperationRenamed {
            old_id: old_id.clone(),
            operation: new[new_id].endpoint.clone(),
        });
    }
    for (id, operation) in &new {
        if let Some(before) = old.get(id) {
            changes.extend(moved(before, operation));
        }
    }

    let pairs = new.iter().filter_map(|(id, operation)| {
        let old_id = renames.get(id).unwrap_or(id);
        old.get(old_id).map(|before| (before, operation))
    });
    for (before, after) in pairs {
        changes.extend(compare_parameters(
            old_document,
            new_document,
            before,
            after,
        ));
        changes.extend(compare_bodies(old_document, new_document, before, after));
    }
    changes
}

/// Lists the operations that have an operationId, by operationId.
fn operations(document: &Value) -> BTreeMap<String, Operation<'_>> {
    let mut found = BTreeMap::new();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, path_item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(operation) = path_item.get(method) else {
                continue;
            };
            let Some(id) = operation.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let endpoint = Endpoint {
                operation_id: id.to_owned(),
                method: method.to_ascii_uppercase(),
                path: path.clone(),
            };
            found.insert(
                id.to_owned(),
                Operation {
                    endpoint,
                    path_item,
                    operation,
                },
            );
        }
    }
    found
}

/// Pairs each operationId that only `new` has with the operationId that only `old` has under
/// the same method and path shape, returning new → old.
///
/// The shape ignores parameter names (`/Users({Id})` and `/Users({key})` match), because
/// OpenAPI treats templates that differ only in those names as the same path.
fn find_renames(
    old: &BTreeMap<String, Operation<'_>>,
    new: &BTreeMap<String, Operation<'_>>,
) -> BTreeMap<String, String> {
    let vanished: BTreeMap<(String, String), &String> = old
        .iter()
        .filter(|(id, _)| !new.contains_key(*id))
        .map(|(id, operation)| (shape_key(&operation.endpoint), id))
        .collect();
    new.iter()
        .filter(|(id, _)| !old.contains_key(*id))
        .filter_map(|(id, operation)| {
            let old_id = vanished.get(&shape_key(&operation.endpoint))?;
            Some((id.clone(), (*old_id).clone()))
        })
        .collect()
}

fn shape_key(endpoint: &Endpoint) -> (String, String) {
    (endpoint.method.clone(), path_shape(&endpoint.path))
}

/// Replaces every `{name}` in a path template with `{}`.
pub(crate) fn path_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
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

/// Reports an operation whose method or path template changed under the same operationId.
fn moved(before: &Operation<'_>, after: &Operation<'_>) -> Option<Change> {
    let same = before.endpoint.method == after.endpoint.method
        && before.endpoint.path == after.endpoint.path;
    (!same).then(|| Change::OperationMoved {
        operation: after.endpoint.clone(),
        old_method: before.endpoint.method.clone(),
        old_path: before.endpoint.path.clone(),
    })
}

/// Compares parameters by location and name.
fn compare_parameters(
    old_document: &Value,
    new_document: &Value,
    before: &Operation<'_>,
    after: &Operation<'_>,
) -> Vec<Change> {
    let old = parameters(old_document, before);
    let new = parameters(new_document, after);
    let operation_id = &after.endpoint.operation_id;
    let mut changes = Vec::new();

    for (key, parameter) in &new {
        let Some(previous) = old.get(key) else {
            changes.push(Change::ParameterAdded {
                operation_id: operation_id.clone(),
                parameter: parameter.clone(),
            });
            continue;
        };
        if previous.type_name != parameter.type_name {
            changes.push(Change::ParameterRetyped {
                operation_id: operation_id.clone(),
                parameter: parameter.clone(),
                old_type: previous.type_name.clone(),
            });
        }
        if previous.required != parameter.required {
            changes.push(Change::ParameterRequiredChanged {
                operation_id: operation_id.clone(),
                parameter: parameter.clone(),
            });
        }
    }
    for (key, parameter) in &old {
        if !new.contains_key(key) {
            changes.push(Change::ParameterRemoved {
                operation_id: operation_id.clone(),
                parameter: parameter.clone(),
            });
        }
    }
    changes
}

/// Returns an operation's parameters by (location, name), the path item's shared ones
/// overridden by the operation's own, as OpenAPI specifies.
fn parameters(
    document: &Value,
    operation: &Operation<'_>,
) -> BTreeMap<(String, String), Parameter> {
    let shared = operation
        .path_item
        .get("parameters")
        .and_then(Value::as_array);
    let own = operation
        .operation
        .get("parameters")
        .and_then(Value::as_array);
    let mut found = BTreeMap::new();
    for parameter in shared.into_iter().chain(own).flatten() {
        let parameter = resolve(document, parameter);
        let name = text(parameter, "name");
        let location = text(parameter, "in");
        let schema = parameter.get("schema");
        let facts = Parameter {
            name: name.clone(),
            location: location.clone(),
            type_name: schema.map_or_else(|| "any".to_owned(), describe),
            required: parameter.get("required").and_then(Value::as_bool) == Some(true),
        };
        found.insert((location, name), facts);
    }
    found
}

/// Compares the request body and the success response.
fn compare_bodies(
    old_document: &Value,
    new_document: &Value,
    before: &Operation<'_>,
    after: &Operation<'_>,
) -> Vec<Change> {
    let operation_id = &after.endpoint.operation_id;
    let mut changes = Vec::new();

    let old_body = request_body(old_document, before.operation);
    let new_body = request_body(new_document, after.operation);
    if old_body != new_body {
        changes.push(Change::RequestBodyChanged {
            operation_id: operation_id.clone(),
            old_type: old_body,
            new_type: new_body,
        });
    }

    let old_response = success_type(old_document, before.operation);
    let new_response = success_type(new_document, after.operation);
    if old_response != new_response {
        changes.push(Change::ResponseChanged {
            operation_id: operation_id.clone(),
            old_type: old_response,
            new_type: new_response,
        });
    }
    changes
}

/// Describes the request body, or returns `None` when the operation has none.
fn request_body(document: &Value, operation: &Value) -> Option<String> {
    let body = resolve(document, operation.get("requestBody")?);
    Some(describe_content(body))
}

/// Describes the first 2xx response in status order: its type, `no content`, or `none` when
/// the operation declares no 2xx response.
fn success_type(document: &Value, operation: &Value) -> String {
    let responses = operation.get("responses").and_then(Value::as_object);
    let success = responses
        .into_iter()
        .flatten()
        .filter(|(status, _)| status.starts_with('2'))
        .min_by(|(a, _), (b, _)| a.cmp(b));
    match success {
        Some((_, response)) => describe_content(resolve(document, response)),
        None => "none".to_owned(),
    }
}

/// Describes the schema of a request body or response: the `application/json` one if
/// present, else that of the media type first in alphabetical order, prefixed with it.
fn describe_content(body: &Value) -> String {
    let content = body.get("content").and_then(Value::as_object);
    let Some(content) = content.filter(|content| !content.is_empty()) else {
        return "no content".to_owned();
    };
    if let Some(media) = content.get("application/json") {
        return media
            .get("schema")
            .map_or_else(|| "any".to_owned(), describe);
    }
    let (media_type, media) = content
        .iter()
        .min_by(|(a, _), (b, _)| a.cmp(b))
        .expect("content is not empty");
    let schema = media
        .get("schema")
        .map_or_else(|| "any".to_owned(), describe);
    format!("{media_type}: {schema}")
}

/// Follows a local `$ref` (to a parameter, request body or response) until a non-reference
/// node, returning the last node reached when a reference does not resolve.
fn resolve<'a>(document: &'a Value, mut node: &'a Value) -> &'a Value {
    // A longer chain is a cycle of references, which validation rejects.
    for _ in 0..32 {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return node;
        };
        let target = reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer));
        match target {
            Some(target) => node = target,
            None => return node,
        }
    }
    node
}

fn text(node: &Value, key: &str) -> String {
    node.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}
