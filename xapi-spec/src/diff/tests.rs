//! Each kind of change on a hand-written fragment, with its breaking classification.

use serde_json::{json, Value};

use super::*;

/// Returns a document with one operation and two schemas, which each test edits.
fn base() -> Value {
    json!({
        "openapi": "3.0.4",
        "paths": {
            "/Users({Id})": {
                "get": {
                    "operationId": "GetUser",
                    "parameters": [
                        { "name": "Id", "in": "path", "required": true,
                          "schema": { "type": "integer", "format": "int32" } },
                        { "$ref": "#/components/parameters/top" }
                    ],
                    "responses": {
                        "200": { "description": "OK", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/Pbx.User" } } } },
                        "default": { "$ref": "#/components/responses/error" }
                    }
                }
            }
        },
        "components": {
            "parameters": {
                "top": { "name": "$top", "in": "query", "schema": { "type": "integer" } }
            },
            "responses": { "error": { "description": "error" } },
            "schemas": {
                "Pbx.User": {
                    "type": "object",
                    "required": ["Id"],
                    "properties": {
                        "Id": { "type": "integer", "format": "int32" },
                        "Name": { "type": "string", "nullable": true },
                        "Mode": { "$ref": "#/components/schemas/Pbx.Mode" }
                    }
                },
                "Pbx.Mode": { "type": "string", "enum": ["No", "Basic"] }
            }
        }
    })
}

/// Applies `edit` to a copy of the base document and returns the single change it causes.
fn only_change(edit: impl FnOnce(&mut Value)) -> Change {
    let mut changes = changes_after(edit);
    assert_eq!(changes.len(), 1, "expected one change: {changes:#?}");
    changes.remove(0)
}

fn changes_after(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
    let old = base();
    let mut new = base();
    edit(&mut new);
    diff_values(&old, &new).changes
}

fn operation(document: &mut Value) -> &mut Value {
    &mut document["paths"]["/Users({Id})"]["get"]
}

fn user(document: &mut Value) -> &mut Value {
    &mut document["components"]["schemas"]["Pbx.User"]
}

#[test]
fn identical_documents_have_no_changes() {
    let result = diff_values(&base(), &base());
    assert!(result.is_empty());
    assert!(!result.has_breaking());
}

#[test]
fn added_operation_is_not_breaking() {
    let change = only_change(|document| {
        document["paths"]["/Users"] = json!({ "post": {
            "operationId": "AddUser", "responses": { "201": { "description": "Created" } } } });
    });
    assert_eq!(change.kind(), ChangeKind::OperationAdded);
    assert!(!change.is_breaking());
}

#[test]
fn removed_operation_is_breaking() {
    let change = only_change(|document| {
        document["paths"] = json!({});
    });
    assert_eq!(change.kind(), ChangeKind::OperationRemoved);
    assert!(change.is_breaking());
}

#[test]
fn new_operation_id_on_same_path_is_rename() {
    let change = only_change(|document| {
        operation(document)["operationId"] = json!("GetUserById");
    });
    let Change::OperationRenamed { old_id, operation } = &change else {
        panic!("expected a rename: {change:?}");
    };
    assert_eq!(old_id, "GetUser");
    assert_eq!(operation.operation_id, "GetUserById");
    assert!(change.is_breaking());
}

#[test]
fn rename_matches_path_with_other_parameter_names() {
    let changes = changes_after(|document| {
        let item = document["paths"]["/Users({Id})"].take();
        document["paths"] = json!({ "/Users({key})": item });
        operation_at(document, "/Users({key})")["operationId"] = json!("FindUser");
    });
    let kinds: Vec<ChangeKind> = changes.iter().map(Change::kind).collect();
    assert!(
        kinds.contains(&ChangeKind::OperationRenamed),
        "{changes:#?}"
    );
    assert!(!kinds.contains(&ChangeKind::OperationAdded), "{changes:#?}");
}

fn operation_at<'a>(document: &'a mut Value, path: &str) -> &'a mut Value {
    &mut document["paths"][path]["get"]
}

#[test]
fn same_operation_id_on_new_path_is_move() {
    let changes = changes_after(|document| {
        let item = document["paths"]["/Users({Id})"].take();
        document["paths"] = json!({ "/Members({Id})": item });
    });
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].kind(), ChangeKind::OperationMoved);
    assert!(!changes[0].is_breaking());
}

