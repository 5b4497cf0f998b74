//! Comparison of the schemas under `components/schemas`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::describe::{describe, enum_members, is_nullable, reference_name};
use super::Change;

/// Returns the changes to component schemas: added and removed schemas, then the base,
/// property and enum member changes of each schema both documents have.
pub(super) fn compare(old_document: &Value, new_document: &Value) -> Vec<Change> {
    let empty = Map::new();
    let old = schemas(old_document).unwrap_or(&empty);
    let new = schemas(new_document).unwrap_or(&empty);

    let mut changes = Vec::new();
    for name in new.keys().filter(|name| !old.contains_key(*name)) {
        changes.push(Change::SchemaAdded {
            schema: name.clone(),
        });
    }
    for name in old.keys().filter(|name| !new.contains_key(*name)) {
        changes.push(Change::SchemaRemoved {
            schema: name.clone(),
        });
    }
    for (name, after) in new {
        if let Some(before) = old.get(name) {
            changes.extend(compare_bases(name, before, after));
            changes.extend(compare_properties(name, before, after));
            changes.extend(compare_members(name, None, before, after));
        }
    }
    changes
}

fn schemas(document: &Value) -> Option<&Map<String, Value>> {
    document.pointer("/components/schemas")?.as_object()
}

/// Reports a change of the schemas that `allOf` references, compared as sets.
fn compare_bases(name: &str, before: &Value, after: &Value) -> Option<Change> {
    let old_bases = bases(before);
    let new_bases = bases(after);
    let old_set: BTreeSet<&String> = old_bases.iter().collect();
    let new_set: BTreeSet<&String> = new_bases.iter().collect();
    (old_set != new_set).then(|| Change::SchemaBasesChanged {
        schema: name.to_owned(),
        old_bases,
        new_bases,
    })
}

/// Returns the names of the schemas that the `allOf` members of `schema` reference.
fn bases(schema: &Value) -> Vec<String> {
    all_of(schema)
        .filter_map(|member| member.get("$ref").and_then(Value::as_str))
        .map(|reference| reference_name(reference).to_owned())
        .collect()
}

fn all_of(schema: &Value) -> impl Iterator<Item = &Value> {
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// The properties a schema declares itself and the names it lists as required.
struct Declared<'a> {
    properties: BTreeMap<&'a str, &'a Value>,
    required: BTreeSet<&'a str>,
}

/// Collects the properties and `required` names of `schema` and of its inline `allOf`
/// members, which is how XAPI documents declare the properties a derived schema adds.
fn declared(schema: &Value) -> Declared<'_> {
    let mut declared = Declared {
        properties: BTreeMap::new(),
        required: BTreeSet::new(),
    };
    let inline = all_of(schema).filter(|member| member.get("$ref").is_none());
    for part in std::iter::once(schema).chain(inline) {
        if let Some(properties) = part.get("properties").and_then(Value::as_object) {
            for (name, property) in properties {
                declared.properties.insert(name.as_str(), property);
            }
        }
        let required = part.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            declared.required.insert(name);
        }
    }
    declared
}

/// Compares the declared properties of one schema.
fn compare_properties(name: &str, before: &Value, after: &Value) -> Vec<Change> {
    let old = declared(before);
    let new = declared(after);
    let mut changes = Vec::new();
    for (property, schema) in &new.properties {
        let required = new.required.contains(property);
        match old.properties.get(property) {
            None => changes.push(Change::PropertyAdded {
                schema: name.to_owned(),
                property: (*property).to_owned(),
                type_name: describe(schema),
                required,
            }),
            Some(previous) => {
                let was_required = old.required.contains(property);
                let facts = PropertyPair {
                    schema: name,
                    property,
                    before: previous,
                    after: schema,
                };
                changes.extend(facts.compare(was_required, required));
            }
        }
    }
    for (property, schema) in &old.properties {
        if !new.properties.contains_key(property) {
            changes.push(Change::PropertyRemoved {
                schema: name.to_owned(),
                property: (*property).to_owned(),
                type_name: describe(schema),
            });
        }
    }
    changes
}

/// One property that both documents declare.
struct PropertyPair<'a> {
    schema: &'a str,
    property: &'a str,
    before: &'a Value,
    after: &'a Value,
}

impl PropertyPair<'_> {
    /// Reports a changed type, `nullable` flag, required flag and inline enum members.
    fn compare(&self, was_required: bool, required: bool) -> Vec<Change> {
        let schema = self.schema.to_owned();
        let property = self.property.to_owned();
        let mut changes = Vec::new();

        let old_type = describe(self.before);
        let new_type = describe(self.after);
        if old_type != new_type {
            changes.push(Change::PropertyRetyped {
                schema: schema.clone(),
                property: property.clone(),
                old_type,
                new_type,
            });
        }
        let nullable = is_nullable(self.after);
        if is_nullable(self.before) != nullable {
            changes.push(Change::PropertyNullableChanged {
                schema: schema.clone(),
                property: property.clone(),
                nullable,
                required,
            });
        }
        if was_required != required {
            changes.push(Change::PropertyRequiredChanged {
                schema: schema.clone(),
                property: property.clone(),
                required,
            });
        }
        changes.extend(compare_members(
            self.schema,
            Some(self.property),
            self.before,
            self.after,
        ));
        changes
    }
}

/// Compares the `enum` members of a schema, or of a property's inline schema when
/// `property` is set. New members are reported in the newer document's order.
fn compare_members(
    schema: &str,
    property: Option<&str>,
    before: &Value,
    after: &Value,
) -> Vec<Change> {
    let old = enum_members(before);
    let new = enum_members(after);
    let mut changes = Vec::new();
    for member in new.iter().filter(|member| !old.contains(member)) {
        changes.push(Change::EnumMemberAdded {
            schema: schema.to_owned(),
            property: property.map(str::to_owned),
            member: member.clone(),
        });
    }
    for member in old.iter().filter(|member| !new.contains(member)) {
        changes.push(Change::EnumMemberRemoved {
            schema: schema.to_owned(),
            property: property.map(str::to_owned),
            member: member.clone(),
        });
    }
    changes
}
