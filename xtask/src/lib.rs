//! Workspace tasks behind `cargo xtask`: pinning, downloading and checking the XAPI document,
//! and the tag feature list of `xapi-client`.
//!
//! The binary in `main.rs` parses the command line; the work is done here so that tests can
//! call it on temporary workspaces.
#![deny(missing_docs)]

pub mod bench;
pub mod features;
pub mod pull;
pub mod test_all;
pub mod workspace;
