//! Calls every operation of the built document through `xapi call` against a mock PBX.
//!
//! Arguments come from the catalog (`xapi ops --output-format json`): a sample value of each
//! parameter's literal kind, except entity keys, which are read from the first row of a
//! listing of the same entity set so that they name an existing entity. Bodies are the
//! examples `xapi describe` builds from the document's schemas. Reads run first, then other
//! writes, then deletes, so that no call changes or removes an entity another call reads.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use serde_json::Value;

use common::{code, run, stderr, stdout, Pbx};

/// Parallel `xapi` processes; each uses its own API client, because a new token for a client
/// makes its previous one invalid.
const WORKERS: usize = 4;

/// One operation as `xapi ops --output-format json` lists it.
struct Operation {
    id: String,
    method: String,
    path: String,
    parameters: Vec<Value>,
    query_options: Vec<String>,
    has_body: bool,
    file_response: bool,
}

impl Operation {
    fn from_json(value: &Value) -> Operation {
        let text = |key: &str| value[key].as_str().unwrap_or_default().to_owned();
        Operation {
            id: text("operation_id"),
            method: text("method"),
            path: text("path"),
            parameters: value["parameters"].as_array().cloned().unwrap_or_default(),
            query_options: value["query_options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            has_body: value["has_body"].as_bool().unwrap_or(false),
            file_response: value["file_response"].as_bool().unwrap_or(false),
        }
    }
}

/// Returns a sample value of each literal kind the catalog uses.
fn sample_value(kind: &str) -> &'static str {
    match kind {
        "int32" | "int64" => "1",
        "number" => "1.5",
        "boolean" => "true",
        "date-time" => "2025-01-01T00:00:00Z",
        "date" => "2025-01-01",
        "guid" => "00000000-0000-0000-0000-000000000001",
        _ => "sample",
    }
}

/// If `parameter` is the key of the path's first segment (`/Set({Id})` or
/// `/Set(Number={Number})`), returns the entity set path and the key property.
fn key_of(path: &str, parameter: &str) -> Option<(String, String)> {
    let rest = path.strip_prefix('/')?;
    let open = rest.find('(')?;
    let set = &rest[..open];
    if set.contains('/') {
        return None;
    }
    let close = rest[open..].find(')')? + open;
    let inside = &rest[open + 1..close];
    let placeholder = format!("{{{parameter}}}");
    let property = match inside.split_once('=') {
        Some((property, value)) if value == placeholder => property,
        None if inside == placeholder => parameter,
        _ => return None,
    };
    Some((format!("/{set}"), property.to_owned()))
}

/// Returns the key the mock gives the first row of an entity set with string keys: the set name in
/// lowercase ASCII letters and digits (at most 16), then `-1`.
// NOTE: this copies xapi-mock's key scheme. It is used only for sets that no operation lists,
// because their keys cannot be read from the mock through the API.
fn mock_text_key(set: &str) -> String {
    let prefix: String = set
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|character| character.to_ascii_lowercase())
        .take(16)
        .collect();
    format!("{prefix}-1")
}

struct Run<'a> {
    pbx: &'a Pbx,
    operations: &'a [Operation],
    /// Key values found per (entity set path, property); `None` when no listing had one.
    keys: Mutex<HashMap<(String, String), Option<String>>>,
    /// Directory that downloads are written to, one file per operation.
    downloads: PathBuf,
}

