//! Invalid command lines exit with status 2 and list what the operation expects; failures of
//! the PBX map to statuses 3, 4 and 5.

mod common;

use common::{code, run, stderr, stdout, xapi, Pbx};
use serde_json::Value;

/// Finds the first operation with exactly one required path parameter of `kind` and no body.
fn operation_with_one(kind: &str) -> (String, String) {
    let output = run(xapi().args(["ops", "--output-format", "json"]));
    let operations: Value = serde_json::from_slice(&output.stdout).expect("ops prints JSON");
    let found = operations
        .as_array()
        .expect("ops prints an array")
        .iter()
        .find(|operation| {
            let parameters = operation["parameters"].as_array().unwrap();
            operation["has_body"] == false
                && operation["file_response"] == false
                && parameters.len() == 1
                && parameters[0]["kind"] == kind
                && parameters[0]["required"] == true
                && parameters[0]["nullable"] == false
        })
        .unwrap_or_else(|| panic!("no operation takes one {kind} parameter"));
    (
        found["operation_id"].as_str().unwrap().to_owned(),
        found["parameters"][0]["name"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn wrong_integer_names_type() {
    let (operation_id, name) = operation_with_one("int32");
    let output = run(xapi().args(["--mock", "call", &operation_id, &format!("{name}=abc")]));
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("expected integer (int32)"), "{message}");
    assert!(
        message.contains(&format!("{name}=integer (int32)")),
        "{message}"
    );
    assert_eq!(stdout(&output), "");
}

/// Finds the first operation with a path parameter of `kind`, and that parameter's name.
fn operation_with_any(kind: &str) -> (String, String) {
    let output = run(xapi().args(["ops", "--output-format", "json"]));
    let operations: Value = serde_json::from_slice(&output.stdout).expect("ops prints JSON");
    operations
        .as_array()
        .expect("ops prints an array")
        .iter()
        .find_map(|operation| {
            let parameter = operation["parameters"]
                .as_array()?
                .iter()
                .find(|parameter| parameter["kind"] == kind)?;
            Some((
                operation["operation_id"].as_str()?.to_owned(),
                parameter["name"].as_str()?.to_owned(),
            ))
        })
        .unwrap_or_else(|| panic!("no operation takes a {kind} parameter"))
}

#[test]
fn wrong_date_time_names_type() {
    let (operation_id, name) = operation_with_any("date-time");
    let output = run(xapi().args(["call", &operation_id, &format!("{name}=yesterday")]));
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("date-time"), "{}", stderr(&output));
}

#[test]
fn missing_argument_is_listed() {
    let (operation_id, name) = operation_with_one("int32");
    let output = run(xapi().args(["call", &operation_id]));
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(
        message.contains(&format!("missing argument {name}=")),
        "{message}"
    );
    assert!(message.contains("expects:"), "{message}");
}

#[test]
fn unknown_parameter_is_rejected() {
    let (operation_id, _) = operation_with_one("int32");
    let output = run(xapi().args(["call", &operation_id, "NoSuchParameter=1"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("has no parameter \"NoSuchParameter\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn argument_names_ignore_case() {
    let (operation_id, name) = operation_with_one("int32");
    let output = run(xapi().args([
        "--mock",
        "call",
        &operation_id.to_ascii_lowercase(),
        &format!("{}=1", name.to_ascii_uppercase()),
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn unknown_operation_suggests_near_miss() {
    let output = run(xapi().args(["call", "GetLicenseStatuss"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("did you mean GetLicenseStatus?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn argument_without_equals_is_rejected() {
    let (operation_id, _) = operation_with_one("int32");
    let output = run(xapi().args(["call", &operation_id, "42"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("expected NAME=VALUE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn rejected_query_option_lists_accepted() {
    let output = run(xapi().args(["--mock", "call", "GetLicenseStatus", "--filter", "x eq 1"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("does not take the query option $filter"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn body_problems_are_usage_errors() {
    let no_body = run(xapi().args(["call", "GetLicenseStatus", "--body", "{}"]));
    assert_eq!(code(&no_body), 2);
    assert!(
        stderr(&no_body).contains("takes no request body"),
        "{}",
        stderr(&no_body)
    );

    let output = run(xapi().args(["ops", "--output-format", "json"]));
    let operations: Value = serde_json::from_slice(&output.stdout).expect("ops prints JSON");
    let with_body = operations
        .as_array()
        .unwrap()
        .iter()
        .find(|operation| {
            operation["has_body"] == true && operation["parameters"].as_array().unwrap().is_empty()
        })
        .and_then(|operation| operation["operation_id"].as_str())
        .expect("some operation takes a body and no parameters");
    let invalid = run(xapi().args(["call", with_body, "--body", "{not json"]));
    assert_eq!(code(&invalid), 2);
    assert!(
        stderr(&invalid).contains("not valid JSON"),
        "{}",
        stderr(&invalid)
    );

    let unreadable = run(xapi().args(["call", with_body, "--body", "@/nonexistent/body.json"]));
    assert_eq!(code(&unreadable), 2);
    assert!(
        stderr(&unreadable).contains("cannot read the body file"),
        "{}",
        stderr(&unreadable)
    );
}

#[test]
fn body_checked_against_schema() {
    let output = run(xapi().args(["--mock", "call", "CreateUser", "--body", r#"{"Id":"x"}"#]));
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("the body does not match Pbx.User"),
        "{message}"
    );
    assert!(message.contains("$.Id: expected an integer"), "{message}");

    let accepted = run(xapi().args([
        "--mock",
        "call",
        "CreateUser",
        "--body",
        r#"{"FirstName":"Ann"}"#,
        "--output-format",
        "ndjson",
    ]));
    assert_eq!(code(&accepted), 0, "{}", stderr(&accepted));
    assert!(
        stdout(&accepted).contains(r#""FirstName":"Ann""#),
        "{}",
        stdout(&accepted)
    );
}

#[test]
fn all_needs_paged_operation() {
    let output = run(xapi().args(["--mock", "call", "GetLicenseStatus", "--all"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("--all needs"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn clap_errors_exit_two() {
    let output = run(xapi().args(["call"]));
    assert_eq!(code(&output), 2);
    let output = run(xapi().args(["--output-format", "xml", "ops"]));
    assert_eq!(code(&output), 2);
    let output = run(xapi().args(["users", "no-such-operation"]));
    assert_eq!(code(&output), 2);
}

#[test]
fn missing_settings_exit_two() {
    let output = run(xapi().args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("missing connection settings"), "{message}");
    assert!(message.contains("XAPI_PBX"), "{message}");
}

#[test]
fn api_error_exits_four() {
    let (operation_id, name) = operation_with_one("int32");
    let output = run(xapi().args(["--mock", "call", &operation_id, &format!("{name}=999999")]));
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("HTTP 404"), "{message}");
    assert!(message.contains("(NotFound)"), "{message}");
}

#[test]
fn rejected_secret_exits_three() {
    let pbx = Pbx::start(3, 1);
    let output = run(pbx
        .xapi(0)
        .env("XAPI_CLIENT_SECRET", "not-the-secret")
        .args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("authentication failed"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unreachable_pbx_exits_five() {
    // Bind a port and close it again, so that nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let output = run(xapi()
        .env("XAPI_PBX", format!("http://127.0.0.1:{port}"))
        .env("XAPI_CLIENT_ID", "someone")
        .env("XAPI_CLIENT_SECRET", "something")
        .args(["--timeout", "5", "call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("cannot reach the PBX"),
        "{}",
        stderr(&output)
    );
}
