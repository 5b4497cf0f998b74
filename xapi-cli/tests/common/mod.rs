//! Helpers shared by the integration tests: running the built `xapi` binary with a clean
//! environment, and a mock PBX started inside the test process.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use xapi_mock::{MockHandle, MockPbx};

/// Variables the binary reads; every test command starts without them.
const SETTINGS_VARIABLES: [&str; 4] = [
    "XAPI_PBX",
    "XAPI_CLIENT_ID",
    "XAPI_CLIENT_SECRET",
    "XAPI_CONFIG",
];

/// Creates a `Command` for the built binary with no connection settings from the environment, and
/// home and config directories that hold no config file.
pub fn xapi() -> Command {
    let home = scratch_dir("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xapi"));
    for name in SETTINGS_VARIABLES {
        command.env_remove(name);
    }
    command
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"));
    command
}

/// Runs `command` and returns its output.
pub fn run(command: &mut Command) -> Output {
    command.output().expect("the xapi binary runs")
}

/// Returns the text of stdout.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Returns the text of stderr.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Returns the exit code (`-1` when a signal ended the process).
pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

/// Creates a new empty directory below cargo's temporary directory for integration tests.
pub fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let index = NEXT.fetch_add(1, Ordering::SeqCst);
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("xapi-cli-{}-{name}-{index}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("the scratch directory can be created");
    directory
}

/// Finds the document the binary was built from, as its build script does.
pub fn document_path() -> PathBuf {
    let workspace_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xapi-cli is inside the workspace");
    xapi_spec::resolve_for_build(workspace_root)
        .expect("the XAPI document resolves")
        .document
        .path
}

/// A mock PBX served by a runtime owned by the test, with one API client per worker.
pub struct Pbx {
    runtime: tokio::runtime::Runtime,
    handle: Option<MockHandle>,
    base_url: String,
    clients: Vec<(String, String)>,
}

impl Pbx {
    /// Starts a mock of the built document with `rows` rows per entity set, accepting
    /// `clients` API clients and any number of token requests.
    pub fn start(rows: u64, clients: usize) -> Pbx {
        let credentials: Vec<(String, String)> = (0..clients.max(1))
            .map(|index| {
                (
                    format!("cli-test-{index}"),
                    format!("cli-test-secret-{index}"),
                )
            })
            .collect();
        Pbx::start_with(rows, credentials)
    }

    /// Starts a mock accepting exactly `clients` as (id, secret) pairs.
    pub fn start_with(rows: u64, clients: Vec<(String, String)>) -> Pbx {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a Tokio runtime starts");
        let mut builder = MockPbx::builder()
            .spec(document_path())
            .rows(rows)
            .token_requests_per_minute(None);
        for (id, secret) in &clients {
            builder = builder.client(id, secret);
        }
        let handle = runtime
            .block_on(builder.start())
            .expect("the mock PBX starts");
        let base_url = handle.base_url();
        Pbx {
            runtime,
            handle: Some(handle),
            base_url,
            clients,
        }
    }

    /// Returns the base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Creates an `xapi` command connected to this mock as client `index` through the environment.
    pub fn xapi(&self, index: usize) -> Command {
        let (id, secret) = &self.clients[index % self.clients.len()];
        let mut command = xapi();
        command
            .env("XAPI_PBX", &self.base_url)
            .env("XAPI_CLIENT_ID", id)
            .env("XAPI_CLIENT_SECRET", secret);
        command
    }
}

impl Drop for Pbx {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown());
        }
    }
}
