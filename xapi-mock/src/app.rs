//! Request handling independent of the HTTP library: auth, routing, faults, operations.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use serde_json::{json, Map, Value};

use crate::auth::{Auth, BearerError, TokenOutcome};
use crate::config::Settings;
use crate::faults::{FaultKind, FaultRequest, Faults};
use crate::generate::{combine, hash_str, Generator};
use crate::literal::quote;
use crate::log::RequestLog;
use crate::model::{Model, Operation, OperationKind, ResponseKind, TemplateArgs};
use crate::query::{self, QueryOptions};
use crate::routing::{Route, Router};
use crate::schema::{Node, Schemas, StrFormat, TypeRef};
use crate::store::{Collection, Page, WriteError};
use crate::validate::validate;

/// Path prefix of the OData service.
pub(crate) const SERVICE_ROOT: &str = "/xapi/v1";
/// Path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/connect/token";
/// Content type of JSON responses, as ASP.NET Core OData sends it.
const JSON_CONTENT_TYPE: &str = "application/json; odata.metadata=minimal; odata.streaming=true";

/// Shared state of a running mock.
pub(crate) struct State {
    pub model: Model,
    pub router: Router,
    pub document: Value,
    /// The document as served at `swagger.yaml`: the file's own bytes when it was read
    /// from YAML, otherwise a YAML rendering.
    pub document_yaml: Bytes,
    pub settings: Settings,
    pub sets: HashMap<String, Collection>,
    /// Schema of each singleton, by name.
    pub singleton_types: HashMap<String, TypeRef>,
    /// Singleton values, generated on first access and changed by PATCH.
    pub singletons: Mutex<HashMap<String, Map<String, Value>>>,
    pub auth: Auth,
    pub faults: Faults,
    pub log: RequestLog,
    /// `http://127.0.0.1:<port>`, set once the listener is bound.
    pub base_url: String,
}

impl State {
    /// Builds the state for a compiled document.
    pub fn new(
        model: Model,
        document: Value,
        document_yaml: Bytes,
        settings: Settings,
        auth: Auth,
        base_url: String,
    ) -> State {
        let router = Router::new(&model);
        let mut sets = HashMap::new();
        for (name, set) in &model.sets {
            let salt = combine(&[settings.seed, hash_str(name)]);
            let collection = Collection::new(
                &model.schemas,
                name,
                set.item,
                set.key.clone(),
                settings.rows_of(name),
                salt,
            );
            sets.insert(name.clone(), collection);
        }
        let mut singleton_types = HashMap::new();
        for op in &model.operations {
            match (&op.kind, &op.response, op.body) {
                (OperationKind::SingletonRead(name), ResponseKind::Json(ty), _) => {
                    singleton_types.insert(name.clone(), *ty);
                }
                (OperationKind::SingletonUpdate(name), _, Some(ty)) => {
                    singleton_types.entry(name.clone()).or_insert(ty);
                }
                _ => {}
            }
        }
        let log = RequestLog::new(settings.log_capacity);
        State {
            model,
            router,
            document,
            document_yaml,
            settings,
            sets,
            singleton_types,
            singletons: Mutex::new(HashMap::new()),
            auth,
            faults: Faults::default(),
            log,
            base_url,
        }
    }
}

/// A request with its body read and its path decoded.
pub(crate) struct MockRequest {
    pub method: Method,
    /// Percent-decoded path.
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl MockRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A response before faults that act on the body are applied.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
        }
    }

    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".to_owned(), JSON_CONTENT_TYPE.to_owned())],
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        }
    }

    /// Builds an OData error reply: `{"error":{"code":…,"message":…,"details":[]}}`.
    pub fn odata_error(status: u16, code: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &json!({"error": {"code": code, "message": message, "details": []}}),
        )
    }

    fn bad_request(message: &str) -> Reply {
        Reply::odata_error(400, "BadRequest", message)
    }

    fn unauthorized(error: Option<BearerError>) -> Reply {
        let challenge = match error {
            Some(BearerError::Expired) => {
                "Bearer error=\"invalid_token\", error_description=\"The token expired\""
            }
            Some(BearerError::Invalid) => "Bearer error=\"invalid_token\"",
            _ => "Bearer",
        };
        Reply::empty(401).with_header("www-authenticate", challenge)
    }

    fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// The reply with what the log records about it.
