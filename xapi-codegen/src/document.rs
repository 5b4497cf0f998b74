//! Small helpers for walking an OpenAPI document held as a JSON value.

use serde_json::{Map, Value};

/// HTTP methods under which a path item holds an operation.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Follows local `$ref` chains (`#/components/...`) until a non-reference object is reached.
///
/// Returns `None` for a dangling or non-local reference.
pub fn resolve<'a>(doc: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    // A chain longer than this is a cycle of references, which the document cannot mean.
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = pointer(doc, reference)?,
            None => return Some(node),
        }
    }
    None
}

/// Looks up a local reference such as `#/components/schemas/Pbx.User`.
pub fn pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Calls `visit` for every operation: its path template, HTTP method and operation object.
pub fn for_each_operation_mut(doc: &mut Value, mut visit: impl FnMut(&str, &str, &mut Value)) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            if let Some(operation) = item.get_mut(method) {
                visit(path, method, operation);
            }
        }
    }
}

/// Lists every operation as `(path, method, operation)`.
pub fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let mut found = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    found.push((path.as_str(), method, operation));
                }
            }
        }
    }
    found
}

/// Returns the operation's parameters, with the path item's shared parameters first.
///
/// References are resolved; a parameter that cannot be resolved is skipped, because validation
/// in `xapi-spec` reports it before code generation runs.
pub fn parameters<'a>(
    doc: &'a Value,
    path_item: &'a Value,
    operation: &'a Value,
) -> Vec<&'a Value> {
    let shared = path_item.get("parameters").and_then(Value::as_array);
    let own = operation.get("parameters").and_then(Value::as_array);
    shared
        .into_iter()
        .flatten()
        .chain(own.into_iter().flatten())
        .filter_map(|parameter| resolve(doc, parameter))
        .collect()
}

/// Returns `object[key]` as an object, inserting an empty one when it is missing.
pub fn object_entry<'a>(
    object: &'a mut Map<String, Value>,
    key: &str,
) -> &'a mut Map<String, Value> {
    let entry = object
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry
        .as_object_mut()
        .expect("entry was just made an object")
}
