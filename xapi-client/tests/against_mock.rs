//! The ergonomic layer against xapi-mock: shared tokens, token renewal, retries, filters,
//! pagination and error reporting.
//!
//! These tests call operations of the default document by name (a user's program does the
//! same); they run only when the client is built from that document.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use xapi_client::filter::field;
use xapi_client::{Client, Error, Query, RetryPolicy};
use xapi_mock::{FaultKind, FaultRule, MockHandle, MockPbx};

fn document() -> Option<PathBuf> {
    if xapi_client::catalog::by_operation_id("ListUser").is_none() {
        eprintln!("skipped: the client was not built with the Users operations");
        return None;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match xapi_spec::resolve(
        &root,
        std::env::var_os("XAPI_SPEC")
            .as_deref()
            .map(std::path::Path::new),
    ) {
        Ok(spec) => Some(spec.document.path),
        Err(error) => {
            eprintln!("skipped: {error}");
            None
        }
    }
}

async fn start_mock(users: u64) -> Option<MockHandle> {
    let path = document()?;
    let mock = MockPbx::builder()
        .spec(path)
        .rows_for("Users", users)
        .start()
        .await
        .expect("start the mock");
    Some(mock)
}

fn client_for(mock: &MockHandle) -> Client {
    Client::builder(mock.base_url())
        .client_credentials(mock.client_id(), mock.client_secret())
        .retry_policy(
            RetryPolicy::default().with_backoff(Duration::from_millis(10), Duration::from_secs(5)),
        )
        .build()
        .expect("build the client")
}

fn token_requests(mock: &MockHandle) -> usize {
    mock.log()
        .entries()
        .iter()
        .filter(|entry| entry.path == "/connect/token")
        .count()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok());
        match (
            bytes[index],
            hex.and_then(|pair| u8::from_str_radix(pair, 16).ok()),
        ) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

async fn all_user_ids(client: &Client, query: Query) -> Result<Vec<i32>, Error> {
    let users = client.paginate(query, |page| async move { page.list_user().await });
    users
        .map_ok(|user| user.id.expect("every seeded user has an Id"))
        .try_collect()
        .await
}

#[tokio::test]
async fn concurrent_streams_share_one_token() {
    let Some(mock) = start_mock(250).await else {
        return;
    };
    let client = client_for(&mock);
    let copy = client.clone();

    let (first, second) = tokio::join!(
        all_user_ids(&client, Query::new().order_by("Id")),
        all_user_ids(&copy, Query::new().order_by_desc("Id")),
    );
    let first = first.expect("first stream");
    let second = second.expect("second stream");

    assert_eq!(first.len(), 250);
    assert_eq!(second.len(), 250);
    assert_eq!(
        first.iter().collect::<BTreeSet<_>>(),
        second.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(token_requests(&mock), 1);
}

#[tokio::test]
async fn revoked_token_is_renewed_once() {
    let Some(mock) = start_mock(300).await else {
        return;
    };
    let client = client_for(&mock);

    let users = client.paginate(Query::new().order_by("Id"), |page| async move {
        page.list_user().await
    });
    futures::pin_mut!(users);
    let mut ids = Vec::new();
    while let Some(user) = users.try_next().await.expect("page") {
        ids.push(user.id.expect("Id"));
        if ids.len() == 150 {
            mock.revoke_tokens();
        }
    }

    assert_eq!(ids.len(), 300);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        300,
        "every row exactly once"
    );
    assert_eq!(token_requests(&mock), 2);
    let rejected = mock
        .log()
        .for_operation("ListUser")
        .iter()
        .filter(|entry| entry.status == 401)
        .count();
    assert_eq!(rejected, 1);
}

#[tokio::test]
async fn retry_after_is_waited_out() {
    let Some(mock) = start_mock(5).await else {
        return;
    };
    let client = client_for(&mock);
    mock.faults().add(
        FaultRule::new(FaultKind::TooManyRequests {
            retry_after_secs: 1,
        })
        .for_operation("ListUser")
        .once(),
    );

    let started = Instant::now();
    let users = client
        .list_user()
        .await
        .expect("the retry succeeds")
        .into_inner();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(users.value.len(), 5);
    let statuses: Vec<u16> = mock
        .log()
        .for_operation("ListUser")
        .iter()
        .map(|entry| entry.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
}

#[tokio::test]
async fn post_action_is_not_retried() {
    let Some(mock) = start_mock(1).await else {
        return;
    };
    let client = client_for(&mock);
    let action = xapi_client::catalog::operations()
        .iter()
        .find(|operation| {
            operation.method == "POST" && operation.parameters.is_empty() && !operation.has_body
        })
        .expect("an action without parameters");
    mock.faults().add(
        FaultRule::status(503)
            .for_operation(action.operation_id)
            .once(),
    );

    let error = xapi_client::dynamic::call(&client, action.operation_id, &Default::default())
        .await
        .expect_err("the 503 reaches the caller");

    let xapi_client::dynamic::CallError::Call(Error::Api {
        status,
        operation_id,
        ..
    }) = error
    else {
        panic!("expected an API error, got {error:?}");
    };
    assert_eq!(status, 503);
    assert_eq!(operation_id, action.operation_id);
    assert_eq!(mock.log().for_operation(action.operation_id).len(), 1);
}

#[tokio::test]
async fn filter_with_quote_matches_exactly() {
    let Some(mock) = start_mock(20).await else {
        return;
    };
    let client = client_for(&mock);
    let user = xapi_client::types::PbxUser {
        last_name: Some("O'Brien".to_owned()),
        number: Some("777".to_owned()),
        ..Default::default()
    };
    client.create_user(&user).await.expect("create the user");

    let matches: Vec<_> = client
        .paginate(
            Query::new().filter(field("LastName").eq("O'Brien")),
            |page| async move { page.list_user().await },
        )
        .try_collect()
        .await
        .expect("filtered stream");

    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].number.as_deref(), Some("777"));
    let sent = mock
        .log()
        .for_operation("ListUser")
        .last()
        .cloned()
        .expect("a ListUser request");
    let decoded = percent_decode(&sent.target);
    assert!(
        decoded.contains("$filter=LastName eq 'O''Brien'"),
        "{decoded}"
    );
}