pub(crate) struct Outcome {
    pub reply: Reply,
    pub operation_id: Option<String>,
    pub fault: Option<FaultKind>,
}

impl Outcome {
    fn plain(reply: Reply) -> Outcome {
        Outcome {
            reply,
            operation_id: None,
            fault: None,
        }
    }
}

/// Handles one request.
pub(crate) async fn respond(state: &Arc<State>, request: Arc<MockRequest>) -> Outcome {
    let path = request.path.as_str();
    let service_path = path.strip_prefix(SERVICE_ROOT);

    if path == TOKEN_PATH {
        let fault = take_fault(state, None, None, None, path);
        if let Some(outcome) = apply_fault_before(state, &request, &fault, None).await {
            return outcome;
        }
        let reply = if request.method == Method::POST {
            token_reply(state, &request)
        } else {
            Reply::empty(405).with_header("allow", "POST")
        };
        return Outcome {
            reply,
            operation_id: None,
            fault,
        };
    }

    let Some(service_path) = service_path else {
        return Outcome::plain(Reply::empty(404));
    };

    if matches!(service_path, "/swagger.yaml" | "/swagger.json") {
        let fault = take_fault(state, None, None, Some(service_path), path);
        if let Some(outcome) = apply_fault_before(state, &request, &fault, None).await {
            return outcome;
        }
        let reply = if request.method == Method::GET {
            swagger_reply(state, service_path.ends_with(".json"))
        } else {
            Reply::empty(405).with_header("allow", "GET")
        };
        return Outcome {
            reply,
            operation_id: None,
            fault,
        };
    }

    if matches!(service_path, "" | "/" | "/$metadata") {
        if let Err(error) = state.auth.check_bearer(request.header("authorization")) {
            return Outcome::plain(Reply::unauthorized(Some(error)));
        }
        let reply = if service_path == "/$metadata" {
            Reply::odata_error(
                404,
                "NotFound",
                "This mock does not serve $metadata; the OpenAPI document is at /xapi/v1/swagger.json.",
            )
        } else {
            service_document(state)
        };
        return Outcome::plain(reply);
    }

    let (operation, args) = match state
        .router
        .route(&state.model, &request.method, service_path)
    {
        Route::Found { operation, args } => (operation, args),
        Route::NotFound => {
            tracing::debug!(method = %request.method, path, "no path template matches");
            return Outcome::plain(Reply::empty(404));
        }
        Route::MethodNotAllowed { allow } => {
            let allow: Vec<&str> = allow.iter().map(Method::as_str).collect();
            return Outcome::plain(Reply::empty(405).with_header("allow", &allow.join(", ")));
        }
    };
    let op = &state.model.operations[operation];
    let template = &state.model.template_of(op).text;
    let fault = take_fault(
        state,
        Some(&op.id),
        Some(template),
        Some(service_path),
        path,
    );
    if let Some(mut outcome) = apply_fault_before(state, &request, &fault, Some(&op.id)).await {
        outcome.operation_id = Some(op.id.clone());
        return outcome;
    }

    let reply = match state.auth.check_bearer(request.header("authorization")) {
        Err(error) => Reply::unauthorized(Some(error)),
        Ok(_) => match query::parse(request.query.as_deref()) {
            Err(message) => Reply::bad_request(&message),
            Ok(options) => {
                let state = Arc::clone(state);
                let request = Arc::clone(&request);
                let handled = tokio::task::spawn_blocking(move || {
                    handle_operation(&state, &request, operation, &args, &options)
                })
                .await;
                match handled {
                    Ok(reply) => reply,
                    Err(error) => {
                        tracing::error!(%error, "request handler failed");
                        Reply::odata_error(
                            500,
                            "InternalServerError",
                            "The mock failed to handle the request.",
                        )
                    }
                }
            }
        },
    };
    tracing::debug!(operation = %op.id, status = reply.status, "handled");
    Outcome {
        reply,
        operation_id: Some(op.id.clone()),
        fault,
    }
}

