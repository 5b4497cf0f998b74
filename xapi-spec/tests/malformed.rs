//! Each malformed input yields its own error kind, and the message names the file and the
//! location.

use std::path::PathBuf;

use xapi_spec::{load, validate, Error, Format};

/// Writes `text` to `name` in a new temporary directory and returns both.
fn write(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write fragment");
    (dir, path)
}

/// Loads and validates `text` stored as `name`, returning the error.
fn failure(name: &str, text: &str) -> Error {
    let (_dir, path) = write(name, text);
    match load(&path).and_then(|document| validate(&document)) {
        Ok(summary) => panic!("{name} validated: {summary}"),
        Err(error) => error,
    }
}

const VALID: &str = "\
openapi: 3.0.4
info:
  title: XAPI
  version: 1.0.0
paths:
  /Users:
    get:
      tags:
        - Users
      operationId: ListUser
      parameters:
        - $ref: '#/components/parameters/top'
      responses:
        '200':
          $ref: '#/components/responses/UserCollection'
    post:
      tags: [Users]
      operationId: CreateUser
      responses:
        '201':
          description: Created
  /Groups:
    get:
      tags:
        - Groups
      operationId: ListGroup
      responses:
        '200':
          description: OK
components:
  parameters:
    top:
      name: $top
      in: query
      schema:
        type: integer
  responses:
    UserCollection:
      description: Users
      content:
        application/json:
          schema:
            $ref: '#/components/schemas/Pbx.User'
  schemas:
    Pbx.User:
      type: object
    Pbx.AuthenticationType:
      type: string
      enum:
        - No
        - Yes
        - Off
";

#[test]
fn valid_fragment_summary() {
    let (_dir, path) = write("fragment.yaml", VALID);
    let document = load(&path).unwrap();
    let summary = validate(&document).unwrap();

    assert_eq!(summary.label, "fragment");
    assert_eq!(summary.openapi, "3.0.4");
    assert_eq!(summary.paths, 2);
    assert_eq!(summary.operations, 3);
    assert_eq!(summary.schemas, 2);
    assert_eq!(summary.tags, 2);
    assert_eq!(summary.sha256, xapi_spec::hex_sha256(VALID.as_bytes()));
    assert_eq!(document.format, Format::Yaml);
}

#[test]
fn yaml_1_2_keeps_no_a_string() {
    let (_dir, path) = write("enum.yaml", VALID);
    let document = load(&path).unwrap();
    let members = &document.value["components"]["schemas"]["Pbx.AuthenticationType"]["enum"];

    assert_eq!(members[0], serde_json::json!("No"));
    assert_eq!(members[1], serde_json::json!("Yes"));
    assert_eq!(members[2], serde_json::json!("Off"));
}

#[test]
fn yaml_unquoted_status_key_is_string() {
    let text = VALID.replace("'201':", "201:");
    let (_dir, path) = write("status.yaml", &text);
    let document = load(&path).unwrap();
    let responses = &document.value["paths"]["/Users"]["post"]["responses"];

    assert!(responses.get("201").is_some(), "responses: {responses}");
}

#[test]
fn truncated_yaml_reports_line() {
    // Cut inside a quoted scalar, as an interrupted download would.
    let cut = VALID.find("'#/components/parameters/top'").unwrap() + 10;
    let error = failure("truncated.yaml", &VALID[..cut]);

    let Error::Parse {
        format, location, ..
    } = &error
    else {
        panic!("expected Error::Parse, got {error:?}");
    };
    assert_eq!(*format, Format::Yaml);
    assert_eq!(location.line, Some(12));
    let message = error.to_string();
    assert!(message.contains("truncated.yaml:12:"), "{message}");
    assert!(message.contains("invalid YAML"), "{message}");
}

#[test]
fn truncated_json_reports_line() {
    let error = failure(
        "truncated.json",
        "{\n  \"openapi\": \"3.0.4\",\n  \"paths\": {\n",
    );

    let Error::Parse {
        format, location, ..
    } = &error
    else {
        panic!("expected Error::Parse, got {error:?}");
    };
    assert_eq!(*format, Format::Json);
    assert_eq!(location.line, Some(4));
    assert!(error.to_string().contains("truncated.json:4:"), "{error}");
}