#[tokio::test]
async fn stream_yields_ten_thousand_distinct_rows() {
    let Some(mock) = start_mock(10_000).await else {
        return;
    };
    let client = client_for(&mock);

    let ids = all_user_ids(&client, Query::new()).await.expect("stream");

    assert_eq!(ids.len(), 10_000);
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 10_000);
    // 100 full pages, then an empty one shows the end because no count was requested.
    assert_eq!(mock.log().for_operation("ListUser").len(), 101);

    mock.log().clear();
    let counted = all_user_ids(&client, Query::new().count(true))
        .await
        .expect("counted stream");
    assert_eq!(counted.len(), 10_000);
    assert_eq!(
        mock.log().for_operation("ListUser").len(),
        100,
        "the count ends the stream"
    );
    let count = client
        .count(Query::new(), |page| async move { page.list_user().await })
        .await
        .expect("count");
    assert_eq!(count, 10_000);
}

#[tokio::test]
async fn decode_error_names_operation() {
    let Some(mock) = start_mock(1).await else {
        return;
    };
    let client = client_for(&mock);
    mock.faults().add(
        FaultRule::new(FaultKind::TruncateBody { keep_bytes: 10 })
            .for_operation("GetLicenseStatus")
            .once(),
    );

    let error = client
        .get_license_status()
        .await
        .expect_err("a truncated body fails");

    let Error::Decode {
        operation_id,
        excerpt,
        ..
    } = &error
    else {
        panic!("expected a decode error, got {error:?}");
    };
    assert_eq!(*operation_id, "GetLicenseStatus");
    assert_eq!(excerpt.chars().count(), 10);
    assert!(
        error
            .to_string()
            .starts_with("GetLicenseStatus: the reply does not match"),
        "{error}"
    );
}

#[tokio::test]
async fn wrong_secret_is_an_auth_error() {
    let Some(mock) = start_mock(1).await else {
        return;
    };
    let client = Client::builder(mock.base_url())
        .client_credentials(mock.client_id(), "wrong-secret-value")
        .build()
        .expect("build");

    let error = client.list_user().await.expect_err("rejected");

    let Error::Auth {
        message,
        operation_id,
        ..
    } = &error
    else {
        panic!("expected an auth error, got {error:?}");
    };
    assert_eq!(*operation_id, Some("ListUser"));
    assert_eq!(message, "The request requires valid user authentication.");
    assert!(!format!("{error} {error:?} {client:?}").contains("wrong-secret-value"));
}
