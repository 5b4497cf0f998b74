//! OData query options over seeded rows. Each expected page is computed here from the
//! unfiltered rows, independently of the mock's own query code.

mod common;

use std::cmp::Ordering;

use common::{get, send_json, start_tiny, tiny_document, token};
use serde_json::{json, Value};
use xapi_mock::MockPbx;

/// Fetches every Widget row (the fixture has fewer rows than the `$top` cap).
async fn all_rows(pbx: &xapi_mock::MockHandle, access: &str) -> Vec<Value> {
    let response = get(pbx, access, "/xapi/v1/Widgets?$top=100").await;
    assert_eq!(response.status, 200);
    response.json()["value"].as_array().unwrap().clone()
}

/// Expected-row check of a `$filter` case.
type RowPredicate = Box<dyn Fn(&Value) -> bool>;

fn ids(rows: &[Value]) -> Vec<i64> {
    rows.iter().map(|row| row["Id"].as_i64().unwrap()).collect()
}

fn str_field<'a>(row: &'a Value, name: &str) -> Option<&'a str> {
    row[name].as_str()
}

fn instant(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap()
}

#[tokio::test]
async fn filter_orderby_skip_page() {
    let pbx = start_tiny(60).await;
    let access = token(&pbx).await;
    let rows = all_rows(&pbx, &access).await;
    assert_eq!(rows.len(), 60);

    let mut expected: Vec<&Value> = rows
        .iter()
        .filter(|row| {
            let price = row["Price"].as_f64();
            let active = row["Active"].as_bool();
            let color = str_field(row, "Color");
            price.is_some_and(|p| p > 20.0)
                && (active == Some(true) || color == Some("Red"))
                && !row["Name"].is_null()
        })
        .collect();
    // `Count desc` puts nulls last; `Id asc` breaks ties.
    expected.sort_by(|a, b| {
        let by_count = b["Count"].as_i64().cmp(&a["Count"].as_i64());
        by_count.then(a["Id"].as_i64().cmp(&b["Id"].as_i64()))
    });
    let expected_page: Vec<Value> = expected
        .iter()
        .skip(2)
        .take(5)
        .map(|r| (*r).clone())
        .collect();
    assert!(
        expected.len() > 7,
        "the fixture must have enough matches: {}",
        expected.len()
    );

    let target = "/xapi/v1/Widgets?$filter=Price%20gt%2020%20and%20(Active%20eq%20true%20or%20Color%20eq%20'Red')%20and%20Name%20ne%20null&$orderby=Count%20desc,Id%20asc&$skip=2&$top=5&$count=true";
    let response = get(&pbx, &access, target).await;
    assert_eq!(response.status, 200, "{}", response.text());
    let body = response.json();
    assert_eq!(body["value"].as_array().unwrap(), &expected_page);
    assert_eq!(body["@odata.count"], json!(expected.len()));
    assert_eq!(
        body["@odata.context"],
        json!(format!("{}/xapi/v1/$metadata#Widgets", pbx.base_url()))
    );
}

#[tokio::test]
async fn filter_string_functions() {
    let pbx = start_tiny(60).await;
    let access = token(&pbx).await;
    let rows = all_rows(&pbx, &access).await;
    let cases: Vec<(&str, RowPredicate)> = vec![
        (
            "contains(Name,'alpha')",
            Box::new(|r| str_field(r, "Name").is_some_and(|n| n.contains("alpha"))),
        ),
        (
            "startswith(Name,'bravo')",
            Box::new(|r| str_field(r, "Name").is_some_and(|n| n.starts_with("bravo"))),
        ),
        (
            "endswith(Name,'7')",
            Box::new(|r| str_field(r, "Name").is_some_and(|n| n.ends_with('7'))),
        ),
        ("Name%20eq%20null", Box::new(|r| r["Name"].is_null())),
        (
            "not%20(Active%20eq%20true)",
            Box::new(|r| r["Active"].as_bool() != Some(true)),
        ),
        (
            "Count%20le%20500%20or%20Count%20eq%20null",
            Box::new(|r| r["Count"].as_i64().is_none_or(|c| c <= 500)),
        ),
        (
            "Color%20eq%20'No'",
            Box::new(|r| str_field(r, "Color") == Some("No")),
        ),
        (
            "Color%20eq%20Test.Color'Blue'",
            Box::new(|r| str_field(r, "Color") == Some("Blue")),
        ),
    ];
    for (filter, predicate) in cases {
        let expected: Vec<i64> = ids(&rows
            .iter()
            .filter(|r| predicate(r))
            .cloned()
            .collect::<Vec<_>>());
        let response = get(
            &pbx,
            &access,
            &format!("/xapi/v1/Widgets?$top=100&$filter={filter}"),
        )
        .await;
        assert_eq!(response.status, 200, "{filter}: {}", response.text());
        let actual = ids(response.json()["value"].as_array().unwrap());
        assert_eq!(actual, expected, "$filter={filter}");
    }
}