#[test]
fn new_required_parameter_is_breaking() {
    let change = only_change(|document| {
        push_parameter(
            document,
            json!({ "name": "Tenant", "in": "query", "required": true,
            "schema": { "type": "string" } }),
        );
    });
    assert_eq!(change.kind(), ChangeKind::ParameterAdded);
    assert!(change.is_breaking());
}

#[test]
fn new_optional_parameter_is_breaking() {
    let change = only_change(|document| {
        push_parameter(
            document,
            json!({ "name": "Tenant", "in": "query",
            "schema": { "type": "string" } }),
        );
    });
    assert_eq!(change.kind(), ChangeKind::ParameterAdded);
    assert!(
        change.is_breaking(),
        "a positional method gains an argument"
    );
}

#[test]
fn new_query_option_is_not_breaking() {
    let change = only_change(|document| {
        push_parameter(
            document,
            json!({ "name": "$select", "in": "query",
            "schema": { "type": "array", "items": { "type": "string" } } }),
        );
    });
    assert_eq!(change.kind(), ChangeKind::ParameterAdded);
    assert!(!change.is_breaking());
}

fn push_parameter(document: &mut Value, parameter: Value) {
    operation(document)["parameters"]
        .as_array_mut()
        .expect("parameters")
        .push(parameter);
}

#[test]
fn removed_parameter_is_breaking() {
    let change = only_change(|document| {
        operation(document)["parameters"]
            .as_array_mut()
            .expect("parameters")
            .pop();
    });
    let Change::ParameterRemoved { parameter, .. } = &change else {
        panic!("expected a removed parameter: {change:?}");
    };
    assert_eq!(parameter.name, "$top", "the reference is resolved");
    assert!(change.is_breaking());
}

#[test]
fn retyped_parameter_is_breaking() {
    let change = only_change(|document| {
        operation(document)["parameters"][0]["schema"] = json!({ "type": "string" });
    });
    let Change::ParameterRetyped {
        parameter,
        old_type,
        ..
    } = &change
    else {
        panic!("expected a retyped parameter: {change:?}");
    };
    assert_eq!(old_type, "integer(int32)");
    assert_eq!(parameter.type_name, "string");
    assert!(change.is_breaking());
}

#[test]
fn parameter_made_optional_is_breaking() {
    let change = only_change(|document| {
        operation(document)["parameters"][0]["required"] = json!(false);
    });
    assert_eq!(change.kind(), ChangeKind::ParameterRequiredChanged);
    assert!(change.is_breaking());
}

#[test]
fn description_change_is_ignored() {
    let changes = changes_after(|document| {
        operation(document)["parameters"][0]["description"] = json!("The key");
        operation(document)["parameters"][0]["schema"]["maximum"] = json!(2147483647);
        user(document)["properties"]["Name"]["description"] = json!("Display name");
    });
    assert!(changes.is_empty(), "{changes:#?}");
}

#[test]
fn new_request_body_is_breaking() {
    let change = only_change(|document| {
        operation(document)["requestBody"] = json!({ "content": { "application/json": {
            "schema": { "type": "object", "properties": { "days": { "type": "integer" } } } } } });
    });
    let Change::RequestBodyChanged {
        old_type, new_type, ..
    } = &change
    else {
        panic!("expected a body change: {change:?}");
    };
    assert_eq!(old_type, &None);
    assert_eq!(new_type.as_deref(), Some("{days: integer}"));
    assert!(change.is_breaking());
}

#[test]
fn success_type_change_is_breaking() {
    let change = only_change(|document| {
        operation(document)["responses"]["200"]["content"]["application/json"]["schema"] =
            json!({ "type": "array", "items": { "$ref": "#/components/schemas/Pbx.User" } });
    });
    let Change::ResponseChanged {
        old_type, new_type, ..
    } = &change
    else {
        panic!("expected a response change: {change:?}");
    };
    assert_eq!(old_type, "Pbx.User");
    assert_eq!(new_type, "array<Pbx.User>");
    assert!(change.is_breaking());
}

#[test]
fn response_without_content_is_described() {
    let change = only_change(|document| {
        operation(document)["responses"] = json!({ "204": { "description": "Success" } });
    });
    let Change::ResponseChanged { new_type, .. } = &change else {
        panic!("expected a response change: {change:?}");
    };
    assert_eq!(new_type, "no content");
}

