//! Forward-compatible decoding of the generated types.
//!
//! 3CX adds enum members in updates. typify turns a string enum into a Rust enum of unit
//! variants, and serde rejects any other string, so one new member in a response would make
//! the whole response fail to decode. Here every such enum gets a last variant
//! `Unrecognized(String)` marked `#[serde(untagged)]`. serde tries that variant only after the
//! named ones, so a member the client was generated without decodes into it and serializes
//! back as the same string. The rewrite also drops `deny_unknown_fields`, so that new
//! properties are ignored too.
//!
//! NOTE: an untagged enum that wraps one of these enums in a variant other than its last now
//! matches every string with that variant. No XAPI document up to 20.0 Update 10 has such a
//! `oneOf`.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, ToTokens};
use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use crate::Error;

/// Name of the variant that keeps an unrecognized member, unless the enum already has a
/// variant of that name (see [`catch_all_name`]).
pub(crate) const CATCH_ALL: &str = "Unrecognized";

/// Adds a catch-all variant to every string enum of progenitor's `types` module, fixes the
/// impls that typify wrote for those enums, and removes `deny_unknown_fields`.
///
/// A file without a `types` module is left as it is, because it has no types to rewrite.
pub(crate) fn add_catch_all_variants(file: &mut syn::File) -> Result<(), Error> {
    let Some(items) = types_module(file) else {
        return Ok(());
    };

    let mut catch_alls = BTreeMap::new();
    for item in items.iter_mut() {
        if let syn::Item::Enum(item) = item {
            if is_string_enum(item) {
                let name = add_catch_all(item);
                catch_alls.insert(item.ident.to_string(), name);
            }
        }
    }

    for item in items.iter_mut() {
        if let syn::Item::Impl(block) = item {
            if let Some(catch_all) = impl_target(block).and_then(|name| catch_alls.get(&name)) {
                fix_impl(block, catch_all)?;
            }
        }
    }

    let not_copy: BTreeSet<String> = catch_alls.into_keys().collect();
    remove_copy_from_containers(items, not_copy);
    for item in items.iter_mut() {
        remove_deny_unknown_fields(item);
    }
    Ok(())
}

/// Returns the items of the top-level `types` module.
fn types_module(file: &mut syn::File) -> Option<&mut Vec<syn::Item>> {
    file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(module) if module.ident == "types" => {
            module.content.as_mut().map(|(_, items)| items)
        }
        _ => None,
    })
}

/// Tells whether `item` is an enum typify made from a string enum: serde-derived, externally
/// tagged, and only unit variants without explicit discriminants.
///
/// Enums with a `tag`, `content` or `untagged` option are typify's `oneOf` enums, which keep
/// a payload per variant and are left alone.
fn is_string_enum(item: &syn::ItemEnum) -> bool {
    let derives_deserialize = derives(&item.attrs)
        .iter()
        .any(|path| last_ident_is(path, "Deserialize"));
    let tagged = serde_options(&item.attrs).iter().any(|meta| {
        let path = meta.path();
        path.is_ident("untagged") || path.is_ident("tag") || path.is_ident("content")
    });
    let all_unit = item.variants.iter().all(|variant| {
        matches!(variant.fields, syn::Fields::Unit) && variant.discriminant.is_none()
    });
    derives_deserialize && !tagged && all_unit && !item.variants.is_empty()
}

/// Appends the catch-all variant to `item`, removes `Copy` from its derives, and returns the
/// variant's name.
fn add_catch_all(item: &mut syn::ItemEnum) -> syn::Ident {
    let existing: BTreeSet<String> = item
        .variants
        .iter()
        .map(|variant| variant.ident.to_string())
        .collect();
    let name = catch_all_name(&existing);
    let variant: syn::Variant = syn::parse_quote! {
        /// A member this client was generated without, kept as the string the server sent.
        #[serde(untagged)]
        #name(::std::string::String)
    };
    item.variants.push(variant);
    remove_derive(&mut item.attrs, "Copy");
    name
}

/// Returns [`CATCH_ALL`], or when an enum member already has that name, the first of
/// `Unrecognized1`, `Unrecognized2`, … that is free.
fn catch_all_name(existing: &BTreeSet<String>) -> syn::Ident {
    if !existing.contains(CATCH_ALL) {
        return format_ident!("{CATCH_ALL}");
    }
    let free = (1usize..)
        .map(|number| format!("{CATCH_ALL}{number}"))
        .find(|candidate| !existing.contains(candidate))
        .expect("an enum has finitely many variants");
    format_ident!("{free}")
}