#[tokio::test]
async fn filter_date_time_and_guid() {
    let pbx = start_tiny(60).await;
    let access = token(&pbx).await;
    let rows = all_rows(&pbx, &access).await;

    let low = instant("2022-01-01T00:00:00Z");
    let high = instant("2024-06-01T02:00:00+02:00");
    let expected: Vec<i64> = ids(&rows
        .iter()
        .filter(|r| {
            str_field(r, "Created")
                .map(instant)
                .is_some_and(|t| t >= low && t < high)
        })
        .cloned()
        .collect::<Vec<_>>());
    let target = "/xapi/v1/Widgets?$top=100&$filter=Created%20ge%202022-01-01T00:00:00Z%20and%20Created%20lt%202024-06-01T02:00:00%2B02:00";
    let response = get(&pbx, &access, target).await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(ids(response.json()["value"].as_array().unwrap()), expected);

    let with_ref = rows
        .iter()
        .find(|r| r["Ref"].is_string())
        .expect("a row with a Ref");
    let reference = with_ref["Ref"].as_str().unwrap().to_ascii_uppercase();
    let response = get(
        &pbx,
        &access,
        &format!("/xapi/v1/Widgets?$filter=Ref%20eq%20{reference}"),
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        ids(response.json()["value"].as_array().unwrap()),
        vec![with_ref["Id"].as_i64().unwrap()]
    );
}

#[tokio::test]
async fn filter_string_with_escaped_quote() {
    let pbx = start_tiny(10).await;
    let access = token(&pbx).await;
    let created = send_json(
        &pbx,
        &access,
        "POST",
        "/xapi/v1/Widgets",
        &json!({"Name": "O'Brien's"}),
        &[],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let id = created.json()["Id"].as_i64().unwrap();
    let response = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$filter=Name%20eq%20'O''Brien''s'",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(ids(response.json()["value"].as_array().unwrap()), vec![id]);
}

#[tokio::test]
async fn orderby_several_keys() {
    let pbx = start_tiny(40).await;
    let access = token(&pbx).await;
    let rows = all_rows(&pbx, &access).await;
    let mut expected = rows.clone();
    // Ascending strings put nulls first; ties fall back to document order (Id).
    expected.sort_by(|a, b| {
        let by_color = str_field(a, "Color").cmp(&str_field(b, "Color"));
        let by_price = b["Price"]
            .as_f64()
            .partial_cmp(&a["Price"].as_f64())
            .unwrap_or(Ordering::Equal);
        by_color
            .then(by_price)
            .then(a["Id"].as_i64().cmp(&b["Id"].as_i64()))
    });
    let response = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$top=100&$orderby=Color,Price%20desc",
    )
    .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(
        ids(response.json()["value"].as_array().unwrap()),
        ids(&expected)
    );
}