#[test]
fn added_schema_is_not_breaking() {
    let change = only_change(|document| {
        document["components"]["schemas"]["Pbx.Group"] = json!({ "type": "object" });
    });
    assert_eq!(change.kind(), ChangeKind::SchemaAdded);
    assert!(!change.is_breaking());
}

#[test]
fn removed_schema_is_breaking() {
    let changes = changes_after(|document| {
        let schemas = document["components"]["schemas"].as_object_mut().unwrap();
        schemas.remove("Pbx.Mode");
    });
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].kind(), ChangeKind::SchemaRemoved);
    assert!(changes[0].is_breaking());
}

#[test]
fn removed_base_is_breaking() {
    let old = json!({ "components": { "schemas": {
        "Pbx.Queue": { "allOf": [ { "$ref": "#/components/schemas/Pbx.DN" },
                                  { "type": "object", "properties": { "Size": { "type": "integer" } } } ] }
    } } });
    let mut new = old.clone();
    new["components"]["schemas"]["Pbx.Queue"]["allOf"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    let changes = diff_values(&old, &new).changes;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].kind(), ChangeKind::SchemaBasesChanged);
    assert!(changes[0].is_breaking());

    let added = diff_values(&new, &old).changes;
    assert_eq!(added.len(), 1, "{added:#?}");
    assert!(!added[0].is_breaking(), "a new base only adds properties");
}

#[test]
fn added_optional_property_is_not_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]["Email"] = json!({ "type": "string", "nullable": true });
    });
    let Change::PropertyAdded {
        property,
        type_name,
        required,
        ..
    } = &change
    else {
        panic!("expected an added property: {change:?}");
    };
    assert_eq!(
        (property.as_str(), type_name.as_str(), *required),
        ("Email", "string", false)
    );
    assert!(!change.is_breaking());
}

#[test]
fn added_required_property_is_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]["Email"] = json!({ "type": "string" });
        user(document)["required"] = json!(["Id", "Email"]);
    });
    assert_eq!(change.kind(), ChangeKind::PropertyAdded);
    assert!(change.is_breaking());
}

#[test]
fn property_in_inline_all_of_member_is_declared() {
    let old = json!({ "components": { "schemas": { "Pbx.Queue": { "allOf": [
        { "$ref": "#/components/schemas/Pbx.DN" },
        { "type": "object", "properties": { "Size": { "type": "integer" } } } ] } } } });
    let mut new = old.clone();
    new["components"]["schemas"]["Pbx.Queue"]["allOf"][1]["properties"]["Wait"] =
        json!({ "type": "integer" });
    let changes = diff_values(&old, &new).changes;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].kind(), ChangeKind::PropertyAdded);
}

#[test]
fn removed_property_is_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]
            .as_object_mut()
            .unwrap()
            .remove("Name");
    });
    assert_eq!(change.kind(), ChangeKind::PropertyRemoved);
    assert!(change.is_breaking());
}

#[test]
fn retyped_property_is_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]["Name"] = json!({
            "allOf": [{ "$ref": "#/components/schemas/Pbx.Mode" }], "nullable": true });
    });
    let Change::PropertyRetyped {
        old_type, new_type, ..
    } = &change
    else {
        panic!("expected a retyped property: {change:?}");
    };
    assert_eq!(
        (old_type.as_str(), new_type.as_str()),
        ("string", "Pbx.Mode")
    );
    assert!(change.is_breaking());
}

#[test]
fn nullable_optional_property_is_not_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]["Name"]["nullable"] = json!(false);
    });
    let Change::PropertyNullableChanged { nullable, .. } = &change else {
        panic!("expected a nullable change: {change:?}");
    };
    assert!(!nullable);
    assert!(!change.is_breaking());
}

#[test]
fn nullable_required_property_is_breaking() {
    let change = only_change(|document| {
        user(document)["properties"]["Id"]["nullable"] = json!(true);
    });
    assert_eq!(change.kind(), ChangeKind::PropertyNullableChanged);
    assert!(change.is_breaking());
}

