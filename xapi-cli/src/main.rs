//! `xapi`: a command line for the 3CX XAPI, the OData configuration API of 3CX V20 PBXs.
//!
//! It can call every operation of the XAPI document the binary was built from, by
//! operationId (`xapi call GetThing Id=1`) or through one subcommand per tag
//! (`xapi some-tag get-thing Id=1`), with path parameters given as `NAME=VALUE` and checked
//! against their types before anything is sent. `--all` pages through a whole collection. The
//! reply is written as JSON, NDJSON, CSV or a text table, and file replies are saved to disk.
//!
//! `xapi ops`, `xapi describe` and `xapi schema` read the operation catalog of `xapi-client`
//! and the document embedded at build time. `xapi mock` serves a mock PBX, and `--mock` runs
//! one command against a throwaway mock: `xapi --mock call OPERATION_ID`.
//!
//! Connection settings come from `--pbx`, `--client-id` and `--client-secret`, the variables
//! `XAPI_PBX`, `XAPI_CLIENT_ID` and `XAPI_CLIENT_SECRET`, or `xapi/config.toml` in the user's
//! config directory (see [`config`]). Exit status: 0 success, 1 local file error, 2 invalid
//! usage, 3 authentication failed, 4 API error, 5 transport failure or timeout.

mod arguments;
mod call;
mod cli;
mod config;
mod document;
mod download;
mod error;
mod inspect;
mod json_schema;
mod mock;
mod output;
mod progress;
mod sample;
mod session;
mod verbose;

use std::process::ExitCode;

use cli::{Command, Invocation};
use error::{CliError, Exit};
use verbose::{Scope, UrlSlot};

/// Environment variables clap reads settings from.
const SETTINGS_VARIABLES: [&str; 4] = [
    "XAPI_PBX",
    "XAPI_CLIENT_ID",
    "XAPI_CLIENT_SECRET",
    config::CONFIG_ENV,
];

fn main() -> ExitCode {
    // clap reads an empty variable as an empty value and rejects it; an empty variable means
    // unset here. Nothing else runs yet, so changing the environment races with no thread.
    for name in SETTINGS_VARIABLES {
        if std::env::var_os(name).is_some_and(|value| value.is_empty()) {
            std::env::remove_var(name);
        }
    }

    let matches = match cli::command(false).try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return clap_exit(&error),
    };
    let (global, invocation) = match cli::invocation(&matches) {
        Ok(parsed) => parsed,
        Err(error) => return clap_exit(&error),
    };

    let slot = UrlSlot::default();
    if global.verbose {
        let mock_events = matches!(invocation, Invocation::Builtin(Command::Mock(_)));
        verbose::install(slot.clone(), Scope { mock_events });
    }

    let result = run(&global, invocation, slot);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if !error.message.is_empty() {
                eprintln!("error: {}", error.message);
            }
            error.exit_code()
        }
    }
}

/// Prints a clap error or help text and returns its exit status (2 for usage errors).
fn clap_exit(error: &clap::Error) -> ExitCode {
    let _ = error.print();
    match error.use_stderr() {
        true => ExitCode::from(Exit::Usage as u8),
        false => ExitCode::SUCCESS,
    }
}

fn run(global: &cli::GlobalOptions, invocation: Invocation, slot: UrlSlot) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| CliError::failure(format!("cannot start the async runtime: {error}")))?;
    match invocation {
        Invocation::Operation(operation, options) => {
            runtime.block_on(call::run(global, slot, operation, &options))
        }
        Invocation::Builtin(command) => match command {
            Command::Call(command) => {
                let operation = call::find_operation(&command.operation_id)?;
                runtime.block_on(call::run(global, slot, operation, &command.call))
            }
            Command::Ops(command) => inspect::ops(global, &command),
            Command::Describe(command) => inspect::describe(global, &command),
            Command::Schema(command) => inspect::schema(global, &command),
            Command::Mock(command) => runtime.block_on(mock::run(&command)),
            Command::Completions(command) => inspect::completions(command.shell),
        },
    }
}
