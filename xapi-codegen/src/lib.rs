//! Rust code generation for 3CX XAPI documents.
//!
//! [`generate`] takes a parsed XAPI document, runs it through the ordered normalization
//! [`passes::PIPELINE`] that make any 3CX release's document digestible and wire-correct, hands
//! the result to [`progenitor`], and returns formatted Rust source together with a table of
//! operation facts (the catalog) and the generated API surface. `xapi-client`'s build script
//! calls it and writes the source to `OUT_DIR`.
//!
//! ```no_run
//! let document = xapi_spec::load(std::path::Path::new("swagger.yaml"))?;
//! let generated = xapi_codegen::generate(&document.value, &xapi_codegen::Options::new())?;
//! println!("{} operations", generated.surface.len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod catalog;
mod collections;
mod dispatch;
pub mod document;
mod encoding;
mod forward;
mod lenient;
pub mod literal;
pub mod passes;
mod patch;
pub mod surface;
mod syntax;
mod wrap;

use std::collections::BTreeSet;

use serde_json::Value;

pub use surface::SurfaceEntry;

/// Errors from code generation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operation uses a construct the generator cannot turn into a correct client method.
    #[error("operation {operation_id}: {reason}")]
    Unsupported {
        /// The operation's `operationId`.
        operation_id: String,
        /// What is unsupported.
        reason: String,
    },
    /// The normalized document does not deserialize as OpenAPI 3.0.
    #[error("the normalized document is not OpenAPI 3.0 at {location}: {message}")]
    Document {
        /// JSON path of the failing node.
        location: String,
        /// Deserializer message.
        message: String,
    },
    /// progenitor rejected the document.
    #[error("progenitor failed: {0}")]
    Progenitor(String),
    /// The generated tokens do not parse as a Rust file (a generator bug).
    #[error("generated code does not parse: {0}")]
    Syntax(String),
}

/// Method style of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Interface {
    /// One method per operation taking every parameter as an argument.
    #[default]
    Positional,
    /// One method per operation returning a request builder.
    Builder,
}

/// Settings for [`generate`], configured with `with_*` methods.
#[derive(Debug, Clone)]
pub struct Options {
    tags: Option<BTreeSet<String>>,
    interface: Interface,
    literal_module: String,
    catalog_module: String,
    dispatch_module: String,
    patch_module: String,
    error_module: String,
    paging_module: String,
    lenient_module: String,
    inner_type: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tags: None,
            interface: Interface::Positional,
            literal_module: "crate::literal".to_owned(),
            catalog_module: "crate::catalog".to_owned(),
            dispatch_module: "crate::dynamic".to_owned(),
            patch_module: "crate::patch".to_owned(),
            error_module: "crate::error".to_owned(),
            paging_module: "crate::paging".to_owned(),
            lenient_module: "crate::lenient".to_owned(),
            inner_type: None,
        }
    }
}

impl Options {
    /// Settings that generate every operation in positional style.
    pub fn new() -> Self {
        Options::default()
    }

    /// Generates only the operations carrying one of `tags`; `None` generates all of them.
    pub fn with_tags(mut self, tags: Option<BTreeSet<String>>) -> Self {
        self.tags = tags;
        self
    }

    /// Selects the method style.
    pub fn with_interface(mut self, interface: Interface) -> Self {
        self.interface = interface;
        self
    }

    /// Sets the module path that defines the path literal types (`Text`, `DateTime`, `Date`,
    /// `Guid`, `Nullable<T>`) and `encode_path`; the default is `crate::literal`.
    pub fn with_literal_module(mut self, module: impl Into<String>) -> Self {
        self.literal_module = module.into();
        self
    }

    /// Sets the module path that defines `Operation` and `Parameter` for the generated
    /// `OPERATIONS` table; the default is `crate::catalog`.
    pub fn with_catalog_module(mut self, module: impl Into<String>) -> Self {
        self.catalog_module = module.into();
        self
    }

    /// Sets the module path that defines the dynamic call support used by the generated
    /// `dispatch` module (`Arguments`, `CallFn`, `CallFuture`, `argument`, `body` and the
    /// `*_reply` functions); the default is `crate::dynamic`.
    pub fn with_dispatch_module(mut self, module: impl Into<String>) -> Self {
        self.dispatch_module = module.into();
        self
    }

    /// Sets the module path that defines `Patch<T>`, the field type of PATCH bodies; the
    /// default is `crate::patch`.
    pub fn with_patch_module(mut self, module: impl Into<String>) -> Self {
        self.patch_module = module.into();
        self
    }

    /// Sets the module path that defines `Error` and `from_generated`, which the public
    /// methods use to convert progenitor's errors; the default is `crate::error`.
    pub fn with_error_module(mut self, module: impl Into<String>) -> Self {
        self.error_module = module.into();
        self
    }

    /// Sets the module path that defines the `Collection` trait and `Page`, implemented for
    /// every generated type with a `value` array; the default is `crate::paging`.
    pub fn with_paging_module(mut self, module: impl Into<String>) -> Self {
        self.paging_module = module.into();
        self
    }