#[test]
fn property_made_required_is_breaking() {
    let change = only_change(|document| {
        user(document)["required"] = json!(["Id", "Name"]);
    });
    let Change::PropertyRequiredChanged { required, .. } = &change else {
        panic!("expected a required change: {change:?}");
    };
    assert!(required);
    assert!(change.is_breaking());
}

#[test]
fn added_enum_member_is_not_breaking() {
    let change = only_change(|document| {
        document["components"]["schemas"]["Pbx.Mode"]["enum"] = json!(["No", "Basic", "Oauth"]);
    });
    let Change::EnumMemberAdded { member, .. } = &change else {
        panic!("expected an added member: {change:?}");
    };
    assert_eq!(member, "Oauth");
    assert!(!change.is_breaking());
}

#[test]
fn removed_enum_member_is_breaking() {
    let change = only_change(|document| {
        document["components"]["schemas"]["Pbx.Mode"]["enum"] = json!(["Basic"]);
    });
    let Change::EnumMemberRemoved {
        member, property, ..
    } = &change
    else {
        panic!("expected a removed member: {change:?}");
    };
    assert_eq!((member.as_str(), property), ("No", &None));
    assert!(change.is_breaking());
}

#[test]
fn inline_enum_members_are_compared() {
    let mut before = base();
    user(&mut before)["properties"]["Kind"] = json!({ "type": "string", "enum": ["A"] });
    let mut after = before.clone();
    user(&mut after)["properties"]["Kind"]["enum"] = json!(["A", "B"]);

    let changes = diff_values(&before, &after).changes;
    assert_eq!(
        changes.len(),
        1,
        "members are not part of the type: {changes:#?}"
    );
    let Change::EnumMemberAdded {
        property, member, ..
    } = &changes[0]
    else {
        panic!("expected an added member: {changes:?}");
    };
    assert_eq!((property.as_deref(), member.as_str()), (Some("Kind"), "B"));
}

#[test]
fn counts_cover_every_kind() {
    let result = diff_values(&base(), &json!({}));
    let counts = result.counts();
    assert_eq!(counts.len(), ChangeKind::ALL.len());
    assert_eq!(counts[&ChangeKind::OperationRemoved], 1);
    assert_eq!(counts[&ChangeKind::SchemaRemoved], 2);
    assert_eq!(result.breaking_count(), 3);
}

#[test]
fn text_report_groups_and_marks_breaking() {
    let mut new = base();
    document_with_changes(&mut new);
    let text = diff_values(&base(), &new).to_text();
    assert!(
        text.starts_with("old → new: 2 changes, 1 breaking\n"),
        "{text}"
    );
    assert!(
        text.contains("\nOperations added (1)\n    AddUser: POST /Users\n"),
        "{text}"
    );
    assert!(
        text.contains("\nEnum members removed (1, all breaking)\n  ! Pbx.Mode: No\n"),
        "{text}"
    );
}

#[test]
fn markdown_report_has_table_and_code_spans() {
    let mut new = base();
    document_with_changes(&mut new);
    let markdown = diff_values(&base(), &new).to_markdown();
    assert!(
        markdown.starts_with("### XAPI changes from `old` to `new`\n\n2 changes, 1 breaking.\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Operations added | 1 | 0 |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- **breaking** `Pbx.Mode`: `No`\n"),
        "{markdown}"
    );
}

#[test]
fn json_report_counts_and_flags() {
    let mut new = base();
    document_with_changes(&mut new);
    let report = diff_values(&base(), &new).to_json();
    assert_eq!(report["total"], 2);
    assert_eq!(report["breaking"], 1);
    assert_eq!(report["counts"]["operation_added"], 1);
    assert_eq!(report["counts"]["enum_member_removed"], 1);
    assert_eq!(report["counts"]["schema_added"], 0);
    assert_eq!(report["changes"][0]["kind"], "operation_added");
    assert_eq!(report["changes"][0]["operation"]["operation_id"], "AddUser");
    assert_eq!(report["changes"][0]["breaking"], false);
    assert_eq!(report["changes"][1]["breaking"], true);
}

/// Adds one operation and removes one enum member.
fn document_with_changes(document: &mut Value) {
    document["paths"]["/Users"] = json!({ "post": {
        "operationId": "AddUser", "responses": { "201": { "description": "Created" } } } });
    document["components"]["schemas"]["Pbx.Mode"]["enum"] = json!(["Basic"]);
}
