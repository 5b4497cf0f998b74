//! Writes: create, update, delete with If-Match, singletons, actions and body checks.

mod common;

use common::{call, get, send_json, start_tiny, token};
use serde_json::json;

#[tokio::test]
async fn create_read_update_delete() {
    let pbx = start_tiny(5).await;
    let access = token(&pbx).await;

    let created = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets",
        &json!({"Name": "new widget", "Price": 9.5, "Color": "Green", "Tags": ["a"]}),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let body = created.json();
    assert_eq!(body["Id"], 6, "the next integer key after five seeded rows");
    assert_eq!(body["Name"], "new widget");
    assert_eq!(
        created.header("location"),
        Some(format!("{}/xapi/v1/Widgets(6)", pbx.base_url()).as_str())
    );
    let count = get(&pbx, &access, "/xapi/v1/Widgets?$count=true&$top=0")
        .await
        .json();
    assert_eq!(count["@odata.count"], 6);

    let patched = send_json(
        &pbx,
        &access,
        "PATCH",
        "/xapi/v1/Widgets(6)",
        &json!({"Price": 11.25, "Id": 99}),
        &[],
    )
    .await;
    assert_eq!(patched.status, 204);
    assert!(patched.body.is_empty());
    let read = get(&pbx, &access, "/xapi/v1/Widgets(6)").await.json();
    assert_eq!(read["Price"], 11.25);
    assert_eq!(read["Id"], 6, "the key does not change");
    assert_eq!(read["Name"], "new widget");

    let patch_seeded = send_json(
        &pbx,
        &access,
        "PATCH",
        "/xapi/v1/Widgets(2)",
        &json!({"Name": "renamed"}),
        &[],
    )
    .await;
    assert_eq!(patch_seeded.status, 204);
    let listed = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$filter=Name%20eq%20'renamed'",
    )
    .await
    .json();
    assert_eq!(listed["value"][0]["Id"], 2);

    let auth = format!("Bearer {access}");
    let deleted = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(2)",
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(2)").await.status, 404);
    let again = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(2)",
        &[("authorization", &auth)],
        b"",
    )
    .await;
    assert_eq!(again.status, 404);
    let remaining = get(&pbx, &access, "/xapi/v1/Widgets?$count=true")
        .await
        .json();
    assert_eq!(remaining["@odata.count"], 5);
    let ids: Vec<i64> = remaining["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 3, 4, 5, 6]);
}

#[tokio::test]
async fn if_match_on_delete_and_patch() {
    let pbx = start_tiny(5).await;
    let access = token(&pbx).await;
    let auth = format!("Bearer {access}");
    let read = get(&pbx, &access, "/xapi/v1/Widgets(3)").await;
    let etag = read
        .header("etag")
        .expect("GET by key sends an ETag")
        .to_owned();
    assert!(etag.starts_with("W/\""));

    let stale = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(3)",
        &[("authorization", &auth), ("if-match", "W/\"0000\"")],
        b"",
    )
    .await;
    assert_eq!(stale.status, 412);
    assert_eq!(stale.json()["error"]["code"], "PreconditionFailed");
    assert_eq!(get(&pbx, &access, "/xapi/v1/Widgets(3)").await.status, 200);

    let patched = send_json(
        &pbx,
        &access,
        "PATCH",
        "/xapi/v1/Widgets(3)",
        &json!({"Count": 1}),
        &[("if-match", &etag)],
    )
    .await;
    assert_eq!(patched.status, 204);
    let old_etag = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(3)",
        &[("authorization", &auth), ("if-match", &etag)],
        b"",
    )
    .await;
    assert_eq!(old_etag.status, 412, "the PATCH changed the ETag");

    let new_etag = get(&pbx, &access, "/xapi/v1/Widgets(3)")
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    assert_ne!(new_etag, etag);
    let deleted = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(3)",
        &[("authorization", &auth), ("if-match", &new_etag)],
        b"",
    )
    .await;
    assert_eq!(deleted.status, 204);

    let wildcard = call(
        &pbx,
        "DELETE",
        "/xapi/v1/Widgets(4)",
        &[("authorization", &auth), ("if-match", "*")],
        b"",
    )
    .await;
    assert_eq!(wildcard.status, 204);
    pbx.log()
        .entries()
        .iter()
        .filter(|e| e.method == "DELETE")
        .for_each(|e| {
            assert!(e.header("if-match").is_some(), "If-Match is logged");
        });
}

