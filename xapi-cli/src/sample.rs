//! Example values built from the document's schemas: the smallest value of each schema that
//! is valid, with only the required properties of objects.
//!
//! `xapi describe` prints one as a starting point for `--body`, and the tests send them to the
//! mock PBX.

use serde_json::{json, Map, Number, Value};

use crate::document;

/// Nesting depth past which a nullable schema gets `null` and any other schema its simplest
/// form, so that self-referencing schemas end.
const MAX_DEPTH: usize = 8;

/// Returns an example value of `schema`.
pub fn example(schema: &Value) -> Value {
    example_at(schema, 0)
}

fn example_at(schema: &Value, depth: usize) -> Value {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return match document::pointer(reference) {
            Some(target) => example_at(target, depth + 1),
            None => Value::Null,
        };
    }
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if nullable && depth >= MAX_DEPTH {
        return Value::Null;
    }
    if let Some(members) = schema.get("enum").and_then(Value::as_array) {
        if let Some(first) = members.iter().find(|member| !member.is_null()) {
            return first.clone();
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        return merge_parts(parts, depth);
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(parts) = schema.get(combinator).and_then(Value::as_array) {
            let first = parts.iter().find(|part| !is_null_schema(part));
            return first.map_or(Value::Null, |part| example_at(part, depth + 1));
        }
    }

    let kind = schema.get("type").and_then(Value::as_str);
    match kind {
        Some("object") => object(schema, depth),
        None if schema.get("properties").is_some() => object(schema, depth),
        Some("array") => array(schema, depth),
        Some("string") => string(schema),
        Some("integer") => integer(schema),
        Some("number") => number(schema),
        Some("boolean") => Value::Bool(false),
        _ => Value::Null,
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// Merges the examples of the parts of an `allOf`: objects by property, anything else by
/// taking the first part's example.
fn merge_parts(parts: &[Value], depth: usize) -> Value {
    let mut merged = Map::new();
    let mut first_other = None;
    for part in parts {
        match example_at(part, depth + 1) {
            Value::Object(fields) => merged.extend(fields),
            other => {
                first_other.get_or_insert(other);
            }
        }
    }
    match (merged.is_empty(), first_other) {
        (true, Some(other)) => other,
        _ => Value::Object(merged),
    }
}

fn object(schema: &Value, depth: usize) -> Value {
    let mut fields = Map::new();
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    let properties = schema.get("properties");
    for name in required {
        let value = properties
            .and_then(|properties| properties.get(name))
            .map_or(Value::Null, |property| example_at(property, depth + 1));
        fields.insert(name.to_owned(), value);
    }
    Value::Object(fields)
}

fn array(schema: &Value, depth: usize) -> Value {
    let minimum = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
    let item = schema
        .get("items")
        .map_or(Value::Null, |items| example_at(items, depth + 1));
    Value::Array(vec![item; minimum as usize])
}

/// Returns a string valid for the formats (and the patterns that go with them) XAPI documents
/// use.
fn string(schema: &Value) -> Value {
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let text = match format.to_ascii_lowercase().as_str() {
        "date-time" => "2025-01-01T00:00:00Z".to_owned(),
        "date" => "2025-01-01".to_owned(),
        "time" => "00:00:00".to_owned(),
        "duration" => "PT1H".to_owned(),
        "uuid" => "00000000-0000-0000-0000-000000000001".to_owned(),
        "byte" => "AA==".to_owned(),
        _ => "example".to_owned(),
    };
    let min_length = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max_length = schema.get("maxLength").and_then(Value::as_u64);
    let mut text = text;
    while text.chars().count() < min_length {
        text.push('x');
    }
    if let Some(max) = max_length {
        text = text.chars().take(max as usize).collect();
    }
    Value::String(text)
}

fn integer(schema: &Value) -> Value {
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    let maximum = schema.get("maximum").and_then(Value::as_f64);
    let mut value: i64 = 0;
    if let Some(minimum) = minimum {
        value = value.max(minimum.ceil() as i64);
    }
    if let Some(maximum) = maximum {
        value = value.min(maximum.floor() as i64);
    }
    json!(value)
}

fn number(schema: &Value) -> Value {
    let minimum = schema.get("minimum").and_then(Value::as_f64);
    let maximum = schema.get("maximum").and_then(Value::as_f64);
    let mut value = 0.0_f64;
    if let Some(minimum) = minimum {
        value = value.max(minimum);
    }
    if let Some(maximum) = maximum {
        value = value.min(maximum);
    }
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_get_required_properties_only() {
        let schema = json!({
            "type": "object",
            "required": ["Id", "When"],
            "properties": {
                "Id": {"type": "integer", "format": "int32", "minimum": 1},
                "When": {"type": "string", "format": "date-time"},
                "Note": {"type": "string"}
            }
        });
        assert_eq!(
            example(&schema),
            json!({"Id": 1, "When": "2025-01-01T00:00:00Z"})
        );
    }

    #[test]
    fn enums_and_nullable_alternatives() {
        assert_eq!(
            example(&json!({"type": "string", "enum": [null, "No", "Yes"]})),
            json!("No")
        );
        assert_eq!(
            example(&json!({"anyOf": [{"type": "null"}, {"type": "boolean"}]})),
            json!(false)
        );
    }

    #[test]
    fn string_lengths_are_kept() {
        assert_eq!(
            example(&json!({"type": "string", "maxLength": 3})),
            json!("exa")
        );
        assert_eq!(
            example(&json!({"type": "string", "minLength": 9})),
            json!("examplexx")
        );
    }
}
