//! Connection settings (options, environment, config file), `xapi mock`, and the commands
//! that need no PBX: `ops`, `describe`, `schema`, `completions`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{code, run, scratch_dir, stderr, stdout, xapi, Pbx};
use serde_json::Value;

#[cfg(unix)]
fn write_config(text: &str, mode: u32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;

    let path = scratch_dir("config").join("config.toml");
    std::fs::write(&path, text).expect("the config file is written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
        .expect("the mode can be set");
    path
}

#[cfg(unix)]
#[test]
fn config_file_in_config_directory() {
    let pbx = Pbx::start(3, 1);
    let home = scratch_dir("config-home");
    let directory = home.join("xapi");
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join("config.toml");
    std::fs::write(
        &path,
        format!(
            "pbx = \"{}\"\nclient_id = \"cli-test-0\"\nclient_secret = \"cli-test-secret-0\"\n",
            pbx.base_url()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let output = run(xapi()
        .env("XDG_CONFIG_HOME", &home)
        .args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn config_readable_by_others_rejected() {
    let path = write_config(
        "pbx = \"http://127.0.0.1:9\"\nclient_id = \"a\"\nclient_secret = \"b\"\n",
        0o640,
    );
    let output = run(xapi()
        .arg("--config")
        .arg(&path)
        .args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 2);
    let message = stderr(&output);
    assert!(
        message.contains("accessible by group or others"),
        "{message}"
    );
    assert!(message.contains("chmod 600"), "{message}");
}

#[cfg(unix)]
#[test]
fn config_unknown_key_rejected() {
    let path = write_config("pbx = \"http://127.0.0.1:9\"\nsecret = \"b\"\n", 0o600);
    let output = run(xapi()
        .arg("--config")
        .arg(&path)
        .args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("invalid config file"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn options_override_config() {
    let pbx = Pbx::start(3, 1);
    let path = write_config(
        "pbx = \"http://127.0.0.1:9\"\nclient_id = \"cli-test-0\"\nclient_secret = \"cli-test-secret-0\"\n",
        0o600,
    );
    let output = run(xapi().arg("--config").arg(&path).args([
        "--pbx",
        pbx.base_url(),
        "call",
        "GetLicenseStatus",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn mock_command_prints_settings() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xapi"))
        .args(["mock", "--rows", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("xapi mock starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut settings = Vec::new();
    for _ in 0..3 {
        let line = lines.next().expect("a settings line").expect("readable");
        let (name, value) = line.split_once('=').expect("NAME=VALUE");
        settings.push((name.to_owned(), value.to_owned()));
    }
    let names: Vec<&str> = settings.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["XAPI_PBX", "XAPI_CLIENT_ID", "XAPI_CLIENT_SECRET"]);
    assert!(
        settings[0].1.starts_with("http://127.0.0.1:"),
        "{}",
        settings[0].1
    );

    let mut command = xapi();
    command.envs(settings.iter().map(|(name, value)| (name, value)));
    let output = run(command.args([
        "call",
        "ListUser",
        "--select",
        "Id",
        "--output-format",
        "csv",
    ]));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "Id\n1\n2\n");
}

#[test]
fn ops_filters_by_tag_and_word() {
    let output = run(xapi().args(["ops", "--tag", "license-status", "--output-format", "json"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let operations: Value = serde_json::from_slice(&output.stdout).unwrap();
    let operations = operations.as_array().unwrap();
    assert!(!operations.is_empty());
    assert!(operations
        .iter()
        .all(|operation| operation["tag"] == "LicenseStatus"));
    assert!(operations
        .iter()
        .any(|operation| operation["operation_id"] == "GetLicenseStatus"));

    let output = run(xapi().args(["ops", "--search", "licensestatus"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("operation_id"), "{text}");
    assert!(text.contains("GetLicenseStatus"), "{text}");

    let output = run(xapi().args(["ops", "--tag", "no-such-tag"]));
    assert_eq!(code(&output), 2);
}

#[test]
fn ops_formats_agree() {
    let json = run(xapi().args(["ops", "--output-format", "json"]));
    let ndjson = run(xapi().args(["ops", "--output-format", "ndjson"]));
    let csv = run(xapi().args(["ops", "--output-format", "csv"]));
    let listed: Value = serde_json::from_slice(&json.stdout).unwrap();
    let count = listed.as_array().unwrap().len();
    assert_eq!(stdout(&ndjson).lines().count(), count);
    assert_eq!(
        stdout(&csv).lines().count(),
        count + 1,
        "a header and one line each"
    );
    assert!(stdout(&csv).starts_with("operation_id,method,tag,path,parameters\n"));
}

#[test]
fn describe_shows_types() {
    let output = run(xapi().args(["describe", "getuser"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("GetUser: GET /Users({Id})"), "{text}");
    assert!(text.contains("integer (int32)"), "{text}");
    assert!(text.contains("Response: 200 Pbx.User"), "{text}");

    let output = run(xapi().args(["describe", "CreateUser", "--output-format", "json"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let facts: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(facts["body"]["type"], "Pbx.User");
    assert!(facts["body"]["example"].is_object());
    assert_eq!(facts["response"]["status"], "201");

    let output = run(xapi().args(["describe", "ListUser"]));
    assert!(
        stdout(&output).contains("collection of Pbx.User"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn schema_prints_json_schema() {
    let output = run(xapi().args(["schema", "User"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$ref"], "#/$defs/Pbx.User");
    assert!(schema["$defs"]["Pbx.User"].is_object());
    let text = stdout(&output);
    assert!(!text.contains("#/components/"), "references are rewritten");
    assert!(!text.contains("\"nullable\""), "nullable is converted");

    let output = run(xapi().args(["schema", "NoSuchTypeAnywhere"]));
    assert_eq!(code(&output), 2);
}

#[test]
fn completions_include_tags() {
    for shell in ["bash", "zsh", "fish"] {
        let output = run(xapi().args(["completions", shell]));
        assert_eq!(code(&output), 0, "{shell}: {}", stderr(&output));
        let script = stdout(&output);
        assert!(script.contains("license-status"), "{shell}");
        assert!(script.contains("get-license-status"), "{shell}");
    }
}

#[test]
fn version_names_document() {
    let output = run(xapi().arg("--version"));
    assert_eq!(code(&output), 0);
    assert!(
        stdout(&output).contains("XAPI document"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn empty_variables_mean_unset() {
    let output = run(xapi()
        .env("XAPI_PBX", "")
        .env("XAPI_CONFIG", "")
        .args(["call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("missing connection settings"),
        "{}",
        stderr(&output)
    );
}
