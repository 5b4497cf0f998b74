//! Forward-compatible decoding in the generated code: string enums keep members they do not
//! know, and structs ignore properties they do not know.
//!
//! The runtime checks run on a copy of the generated items declared in this file. The first
//! test proves that the copy is token for token what [`xapi_codegen::generate`] emits for the
//! tiny document below, so the copy's behavior is the generated code's.

use std::path::Path;

use quote::ToTokens;
use serde_json::{json, Value};

/// Returns a document with one string enum and one object that refers to it and, through
/// `additionalProperties: false`, makes typify emit `deny_unknown_fields`.
fn tiny_document() -> Value {
    json!({
        "openapi": "3.0.4",
        "info": { "title": "XAPI", "version": "1.0.0" },
        "paths": { "/Holders": { "get": {
            "operationId": "GetHolder",
            "responses": { "200": { "description": "OK", "content": { "application/json": {
                "schema": { "$ref": "#/components/schemas/Holder" } } } } }
        } } },
        "components": { "schemas": {
            "Holder": {
                "type": "object",
                "additionalProperties": false,
                "properties": { "Mode": { "$ref": "#/components/schemas/Mode" } }
            },
            "Mode": { "type": "string", "enum": ["No", "Basic", "-INF"] }
        } }
    })
}

/// The lenient decoder the generated structs name, as `xapi-client` defines it.
mod lenient {
    use serde::de::DeserializeOwned;
    use serde::{Deserialize, Deserializer};

    /// Decodes an optional property, turning a value of the wrong type into `None`.
    pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: DeserializeOwned,
    {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(serde_json::from_value::<Option<T>>(value).ok().flatten())
    }
}

/// Declares the items and keeps their source text for comparison with the generated code.
macro_rules! declare_with_source {
    ($($item:item)*) => {
        $($item)*
        /// The items above as source text.
        pub const SOURCE: &str = stringify!($($item)*);
    };
}

/// The generated items for `Mode` and `Holder`, as [`xapi_codegen::generate`] emits them for
/// [`tiny_document`], without their doc comments.
mod types {
    declare_with_source! {
        #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Default)]
        pub struct Holder {
            #[serde(rename = "Mode", skip_serializing_if = "::std::option::Option::is_none")]
            #[serde(default, deserialize_with = "crate::lenient::optional")]
            pub mode: ::std::option::Option<Mode>,
        }
        #[derive(
            ::serde::Deserialize,
            ::serde::Serialize,
            Clone,
            Debug,
            Eq,
            Hash,
            Ord,
            PartialEq,
            PartialOrd
        )]
        pub enum Mode {
            No,
            Basic,
            #[serde(rename = "-INF")]
            Inf,
            #[serde(untagged)]
            Unrecognized(::std::string::String),
        }
        impl ::std::fmt::Display for Mode {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    Self::No => f.write_str("No"),
                    Self::Basic => f.write_str("Basic"),
                    Self::Inf => f.write_str("-INF"),
                    Self::Unrecognized(value) => f.write_str(value),
                }
            }
        }
        impl ::std::str::FromStr for Mode {
            type Err = self::error::ConversionError;
            fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                match value {
                    "No" => Ok(Self::No),
                    "Basic" => Ok(Self::Basic),
                    "-INF" => Ok(Self::Inf),
                    _ => Ok(Self::Unrecognized(::std::borrow::ToOwned::to_owned(value))),
                }
            }
        }
        impl ::std::convert::TryFrom<&str> for Mode {
            type Error = self::error::ConversionError;
            fn try_from(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
        impl ::std::convert::TryFrom<::std::string::String> for Mode {
            type Error = self::error::ConversionError;
            fn try_from(
                value: ::std::string::String,
            ) -> ::std::result::Result<Self, self::error::ConversionError> {
                value.parse()
            }
        }
    }

    /// Stands in for the error module typify generates next to the types. The rewritten
    /// conversions never fail, so the error carries no message.
    pub mod error {
        #[derive(Debug)]
        pub struct ConversionError;

        impl From<&'static str> for ConversionError {
            fn from(_message: &'static str) -> Self {
                ConversionError
            }
        }
    }
}

/// Returns the items of the generated `types` module for `Mode` and `Holder` as formatted
/// text, without doc comments.
fn generated_items() -> String {
    let generated = xapi_codegen::generate(&tiny_document(), &xapi_codegen::Options::new())
        .expect("generate the tiny document");
    let file = syn::parse_file(&generated.code).expect("generated code parses");
    let types = file
        .items
        .into_iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => module.content,
            _ => None,
        })
        .expect("a types module")
        .1;
    let selected: Vec<syn::Item> = types
        .into_iter()
        .filter(|item| is_about(item, "Mode") || is_about(item, "Holder"))
        .collect();
    without_docs(selected)
}

/// Tells whether `item` is the struct or enum `name` or an impl for it.
fn is_about(item: &syn::Item, name: &str) -> bool {
    match item {
        syn::Item::Enum(item) => item.ident == name,
        syn::Item::Struct(item) => item.ident == name,
        syn::Item::Impl(block) => block.self_ty.to_token_stream().to_string() == name,
        _ => false,
    }
}