fn take_fault(
    state: &State,
    operation_id: Option<&str>,
    template: Option<&str>,
    service_path: Option<&str>,
    full_path: &str,
) -> Option<FaultKind> {
    let fault = state.faults.take(&FaultRequest {
        operation_id,
        template,
        service_path,
        full_path,
    });
    if let Some(kind) = &fault {
        tracing::info!(
            ?kind,
            path = full_path,
            operation = operation_id,
            "injecting fault"
        );
    }
    fault
}

/// Applies faults that replace the response; a delay is waited out here.
async fn apply_fault_before(
    state: &State,
    request: &MockRequest,
    fault: &Option<FaultKind>,
    operation_id: Option<&str>,
) -> Option<Outcome> {
    let reply = match fault.as_ref()? {
        FaultKind::Delay(duration) => {
            tokio::time::sleep(*duration).await;
            return None;
        }
        FaultKind::TruncateBody { .. } | FaultKind::DropConnection { .. } => return None,
        FaultKind::Status(401) => Reply::unauthorized(Some(BearerError::Invalid)),
        FaultKind::Status(status @ (429 | 503)) => {
            status_fault_reply(*status).with_header("retry-after", "1")
        }
        FaultKind::Status(status) => status_fault_reply(*status),
        FaultKind::TooManyRequests { retry_after_secs } => {
            status_fault_reply(429).with_header("retry-after", &retry_after_secs.to_string())
        }
        FaultKind::RevokeToken => {
            match state.auth.check_bearer(request.header("authorization")) {
                Ok(client) => state.auth.revoke_client(&client),
                Err(_) => state.auth.revoke_all(),
            }
            Reply::unauthorized(Some(BearerError::Invalid))
        }
        FaultKind::NonJsonBody { status } => Reply {
            status: *status,
            headers: vec![("content-type".to_owned(), "text/html".to_owned())],
            body: Bytes::from(format!(
                "<html><head><title>{status}</title></head><body><h1>{status}</h1><hr><center>nginx</center></body></html>\r\n"
            )),
        },
    };
    Some(Outcome {
        reply,
        operation_id: operation_id.map(str::to_owned),
        fault: fault.clone(),
    })
}

fn status_fault_reply(status: u16) -> Reply {
    let reason = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    Reply::odata_error(
        status,
        &reason.replace(' ', ""),
        &format!("{reason} (injected by the mock)."),
    )
}

fn token_reply(state: &State, request: &MockRequest) -> Reply {
    match state
        .auth
        .token_request(request.header("content-type"), &request.body)
    {
        TokenOutcome::Issued { body, client_id } => {
            tracing::info!(client_id, "token issued");
            Reply::json(200, &body).with_header("cache-control", "no-store")
        }
        TokenOutcome::Unauthorized => {
            tracing::info!("token request with invalid client credentials");
            Reply::json(
                401,
                &json!({"error": "unauthorized", "error_description": "The request requires valid user authentication."}),
            )
        }
        TokenOutcome::BadRequest { error, description } => {
            tracing::info!(error, "malformed token request");
            Reply::json(
                400,
                &json!({"error": error, "error_description": description}),
            )
        }
        TokenOutcome::RateLimited { retry_after } => {
            tracing::info!(retry_after, "token request rate limit reached");
            Reply::json(
                429,
                &json!({"error": "too_many_requests", "error_description": format!("Too many token requests; retry after {retry_after} seconds.")}),
            )
            .with_header("retry-after", &retry_after.to_string())
        }
    }
}

