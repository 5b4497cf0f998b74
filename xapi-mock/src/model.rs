//! The operations, path templates and entity sets read from the document.
//!
//! Everything here is derived from the document's shape, never from names. An entity set
//! is a one-segment path whose GET returns an OData collection, or which has a
//! `/<Set>({key})` path. A singleton is a one-segment path whose GET returns an object.
//! Every other operation gets a response generated from its declared response schema.

use std::collections::BTreeMap;

use hyper::Method;
use serde_json::Value;

use crate::schema::{Schemas, TypeRef};

/// Arguments part of a template segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateArgs {
    /// No parentheses: `/Users`.
    None,
    /// Empty parentheses of a function without parameters: `/Pbx.GetFoo()`.
    Empty,
    /// A single key parameter: `/Users({Id})`.
    Key(String),
    /// Named arguments, `(argument name, parameter name)`: `/F(a={a},b={b})`.
    Named(Vec<(String, String)>),
    /// Parenthesised text in an unrecognised form, matched verbatim.
    Verbatim(String),
}

#[derive(Debug, Clone)]
pub(crate) struct TemplateSegment {
    pub name: String,
    pub args: TemplateArgs,
}

/// A path template of the document with the operations declared on it.
#[derive(Debug)]
pub(crate) struct Template {
    pub text: String,
    pub segments: Vec<TemplateSegment>,
    /// Indices into [`Model::operations`].
    pub operations: Vec<usize>,
}

/// Payload form of a successful response.
#[derive(Debug, Clone)]
pub(crate) enum ResponseKind {
    /// No content (typically 204).
    Empty,
    /// A JSON document of this schema.
    Json(TypeRef),
    /// An OData collection `{"value": [...]}` of this item type.
    Collection(TypeRef),
    /// Bytes sent as an attachment: an opaque action result or a non-JSON content type.
    File { content_type: String },
}

/// Behaviour of the mock for an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OperationKind {
    List(String),
    Create(String),
    Read(String),
    Update(String),
    Delete(String),
    ReadByAlternateKey {
        set: String,
        property: String,
    },
    SingletonRead(String),
    SingletonUpdate(String),
    /// Any other function, action or navigation path; the response is generated from its
    /// schema.
    Other,
}

#[derive(Debug)]
pub(crate) struct Operation {
    /// The `operationId`, or `METHOD path` when the document gives none.
    pub id: String,
    pub method: Method,
    pub template: usize,
    /// Path parameters by name.
    pub params: BTreeMap<String, TypeRef>,
    /// Request body schema, if the operation declares one.
    pub body: Option<TypeRef>,
    /// Whether the document marks the request body as required.
    pub body_required: bool,
    pub success_status: u16,
    pub response: ResponseKind,
    pub kind: OperationKind,
}

/// An entity set: a collection addressable by key.
#[derive(Debug, Clone)]
pub(crate) struct EntitySet {
    pub item: TypeRef,
    /// Key property and its type, when a `/<Set>({key})` path exists.
    pub key: Option<(String, TypeRef)>,
}

/// The compiled document.
#[derive(Debug)]
pub(crate) struct Model {
    pub schemas: Schemas,
    pub templates: Vec<Template>,
    pub operations: Vec<Operation>,
    pub sets: BTreeMap<String, EntitySet>,
}

const METHODS: [(&str, Method); 5] = [
    ("get", Method::GET),
    ("post", Method::POST),
    ("patch", Method::PATCH),
    ("put", Method::PUT),
    ("delete", Method::DELETE),
];

impl Model {
    /// Compiles the document. Fails only when it has no `paths` object.
    pub fn compile(doc: &Value) -> Result<Model, String> {
        let paths = doc
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| "the document has no 'paths' object".to_owned())?;
        let mut schemas = Schemas::compile(doc);
        let mut templates = Vec::new();
        let mut operations = Vec::new();

        for (text, item) in paths {
            let template_index = templates.len();
            let mut template = Template {
                text: text.clone(),
                segments: parse_template(text),
                operations: Vec::new(),
            };
            for (method_name, method) in METHODS {
                let Some(op) = item.get(method_name) else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("{} {text}", method.as_str()));
                let params = path_params(doc, &mut schemas, item, op);
                let body = request_body(doc, &mut schemas, op);
                let body_required = op
                    .get("requestBody")
                    .map(|b| deref(doc, b))
                    .and_then(|b| b.get("required"))
                    .and_then(Value::as_bool)
                    == Some(true);
                let (success_status, response) = success_response(doc, &mut schemas, op);
                template.operations.push(operations.len());
                operations.push(Operation {
                    id,
                    method,
                    template: template_index,
                    params,
                    body,
                    body_required,
                    success_status,
                    response,
                    kind: OperationKind::Other,
                });
            }
            templates.push(template);
        }

        let sets = find_entity_sets(&schemas, &templates, &operations);
        for op in &mut operations {
            op.kind = classify(&templates[op.template], op, &sets);
        }
        Ok(Model {
            schemas,
            templates,
            operations,
            sets,
        })
    }

    /// Returns the template of an operation.
    pub fn template_of(&self, op: &Operation) -> &Template {
        &self.templates[op.template]
    }
}

