//! Fault injection and the request log.

mod common;

use std::time::{Duration, Instant};

use common::{get, send, start_tiny, token};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xapi_mock::{FaultKind, FaultRule};

#[tokio::test]
async fn status_fault_once_then_success() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults()
        .add(FaultRule::status(500).for_operation("ListWidget").once());
    let failed = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(failed.status, 500);
    assert_eq!(failed.json()["error"]["code"], "InternalServerError");
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
    assert!(pbx.faults().pending().is_empty());
    let log = pbx.log().for_operation("ListWidget");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].status, 500);
    assert_eq!(log[0].fault, Some(FaultKind::Status(500)));
    assert_eq!(log[1].status, 200);
    assert_eq!(log[1].fault, None);
}

#[tokio::test]
async fn status_faults_503_504_and_429() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults()
        .add(FaultRule::status(503).for_operation("ListWidget").once());
    pbx.faults()
        .add(FaultRule::status(504).for_operation("ListWidget").once());
    pbx.faults().add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 7,
        })
        .for_operation("ListWidget")
        .once(),
    );
    let unavailable = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.header("retry-after"), Some("1"));
    let timeout = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(timeout.status, 504);
    let limited = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn fault_next_n_calls_by_path() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults()
        .add(FaultRule::status(503).for_path("/Widgets({Id})").times(2));
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets").await.status,
        200,
        "other paths are unaffected"
    );
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(1)").await.status, 503);
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(2)").await.status, 503);
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(1)").await.status, 200);

    pbx.faults().add(
        FaultRule::status(500)
            .for_path("/xapi/v1/Widgets(3)")
            .once(),
    );
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(2)").await.status, 200);
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(3)").await.status, 500);
}

#[tokio::test]
async fn token_endpoint_fault() {
    let pbx = start_tiny(3).await;
    pbx.faults()
        .add(FaultRule::status(503).for_path("/connect/token").once());
    let body = "grant_type=client_credentials&client_id=mock-client&client_secret=mock-secret";
    let response = send(
        &pbx,
        "POST",
        "/connect/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(response.status, 503);
    token(&pbx).await;
}

#[tokio::test]
async fn revoke_token_fault() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults().add(
        FaultRule::new(FaultKind::RevokeToken)
            .for_operation("GetWidget")
            .once(),
    );
    let revoked = get(&pbx, &access, "/xapi/v1/Widgets(1)").await;
    assert_eq!(revoked.status, 401);
    assert!(revoked.header("www-authenticate").is_some());
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets").await.status,
        401,
        "the token stays revoked"
    );
    let fresh = token(&pbx).await;
    assert_eq!(get(&pbx, &fresh, "/xapi/v1/Widgets(1)").await.status, 200);
}

#[tokio::test]
async fn plain_401_fault_keeps_token() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults().add(FaultRule::status(401).once());
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 401);
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn delay_fault() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults().add(
        FaultRule::new(FaultKind::Delay(Duration::from_millis(300)))
            .for_operation("ListWidget")
            .once(),
    );
    let started = Instant::now();
    let response = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(response.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn truncated_body_fault() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let full = get(&pbx, &access, "/xapi/v1/Widgets").await.body;
    pbx.faults()
        .add(FaultRule::new(FaultKind::TruncateBody { keep_bytes: 25 }).once());
    let truncated = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(truncated.status, 200);
    assert_eq!(truncated.body, full[..25]);
    assert_eq!(truncated.header("content-length"), Some("25"));
    assert!(serde_json::from_slice::<serde_json::Value>(&truncated.body).is_err());
}

#[tokio::test]
async fn non_json_body_fault() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.faults()
        .add(FaultRule::new(FaultKind::NonJsonBody { status: 502 }).once());
    let response = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(response.status, 502);
    assert_eq!(response.header("content-type"), Some("text/html"));
    assert!(response.text().starts_with("<html>"));
}

#[tokio::test]
async fn dropped_connection_fault() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let full_length = get(&pbx, &access, "/xapi/v1/Widgets").await.body.len();
    pbx.faults()
        .add(FaultRule::new(FaultKind::DropConnection { after_bytes: 10 }).once());

    // A raw connection shows exactly what arrives before the close.
    let mut stream = tokio::net::TcpStream::connect(pbx.addr()).await.unwrap();
    let request = format!(
        "GET /xapi/v1/Widgets HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {access}\r\n\r\n",
        pbx.addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut received = Vec::new();
    let read =
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server closes the connection");
    let text = String::from_utf8_lossy(&received);
    let (head, body) = text.split_once("\r\n\r\n").expect("headers arrive");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-length: {full_length}")),
        "{head}"
    );
    assert_eq!(body.len(), 10);

    // A client library sees an error instead of a response.
    pbx.faults()
        .add(FaultRule::new(FaultKind::DropConnection { after_bytes: 10 }).once());
    let auth = format!("Bearer {access}");
    let result = send(
        &pbx,
        "GET",
        "/xapi/v1/Widgets",
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert!(result.is_err(), "{result:?}");
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn log_records_request_details() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.log().clear();
    let target = "/xapi/v1/Widgets(Name='a%20b')?$select=Id&custom=1";
    get(&pbx, &access, target).await;
    let entry = pbx.log().last().unwrap();
    assert_eq!(entry.method, "GET");
    assert_eq!(entry.target, target);
    assert_eq!(entry.path, "/xapi/v1/Widgets(Name='a b')");
    assert_eq!(entry.query.as_deref(), Some("$select=Id&custom=1"));
    assert_eq!(
        entry.header("authorization"),
        Some(format!("Bearer {access}").as_str())
    );
    assert_eq!(entry.operation_id.as_deref(), Some("GetWidgetByName"));
    assert_eq!(entry.status, 404);
    assert_eq!(pbx.log().len(), 1);
}
