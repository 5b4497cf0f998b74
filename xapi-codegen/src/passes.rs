//! Normalization passes that turn a 3CX XAPI document into one progenitor can generate
//! wire-correct Rust from.
//!
//! Each pass is a small function over the document (held as a JSON value). It handles one
//! construct of the document, explains why in its doc comment, and is tested on a hand-written
//! fragment. No pass names a particular operation, schema or release: each is a rule over the
//! shape of the document, so the same pipeline digests releases it was never tested on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::document::{self, object_entry};
use crate::literal::LiteralKind;
use crate::Error;

/// Extension recorded on an operation: the OData system query options it declared.
pub const QUERY_OPTIONS_EXTENSION: &str = "x-xapi-query-options";

/// Extension recorded on a path parameter: its OData literal kind and whether it is nullable.
pub const LITERAL_EXTENSION: &str = "x-xapi-literal";

/// Extension recorded on a component schema made by [`add_patch_bodies`].
pub const PATCH_SCHEMA_EXTENSION: &str = "x-xapi-patch";

/// Extension recorded on an operation whose success body is a file rather than JSON.
pub const FILE_RESPONSE_EXTENSION: &str = "x-xapi-file-response";

/// One named step of the pipeline.
pub struct Pass {
    /// Short name used in logs.
    pub name: &'static str,
    /// The function that rewrites the document in place.
    pub run: fn(&mut Value) -> Result<(), Error>,
}

/// The passes, in the order they run. Tag selection runs before them (see [`select_tags`]).
pub const PIPELINE: &[Pass] = &[
    Pass {
        name: "split_default_response",
        run: split_default_response,
    },
    Pass {
        name: "extract_system_query_options",
        run: extract_system_query_options,
    },
    Pass {
        name: "type_path_parameters_as_literals",
        run: type_path_parameters_as_literals,
    },
    Pass {
        name: "stream_file_responses",
        run: stream_file_responses,
    },
    Pass {
        name: "add_next_link_to_collections",
        run: add_next_link_to_collections,
    },
    Pass {
        name: "add_patch_bodies",
        run: add_patch_bodies,
    },
    Pass {
        name: "prune_unreferenced_schemas",
        run: prune_unreferenced_schemas,
    },
];

/// Removes every operation that carries none of the `tags`, then every path left empty.
///
/// Handles the `tags` array of operations. The client crate compiles one cargo feature per tag;
/// dropping unselected operations before generation (instead of gating generated code) means
/// the types only they use are never generated either. That is what makes a three-tag build
/// cheap. An operation without tags is kept only when every tag is selected (`tags` is `None`).
pub fn select_tags(doc: &mut Value, tags: &BTreeSet<String>) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in document::METHODS {
            let keep = item
                .get(method)
                .and_then(|operation| operation.get("tags"))
                .and_then(Value::as_array)
                .is_some_and(|operation_tags| {
                    operation_tags
                        .iter()
                        .filter_map(Value::as_str)
                        .any(|tag| tags.contains(tag))
                });
            if item.contains_key(method) && !keep {
                item.remove(method);
            }
        }
    }
    paths.retain(|_, item| {
        document::METHODS
            .iter()
            .any(|method| item.get(*method).is_some())
    });
}

/// Replaces a `default` response that sits beside a 2xx response with `4XX` and `5XX` ranges.
///
/// Handles `responses.default`. Every XAPI operation declares its OData error as `default`
/// next to its success response. progenitor counts `default` as a possible success, so it stops
/// with an assertion when the two bodies differ. As ranges, the error body decodes into
/// `Error::ErrorResponse` for any 4xx or 5xx status, which is what `default` means here.
pub fn split_default_response(doc: &mut Value) -> Result<(), Error> {
    document::for_each_operation_mut(doc, |_, _, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let has_success = responses.keys().any(|code| code.starts_with('2'));
        if !has_success {
            return;
        }
        if let Some(default) = responses.remove("default") {
            responses
                .entry("4XX".to_owned())
                .or_insert_with(|| default.clone());
            responses.entry("5XX".to_owned()).or_insert(default);
        }
    });
    Ok(())
}

