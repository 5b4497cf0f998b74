//! Hostile input gets a clear 4xx, never a 5xx or a dropped connection.

mod common;

use common::{call, get, send, start_tiny, token};

#[tokio::test]
async fn hostile_targets_get_4xx() {
    let pbx = start_tiny(5).await;
    let access = token(&pbx).await;
    let nested = format!("{}Id%20eq%201{}", "(".repeat(5000), ")".repeat(5000));
    let nots = "not%20".repeat(5000) + "(Id%20eq%201)";
    let long_segment = "A".repeat(20_000);
    let targets = vec![
        format!("/xapi/v1/Widgets?$filter={nested}"),
        format!("/xapi/v1/Widgets?$filter={nots}"),
        format!("/xapi/v1/{long_segment}"),
        "/xapi/v1/Widgets?$top=99999999999999999999999".to_owned(),
        "/xapi/v1/Widgets?$skip=18446744073709551615&$top=1".to_owned(),
        "/xapi/v1/Widgets(99999999999999999999)".to_owned(),
        "/xapi/v1/Widgets(-9223372036854775808)".to_owned(),
        "/xapi/v1/Widgets?$filter=Name%20eq%20'%00%01'".to_owned(),
        "/xapi/v1/Widgets?$filter=%E2%82%AC%20eq%201".to_owned(),
        "/xapi/v1/Widgets?$filter=Id%20eq%201e999".to_owned(),
        "/xapi/v1/Widgets?$filter=Price%20gt%20INF".to_owned(),
        "/xapi/v1/Widgets?$orderby=,".to_owned(),
        "/xapi/v1/Widgets?$select=".to_owned(),
        "/xapi/v1/Widgets?$expand=Parts(((".to_owned(),
        "/xapi/v1/Widgets?$search=%22".to_owned(),
        "/xapi/v1/Widgets?%24top=1&%24TOP=2".to_owned(),
        "/xapi/v1/Widgets?$filter=Created%20gt%209999-99-99T99:99:99Z".to_owned(),
        "/xapi/v1/Widgets/Test.Search(name='%FF',from=2024-01-01T00:00:00Z,limit=1,active=true,ref=0123abcd-0000-4000-8000-00000000002a)".to_owned(),
        "/xapi/v1/Widgets/Test.Search(name=''''',from=2024-01-01T00:00:00Z,limit=1,active=true,ref=0123abcd-0000-4000-8000-00000000002a)".to_owned(),
        "/xapi/v1/Widgets((((1))))".to_owned(),
        "/xapi/v1/Widgets(1)(2)".to_owned(),
        "/xapi/v1/Labels(''')".to_owned(),
    ];
    for target in &targets {
        let response = send(
            &pbx,
            "GET",
            target,
            &[("authorization", &format!("Bearer {access}"))],
            b"",
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", &target[..target.len().min(80)]));
        let status = response.status;
        assert!(
            (200..500).contains(&status),
            "{}: status {status}",
            &target[..target.len().min(80)]
        );
    }
    // The server still responds normally afterwards.
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn hostile_bodies_get_4xx() {
    let pbx = start_tiny(5).await;
    let access = token(&pbx).await;
    let auth = format!("Bearer {access}");
    let deep_json = "[".repeat(100_000) + &"]".repeat(100_000);
    let bodies: Vec<Vec<u8>> = vec![
        deep_json.into_bytes(),
        vec![0xff, 0xfe, 0x00],
        b"{\"Name\": \"\\ud800\"}".to_vec(),
        b"{\"Tags\": {\"a\": 1}}".to_vec(),
        b"null".to_vec(),
    ];
    for body in bodies {
        let response = call(
            &pbx,
            "POST",
            "/xapi/v1/Widgets",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            &body,
        )
        .await;
        assert_eq!(response.status, 400, "{}", response.text());
    }

    let huge = vec![b' '; 17 * 1024 * 1024];
    let response = send(
        &pbx,
        "POST",
        "/xapi/v1/Widgets",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        &huge,
    )
    .await;
    if let Ok(response) = response {
        assert_eq!(response.status, 413);
    }

    let token_garbage = call(
        &pbx,
        "POST",
        "/connect/token",
        &[("content-type", "multipart/form-data; boundary=x")],
        b"--x\r\nno headers here",
    )
    .await;
    assert_eq!(token_garbage.status, 400);
}
