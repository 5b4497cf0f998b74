//! The client secret never appears in anything the binary prints: replies, `--verbose` logs,
//! errors, help text or completions.

mod common;

use std::process::{Command, Output};

use common::{code, run, scratch_dir, stderr, stdout, xapi, Pbx};

const CLIENT_ID: &str = "secret-test-client";
const SECRET: &str = "S3cr3t-9f2e-never-print-me";

fn assert_hidden(label: &str, output: &Output) {
    let printed = format!("{}{}", stdout(output), stderr(output));
    assert!(
        !printed.contains(SECRET),
        "{label}: the secret was printed:\n{printed}"
    );
}

fn with_secret(pbx: &Pbx) -> Command {
    let mut command = xapi();
    command
        .env("XAPI_PBX", pbx.base_url())
        .env("XAPI_CLIENT_ID", CLIENT_ID)
        .env("XAPI_CLIENT_SECRET", SECRET);
    command
}

#[test]
fn secret_never_printed() {
    let pbx = Pbx::start_with(3, vec![(CLIENT_ID.to_owned(), SECRET.to_owned())]);

    let cases: Vec<(&str, Vec<&str>, i32)> = vec![
        (
            "verbose call",
            vec!["--verbose", "call", "ListUser", "--top", "2"],
            0,
        ),
        (
            "verbose all",
            vec!["-v", "call", "ListUser", "--all", "--page-size", "2"],
            0,
        ),
        ("not found", vec!["-v", "call", "GetUser", "Id=999999"], 4),
        ("bad argument", vec!["-v", "call", "GetUser", "Id=abc"], 2),
        (
            "bad option",
            vec!["-v", "call", "GetLicenseStatus", "--filter", "x"],
            2,
        ),
        ("help", vec!["--help"], 0),
        ("call help", vec!["call", "--help"], 0),
        ("tag help", vec!["users", "list-user", "--help"], 0),
        ("describe", vec!["describe", "GetUser"], 0),
        ("completions", vec!["completions", "bash"], 0),
    ];
    for (label, arguments, expected) in cases {
        let output = run(with_secret(&pbx).args(&arguments));
        assert_eq!(code(&output), expected, "{label}: {}", stderr(&output));
        assert_hidden(label, &output);
    }

    let flag = run(xapi()
        .args(["-v", "--pbx", pbx.base_url(), "--client-id", CLIENT_ID])
        .args(["--client-secret", SECRET, "call", "GetLicenseStatus"]));
    assert_eq!(code(&flag), 0, "{}", stderr(&flag));
    assert_hidden("secret as option", &flag);

    let wrong_id = run(with_secret(&pbx)
        .env("XAPI_CLIENT_ID", "someone-else")
        .args(["-v", "call", "GetLicenseStatus"]));
    assert_eq!(code(&wrong_id), 3, "{}", stderr(&wrong_id));
    assert_hidden("rejected credentials", &wrong_id);
}

#[test]
fn secret_hidden_when_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let output = run(xapi()
        .env("XAPI_PBX", format!("http://127.0.0.1:{port}"))
        .env("XAPI_CLIENT_ID", CLIENT_ID)
        .env("XAPI_CLIENT_SECRET", SECRET)
        .args(["-v", "--timeout", "5", "call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 5, "{}", stderr(&output));
    assert_hidden("unreachable", &output);
}

#[test]
fn secret_from_config_hidden() {
    let pbx = Pbx::start_with(3, vec![(CLIENT_ID.to_owned(), SECRET.to_owned())]);
    let directory = scratch_dir("secret-config");
    let config = directory.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "pbx = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \"{SECRET}\"\n",
            pbx.base_url()
        ),
    )
    .expect("the config file is written");
    set_mode(&config, 0o600);

    let output = run(xapi()
        .env("XAPI_CONFIG", &config)
        .args(["-v", "call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_hidden("config file", &output);

    set_mode(&config, 0o644);
    let rejected = run(xapi()
        .env("XAPI_CONFIG", &config)
        .args(["-v", "call", "GetLicenseStatus"]));
    assert_eq!(code(&rejected), 2, "{}", stderr(&rejected));
    assert_hidden("config file readable by others", &rejected);
}

#[cfg(unix)]
fn set_mode(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .expect("the mode can be set");
}

#[cfg(not(unix))]
fn set_mode(_path: &std::path::Path, _mode: u32) {}