/// Removes OData system query options (`$top`, `$filter`, `$select`, …) from every operation and
/// records their names in the operation's `x-xapi-query-options` extension.
///
/// Handles query parameters whose name starts with `$`, which OData reserves for system query
/// options. They are the same eight on every collection operation, and the document describes
/// their encoding loosely (`$select` as an exploded array would be sent as
/// `$select=Id&$select=Name`, which OData rejects). The client applies them in one place from
/// a single query value, rendering each option once. The extension lists the options the
/// operation accepts.
pub fn extract_system_query_options(doc: &mut Value) -> Result<(), Error> {
    let snapshot = doc.clone();
    document::for_each_operation_mut(doc, |_, _, operation| {
        let Some(parameters) = operation
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
        else {
            return;
        };
        let mut options = Vec::new();
        parameters.retain(|parameter| {
            let resolved = document::resolve(&snapshot, parameter).unwrap_or(parameter);
            let is_query = resolved.get("in").and_then(Value::as_str) == Some("query");
            match resolved.get("name").and_then(Value::as_str) {
                Some(name) if is_query && name.starts_with('$') => {
                    options.push(Value::String(name.to_owned()));
                    false
                }
                _ => true,
            }
        });
        if !options.is_empty() {
            if let Some(operation) = operation.as_object_mut() {
                operation.insert(QUERY_OPTIONS_EXTENSION.to_owned(), Value::Array(options));
            }
        }
    });
    Ok(())
}

