//! Connection settings: the PBX URL and the API client's credentials, from command-line
//! options, the environment, or a config file, in that order of precedence.
//!
//! The config file is TOML with the keys `pbx`, `client_id` and `client_secret`. It is read
//! from `--config FILE`, else `$XAPI_CONFIG`, else `xapi/config.toml` in the user's config
//! directory: `$XDG_CONFIG_HOME`, else `~/.config`, and `%APPDATA%` on Windows. It is read only
//! when an option or variable leaves a setting unset. Because it may contain the secret, a file
//! that group or others can access is rejected on Unix.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::CliError;

/// Environment variable naming the config file.
pub const CONFIG_ENV: &str = "XAPI_CONFIG";

/// The settings a connection needs.
pub struct Connection {
    /// Base URL of the PBX (`https://pbx.example.com`).
    pub pbx: String,
    /// Client id of the API entry.
    pub client_id: String,
    /// The API entry's secret; never printed.
    pub client_secret: String,
    /// The sources of the settings, for `--verbose` (never includes the secret).
    pub origin: String,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("pbx", &self.pbx)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

/// Settings from options or environment variables (clap has merged the two).
#[derive(Default)]
pub struct ExplicitSettings {
    /// Base URL of the PBX.
    pub pbx: Option<String>,
    /// Client id of the API entry.
    pub client_id: Option<String>,
    /// The API entry's secret.
    pub client_secret: Option<String>,
    /// The config file named by `--config` or `XAPI_CONFIG`.
    pub config: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    pbx: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// Completes the explicit settings from the config file and checks that all three are set.
///
/// A config file named explicitly must exist; the default one is read only if it exists.
pub fn resolve(settings: ExplicitSettings) -> Result<Connection, CliError> {
    let complete =
        settings.pbx.is_some() && settings.client_id.is_some() && settings.client_secret.is_some();
    let named_path = settings.config.clone();
    let path = named_path.clone().or_else(default_path);

    let mut origin = "options and environment".to_owned();
    let mut file = FileSettings::default();
    if let (false, Some(path)) = (complete, &path) {
        if named_path.is_some() || path.is_file() {
            file = read(path)?;
            origin = format!("options, environment and {}", path.display());
        }
    }

    let pbx = settings.pbx.or(file.pbx);
    let client_id = settings.client_id.or(file.client_id);
    let client_secret = settings.client_secret.or(file.client_secret);
    let mut missing = Vec::new();
    if pbx.is_none() {
        missing.push("the PBX URL (--pbx or XAPI_PBX)");
    }
    if client_id.is_none() {
        missing.push("the client id (--client-id or XAPI_CLIENT_ID)");
    }
    if client_secret.is_none() {
        missing.push("the client secret (XAPI_CLIENT_SECRET or --client-secret)");
    }
    if !missing.is_empty() {
        let file_hint = match &path {
            Some(path) => format!(
                "\nOr write them to {} as:\n  pbx = \"https://pbx.example.com\"\n  client_id = \"…\"\n  client_secret = \"…\"\nwith mode 600. To try a command against a built-in mock PBX, add --mock.",
                path.display()
            ),
            None => String::new(),
        };
        return Err(CliError::usage(format!(
            "missing connection settings: {}{file_hint}",
            missing.join(", ")
        )));
    }
    Ok(Connection {
        pbx: pbx.unwrap_or_default(),
        client_id: client_id.unwrap_or_default(),
        client_secret: client_secret.unwrap_or_default(),
        origin,
    })
}

/// `xapi/config.toml` in the user's config directory.
pub fn default_path() -> Option<PathBuf> {
    let non_empty = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let directory = if cfg!(windows) {
        non_empty("APPDATA").map(PathBuf::from)
    } else {
        non_empty("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".config")))
    };
    directory.map(|directory| directory.join("xapi").join("config.toml"))
}

fn read(path: &Path) -> Result<FileSettings, CliError> {
    check_permissions(path)?;
    let text = std::fs::read_to_string(path).map_err(|error| {
        CliError::usage(format!(
            "cannot read the config file {}: {error}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|error| {
        CliError::usage(format!(
            "invalid config file {}: {}\nThe file may set only pbx, client_id and client_secret.",
            path.display(),
            error.to_string().trim_end()
        ))
    })
}

/// Rejects a config file that group or others can read or write, because it may contain the
/// secret. Only Unix modes are checked, so file system ACLs elsewhere are not.
#[cfg(unix)]
fn check_permissions(path: &Path) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;

    let metadata = std::fs::metadata(path).map_err(|error| {
        CliError::usage(format!(
            "cannot read the config file {}: {error}",
            path.display()
        ))
    })?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CliError::usage(format!(
            "the config file {} is accessible by group or others (mode {mode:03o}) and may hold the client secret; run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_permissions(_path: &Path) -> Result<(), CliError> {
    Ok(())
}