#[tokio::test]
async fn top_cap_exceeded_body() {
    let pbx = start_tiny(5).await;
    let access = token(&pbx).await;
    let response = get(&pbx, &access, "/xapi/v1/Widgets?$top=500").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        response.json(),
        json!({"error": {
            "code": "BadRequest",
            "message": "The query specified in the URI is not valid. The limit of '100' for Top query has been exceeded. To increase the limit, set the 'MaxTop' property on EnableQueryAttribute or ODataValidationSettings.",
            "details": []
        }})
    );
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets?$top=100").await.status,
        200
    );
}

#[tokio::test]
async fn top_cap_configurable_per_set() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .rows(5)
        .top_cap_for("Widgets", Some(10))
        .top_cap_for("Labels", None)
        .start()
        .await
        .unwrap();
    let access = token(&pbx).await;
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets?$top=10").await.status,
        200
    );
    let over = get(&pbx, &access, "/xapi/v1/Widgets?$top=11").await;
    assert_eq!(over.status, 400);
    assert!(over.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("The limit of '10' for Top query has been exceeded"));
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Labels?$top=100000")
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn select_returns_only_those_properties() {
    let pbx = start_tiny(8).await;
    let access = token(&pbx).await;
    let response = get(&pbx, &access, "/xapi/v1/Widgets?$select=Id,Name").await;
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(
        body["@odata.context"],
        json!(format!(
            "{}/xapi/v1/$metadata#Widgets(Id,Name)",
            pbx.base_url()
        ))
    );
    for row in body["value"].as_array().unwrap() {
        let mut keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, vec!["Id", "Name"]);
    }
    let single = get(&pbx, &access, "/xapi/v1/Widgets(3)?$select=Price")
        .await
        .json();
    let keys: Vec<&String> = single.as_object().unwrap().keys().collect();
    assert_eq!(keys, vec!["@odata.context", "Price"]);
}

#[tokio::test]
async fn count_is_total_of_filtered_rows() {
    let pbx = start_tiny(37).await;
    let access = token(&pbx).await;
    let all = get(&pbx, &access, "/xapi/v1/Widgets?$count=true&$top=3")
        .await
        .json();
    assert_eq!(all["@odata.count"], 37);
    assert_eq!(all["value"].as_array().unwrap().len(), 3);
    let without = get(&pbx, &access, "/xapi/v1/Widgets?$top=3").await.json();
    assert!(without.get("@odata.count").is_none());
    let skipped = get(&pbx, &access, "/xapi/v1/Widgets?$count=true&$skip=35")
        .await
        .json();
    assert_eq!(ids(skipped["value"].as_array().unwrap()), vec![36, 37]);
    assert_eq!(skipped["@odata.count"], 37);
}

#[tokio::test]
async fn search_matches_string_properties() {
    let pbx = start_tiny(50).await;
    let access = token(&pbx).await;
    let rows = all_rows(&pbx, &access).await;
    let expected: Vec<i64> = ids(&rows
        .iter()
        .filter(|r| {
            ["Name", "Color"]
                .iter()
                .any(|f| str_field(r, f).is_some_and(|v| v.to_lowercase().contains("kilo")))
        })
        .cloned()
        .collect::<Vec<_>>());
    assert!(!expected.is_empty());
    let response = get(&pbx, &access, "/xapi/v1/Widgets?$top=100&$search=KILO").await;
    assert_eq!(response.status, 200);
    assert_eq!(ids(response.json()["value"].as_array().unwrap()), expected);
}

#[tokio::test]
async fn expand_adds_navigation_property() {
    let pbx = start_tiny(4).await;
    let access = token(&pbx).await;
    let plain = get(&pbx, &access, "/xapi/v1/Widgets").await.json();
    assert!(plain["value"][0].get("Parts").is_none());
    let expanded = get(
        &pbx,
        &access,
        "/xapi/v1/Widgets?$expand=Parts($select=Name)",
    )
    .await
    .json();
    for row in expanded["value"].as_array().unwrap() {
        assert!(row["Parts"].is_array(), "{row}");
    }
    let not_navigation = get(&pbx, &access, "/xapi/v1/Widgets?$expand=Name").await;
    assert_eq!(not_navigation.status, 400);
}

