//! Embeds the XAPI document that `xapi-client` is generated from, as compact JSON in
//! `$OUT_DIR/xapi-document.json`.
//!
//! The binary reads it to describe operations, print JSON Schemas, build example bodies and
//! serve its mock PBX, so an installed `xapi` needs neither the workspace nor the document file.
//! The document is found exactly as `xapi-client`'s build script finds it
//! (`xapi_spec::resolve_for_build`), so both describe the same operations.

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
        .ok_or("xapi-cli has no parent directory")?;
    let out_dir = PathBuf::from(env("OUT_DIR")?);

    let spec = xapi_spec::resolve_for_build(workspace_root).map_err(|error| error.to_string())?;
    for directive in spec.cargo_directives() {
        println!("{directive}");
    }

    let json = serde_json::to_string(&spec.document.value)
        .map_err(|error| format!("cannot encode the document as JSON: {error}"))?;
    let target = out_dir.join("xapi-document.json");
    let unchanged = std::fs::read_to_string(&target).is_ok_and(|old| old == json);
    if !unchanged {
        std::fs::write(&target, json)
            .map_err(|error| format!("cannot write {}: {error}", target.display()))?;
    }
    println!(
        "cargo:rustc-env=XAPI_CLI_SPEC_LABEL={}",
        spec.document.label
    );
    println!(
        "cargo:rustc-env=XAPI_CLI_SPEC_SHA256={}",
        spec.document.sha256
    );
    Ok(())
}

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("cargo did not set {name}"))
}
