//! Shared test helpers: a minimal HTTP/1.1 client and a small hand-written document.
//!
//! The client sends the request target exactly as given, so tests control the
//! percent-encoding of paths and queries.
#![allow(dead_code)]

use std::path::PathBuf;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use xapi_mock::{MockHandle, MockPbx};

/// A complete response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {} body is not JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request on a new connection. Errors (for example a connection closed
/// mid-body) come back as text.
pub async fn send(
    pbx: &MockHandle,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Response, String> {
    let stream = TcpStream::connect(pbx.addr())
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut builder = Request::builder()
        .method(method)
        .uri(target)
        .header("host", pbx.addr().to_string());
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(Full::new(Bytes::copy_from_slice(body)))
        .map_err(|e| format!("request: {e}"))?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| format!("send: {e}"))?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("body: {e}"))?
        .to_bytes()
        .to_vec();
    Ok(Response {
        status,
        headers,
        body,
    })
}

/// Sends a request that must complete.
pub async fn call(
    pbx: &MockHandle,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    send(pbx, method, target, headers, body)
        .await
        .unwrap_or_else(|e| panic!("{method} {target}: {e}"))
}

/// Requests a token with the handle's default client and returns the access token.
pub async fn token(pbx: &MockHandle) -> String {
    let body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        pbx.client_id(),
        pbx.client_secret()
    );
    let response = call(
        pbx,
        "POST",
        "/connect/token",
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(response.status, 200, "token request: {}", response.text());
    response.json()["access_token"]
        .as_str()
        .expect("access_token is a string")
        .to_owned()
}

/// GET with a bearer token.
pub async fn get(pbx: &MockHandle, token: &str, target: &str) -> Response {
    let auth = format!("Bearer {token}");
    call(pbx, "GET", target, &[("authorization", &auth)], b"").await
}

/// Sends a request with a bearer token and a JSON body.
pub async fn send_json(
    pbx: &MockHandle,
    token: &str,
    method: &str,
    target: &str,
    body: &Value,
    extra: &[(&str, &str)],
) -> Response {
    let auth = format!("Bearer {token}");
    let mut headers = vec![
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
    ];
    headers.extend_from_slice(extra);
    call(pbx, method, target, &headers, body.to_string().as_bytes()).await
}

/// Starts a mock of [`tiny_document`] with `rows` rows per entity set.
pub async fn start_tiny(rows: u64) -> MockHandle {
    MockPbx::builder()
        .spec(tiny_document())
        .rows(rows)
        .seed(42)
        .start()
        .await
        .expect("mock starts")
}

/// Directory of the real 3CX documents, or `None` (with a notice) when absent.
pub fn shared_specs() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/xapi-spec");
    if dir.join("xapi-20.0.10.yaml").is_file() {
        Some(dir)
    } else {
        println!("skipped: no 3CX documents in {}", dir.display());
        None
    }
}

fn collection_params() -> Value {
    json!([
        {"$ref": "#/components/parameters/top"},
        {"$ref": "#/components/parameters/skip"},
        {"$ref": "#/components/parameters/search"},
        {"$ref": "#/components/parameters/filter"},
        {"$ref": "#/components/parameters/count"},
        {"name": "$orderby", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "$select", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}},
        {"name": "$expand", "in": "query", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}}
    ])
}

fn ok_json(schema: Value) -> Value {
    json!({
        "200": {"description": "Success", "content": {"application/json": {"schema": schema}}},
        "default": {"$ref": "#/components/responses/error"}
    })
}

fn no_content() -> Value {
    json!({"204": {"description": "Success"}, "default": {"$ref": "#/components/responses/error"}})
}

fn collection_of(item: &str) -> Value {
    json!({
        "type": "object",
        "allOf": [
            {"$ref": "#/components/schemas/BaseCollectionPaginationCountResponse"},
            {"type": "object", "properties": {"value": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}}}}
        ]
    })
}

fn int32() -> Value {
    json!({"type": "integer", "format": "int32", "minimum": -2147483648, "maximum": 2147483647})
}

