//! Lenient decoding of optional properties.
//!
//! 3CX retypes properties between releases (an integer becomes a string). A client built from
//! the older document would fail to decode a whole reply, or a whole page of a collection,
//! because of one such value. Every optional field of the generated structs gets a
//! `deserialize_with` that decodes a value of the wrong type as `None` and logs it, so the rest
//! of the reply arrives.

use quote::ToTokens;

use crate::Error;

/// Adds `deserialize_with = "<module>::optional"` (and `default`) to every `Option` field of
/// every struct in `types`.
pub(crate) fn make_optional_fields_lenient(
    file: &mut syn::File,
    module: &str,
) -> Result<(), Error> {
    let function = format!("{module}::optional");
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => module.content.as_mut(),
        _ => None,
    }) else {
        return Ok(());
    };
    for item in &mut types.1 {
        let syn::Item::Struct(structure) = item else {
            continue;
        };
        let syn::Fields::Named(fields) = &mut structure.fields else {
            continue;
        };
        for field in &mut fields.named {
            if !is_option(&field.ty) {
                continue;
            }
            let flags = serde_flags(&field.attrs);
            if flags.flatten || flags.deserialize_with {
                continue;
            }
            let attribute: syn::Attribute = match flags.default {
                true => syn::parse_quote! { #[serde(deserialize_with = #function)] },
                false => syn::parse_quote! { #[serde(default, deserialize_with = #function)] },
            };
            field.attrs.push(attribute);
        }
    }
    Ok(())
}

fn is_option(ty: &syn::Type) -> bool {
    let text = ty.to_token_stream().to_string().replace(' ', "");
    text.starts_with("::std::option::Option<") || text.starts_with("Option<")
}

#[derive(Default)]
struct SerdeFlags {
    default: bool,
    flatten: bool,
    deserialize_with: bool,
}

fn serde_flags(attributes: &[syn::Attribute]) -> SerdeFlags {
    let mut flags = SerdeFlags::default();
    for attribute in attributes.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("default") {
                flags.default = true;
            } else if meta.path.is_ident("flatten") {
                flags.flatten = true;
            } else if meta.path.is_ident("deserialize_with") || meta.path.is_ident("with") {
                flags.deserialize_with = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_fields_get_lenient_decoding() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Call {
                    #[serde(rename = "SegId", skip_serializing_if = "::std::option::Option::is_none")]
                    pub seg_id: ::std::option::Option<i32>,
                    #[serde(rename = "Name", default)]
                    pub name: ::std::option::Option<::std::string::String>,
                    pub value: ::std::vec::Vec<i32>,
                }
            }
        };
        make_optional_fields_lenient(&mut file, "crate::lenient").unwrap();
        let text = file.to_token_stream().to_string();
        assert!(
            text.contains(
                "# [serde (default , deserialize_with = \"crate::lenient::optional\")] pub seg_id"
            ),
            "{text}"
        );
        assert!(
            text.contains("# [serde (deserialize_with = \"crate::lenient::optional\")] pub name"),
            "{text}"
        );
        assert_eq!(text.matches("deserialize_with").count(), 2, "{text}");
    }
}
