//! Three-state fields for PATCH bodies.
//!
//! [`crate::passes::add_patch_bodies`] gives each PATCH operation its own body schema; here
//! the struct typify generated for it gets fields of type `Patch<T>` (absent, null or a value)
//! in place of `Option<T>`, so that clearing a field on the PBX is possible.

use heck::ToPascalCase;
use quote::ToTokens;
use serde_json::Value;

use crate::passes::PATCH_SCHEMA_EXTENSION;
use crate::syntax::{generic_argument, serde_rename};
use crate::Error;

/// Rewrites the fields of every struct generated from a schema marked by the PATCH pass.
pub(crate) fn rewrite_patch_types(
    file: &mut syn::File,
    normalized: &Value,
    module: &str,
) -> Result<(), Error> {
    let module: syn::Path =
        syn::parse_str(module).map_err(|error| Error::Syntax(error.to_string()))?;
    let marked: Vec<String> = normalized
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get(PATCH_SCHEMA_EXTENSION).is_some())
        .map(|(name, _)| type_name(name))
        .collect();
    if marked.is_empty() {
        return Ok(());
    }

    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| Error::Syntax("progenitor emitted no `types` module".to_owned()))?;

    for name in &marked {
        let target = types.1.iter_mut().find_map(|item| match item {
            syn::Item::Struct(item) if item.ident == name => Some(item),
            _ => None,
        });
        let Some(target) = target else {
            return Err(Error::Unsupported {
                operation_id: name.clone(),
                reason: "the PATCH body type was not generated under the expected name".to_owned(),
            });
        };
        rewrite_fields(target, &module);
    }
    Ok(())
}

/// The Rust name typify gives a component schema: non-identifier characters become word
/// breaks and the result is in Pascal case (`Pbx.User.Patch` → `PbxUserPatch`).
fn type_name(schema_name: &str) -> String {
    let spaced: String = schema_name
        .replace('\'', "")
        .chars()
        .map(
            |character| match character.is_alphanumeric() || character == '_' {
                true => character,
                false => '-',
            },
        )
        .collect();
    spaced.to_pascal_case()
}

fn rewrite_fields(target: &mut syn::ItemStruct, module: &syn::Path) {
    let syn::Fields::Named(fields) = &mut target.fields else {
        return;
    };
    for field in &mut fields.named {
        let inner = generic_argument(&field.ty, "Option")
            .cloned()
            .unwrap_or_else(|| field.ty.clone());
        field.ty = syn::parse_quote! { #module::Patch<#inner> };

        let rename = serde_rename(&field.attrs);
        field
            .attrs
            .retain(|attribute| !attribute.path().is_ident("serde"));
        let skip = format!("{}::Patch::is_absent", module.to_token_stream()).replace(' ', "");
        let attribute: syn::Attribute = match rename {
            Some(rename) => syn::parse_quote! {
                #[serde(rename = #rename, default, skip_serializing_if = #skip)]
            },
            None => syn::parse_quote! {
                #[serde(default, skip_serializing_if = #skip)]
            },
        };
        field.attrs.push(attribute);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn type_names_follow_typify() {
        assert_eq!(type_name("Pbx.User.Patch"), "PbxUserPatch");
        assert_eq!(
            type_name("Pbx.ODataErrors.ODataError"),
            "PbxODataErrorsODataError"
        );
    }

    #[test]
    fn fields_become_patch_values() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct PbxUserPatch {
                    #[serde(rename = "Name", skip_serializing_if = "::std::option::Option::is_none")]
                    pub name: ::std::option::Option<::std::string::String>,
                    #[serde(rename = "Tags", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub tags: ::std::vec::Vec<::std::string::String>,
                }
            }
        };
        let doc = serde_json::json!({ "components": { "schemas": {
            "Pbx.User.Patch": { "x-xapi-patch": true }
        }}});
        rewrite_patch_types(&mut file, &doc, "crate::patch").unwrap();
        let text = quote!(#file).to_string();
        assert!(text.contains(
            "# [serde (rename = \"Name\" , default , skip_serializing_if = \"crate::patch::Patch::is_absent\")] pub name : crate :: patch :: Patch < :: std :: string :: String >"
        ), "{text}");
        assert!(text.contains("pub tags : crate :: patch :: Patch < :: std :: vec :: Vec < :: std :: string :: String > >"), "{text}");
    }

    #[test]
    fn missing_patch_type_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { pub mod types {} };
        let doc = serde_json::json!({ "components": { "schemas": {
            "A.Patch": { "x-xapi-patch": true }
        }}});
        assert!(rewrite_patch_types(&mut file, &doc, "crate::patch").is_err());
    }
}
