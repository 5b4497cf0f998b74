//! File replies are written byte for byte to the chosen file.

mod common;

use std::process::Command;

use common::{code, run, scratch_dir, stderr, stdout, xapi};
use serde_json::Value;

/// The first operation that returns a file and takes no parameters and no body.
fn plain_download() -> String {
    let output = run(xapi().args(["ops", "--output-format", "json"]));
    let operations: Value = serde_json::from_slice(&output.stdout).expect("ops prints JSON");
    operations
        .as_array()
        .expect("ops prints an array")
        .iter()
        .find(|operation| {
            operation["file_response"] == true
                && operation["has_body"] == false
                && operation["parameters"]
                    .as_array()
                    .is_some_and(|parameters| parameters.is_empty())
        })
        .and_then(|operation| operation["operation_id"].as_str())
        .expect("the document has a download without parameters")
        .to_owned()
}

#[test]
fn download_writes_exact_bytes() {
    let operation_id = plain_download();
    let directory = scratch_dir("download");
    let target = directory.join("file.bin");
    let output = run(xapi()
        .args(["--mock", "call", &operation_id, "--output"])
        .arg(&target));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output).trim_end(), target.display().to_string());
    let written = std::fs::read(&target).expect("the file was written");
    assert_eq!(written, xapi_mock::file_bytes(&operation_id));
}

#[test]
fn download_uses_server_file_name() {
    let operation_id = plain_download();
    let directory = scratch_dir("download-name");
    let output = run(xapi()
        .current_dir(&directory)
        .args(["--mock", "call", &operation_id]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let name = stdout(&output).trim_end().to_owned();
    assert!(!name.is_empty());
    assert!(!name.contains('/'), "{name}");
    let written = std::fs::read(directory.join(&name)).expect("the file was written");
    assert_eq!(written, xapi_mock::file_bytes(&operation_id));

    let again = run(xapi()
        .current_dir(&directory)
        .args(["--mock", "call", &operation_id]));
    assert_eq!(code(&again), 1, "an existing file is not replaced");
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn download_to_piped_stdout() {
    let operation_id = plain_download();
    let output = run(xapi().args(["--mock", "call", &operation_id, "--output", "-"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(output.stdout, xapi_mock::file_bytes(&operation_id));
}

#[test]
fn download_with_path_arguments() {
    let output = run(xapi().args(["ops", "--output-format", "json"]));
    let operations: Value = serde_json::from_slice(&output.stdout).expect("ops prints JSON");
    let with_integer_argument = operations
        .as_array()
        .expect("ops prints an array")
        .iter()
        .find(|operation| {
            operation["file_response"] == true
                && operation["has_body"] == false
                && operation["parameters"]
                    .as_array()
                    .is_some_and(|parameters| {
                        parameters.len() == 1 && parameters[0]["kind"] == "int32"
                    })
        });
    let Some(operation) = with_integer_argument else {
        return;
    };
    let operation_id = operation["operation_id"].as_str().unwrap();
    let name = operation["parameters"][0]["name"].as_str().unwrap();
    let target = scratch_dir("download-argument").join("file");
    let output = run(xapi()
        .args(["--mock", "call", operation_id, &format!("{name}=1"), "-o"])
        .arg(&target));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        std::fs::read(&target).expect("the file was written"),
        xapi_mock::file_bytes(operation_id)
    );
}

#[cfg(unix)]
#[test]
fn download_into_fifo_keeps_it() {
    let operation_id = plain_download();
    let fifo = scratch_dir("download-fifo").join("pipe");
    let created = Command::new("mkfifo").arg(&fifo).status();
    if !created.is_ok_and(|status| status.success()) {
        return;
    }
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).expect("the FIFO is readable"))
    };
    let output = run(xapi()
        .args(["--mock", "call", &operation_id, "--output"])
        .arg(&fifo));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let received = reader.join().expect("the reader finishes");
    assert_eq!(received, xapi_mock::file_bytes(&operation_id));
    let kind = std::fs::symlink_metadata(&fifo)
        .expect("the FIFO exists")
        .file_type();
    assert!(!kind.is_file(), "the FIFO was replaced by a regular file");
}