fn swagger_reply(state: &State, as_json: bool) -> Reply {
    if as_json {
        Reply::json(200, &state.document)
    } else {
        Reply {
            status: 200,
            headers: vec![("content-type".to_owned(), "application/yaml".to_owned())],
            body: state.document_yaml.clone(),
        }
    }
}

fn service_document(state: &State) -> Reply {
    let mut entries: Vec<Value> = state
        .model
        .sets
        .keys()
        .map(|name| json!({"name": name, "kind": "EntitySet", "url": name}))
        .collect();
    let mut singletons: Vec<&String> = state.singleton_types.keys().collect();
    singletons.sort();
    entries.extend(
        singletons
            .into_iter()
            .map(|name| json!({"name": name, "kind": "Singleton", "url": name})),
    );
    Reply::json(
        200,
        &json!({"@odata.context": format!("{}{SERVICE_ROOT}/$metadata", state.base_url), "value": entries}),
    )
}

// ---------------------------------------------------------------------------------------
// Operations

/// Handles a routed, authenticated request.
fn handle_operation(
    state: &State,
    request: &MockRequest,
    operation: usize,
    args: &BTreeMap<String, Value>,
    options: &QueryOptions,
) -> Reply {
    let op = &state.model.operations[operation];
    let result = match &op.kind {
        OperationKind::List(set) => list(state, set, options),
        OperationKind::Read(set) => read(state, set, args, options),
        OperationKind::ReadByAlternateKey { set, property } => {
            read_by_alternate_key(state, set, property, args, options)
        }
        OperationKind::Create(set) => create(state, op, set, request),
        OperationKind::Update(set) => update(state, op, set, args, request),
        OperationKind::Delete(set) => delete(state, op, set, args, request),
        OperationKind::SingletonRead(name) => singleton_read(state, name, options),
        OperationKind::SingletonUpdate(name) => singleton_update(state, op, name, request),
        OperationKind::Other => other(state, op, request, args, options),
    };
    result.unwrap_or_else(|reply| reply)
}

type Handled = Result<Reply, Reply>;

fn schemas(state: &State) -> &Schemas {
    &state.model.schemas
}

fn collection<'a>(state: &'a State, set: &str) -> Result<&'a Collection, Reply> {
    state.sets.get(set).ok_or_else(|| {
        Reply::odata_error(
            500,
            "InternalServerError",
            &format!("The entity set '{set}' has no store."),
        )
    })
}

fn key_of<'a>(
    state: &State,
    set: &str,
    args: &'a BTreeMap<String, Value>,
) -> Result<&'a Value, Reply> {
    let param = state
        .model
        .sets
        .get(set)
        .and_then(|s| s.key.as_ref())
        .map(|(name, _)| name.as_str())
        .unwrap_or_default();
    args.get(param)
        .ok_or_else(|| Reply::bad_request(&format!("The key '{param}' of '{set}' is missing.")))
}

fn not_found(set: &str, key: &Value) -> Reply {
    Reply::odata_error(
        404,
        "NotFound",
        &format!("No entity in '{set}' has the key {key}."),
    )
}

fn context_url(state: &State, fragment: &str) -> String {
    format!("{}{SERVICE_ROOT}/$metadata#{fragment}", state.base_url)
}

fn apply_select(mut row: Map<String, Value>, select: &Option<Vec<String>>) -> Map<String, Value> {
    if let Some(names) = select {
        row.retain(|name, _| names.contains(name));
    }
    row
}

