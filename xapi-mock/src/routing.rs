//! Matching request paths against the document's path templates.
//!
//! A path matches a template when every segment name is equal and every parenthesised
//! argument is a well-formed literal of its parameter's declared type, with exactly the
//! declared argument names. Anything else does not match, so a malformed key or function
//! argument gets 404, as on a PBX.

use std::collections::{BTreeMap, HashMap};

use hyper::Method;
use serde_json::Value;

use crate::literal::{parse_literal, split_args, split_path, PathSegment};
use crate::model::{Model, TemplateArgs, TemplateSegment};
use crate::schema::TypeRef;

/// Result of routing a request.
#[derive(Debug)]
pub(crate) enum Route {
    /// The operation and its path arguments by parameter name.
    Found {
        operation: usize,
        args: BTreeMap<String, Value>,
    },
    /// The path matches, but no operation has this method.
    MethodNotAllowed {
        allow: Vec<Method>,
    },
    NotFound,
}

/// Routes requests; built once per document.
pub(crate) struct Router {
    /// Template indices by segment count and first segment name.
    index: HashMap<(usize, String), Vec<usize>>,
    /// Parameter types of each template, merged over its operations.
    params: Vec<BTreeMap<String, TypeRef>>,
}

impl Router {
    pub fn new(model: &Model) -> Router {
        let mut index: HashMap<(usize, String), Vec<usize>> = HashMap::new();
        let mut params = Vec::with_capacity(model.templates.len());
        for (position, template) in model.templates.iter().enumerate() {
            let first = template
                .segments
                .first()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            index
                .entry((template.segments.len(), first))
                .or_default()
                .push(position);
            let mut merged = BTreeMap::new();
            for &op in &template.operations {
                for (name, ty) in &model.operations[op].params {
                    merged.entry(name.clone()).or_insert(*ty);
                }
            }
            params.push(merged);
        }
        Router { index, params }
    }

    /// Routes a decoded path below the service root.
    pub fn route(&self, model: &Model, method: &Method, path: &str) -> Route {
        let Some(segments) = split_path(path) else {
            return Route::NotFound;
        };
        let Some(first) = segments.first() else {
            return Route::NotFound;
        };
        let Some(candidates) = self.index.get(&(segments.len(), first.name.clone())) else {
            return Route::NotFound;
        };
        let mut allow = Vec::new();
        for &template_index in candidates {
            let template = &model.templates[template_index];
            let Some(args) = bind_segments(
                model,
                &self.params[template_index],
                &template.segments,
                &segments,
            ) else {
                continue;
            };
            for &op in &template.operations {
                let operation = &model.operations[op];
                if operation.method == *method {
                    return Route::Found {
                        operation: op,
                        args,
                    };
                }
                if !allow.contains(&operation.method) {
                    allow.push(operation.method.clone());
                }
            }
        }
        if allow.is_empty() {
            Route::NotFound
        } else {
            Route::MethodNotAllowed { allow }
        }
    }
}

fn bind_segments(
    model: &Model,
    params: &BTreeMap<String, TypeRef>,
    template: &[TemplateSegment],
    request: &[PathSegment],
) -> Option<BTreeMap<String, Value>> {
    let mut args = BTreeMap::new();
    for (expected, actual) in template.iter().zip(request) {
        if expected.name != actual.name {
            return None;
        }
        let param_type = |name: &str| params.get(name).copied().unwrap_or(model.schemas.any());
        match (&expected.args, actual.args.as_deref()) {
            (TemplateArgs::None, None) => {}
            (TemplateArgs::Empty, Some("")) => {}
            (TemplateArgs::Verbatim(text), Some(inner)) if text == inner => {}
            (TemplateArgs::Key(param), Some(inner)) => {
                let items = split_args(inner)?;
                let [(name, literal)] = items.as_slice() else {
                    return None;
                };
                if name.as_ref().is_some_and(|name| name != param) {
                    return None;
                }
                let value = parse_literal(&model.schemas, param_type(param), literal)?;
                args.insert(param.clone(), value);
            }
            (TemplateArgs::Named(declared), Some(inner)) => {
                let items = split_args(inner)?;
                if items.len() != declared.len() {
                    return None;
                }
                for (name, literal) in items {
                    let name = name?;
                    let (_, param) = declared.iter().find(|(arg, _)| *arg == name)?;
                    if args.contains_key(param) {
                        return None;
                    }
                    let value = parse_literal(&model.schemas, param_type(param), &literal)?;
                    args.insert(param.clone(), value);
                }
            }
            _ => return None,
        }
    }
    Some(args)
}
