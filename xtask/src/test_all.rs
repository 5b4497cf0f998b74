//! `cargo xtask test`: every check of the workspace, in the order CI runs them.
//!
//! 1. `cargo fmt --check` and `cargo clippy --all-targets -D warnings` on the hand-written code.
//! 2. `cargo test --workspace --all-features` against the pinned document.
//! 3. For every other document in `../shared/xapi-spec`: build the client from it
//!    (`XAPI_SPEC=…`) and run the `xapi-tests` package, whose wire conformance test covers every
//!    operation of that document and whose compatibility test calls a mock serving the pinned
//!    document with the client built from the other one.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

/// Runs the steps; `quick` skips formatting, lints and the other documents.
pub fn run(root: &Path, quick: bool) -> Result<()> {
    let started = Instant::now();
    if !quick {
        cargo(root, &["fmt", "--all", "--check"], None)?;
        cargo(
            root,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--",
                "-D",
                "warnings",
            ],
            None,
        )?;
    }
    cargo(root, &["test", "--workspace", "--all-features"], None)?;

    if !quick {
        let pinned = xapi_spec::resolve(root, None)
            .context("the pinned document is needed for the per-document steps")?;
        for document in other_documents(root, &pinned.document.sha256)? {
            let label = document.display().to_string();
            println!("== documents: {label}");
            cargo(root, &["test", "--package", "xapi-tests"], Some(&document))?;
        }
    }
    println!("all checks passed in {:.0?}", started.elapsed());
    Ok(())
}

/// Lists the YAML and JSON documents beside the pinned one, except the pinned one itself.
fn other_documents(root: &Path, pinned_sha256: &str) -> Result<Vec<PathBuf>> {
    let folder = root.join("../shared/xapi-spec");
    let Ok(entries) = std::fs::read_dir(&folder) else {
        println!(
            "skipped the other documents: {} is absent",
            folder.display()
        );
        return Ok(Vec::new());
    };
    let mut documents = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let is_document = path
            .extension()
            .is_some_and(|extension| extension == "yaml" || extension == "json");
        if !is_document {
            continue;
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        if xapi_spec::hex_sha256(&bytes) != pinned_sha256 {
            documents.push(path.canonicalize()?);
        }
    }
    documents.sort();
    Ok(documents)
}

fn cargo(root: &Path, arguments: &[&str], spec: Option<&Path>) -> Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.args(arguments).current_dir(root);
    match spec {
        Some(spec) => command.env("XAPI_SPEC", spec),
        None => command.env_remove("XAPI_SPEC"),
    };
    let shown = match spec {
        Some(spec) => format!("XAPI_SPEC={} cargo {}", spec.display(), arguments.join(" ")),
        None => format!("cargo {}", arguments.join(" ")),
    };
    println!("== {shown}");
    let started = Instant::now();
    let status = command
        .status()
        .with_context(|| format!("starting `{shown}`"))?;
    println!("== {shown}: {status} after {:.0?}", started.elapsed());
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}