/// Returns the name of the type an inherent or trait impl is for, when it is a plain path.
fn impl_target(block: &syn::ItemImpl) -> Option<String> {
    let syn::Type::Path(path) = &*block.self_ty else {
        return None;
    };
    path.path
        .segments
        .last()
        .map(|segment| segment.ident.to_string())
}

/// Extends the `match` expressions of one impl of a rewritten enum.
fn fix_impl(block: &mut syn::ItemImpl, catch_all: &syn::Ident) -> Result<(), Error> {
    let type_name = impl_target(block).unwrap_or_default();
    let mut fixer = MatchFixer {
        type_name,
        catch_all: catch_all.clone(),
        error: None,
    };
    fixer.visit_item_impl_mut(block);
    match fixer.error {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Rewrites the two `match` shapes typify writes in the impls of a string enum.
///
/// - `Display`: `match *self { Self::A => f.write_str("a"), … }` becomes `match self` with an
///   arm that writes the kept string, because matching a `String` payload through `*self`
///   would move out of a borrow.
/// - `FromStr`: `match value { "a" => Ok(Self::A), …, _ => Err(…) }` returns the catch-all in
///   place of the error, so that parsing agrees with deserializing.
///
/// Any other exhaustive match over the variants is reported as an error, because the rewrite
/// cannot know what its new arm should do.
struct MatchFixer {
    type_name: String,
    catch_all: syn::Ident,
    error: Option<Error>,
}

impl VisitMut for MatchFixer {
    fn visit_expr_match_mut(&mut self, node: &mut syn::ExprMatch) {
        syn::visit_mut::visit_expr_match_mut(self, node);
        if self.error.is_some() {
            return;
        }
        if is_deref_self(&node.expr) {
            *node.expr = syn::parse_quote!(self);
        }
        if let Some(writer) = display_writer(node) {
            let catch_all = &self.catch_all;
            node.arms.push(syn::parse_quote! {
                Self::#catch_all(value) => #writer.write_str(value),
            });
        } else if is_from_str_match(node) {
            let catch_all = &self.catch_all;
            let scrutinee = &node.expr;
            let body: syn::Expr = syn::parse_quote! {
                Ok(Self::#catch_all(::std::borrow::ToOwned::to_owned(#scrutinee)))
            };
            if let Some(wildcard) = node.arms.last_mut() {
                *wildcard.body = body;
            }
        } else if is_exhaustive_over_variants(node) {
            self.error = Some(Error::Progenitor(format!(
                "typify wrote a match over the variants of `{}` that the forward-compatibility \
                 rewrite does not recognize, so it cannot add the `{}` arm: {}",
                self.type_name,
                self.catch_all,
                node.to_token_stream()
            )));
        }
    }
}

/// Tells whether `expr` is `*self`.
fn is_deref_self(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Unary(unary) => {
            matches!(unary.op, syn::UnOp::Deref(_)) && is_path(&unary.expr, "self")
        }
        _ => false,
    }
}

fn is_path(expr: &syn::Expr, name: &str) -> bool {
    matches!(expr, syn::Expr::Path(path) if path.path.is_ident(name))
}

/// Returns the formatter of a `Display` match: the receiver of `write_str` when every arm is
/// `Self::Variant => receiver.write_str("…")`.
fn display_writer(node: &syn::ExprMatch) -> Option<syn::Expr> {
    let mut writer = None;
    for arm in &node.arms {
        if !is_unit_variant_pattern(&arm.pat) {
            return None;
        }
        let syn::Expr::MethodCall(call) = &*arm.body else {
            return None;
        };
        if call.method != "write_str" {
            return None;
        }
        writer = Some((*call.receiver).clone());
    }
    writer
}

/// Tells whether `node` is a `FromStr` match: every arm but the last matches a string literal,
/// and the last is a wildcard.
fn is_from_str_match(node: &syn::ExprMatch) -> bool {
    let Some((last, others)) = node.arms.split_last() else {
        return false;
    };
    let literals_only = !others.is_empty()
        && others.iter().all(|arm| {
            matches!(
                &arm.pat,
                syn::Pat::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(_),
                    ..
                })
            )
        });
    literals_only && matches!(last.pat, syn::Pat::Wild(_))
}

