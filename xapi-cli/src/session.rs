//! The client a command calls through: connected to the configured PBX, or to a throwaway
//! mock PBX with `--mock`.

use std::time::Duration;

use xapi_client::Client;
use xapi_mock::{MockHandle, MockPbx};

use crate::cli::GlobalOptions;
use crate::config::{self, ExplicitSettings};
use crate::error::CliError;
use crate::verbose::UrlSlot;

/// Path below the PBX root where the XAPI is served.
const XAPI_PREFIX: &str = "/xapi/v1";

/// A connected client and what the command needs to report on its requests.
pub struct Session {
    /// The client.
    pub client: Client,
    /// Base URL of the XAPI, ending in `/xapi/v1`, for the URLs `--verbose` prints.
    pub api_url: String,
    /// The slot that records the URL of the next request for `--verbose`.
    pub slot: UrlSlot,
    /// Whether `--verbose` is on.
    pub verbose: bool,
    mock: Option<MockHandle>,
}

impl Session {
    /// Connects as `global` sets: to a new in-process mock with `--mock`, else to the PBX of
    /// the resolved connection settings.
    pub async fn open(global: &GlobalOptions, slot: UrlSlot) -> Result<Session, CliError> {
        let (connection, mock) = match global.mock {
            true => {
                let mock = start_mock(global.mock_rows).await?;
                let connection = config::Connection {
                    pbx: mock.base_url(),
                    client_id: mock.client_id().to_owned(),
                    client_secret: mock.client_secret().to_owned(),
                    origin: "--mock".to_owned(),
                };
                (connection, Some(mock))
            }
            false => {
                let settings = ExplicitSettings {
                    pbx: global.pbx.clone(),
                    client_id: global.client_id.clone(),
                    client_secret: global.client_secret.clone(),
                    config: global.config.clone(),
                };
                (config::resolve(settings)?, None)
            }
        };
        if global.verbose {
            eprintln!(
                "connecting to {} as client {} (settings from {})",
                connection.pbx, connection.client_id, connection.origin
            );
        }

        let client = Client::builder(connection.pbx.clone())
            .client_credentials(connection.client_id.clone(), connection.client_secret)
            .timeout(Duration::from_secs(global.timeout.max(1)))
            .user_agent(concat!("xapi-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| CliError::usage(error.to_string()))?;
        let trimmed = connection.pbx.trim_end_matches('/');
        let api_url = match trimmed.ends_with(XAPI_PREFIX) {
            true => trimmed.to_owned(),
            false => format!("{trimmed}{XAPI_PREFIX}"),
        };
        Ok(Session {
            client,
            api_url,
            slot,
            verbose: global.verbose,
            mock,
        })
    }

    /// Records the URL of the request about to be sent, for `--verbose`.
    pub fn announce(&self, path_and_query: &str) {
        if self.verbose {
            self.slot.set(format!("{}{path_and_query}", self.api_url));
        }
    }

    /// Stops the mock PBX, if one was started.
    pub async fn close(self) {
        if let Some(mock) = self.mock {
            mock.shutdown().await;
        }
    }
}

/// Starts a mock PBX serving the embedded document with `rows` rows per entity set.
async fn start_mock(rows: u64) -> Result<MockHandle, CliError> {
    MockPbx::builder()
        .spec(crate::document::document().clone())
        .rows(rows)
        .start()
        .await
        .map_err(|error| CliError::failure(format!("cannot start the mock PBX: {error}")))
}
