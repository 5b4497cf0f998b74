//! The wire-conformance check of one operation.
//!
//! It builds sample arguments from the catalog and the document and calls the operation
//! through `xapi_client::dynamic::call` against the capture server. It then reads the captured
//! request back with the OData URL reader, compares every value with what was passed in, and
//! checks that the prepared reply decodes.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{json, Value};
use xapi_client::catalog::{Operation, Parameter};
use xapi_client::dynamic::{self, Arguments, CallError, Reply};
use xapi_client::{Client, Query};

use crate::capture_server::{CaptureServer, CapturedRequest, PreparedReply};
use crate::document::{
    self, entity_schema, is_expandable, object_properties, request_body_schema, success_response,
    DocumentOperation, SuccessResponse,
};
use crate::json_compare::first_difference;
use crate::odata_url::{
    check_path_encoding, parse_query, read_path, LiteralKind, LiteralValue, ParameterSpec,
};
use crate::schema_sample::{Sampler, Variant};

/// Path prefix the client puts before every operation path.
pub const BASE_PATH: &str = "/xapi/v1";

/// Bearer token the harness client sends.
pub const TOKEN: &str = "conformance-token";

/// Bytes of every file reply: not valid UTF-8, with a NUL and a line break.
pub const FILE_BYTES: &[u8] = &[0xFF, 0x00, 0xFE, b'\n', 0x80, b'O', b'\'', 0xC3];

/// Which call of an operation to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Nullable arguments `null`, lower bounds, every accepted query option, header parameters
    /// given, a sparse body for PATCH, a success reply.
    NullsAndQuery,
    /// Every argument non-null, upper bounds, no query options, optional header parameters
    /// absent, a full body, a success reply.
    Values,
    /// As [`Pass::Values`], but nullable arguments are left out (which means `null`), header
    /// parameters are `*`, and the server replies with an OData error.
    ErrorReply,
}

impl Pass {
    fn variant(self) -> Variant {
        match self {
            Pass::NullsAndQuery => Variant::First,
            Pass::Values | Pass::ErrorReply => Variant::Second,
        }
    }
}

/// A client and a capture server, shared by every call of a run.
pub struct Harness {
    /// The server the client sends to.
    pub server: CaptureServer,
    /// A client for the server with the bearer token [`TOKEN`].
    pub client: Client,
    /// The document the client was built from.
    pub document: Value,
    /// Counts of what the checks covered, so that a run can show it checked something.
    pub coverage: Mutex<Coverage>,
}

/// Counts of checked values over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Calls made.
    pub calls: usize,
    /// Path arguments compared after reading them back.
    pub path_arguments: usize,
    /// Path arguments sent as `null`.
    pub null_arguments: usize,
    /// Header parameters compared.
    pub header_parameters: usize,
    /// Calls made with system query options.
    pub queries: usize,
    /// Request bodies compared.
    pub bodies: usize,
    /// Sparse PATCH bodies with an explicit `null` compared.
    pub sparse_patch_bodies: usize,
    /// JSON replies checked.
    pub json_replies: usize,
    /// Replies without a body checked.
    pub empty_replies: usize,
    /// File replies checked.
    pub file_replies: usize,
    /// Error replies checked.
    pub error_replies: usize,
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} calls; {} path arguments ({} null), {} header parameters, {} queries, \
             {} bodies ({} sparse PATCH bodies with a null); replies: {} JSON, {} empty, \
             {} file, {} error",
            self.calls,
            self.path_arguments,
            self.null_arguments,
            self.header_parameters,
            self.queries,
            self.bodies,
            self.sparse_patch_bodies,
            self.json_replies,
            self.empty_replies,
            self.file_replies,
            self.error_replies
        )
    }
}

impl Harness {
    /// Starts a capture server and builds a client for it.
    pub async fn start(document: Value) -> Harness {
        let server = CaptureServer::start()
            .await
            .expect("cannot bind a TCP listener on 127.0.0.1");
        let client = Client::builder(server.base_url())
            .bearer_token(TOKEN)
            .build()
            .expect("the client builder rejected the capture server's URL");
        Harness {
            server,
            client,
            document,
            coverage: Mutex::new(Coverage::default()),
        }
    }

