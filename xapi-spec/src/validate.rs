//! Structural checks of an OpenAPI 3.0 document and the counts that summarize it.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use serde_json::{Map, Value};

use crate::{locate, Document, Error, Format, Location};

/// HTTP methods under which an OpenAPI 3.0 path item contains an operation.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Counts that identify a validated document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Summary {
    /// The document's label.
    pub label: String,
    /// Lowercase hex sha256 of the document's bytes.
    pub sha256: String,
    /// Value of the `openapi` field, such as `3.0.4`.
    pub openapi: String,
    /// Number of entries under `paths`.
    pub paths: usize,
    /// Number of operations (path and HTTP method pairs).
    pub operations: usize,
    /// Number of entries under `components/schemas`.
    pub schemas: usize,
    /// Number of distinct tags that operations carry.
    pub tags: usize,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (sha256 {}): OpenAPI {}, {} paths, {} operations, {} schemas, {} tags",
            self.label,
            self.sha256,
            self.openapi,
            self.paths,
            self.operations,
            self.schemas,
            self.tags
        )
    }
}

/// Checks that `document` is an OpenAPI 3.0.x document that the code generator can rely on.
///
/// The checks, in order:
/// - the top level is a map with an `openapi` field of version 3.0.x. Swagger 2.0, OpenAPI
///   3.1 and any other version yield [`Error::UnsupportedVersion`], and a file with neither a
///   `swagger` nor an `openapi` field yields [`Error::NotOpenApi`];
/// - `paths` is a map of path items and each operation is a map;
/// - every `$ref` is local (`#/...`) and points at an existing node;
/// - every operation has an operationId, and no two share one.
///
/// The first failure is returned. Locations carry the JSON pointer, and for YAML documents the
/// line and column where a scan of the text finds the node.
pub fn validate(document: &Document) -> Result<Summary, Error> {
    let checker = Checker { document };
    let root = checker.root()?;
    let openapi = checker.version(root)?;
    let paths = checker.paths(root)?;
    checker.references(&document.value, &mut String::new())?;
    let operations = checker.operation_ids(paths)?;

    let schemas = root
        .get("components")
        .and_then(|components| components.get("schemas"))
        .and_then(Value::as_object)
        .map_or(0, Map::len);

    Ok(Summary {
        label: document.label.clone(),
        sha256: document.sha256.clone(),
        openapi,
        paths: paths.len(),
        operations,
        schemas,
        tags: tags(&document.value).len(),
    })
}

/// Returns the distinct tags that the document's operations carry, sorted.
///
/// Top-level `tags` entries that no operation uses are left out, because they select nothing.
pub fn tags(document: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (_, _, operation) in operations(document) {
        let names = operation.get("tags").and_then(Value::as_array);
        for name in names.into_iter().flatten().filter_map(Value::as_str) {
            found.insert(name.to_owned());
        }
    }
    found
}

/// Lists every operation as `(path, method, operation)`.
fn operations(document: &Value) -> Vec<(&str, &str, &Value)> {
    let mut found = Vec::new();
    let paths = document.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.push((path.as_str(), method, operation));
            }
        }
    }
    found
}

struct Checker<'a> {
    document: &'a Document,
}

