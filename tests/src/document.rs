//! Lookups in the raw XAPI document: an operation by its id, its request body schema, its
//! success response and the properties of the entity it returns.

use serde_json::Value;

/// HTTP methods under which a path item can contain an operation.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Follows local `$ref` chains; returns `None` for a dangling reference or a cycle.
pub fn resolve<'d>(doc: &'d Value, mut node: &'d Value) -> Option<&'d Value> {
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => node = doc.pointer(reference.strip_prefix('#')?)?,
            None => return Some(node),
        }
    }
    None
}

/// One operation of the document.
#[derive(Debug, Clone, Copy)]
pub struct DocumentOperation<'d> {
    /// Path template.
    pub path: &'d str,
    /// HTTP method, lowercase.
    pub method: &'d str,
    /// The operation object.
    pub operation: &'d Value,
}

/// Finds the operation whose `operationId` is `operation_id`.
pub fn find_operation<'d>(doc: &'d Value, operation_id: &str) -> Option<DocumentOperation<'d>> {
    let paths = doc.get("paths")?.as_object()?;
    for (path, item) in paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            if operation.get("operationId").and_then(Value::as_str) == Some(operation_id) {
                return Some(DocumentOperation {
                    path,
                    method,
                    operation,
                });
            }
        }
    }
    None
}

/// Tells whether a media type carries JSON (`application/json`, `…+json`, with parameters).
pub fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Returns the JSON schema of the operation's request body, if it has a JSON body.
pub fn request_body_schema<'d>(doc: &'d Value, operation: &'d Value) -> Option<&'d Value> {
    let body = resolve(doc, operation.get("requestBody")?)?;
    let content = body.get("content")?.as_object()?;
    let (_, media) = content
        .iter()
        .find(|(media_type, _)| is_json_media_type(media_type))?;
    media.get("schema")
}

/// The success response an operation declares.
#[derive(Debug, Clone)]
pub struct SuccessResponse<'d> {
    /// HTTP status (the lowest 2xx code the document lists).
    pub status: u16,
    /// The first media type of the response content, if it has content.
    pub media_type: Option<&'d str>,
    /// The schema of that media type.
    pub schema: Option<&'d Value>,
}

/// Returns the operation's success response; 204 when the document lists no 2xx code.
pub fn success_response<'d>(doc: &'d Value, operation: &'d Value) -> SuccessResponse<'d> {
    let mut found = SuccessResponse {
        status: 204,
        media_type: None,
        schema: None,
    };
    let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
        return found;
    };
    let success = responses
        .iter()
        .filter_map(|(code, response)| Some((code.parse::<u16>().ok()?, response)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code);
    let Some((status, response)) = success else {
        return found;
    };
    found.status = status;
    let content = resolve(doc, response)
        .and_then(|response| response.get("content"))
        .and_then(Value::as_object);
    if let Some((media_type, media)) = content.and_then(|content| content.iter().next()) {
        found.media_type = Some(media_type);
        found.schema = media.get("schema");
    }
    found
}

/// Lists the properties of an object schema, merging `allOf` members, in document order.
pub fn object_properties<'d>(doc: &'d Value, schema: &'d Value) -> Vec<(&'d str, &'d Value)> {
    let mut properties = Vec::new();
    collect_properties(doc, schema, &mut properties, 0);
    properties
}

fn collect_properties<'d>(
    doc: &'d Value,
    schema: &'d Value,
    found: &mut Vec<(&'d str, &'d Value)>,
    depth: usize,
) {
    let Some(schema) = resolve(doc, schema) else {
        return;
    };
    if depth > 16 {
        return;
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_properties(doc, member, found, depth + 1);
    }
    let own = schema.get("properties").and_then(Value::as_object);
    for (name, property) in own.into_iter().flatten() {
        found.retain(|(existing, _)| *existing != name.as_str());
        found.push((name, property));
    }
}

/// Lists the names in an object schema's `required`, merging `allOf` members.
pub fn required_properties(doc: &Value, schema: &Value) -> Vec<String> {
    let mut required = Vec::new();
    collect_required(doc, schema, &mut required, 0);
    required
}

fn collect_required(doc: &Value, schema: &Value, found: &mut Vec<String>, depth: usize) {
    let Some(schema) = resolve(doc, schema) else {
        return;
    };
    if depth > 16 {
        return;
    }
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_required(doc, member, found, depth + 1);
    }
    let names = schema.get("required").and_then(Value::as_array);
    for name in names.into_iter().flatten().filter_map(Value::as_str) {
        if !found.iter().any(|existing| existing == name) {
            found.push(name.to_owned());
        }
    }
}

/// Returns the schema of the entities a response describes: the item schema of a collection
/// (an object whose `value` is an array), otherwise the schema itself.
pub fn entity_schema<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    let properties = object_properties(doc, schema);
    let items = properties
        .iter()
        .find(|(name, _)| *name == "value")
        .and_then(|(_, value)| resolve(doc, value))
        .filter(|value| value.get("type").and_then(Value::as_str) == Some("array"))
        .and_then(|value| value.get("items"));
    items.unwrap_or(schema)
}

/// Tells whether a property schema is `nullable: true`, directly or on its only `allOf` member.
pub fn is_nullable(doc: &Value, schema: &Value) -> bool {
    let flag = |schema: &Value| schema.get("nullable").and_then(Value::as_bool) == Some(true);
    if flag(schema) {
        return true;
    }
    let Some(resolved) = resolve(doc, schema) else {
        return false;
    };
    if flag(resolved) {
        return true;
    }
    match resolved
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([single]) => resolve(doc, single).is_some_and(flag),
        _ => false,
    }
}

/// Tells whether a property is a navigation property or contains entities (objects or arrays
/// of objects), which makes it a candidate for `$expand`.
pub fn is_expandable(doc: &Value, schema: &Value) -> bool {
    if schema
        .get("x-ms-navigationProperty")
        .and_then(Value::as_bool)
        == Some(true)
    {
        return true;
    }
    let Some(resolved) = resolve(doc, schema) else {
        return false;
    };
    let target = match resolved.get("type").and_then(Value::as_str) {
        Some("array") => resolved.get("items").and_then(|items| resolve(doc, items)),
        _ => Some(resolved),
    };
    target.is_some_and(|target| !object_properties(doc, target).is_empty())
}