    /// Runs one pass of `operation` and returns every problem found (empty when it conforms).
    ///
    /// `index` picks the status of the error reply, so that a run covers several.
    pub async fn check(&self, operation: &Operation, pass: Pass, index: usize) -> Vec<String> {
        let Some(found) = document::find_operation(&self.document, operation.operation_id) else {
            return vec!["the operation is not in the document".to_owned()];
        };
        let plan = match Plan::build(&self.document, operation, found, pass, index) {
            Ok(plan) => plan,
            Err(problem) => return vec![problem],
        };

        self.server.take_requests();
        self.server.prepare(plan.reply.clone());
        let client = match &plan.query {
            Some(query) => self.client.with_query(query.clone()),
            None => self.client.clone(),
        };
        let result = dynamic::call(&client, operation.operation_id, &plan.arguments).await;
        let requests = self.server.take_requests();

        let mut problems = Vec::new();
        match requests.as_slice() {
            [request] => plan.check_request(operation, request, &mut problems),
            [] => problems.push("no request reached the server".to_owned()),
            many => problems.push(format!(
                "{} requests reached the server, expected 1",
                many.len()
            )),
        }
        plan.check_result(result, &mut problems).await;
        self.count(&plan);
        problems
    }

    /// Returns the coverage counted so far.
    pub fn coverage(&self) -> Coverage {
        self.coverage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn count(&self, plan: &Plan) {
        let mut coverage = self
            .coverage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        coverage.calls += 1;
        coverage.path_arguments += plan.expected_path.len();
        coverage.null_arguments += plan
            .expected_path
            .values()
            .filter(|value| **value == LiteralValue::Null)
            .count();
        coverage.header_parameters += plan.expected_headers.len();
        coverage.queries += usize::from(plan.query.is_some());
        coverage.bodies += usize::from(plan.expected_body.is_some());
        let has_null = |body: &Value| {
            body.as_object()
                .is_some_and(|object| object.values().any(Value::is_null))
        };
        if plan.method == "PATCH" && plan.expected_body.as_ref().is_some_and(has_null) {
            coverage.sparse_patch_bodies += 1;
        }
        match plan.expected_reply {
            ExpectedReply::Empty(_) => coverage.empty_replies += 1,
            ExpectedReply::Json(..) => coverage.json_replies += 1,
            ExpectedReply::File(_) => coverage.file_replies += 1,
            ExpectedReply::Error(_) => coverage.error_replies += 1,
        }
    }
}

/// What one call sends and what it must look like on the wire.
struct Plan {
    pass: Pass,
    method: String,
    arguments: Arguments,
    specs: Vec<ParameterSpec>,
    expected_path: BTreeMap<String, LiteralValue>,
    expected_headers: Vec<(String, Option<String>)>,
    query: Option<Query>,
    expected_query: BTreeMap<String, String>,
    expected_body: Option<Value>,
    reply: PreparedReply,
    expected_reply: ExpectedReply,
}

/// The reply a call must decode into.
enum ExpectedReply {
    Empty(u16),
    Json(u16, Value),
    File(String),
    Error(u16),
}

impl Plan {
    fn build(
        doc: &Value,
        operation: &Operation,
        found: DocumentOperation<'_>,
        pass: Pass,
        index: usize,
    ) -> Result<Plan, String> {
        let variant = pass.variant();
        let parameters = plan_parameters(operation, pass)?;
        let mut arguments = parameters.arguments;

        let sampler = Sampler::new(doc, variant);
        let mut expected_body = None;
        if operation.has_body {
            let schema = request_body_schema(doc, found.operation)
                .ok_or("the operation takes a body but the document gives it no JSON schema")?;
            let body = match (pass, operation.method) {
                (Pass::NullsAndQuery, "PATCH") => sampler.patch_sample(schema),
                _ => sampler.sample(schema),
            }
            .ok_or("the request body schema cannot be sampled")?;
            arguments.set_body(body.clone());
            expected_body = Some(body);
        }

        let response = success_response(doc, found.operation);
        let (query, expected_query) = match pass {
            Pass::NullsAndQuery if !operation.query_options.is_empty() => {
                let entity = response.schema.map(|schema| entity_schema(doc, schema));
                let (query, expected) = sample_query(doc, entity, operation.query_options);
                (Some(query), expected)
            }
            _ => (None, BTreeMap::new()),
        };

        let (reply, expected_reply) = plan_reply(operation, &response, &sampler, pass, index)?;

        Ok(Plan {
            pass,
            method: operation.method.to_owned(),
            arguments,
            specs: parameters.specs,
            expected_path: parameters.expected_path,
            expected_headers: parameters.expected_headers,
            query,
            expected_query,
            expected_body,
            reply,
            expected_reply,
        })
    }

