//! Strict routing: keys and function arguments must be well-formed literals.

mod common;

use common::{call, get, start_tiny, token};
use serde_json::json;

const SEARCH_OK: &str = "/xapi/v1/Widgets/Test.Search(name='x',from=2024-01-01T00:00:00Z,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a)";

#[tokio::test]
async fn function_with_valid_arguments() {
    let pbx = start_tiny(4).await;
    let access = token(&pbx).await;
    let response = get(&pbx, &access, SEARCH_OK).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(
        body["value"].as_array().unwrap().len(),
        5,
        "function rows default to 5"
    );
    assert_eq!(
        body["@odata.context"],
        json!(format!(
            "{}/xapi/v1/$metadata#Collection(Test.Widget)",
            pbx.base_url()
        ))
    );
    let logged = pbx.log().last().unwrap();
    assert_eq!(logged.operation_id.as_deref(), Some("SearchWidgets"));
    assert_eq!(logged.target, SEARCH_OK);
}

#[tokio::test]
async fn function_arguments_in_any_order_and_encoded() {
    let pbx = start_tiny(4).await;
    let access = token(&pbx).await;
    let reordered = "/xapi/v1/Widgets/Test.Search(ref=0123abcd-0000-4000-8000-00000000002a,limit=5,active=false,from=2024-01-01T00:00:00%2B02:00,name=null)";
    assert_eq!(get(&pbx, &access, reordered).await.status, 200);
    let encoded = "/xapi/v1/Widgets/Test.Search(name=%27O%27%27Brien%2F1%27,from=2024-01-01T00:00:00.5Z,limit=-3,active=true,ref=0123ABCD-0000-4000-8000-00000000002A)";
    let response = get(&pbx, &access, encoded).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(pbx.log().last().unwrap().path, "/xapi/v1/Widgets/Test.Search(name='O''Brien/1',from=2024-01-01T00:00:00.5Z,limit=-3,active=true,ref=0123ABCD-0000-4000-8000-00000000002A)");
}

#[tokio::test]
async fn malformed_function_arguments_get_404() {
    let pbx = start_tiny(4).await;
    let access = token(&pbx).await;
    let cases = [
        ("unquoted string", "name=x,from=2024-01-01T00:00:00Z,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("single quote inside", "name='O'Brien',from=2024-01-01T00:00:00Z,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("quoted date-time", "name='x',from='2024-01-01T00:00:00Z',limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("date-time without offset", "name='x',from=2024-01-01T00:00:00,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("quoted integer", "name='x',from=2024-01-01T00:00:00Z,limit='5',active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("integer out of int32", "name='x',from=2024-01-01T00:00:00Z,limit=2147483648,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("boolean as number", "name='x',from=2024-01-01T00:00:00Z,limit=5,active=1,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("quoted guid", "name='x',from=2024-01-01T00:00:00Z,limit=5,active=true,ref='0123abcd-0000-4000-8000-00000000002a'"),
        ("null where not nullable", "name='x',from=null,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("missing argument", "name='x',from=2024-01-01T00:00:00Z,limit=5,active=true"),
        ("extra argument", "name='x',from=2024-01-01T00:00:00Z,limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a,more=1"),
        ("repeated argument", "name='x',name='y',limit=5,active=true,ref=0123abcd-0000-4000-8000-00000000002a"),
        ("positional arguments", "'x',2024-01-01T00:00:00Z,5,true,0123abcd-0000-4000-8000-00000000002a"),
    ];
    for (case, args) in cases {
        let response = get(
            &pbx,
            &access,
            &format!("/xapi/v1/Widgets/Test.Search({args})"),
        )
        .await;
        assert_eq!(response.status, 404, "{case}");
    }
    let no_parens = get(&pbx, &access, "/xapi/v1/Widgets/Test.CountAll").await;
    assert_eq!(no_parens.status, 404);
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets/Test.CountAll()")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn keys_must_be_typed_literals() {
    let pbx = start_tiny(10).await;
    let access = token(&pbx).await;
    let found = get(&pbx, &access, "/xapi/v1/Widgets(3)").await;
    assert_eq!(found.status, 200);
    assert_eq!(found.json()["Id"], 3);
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets(Id=3)").await.status,
        200
    );
    for bad in [
        "/xapi/v1/Widgets('3')",
        "/xapi/v1/Widgets(abc)",
        "/xapi/v1/Widgets(3.0)",
        "/xapi/v1/Widgets()",
        "/xapi/v1/Widgets(null)",
        "/xapi/v1/Widgets(Other=3)",
    ] {
        assert_eq!(get(&pbx, &access, bad).await.status, 404, "{bad}");
    }
    let missing = get(&pbx, &access, "/xapi/v1/Widgets(999)").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "NotFound");
}