fn collection_reply(
    context: String,
    page: Page,
    count: bool,
    select: &Option<Vec<String>>,
) -> Reply {
    let mut body = Map::new();
    body.insert("@odata.context".to_owned(), Value::String(context));
    if count {
        body.insert("@odata.count".to_owned(), Value::from(page.count));
    }
    let rows = page
        .rows
        .into_iter()
        .map(|row| Value::Object(apply_select(row, select)))
        .collect();
    body.insert("value".to_owned(), Value::Array(rows));
    Reply::json(200, &Value::Object(body))
}

/// Runs a query on a collection with the `$top` cap and the unpaged-size limit.
fn run_query(
    state: &State,
    collection: &Collection,
    options: &QueryOptions,
    cap: Option<u64>,
) -> Result<(Page, Option<Vec<String>>), Reply> {
    let mut bound = options
        .bind(schemas(state), collection.item)
        .map_err(|message| Reply::bad_request(&message))?;
    if let (Some(top), Some(cap)) = (bound.top, cap) {
        if top > cap {
            return Err(Reply::bad_request(&format!(
                "The query specified in the URI is not valid. The limit of '{cap}' for Top query has been exceeded. To increase the limit, set the 'MaxTop' property on EnableQueryAttribute or ODataValidationSettings."
            )));
        }
    }
    let limit = state.settings.max_unpaged_rows;
    let unpaged = bound.top.is_none();
    if unpaged {
        bound.top = Some(limit.saturating_add(1));
    }
    let page = collection.query(schemas(state), &bound);
    if unpaged && page.rows.len() as u64 > limit {
        return Err(Reply::bad_request(&format!(
            "The result has more than {limit} rows, the mock's limit for a response without $top; page with $top and $skip."
        )));
    }
    Ok((page, bound.select))
}

fn list(state: &State, set: &str, options: &QueryOptions) -> Handled {
    let collection = collection(state, set)?;
    let cap = state.settings.top_cap_of(set, true);
    let (page, select) = run_query(state, collection, options, cap)?;
    let fragment = match &select {
        Some(names) => format!("{set}({})", names.join(",")),
        None => set.to_owned(),
    };
    Ok(collection_reply(
        context_url(state, &fragment),
        page,
        options.count,
        &select,
    ))
}

fn read(
    state: &State,
    set: &str,
    args: &BTreeMap<String, Value>,
    options: &QueryOptions,
) -> Handled {
    let collection = collection(state, set)?;
    let key = key_of(state, set, args)?;
    let select = options
        .bind_select(schemas(state), collection.item)
        .map_err(|m| Reply::bad_request(&m))?;
    let expand = options
        .bind_expand(schemas(state), collection.item)
        .map_err(|m| Reply::bad_request(&m))?;
    let (row, etag) = collection
        .get(schemas(state), key, &expand)
        .ok_or_else(|| not_found(set, key))?;
    let mut body = apply_select(row, &select);
    body.insert(
        "@odata.context".to_owned(),
        Value::String(context_url(state, &format!("{set}/$entity"))),
    );
    Ok(Reply::json(200, &Value::Object(body)).with_header("etag", &etag))
}

fn read_by_alternate_key(
    state: &State,
    set: &str,
    property: &str,
    args: &BTreeMap<String, Value>,
    options: &QueryOptions,
) -> Handled {
    let collection = collection(state, set)?;
    let value = args
        .values()
        .next()
        .ok_or_else(|| Reply::bad_request("The alternate key is missing."))?;
    let select = options
        .bind_select(schemas(state), collection.item)
        .map_err(|m| Reply::bad_request(&m))?;
    let expand = options
        .bind_expand(schemas(state), collection.item)
        .map_err(|m| Reply::bad_request(&m))?;
    let row = collection
        .find_by(schemas(state), property, value, &expand)
        .ok_or_else(|| not_found(set, value))?;
    let mut body = apply_select(row, &select);
    body.insert(
        "@odata.context".to_owned(),
        Value::String(context_url(state, &format!("{set}/$entity"))),
    );
    Ok(Reply::json(200, &Value::Object(body)))
}

