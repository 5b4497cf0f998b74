//! The dynamic call table: one function per generated method that reads its arguments from a
//! name → JSON map, calls the typed method and returns a reply that is not typed.
//!
//! It lets a command line, a conformance test or a compatibility test call any operation by
//! its operationId. The items are emitted under `#[cfg(feature = "dynamic")]`, so library users
//! who call typed methods do not compile them.

use quote::{format_ident, quote, ToTokens};
use serde_json::Value;

use crate::syntax::generic_argument;
use crate::{document, Error, SurfaceEntry};

/// How a generated method's argument is produced from the owned value read from the map.
enum Passing {
    /// `T` by value.
    Value,
    /// `&'a T`: the owned value is borrowed.
    Reference,
    /// `Option<&'a str>`: an `Option<String>` is passed with `as_deref`.
    OptionalStr,
    /// `Option<&'a T>`: an `Option<T>` is passed with `as_ref`.
    OptionalReference,
}

/// Builds the dispatch functions and the `DISPATCH` table.
pub(crate) fn items(
    file: &syn::File,
    surface: &[SurfaceEntry],
    normalized: &Value,
    module: &str,
) -> Result<Vec<syn::Item>, Error> {
    let module: syn::Path =
        syn::parse_str(module).map_err(|error| Error::Syntax(error.to_string()))?;
    let mut functions = Vec::new();
    let mut rows = Vec::new();

    for function in client_methods(file) {
        let rust_method = function.sig.ident.to_string();
        let Some(entry) = surface
            .iter()
            .find(|entry| entry.rust_method == rust_method)
        else {
            continue;
        };
        let documented = documented_parameters(normalized, &entry.operation_id);
        let call_name = format_ident!("call_{}", rust_method);
        let method_ident = &function.sig.ident;

        let mut reads = Vec::new();
        let mut passes = Vec::new();
        for input in &function.sig.inputs {
            let syn::FnArg::Typed(typed) = input else {
                continue;
            };
            let rust_name = typed.pat.to_token_stream().to_string();
            let ident = format_ident!("{}", rust_name);
            let (owned, passing) = owned_type(&typed.ty);
            let read = if rust_name == "body" {
                quote! { let #ident: #owned = #module::body(args)?; }
            } else {
                let name = documented
                    .iter()
                    .find(|name| same_name(name, &rust_name))
                    .ok_or_else(|| Error::Unsupported {
                        operation_id: entry.operation_id.clone(),
                        reason: format!("argument `{rust_name}` matches no documented parameter"),
                    })?;
                quote! { let #ident: #owned = #module::argument(args, #name)?; }
            };
            reads.push(read);
            passes.push(match passing {
                Passing::Value => quote! { #ident },
                Passing::Reference => quote! { &#ident },
                Passing::OptionalStr => quote! { #ident.as_deref() },
                Passing::OptionalReference => quote! { #ident.as_ref() },
            });
        }

        let reply = match entry.success_type.as_str() {
            "ByteStream" => quote! { #module::file_reply },
            "()" => quote! { #module::empty_reply },
            _ => quote! { #module::json_reply },
        };
        functions.push(quote! {
            fn #call_name<'a>(
                client: &'a Client,
                args: &'a #module::Arguments,
            ) -> #module::CallFuture<'a> {
                ::std::boxed::Box::pin(async move {
                    #(#reads)*
                    #reply(client.#method_ident(#(#passes),*).await).await
                })
            }
        });
        rows.push(rust_method);
    }
    rows.sort();
    let rows = rows.into_iter().map(|rust_method| {
        let call_name = format_ident!("call_{}", rust_method);
        quote! { (#rust_method, #call_name as #module::CallFn) }
    });

    let tokens = quote! {
        /// Dynamic callers of every generated method, sorted by method name.
        #[cfg(feature = "dynamic")]
        #[allow(clippy::all, unused_variables)]
        pub mod dispatch {
            use super::*;

            /// `(generated method name, caller)` pairs, sorted by method name.
            pub static DISPATCH: &[(&str, #module::CallFn)] = &[#(#rows),*];

            #(#functions)*
        }
    };
    let file: syn::File = syn::parse2(tokens).map_err(|error| Error::Syntax(error.to_string()))?;
    Ok(file.items)
}

/// Lists the methods of the inherent `impl Client` blocks.
fn client_methods(file: &syn::File) -> Vec<&syn::ImplItemFn> {
    let mut methods = Vec::new();
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || block.self_ty.to_token_stream().to_string() != "Client" {
            continue;
        }
        for member in &block.items {
            if let syn::ImplItem::Fn(function) = member {
                methods.push(function);
            }
        }
    }
    methods
}

/// Names of the operation's parameters in the document.
fn documented_parameters(normalized: &Value, operation_id: &str) -> Vec<String> {
    let paths = normalized.get("paths").cloned().unwrap_or(Value::Null);
    for (path, _, operation) in document::operations(normalized) {
        if operation.get("operationId").and_then(Value::as_str) != Some(operation_id) {
            continue;
        }
        return document::parameters(normalized, &paths[path], operation)
            .into_iter()
            .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
            .map(str::to_owned)
            .collect();
    }
    Vec::new()
}

/// Compares a document name (`If-Match`, `startDate`) with progenitor's snake-case argument
/// name (`if_match`, `start_date`), ignoring case and punctuation.
fn same_name(documented: &str, rust_name: &str) -> bool {
    let simplify = |name: &str| -> String {
        name.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|character| character.to_ascii_lowercase())
            .collect()
    };
    simplify(documented) == simplify(rust_name.trim_start_matches("r#"))
}

/// Returns the owned type to read for an argument type, and how to pass it.
fn owned_type(ty: &syn::Type) -> (syn::Type, Passing) {
    if let syn::Type::Reference(reference) = ty {
        return ((*reference.elem).clone(), Passing::Reference);
    }
    if let Some(syn::Type::Reference(reference)) = generic_argument(ty, "Option") {
        let elem = &*reference.elem;
        if elem.to_token_stream().to_string() == "str" {
            let owned: syn::Type =
                syn::parse_quote! { ::std::option::Option<::std::string::String> };
            return (owned, Passing::OptionalStr);
        }
        let owned: syn::Type = syn::parse_quote! { ::std::option::Option<#elem> };
        return (owned, Passing::OptionalReference);
    }
    (ty.clone(), Passing::Value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_cases() {
        assert!(same_name("If-Match", "if_match"));
        assert!(same_name("startDate", "start_date"));
        assert!(same_name("Id", "id"));
        assert!(!same_name("Id", "key"));
    }

    #[test]
    fn argument_types_are_owned() {
        let cases: [(syn::Type, &str); 4] = [
            (syn::parse_quote! { i32 }, "i32"),
            (
                syn::parse_quote! { &'a crate::literal::Text },
                "crate :: literal :: Text",
            ),
            (
                syn::parse_quote! { Option<&'a str> },
                ":: std :: option :: Option < :: std :: string :: String >",
            ),
            (
                syn::parse_quote! { Option<&'a types::X> },
                ":: std :: option :: Option < types :: X >",
            ),
        ];
        for (ty, expected) in cases {
            let (owned, _) = owned_type(&ty);
            assert_eq!(owned.to_token_stream().to_string(), expected);
        }
    }
}