#[tokio::test]
async fn string_keys_are_quoted() {
    let pbx = start_tiny(10).await;
    let access = token(&pbx).await;
    let labels = get(&pbx, &access, "/xapi/v1/Labels?$top=2").await.json();
    let code = labels["value"][1]["Code"].as_str().unwrap().to_owned();
    assert!(code.chars().count() <= 12, "key {code} respects maxLength");
    let found = get(&pbx, &access, &format!("/xapi/v1/Labels('{code}')")).await;
    assert_eq!(found.status, 200, "{}", found.text());
    assert_eq!(found.json()["Code"], json!(code));
    assert_eq!(
        get(&pbx, &access, &format!("/xapi/v1/Labels({code})"))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Labels('this-is-far-too-long')")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn alternate_key_lookup() {
    let pbx = start_tiny(10).await;
    let access = token(&pbx).await;
    let rows = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$filter=Name%20ne%20null&$top=1",
    )
    .await
    .json();
    let row = &rows["value"][0];
    let name = row["Name"].as_str().unwrap();
    let target = format!("/xapi/v1/Widgets(Name='{}')", name.replace(' ', "%20"));
    let found = get(&pbx, &access, &target).await;
    assert_eq!(found.status, 200, "{}", found.text());
    assert_eq!(found.json()["Id"], row["Id"]);
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets(Name='no%20such%20name')")
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn navigation_path_checks_parent() {
    let pbx = start_tiny(10).await;
    let access = token(&pbx).await;
    let parts = get(&pbx, &access, "/xapi/v1/Widgets(2)/Parts?$count=true").await;
    assert_eq!(parts.status, 200);
    assert_eq!(parts.json()["@odata.count"], 5);
    let missing_parent = get(&pbx, &access, "/xapi/v1/Widgets(99)/Parts").await;
    assert_eq!(missing_parent.status, 404);
}

#[tokio::test]
async fn wrong_method_gets_405() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let auth = format!("Bearer {access}");
    let put = call(
        &pbx,
        "PUT",
        "/xapi/v1/Widgets",
        &[("authorization", &auth)],
        b"{}",
    )
    .await;
    assert_eq!(put.status, 405);
    assert_eq!(put.header("allow"), Some("GET, POST"));
    let post = call(
        &pbx,
        "POST",
        "/xapi/v1/Widgets(1)",
        &[("authorization", &auth)],
        b"{}",
    )
    .await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, PATCH, DELETE"));
    let get_action = get(&pbx, &access, "/xapi/v1/Widgets(1)/Test.Restock").await;
    assert_eq!(get_action.status, 405);
}

#[tokio::test]
async fn unknown_paths_get_404() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    for target in [
        "/xapi/v1/Nope",
        "/xapi/v1/Widgets/Nope",
        "/xapi/v1/Widgets/",
        "/other",
        "/xapi/v1/Widgets(1",
        "/xapi/v1/%FF",
    ] {
        let status = get(&pbx, &access, target).await.status;
        assert!(status == 404 || status == 400, "{target}: {status}");
    }
    assert_eq!(get(&pbx, &access, "/xapi/v1/%FF").await.status, 400);
}

#[tokio::test]
async fn service_document_lists_sets() {
    let pbx = start_tiny(3).await;
    let access = token(&pbx).await;
    let body = get(&pbx, &access, "/xapi/v1/").await.json();
    let names: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Labels", "Widgets", "Settings"]);
}