/// Parses and validates a JSON object body against `ty`.
fn object_body(
    state: &State,
    ty: Option<TypeRef>,
    request: &MockRequest,
    required: bool,
) -> Result<Option<Map<String, Value>>, Reply> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        if required {
            return Err(Reply::bad_request(
                "The request body is missing; this operation requires a JSON body.",
            ));
        }
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(&request.body)
        .map_err(|e| Reply::bad_request(&format!("The request body is not valid JSON: {e}.")))?;
    if let Some(ty) = ty {
        validate(schemas(state), ty, &value).map_err(|m| {
            Reply::bad_request(&format!("The request body does not match the schema: {m}."))
        })?;
    }
    match value {
        Value::Object(map) => Ok(Some(map)),
        _ if ty.is_some() => Ok(Some(Map::new())),
        _ => Err(Reply::bad_request(
            "The request body must be a JSON object.",
        )),
    }
}

fn write_error(set: &str, key: &Value, error: WriteError) -> Reply {
    match error {
        WriteError::NotFound => not_found(set, key),
        WriteError::PreconditionFailed => Reply::odata_error(
            412,
            "PreconditionFailed",
            "The If-Match header does not match the entity's current ETag.",
        ),
        WriteError::Conflict(key) => Reply::odata_error(
            409,
            "Conflict",
            &format!("An entity with the key {key} already exists in '{set}'."),
        ),
    }
}

fn create(state: &State, op: &Operation, set: &str, request: &MockRequest) -> Handled {
    let collection = collection(state, set)?;
    let ty = op.body.unwrap_or(collection.item);
    let body = object_body(state, Some(ty), request, true)?.unwrap_or_default();
    let row = collection
        .insert(schemas(state), body)
        .map_err(|e| write_error(set, &Value::Null, e))?;
    tracing::info!(set, "entity created");
    let mut reply = match op.response {
        ResponseKind::Json(_) => {
            let mut body = row.clone();
            body.insert(
                "@odata.context".to_owned(),
                Value::String(context_url(state, &format!("{set}/$entity"))),
            );
            Reply::json(op.success_status, &Value::Object(body))
        }
        _ => Reply::empty(op.success_status),
    };
    if let (Some(key_property), Some((_, key_ty))) = (
        collection.key_property(),
        state.model.sets.get(set).and_then(|s| s.key.as_ref()),
    ) {
        if let Some(key) = row.get(key_property) {
            let location = format!(
                "{}{SERVICE_ROOT}/{set}({})",
                state.base_url,
                key_literal(schemas(state), *key_ty, key)
            );
            reply = reply.with_header("location", &location);
        }
    }
    Ok(reply)
}

/// Formats a key value as it appears in a URL.
fn key_literal(schemas: &Schemas, ty: TypeRef, value: &Value) -> String {
    match (value, schemas.node(ty.node)) {
        (
            Value::String(text),
            Node::String {
                format: StrFormat::Plain,
                ..
            },
        ) => quote(text),
        (Value::String(text), Node::String { .. }) => text.clone(),
        (Value::String(text), _) => quote(text),
        (other, _) => other.to_string(),
    }
}

fn update(
    state: &State,
    op: &Operation,
    set: &str,
    args: &BTreeMap<String, Value>,
    request: &MockRequest,
) -> Handled {
    let collection = collection(state, set)?;
    let key = key_of(state, set, args)?;
    let ty = op.body.unwrap_or(collection.item);
    let patch = object_body(state, Some(ty), request, true)?.unwrap_or_default();
    collection
        .update(schemas(state), key, patch, request.header("if-match"))
        .map_err(|e| write_error(set, key, e))?;
    tracing::info!(set, %key, "entity updated");
    Ok(Reply::empty(op.success_status))
}

