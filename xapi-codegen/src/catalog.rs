//! The `OPERATIONS` table: facts about each operation that the client's hand-written layer
//! needs at run time (which OData query options it takes, whether it returns a file, its path
//! parameters and their literal kinds), emitted beside progenitor's output.

use quote::quote;
use serde_json::Value;

use crate::document;
use crate::passes::{FILE_RESPONSE_EXTENSION, LITERAL_EXTENSION, QUERY_OPTIONS_EXTENSION};
use crate::{Error, SurfaceEntry};

/// Builds the table's items from the normalized document, sorted by generated method name.
///
/// Each row carries the generated method's name, which is the `operation_id` progenitor passes
/// to client hooks, so the client can find the row from inside a hook.
pub(crate) fn items(
    normalized: &Value,
    surface: &[SurfaceEntry],
    module: &str,
) -> Result<Vec<syn::Item>, Error> {
    let module: syn::Path =
        syn::parse_str(module).map_err(|error| Error::Syntax(error.to_string()))?;
    let paths = normalized.get("paths").cloned().unwrap_or(Value::Null);

    let mut rows = Vec::new();
    for (path, method, operation) in document::operations(normalized) {
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let tag = operation
            .get("tags")
            .and_then(|tags| tags.get(0))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let method_upper = method.to_ascii_uppercase();
        let Some(rust_method) = surface
            .iter()
            .find(|entry| entry.operation_id == id)
            .map(|entry| entry.rust_method.as_str())
        else {
            return Err(Error::Unsupported {
                operation_id: id.to_owned(),
                reason: "progenitor generated no method for it".to_owned(),
            });
        };
        let query_options: Vec<&str> = operation
            .get(QUERY_OPTIONS_EXTENSION)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let file_response = operation
            .get(FILE_RESPONSE_EXTENSION)
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let has_body = operation.get("requestBody").is_some();

        let parameters = document::parameters(normalized, &paths[path], operation)
            .into_iter()
            .map(|parameter| {
                let name = parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let location = parameter
                    .get("in")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let required = parameter
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                let literal = parameter.get(LITERAL_EXTENSION);
                let kind = literal
                    .and_then(|literal| literal.get("kind"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let nullable = literal
                    .and_then(|literal| literal.get("nullable"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                quote! {
                    #module::Parameter {
                        name: #name,
                        location: #location,
                        literal: #kind,
                        nullable: #nullable,
                        required: #required,
                    }
                }
            });
        rows.push((
            rust_method.to_owned(),
            quote! {
                #module::Operation {
                    operation_id: #id,
                    rust_method: #rust_method,
                    method: #method_upper,
                    path: #path,
                    tag: #tag,
                    query_options: &[#(#query_options),*],
                    file_response: #file_response,
                    has_body: #has_body,
                    parameters: &[#(#parameters),*],
                }
            },
        ));
    }
    // Sorted by method name so that a hook can binary-search the table.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows = rows.into_iter().map(|(_, row)| row);

    let table = quote! {
        /// Facts about every generated operation, sorted by generated method name.
        pub static OPERATIONS: &[#module::Operation] = &[#(#rows),*];
    };
    let file: syn::File = syn::parse2(table).map_err(|error| Error::Syntax(error.to_string()))?;
    Ok(file.items)
}