    fn check_request(
        &self,
        operation: &Operation,
        request: &CapturedRequest,
        problems: &mut Vec<String>,
    ) {
        if request.method != self.method {
            problems.push(format!(
                "method {} was sent, expected {}",
                request.method, self.method
            ));
        }

        if let Err(error) = check_path_encoding(request.raw_path()) {
            problems.push(format!("path {:?}: {error}", request.raw_path()));
        }
        match read_path(BASE_PATH, operation.path, request.raw_path(), &self.specs) {
            Ok(values) => {
                for (name, expected) in &self.expected_path {
                    match values.get(name) {
                        Some(actual) if actual == expected => {}
                        Some(actual) => problems.push(format!(
                            "path argument {name} reads back as {actual:?}, expected \
                             {expected:?} (path sent: {})",
                            request.raw_path()
                        )),
                        None => problems.push(format!("path argument {name} was not sent")),
                    }
                }
            }
            Err(error) => problems.push(format!(
                "path {:?} does not read as {}: {error}",
                request.raw_path(),
                operation.path
            )),
        }

        match parse_query(request.raw_query()) {
            Ok(query) => {
                if query.options != self.expected_query {
                    problems.push(format!(
                        "query {:?} reads back as {:?}, expected {:?}",
                        request.raw_query(),
                        query.options,
                        self.expected_query
                    ));
                }
            }
            Err(error) => problems.push(format!(
                "query {:?} is not valid: {error}",
                request.raw_query()
            )),
        }

        let authorization = request.header_values("authorization");
        let bearer = format!("Bearer {TOKEN}");
        if authorization != [bearer.as_str()] {
            problems.push(format!(
                "Authorization headers {authorization:?}, expected [{bearer:?}]"
            ));
        }
        for (name, expected) in &self.expected_headers {
            let actual = request.header_values(name);
            let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
            if actual != expected {
                problems.push(format!(
                    "header {name} was sent as {actual:?}, expected {expected:?}"
                ));
            }
        }

        self.check_body(request, problems);
    }

    fn check_body(&self, request: &CapturedRequest, problems: &mut Vec<String>) {
        let Some(expected) = &self.expected_body else {
            if !request.body.is_empty() {
                problems.push(format!(
                    "a body of {} bytes was sent, expected none",
                    request.body.len()
                ));
            }
            return;
        };
        let content_type = request.header_values("content-type");
        let is_json = content_type
            .first()
            .is_some_and(|value| document::is_json_media_type(value));
        if content_type.len() != 1 || !is_json {
            problems.push(format!(
                "body Content-Type {content_type:?}, expected one JSON media type"
            ));
        }
        let actual: Value = match serde_json::from_slice(&request.body) {
            Ok(actual) => actual,
            Err(error) => {
                problems.push(format!("the body sent is not JSON: {error}"));
                return;
            }
        };
        if let Some(difference) = first_difference(expected, &actual) {
            let sparse = self.pass == Pass::NullsAndQuery && self.method == "PATCH";
            let label = if sparse { "sparse PATCH body" } else { "body" };
            problems.push(format!("{label}: {difference}"));
        }
    }