fn delete(
    state: &State,
    op: &Operation,
    set: &str,
    args: &BTreeMap<String, Value>,
    request: &MockRequest,
) -> Handled {
    let collection = collection(state, set)?;
    let key = key_of(state, set, args)?;
    collection
        .delete(schemas(state), key, request.header("if-match"))
        .map_err(|e| write_error(set, key, e))?;
    tracing::info!(set, %key, "entity deleted");
    Ok(Reply::empty(op.success_status))
}

fn singleton_value(state: &State, name: &str) -> Map<String, Value> {
    let mut singletons = state.singletons.lock().unwrap_or_else(|e| e.into_inner());
    singletons
        .entry(name.to_owned())
        .or_insert_with(|| {
            let ty = state
                .singleton_types
                .get(name)
                .copied()
                .unwrap_or(schemas(state).any());
            let seed = combine(&[state.settings.seed, hash_str(name)]);
            match Generator::new(schemas(state), seed).value(
                TypeRef {
                    nullable: false,
                    ..ty
                },
                0,
            ) {
                Value::Object(map) => map,
                other => Map::from_iter([("value".to_owned(), other)]),
            }
        })
        .clone()
}

fn singleton_read(state: &State, name: &str, options: &QueryOptions) -> Handled {
    let ty = state
        .singleton_types
        .get(name)
        .copied()
        .unwrap_or(schemas(state).any());
    let select = options
        .bind_select(schemas(state), ty)
        .map_err(|m| Reply::bad_request(&m))?;
    options
        .bind_expand(schemas(state), ty)
        .map_err(|m| Reply::bad_request(&m))?;
    let mut body = apply_select(singleton_value(state, name), &select);
    body.insert(
        "@odata.context".to_owned(),
        Value::String(context_url(state, name)),
    );
    Ok(Reply::json(200, &Value::Object(body)))
}

fn singleton_update(state: &State, op: &Operation, name: &str, request: &MockRequest) -> Handled {
    let patch = object_body(state, op.body, request, op.body_required)?.unwrap_or_default();
    let current = singleton_value(state, name);
    let mut singletons = state.singletons.lock().unwrap_or_else(|e| e.into_inner());
    let entry = singletons.entry(name.to_owned()).or_insert(current);
    for (property, value) in patch {
        entry.insert(property, value);
    }
    tracing::info!(singleton = name, "singleton updated");
    Ok(Reply::empty(op.success_status))
}

/// Handles functions, actions and navigation paths by generating the declared response.
fn other(
    state: &State,
    op: &Operation,
    request: &MockRequest,
    args: &BTreeMap<String, Value>,
    options: &QueryOptions,
) -> Handled {
    check_parent(state, op, args)?;
    if op.body.is_some() || !request.body.is_empty() {
        object_body(state, op.body, request, op.body_required)?;
    }
    let seed = combine(&[
        state.settings.seed,
        hash_str(&op.id),
        hash_str(&request.path),
    ]);
    match &op.response {
        ResponseKind::Empty => Ok(Reply::empty(op.success_status)),
        ResponseKind::File { content_type } => Ok(file_reply(op, args, content_type)),
        ResponseKind::Json(ty) => {
            let value = Generator::new(schemas(state), seed).value(
                TypeRef {
                    nullable: false,
                    ..*ty
                },
                0,
            );
            let value = match value {
                Value::Object(map) => {
                    let select = options
                        .bind_select(schemas(state), *ty)
                        .map_err(|m| Reply::bad_request(&m))?;
                    Value::Object(apply_select(map, &select))
                }
                other => other,
            };
            Ok(Reply::json(op.success_status, &value))
        }
        ResponseKind::Collection(item) => function_collection(state, op, *item, seed, options),
    }
}

