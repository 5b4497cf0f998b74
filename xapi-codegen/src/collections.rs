//! `Collection` implementations for every generated type that holds a page of items.
//!
//! OData collection replies are objects with a `value` array, optionally `@odata.count` and
//! `@odata.nextLink`. The client's pagination streams need the three parts of any such reply;
//! this module finds the generated structs with that shape and implements the client's
//! `Collection` trait for them.

use quote::{quote, ToTokens};

use crate::syntax::{generic_argument, serde_rename};
use crate::Error;

/// Builds one `impl Collection` per struct in `types` that has a `value` vector.
pub(crate) fn items(file: &syn::File, module: &str) -> Result<Vec<syn::Item>, Error> {
    let module: syn::Path =
        syn::parse_str(module).map_err(|error| Error::Syntax(error.to_string()))?;
    let Some(types) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_ref(),
        _ => None,
    }) else {
        return Ok(Vec::new());
    };

    let mut impls = Vec::new();
    for item in &types.1 {
        let syn::Item::Struct(structure) = item else {
            continue;
        };
        let Some(shape) = collection_shape(structure) else {
            continue;
        };
        let name = &structure.ident;
        let item_type = &shape.item_type;
        let value = &shape.value;
        let count = match &shape.count {
            Some(field) => quote! { self.#field },
            None => quote! { None },
        };
        let next_link = match &shape.next_link {
            Some(field) => quote! { self.#field },
            None => quote! { None },
        };
        impls.push(quote! {
            impl #module::Collection for types::#name {
                type Item = types::#item_type;

                fn into_page(self) -> #module::Page<Self::Item> {
                    #module::Page::new(self.#value).with_links(#count, #next_link)
                }
            }
        });
    }
    let file: syn::File =
        syn::parse2(quote! { #(#impls)* }).map_err(|error| Error::Syntax(error.to_string()))?;
    Ok(file.items)
}

/// The fields of a collection struct.
struct Shape {
    value: syn::Ident,
    item_type: syn::Type,
    count: Option<syn::Ident>,
    next_link: Option<syn::Ident>,
}

/// Finds `value: Vec<T>` and the optional `@odata.count` (`Option<i64>`) and
/// `@odata.nextLink` (`Option<String>`) fields by their JSON names.
fn collection_shape(structure: &syn::ItemStruct) -> Option<Shape> {
    let syn::Fields::Named(fields) = &structure.fields else {
        return None;
    };
    let mut value = None;
    let mut count = None;
    let mut next_link = None;
    for field in &fields.named {
        let ident = field.ident.clone()?;
        let json_name = serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
        let ty = field.ty.to_token_stream().to_string().replace(' ', "");
        match json_name.as_str() {
            "value" => value = generic_argument(&field.ty, "Vec").map(|item| (ident, item.clone())),
            "@odata.count" if ty == "::std::option::Option<i64>" => count = Some(ident),
            "@odata.nextLink" if ty == "::std::option::Option<::std::string::String>" => {
                next_link = Some(ident)
            }
            _ => {}
        }
    }
    let (value, item_type) = value?;
    // Only plain named item types: `Vec<PbxUser>`, not vectors of strings or numbers.
    let is_named = matches!(&item_type, syn::Type::Path(path) if path.path.segments.len() == 1);
    if !is_named {
        return None;
    }
    Some(Shape {
        value,
        item_type,
        count,
        next_link,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_struct_gets_impl() {
        let file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct UserCollection {
                    #[serde(rename = "@odata.count", skip_serializing_if = "::std::option::Option::is_none")]
                    pub odata_count: ::std::option::Option<i64>,
                    #[serde(rename = "@odata.nextLink", skip_serializing_if = "::std::option::Option::is_none")]
                    pub odata_next_link: ::std::option::Option<::std::string::String>,
                    #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                    pub value: ::std::vec::Vec<PbxUser>,
                }
                pub struct Names {
                    pub value: ::std::vec::Vec<::std::string::String>,
                }
                pub struct User {
                    pub name: ::std::string::String,
                }
            }
        };
        let impls = items(&file, "crate::paging").unwrap();
        assert_eq!(impls.len(), 1);
        let text = impls[0].to_token_stream().to_string();
        assert!(
            text.contains("impl crate :: paging :: Collection for types :: UserCollection"),
            "{text}"
        );
        assert!(text.contains("type Item = types :: PbxUser"), "{text}");
        assert!(
            text.contains("with_links (self . odata_count , self . odata_next_link)"),
            "{text}"
        );
    }
}