/// Parses `/A/B({Id})/Pbx.F(x={x})` into segments.
fn parse_template(text: &str) -> Vec<TemplateSegment> {
    let trimmed = text.strip_prefix('/').unwrap_or(text);
    trimmed
        .split('/')
        .map(|segment| {
            let Some((name, rest)) = segment.split_once('(') else {
                return TemplateSegment {
                    name: segment.to_owned(),
                    args: TemplateArgs::None,
                };
            };
            let inner = rest.strip_suffix(')').unwrap_or(rest);
            TemplateSegment {
                name: name.to_owned(),
                args: parse_template_args(inner),
            }
        })
        .collect()
}

fn parse_template_args(inner: &str) -> TemplateArgs {
    if inner.is_empty() {
        return TemplateArgs::Empty;
    }
    let placeholder = |text: &str| {
        text.strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .filter(|name| !name.is_empty() && !name.contains(['{', '}']))
            .map(str::to_owned)
    };
    if let Some(param) = placeholder(inner) {
        return TemplateArgs::Key(param);
    }
    let mut named = Vec::new();
    for item in inner.split(',') {
        let Some((arg, value)) = item.split_once('=') else {
            return TemplateArgs::Verbatim(inner.to_owned());
        };
        match placeholder(value) {
            Some(param) => named.push((arg.to_owned(), param)),
            None => return TemplateArgs::Verbatim(inner.to_owned()),
        }
    }
    TemplateArgs::Named(named)
}

/// Follows a `$ref` into `#/components/<kind>/<name>`; other values pass through.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let mut current = value;
    for _ in 0..8 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match reference.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            Some(target) => current = target,
            None => break,
        }
    }
    current
}

fn path_params(
    doc: &Value,
    schemas: &mut Schemas,
    item: &Value,
    op: &Value,
) -> BTreeMap<String, TypeRef> {
    let mut params = BTreeMap::new();
    let declared = [item.get("parameters"), op.get("parameters")];
    for list in declared.into_iter().flatten().filter_map(Value::as_array) {
        for param in list {
            let param = deref(doc, param);
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            let ty = match param.get("schema") {
                Some(schema) => schemas.compile_inline(doc, schema),
                None => schemas.any(),
            };
            params.insert(name.to_owned(), ty);
        }
    }
    params
}

fn json_schema_of<'a>(doc: &'a Value, content: &'a Value) -> Option<(&'a str, &'a Value)> {
    let map = content.as_object()?;
    let (media_type, entry) = map
        .iter()
        .find(|(media_type, _)| is_json(media_type))
        .or_else(|| map.iter().next())?;
    Some((media_type.as_str(), deref(doc, entry.get("schema")?)))
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

fn request_body(doc: &Value, schemas: &mut Schemas, op: &Value) -> Option<TypeRef> {
    let body = deref(doc, op.get("requestBody")?);
    let (media_type, schema) = json_schema_of(doc, body.get("content")?)?;
    if !is_json(media_type) {
        return None;
    }
    Some(schemas.compile_inline(doc, schema))
}

fn success_response(doc: &Value, schemas: &mut Schemas, op: &Value) -> (u16, ResponseKind) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return (204, ResponseKind::Empty);
    };
    let success = responses
        .iter()
        .filter_map(|(code, response)| Some((code.parse::<u16>().ok()?, response)))
        .filter(|(code, _)| (200..300).contains(code))
        .min_by_key(|(code, _)| *code);
    let Some((status, response)) = success else {
        return (204, ResponseKind::Empty);
    };
    let response = deref(doc, response);
    let Some(content) = response
        .get("content")
        .filter(|c| c.as_object().is_some_and(|map| !map.is_empty()))
    else {
        return (status, ResponseKind::Empty);
    };
    let Some((media_type, schema)) = json_schema_of(doc, content) else {
        return (status, ResponseKind::Empty);
    };
    if !is_json(media_type) {
        return (
            status,
            ResponseKind::File {
                content_type: media_type.to_owned(),
            },
        );
    }
    let ty = schemas.compile_inline(doc, schema);
    let kind = if let Some(item) = schemas.collection_item(ty) {
        ResponseKind::Collection(item)
    } else if schemas.is_opaque_object(ty) {
        ResponseKind::File {
            content_type: "application/octet-stream".to_owned(),
        }
    } else {
        ResponseKind::Json(ty)
    };
    (status, kind)
}