/// Returns 404 when a path below `/<Set>({key})` names an entity that does not exist.
fn check_parent(
    state: &State,
    op: &Operation,
    args: &BTreeMap<String, Value>,
) -> Result<(), Reply> {
    let template = state.model.template_of(op);
    let Some(first) = template.segments.first() else {
        return Ok(());
    };
    let TemplateArgs::Key(param) = &first.args else {
        return Ok(());
    };
    let (Some(collection), Some(key)) = (state.sets.get(&first.name), args.get(param)) else {
        return Ok(());
    };
    if collection.key_property().is_some() && !collection.contains(schemas(state), key) {
        return Err(not_found(&first.name, key));
    }
    Ok(())
}

fn function_collection(
    state: &State,
    op: &Operation,
    item: TypeRef,
    seed: u64,
    options: &QueryOptions,
) -> Handled {
    let cap = state.settings.top_cap_of(&op.id, false);
    let type_name = schemas(state)
        .name_of(item.node)
        .unwrap_or("Edm.Untyped")
        .to_owned();
    let context = context_url(state, &format!("Collection({type_name})"));
    if !matches!(schemas(state).node(item.node), Node::Object { .. }) {
        return primitive_collection(state, item, seed, options, cap, context);
    }
    let collection = Collection::new(
        schemas(state),
        &op.id,
        item,
        None,
        state.settings.function_rows,
        seed,
    );
    let (page, select) = run_query(state, &collection, options, cap)?;
    Ok(collection_reply(context, page, options.count, &select))
}

/// Generates a collection of primitive values, to which only `$top`, `$skip` and
/// `$count` apply.
fn primitive_collection(
    state: &State,
    item: TypeRef,
    seed: u64,
    options: &QueryOptions,
    cap: Option<u64>,
    context: String,
) -> Handled {
    if let (Some(top), Some(cap)) = (options.top, cap) {
        if top > cap {
            return Err(Reply::bad_request(&format!(
                "The query specified in the URI is not valid. The limit of '{cap}' for Top query has been exceeded."
            )));
        }
    }
    let total = state.settings.function_rows;
    let values: Vec<Value> = (0..total)
        .skip(options.skip.unwrap_or(0) as usize)
        .take(options.top.unwrap_or(u64::MAX) as usize)
        .map(|row| {
            Generator::new(schemas(state), combine(&[seed, row])).value(
                TypeRef {
                    nullable: false,
                    ..item
                },
                1,
            )
        })
        .collect();
    let mut body = Map::new();
    body.insert("@odata.context".to_owned(), Value::String(context));
    if options.count {
        body.insert("@odata.count".to_owned(), Value::from(total));
    }
    body.insert("value".to_owned(), Value::Array(values));
    Ok(Reply::json(200, &Value::Object(body)))
}

/// Content of every file download: a text line naming the operation, then all 256 byte
/// values in order, so that clients must treat the body as bytes rather than UTF-8.
pub(crate) fn file_bytes(operation_id: &str) -> Vec<u8> {
    let mut bytes = format!("xapi-mock file for {operation_id}\n").into_bytes();
    bytes.extend(0..=255u8);
    bytes
}

/// File name of a download: the operationId and the argument values, made safe.
pub(crate) fn file_name(
    operation_id: &str,
    args: &BTreeMap<String, Value>,
    content_type: &str,
) -> String {
    let mut name = operation_id.to_owned();
    for value in args.values() {
        let text = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        name.push('-');
        name.extend(text.chars().map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        }));
    }
    name.truncate(120);
    let subtype = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .rsplit('/')
        .next()
        .unwrap_or("");
    let extension = match subtype.trim() {
        "" | "octet-stream" | "json" => "bin",
        other => other,
    };
    format!("{name}.{extension}")
}

fn file_reply(op: &Operation, args: &BTreeMap<String, Value>, content_type: &str) -> Reply {
    let name = file_name(&op.id, args, content_type);
    tracing::info!(operation = %op.id, file = %name, "file download");
    Reply {
        status: op.success_status,
        headers: vec![
            ("content-type".to_owned(), content_type.to_owned()),
            (
                "content-disposition".to_owned(),
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body: Bytes::from(file_bytes(&op.id)),
    }
}