#[test]
fn dangling_ref_reports_pointer_and_line() {
    let text = VALID.replace(
        "$ref: '#/components/schemas/Pbx.User'",
        "$ref: '#/components/schemas/Pbx.Missing'",
    );
    let error = failure("dangling.yaml", &text);

    let Error::DanglingRef {
        reference,
        location,
        ..
    } = &error
    else {
        panic!("expected Error::DanglingRef, got {error:?}");
    };
    assert_eq!(reference, "#/components/schemas/Pbx.Missing");
    let pointer = "/components/responses/UserCollection/content/application~1json/schema/$ref";
    assert_eq!(location.pointer.as_deref(), Some(pointer));
    assert_eq!(location.line, Some(43));
    assert_eq!(location.column, Some(13));
    let message = error.to_string();
    assert!(message.contains("dangling.yaml:43:13"), "{message}");
    assert!(message.contains(pointer), "{message}");
    assert!(
        message.contains("#/components/schemas/Pbx.Missing"),
        "{message}"
    );
}

#[test]
fn dangling_ref_inside_sequence_item() {
    let text = VALID.replace("parameters/top'", "parameters/skip'");
    let error = failure("dangling-parameter.yaml", &text);

    let Error::DanglingRef { location, .. } = &error else {
        panic!("expected Error::DanglingRef, got {error:?}");
    };
    assert_eq!(
        location.pointer.as_deref(),
        Some("/paths/~1Users/get/parameters/0/$ref")
    );
    assert_eq!(location.line, Some(12));
    assert!(
        error.to_string().contains("dangling-parameter.yaml:12:11"),
        "{error}"
    );
}

#[test]
fn external_ref_rejected() {
    let text = VALID.replace(
        "'#/components/schemas/Pbx.User'",
        "'other.yaml#/components/schemas/Pbx.User'",
    );
    let error = failure("external.yaml", &text);

    let Error::ExternalRef { reference, .. } = &error else {
        panic!("expected Error::ExternalRef, got {error:?}");
    };
    assert_eq!(reference, "other.yaml#/components/schemas/Pbx.User");
    assert!(error.to_string().contains("external.yaml:43:13"), "{error}");
}

#[test]
fn duplicate_operation_id_reports_both() {
    let text = VALID.replace("operationId: ListGroup", "operationId: ListUser");
    let error = failure("duplicate.yaml", &text);

    let Error::DuplicateOperationId {
        operation_id,
        first,
        second,
        ..
    } = &error
    else {
        panic!("expected Error::DuplicateOperationId, got {error:?}");
    };
    assert_eq!(operation_id, "ListUser");
    // serde_json keeps map keys sorted, so /Groups is visited before /Users.
    assert_eq!(
        first.pointer.as_deref(),
        Some("/paths/~1Groups/get/operationId")
    );
    assert_eq!(first.line, Some(26));
    assert_eq!(
        second.pointer.as_deref(),
        Some("/paths/~1Users/get/operationId")
    );
    assert_eq!(second.line, Some(10));
    let message = error.to_string();
    assert!(message.contains("duplicate.yaml"), "{message}");
    assert!(message.contains("line 26"), "{message}");
    assert!(message.contains("line 10"), "{message}");
}

#[test]
fn missing_operation_id_reported() {
    let text = VALID.replace("      operationId: CreateUser\n", "");
    let error = failure("missing-id.yaml", &text);

    let Error::MissingOperationId { location, .. } = &error else {
        panic!("expected Error::MissingOperationId, got {error:?}");
    };
    assert_eq!(location.pointer.as_deref(), Some("/paths/~1Users/post"));
    assert_eq!(location.line, Some(16));
    assert!(
        error.to_string().contains("missing-id.yaml:16:5"),
        "{error}"
    );
}

