//! Path argument encoding.
//!
//! progenitor-client 0.15's `encode_path` leaves `\`, `|`, `[`, `]` and `^` unescaped; the URL
//! parser then turns `\` into `/` in http(s) paths, so a string key containing a backslash
//! reaches the PBX as another value. The generated code imports `encode_path` by name, so
//! replacing the import makes every path argument go through the client crate's encoder.

use quote::ToTokens;

use crate::Error;

/// Removes `encode_path` from the generated `use progenitor_client::{…}` item and imports
/// `<module>::encode_path` instead.
pub(crate) fn redirect_encode_path(file: &mut syn::File, module: &str) -> Result<(), Error> {
    let mut found = false;
    for item in &mut file.items {
        let syn::Item::Use(item_use) = item else {
            continue;
        };
        if !matches!(item_use.vis, syn::Visibility::Inherited) {
            continue;
        }
        let syn::UseTree::Path(path) = &mut item_use.tree else {
            continue;
        };
        if path.ident != "progenitor_client" {
            continue;
        }
        let syn::UseTree::Group(group) = &mut *path.tree else {
            continue;
        };
        let before = group.items.len();
        group.items = group
            .items
            .iter()
            .filter(|tree| tree.to_token_stream().to_string() != "encode_path")
            .cloned()
            .collect();
        found |= group.items.len() != before;
    }
    if !found {
        return Err(Error::Syntax(
            "progenitor's output no longer imports encode_path; update xapi-codegen's encoding pass"
                .to_owned(),
        ));
    }
    let path: syn::Path = syn::parse_str(&format!("{module}::encode_path"))
        .map_err(|error| Error::Syntax(error.to_string()))?;
    file.items.push(syn::parse_quote! {
        #[allow(unused_imports)]
        use #path;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_is_replaced() {
        let mut file: syn::File = syn::parse_quote! {
            pub use progenitor_client::{ByteStream, Error};
            use progenitor_client::{encode_path, ClientHooks, OperationInfo};
        };
        redirect_encode_path(&mut file, "crate::literal").unwrap();
        let text = file.to_token_stream().to_string();
        assert!(
            text.contains("use progenitor_client :: { ClientHooks , OperationInfo }"),
            "{text}"
        );
        assert!(
            text.contains("use crate :: literal :: encode_path ;"),
            "{text}"
        );
    }

    #[test]
    fn missing_import_is_an_error() {
        let mut file: syn::File = syn::parse_quote! { use progenitor_client::{ClientHooks}; };
        assert!(redirect_encode_path(&mut file, "crate::literal").is_err());
    }
}