/// Returns a small XAPI-style document with every construct the mock handles.
///
/// It has an entity set with an integer key and an alternate key, a navigation path, a
/// bound action, functions with typed arguments, two file downloads, a set with a short
/// string key and a singleton.
pub fn tiny_document() -> Value {
    let date_time = json!({"type": "string", "format": "date-time"});
    json!({
        "openapi": "3.0.4",
        "info": {"title": "XAPI", "version": "1.0.0"},
        "paths": {
            "/Widgets": {
                "get": {
                    "operationId": "ListWidget",
                    "parameters": collection_params(),
                    "responses": {"200": {"$ref": "#/components/responses/Test.WidgetCollectionResponse"}, "default": {"$ref": "#/components/responses/error"}}
                },
                "post": {
                    "operationId": "CreateWidget",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.Widget"}}}},
                    "responses": {
                        "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.Widget"}}}},
                        "default": {"$ref": "#/components/responses/error"}
                    }
                }
            },
            "/Widgets({Id})": {
                "get": {
                    "operationId": "GetWidget",
                    "parameters": [{"name": "Id", "in": "path", "required": true, "schema": int32()}],
                    "responses": ok_json(json!({"$ref": "#/components/schemas/Test.Widget"}))
                },
                "patch": {
                    "operationId": "UpdateWidget",
                    "parameters": [{"name": "Id", "in": "path", "required": true, "schema": int32()}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.Widget"}}}},
                    "responses": no_content()
                },
                "delete": {
                    "operationId": "DeleteWidget",
                    "parameters": [
                        {"name": "Id", "in": "path", "required": true, "schema": int32()},
                        {"name": "If-Match", "in": "header", "schema": {"type": "string"}}
                    ],
                    "responses": no_content()
                }
            },
            "/Widgets(Name={Name})": {
                "get": {
                    "operationId": "GetWidgetByName",
                    "parameters": [{"name": "Name", "in": "path", "required": true, "schema": {"type": "string", "nullable": true}}],
                    "responses": ok_json(json!({"$ref": "#/components/schemas/Test.Widget"}))
                }
            },
            "/Widgets({Id})/Parts": {
                "get": {
                    "operationId": "ListParts",
                    "parameters": [{"name": "Id", "in": "path", "required": true, "schema": int32()}],
                    "responses": ok_json(collection_of("Test.Part"))
                }
            },
            "/Widgets({Id})/Test.Restock": {
                "post": {
                    "operationId": "Restock",
                    "parameters": [{"name": "Id", "in": "path", "required": true, "schema": int32()}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"amount": int32()}}}}},
                    "responses": no_content()
                }
            },
            "/Widgets/Test.Search(name={name},from={from},limit={limit},active={active},ref={ref})": {
                "get": {
                    "operationId": "SearchWidgets",
                    "parameters": [
                        {"name": "name", "in": "path", "required": true, "schema": {"type": "string", "nullable": true}},
                        {"name": "from", "in": "path", "required": true, "schema": date_time},
                        {"name": "limit", "in": "path", "required": true, "schema": int32()},
                        {"name": "active", "in": "path", "required": true, "schema": {"type": "boolean", "default": false}},
                        {"name": "ref", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}
                    ],
                    "responses": ok_json(collection_of("Test.Widget"))
                }
            },
            "/Widgets/Test.Export()": {
                "get": {"operationId": "ExportWidgets", "responses": ok_json(json!({"$ref": "#/components/schemas/Test.IActionResult"}))}
            },
            "/Widgets/Test.CountAll()": {
                "get": {"operationId": "CountAll", "responses": ok_json(json!({"type": "object", "properties": {"value": {"type": "integer", "format": "int64"}}}))}
            },
            "/Reports/Test.Download(day={day})": {
                "get": {
                    "operationId": "DownloadReport",
                    "parameters": [{"name": "day", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}}}}
                }
            },
            "/Labels": {
                "get": {
                    "operationId": "ListLabel",
                    "parameters": collection_params(),
                    "responses": ok_json(collection_of("Test.Label"))
                }
            },
            "/Labels({Code})": {
                "get": {
                    "operationId": "GetLabel",
                    "parameters": [{"name": "Code", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 12}}],
                    "responses": ok_json(json!({"$ref": "#/components/schemas/Test.Label"}))
                },
                "delete": {
                    "operationId": "DeleteLabel",
                    "parameters": [{"name": "Code", "in": "path", "required": true, "schema": {"type": "string", "maxLength": 12}}],
                    "responses": no_content()
                }
            },
            "/Settings": {
                "get": {"operationId": "GetSettings", "responses": ok_json(json!({"$ref": "#/components/schemas/Test.Settings"}))},
                "patch": {
                    "operationId": "UpdateSettings",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.Settings"}}}},
                    "responses": no_content()
                }
            }
        },
        "components": {
            "schemas": {
                "Test.Widget": {
                    "title": "Widget",
                    "type": "object",
                    "properties": {
                        "Id": int32(),
                        "Name": {"type": "string", "nullable": true, "maxLength": 40},
                        "Price": {"type": "number", "format": "double", "nullable": true},
                        "Count": {"type": "integer", "format": "int32", "nullable": true, "minimum": -2147483648, "maximum": 2147483647},
                        "Active": {"type": "boolean", "nullable": true},
                        "Created": {"type": "string", "format": "date-time", "nullable": true},
                        "Color": {"allOf": [{"$ref": "#/components/schemas/Test.Color"}], "nullable": true},
                        "Ref": {"type": "string", "format": "uuid", "nullable": true},
                        "Tags": {"type": "array", "items": {"type": "string"}},
                        "Parts": {"type": "array", "items": {"$ref": "#/components/schemas/Test.Part"}, "x-ms-navigationProperty": true}
                    }
                },
                "Test.Part": {
                    "title": "Part",
                    "type": "object",
                    "properties": {"Name": {"type": "string", "nullable": true}, "Qty": int32()}
                },
                "Test.Color": {"title": "Color", "type": "string", "enum": ["Red", "Green", "Blue", "No"]},
                "Test.Label": {
                    "title": "Label",
                    "type": "object",
                    "properties": {
                        "Code": {"type": "string", "maxLength": 12},
                        "Text": {"type": "string", "nullable": true}
                    }
                },
                "Test.Settings": {
                    "title": "Settings",
                    "type": "object",
                    "properties": {"Mode": {"type": "string", "nullable": true}, "Level": int32()}
                },
                "Test.IActionResult": {"title": "IActionResult", "type": "object"},
                "Test.WidgetCollectionResponse": collection_of("Test.Widget"),
                "BaseCollectionPaginationCountResponse": {
                    "title": "Base collection pagination and count responses",
                    "type": "object",
                    "properties": {"@odata.count": {"type": "integer", "format": "int64", "nullable": true}}
                },
                "Test.ODataErrors.ODataError": {
                    "required": ["error"],
                    "type": "object",
                    "properties": {"error": {"$ref": "#/components/schemas/Test.ODataErrors.MainError"}}
                },
                "Test.ODataErrors.MainError": {
                    "required": ["code", "message"],
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "target": {"type": "string", "nullable": true},
                        "details": {"type": "array", "items": {"type": "object"}}
                    }
                }
            },
            "responses": {
                "error": {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.ODataErrors.ODataError"}}}},
                "Test.WidgetCollectionResponse": {"description": "Retrieved collection", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Test.WidgetCollectionResponse"}}}}
            },
            "parameters": {
                "top": {"name": "$top", "in": "query", "explode": false, "schema": {"minimum": 0, "type": "integer", "format": "int64"}},
                "skip": {"name": "$skip", "in": "query", "explode": false, "schema": {"minimum": 0, "type": "integer", "format": "int64"}},
                "count": {"name": "$count", "in": "query", "explode": false, "schema": {"type": "boolean"}},
                "filter": {"name": "$filter", "in": "query", "explode": false, "schema": {"type": "string"}},
                "search": {"name": "$search", "in": "query", "explode": false, "schema": {"type": "string"}}
            },
            "securitySchemes": {"Application": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "/connect/token", "scopes": {}}}}}
        },
        "security": [{"Application": []}]
    })
}
