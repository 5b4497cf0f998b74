//! Conversion of the document's OpenAPI 3.0 component schemas to JSON Schema (draft 2020-12).
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 5; the differences this converts are:
//! - `nullable: true` becomes a `"null"` member of `type` (or of `enum`), or an `anyOf` with
//!   `{"type": "null"}` where the schema has no `type` of its own (`$ref`, `allOf`);
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric forms;
//! - `example` becomes `examples`;
//! - references to `#/components/schemas/X` become `#/$defs/X`, and every schema reached is
//!   copied into `$defs`;
//! - `discriminator`, `xml`, `externalDocs` and `x-` extensions, which JSON Schema does not
//!   define, are dropped.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::document;

/// URI of the JSON Schema dialect the output uses.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Keywords of OpenAPI 3.0 schemas that JSON Schema does not define.
const DROPPED: [&str; 4] = ["discriminator", "xml", "externalDocs", "nullable"];

/// Returns the JSON Schema of the component schema `name`, with every schema it references in
/// `$defs`.
pub fn component(name: &str) -> Option<Value> {
    let schemas = document::component_schemas()?;
    schemas.get(name)?;

    let mut definitions = BTreeMap::new();
    let mut pending = vec![name.to_owned()];
    let mut seen = BTreeSet::new();
    while let Some(next) = pending.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        let Some(schema) = schemas.get(&next) else {
            continue;
        };
        let mut references = Vec::new();
        definitions.insert(next, convert(schema, &mut references));
        pending.extend(references);
    }

    Some(json!({
        "$schema": DIALECT,
        "title": name,
        "$ref": definition_reference(name),
        "$defs": definitions,
    }))
}

/// Returns the JSON Schema of an inline schema (a request body or response), with the schemas it
/// references in `$defs`.
pub fn inline(schema: &Value, title: &str) -> Value {
    let mut references = Vec::new();
    let root = convert(schema, &mut references);
    let mut definitions = BTreeMap::new();
    let mut seen = BTreeSet::new();
    let schemas = document::component_schemas();
    while let Some(next) = references.pop() {
        if !seen.insert(next.clone()) {
            continue;
        }
        let Some(schema) = schemas.and_then(|schemas| schemas.get(&next)) else {
            continue;
        };
        definitions.insert(next, convert(schema, &mut references));
    }

    let mut output = Map::new();
    output.insert("$schema".to_owned(), json!(DIALECT));
    output.insert("title".to_owned(), json!(title));
    match root {
        Value::Object(fields) => output.extend(fields),
        other => {
            output.insert("allOf".to_owned(), json!([other]));
        }
    }
    if !definitions.is_empty() {
        output.insert("$defs".to_owned(), json!(definitions));
    }
    Value::Object(output)
}

/// `#/$defs/<name>`, with `~` and `/` escaped as JSON Pointer requires.
fn definition_reference(name: &str) -> String {
    format!("#/$defs/{}", name.replace('~', "~0").replace('/', "~1"))
}

/// Converts one schema, appending the names of the component schemas it references.
fn convert(schema: &Value, references: &mut Vec<String>) -> Value {
    let Some(object) = schema.as_object() else {
        return schema.clone();
    };

    if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
        // In OpenAPI 3.0 the siblings of `$ref` are ignored, so only the reference is kept.
        let converted = match document::schema_name(reference) {
            Some(name) => {
                references.push(name.to_owned());
                json!({ "$ref": definition_reference(name) })
            }
            None => json!({ "$ref": reference }),
        };
        return converted;
    }

    let mut output = Map::new();
    for (key, value) in object {
        if key.starts_with("x-") || DROPPED.contains(&key.as_str()) {
            continue;
        }
        let converted = match key.as_str() {
            "properties" | "patternProperties" => convert_map(value, references),
            "items" | "not" | "additionalProperties" => convert(value, references),
            "allOf" | "anyOf" | "oneOf" => convert_list(value, references),
            "example" => {
                output.insert("examples".to_owned(), json!([value]));
                continue;
            }
            "exclusiveMinimum" | "exclusiveMaximum" => continue,
            _ => value.clone(),
        };
        output.insert(key.clone(), converted);
    }
    convert_exclusive_bounds(object, &mut output);

    let nullable = object
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if nullable {
        return make_nullable(output);
    }
    Value::Object(output)
}