fn find_entity_sets(
    schemas: &Schemas,
    templates: &[Template],
    operations: &[Operation],
) -> BTreeMap<String, EntitySet> {
    let mut sets: BTreeMap<String, EntitySet> = BTreeMap::new();
    let ops_of = |template: &Template| {
        template
            .operations
            .iter()
            .map(|&i| &operations[i])
            .collect::<Vec<_>>()
    };

    // A one-segment path whose GET returns a collection is an entity set.
    for template in templates {
        let [segment] = template.segments.as_slice() else {
            continue;
        };
        if segment.args != TemplateArgs::None {
            continue;
        }
        for op in ops_of(template) {
            if let (&Method::GET, ResponseKind::Collection(item)) = (&op.method, &op.response) {
                sets.insert(
                    segment.name.clone(),
                    EntitySet {
                        item: *item,
                        key: None,
                    },
                );
            }
        }
    }

    // `/<Set>({key})` names the key and may introduce a set without a collection GET.
    for template in templates {
        let [segment] = template.segments.as_slice() else {
            continue;
        };
        let TemplateArgs::Key(param) = &segment.args else {
            continue;
        };
        let ops = ops_of(template);
        let Some(key_ty) = ops.iter().find_map(|op| op.params.get(param).copied()) else {
            continue;
        };
        let item_from_ops = ops.iter().find_map(|op| match (&op.method, &op.response) {
            (&Method::GET, ResponseKind::Json(ty)) => Some(*ty),
            (&Method::PATCH, _) => op.body,
            _ => None,
        });
        let set = sets
            .entry(segment.name.clone())
            .or_insert_with(|| EntitySet {
                item: item_from_ops.unwrap_or_else(|| schemas.any()),
                key: None,
            });
        set.key = Some((param.clone(), key_ty));
    }
    sets
}

fn classify(
    template: &Template,
    op: &Operation,
    sets: &BTreeMap<String, EntitySet>,
) -> OperationKind {
    let [segment] = template.segments.as_slice() else {
        return OperationKind::Other;
    };
    let name = segment.name.clone();
    let is_set = sets.contains_key(&name);
    let keyed = sets.get(&name).is_some_and(|set| set.key.is_some());
    match (&segment.args, &op.method, &op.response) {
        (TemplateArgs::None, &Method::GET, ResponseKind::Collection(_)) if is_set => {
            OperationKind::List(name)
        }
        (TemplateArgs::None, &Method::GET, ResponseKind::Json(_)) if !is_set => {
            OperationKind::SingletonRead(name)
        }
        (TemplateArgs::None, &Method::PATCH, _) if !is_set => OperationKind::SingletonUpdate(name),
        (TemplateArgs::None, &Method::POST, ResponseKind::Json(_) | ResponseKind::Empty)
            if is_set =>
        {
            OperationKind::Create(name)
        }
        (TemplateArgs::Key(_), &Method::GET, ResponseKind::Json(_)) if keyed => {
            OperationKind::Read(name)
        }
        (TemplateArgs::Key(_), &Method::PATCH | &Method::PUT, _) if keyed => {
            OperationKind::Update(name)
        }
        (TemplateArgs::Key(_), &Method::DELETE, _) if keyed => OperationKind::Delete(name),
        (TemplateArgs::Named(args), &Method::GET, ResponseKind::Json(_))
            if is_set && args.len() == 1 =>
        {
            OperationKind::ReadByAlternateKey {
                set: name,
                property: args[0].0.clone(),
            }
        }
        _ => OperationKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_forms() {
        let segments = parse_template("/A({Id})/Pbx.F(a={a},b={b})/Pbx.G()");
        assert_eq!(segments[0].args, TemplateArgs::Key("Id".into()));
        assert_eq!(
            segments[1].args,
            TemplateArgs::Named(vec![("a".into(), "a".into()), ("b".into(), "b".into())])
        );
        assert_eq!(segments[2].args, TemplateArgs::Empty);
        assert_eq!(parse_template("/A")[0].args, TemplateArgs::None);
    }
}