/// Removes `///` comments from items, variants and fields, and formats the items with
/// prettyplease, which also evens out differences such as trailing commas.
fn without_docs(items: Vec<syn::Item>) -> String {
    use syn::visit_mut::VisitMut;

    struct DocRemover;
    impl VisitMut for DocRemover {
        fn visit_attributes_mut(&mut self, attributes: &mut Vec<syn::Attribute>) {
            attributes.retain(|attribute| !attribute.path().is_ident("doc"));
        }
    }

    let mut tokens = proc_macro2::TokenStream::new();
    for mut item in items {
        DocRemover.visit_item_mut(&mut item);
        item.to_tokens(&mut tokens);
    }
    let file: syn::File = syn::parse2(tokens).expect("items parse as a file");
    prettyplease::unparse(&file)
}

#[test]
fn declared_copy_matches_generated_items() {
    let declared = syn::parse_file(types::SOURCE).expect("declared items parse");
    let declared = without_docs(declared.items);
    let generated = generated_items();
    assert_eq!(
        generated, declared,
        "the generated items (left) differ from the copy in this file (right)"
    );
}

#[test]
fn unknown_member_round_trips() {
    let decoded: types::Mode = serde_json::from_str("\"Oauth\"").expect("decode");
    assert_eq!(decoded, types::Mode::Unrecognized("Oauth".to_owned()));
    assert_eq!(serde_json::to_string(&decoded).unwrap(), "\"Oauth\"");
    assert_eq!(decoded.to_string(), "Oauth");
}

#[test]
fn known_members_still_decode() {
    let cases = [
        ("\"No\"", types::Mode::No),
        ("\"Basic\"", types::Mode::Basic),
        ("\"-INF\"", types::Mode::Inf),
    ];
    for (text, expected) in cases {
        let decoded: types::Mode = serde_json::from_str(text).expect(text);
        assert_eq!(decoded, expected, "{text}");
        assert_eq!(serde_json::to_string(&decoded).unwrap(), text);
    }
}

#[test]
fn parse_agrees_with_decoding() {
    let parsed: types::Mode = "Oauth".parse().expect("parse");
    assert_eq!(parsed, types::Mode::Unrecognized("Oauth".to_owned()));
    let parsed: types::Mode = "-INF".parse().expect("parse");
    assert_eq!(parsed, types::Mode::Inf);
}

#[test]
fn non_string_member_is_rejected() {
    let decoded = serde_json::from_str::<types::Mode>("7");
    assert!(decoded.is_err(), "{decoded:?}");
}

#[test]
fn struct_ignores_unknown_properties() {
    let body = json!({ "Mode": "Oauth", "AddedInNextRelease": [1, 2] });
    let holder: types::Holder = serde_json::from_value(body).expect("decode");
    assert_eq!(
        holder.mode,
        Some(types::Mode::Unrecognized("Oauth".to_owned()))
    );
    assert_eq!(
        serde_json::to_value(&holder).unwrap(),
        json!({ "Mode": "Oauth" })
    );
}

/// Checks the code generated from the document the build resolves: no string enum is left
/// without its catch-all, and nothing rejects unknown properties.
#[test]
fn build_document_enums_all_rewritten() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let Ok(spec) = xapi_spec::resolve_for_build(&root) else {
        eprintln!("skipped: no document found for the build");
        return;
    };
    let generated = xapi_codegen::generate(&spec.document.value, &xapi_codegen::Options::new())
        .expect("generate");
    let file = syn::parse_file(&generated.code).expect("generated code parses");
    assert!(!generated.code.contains("deny_unknown_fields"));

    let mut rewritten = 0;
    for item in types_items(&file) {
        let syn::Item::Enum(item) = item else {
            continue;
        };
        let variants: Vec<&syn::Variant> = item.variants.iter().collect();
        let Some((last, others)) = variants.split_last() else {
            continue;
        };
        let others_unit = others
            .iter()
            .all(|variant| matches!(variant.fields, syn::Fields::Unit));
        let last_unit = matches!(last.fields, syn::Fields::Unit);
        assert!(
            !(others_unit && last_unit),
            "{} has no catch-all variant",
            item.ident
        );
        if !others_unit || !last.ident.to_string().starts_with("Unrecognized") {
            continue;
        }
        rewritten += 1;
        let derives_copy = item.attrs.iter().any(|attribute| {
            attribute.path().is_ident("derive")
                && attribute.to_token_stream().to_string().contains("Copy")
        });
        assert!(!derives_copy, "{} still derives Copy", item.ident);
    }
    println!(
        "{}: {rewritten} enums with a catch-all",
        spec.document.label
    );
    assert!(rewritten > 0);
}

fn types_items(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                module.content.as_ref().map(|(_, items)| items.as_slice())
            }
            _ => None,
        })
        .expect("a types module")
}