#[test]
fn json_not_openapi_rejected() {
    let error = failure(
        "package.json",
        "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}",
    );

    let Error::NotOpenApi { found, .. } = &error else {
        panic!("expected Error::NotOpenApi, got {error:?}");
    };
    assert_eq!(
        found,
        "no `openapi` field among the top-level keys (name, version)"
    );
    assert!(error.to_string().contains("package.json"), "{error}");
}

#[test]
fn yaml_list_not_openapi() {
    let error = failure("list.yaml", "- a\n- b\n");

    let Error::NotOpenApi { found, .. } = &error else {
        panic!("expected Error::NotOpenApi, got {error:?}");
    };
    assert_eq!(found, "the top level is a list");
}

#[test]
fn empty_file_not_openapi() {
    let error = failure("empty.yaml", "");

    let Error::NotOpenApi { found, .. } = &error else {
        panic!("expected Error::NotOpenApi, got {error:?}");
    };
    assert_eq!(found, "the file is empty");
}

#[test]
fn swagger_2_rejected() {
    let text = "swagger: '2.0'\ninfo:\n  title: old\n  version: '1'\npaths: {}\n";
    let error = failure("swagger.yaml", text);

    let Error::UnsupportedVersion {
        version, location, ..
    } = &error
    else {
        panic!("expected Error::UnsupportedVersion, got {error:?}");
    };
    assert_eq!(version, "Swagger 2.0");
    assert_eq!(location.line, Some(1));
    let message = error.to_string();
    assert!(message.contains("swagger.yaml:1:1"), "{message}");
    assert!(message.contains("only OpenAPI 3.0.x"), "{message}");
}

#[test]
fn openapi_3_1_rejected() {
    let text = VALID.replace("openapi: 3.0.4", "openapi: 3.1.0");
    let error = failure("v31.yaml", &text);

    let Error::UnsupportedVersion { version, .. } = &error else {
        panic!("expected Error::UnsupportedVersion, got {error:?}");
    };
    assert_eq!(version, "OpenAPI 3.1.0");
    assert!(error.to_string().contains("v31.yaml:1:1"), "{error}");
}

#[test]
fn paths_not_a_map_rejected() {
    let error = failure(
        "paths.yaml",
        "openapi: 3.0.1\ninfo: {}\npaths:\n  - /Users\n",
    );

    let Error::Invalid {
        location, message, ..
    } = &error
    else {
        panic!("expected Error::Invalid, got {error:?}");
    };
    assert_eq!(message, "`paths` must be a map of path items");
    assert_eq!(location.line, Some(3));
    assert!(error.to_string().contains("paths.yaml:3:1"), "{error}");
}

#[test]
fn json_detected_by_content() {
    let text = r##"{"openapi": "3.0.1", "info": {"title": "x", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "GetA", "tags": ["A"],
        "responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
        "components": {"responses": {"Ok": {"description": "ok"}}}}"##;
    let (_dir, path) = write("document.yaml", text);
    let document = load(&path).unwrap();
    let summary = validate(&document).unwrap();

    assert_eq!(document.format, Format::Json);
    assert_eq!(summary.operations, 1);
    assert_eq!(summary.tags, 1);
}

#[test]
fn json_dangling_ref_has_pointer_only() {
    let text = r##"{"openapi": "3.0.1", "paths": {"/a": {"get": {"operationId": "GetA",
        "responses": {"200": {"$ref": "#/components/responses/Gone"}}}}}}"##;
    let error = failure("document.json", text);

    let Error::DanglingRef { location, .. } = &error else {
        panic!("expected Error::DanglingRef, got {error:?}");
    };
    assert_eq!(
        location.pointer.as_deref(),
        Some("/paths/~1a/get/responses/200/$ref")
    );
    assert_eq!(location.line, None);
    assert!(
        error.to_string().contains("document.json (at /paths"),
        "{error}"
    );
}

#[test]
fn missing_file_is_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.yaml");
    let error = load(&path).unwrap_err();

    assert!(matches!(error, Error::Read { .. }), "{error:?}");
    assert!(error.to_string().contains("absent.yaml"), "{error}");
}