#[tokio::test]
async fn invalid_bodies_get_400() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let auth = format!("Bearer {access}");
    let cases = [
        ("POST", "/xapi/v1/Widgets", "{not json"),
        ("POST", "/xapi/v1/Widgets", "{\"Price\": \"cheap\"}"),
        ("POST", "/xapi/v1/Widgets", "{\"Color\": \"Purple\"}"),
        ("POST", "/xapi/v1/Widgets", "{\"Unknown\": 1}"),
        ("POST", "/xapi/v1/Widgets", "{\"Id\": 1.5}"),
        ("POST", "/xapi/v1/Widgets", "{\"Created\": \"yesterday\"}"),
        ("POST", "/xapi/v1/Widgets", ""),
        ("PATCH", "/xapi/v1/Widgets(1)", "[1, 2]"),
        (
            "POST",
            "/xapi/v1/Widgets(1)/Test.Restock",
            "{\"amount\": \"lots\"}",
        ),
        ("PATCH", "/xapi/v1/Settings", "{\"Level\": 3000000000}"),
    ];
    for (method, target, body) in cases {
        let response = call(
            &pbx,
            method,
            target,
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
        .await;
        assert_eq!(
            response.status,
            400,
            "{method} {target} {body}: {}",
            response.text()
        );
        assert!(response.json()["error"]["message"].is_string());
    }
    let name = "x".repeat(41);
    let too_long = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets",
        &json!({"Name": name}),
        &[],
    )
    .await;
    assert_eq!(too_long.status, 400, "maxLength 40");
}

#[tokio::test]
async fn duplicate_key_conflicts() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let response = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets",
        &json!({"Id": 2}),
        &[],
    )
    .await;
    assert_eq!(response.status, 409);
    let fresh = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets",
        &json!({"Id": 500}),
        &[],
    )
    .await;
    assert_eq!(fresh.status, 201);
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets(500)").await.status,
        200
    );
}

#[tokio::test]
async fn singleton_read_and_patch() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let before = get(&pbx, &access, "/xapi/v1/Settings").await;
    assert_eq!(before.status, 200);
    let before = before.json();
    assert_eq!(
        before["@odata.context"],
        json!(format!("{}/xapi/v1/$metadata#Settings", pbx.base_url()))
    );
    let patched = send_json(
        &pbx,
        &access,
        "PATCH",
        "/xapi/v1/Settings",
        &json!({"Mode": "night"}),
        &[],
    )
    .await;
    assert_eq!(patched.status, 204);
    let after = get(&pbx, &access, "/xapi/v1/Settings").await.json();
    assert_eq!(after["Mode"], "night");
    assert_eq!(after["Level"], before["Level"]);
}

#[tokio::test]
async fn action_without_result_gives_204() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let response = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets(1)/Test.Restock",
        &json!({"amount": 4}),
        &[],
    )
    .await;
    assert_eq!(response.status, 204);
    let logged = pbx.log().for_operation("Restock");
    assert_eq!(logged.len(), 1);
    assert_eq!(logged[0].body_text(), "{\"amount\":4}");
    assert_eq!(logged[0].status, 204);
    let missing = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets(77)/Test.Restock",
        &json!({"amount": 4}),
        &[],
    )
    .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn function_returning_primitive_wrapper() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let body = get(&pbx, &access, "/xapi/v1/Widgets/Test.CountAll()")
        .await
        .json();
    assert!(body["value"].is_i64(), "{body}");
}
