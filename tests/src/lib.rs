//! Wire-conformance tests of `xapi-client`: every generated operation is called through
//! `xapi_client::dynamic::call` against a capture server on 127.0.0.1, and the request that
//! arrives is read back with an OData URL reader and compared with the arguments passed in.
//!
//! The library contains the pieces the tests in `tests/` share: the capture server, the OData URL
//! reader, the schema sampler, a JSON comparison and the per-operation check.

pub mod capture_server;
pub mod conformance;
pub mod document;
pub mod json_compare;
pub mod odata_url;
pub mod schema_sample;

use std::path::Path;

/// Loads the document the client was built from, the way its build script finds it, and checks
/// that its sha256 matches the one compiled into the client.
pub fn load_build_document() -> Result<xapi_spec::Document, String> {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the tests crate has no parent directory")?;
    let spec = xapi_spec::resolve_for_build(workspace_root).map_err(|error| error.to_string())?;
    if spec.document.sha256 != xapi_client::SPEC_SHA256 {
        return Err(format!(
            "{} has sha256 {}, but the client was built from a document with sha256 {}; \
             rebuild with the same XAPI_SPEC",
            spec.document.path.display(),
            spec.document.sha256,
            xapi_client::SPEC_SHA256
        ));
    }
    Ok(spec.document)
}
