//! Small readers of generated Rust syntax shared by the post-processing steps.

/// Returns `T` when `ty` is `Name<T, …>` (any path ending in `Name`, such as
/// `::std::option::Option<T>` for `Option`).
pub(crate) fn generic_argument<'a>(ty: &'a syn::Type, name: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return None;
    };
    match arguments.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// Returns the `rename = "…"` value of a field's `#[serde(…)]` attributes.
pub(crate) fn serde_rename(attributes: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attribute in attributes.iter().filter(|a| a.path().is_ident("serde")) {
        // An attribute that does not parse has no rename this code can use.
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_argument_reads_inner_type() {
        let ty: syn::Type = syn::parse_quote! { ::std::option::Option<types::X> };
        let inner = generic_argument(&ty, "Option").expect("Option<T>");
        assert_eq!(quote::quote!(#inner).to_string(), "types :: X");
        assert!(generic_argument(&ty, "Vec").is_none());
    }

    #[test]
    fn serde_rename_reads_value() {
        let field: syn::Field = syn::parse_quote! {
            #[serde(default, rename = "@odata.count", skip_serializing_if = "x")]
            pub count: i64
        };
        assert_eq!(serde_rename(&field.attrs).as_deref(), Some("@odata.count"));
    }
}
