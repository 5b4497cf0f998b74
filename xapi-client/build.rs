//! Generates the XAPI client from the document `xapi_spec::resolve_for_build` finds: the file
//! named by `XAPI_SPEC`, else the vendored copy, else the file the lock names.
//!
//! Only the operations of the tags whose cargo feature is enabled are generated; `full`
//! generates all of them. The output goes to `$OUT_DIR/xapi.rs`.

use std::collections::BTreeSet;
use std::path::PathBuf;

fn main() {
    if let Err(message) = run() {
        // A build script reports failure by exiting non-zero; cargo shows stderr.
        eprintln!("error: {message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR")?);
    let workspace_root = manifest_dir
        .parent()
        .ok_or("xapi-client has no parent directory")?;
    let out_dir = PathBuf::from(env("OUT_DIR")?);

    let spec = xapi_spec::resolve_for_build(workspace_root).map_err(|error| error.to_string())?;
    for directive in spec.cargo_directives() {
        println!("{directive}");
    }

    let tags = selected_tags(&spec.document.value);
    let options = xapi_codegen::Options::new()
        .with_tags(tags)
        .with_inner_type("crate::context::Context");
    let generated = xapi_codegen::generate(&spec.document.value, &options)
        .map_err(|error| format!("{}: {error}", spec.document.path.display()))?;

    let target = out_dir.join("xapi.rs");
    let unchanged = std::fs::read_to_string(&target).is_ok_and(|old| old == generated.code);
    if !unchanged {
        std::fs::write(&target, &generated.code)
            .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    }
    println!("cargo:rustc-env=XAPI_SPEC_LABEL={}", spec.document.label);
    println!("cargo:rustc-env=XAPI_SPEC_SHA256={}", spec.document.sha256);
    Ok(())
}

/// Returns the tags whose cargo feature is enabled, or `None` when `full` is enabled.
///
/// Cargo passes each enabled feature to build scripts as `CARGO_FEATURE_<NAME>`, with the name
/// uppercased and `-` replaced by `_`.
fn selected_tags(document: &serde_json::Value) -> Option<BTreeSet<String>> {
    if std::env::var_os("CARGO_FEATURE_FULL").is_some() {
        return None;
    }
    let tags = xapi_codegen::passes::operations_by_tag(document);
    let selected = tags
        .into_keys()
        .filter(|tag| {
            let feature = xapi_codegen::feature_name(tag)
                .to_ascii_uppercase()
                .replace('-', "_");
            std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some()
        })
        .collect();
    Some(selected)
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}