    /// Sets the module path that defines `optional`, the lenient decoder of optional
    /// properties; the default is `crate::lenient`.
    pub fn with_lenient_module(mut self, module: impl Into<String>) -> Self {
        self.lenient_module = module.into();
        self
    }

    /// Sets progenitor's inner type and expects the crate to implement `ClientHooks` for the
    /// generated `Client`.
    pub fn with_inner_type(mut self, inner_type: impl Into<String>) -> Self {
        self.inner_type = Some(inner_type.into());
        self
    }
}

/// The result of [`generate`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Generated {
    /// Formatted Rust source: progenitor's client and types, the `OPERATIONS` table, and the
    /// `dispatch` module (compiled only with the client's `dynamic` feature).
    pub code: String,
    /// One entry per generated client method, read back from the generated code.
    pub surface: Vec<SurfaceEntry>,
    /// Number of operations in the normalized document.
    pub operation_count: usize,
}

/// Normalizes `document` and generates its Rust client.
pub fn generate(document: &Value, options: &Options) -> Result<Generated, Error> {
    let normalized = normalize(document, options)?;
    let operation_count = document::operations(&normalized).len();

    let spec: openapiv3::OpenAPI = serde_path_to_error(&normalized)
        .map_err(|(location, message)| Error::Document { location, message })?;

    let settings = progenitor_settings(options);
    let mut generator = progenitor::Generator::new(&settings);
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&spec)
    }))
    .map_err(|panic| Error::Progenitor(panic_message(panic)))?
    .map_err(|error| Error::Progenitor(error.to_string()))?;

    let mut file: syn::File =
        syn::parse2(tokens).map_err(|error| Error::Syntax(error.to_string()))?;
    encoding::redirect_encode_path(&mut file, &options.literal_module)?;
    lenient::make_optional_fields_lenient(&mut file, &options.lenient_module)?;
    patch::rewrite_patch_types(&mut file, &normalized, &options.patch_module)?;
    forward::add_catch_all_variants(&mut file)?;
    let surface = surface::read(&file, &normalized);
    let catalog_items = catalog::items(&normalized, &surface, &options.catalog_module)?;
    file.items.extend(catalog_items);
    wrap::wrap_methods(&mut file, &surface, &options.error_module)?;
    let collection_items = collections::items(&file, &options.paging_module)?;
    file.items.extend(collection_items);
    let dispatch_items = dispatch::items(&file, &surface, &normalized, &options.dispatch_module)?;
    file.items.extend(dispatch_items);

    Ok(Generated {
        code: prettyplease::unparse(&file),
        surface,
        operation_count,
    })
}

/// Returns the cargo feature name of an OpenAPI tag: the tag in kebab case (`ActiveCalls` →
/// `active-calls`, `CDRSettings` → `cdr-settings`).
///
/// Characters cargo does not allow in feature names become `-`.
pub fn feature_name(tag: &str) -> String {
    xapi_spec::kebab_case(tag)
}

/// Runs tag selection and every pass of [`passes::PIPELINE`] on a copy of `document`.
pub fn normalize(document: &Value, options: &Options) -> Result<Value, Error> {
    let mut normalized = document.clone();
    if let Some(tags) = &options.tags {
        passes::select_tags(&mut normalized, tags);
    }
    for pass in passes::PIPELINE {
        (pass.run)(&mut normalized)?;
    }
    Ok(normalized)
}

fn progenitor_settings(options: &Options) -> progenitor::GenerationSettings {
    let mut settings = progenitor::GenerationSettings::default();
    settings.with_interface(match options.interface {
        Interface::Positional => progenitor::InterfaceStyle::Positional,
        Interface::Builder => progenitor::InterfaceStyle::Builder,
    });
    if let Some(inner_type) = &options.inner_type {
        let inner_type: proc_macro2::TokenStream = inner_type
            .parse()
            .expect("the inner type option is a Rust type path");
        settings.with_inner_type(inner_type);
        settings.with_hooks(progenitor::HooksMode::Expected);
    }
    for (schema, type_name) in literal::conversions(&options.literal_module) {
        settings.with_conversion(
            schema,
            type_name,
            [progenitor::TypeImpl::Display].into_iter(),
        );
    }
    settings
}

/// Deserializes the normalized document, reporting the JSON path of a failure.
fn serde_path_to_error(value: &Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    serde_json::from_value(value.clone()).map_err(|error| {
        // serde_json's value deserializer does not track paths; the message names the field.
        ("document".to_owned(), error.to_string())
    })
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    if let Some(message) = panic.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message.clone()
    } else {
        "progenitor panicked".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names() {
        let cases = [
            ("ActiveCalls", "active-calls"),
            ("CDRSettings", "cdr-settings"),
            ("AISettings", "ai-settings"),
            ("Users", "users"),
            ("Sip Trunks", "sip-trunks"),
            ("E164Numbers", "e164-numbers"),
            ("Pbx.Misc", "pbx-misc"),
        ];
        for (tag, expected) in cases {
            assert_eq!(feature_name(tag), expected, "{tag}");
        }
    }
}