    async fn check_result(&self, result: Result<Reply, CallError>, problems: &mut Vec<String>) {
        match (&self.expected_reply, result) {
            (ExpectedReply::Empty(status), Ok(Reply::Empty { status: actual })) => {
                if actual != *status {
                    problems.push(format!("reply status {actual}, expected {status}"));
                }
            }
            (
                ExpectedReply::Json(status, sample),
                Ok(Reply::Json {
                    status: actual,
                    value,
                }),
            ) => {
                if actual != *status {
                    problems.push(format!("reply status {actual}, expected {status}"));
                }
                if let Some(difference) = first_difference(sample, &value) {
                    problems.push(format!("decoded reply: {difference}"));
                }
            }
            (ExpectedReply::File(content_type), Ok(Reply::File { download, .. })) => {
                if download.content_type.as_deref() != Some(content_type.as_str()) {
                    problems.push(format!(
                        "file content type {:?}, expected {content_type:?}",
                        download.content_type
                    ));
                }
                match download.bytes().await {
                    Ok(bytes) if bytes == FILE_BYTES => {}
                    Ok(bytes) => {
                        problems.push(format!("file bytes {bytes:?}, expected {FILE_BYTES:?}"))
                    }
                    Err(error) => problems.push(format!("reading the file failed: {error}")),
                }
            }
            (ExpectedReply::Error(status), Err(CallError::Call(error))) => {
                check_error(*status, &error, problems);
            }
            (_, Err(error)) => problems.push(format!("the call failed: {error}")),
            (_, Ok(reply)) => problems.push(format!("unexpected reply {reply:?}")),
        }
    }
}

/// The path and header arguments of a call, and what they must look like on the wire.
struct ParameterPlan {
    arguments: Arguments,
    specs: Vec<ParameterSpec>,
    expected_path: BTreeMap<String, LiteralValue>,
    expected_headers: Vec<(String, Option<String>)>,
}

fn plan_parameters(operation: &Operation, pass: Pass) -> Result<ParameterPlan, String> {
    let mut plan = ParameterPlan {
        arguments: Arguments::new(),
        specs: Vec::new(),
        expected_path: BTreeMap::new(),
        expected_headers: Vec::new(),
    };
    for parameter in operation.parameters {
        match parameter.location {
            "path" => {
                let kind = LiteralKind::from_name(parameter.literal).ok_or_else(|| {
                    format!(
                        "path parameter {} has the unknown literal kind {:?}",
                        parameter.name, parameter.literal
                    )
                })?;
                plan.specs.push(ParameterSpec {
                    name: parameter.name.to_owned(),
                    kind,
                    nullable: parameter.nullable,
                });
                let name = parameter.name.to_owned();
                match pass {
                    Pass::NullsAndQuery if parameter.nullable => {
                        plan.arguments.set(parameter.name, Value::Null);
                        plan.expected_path.insert(name, LiteralValue::Null);
                    }
                    Pass::ErrorReply if parameter.nullable => {
                        plan.expected_path.insert(name, LiteralValue::Null);
                    }
                    _ => {
                        let (json, literal) = sample_argument(kind, pass.variant());
                        plan.arguments.set(parameter.name, json);
                        plan.expected_path.insert(name, literal);
                    }
                }
            }
            "header" => {
                let value = header_value(parameter, pass);
                if let Some(value) = &value {
                    plan.arguments.set(parameter.name, value.clone());
                }
                plan.expected_headers
                    .push((parameter.name.to_owned(), value));
            }
            other => {
                return Err(format!(
                    "parameter {} is in {other:?}, which the test does not cover",
                    parameter.name
                ))
            }
        }
    }
    Ok(plan)
}

/// Chooses the reply the server sends for a call and what the client must decode it into.
fn plan_reply(
    operation: &Operation,
    response: &SuccessResponse<'_>,
    sampler: &Sampler<'_>,
    pass: Pass,
    index: usize,
) -> Result<(PreparedReply, ExpectedReply), String> {
    if pass == Pass::ErrorReply {
        // Statuses the client's default retry policy does not retry, so each call sends one
        // request.
        let status = [400, 403, 404, 409, 412, 500][index % 6];
        let reply = PreparedReply::json(status, &error_body(status));
        return Ok((reply, ExpectedReply::Error(status)));
    }
    if operation.file_response {
        let content_type = response
            .media_type
            .filter(|media_type| !document::is_json_media_type(media_type))
            .unwrap_or("application/octet-stream")
            .to_owned();
        let reply = PreparedReply {
            status: response.status,
            headers: vec![("Content-Type".to_owned(), content_type.clone())],
            body: FILE_BYTES.to_vec(),
        };
        return Ok((reply, ExpectedReply::File(content_type)));
    }
    let Some(schema) = response.schema else {
        let reply = PreparedReply::empty(response.status);
        return Ok((reply, ExpectedReply::Empty(response.status)));
    };
    let sample = sampler
        .sample(schema)
        .ok_or("the success response schema cannot be sampled")?;
    let reply = PreparedReply::json(response.status, &sample);
    Ok((reply, ExpectedReply::Json(response.status, sample)))
}

/// Checks that an error reply prepared from [`error_body`] decoded with its status, code,
/// message and details.
fn check_error(status: u16, error: &xapi_client::Error, problems: &mut Vec<String>) {
    let xapi_client::Error::Api {
        status: actual,
        code,
        message,
        details,
        ..
    } = error
    else {
        problems.push(format!("expected an API error, got {error:?}"));
        return;
    };
    let expected = error_body(status);
    let text = |pointer: &str| expected.pointer(pointer).and_then(Value::as_str);
    if *actual != status {
        problems.push(format!("error status {actual}, expected {status}"));
    }
    if code.as_deref() != text("/error/code") {
        problems.push(format!(
            "error code {code:?}, expected {:?}",
            text("/error/code")
        ));
    }
    if Some(message.as_str()) != text("/error/message") {
        problems.push(format!(
            "error message {message:?}, expected {:?}",
            text("/error/message")
        ));
    }
    let detail_codes: Vec<&str> = details.iter().map(|detail| detail.code.as_str()).collect();
    if detail_codes != [text("/error/details/0/code").unwrap_or_default()] {
        problems.push(format!(
            "error detail codes {detail_codes:?}, expected [\"Detail\"]"
        ));
    }
}

/// Returns the JSON argument to pass for a literal kind and the value it must read back as.
pub fn sample_argument(kind: LiteralKind, variant: Variant) -> (Value, LiteralValue) {
    let first = variant == Variant::First;
    match kind {
        LiteralKind::String => {
            let text = if first {
                "O'Brien /#%,()ü"
            } else {
                "'' ü%2F?&=+;\"\\|^[]"
            };
            (json!(text), LiteralValue::String(text.to_owned()))
        }
        LiteralKind::DateTime => {
            let text = if first {
                "2025-03-01T01:30:00+05:30"
            } else {
                "1999-12-31T23:59:59.125-08:00"
            };
            let instant: DateTime<FixedOffset> =
                DateTime::parse_from_rfc3339(text).expect("sample date-time is RFC 3339");
            (json!(text), LiteralValue::DateTime(instant))
        }
        LiteralKind::Date => {
            let date = if first {
                NaiveDate::from_ymd_opt(2025, 3, 1)
            } else {
                NaiveDate::from_ymd_opt(1999, 12, 31)
            }
            .expect("sample date is valid");
            (json!(date.to_string()), LiteralValue::Date(date))
        }
        LiteralKind::Guid => {
            let text = if first {
                "0e4b1b6a-0000-4000-8000-00000000000a"
            } else {
                "0E4B1B6A-FFFF-4FFF-BFFF-FFFFFFFFFFFF"
            };
            let guid = uuid::Uuid::parse_str(text).expect("sample GUID is valid");
            (json!(text), LiteralValue::Guid(guid))
        }
        LiteralKind::Int32 => {
            let value = if first { i32::MIN } else { i32::MAX };
            (json!(value), LiteralValue::Int32(value))
        }
        LiteralKind::Int64 => {
            let value = if first { i64::MIN } else { i64::MAX };
            (json!(value), LiteralValue::Int64(value))
        }
        LiteralKind::Boolean => (json!(first), LiteralValue::Boolean(first)),
        LiteralKind::Number => {
            let value = if first { 1.5 } else { -0.25 };
            (json!(value), LiteralValue::Number(value))
        }
    }
}

/// Returns arguments for every path parameter of `operation`, none of them `null`.
pub fn sample_path_arguments(operation: &Operation, variant: Variant) -> Arguments {
    let mut arguments = Arguments::new();
    for parameter in operation.parameters {
        let kind = LiteralKind::from_name(parameter.literal);
        if let (Some(kind), "path") = (kind, parameter.location) {
            arguments.set(parameter.name, sample_argument(kind, variant).0);
        }
    }
    arguments
}

/// Returns the value of a header parameter for a pass, or `None` to leave it out.
fn header_value(parameter: &Parameter, pass: Pass) -> Option<String> {
    match pass {
        Pass::NullsAndQuery => Some("W/\"etag-'1'\"".to_owned()),
        Pass::ErrorReply => Some("*".to_owned()),
        Pass::Values if parameter.required => Some("\"etag-2\"".to_owned()),
        Pass::Values => None,
    }
}

/// Builds a query with every option in `accepted`, and the decoded values it must send.
///
/// Property names come from the entity the operation returns, so the query reads like one a
/// user would write; the client does not check them.
pub fn sample_query(
    doc: &Value,
    entity: Option<&Value>,
    accepted: &[&str],
) -> (Query, BTreeMap<String, String>) {
    let properties = entity
        .map(|entity| object_properties(doc, entity))
        .unwrap_or_default();
    let mut scalar_names = properties
        .iter()
        .filter(|(_, schema)| !is_expandable(doc, schema))
        .map(|(name, _)| (*name).to_owned())
        .filter(|name| !name.starts_with('@'));
    let first = scalar_names.next().unwrap_or_else(|| "Id".to_owned());
    let second = scalar_names.next().unwrap_or_else(|| "Name".to_owned());
    let expand = properties
        .iter()
        .find(|(_, schema)| is_expandable(doc, schema))
        .map_or_else(|| "Items".to_owned(), |(name, _)| (*name).to_owned());
    let filter = format!("{first} eq 'O''Brien /#%,()ü+&=' and {second} ne null");
    let search = "\"O'Brien\" ü+&=#".to_owned();

    let mut query = Query::new();
    let mut expected = BTreeMap::new();
    for option in accepted {
        let value = match *option {
            "$select" => {
                query = query.select([first.clone(), second.clone()]);
                format!("{first},{second}")
            }
            "$orderby" => {
                query = query.order_by(first.clone()).order_by_desc(second.clone());
                format!("{first},{second} desc")
            }
            "$expand" => {
                query = query.expand([expand.clone()]);
                expand.clone()
            }
            "$filter" => {
                query = query.filter(filter.clone());
                filter.clone()
            }
            "$search" => {
                query = query.search(search.clone());
                search.clone()
            }
            "$top" => {
                query = query.top(5);
                "5".to_owned()
            }
            "$skip" => {
                query = query.skip(10);
                "10".to_owned()
            }
            "$count" => {
                query = query.count(true);
                "true".to_owned()
            }
            _ => continue,
        };
        expected.insert((*option).to_owned(), value);
    }
    (query, expected)
}

/// Builds an OData error body (`{"error":{"code","message","details":[…]}}`) for `status`.
pub fn error_body(status: u16) -> Value {
    json!({
        "error": {
            "code": format!("E{status}"),
            "message": format!("Rejected with {status}: O'Brien ü"),
            "target": null,
            "details": [
                { "code": "Detail", "message": "first detail", "target": "Id" }
            ]
        }
    })
}
