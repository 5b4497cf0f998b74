//! Errors of the command line and the exit codes they map to.

use std::fmt;
use std::process::ExitCode;

use xapi_client::dynamic::CallError;
use xapi_client::Error;

/// Exit status of a failed command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The reader of standard output closed it (`xapi … | head`): stop quietly.
    OutputClosed = 0,
    /// A local failure: a file could not be read or written.
    Failure = 1,
    /// Invalid command line, arguments, body or settings.
    Usage = 2,
    /// No token could be obtained, or the PBX rejected it (HTTP 401).
    Auth = 3,
    /// The PBX responded with an error status, or with a reply that does not match the document.
    Api = 4,
    /// The PBX could not be reached, or it did not respond in time.
    Transport = 5,
}

/// A failed command: the message printed on stderr and the exit status.
#[derive(Debug)]
pub struct CliError {
    /// The exit status.
    pub exit: Exit,
    /// The description of the failure, possibly over several lines.
    pub message: String,
}

impl CliError {
    /// Creates a usage error (exit status 2).
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// Creates a local failure (exit status 1).
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            exit: Exit::Failure,
            message: message.into(),
        }
    }

    /// Returns the process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit as u8)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Start of the message `xapi-client` gives when the token request got no HTTP response.
// NOTE: `Error::Auth` does not tell a token endpoint that could not be reached from one that
// rejected the credentials, so the message text is matched. If that text changes, such
// failures exit with 3 instead of 5.
const TOKEN_TRANSPORT_FAILURE: &str = "the token request to ";

impl From<Error> for CliError {
    fn from(error: Error) -> Self {
        if let Error::Auth {
            status: None,
            message,
            ..
        } = &error
        {
            if message.starts_with(TOKEN_TRANSPORT_FAILURE) {
                return CliError {
                    exit: Exit::Transport,
                    message: format!(
                        "cannot reach the PBX: {message}; check the PBX URL and that the PBX is reachable"
                    ),
                };
            }
        }
        let exit = match &error {
            Error::Auth { .. } => Exit::Auth,
            Error::Api { status: 401, .. } => Exit::Auth,
            Error::Api { .. } | Error::Decode { .. } => Exit::Api,
            Error::Transport { .. } | Error::Timeout { .. } => Exit::Transport,
            Error::InvalidRequest { .. } => Exit::Usage,
            // `Error` is non-exhaustive; a kind added later is most likely an API failure.
            _ => Exit::Api,
        };
        let mut message = error.to_string();
        if let Error::Api { details, .. } = &error {
            for detail in details {
                message.push_str(&format!("\n  {}: {}", detail.code, detail.message));
                if let Some(target) = &detail.target {
                    message.push_str(&format!(" (target {target})"));
                }
            }
        }
        CliError { exit, message }
    }
}

/// Converts a dynamic call failure; argument and body problems list what the operation
/// expects.
pub fn from_call(error: CallError) -> CliError {
    match error {
        CallError::Call(error) => CliError::from(error),
        CallError::UnknownOperation { .. } => CliError::usage(error.to_string()),
        other => {
            let operation = match &other {
                CallError::MissingArgument { operation_id, .. }
                | CallError::InvalidArgument { operation_id, .. }
                | CallError::InvalidBody { operation_id, .. } => {
                    xapi_client::catalog::by_operation_id(operation_id)
                }
                _ => None,
            };
            match operation {
                Some(operation) => crate::arguments::usage(operation, other.to_string()),
                None => CliError::usage(other.to_string()),
            }
        }
    }
}

/// Maps an I/O error on standard output: a closed pipe (`xapi … | head`) ends the output
/// quietly, anything else is a failure.
pub fn from_output(error: std::io::Error) -> CliError {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return CliError {
            exit: Exit::OutputClosed,
            message: String::new(),
        };
    }
    CliError::failure(format!("cannot write the output: {error}"))
}
