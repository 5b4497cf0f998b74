//! The XAPI document the binary was built from, embedded at build time, and the facts the
//! catalog does not carry: request body and response schemas, and the component schemas they
//! name.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value;
use xapi_client::catalog::Operation;

/// The document as compact JSON, written by the build script.
const EMBEDDED: &str = include_str!(concat!(env!("OUT_DIR"), "/xapi-document.json"));

/// Label of the embedded document (its file name without extension, or the lock's label).
pub const LABEL: &str = env!("XAPI_CLI_SPEC_LABEL");

/// Prefix of references to component schemas.
const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// HTTP methods an OpenAPI path item may hold operations under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Returns the parsed document; the first call parses it.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        // The build script wrote this text with serde_json, so it always parses.
        serde_json::from_str(EMBEDDED).expect("the embedded document is valid JSON")
    })
}

/// Returns the document's operation object for `operation_id` (exact spelling).
pub fn operation_node(operation_id: &str) -> Option<&'static Value> {
    static INDEX: OnceLock<HashMap<String, &'static Value>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        let paths = document().get("paths").and_then(Value::as_object);
        for item in paths.into_iter().flat_map(|paths| paths.values()) {
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                if let Some(id) = operation.get("operationId").and_then(Value::as_str) {
                    index.insert(id.to_owned(), operation);
                }
            }
        }
        index
    });
    index.get(operation_id).copied()
}

/// Follows `$ref` chains inside the document; a reference that does not resolve gives `None`.
pub fn resolve(node: &Value) -> Option<&Value> {
    let mut current = node;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return Some(current);
        };
        current = pointer(reference)?;
    }
    None
}

/// Looks up a local reference (`#/components/schemas/Name`).
pub fn pointer(reference: &str) -> Option<&'static Value> {
    let path = reference.strip_prefix('#')?;
    document().pointer(path)
}

/// Returns the component schema name a `$ref` points at, if it points at one.
pub fn schema_name(reference: &str) -> Option<&str> {
    reference.strip_prefix(SCHEMA_PREFIX)
}

/// Returns every component schema, by name.
pub fn component_schemas() -> Option<&'static serde_json::Map<String, Value>> {
    document()
        .pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// The request body of an operation.
pub struct Body {
    /// The JSON schema of the body.
    pub schema: &'static Value,
    /// Whether the document marks the body as required.
    pub required: bool,
}

/// Returns the request body schema of `operation`, if it takes a body.
pub fn body(operation: &Operation) -> Option<Body> {
    let node = operation_node(operation.operation_id)?;
    let request_body = resolve(node.get("requestBody")?)?;
    let schema = first_schema(request_body.get("content")?)?;
    let required = request_body
        .get("required")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Some(Body { schema, required })
}

/// The success response of an operation.
pub struct Success {
    /// The HTTP status (`200`, `201`, `204`).
    pub status: String,
    /// The schema of the body, if the response has one.
    pub schema: Option<&'static Value>,
    /// The media type of the body, if the response has one.
    pub media_type: Option<&'static str>,
}

/// Returns the first 2xx response of `operation`.
pub fn success(operation: &Operation) -> Option<Success> {
    let node = operation_node(operation.operation_id)?;
    let responses = node.get("responses")?.as_object()?;
    let (status, response) = responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))?;
    let response = resolve(response)?;
    let content = response.get("content").and_then(Value::as_object);
    let media = content.and_then(|content| content.iter().next());
    Some(Success {
        status: status.clone(),
        schema: media.and_then(|(_, media)| media.get("schema")),
        media_type: media.map(|(name, _)| name.as_str()),
    })
}

/// Prefers the `application/json` media type of a `content` map, else takes the first.
fn first_schema(content: &'static Value) -> Option<&'static Value> {
    let content = content.as_object()?;
    let media = content
        .get("application/json")
        .or_else(|| content.values().next())?;
    media.get("schema")
}

/// Describes a schema in a few words: a component name, `collection of Ns.Thing`, `string
/// (date-time)`, and so on.
pub fn describe_schema(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = schema_name(reference).unwrap_or(reference).to_owned();
        let items = collection_items(schema);
        return match items {
            Some(items) => format!("{name} (collection of {})", describe_schema(items)),
            None => name,
        };
    }
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let or_null = if nullable { " or null" } else { "" };
    if let Some(items) = collection_items(schema) {
        return format!("collection of {}{or_null}", describe_schema(items));
    }
    for combinator in ["allOf", "anyOf", "oneOf"] {
        if let Some(parts) = schema.get(combinator).and_then(Value::as_array) {
            let names: Vec<String> = parts.iter().map(describe_schema).collect();
            let joiner = if combinator == "allOf" {
                " and "
            } else {
                " or "
            };
            return format!("{}{or_null}", names.join(joiner));
        }
    }
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    let format = schema.get("format").and_then(Value::as_str);
    let described = match (kind, format) {
        ("array", _) => {
            let items = schema.get("items").map(describe_schema);
            format!("array of {}", items.as_deref().unwrap_or("any"))
        }
        ("object", _) => match schema.get("title").and_then(Value::as_str) {
            Some(title) => format!("object {title}"),
            None => "object".to_owned(),
        },
        (kind, Some(format)) => format!("{kind} ({format})"),
        (kind, None) => kind.to_owned(),
    };
    format!("{described}{or_null}")
}

/// Returns the item schema of an OData collection reply (an object with a `value` array),
/// looking through `$ref` and into the parts of an `allOf`.
pub fn collection_items(schema: &Value) -> Option<&Value> {
    let schema = resolve(schema)?;
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return parts.iter().find_map(collection_items);
    }
    let value = resolve(schema.get("properties")?.get("value")?)?;
    if value.get("type").and_then(Value::as_str) != Some("array") {
        return None;
    }
    value.get("items")
}

pub use xapi_spec::kebab_case;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case_splits_words() {
        let cases = [
            ("ActiveCalls", "active-calls"),
            ("CDRSettings", "cdr-settings"),
            ("GetLicenseStatus", "get-license-status"),
            ("E164Settings", "e164-settings"),
            ("Pbx.Misc", "pbx-misc"),
            ("listUser", "list-user"),
        ];
        for (name, expected) in cases {
            assert_eq!(kebab_case(name), expected, "{name}");
        }
    }

    #[test]
    fn embedded_document_matches_client() {
        assert_eq!(env!("XAPI_CLI_SPEC_SHA256"), xapi_client::SPEC_SHA256);
        assert_eq!(LABEL, xapi_client::SPEC_LABEL);
    }

    #[test]
    fn every_operation_is_in_the_document() {
        for operation in xapi_client::catalog::operations() {
            assert!(
                operation_node(operation.operation_id).is_some(),
                "{}",
                operation.operation_id
            );
        }
    }
}
