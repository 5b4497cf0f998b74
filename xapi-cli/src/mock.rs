//! `xapi mock`: serves a mock PBX on 127.0.0.1 until interrupted.

use std::io::Write;

use xapi_mock::MockPbx;

use crate::cli::MockCommand;
use crate::error::CliError;

/// Starts the mock, prints the `XAPI_*` settings that point at it, and serves until Ctrl-C
/// (or SIGTERM on Unix).
///
/// The mock accepts its default client credentials, never the ones configured for a real PBX,
/// so that the secret of a real API entry is never printed here.
pub async fn run(command: &MockCommand) -> Result<(), CliError> {
    let builder = MockPbx::builder()
        .rows(command.rows)
        .port(command.port)
        .seed(command.seed)
        .token_requests_per_minute(match command.token_requests_per_minute {
            0 => None,
            limit => Some(limit),
        });
    let (builder, spec) = match &command.spec {
        Some(path) => (builder.spec(path.as_path()), path.display().to_string()),
        None => (
            builder.spec(crate::document::document().clone()),
            format!("the built-in document {}", crate::document::LABEL),
        ),
    };
    let pbx = builder
        .start()
        .await
        .map_err(|error| CliError::failure(format!("cannot start the mock PBX: {error}")))?;

    let mut stdout = std::io::stdout();
    let printed = writeln!(
        stdout,
        "XAPI_PBX={}\nXAPI_CLIENT_ID={}\nXAPI_CLIENT_SECRET={}",
        pbx.base_url(),
        pbx.client_id(),
        pbx.client_secret()
    )
    .and_then(|()| stdout.flush());
    if let Err(error) = printed {
        pbx.shutdown().await;
        return Err(crate::error::from_output(error));
    }
    eprintln!(
        "mock PBX serving {spec} on {} with {} rows per entity set; press Ctrl-C to stop",
        pbx.base_url(),
        command.rows
    );

    wait_for_stop().await;
    pbx.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_stop() {
    use tokio::signal::unix::{signal, SignalKind};

    match signal(SignalKind::terminate()) {
        Ok(mut terminate) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_stop() {
    let _ = tokio::signal::ctrl_c().await;
}
