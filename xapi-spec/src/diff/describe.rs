//! Short descriptions of schemas, compared in place of the schemas themselves.
//!
//! A description keeps what decides the generated Rust type (the referenced schema's name,
//! the JSON type and format, item and property types) and leaves out what does not
//! (`description`, `title`, `example`, bounds, patterns and lengths).

use serde_json::Value;

/// Prefix of a reference to a component schema.
const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Describes `schema`: `Pbx.User` for a reference, `integer(int32)`, `array<string>`,
/// `{Id: integer(int32), Name: string}` for an inline object, `oneOf(A | B)`, `any` for an
/// empty schema.
///
/// `nullable` is left out, because property changes report it on its own. An inline enum is
/// described as `enum<string>` without its members, which are compared one by one.
pub(crate) fn describe(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return reference_name(reference).to_owned();
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        if members.len() == 1 && schema.get("properties").is_none() {
            return describe(&members[0]);
        }
        return format!("allOf({})", join(members, ", "));
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(keyword).and_then(Value::as_array) {
            return format!("{keyword}({})", join(members, " | "));
        }
    }
    let json_type = schema.get("type").and_then(Value::as_str);
    if schema.get("enum").is_some() {
        return format!("enum<{}>", json_type.unwrap_or("any"));
    }
    match json_type {
        Some("array") => {
            let items = schema
                .get("items")
                .map_or_else(|| "any".to_owned(), describe);
            format!("array<{items}>")
        }
        Some("object") | None if is_object_like(schema) => describe_object(schema),
        Some(json_type) => with_format(json_type, schema),
        None => "any".to_owned(),
    }
}

/// Returns the name a reference points at: the schema name for `#/components/schemas/…`,
/// otherwise the last segment of the reference.
pub(crate) fn reference_name(reference: &str) -> &str {
    reference
        .strip_prefix(SCHEMA_PREFIX)
        .or_else(|| reference.rsplit('/').next())
        .unwrap_or(reference)
}

fn is_object_like(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("object")
        || schema.get("properties").is_some()
        || schema.get("additionalProperties").is_some()
}

/// Describes an inline object as `{name: type, …}` in name order, a map as `map<type>`, and
/// an object without properties as `object`.
fn describe_object(schema: &Value) -> String {
    let properties = schema.get("properties").and_then(Value::as_object);
    if let Some(properties) = properties.filter(|properties| !properties.is_empty()) {
        let mut fields: Vec<String> = properties
            .iter()
            .map(|(name, property)| format!("{name}: {}", describe(property)))
            .collect();
        fields.sort();
        return format!("{{{}}}", fields.join(", "));
    }
    match schema.get("additionalProperties") {
        Some(values @ Value::Object(_)) => format!("map<{}>", describe(values)),
        Some(Value::Bool(true)) => "map<any>".to_owned(),
        _ => "object".to_owned(),
    }
}

fn with_format(json_type: &str, schema: &Value) -> String {
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{json_type}({format})"),
        None => json_type.to_owned(),
    }
}

fn join(members: &[Value], separator: &str) -> String {
    members
        .iter()
        .map(describe)
        .collect::<Vec<_>>()
        .join(separator)
}

/// Checks whether `schema` has `nullable: true` at its top level, which is also where the
/// `allOf` wrapper of a nullable reference puts it.
pub(crate) fn is_nullable(schema: &Value) -> bool {
    schema.get("nullable").and_then(Value::as_bool) == Some(true)
}

/// Returns the members of an `enum` as text: a string as itself, any other value as JSON.
pub(crate) fn enum_members(schema: &Value) -> Vec<String> {
    let members = schema.get("enum").and_then(Value::as_array);
    members
        .into_iter()
        .flatten()
        .map(|member| match member {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect()
}
