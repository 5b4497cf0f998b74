//! A million seeded rows: start-up, paging, key lookup and a full scan.

mod common;

use std::time::{Duration, Instant};

use common::{get, tiny_document, token};
use xapi_mock::MockPbx;

const ROWS: u64 = 1_000_000;

/// Resident set size of this process in KiB, from /proc (Linux only).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn million_rows_page_and_key() {
    let rss_before = rss_kib();
    let started = Instant::now();
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .rows(ROWS)
        .start()
        .await
        .unwrap();
    let start_time = started.elapsed();
    let rss_after = rss_kib();
    println!(
        "seeded {ROWS} rows per set in {start_time:?}; RSS {rss_before:?} KiB -> {rss_after:?} KiB"
    );
    assert!(
        start_time < Duration::from_secs(2),
        "rows are generated on demand"
    );

    let access = token(&pbx).await;
    let last = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$skip=999998&$top=5&$count=true",
    )
    .await;
    assert_eq!(last.status, 200);
    let body = last.json();
    assert_eq!(body["@odata.count"], 1_000_000);
    let ids: Vec<i64> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![999_999, 1_000_000]);

    let by_key = get(&pbx, &access, "/xapi/v1/Widgets(1000000)").await;
    assert_eq!(by_key.status, 200);
    assert_eq!(by_key.json(), {
        let mut row = body["value"][1].clone();
        row["@odata.context"] = serde_json::json!(format!(
            "{}/xapi/v1/$metadata#Widgets/$entity",
            pbx.base_url()
        ));
        row
    });
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets(1000001)").await.status,
        404
    );

    let labels = get(&pbx, &access, "/xapi/v1/Labels?$skip=999999")
        .await
        .json();
    let code = labels["value"][0]["Code"].as_str().unwrap().to_owned();
    assert!(code.len() <= 12, "{code}");
    let label = get(&pbx, &access, &format!("/xapi/v1/Labels('{code}')")).await;
    assert_eq!(label.status, 200);
}

/// Full scans over a million rows take seconds in a debug build: run with
/// `cargo test --release -p xapi-mock --test scale -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn million_rows_filter_scan() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .rows(ROWS)
        .start()
        .await
        .unwrap();
    let access = token(&pbx).await;
    let targets = [
        "/xapi/v1/Widgets?$top=100&$skip=500000",
        "/xapi/v1/Widgets?$top=100&$filter=Price%20gt%209000&$count=true",
        "/xapi/v1/Widgets?$top=100&$filter=contains(Name,'kilo%20lima')&$count=true",
        "/xapi/v1/Widgets?$top=100&$orderby=Created%20desc,Id",
        "/xapi/v1/Widgets?$top=100&$search=oscar&$count=true",
    ];
    for target in targets {
        let started = Instant::now();
        let response = get(&pbx, &access, target).await;
        assert_eq!(response.status, 200, "{target}");
        let count = response.json()["@odata.count"].clone();
        println!("{:>8.1?} count {count} {target}", started.elapsed());
    }
    println!("RSS after the scans: {:?} KiB", rss_kib());
}