/// Gives every path parameter a schema that maps to a Rust type whose `Display` is the
/// parameter's OData literal, and records the literal kind in `x-xapi-literal`.
///
/// Handles `in: path` parameters, which XAPI uses for entity keys (`/Users({Id})`) and for
/// function arguments (`/Pbx.GetLogs(startDate={startDate},…)`). progenitor formats a path
/// parameter with `to_string()`, so a plain `String` goes out unquoted, a `chrono::DateTime`
/// as `2025-03-01 00:00:00 UTC`, and a nullable one does not compile. The marker schemas written
/// here are matched by the conversions in [`crate::literal`], whose types render the literal:
/// strings quoted with `'` doubled, date-times in UTC with `Z`, `null` for an absent nullable.
pub fn type_path_parameters_as_literals(doc: &mut Value) -> Result<(), Error> {
    let snapshot = doc.clone();
    let mut failure = None;
    let paths = doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let mut rewritten = Map::new();
    for (path, mut item) in paths {
        // Inline shared path-item parameters into each operation, so each operation carries its
        // own literal markers and no `$ref` to a shared parameter is rewritten twice.
        let shared = item
            .as_object_mut()
            .and_then(|item| item.remove("parameters"));
        for method in document::METHODS {
            let Some(operation) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let operation_id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let own = operation
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let mut merged: Vec<Value> = Vec::new();
            for parameter in shared
                .as_ref()
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(own.iter())
            {
                let resolved = document::resolve(&snapshot, parameter)
                    .cloned()
                    .unwrap_or_else(|| parameter.clone());
                let name = resolved.get("name").cloned();
                // An operation's own parameter overrides a shared one with the same name.
                merged.retain(|existing| existing.get("name") != name.as_ref());
                if resolved.get("in").and_then(Value::as_str) != Some("path") {
                    merged.push(resolved);
                    continue;
                }
                match literal_parameter(&snapshot, &resolved) {
                    Ok(parameter) => merged.push(parameter),
                    Err(reason) => {
                        failure.get_or_insert(Error::Unsupported {
                            operation_id: operation_id.clone(),
                            reason,
                        });
                        merged.push(resolved);
                    }
                }
            }
            if !merged.is_empty() {
                operation.insert("parameters".to_owned(), Value::Array(merged));
            }
        }
        rewritten.insert(path, item);
    }
    doc["paths"] = Value::Object(rewritten);
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Rewrites one resolved path parameter with its literal marker schema.
fn literal_parameter(doc: &Value, parameter: &Value) -> Result<Value, String> {
    let name = parameter.get("name").and_then(Value::as_str).unwrap_or("");
    let schema = parameter.get("schema").cloned().unwrap_or(Value::Null);
    let (kind, nullable) = LiteralKind::of_schema(doc, &schema).ok_or_else(|| {
        format!("path parameter `{name}` has a schema with no OData literal form")
    })?;
    let mut parameter = parameter.clone();
    let object = parameter
        .as_object_mut()
        .expect("a resolved parameter is an object");
    object.insert("required".to_owned(), Value::Bool(true));
    object.insert("schema".to_owned(), kind.marker_schema(nullable));
    object.insert(
        LITERAL_EXTENSION.to_owned(),
        json!({ "kind": kind.name(), "nullable": nullable }),
    );
    Ok(parameter)
}

/// Turns success responses that carry a file into `application/octet-stream` byte streams and
/// marks the operation with `x-xapi-file-response`.
///
/// Handles 2xx responses whose content is not JSON, or whose JSON schema is an object that
/// declares no properties at all (XAPI types recordings, greetings, exports and scripts as such
/// an opaque "action result"). Decoding them as JSON fails on the first non-UTF-8 byte; as a
/// stream, the caller gets the bytes with the response's Content-Type and Content-Disposition.
pub fn stream_file_responses(doc: &mut Value) -> Result<(), Error> {
    let snapshot = doc.clone();
    document::for_each_operation_mut(doc, |_, _, operation| {
        let Some(responses) = operation
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let mut is_file = false;
        for (code, response) in responses.iter_mut() {
            if !code.starts_with('2') {
                continue;
            }
            let resolved = document::resolve(&snapshot, response).unwrap_or(response);
            let Some(content) = resolved.get("content").and_then(Value::as_object) else {
                continue;
            };
            if content.is_empty() || !content_is_file(&snapshot, content) {
                continue;
            }
            let mut replacement = resolved.clone();
            replacement["content"] = json!({
                "application/octet-stream": { "schema": { "type": "string", "format": "binary" } }
            });
            *response = replacement;
            is_file = true;
        }
        if is_file {
            if let Some(operation) = operation.as_object_mut() {
                operation.insert(FILE_RESPONSE_EXTENSION.to_owned(), Value::Bool(true));
            }
        }
    });
    Ok(())
}

/// Adds an optional `@odata.nextLink` string to every object schema with a `value` array.
///
/// Handles OData collection replies (`{"@odata.count", "value": [...]}`). No known XAPI
/// document declares `@odata.nextLink`, but OData servers send it when they page on their own.
/// Once declared, it reaches the pagination stream instead of being dropped while decoding.
pub fn add_next_link_to_collections(doc: &mut Value) -> Result<(), Error> {
    add_next_link(doc);
    Ok(())
}

fn add_next_link(node: &mut Value) {
    match node {
        Value::Object(object) => {
            let is_collection = object
                .get("properties")
                .and_then(|properties| properties.get("value"))
                .and_then(|value| value.get("type"))
                .and_then(Value::as_str)
                == Some("array");
            if is_collection {
                let properties = object_entry(object, "properties");
                properties
                    .entry("@odata.nextLink".to_owned())
                    .or_insert_with(|| json!({ "type": "string", "nullable": true }));
            }
            for value in object.values_mut() {
                add_next_link(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(add_next_link),
        _ => {}
    }
}

/// Gives every PATCH operation whose JSON body is an object schema its own body schema, a copy
/// with every property optional, marked with `x-xapi-patch`.
///
/// Handles `requestBody` of `patch` operations. XAPI reuses the entity schema as the PATCH
/// body. Generated as is, each optional property is an `Option` that is left out when `None`,
/// so a client can never send `null` to clear a field. The generator later turns the fields of
/// the marked types into three-state `Patch` values (absent, null, value). The copy flattens
/// `allOf` members, so inherited properties can be patched too.
pub fn add_patch_bodies(doc: &mut Value) -> Result<(), Error> {
    let snapshot = doc.clone();
    let mut new_schemas: BTreeMap<String, Value> = BTreeMap::new();
    let existing: BTreeSet<String> = snapshot
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().cloned().collect())
        .unwrap_or_default();

    document::for_each_operation_mut(doc, |_, method, operation| {
        if method != "patch" {
            return;
        }
        let Some(body) = operation.get("requestBody") else {
            return;
        };
        let Some(mut body) = document::resolve(&snapshot, body).cloned() else {
            return;
        };
        let Some(schema) = body.pointer("/content/application~1json/schema").cloned() else {
            return;
        };
        let base_name = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|reference| reference.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
            .or_else(|| {
                let id = operation.get("operationId").and_then(Value::as_str)?;
                Some(format!("{id}.Body"))
            });
        let Some(base_name) = base_name else {
            return;
        };
        let Some(properties) = flattened_properties(&snapshot, &schema) else {
            return;
        };

        let mut name = format!("{base_name}.Patch");
        while existing.contains(&name)
            || new_schemas.get(&name).is_some_and(|other| {
                other.get("properties").and_then(Value::as_object) != Some(&properties)
            })
        {
            name.push('_');
        }
        new_schemas.insert(
            name.clone(),
            json!({
                "type": "object",
                "description": format!(
                    "Changes to {base_name} sent with PATCH: a field left `Absent` is not \
                     sent and keeps its value on the PBX, `Null` sends null to clear it."
                ),
                "properties": properties,
                PATCH_SCHEMA_EXTENSION: true,
            }),
        );
        body["content"]["application/json"]["schema"] =
            json!({ "$ref": format!("#/components/schemas/{name}") });
        operation["requestBody"] = body;
    });

    if !new_schemas.is_empty() {
        let components = doc
            .as_object_mut()
            .map(|root| object_entry(root, "components"));
        if let Some(components) = components {
            object_entry(components, "schemas").extend(new_schemas);
        }
    }
    Ok(())
}

/// Collects the properties of an object schema and of every object it includes with `allOf`.
///
/// Returns `None` when the schema is not an object with properties.
fn flattened_properties(doc: &Value, schema: &Value) -> Option<Map<String, Value>> {
    let schema = document::resolve(doc, schema)?;
    let mut properties = Map::new();
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(inherited) = flattened_properties(doc, member) {
            properties.extend(inherited);
        }
    }
    if let Some(own) = schema.get("properties").and_then(Value::as_object) {
        properties.extend(own.clone());
    }
    (!properties.is_empty()).then_some(properties)
}

/// Tells whether a response's content map describes a file rather than a JSON document.
fn content_is_file(doc: &Value, content: &Map<String, Value>) -> bool {
    let json_media = content
        .iter()
        .find(|(media_type, _)| is_json_media_type(media_type));
    let Some((_, media)) = json_media else {
        return true;
    };
    let Some(mut schema) = media
        .get("schema")
        .and_then(|schema| document::resolve(doc, schema))
    else {
        return false;
    };
    // `allOf` with one member and nothing else is a wrapper (often adding `nullable`).
    let single_member = schema
        .get("allOf")
        .and_then(Value::as_array)
        .filter(|members| members.len() == 1 && schema.get("properties").is_none())
        .and_then(|members| document::resolve(doc, &members[0]));
    if let Some(member) = single_member {
        schema = member;
    }
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
    let declares_nothing = [
        "properties",
        "additionalProperties",
        "allOf",
        "anyOf",
        "oneOf",
    ]
    .iter()
    .all(|key| schema.get(*key).is_none());
    is_object && declares_nothing
}

/// Tells whether a media type carries JSON (`application/json`, `…+json`, with parameters).
pub fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// Removes component schemas that no remaining operation reaches, directly or through other
/// components.
///
/// Handles `components.schemas`. progenitor generates a type for every component schema. After
/// tag selection most of them are unused, and after the other passes some never were (file
/// result types). Unreachable types only cost compile time.
pub fn prune_unreferenced_schemas(doc: &mut Value) -> Result<(), Error> {
    let mut reachable: BTreeSet<String> = BTreeSet::new();
    let mut pending: Vec<String> = Vec::new();
    collect_references(doc.get("paths").unwrap_or(&Value::Null), &mut pending);

    while let Some(reference) = pending.pop() {
        if !reachable.insert(reference.clone()) {
            continue;
        }
        if let Some(target) = document::pointer(doc, &reference) {
            collect_references(target, &mut pending);
        }
    }

    let components = doc.get_mut("components").and_then(Value::as_object_mut);
    let Some(components) = components else {
        return Ok(());
    };
    let schemas = object_entry(components, "schemas");
    schemas.retain(|name, _| reachable.contains(&format!("#/components/schemas/{name}")));
    Ok(())
}

/// Pushes every `$ref` string found anywhere below `node`.
fn collect_references(node: &Value, found: &mut Vec<String>) {
    match node {
        Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => collect_references(value, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, found)),
        _ => {}
    }
}

/// Lists, per tag, the operations that carry it (used to build the feature list).
pub fn operations_by_tag(doc: &Value) -> BTreeMap<String, Vec<String>> {
    let mut by_tag: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, _, operation) in document::operations(doc) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for tag in operation
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            by_tag
                .entry(tag.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }
    by_tag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operation<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
        &doc["paths"][path][method]
    }

    #[test]
    fn select_tags_drops_other_operations() {
        let mut doc = json!({ "paths": {
            "/A": { "get": { "operationId": "ListA", "tags": ["A"] },
                    "post": { "operationId": "CreateA", "tags": ["B"] } },
            "/B": { "get": { "operationId": "ListB", "tags": ["B"] } },
            "/C": { "get": { "operationId": "Untagged" } }
        }});
        select_tags(&mut doc, &BTreeSet::from(["A".to_owned()]));
        assert_eq!(operation(&doc, "/A", "get")["operationId"], "ListA");
        assert!(doc["paths"]["/A"].get("post").is_none());
        assert!(doc["paths"].get("/B").is_none());
        assert!(doc["paths"].get("/C").is_none());
    }

    #[test]
    fn default_response_becomes_error_ranges() {
        let error = json!({ "$ref": "#/components/responses/error" });
        let mut doc = json!({ "paths": { "/A": {
            "get": { "responses": { "200": { "description": "ok" }, "default": error.clone() } },
            "delete": { "responses": { "default": error.clone() } }
        }}});
        split_default_response(&mut doc).unwrap();
        let responses = &operation(&doc, "/A", "get")["responses"];
        assert!(responses.get("default").is_none());
        assert_eq!(responses["4XX"], error);
        assert_eq!(responses["5XX"], error);
        // Without a 2xx response `default` is the only outcome and stays as it is.
        assert_eq!(
            operation(&doc, "/A", "delete")["responses"]["default"],
            error
        );
    }

    #[test]
    fn system_query_options_are_recorded() {
        let mut doc = json!({
            "components": { "parameters": {
                "top": { "name": "$top", "in": "query", "schema": { "type": "integer" } }
            }},
            "paths": { "/Users": { "get": { "parameters": [
                { "$ref": "#/components/parameters/top" },
                { "name": "$select", "in": "query", "explode": false,
                  "schema": { "type": "array", "items": { "type": "string" } } },
                { "name": "If-Match", "in": "header", "schema": { "type": "string" } }
            ]}}}
        });
        extract_system_query_options(&mut doc).unwrap();
        let get = operation(&doc, "/Users", "get");
        assert_eq!(get[QUERY_OPTIONS_EXTENSION], json!(["$top", "$select"]));
        assert_eq!(get["parameters"].as_array().unwrap().len(), 1);
        assert_eq!(get["parameters"][0]["name"], "If-Match");
    }

    #[test]
    fn path_parameters_get_literal_markers() {
        let mut doc = json!({
            "components": { "parameters": {
                "key": { "name": "Id", "in": "path", "required": true,
                         "schema": { "type": "string", "nullable": true } }
            }},
            "paths": { "/Logs(start={start},id={Id})": {
                "parameters": [ { "$ref": "#/components/parameters/key" } ],
                "get": { "operationId": "GetLogs", "parameters": [
                    { "name": "start", "in": "path", "required": true,
                      "schema": { "type": "string", "format": "date-time" } }
                ]}
            }}
        });
        type_path_parameters_as_literals(&mut doc).unwrap();
        let parameters = operation(&doc, "/Logs(start={start},id={Id})", "get")["parameters"]
            .as_array()
            .unwrap();
        assert_eq!(parameters.len(), 2);
        assert_eq!(parameters[0]["name"], "Id");
        assert_eq!(
            parameters[0][LITERAL_EXTENSION],
            json!({ "kind": "string", "nullable": true })
        );
        assert_eq!(
            parameters[0]["schema"],
            LiteralKind::String.marker_schema(true)
        );
        assert_eq!(
            parameters[1][LITERAL_EXTENSION],
            json!({ "kind": "date-time", "nullable": false })
        );
        assert!(doc["paths"]["/Logs(start={start},id={Id})"]
            .get("parameters")
            .is_none());
    }

    #[test]
    fn path_parameter_without_literal_form_fails() {
        let mut doc = json!({ "paths": { "/A({Id})": { "get": {
            "operationId": "GetA",
            "parameters": [ { "name": "Id", "in": "path", "required": true,
                              "schema": { "type": "object" } } ]
        }}}});
        let error = type_path_parameters_as_literals(&mut doc).unwrap_err();
        assert_eq!(
            error.to_string(),
            "operation GetA: path parameter `Id` has a schema with no OData literal form"
        );
    }

    #[test]
    fn opaque_object_response_becomes_stream() {
        let mut doc = json!({
            "components": { "schemas": {
                "Opaque": { "title": "Opaque", "type": "object" },
                "User": { "type": "object", "properties": { "Id": { "type": "integer" } } }
            }},
            "paths": {
                "/File": { "get": { "responses": { "200": { "description": "ok", "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Opaque" } }
                }}}}},
                "/Wav": { "get": { "responses": { "200": { "description": "ok", "content": {
                    "audio/wav": { "schema": { "type": "string" } }
                }}}}},
                "/Wrapped": { "post": { "responses": { "200": { "description": "ok", "content": {
                    "application/json": { "schema": {
                        "allOf": [ { "$ref": "#/components/schemas/Opaque" } ], "nullable": true
                    } }
                }}}}},
                "/User": { "get": { "responses": { "200": { "description": "ok", "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/User" } }
                }}}}}
            }
        });
        stream_file_responses(&mut doc).unwrap();
        for (path, method) in [("/File", "get"), ("/Wav", "get"), ("/Wrapped", "post")] {
            let get = operation(&doc, path, method);
            assert_eq!(get[FILE_RESPONSE_EXTENSION], true, "{path}");
            assert_eq!(
                get["responses"]["200"]["content"]["application/octet-stream"]["schema"]["format"],
                "binary",
                "{path}"
            );
        }
        assert!(operation(&doc, "/User", "get")
            .get(FILE_RESPONSE_EXTENSION)
            .is_none());
    }

    #[test]
    fn unreferenced_schemas_are_pruned() {
        let mut doc = json!({
            "components": { "schemas": {
                "Used": { "type": "object", "properties": { "Child": { "$ref": "#/components/schemas/Child" } } },
                "Child": { "type": "string" },
                "Unused": { "type": "string" }
            }},
            "paths": { "/A": { "get": { "responses": { "200": { "content": {
                "application/json": { "schema": { "$ref": "#/components/schemas/Used" } }
            }}}}}}
        });
        prune_unreferenced_schemas(&mut doc).unwrap();
        let names: Vec<&String> = doc["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["Child", "Used"]);
    }

    #[test]
    fn patch_body_gets_optional_copy() {
        let mut doc = json!({
            "components": { "schemas": {
                "Entity": { "type": "object", "properties": { "Id": { "type": "integer" } } },
                "User": { "allOf": [
                    { "$ref": "#/components/schemas/Entity" },
                    { "type": "object", "required": ["Name"],
                      "properties": { "Name": { "type": "string", "nullable": true } } }
                ]}
            }},
            "paths": { "/Users({Id})": {
                "patch": { "operationId": "UpdateUser", "requestBody": { "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/User" } }
                }}},
                "get": { "operationId": "GetUser", "responses": { "200": { "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/User" } }
                }}}}
            }}
        });
        add_patch_bodies(&mut doc).unwrap();
        let patch = &doc["components"]["schemas"]["User.Patch"];
        assert_eq!(patch[PATCH_SCHEMA_EXTENSION], true);
        assert!(patch.get("required").is_none());
        let names: Vec<&String> = patch["properties"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["Id", "Name"]);
        assert_eq!(
            operation(&doc, "/Users({Id})", "patch")["requestBody"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/User.Patch"
        );
        // Replies keep the entity schema.
        assert_eq!(
            operation(&doc, "/Users({Id})", "get")["responses"]["200"]["content"]
                ["application/json"]["schema"]["$ref"],
            "#/components/schemas/User"
        );
    }

    #[test]
    fn collections_get_next_link() {
        let mut doc = json!({ "components": { "schemas": {
            "Users": { "allOf": [ { "type": "object", "properties": {
                "value": { "type": "array", "items": { "type": "string" } }
            }}]},
            "User": { "type": "object", "properties": { "value": { "type": "string" } } }
        }}});
        add_next_link_to_collections(&mut doc).unwrap();
        assert_eq!(
            doc["components"]["schemas"]["Users"]["allOf"][0]["properties"]["@odata.nextLink"],
            json!({ "type": "string", "nullable": true })
        );
        assert!(doc["components"]["schemas"]["User"]["properties"]
            .get("@odata.nextLink")
            .is_none());
    }

    #[test]
    fn json_media_types() {
        assert!(is_json_media_type("application/json"));
        assert!(is_json_media_type(
            "application/json; odata.metadata=minimal"
        ));
        assert!(is_json_media_type("application/problem+json"));
        assert!(!is_json_media_type("audio/wav"));
        assert!(!is_json_media_type("application/octet-stream"));
    }
}
