//! Public methods that return the client crate's own error type.
//!
//! progenitor's methods return `progenitor_client::Error<E>`, which does not say which
//! operation failed. Each generated method is renamed `raw_<name>` and made crate-private; a
//! public method with the original name and documentation calls it and converts its error with
//! the operation's `operationId` attached.

use quote::{format_ident, quote, ToTokens};

use crate::syntax::generic_argument;
use crate::{Error, SurfaceEntry};

/// Wraps every method of the inherent `impl Client` blocks.
pub(crate) fn wrap_methods(
    file: &mut syn::File,
    surface: &[SurfaceEntry],
    error_module: &str,
) -> Result<(), Error> {
    let module: syn::Path =
        syn::parse_str(error_module).map_err(|error| Error::Syntax(error.to_string()))?;

    for item in &mut file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        if block.trait_.is_some() || block.self_ty.to_token_stream().to_string() != "Client" {
            continue;
        }
        let mut wrappers = Vec::new();
        for member in &mut block.items {
            let syn::ImplItem::Fn(function) = member else {
                continue;
            };
            let name = function.sig.ident.to_string();
            let Some(entry) = surface.iter().find(|entry| entry.rust_method == name) else {
                continue;
            };
            wrappers.push(wrapper(function, &entry.operation_id, &module)?);

            function.sig.ident = format_ident!("raw_{}", name);
            function.vis = syn::parse_quote! { pub(crate) };
            function
                .attrs
                .retain(|attribute| !attribute.path().is_ident("doc"));
        }
        block.items.extend(wrappers);
    }
    Ok(())
}

/// Builds the public method that calls `raw_<name>` and converts its error.
fn wrapper(
    function: &syn::ImplItemFn,
    operation_id: &str,
    module: &syn::Path,
) -> Result<syn::ImplItem, Error> {
    let mut signature = function.sig.clone();
    let success = success_type(&signature.output).ok_or_else(|| Error::Unsupported {
        operation_id: operation_id.to_owned(),
        reason: "the generated method does not return Result<ResponseValue<T>, Error<E>>"
            .to_owned(),
    })?;
    signature.output = syn::parse_quote! { -> Result<ResponseValue<#success>, #module::Error> };

    let raw = format_ident!("raw_{}", function.sig.ident);
    let arguments = function.sig.inputs.iter().filter_map(|input| match input {
        syn::FnArg::Typed(typed) => Some(typed.pat.clone()),
        syn::FnArg::Receiver(_) => None,
    });
    let docs = function
        .attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("doc"));
    let tokens = quote! {
        #(#docs)*
        pub #signature {
            #module::from_generated(self.#raw(#(#arguments),*).await, #operation_id).await
        }
    };
    syn::parse2(tokens).map_err(|error| Error::Syntax(error.to_string()))
}

/// Returns `T` from `-> Result<ResponseValue<T>, Error<E>>`.
fn success_type(output: &syn::ReturnType) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let response = generic_argument(ty, "Result")?;
    generic_argument(response, "ResponseValue").cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_gets_wrapper() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                ///Get a user
                pub async fn get_user<'a>(
                    &'a self,
                    id: i32,
                ) -> Result<ResponseValue<types::PbxUser>, Error<types::PbxODataErrorsODataError>> {
                    todo!()
                }
            }
        };
        let surface = vec![SurfaceEntry {
            operation_id: "GetUser".to_owned(),
            method: "GET".to_owned(),
            path: "/Users({id})".to_owned(),
            rust_method: "get_user".to_owned(),
            arguments: vec!["id: i32".to_owned()],
            success_type: "types::PbxUser".to_owned(),
            query_options: Vec::new(),
        }];
        wrap_methods(&mut file, &surface, "crate::error").unwrap();
        let text = file.to_token_stream().to_string();
        assert!(text.contains("pub (crate) async fn raw_get_user"), "{text}");
        assert!(text.contains(
            "pub async fn get_user < 'a > (& 'a self , id : i32 ,) -> Result < ResponseValue < types :: PbxUser > , crate :: error :: Error >"
        ), "{text}");
        assert!(text.contains(
            "crate :: error :: from_generated (self . raw_get_user (id) . await , \"GetUser\") . await"
        ), "{text}");
    }
}
