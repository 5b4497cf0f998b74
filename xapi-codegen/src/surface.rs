//! The generated API surface: one entry per client method, read back from the generated code
//! rather than from the document, so that it shows what users actually get.

use std::collections::BTreeMap;
use std::fmt;

use quote::ToTokens;
use serde_json::Value;
use syn::visit::Visit;

/// One generated client method.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SurfaceEntry {
    /// The operation's `operationId` in the document, found by the method and path the generated
    /// code requests.
    pub operation_id: String,
    /// HTTP method, uppercase.
    pub method: String,
    /// Path template with the Rust argument names in braces.
    pub path: String,
    /// Name of the generated Rust method.
    pub rust_method: String,
    /// Rust arguments after `&self`, as `name: Type`.
    pub arguments: Vec<String>,
    /// Type inside `ResponseValue<…>` on success.
    pub success_type: String,
    /// Names of the OData system query options the operation takes (from the catalog).
    pub query_options: Vec<String>,
}

impl fmt::Display for SurfaceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}({}) -> {}",
            self.operation_id,
            self.method,
            self.path,
            self.rust_method,
            self.arguments.join(", "),
            self.success_type
        )?;
        if !self.query_options.is_empty() {
            write!(f, " [query: {}]", self.query_options.join(" "))?;
        }
        Ok(())
    }
}

/// Reads every method of the generated `impl Client` blocks, sorted by operationId.
///
/// `normalized` is consulted only for the query options each operation takes, which progenitor
/// never receives because the pipeline removes them before generation.
pub fn read(file: &syn::File, normalized: &Value) -> Vec<SurfaceEntry> {
    let mut entries = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || block.self_ty.to_token_stream().to_string() != "Client" {
            continue;
        }
        for member in &block.items {
            if let syn::ImplItem::Fn(function) = member {
                if let Some(entry) = read_method(function) {
                    entries.push(entry);
                }
            }
        }
    }

    // progenitor's `OperationInfo` carries the snake-case method name, so the document's
    // operationId is found by method and path template, which identify an operation.
    let documented = documented_operations(normalized);
    for entry in &mut entries {
        let key = (entry.method.clone(), path_shape(&entry.path));
        if let Some((id, options)) = documented.get(&key) {
            entry.operation_id = id.clone();
            entry.query_options = options.clone();
        }
    }
    entries.sort_by(|a, b| a.operation_id.cmp(&b.operation_id));
    entries
}

type OperationKey = (String, String);

fn documented_operations(normalized: &Value) -> BTreeMap<OperationKey, (String, Vec<String>)> {
    crate::document::operations(normalized)
        .into_iter()
        .map(|(path, method, operation)| {
            let id = operation
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let options = operation
                .get(crate::passes::QUERY_OPTIONS_EXTENSION)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let key = (method.to_ascii_uppercase(), path_shape(path));
            (key, (id, options))
        })
        .collect()
}

/// Replaces every `{name}` in a path template with `{}`.
fn path_shape(path: &str) -> String {
    let mut shape = String::with_capacity(path.len());
    let mut in_braces = false;
    for character in path.chars() {
        match character {
            '{' => {
                in_braces = true;
                shape.push_str("{}");
            }
            '}' => in_braces = false,
            _ if in_braces => {}
            _ => shape.push(character),
        }
    }
    shape
}

fn read_method(function: &syn::ImplItemFn) -> Option<SurfaceEntry> {
    let mut body = BodyFacts::default();
    body.visit_block(&function.block);

    let arguments = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            syn::FnArg::Typed(typed) => Some(format!(
                "{}: {}",
                typed.pat.to_token_stream(),
                compact(&typed.ty.to_token_stream().to_string())
            )),
            syn::FnArg::Receiver(_) => None,
        })
        .collect();

    Some(SurfaceEntry {
        operation_id: body.operation_id?,
        method: body.method?,
        path: body.path?,
        rust_method: function.sig.ident.to_string(),
        arguments,
        success_type: success_type(&function.sig.output),
        query_options: Vec::new(),
    })
}

/// Extracts `T` from `Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> String {
    let text = match output {
        syn::ReturnType::Type(_, ty) => compact(&ty.to_token_stream().to_string()),
        syn::ReturnType::Default => return "()".to_owned(),
    };
    let Some(start) = text.find("ResponseValue<") else {
        return text;
    };
    let inner = &text[start + "ResponseValue<".len()..];
    let mut depth = 0usize;
    for (index, character) in inner.char_indices() {
        match character {
            '<' => depth += 1,
            '>' if depth == 0 => return inner[..index].to_owned(),
            '>' => depth -= 1,
            _ => {}
        }
    }
    text
}