impl Run<'_> {
    /// Reads the key property from the first row that has it among those the listing of the
    /// entity set (a GET on the set's own path) returns.
    fn existing_key(&self, worker: usize, set: &str, property: &str) -> Option<String> {
        let cache_key = (set.to_owned(), property.to_owned());
        if let Some(found) = self.keys.lock().unwrap().get(&cache_key) {
            return found.clone();
        }
        let listings = self
            .operations
            .iter()
            .filter(|operation| operation.method == "GET" && operation.path == set);

        let mut found = None;
        for listing in listings {
            let mut command = self.pbx.xapi(worker);
            command.args(["call", &listing.id, "--output-format", "ndjson"]);
            if listing.query_options.iter().any(|option| option == "$top") {
                command.args(["--top", "10"]);
            }
            let output = run(&mut command);
            found = stdout(&output)
                .lines()
                .filter_map(|line| serde_json::from_str::<Value>(line).ok())
                .find_map(|row| match row.get(property) {
                    Some(Value::String(text)) => Some(text.clone()),
                    Some(Value::Number(number)) => Some(number.to_string()),
                    _ => None,
                });
            if found.is_some() {
                break;
            }
        }
        self.keys.lock().unwrap().insert(cache_key, found.clone());
        found
    }

    /// Runs one operation; returns a description of the failure, if any.
    fn call(&self, worker: usize, operation: &Operation) -> Option<String> {
        let mut arguments = Vec::new();
        for parameter in &operation.parameters {
            if parameter["location"] != "path" {
                continue;
            }
            let name = parameter["name"].as_str().unwrap_or_default();
            let kind = parameter["kind"].as_str().unwrap_or_default();
            let key = key_of(&operation.path, name);
            let existing = key
                .as_ref()
                .and_then(|(set, property)| self.existing_key(worker, set, property));
            let value = match (existing, &key) {
                (Some(existing), _) => existing,
                (None, Some((set, _))) if kind == "string" => mock_text_key(set),
                _ => sample_value(kind).to_owned(),
            };
            arguments.push(format!("{name}={value}"));
        }

        let mut command = self.pbx.xapi(worker);
        command.args(["call", &operation.id]).args(&arguments);
        if operation.has_body {
            let described = run(self.pbx.xapi(worker).args([
                "describe",
                &operation.id,
                "--output-format",
                "json",
            ]));
            let facts: Value = match serde_json::from_slice(&described.stdout) {
                Ok(facts) => facts,
                Err(error) => return Some(format!("describe gave no JSON: {error}")),
            };
            command.args(["--body", &facts["body"]["example"].to_string()]);
        }
        if operation.file_response {
            command
                .arg("--output")
                .arg(self.downloads.join(&operation.id));
        }
        let output = run(&mut command);
        match code(&output) {
            0 => None,
            status => Some(format!(
                "exit {status} for `xapi call {} {}`: {}",
                operation.id,
                arguments.join(" "),
                stderr(&output).trim()
            )),
        }
    }

    /// Runs `batch` on [`WORKERS`] threads and returns the failures.
    fn run_batch(&self, batch: &[&Operation]) -> Vec<(String, String)> {
        let next = AtomicUsize::new(0);
        let failures = Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for worker in 0..WORKERS {
                let next = &next;
                let failures = &failures;
                scope.spawn(move || loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(operation) = batch.get(index) else {
                        break;
                    };
                    if let Some(problem) = self.call(worker, operation) {
                        failures
                            .lock()
                            .unwrap()
                            .push((operation.id.clone(), problem));
                    }
                });
            }
        });
        failures.into_inner().unwrap()
    }
}

#[test]
fn every_operation_exits_zero() {
    let pbx = Pbx::start(3, WORKERS);
    let listing = run(pbx.xapi(0).args(["ops", "--output-format", "json"]));
    assert_eq!(code(&listing), 0, "{}", stderr(&listing));
    let listed: Value = serde_json::from_slice(&listing.stdout).expect("ops prints JSON");
    let operations: Vec<Operation> = listed
        .as_array()
        .expect("ops prints an array")
        .iter()
        .map(Operation::from_json)
        .collect();
    assert!(!operations.is_empty());

    let state = Run {
        pbx: &pbx,
        operations: &operations,
        keys: Mutex::new(HashMap::new()),
        downloads: common::scratch_dir("downloads"),
    };
    let phase = |methods: &[&str]| -> Vec<&Operation> {
        operations
            .iter()
            .filter(|operation| methods.contains(&operation.method.as_str()))
            .collect()
    };
    let reads = phase(&["GET", "HEAD"]);
    let deletes = phase(&["DELETE"]);
    let writes: Vec<&Operation> = operations
        .iter()
        .filter(|operation| !matches!(operation.method.as_str(), "GET" | "HEAD" | "DELETE"))
        .collect();
    let mut failures = state.run_batch(&reads);
    failures.extend(state.run_batch(&writes));
    failures.extend(state.run_batch(&deletes));
    failures.sort();

    for (_, problem) in &failures {
        println!("FAILED {problem}");
    }
    let failed = failures.len();
    println!("{} passed, {failed} failed", operations.len() - failed);
    assert_eq!(
        failed,
        0,
        "operations that failed: {:?}",
        failures.iter().map(|(id, _)| id).collect::<Vec<_>>()
    );
}

#[test]
fn key_positions_are_found() {
    assert_eq!(
        key_of("/Users({Id})", "Id"),
        Some(("/Users".to_owned(), "Id".to_owned()))
    );
    assert_eq!(
        key_of("/Users(Number={Number})", "Number"),
        Some(("/Users".to_owned(), "Number".to_owned()))
    );
    assert_eq!(key_of("/Users/Pbx.Get(number={number})", "number"), None);
    assert_eq!(key_of("/Users({Id})/Groups({Key})", "Key"), None);
}