/// Tells whether every arm of `node` names one variant and none is a wildcard, so that a new
/// variant makes the match non-exhaustive.
fn is_exhaustive_over_variants(node: &syn::ExprMatch) -> bool {
    !node.arms.is_empty()
        && node
            .arms
            .iter()
            .all(|arm| is_unit_variant_pattern(&arm.pat))
}

/// Tells whether `pattern` is a path of two or more segments, such as `Self::A` or `Kind::A`.
fn is_unit_variant_pattern(pattern: &syn::Pat) -> bool {
    matches!(pattern, syn::Pat::Path(path) if path.path.segments.len() >= 2)
}

/// Removes `Copy` from every struct and enum that contains a type in `not_copy`, repeating
/// until nothing changes, because a type is `Copy` only when all of its fields are.
fn remove_copy_from_containers(items: &mut [syn::Item], mut not_copy: BTreeSet<String>) {
    loop {
        let mut changed = false;
        for item in items.iter_mut() {
            let Some(names) = field_type_names(item) else {
                continue;
            };
            let (ident, attributes) = match item {
                syn::Item::Struct(item) => (item.ident.to_string(), &mut item.attrs),
                syn::Item::Enum(item) => (item.ident.to_string(), &mut item.attrs),
                _ => continue,
            };
            let is_copy = derives(attributes)
                .iter()
                .any(|path| last_ident_is(path, "Copy"));
            if is_copy && !names.is_disjoint(&not_copy) {
                remove_derive(attributes, "Copy");
                not_copy.insert(ident);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Returns the last identifier of every type path in the fields of a struct or enum.
fn field_type_names(item: &syn::Item) -> Option<BTreeSet<String>> {
    let mut collector = TypeNameCollector::default();
    match item {
        syn::Item::Struct(item) => collector.visit_fields(&item.fields),
        syn::Item::Enum(item) => {
            for variant in &item.variants {
                collector.visit_fields(&variant.fields);
            }
        }
        _ => return None,
    }
    Some(collector.names)
}

#[derive(Default)]
struct TypeNameCollector {
    names: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for TypeNameCollector {
    fn visit_type_path(&mut self, node: &'ast syn::TypePath) {
        if let Some(segment) = node.path.segments.last() {
            self.names.insert(segment.ident.to_string());
        }
        syn::visit::visit_type_path(self, node);
    }
}

/// Removes `deny_unknown_fields` from the serde attributes of a struct or enum, dropping an
/// attribute that it leaves empty.
fn remove_deny_unknown_fields(item: &mut syn::Item) {
    let attributes = match item {
        syn::Item::Struct(item) => &mut item.attrs,
        syn::Item::Enum(item) => &mut item.attrs,
        _ => return,
    };
    let mut rewritten = Vec::with_capacity(attributes.len());
    for attribute in attributes.drain(..) {
        let Some(options) = parse_serde(&attribute) else {
            rewritten.push(attribute);
            continue;
        };
        if !options
            .iter()
            .any(|meta| meta.path().is_ident("deny_unknown_fields"))
        {
            rewritten.push(attribute);
            continue;
        }
        let kept: Vec<syn::Meta> = options
            .into_iter()
            .filter(|meta| !meta.path().is_ident("deny_unknown_fields"))
            .collect();
        if !kept.is_empty() {
            rewritten.push(syn::parse_quote!(#[serde(#(#kept),*)]));
        }
    }
    *attributes = rewritten;
}

/// Returns the options of a `#[serde(…)]` attribute, or `None` for any other attribute.
fn parse_serde(attribute: &syn::Attribute) -> Option<Punctuated<syn::Meta, syn::Token![,]>> {
    if !attribute.path().is_ident("serde") {
        return None;
    }
    attribute
        .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
        .ok()
}

/// Returns every option of the `#[serde(…)]` attributes in `attributes`.
fn serde_options(attributes: &[syn::Attribute]) -> Vec<syn::Meta> {
    attributes
        .iter()
        .filter_map(parse_serde)
        .flat_map(Punctuated::into_iter)
        .collect()
}

/// Returns the paths listed in the `#[derive(…)]` attributes in `attributes`.
fn derives(attributes: &[syn::Attribute]) -> Vec<syn::Path> {
    attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("derive"))
        .filter_map(|attribute| {
            attribute
                .parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
                .ok()
        })
        .flat_map(Punctuated::into_iter)
        .collect()
}

/// Removes the derive whose last path segment is `name`, rewriting each `#[derive(…)]`.
fn remove_derive(attributes: &mut [syn::Attribute], name: &str) {
    for attribute in attributes.iter_mut() {
        if !attribute.path().is_ident("derive") {
            continue;
        }
        let Ok(paths) =
            attribute.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
        else {
            continue;
        };
        if !paths.iter().any(|path| last_ident_is(path, name)) {
            continue;
        }
        let kept = paths.into_iter().filter(|path| !last_ident_is(path, name));
        *attribute = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
}

fn last_ident_is(path: &syn::Path, name: &str) -> bool {
    path.segments
        .last()
        .is_some_and(|segment| segment.ident == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A string enum as typify 0.8 writes it, with its impls, and a struct that contains it.
    fn fragment() -> syn::File {
        syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
                pub enum PbxMode {
                    #[serde(rename = "-INF")]
                    Xinf,
                    Basic,
                }
                impl ::std::fmt::Display for PbxMode {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        match *self {
                            Self::Xinf => f.write_str("-INF"),
                            Self::Basic => f.write_str("Basic"),
                        }
                    }
                }
                impl ::std::str::FromStr for PbxMode {
                    type Err = self::error::ConversionError;
                    fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                        match value {
                            "-INF" => Ok(Self::Xinf),
                            "Basic" => Ok(Self::Basic),
                            _ => Err("invalid value".into()),
                        }
                    }
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                #[serde(deny_unknown_fields)]
                pub struct PbxHolder {
                    pub mode: ::std::option::Option<PbxMode>,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                pub struct PbxOuter {
                    pub holder: PbxHolder,
                }
                #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]
                #[serde(untagged)]
                pub enum PbxChoice {
                    Variant0(f64),
                    Variant1(i64),
                }
            }
        }
    }

    fn rewritten() -> String {
        let mut file = fragment();
        add_catch_all_variants(&mut file).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn string_enum_gets_untagged_catch_all() {
        let text = rewritten();
        assert!(
            text.contains(
                "    #[serde(untagged)]\n        Unrecognized(::std::string::String),\n    }"
            ),
            "{text}"
        );
    }

    #[test]
    fn display_writes_kept_string() {
        let text = rewritten();
        assert!(text.contains("match self {"), "{text}");
        assert!(
            text.contains("Self::Unrecognized(value) => f.write_str(value),"),
            "{text}"
        );
    }

    #[test]
    fn from_str_keeps_unknown_string() {
        let text = rewritten();
        assert!(
            text.contains("_ => Ok(Self::Unrecognized(::std::borrow::ToOwned::to_owned(value))),"),
            "{text}"
        );
        assert!(!text.contains("invalid value"), "{text}");
    }

    #[test]
    fn copy_removed_from_enum_and_containers() {
        let text = rewritten();
        let copy_lines = text.lines().filter(|line| line.contains("Copy")).count();
        assert_eq!(copy_lines, 1, "only the untagged enum keeps Copy: {text}");
        assert!(text.contains("#[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug)]\n    #[serde(untagged)]\n    pub enum PbxChoice"), "{text}");
    }

    #[test]
    fn deny_unknown_fields_removed() {
        let text = rewritten();
        assert!(!text.contains("deny_unknown_fields"), "{text}");
    }

    #[test]
    fn tagged_enum_untouched() {
        let text = rewritten();
        assert!(
            !text.contains("Variant1(i64),\n        #[serde(untagged)]"),
            "{text}"
        );
        assert_eq!(
            text.matches("Unrecognized(::std::string::String)").count(),
            1
        );
    }

    #[test]
    fn catch_all_name_avoids_members() {
        let existing = BTreeSet::from(["Unrecognized".to_owned(), "Unrecognized1".to_owned()]);
        assert_eq!(catch_all_name(&existing), "Unrecognized2");
        assert_eq!(catch_all_name(&BTreeSet::new()), "Unrecognized");
    }

    #[test]
    fn unknown_match_shape_is_an_error() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                #[derive(::serde::Deserialize, Clone, Copy)]
                pub enum PbxMode { A, B }
                impl PbxMode {
                    pub fn weight(&self) -> u8 {
                        match self { Self::A => 1, Self::B => 2 }
                    }
                }
            }
        };
        let error = add_catch_all_variants(&mut file).unwrap_err();
        assert!(error.to_string().contains("`PbxMode`"), "{error}");
    }
}