fn convert_map(value: &Value, references: &mut Vec<String>) -> Value {
    match value.as_object() {
        Some(entries) => Value::Object(
            entries
                .iter()
                .map(|(name, schema)| (name.clone(), convert(schema, references)))
                .collect(),
        ),
        None => value.clone(),
    }
}

fn convert_list(value: &Value, references: &mut Vec<String>) -> Value {
    match value.as_array() {
        Some(parts) => Value::Array(parts.iter().map(|part| convert(part, references)).collect()),
        None => value.clone(),
    }
}

/// OpenAPI 3.0 writes `minimum: 0, exclusiveMinimum: true`; JSON Schema writes
/// `exclusiveMinimum: 0`.
fn convert_exclusive_bounds(source: &Map<String, Value>, output: &mut Map<String, Value>) {
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match source.get(flag) {
            Some(Value::Bool(true)) => {
                if let Some(limit) = output.remove(bound) {
                    output.insert(flag.to_owned(), limit);
                }
            }
            Some(number @ Value::Number(_)) => {
                output.insert(flag.to_owned(), number.clone());
            }
            _ => {}
        }
    }
}

/// Lets a converted schema also accept `null`.
fn make_nullable(mut output: Map<String, Value>) -> Value {
    if let Some(members) = output.get_mut("enum").and_then(Value::as_array_mut) {
        if !members.contains(&Value::Null) {
            members.push(Value::Null);
        }
    }
    match output.get("type").cloned() {
        Some(Value::String(kind)) => {
            output.insert("type".to_owned(), json!([kind, "null"]));
            Value::Object(output)
        }
        Some(Value::Array(mut kinds)) => {
            if !kinds.contains(&json!("null")) {
                kinds.push(json!("null"));
            }
            output.insert("type".to_owned(), Value::Array(kinds));
            Value::Object(output)
        }
        _ => json!({ "anyOf": [Value::Object(output), { "type": "null" }] }),
    }
}

/// Finds a component schema by name: the exact name, else the same name in another letter case,
/// else the only schema whose last dot-separated segment matches (`Thing` for `Ns.Thing`).
pub fn find_component(query: &str) -> Result<&'static str, Vec<String>> {
    let Some(schemas) = document::component_schemas() else {
        return Err(Vec::new());
    };
    if let Some((name, _)) = schemas.get_key_value(query) {
        return Ok(name.as_str());
    }
    let same_case: Vec<&String> = schemas
        .keys()
        .filter(|name| name.eq_ignore_ascii_case(query))
        .collect();
    if let [name] = same_case.as_slice() {
        return Ok(name.as_str());
    }
    let by_segment: Vec<&String> = schemas
        .keys()
        .filter(|name| {
            name.rsplit('.')
                .next()
                .is_some_and(|last| last.eq_ignore_ascii_case(query))
        })
        .collect();
    if let [name] = by_segment.as_slice() {
        return Ok(name.as_str());
    }

    let mut candidates: Vec<String> = by_segment.iter().map(|name| (*name).clone()).collect();
    if candidates.is_empty() {
        let lowered = query.to_ascii_lowercase();
        candidates = schemas
            .keys()
            .filter(|name| name.to_ascii_lowercase().contains(&lowered))
            .take(10)
            .cloned()
            .collect();
    }
    Err(candidates)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(schema: Value) -> Value {
        convert(&schema, &mut Vec::new())
    }

    #[test]
    fn nullable_type_gains_null() {
        assert_eq!(
            converted(json!({"type": "string", "nullable": true})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(
            converted(json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_reference_becomes_any_of() {
        let mut references = Vec::new();
        let schema = json!({"allOf": [{"$ref": "#/components/schemas/Pbx.X"}], "nullable": true});
        assert_eq!(
            convert(&schema, &mut references),
            json!({"anyOf": [{"allOf": [{"$ref": "#/$defs/Pbx.X"}]}, {"type": "null"}]})
        );
        assert_eq!(references, ["Pbx.X"]);
    }

    #[test]
    fn exclusive_bounds_and_examples() {
        assert_eq!(
            converted(
                json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "example": 5, "x-ms-enum": {}})
            ),
            json!({"type": "integer", "exclusiveMinimum": 0, "examples": [5]})
        );
        assert_eq!(
            converted(json!({"type": "integer", "maximum": 9, "exclusiveMaximum": false})),
            json!({"type": "integer", "maximum": 9})
        );
    }

    #[test]
    fn references_are_escaped() {
        assert_eq!(definition_reference("a/b~c"), "#/$defs/a~1b~0c");
    }
}