#[tokio::test]
async fn invalid_options_get_odata_400() {
    let pbx = start_tiny(4).await;
    let access = token(&pbx).await;
    let targets = [
        "/xapi/v1/Widgets?$top=1&$top=2",
        "/xapi/v1/Widgets?$filter=Id%20eq%201&$filter=Id%20eq%202",
        "/xapi/v1/Widgets?$top=abc",
        "/xapi/v1/Widgets?$skip=-1",
        "/xapi/v1/Widgets?$count=maybe",
        "/xapi/v1/Widgets?$filter=Name%20eq",
        "/xapi/v1/Widgets?$filter=Name%20eq%205",
        "/xapi/v1/Widgets?$filter=Nope%20eq%201",
        "/xapi/v1/Widgets?$filter=Name",
        "/xapi/v1/Widgets?$orderby=Nope",
        "/xapi/v1/Widgets?$orderby=Tags",
        "/xapi/v1/Widgets?$select=Nope",
        "/xapi/v1/Widgets?$expand=Nope",
        "/xapi/v1/Widgets?$apply=groupby((Name))",
        "/xapi/v1/Widgets(1)?$select=Id,,Name",
        "/xapi/v1/Widgets?$filter=contains(Name)",
    ];
    for target in targets {
        let response = get(&pbx, &access, target).await;
        assert_eq!(response.status, 400, "{target}: {}", response.text());
        let body = response.json();
        assert!(body["error"]["code"].is_string(), "{target}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{target}"
        );
        assert_eq!(body["error"]["details"], json!([]), "{target}");
    }
    let duplicate = get(&pbx, &access, "/xapi/v1/Widgets?$top=1&$top=2")
        .await
        .json();
    assert_eq!(
        duplicate["error"]["message"],
        "Query option '$top' was specified more than once, but it must be specified at most once."
    );
}

#[tokio::test]
async fn unpaged_result_limit() {
    let pbx = MockPbx::builder()
        .spec(tiny_document())
        .rows(60)
        .max_unpaged_rows(50)
        .start()
        .await
        .unwrap();
    let access = token(&pbx).await;
    let response = get(&pbx, &access, "/xapi/v1/Widgets").await;
    assert_eq!(response.status, 400);
    assert_eq!(
        get(&pbx, &access, "/xapi/v1/Widgets?$top=60").await.status,
        200
    );
    let filtered = get(&pbx, &access, "/xapi/v1/Widgets?$filter=Id%20le%2050").await;
    assert_eq!(filtered.status, 200);
    assert_eq!(filtered.json()["value"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn generated_rows_match_schema() {
    let pbx = start_tiny(60).await;
    let access = token(&pbx).await;
    let document = tiny_document();
    let schema = json!({"$ref": "#/components/schemas/Test.WidgetCollectionResponse"});
    let body = get(&pbx, &access, "/xapi/v1/Widgets?$top=100&$expand=Parts")
        .await
        .json();
    xapi_mock::validate_against(&document, &schema, &body).unwrap();
    let first = get(&pbx, &access, "/xapi/v1/Widgets?$top=1").await.json();
    let again = get(&pbx, &access, "/xapi/v1/Widgets?$top=1").await.json();
    assert_eq!(first, again, "rows are deterministic");
}

#[tokio::test]
async fn seed_changes_rows() {
    let a = MockPbx::builder()
        .spec(tiny_document())
        .seed(1)
        .start()
        .await
        .unwrap();
    let b = MockPbx::builder()
        .spec(tiny_document())
        .seed(2)
        .start()
        .await
        .unwrap();
    let token_a = token(&a).await;
    let token_b = token(&b).await;
    let rows_a = get(&a, &token_a, "/xapi/v1/Widgets").await.json();
    let rows_b = get(&b, &token_b, "/xapi/v1/Widgets").await.json();
    assert_ne!(rows_a["value"], rows_b["value"]);
    assert_eq!(
        ids(rows_a["value"].as_array().unwrap()),
        ids(rows_b["value"].as_array().unwrap())
    );
}
