//! File downloads: opaque action results and non-JSON content types.

mod common;

use common::{get, start_tiny, token};

#[tokio::test]
async fn opaque_result_downloads_bytes() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let response = get(&pbx, &access, "/xapi/v1/Widgets/Test.Export()").await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"ExportWidgets.bin\"")
    );
    let mut expected = b"xapi-mock file for ExportWidgets\n".to_vec();
    expected.extend(0..=255u8);
    assert_eq!(response.body, expected);
    assert_eq!(response.body, xapi_mock::file_bytes("ExportWidgets"));
    assert!(
        std::str::from_utf8(&response.body).is_err(),
        "the body is not UTF-8"
    );
}

#[tokio::test]
async fn non_json_content_type_download() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let response = get(
        &pbx,
        &access,
        "/xapi/v1/Reports/Test.Download(day='2024%2F05%2F01')",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.header("content-type"), Some("text/csv"));
    assert_eq!(
        response.header("content-disposition"),
        Some("attachment; filename=\"DownloadReport-2024_05_01.csv\"")
    );
    assert_eq!(response.body, xapi_mock::file_bytes("DownloadReport"));
}
