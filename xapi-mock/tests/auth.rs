//! Token endpoint and bearer checks.

mod common;

use std::time::Duration;

use common::{call, get, start_tiny, tiny_document, token};
use serde_json::json;
use xapi_mock::{ExpiresInUnit, MockPbx};

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

#[tokio::test]
async fn token_form_response_fields() {
    let pbx = start_tiny(3).await;
    let body = "grant_type=client_credentials&client_id=mock-client&client_secret=mock-secret";
    let response = call(&pbx, "POST", "/connect/token", &[FORM], body.as_bytes()).await;
    assert_eq!(response.status, 200);
    let json = response.json();
    assert_eq!(json["token_type"], "Bearer");
    assert_eq!(json["expires_in"], 3600);
    assert_eq!(json["refresh_token"], serde_json::Value::Null);
    assert!(json["access_token"].as_str().is_some_and(|t| t.len() >= 32));
}

#[tokio::test]
async fn token_multipart_accepted() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .client("api-dn", "k3y")
        .start()
        .await
        .unwrap();

    let boundary = "----xapiBoundary7MA4YWxk";
    let body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\napi-dn\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"client_secret\"\r\n\r\nk3y\r\n\
         --{b}\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n\
         --{b}--\r\n",
        b = boundary
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let response = call(
        &pbx,
        "POST",
        "/connect/token",
        &[("content-type", &content_type)],
        body.as_bytes(),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());

    let access = response.json()["access_token"].as_str().unwrap().to_owned();
    let users = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(users.status, 200);
    let logged = pbx.log().entries();
    assert_eq!(
        logged[0].header("content-type"),
        Some(content_type.as_str())
    );
}

#[tokio::test]
async fn wrong_credentials_get_401_body() {
    let pbx = start_tiny(3).await;
    let body = "grant_type=client_credentials&client_id=mock-client&client_secret=wrong";
    let response = call(&pbx, "POST", "/connect/token", &[FORM], body.as_bytes()).await;
    assert_eq!(response.status, 401);
    assert_eq!(
        response.json(),
        json!({"error": "unauthorized", "error_description": "The request requires valid user authentication."})
    );
}

#[tokio::test]
async fn malformed_token_requests_get_400() {
    let pbx = start_tiny(3).await;
    let wrong_grant = "grant_type=password&client_id=mock-client&client_secret=mock-secret";
    let response = call(
        &pbx,
        "POST",
        "/connect/token",
        &[FORM],
        wrong_grant.as_bytes(),
    )
    .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.json()["error"], "unsupported_grant_type");

    let json_body = call(
        &pbx,
        "POST",
        "/connect/token",
        &[("content-type", "application/json")],
        b"{}",
    )
    .await;
    assert_eq!(json_body.status, 400);
    assert_eq!(json_body.json()["error"], "invalid_request");

    let get_token = call(&pbx, "GET", "/connect/token", &[], b"").await;
    assert_eq!(get_token.status, 405);
    assert_eq!(get_token.header("allow"), Some("POST"));
}

#[tokio::test]
async fn new_token_invalidates_previous() {
    let pbx = start_tiny(3).await;
    let first = token(&pbx).await;
    assert_eq!(get(&pbx, &first, "/xapi/v1/Widgets").await.status, 200);
    let second = token(&pbx).await;
    assert_ne!(first, second);
    let with_first = get(&pbx, &first, "/xapi/v1/Widgets").await;
    assert_eq!(with_first.status, 401);
    assert!(with_first
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Bearer")));
    assert_eq!(get(&pbx, &second, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn tokens_are_per_client() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .client("a", "1")
        .client("b", "2")
        .start()
        .await
        .unwrap();
    let request = |id: &str, secret: &str| {
        format!("grant_type=client_credentials&client_id={id}&client_secret={secret}")
    };
    let a = call(
        &pbx,
        "POST",
        "/connect/token",
        &[FORM],
        request("a", "1").as_bytes(),
    )
    .await;
    let b = call(
        &pbx,
        "POST",
        "/connect/token",
        &[FORM],
        request("b", "2").as_bytes(),
    )
    .await;
    let token_a = a.json()["access_token"].as_str().unwrap().to_owned();
    let token_b = b.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(get(&pbx, &token_a, "/xapi/v1/Widgets").await.status, 200);
    assert_eq!(get(&pbx, &token_b, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn data_calls_need_token() {
    let pbx = start_tiny(3).await;
    let missing = call(&pbx, "GET", "/xapi/v1/Widgets", &[], b"").await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    let bogus = get(&pbx, "not-a-token", "/xapi/v1/Widgets").await;
    assert_eq!(bogus.status, 401);
    let basic = call(
        &pbx,
        "GET",
        "/xapi/v1/Widgets",
        &[("authorization", "Basic bW9jazptb2Nr")],
        b"",
    )
    .await;
    assert_eq!(basic.status, 401);
}

#[tokio::test]
async fn swagger_served_without_token() {
    let pbx = start_tiny(3).await;
    let json = call(&pbx, "GET", "/xapi/v1/swagger.json", &[], b"").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.json(), tiny_document());
    let yaml = call(&pbx, "GET", "/xapi/v1/swagger.yaml", &[], b"").await;
    assert_eq!(yaml.status, 200);
    assert_eq!(yaml.header("content-type"), Some("application/yaml"));
    let parsed: serde_json::Value = serde_yaml_ng::from_slice(&yaml.body).unwrap();
    assert_eq!(parsed, tiny_document());
}

#[tokio::test]
async fn token_rate_limit_gives_429() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .token_requests_per_minute(Some(3))
        .start()
        .await
        .unwrap();
    for _ in 0..3 {
        token(&pbx).await;
    }
    let body = "grant_type=client_credentials&client_id=mock-client&client_secret=mock-secret";
    let limited = call(&pbx, "POST", "/connect/token", &[FORM], body.as_bytes()).await;
    assert_eq!(limited.status, 429);
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(limited.json()["error"], "too_many_requests");
}

#[tokio::test]
async fn expired_token_rejected() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .token_lifetime(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let access = token(&pbx).await;
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let expired = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(expired.status, 401);
    assert!(expired
        .header("www-authenticate")
        .is_some_and(|h| h.contains("expired")));
}

#[tokio::test]
async fn revoke_tokens_rejects_active_token() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    pbx.revoke_tokens();
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets").await.status, 401);
    let fresh = token(&pbx).await;
    assert_eq!(get(&pbx, &fresh, "/xapi/v1/Widgets").await.status, 200);
}

#[tokio::test]
async fn expires_in_minutes_for_old_documents() {
    let mut old = tiny_document();
    old["openapi"] = json!("3.0.1");
    let guessed = MockPbx::builder().spec(old).start().await.unwrap();
    assert_eq!(guessed.expires_in_unit(), ExpiresInUnit::Minutes);
    let body = "grant_type=client_credentials&client_id=mock-client&client_secret=mock-secret";
    let response = call(&guessed, "POST", "/connect/token", &[FORM], body.as_bytes()).await;
    assert_eq!(response.json()["expires_in"], 60);

    let overridden = MockPbx::builder()
        .spec(tiny_document())
        .expires_in_unit(ExpiresInUnit::Minutes)
        .token_lifetime(Duration::from_secs(90))
        .start()
        .await
        .unwrap();
    let response = call(
        &overridden,
        "POST",
        "/connect/token",
        &[FORM],
        body.as_bytes(),
    )
    .await;
    assert_eq!(
        response.json()["expires_in"],
        2,
        "90 s rounds up to 2 minutes"
    );
}
