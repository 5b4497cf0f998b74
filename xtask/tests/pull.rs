//! `pull` against a scripted responder on 127.0.0.1.

mod common;

use common::{Reply, Responder, FRAGMENT};
use xtask::pull::{pull, Credentials, PullError, Secret};

const SECRET: &str = "s&cret=1 x";

fn credentials() -> Credentials {
    Credentials {
        client_id: "pull-client".to_owned(),
        client_secret: Secret::from(SECRET.to_owned()),
    }
}

fn yaml(body: &str) -> Reply {
    Reply::new(200, "application/yaml", body)
}

fn json(status: u16, body: &str) -> Reply {
    Reply::new(status, "application/json", body)
}

#[test]
fn pull_without_token() {
    let responder = Responder::start(vec![yaml(FRAGMENT)]);
    let base = responder.base_url.clone();
    let pulled = pull(&format!("{base}/"), Some(&credentials())).unwrap();
    let received = responder.finish();

    assert_eq!(pulled.bytes, FRAGMENT.as_bytes());
    assert!(!pulled.used_token);
    assert_eq!(pulled.document_url, format!("{base}/xapi/v1/swagger.yaml"));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].method, "GET");
    assert_eq!(received[0].target, "/xapi/v1/swagger.yaml");
    assert_eq!(received[0].header("authorization"), None);
}

#[test]
fn pull_fetches_token_after_401() {
    let responder = Responder::start(vec![
        json(401, ""),
        json(
            200,
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":"tok-123","refresh_token":null}"#,
        ),
        yaml(FRAGMENT),
    ]);
    let pulled = pull(&responder.base_url, Some(&credentials())).unwrap();
    let received = responder.finish();

    assert_eq!(pulled.bytes, FRAGMENT.as_bytes());
    assert!(pulled.used_token);
    assert_eq!(received.len(), 3);

    let token_request = &received[1];
    assert_eq!(token_request.method, "POST");
    assert_eq!(token_request.target, "/connect/token");
    assert_eq!(
        token_request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        token_request.body,
        "grant_type=client_credentials&client_id=pull-client&client_secret=s%26cret%3D1+x"
    );

    let retry = &received[2];
    assert_eq!(retry.target, "/xapi/v1/swagger.yaml");
    assert_eq!(retry.header("authorization"), Some("Bearer tok-123"));
}

#[test]
fn token_error_shows_description_only() {
    let responder = Responder::start(vec![
        json(401, ""),
        json(
            400,
            r#"{"error":"invalid_client","error_description":"Client secret s&cret=1 x is invalid."}"#,
        ),
    ]);
    let error = pull(&responder.base_url, Some(&credentials())).unwrap_err();
    responder.finish();

    let PullError::Token {
        status,
        description,
        ..
    } = &error
    else {
        panic!("expected PullError::Token, got {error:?}");
    };
    assert_eq!(*status, 400);
    assert_eq!(description, "Client secret [redacted] is invalid.");
    let message = error.to_string();
    assert!(!message.contains(SECRET), "{message}");
    assert!(!format!("{error:?}").contains(SECRET));
    assert!(
        message.contains("/connect/token failed with HTTP 400"),
        "{message}"
    );
}

#[test]
fn token_error_falls_back_to_error_code() {
    let responder = Responder::start(vec![
        json(401, ""),
        json(401, r#"{"error":"unauthorized"}"#),
    ]);
    let error = pull(&responder.base_url, Some(&credentials())).unwrap_err();
    responder.finish();

    let PullError::Token { description, .. } = &error else {
        panic!("expected PullError::Token, got {error:?}");
    };
    assert_eq!(description, "unauthorized");
}

#[test]
fn credentials_required_after_401() {
    let responder = Responder::start(vec![json(401, "")]);
    let error = pull(&responder.base_url, None).unwrap_err();
    let received = responder.finish();

    assert!(
        matches!(error, PullError::CredentialsRequired { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("XAPI_CLIENT_ID"), "{error}");
    assert_eq!(received.len(), 1);
}

#[test]
fn token_rejected_by_document_endpoint() {
    let responder = Responder::start(vec![
        json(401, ""),
        json(200, r#"{"access_token":"tok-123"}"#),
        json(403, ""),
    ]);
    let error = pull(&responder.base_url, Some(&credentials())).unwrap_err();
    responder.finish();

    let PullError::TokenRejected { status, .. } = &error else {
        panic!("expected PullError::TokenRejected, got {error:?}");
    };
    assert_eq!(*status, 403);
}

#[test]
fn token_response_without_access_token() {
    let responder = Responder::start(vec![json(401, ""), json(200, r#"{"token_type":"Bearer"}"#)]);
    let error = pull(&responder.base_url, Some(&credentials())).unwrap_err();
    responder.finish();

    assert!(matches!(error, PullError::TokenMissing { .. }), "{error:?}");
}

#[test]
fn server_error_status_reported() {
    let responder = Responder::start(vec![json(500, "{}")]);
    let error = pull(&responder.base_url, None).unwrap_err();
    responder.finish();

    let PullError::Status { status, url } = &error else {
        panic!("expected PullError::Status, got {error:?}");
    };
    assert_eq!(*status, 500);
    assert!(url.ends_with("/xapi/v1/swagger.yaml"), "{url}");
}

#[test]
fn closed_port_is_transport_error() {
    // Bind and drop a listener to get a port on 127.0.0.1 that nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = pull(&format!("http://127.0.0.1:{port}"), None).unwrap_err();

    assert!(matches!(error, PullError::Transport { .. }), "{error:?}");
}
