//! Runs the `license_status` example against a responder on 127.0.0.1 and checks what it sent
//! and what it decoded.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::thread;

/// A reply with the properties of the licence status schema, some of them null.
const BODY: &str = r#"{
  "@odata.context": "http://127.0.0.1/xapi/v1/$metadata#LicenseStatus",
  "Activated": true,
  "ActiveModules": ["CRM", "Reports"],
  "AdminEMail": null,
  "CompanyName": "Example Ltd",
  "ExpirationDate": "2027-01-31T00:00:00.0000000+01:00",
  "LicenseActive": true,
  "LicenseKey": "ABCD-1234",
  "MaxSimCalls": 16,
  "ProductCode": "3CXPSPROFENT",
  "Version": "20.0.10.1621"
}"#;

/// Serves one HTTP request with `BODY` and returns the request head it received.
fn serve_once(listener: TcpListener) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        let mut request = Vec::new();
        let mut buffer = [0u8; 4096];
        while !request.windows(4).any(|window| window == b"\r\n\r\n") {
            let read = stream.read(&mut buffer).expect("read request");
            if read == 0 {
                break;
            }
            request.extend_from_slice(&buffer[..read]);
        }
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; odata.metadata=minimal\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{BODY}",
            BODY.len()
        );
        stream.write_all(reply.as_bytes()).expect("write reply");
        String::from_utf8_lossy(&request).into_owned()
    })
}

/// The example binary, which `cargo test` builds next to the test executables.
fn example_path() -> PathBuf {
    let test_binary = std::env::current_exe().expect("current exe");
    let profile_dir = test_binary
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile directory");
    profile_dir
        .join("examples")
        .join(format!("license_status{}", std::env::consts::EXE_SUFFIX))
}

#[test]
fn license_status_example_decodes_reply() {
    if xapi_client::catalog::by_operation_id("GetLicenseStatus").is_none() {
        eprintln!("skipped: the client was built without GetLicenseStatus");
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let server = serve_once(listener);

    let output = Command::new(example_path())
        .args(["--base-url", &base_url, "--token", "token-123"])
        .output()
        .expect("run the license_status example (built by cargo test)");
    let request = server.join().expect("responder thread");

    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let first_line = request.lines().next().unwrap_or_default();
    assert_eq!(first_line, "GET /xapi/v1/LicenseStatus HTTP/1.1");
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer token-123\r\n"),
        "{request}"
    );

    let printed: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("the example prints JSON");
    assert_eq!(printed["Activated"], true);
    assert_eq!(
        printed["ActiveModules"],
        serde_json::json!(["CRM", "Reports"])
    );
    assert_eq!(printed["CompanyName"], "Example Ltd");
    assert_eq!(printed["LicenseKey"], "ABCD-1234");
    assert_eq!(printed["MaxSimCalls"], 16);
    assert_eq!(printed["Version"], "20.0.10.1621");
    // The offset is decoded and the instant re-encoded in UTC.
    assert_eq!(printed["ExpirationDate"], "2027-01-30T23:00:00Z");
    assert!(printed
        .get("AdminEMail")
        .is_none_or(|value| value.is_null()));
}
