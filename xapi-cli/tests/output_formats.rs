//! Exact output of each format on a small page of the mock PBX, and `--all` paging.
//!
//! The mock generates the same rows from the same document and seed on every run, so the
//! expected text is fixed.

mod common;

use common::{code, run, stderr, stdout, xapi};

/// Lists three users of a mock with three rows, selecting three columns.
fn list_users(format: &str) -> String {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "call",
        "ListUser",
        "--select",
        "Id,FirstName,Number",
        "--output-format",
        format,
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    stdout(&output)
}

#[test]
fn json_is_compact_when_piped() {
    assert_eq!(
        list_users("json"),
        concat!(
            r#"{"value":[{"FirstName":"alpha delta 375","Id":1,"Number":"juliet delta 25"},"#,
            r#"{"FirstName":"juliet oscar 845","Id":2,"Number":"bravo juliet 961"},"#,
            r#"{"FirstName":"alpha foxtrot 129","Id":3,"Number":"echo lima 534"}]}"#,
            "\n"
        )
    );
}

#[test]
fn ndjson_has_one_item_per_line() {
    assert_eq!(
        list_users("ndjson"),
        concat!(
            r#"{"FirstName":"alpha delta 375","Id":1,"Number":"juliet delta 25"}"#,
            "\n",
            r#"{"FirstName":"juliet oscar 845","Id":2,"Number":"bravo juliet 961"}"#,
            "\n",
            r#"{"FirstName":"alpha foxtrot 129","Id":3,"Number":"echo lima 534"}"#,
            "\n"
        )
    );
}

#[test]
fn csv_columns_follow_select() {
    assert_eq!(
        list_users("csv"),
        "Id,FirstName,Number\n\
         1,alpha delta 375,juliet delta 25\n\
         2,juliet oscar 845,bravo juliet 961\n\
         3,alpha foxtrot 129,echo lima 534\n"
    );
}

#[test]
fn table_aligns_columns() {
    assert_eq!(
        list_users("table"),
        "Id  FirstName          Number\n\
         --  -----------------  ----------------\n\
         1   alpha delta 375    juliet delta 25\n\
         2   juliet oscar 845   bravo juliet 961\n\
         3   alpha foxtrot 129  echo lima 534\n"
    );
}

#[test]
fn tag_subcommand_matches_call() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "users",
        "list-user",
        "--select",
        "Id,FirstName,Number",
        "--output-format",
        "csv",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), list_users("csv"));
}

#[test]
fn count_is_kept_in_json() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "call",
        "ListUser",
        "--select",
        "Id",
        "--count",
        "--top",
        "2",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"@odata.count\":3,\"value\":[{\"Id\":1},{\"Id\":2}]}\n"
    );
}

#[test]
fn all_pages_through_every_item() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "5",
        "--verbose",
        "call",
        "ListUser",
        "--select",
        "Id",
        "--all",
        "--page-size",
        "2",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"Id\":1}\n{\"Id\":2}\n{\"Id\":3}\n{\"Id\":4}\n{\"Id\":5}\n"
    );
    let log = stderr(&output);
    let pages: Vec<&str> = log
        .lines()
        .filter(|line| line.starts_with("GET "))
        .collect();
    assert_eq!(pages.len(), 3, "{log}");
    assert!(
        pages[0].contains("/xapi/v1/Users?$top=2&$skip=0&$select=Id -> 200"),
        "{log}"
    );
    assert!(pages[2].contains("$top=2&$skip=4"), "{log}");
}

#[test]
fn all_honours_top_and_skip() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "9",
        "call",
        "ListUser",
        "--select",
        "Id",
        "--all",
        "--page-size",
        "2",
        "--skip",
        "1",
        "--top",
        "3",
        "--output-format",
        "json",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "[{\"Id\":2},{\"Id\":3},{\"Id\":4}]\n");
}

#[test]
fn all_csv_writes_one_header() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "call",
        "ListUser",
        "--select",
        "Id",
        "--all",
        "--page-size",
        "2",
        "--output-format",
        "csv",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "Id\n1\n2\n3\n");
}

#[test]
fn output_option_writes_file() {
    let directory = common::scratch_dir("output");
    let target = directory.join("users.csv");
    let output = run(xapi()
        .args([
            "--mock",
            "--mock-rows",
            "3",
            "call",
            "ListUser",
            "--select",
            "Id,FirstName,Number",
            "--output-format",
            "csv",
            "--output",
        ])
        .arg(&target));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let written = std::fs::read_to_string(&target).expect("the output file exists");
    assert_eq!(written, list_users("csv"));
}

#[test]
fn license_status_prints_object() {
    let output = run(xapi().args(["--mock", "call", "GetLicenseStatus"]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_str(&stdout(&output)).expect("the reply is JSON");
    assert!(value.is_object(), "{value}");
    assert!(!value.as_object().unwrap().is_empty(), "{value}");
}

#[test]
fn all_ends_after_full_last_page() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "4",
        "call",
        "ListUser",
        "--select",
        "Id",
        "--all",
        "--page-size",
        "2",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "{\"Id\":1}\n{\"Id\":2}\n{\"Id\":3}\n{\"Id\":4}\n"
    );
}

#[test]
fn empty_collection_keeps_value() {
    let output = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "call",
        "ListUser",
        "--skip",
        "5",
    ]));
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "{\"value\":[]}\n");

    let csv = run(xapi().args([
        "--mock",
        "--mock-rows",
        "3",
        "call",
        "ListUser",
        "--skip",
        "5",
        "--select",
        "Id",
        "--output-format",
        "csv",
    ]));
    assert_eq!(code(&csv), 0, "{}", stderr(&csv));
    assert_eq!(stdout(&csv), "Id\n");
}