/// Removes the spaces that token printing puts around punctuation, keeping those between two
/// words (`&'a types::X`, `dyn Trait`).
fn compact(tokens: &str) -> String {
    let is_word =
        |character: char| character.is_alphanumeric() || character == '_' || character == '\'';
    let characters: Vec<char> = tokens.chars().collect();
    let mut out = String::with_capacity(tokens.len());
    for (index, &character) in characters.iter().enumerate() {
        if character == ' ' {
            let before = out.chars().last();
            let after = characters.get(index + 1).copied();
            let between_words = before.is_some_and(is_word) && after.is_some_and(is_word);
            if !between_words {
                continue;
            }
        }
        out.push(character);
    }
    out
}

#[derive(Default)]
struct BodyFacts {
    operation_id: Option<String>,
    method: Option<String>,
    path: Option<String>,
}

impl<'ast> Visit<'ast> for BodyFacts {
    fn visit_expr_struct(&mut self, node: &'ast syn::ExprStruct) {
        let is_info = node
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "OperationInfo");
        if is_info {
            for field in &node.fields {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(id),
                    ..
                }) = &field.expr
                {
                    self.operation_id = Some(id.value());
                }
            }
        }
        syn::visit::visit_expr_struct(self, node);
    }

    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        let name = node.method.to_string();
        let receiver = node.receiver.to_token_stream().to_string();
        let is_http =
            ["get", "put", "post", "delete", "patch", "head", "options"].contains(&name.as_str());
        if is_http && receiver.ends_with("client") && self.method.is_none() {
            self.method = Some(name.to_ascii_uppercase());
        }
        syn::visit::visit_expr_method_call(self, node);
    }

    fn visit_macro(&mut self, node: &'ast syn::Macro) {
        if node.path.is_ident("format") && self.path.is_none() {
            self.path = read_url_template(node);
        }
        syn::visit::visit_macro(self, node);
    }
}

/// Turns `format!("{}/Users({})", self.baseurl, encode_path(&id.to_string()))` into
/// `/Users({id})`.
fn read_url_template(node: &syn::Macro) -> Option<String> {
    use syn::punctuated::Punctuated;

    let arguments = node
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .ok()?;
    let mut arguments = arguments.into_iter();
    let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Str(template),
        ..
    }) = arguments.next()?
    else {
        return None;
    };
    let template = template.value();
    if !template.starts_with("{}") {
        return None;
    }
    let _base_url = arguments.next()?;

    let mut names = arguments.map(|argument| {
        let mut finder = IdentFinder::default();
        finder.visit_expr(&argument);
        finder.first.unwrap_or_else(|| "?".to_owned())
    });
    let mut path = String::new();
    let mut pieces = template["{}".len()..].split("{}").peekable();
    while let Some(piece) = pieces.next() {
        path.push_str(piece);
        if pieces.peek().is_some() {
            path.push('{');
            path.push_str(&names.next().unwrap_or_else(|| "?".to_owned()));
            path.push('}');
        }
    }
    Some(path)
}

/// Finds the first plain identifier used as a method receiver, `id` in `encode_path(&id.to_string())`.
#[derive(Default)]
struct IdentFinder {
    first: Option<String>,
}

impl<'ast> Visit<'ast> for IdentFinder {
    fn visit_expr_method_call(&mut self, node: &'ast syn::ExprMethodCall) {
        if let syn::Expr::Path(path) = &*node.receiver {
            if self.first.is_none() {
                self.first = path.path.get_ident().map(ToString::to_string);
            }
        }
        syn::visit::visit_expr_method_call(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_word_spaces() {
        assert_eq!(compact("& 'a types :: PbxUser"), "&'a types::PbxUser");
        assert_eq!(
            compact("Result < ResponseValue < :: std :: option :: Option < types :: X > > , E >"),
            "Result<ResponseValue<::std::option::Option<types::X>>,E>"
        );
    }

    #[test]
    fn method_is_read_from_code() {
        let file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn get_user<'a>(
                    &'a self,
                    id: i32,
                ) -> Result<ResponseValue<types::PbxUser>, Error<types::PbxODataErrorsODataError>> {
                    let url = format!("{}/Users({})", self.baseurl, encode_path(&id.to_string()),);
                    let request = self.client.get(url).build()?;
                    let info = OperationInfo { operation_id: "get_user" };
                    todo!()
                }
            }
        };
        let doc = serde_json::json!({ "paths": { "/Users({Id})": { "get": {
            "operationId": "GetUser", "x-xapi-query-options": ["$select"]
        }}}});
        let entries = read(&file, &doc);
        assert_eq!(entries.len(), 1);
        assert_eq!(
            entries[0].to_string(),
            "GetUser GET /Users({id}) get_user(id: i32) -> types::PbxUser [query: $select]"
        );
    }
}