impl<'a> Checker<'a> {
    fn root(&self) -> Result<&'a Map<String, Value>, Error> {
        let found = match &self.document.value {
            Value::Object(root) => return Ok(root),
            Value::Null => "the file is empty".to_owned(),
            Value::Array(_) => "the top level is a list".to_owned(),
            other => format!("the top level is the scalar {other}"),
        };
        Err(Error::NotOpenApi {
            path: self.document.path.clone(),
            found,
        })
    }

    fn version(&self, root: &Map<String, Value>) -> Result<String, Error> {
        if let Some(swagger) = root.get("swagger") {
            return Err(Error::UnsupportedVersion {
                path: self.document.path.clone(),
                location: self.locate("/swagger"),
                version: format!("Swagger {}", scalar_text(swagger)),
            });
        }
        let Some(openapi) = root.get("openapi") else {
            let keys: Vec<&str> = root.keys().take(5).map(String::as_str).collect();
            return Err(Error::NotOpenApi {
                path: self.document.path.clone(),
                found: format!(
                    "no `openapi` field among the top-level keys ({})",
                    keys.join(", ")
                ),
            });
        };
        let version = scalar_text(openapi);
        let is_3_0 = openapi.as_str().is_some_and(|text| {
            let mut parts = text.split('.');
            parts.next() == Some("3") && parts.next() == Some("0")
        });
        if !is_3_0 {
            return Err(Error::UnsupportedVersion {
                path: self.document.path.clone(),
                location: self.locate("/openapi"),
                version: format!("OpenAPI {version}"),
            });
        }
        Ok(version)
    }

    fn paths(&self, root: &'a Map<String, Value>) -> Result<&'a Map<String, Value>, Error> {
        let paths = root
            .get("paths")
            .ok_or_else(|| self.invalid("", "the required `paths` field is missing"))?;
        let paths = paths
            .as_object()
            .ok_or_else(|| self.invalid("/paths", "`paths` must be a map of path items"))?;
        for (path, item) in paths {
            let pointer = format!("/paths/{}", escape(path));
            let item = item
                .as_object()
                .ok_or_else(|| self.invalid(&pointer, "a path item must be a map"))?;
            for method in METHODS {
                if item
                    .get(method)
                    .is_some_and(|operation| !operation.is_object())
                {
                    let pointer = format!("{pointer}/{method}");
                    return Err(self.invalid(&pointer, "an operation must be a map"));
                }
            }
        }
        Ok(paths)
    }

    /// Checks every `$ref` below `node`, whose JSON pointer is `pointer`.
    fn references(&self, node: &Value, pointer: &mut String) -> Result<(), Error> {
        match node {
            Value::Object(members) => {
                if let Some(Value::String(reference)) = members.get("$ref") {
                    self.reference(reference, &format!("{pointer}/$ref"))?;
                }
                for (key, child) in members {
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape(key));
                    self.references(child, pointer)?;
                    pointer.truncate(length);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter().enumerate() {
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    self.references(child, pointer)?;
                    pointer.truncate(length);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reference(&self, reference: &str, pointer: &str) -> Result<(), Error> {
        let Some(target) = reference.strip_prefix('#') else {
            return Err(Error::ExternalRef {
                path: self.document.path.clone(),
                location: self.locate(pointer),
                reference: reference.to_owned(),
            });
        };
        // The fragment of a URI reference may be percent-encoded (RFC 6901, section 6).
        let resolves = self.document.value.pointer(target).is_some()
            || percent_decode(target)
                .is_some_and(|decoded| self.document.value.pointer(&decoded).is_some());
        if resolves {
            Ok(())
        } else {
            Err(Error::DanglingRef {
                path: self.document.path.clone(),
                location: self.locate(pointer),
                reference: reference.to_owned(),
            })
        }
    }

    /// Checks operationIds and returns the number of operations.
    ///
    /// NOTE: operations of a path item given as a `$ref` are neither checked nor counted. The
    /// reference itself is checked by [`Checker::references`].
    fn operation_ids(&self, paths: &Map<String, Value>) -> Result<usize, Error> {
        let mut seen: HashMap<&str, String> = HashMap::new();
        let mut count = 0;
        for (path, item) in paths {
            for method in METHODS {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                count += 1;
                let pointer = format!("/paths/{}/{method}", escape(path));
                let id = operation
                    .get("operationId")
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty());
                let Some(id) = id else {
                    return Err(Error::MissingOperationId {
                        path: self.document.path.clone(),
                        location: self.locate(&pointer),
                    });
                };
                let id_pointer = format!("{pointer}/operationId");
                if let Some(first) = seen.get(id) {
                    return Err(Error::DuplicateOperationId {
                        path: self.document.path.clone(),
                        operation_id: id.to_owned(),
                        first: Box::new(self.locate(first)),
                        second: Box::new(self.locate(&id_pointer)),
                    });
                }
                seen.insert(id, id_pointer);
            }
        }
        Ok(count)
    }

    fn invalid(&self, pointer: &str, message: &str) -> Error {
        Error::Invalid {
            path: self.document.path.clone(),
            location: self.locate(pointer),
            message: message.to_owned(),
        }
    }

    /// Builds the location of `pointer`, with its line and column for YAML documents.
    fn locate(&self, pointer: &str) -> Location {
        let mut location = Location::pointer(pointer);
        if self.document.format == Format::Yaml {
            let text = String::from_utf8_lossy(self.document.bytes());
            if let Some((line, column)) = locate::locate(&text, pointer) {
                location.line = Some(line);
                location.column = Some(column);
            }
        }
        location
    }
}

/// Escapes a map key as one JSON pointer segment.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Decodes `%XX` escapes, returning `None` when there are none or they are malformed.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3)?;
            decoded.push(u8::from_str_radix(hex, 16).ok()?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).ok()
}
