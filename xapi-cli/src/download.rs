//! Saving file replies (recordings, greetings, backups, exports) to disk.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use xapi_client::catalog::Operation;
use xapi_client::file::{safe_file_name, Download};

use crate::error::{CliError, Exit};
use crate::progress::Progress;

/// The destination of a file reply.
enum Target {
    /// Standard output, which is not a terminal.
    Stdout,
    /// A file, which may replace an existing file only when `replace` is set.
    File { path: PathBuf, replace: bool },
}

/// Writes the file of `download` to `output`, or to the file name the PBX sent (made safe)
/// in the current directory, and prints the path written on stdout.
///
/// `-` writes the bytes to standard output unless it is a terminal. A file named by the PBX
/// is never overwritten; `--output` names one that may be.
pub async fn save(
    download: Download,
    operation: &Operation,
    output: Option<&Path>,
) -> Result<(), CliError> {
    let target = choose_target(&download, operation, output)?;
    let mut progress = Progress::new();
    let result = match &target {
        Target::Stdout => {
            let stdout = std::io::stdout();
            let mut writer = stdout.lock();
            copy(download, &mut writer, &mut progress).await
        }
        Target::File { path, replace } => write_file(download, path, *replace, &mut progress).await,
    };
    progress.finish();
    let written = result?;
    if let Target::File { path, .. } = target {
        if std::io::stderr().is_terminal() {
            eprintln!("saved {written} bytes to {}", path.display());
        }
        println!("{}", path.display());
    }
    Ok(())
}

fn choose_target(
    download: &Download,
    operation: &Operation,
    output: Option<&Path>,
) -> Result<Target, CliError> {
    let server_name = download
        .file_name
        .as_deref()
        .and_then(safe_file_name)
        .unwrap_or_else(|| format!("{}.bin", operation.operation_id));
    match output {
        Some(path) if path == Path::new("-") => {
            if std::io::stdout().is_terminal() {
                return Err(CliError::usage(
                    "refusing to write a downloaded file to the terminal; pass --output FILE or redirect standard output",
                ));
            }
            Ok(Target::Stdout)
        }
        Some(path) if path.is_dir() => Ok(Target::File {
            path: path.join(server_name),
            replace: false,
        }),
        Some(path) => Ok(Target::File {
            path: path.to_owned(),
            replace: true,
        }),
        None => Ok(Target::File {
            path: PathBuf::from(server_name),
            replace: false,
        }),
    }
}

/// Writes to `path.part` and renames it to `path` when the whole body has arrived, so that an
/// interrupted download never leaves a truncated file under the final name.
///
/// A path that exists and is not a regular file (a device such as `/dev/null`, a FIFO or a
/// symbolic link) is written directly, because renaming would replace it.
async fn write_file(
    download: Download,
    path: &Path,
    replace: bool,
    progress: &mut Progress,
) -> Result<u64, CliError> {
    let existing = std::fs::symlink_metadata(path).ok();
    if !replace && existing.is_some() {
        return Err(CliError::failure(format!(
            "{} already exists; pass --output FILE to overwrite it or to choose another name",
            path.display()
        )));
    }
    if existing.is_some_and(|metadata| !metadata.file_type().is_file()) {
        return write_in_place(download, path, progress).await;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".part");
    let partial = PathBuf::from(partial);
    let cannot_write = |error: std::io::Error| {
        CliError::failure(format!("cannot write {}: {error}", partial.display()))
    };

    let file = std::fs::File::create(&partial).map_err(cannot_write)?;
    let mut writer = std::io::BufWriter::new(file);
    let copied = copy(download, &mut writer, progress).await;
    let flushed = writer.flush().map_err(cannot_write);
    let written = match copied.and_then(|written| flushed.map(|_| written)) {
        Ok(written) => written,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, path).map_err(|error| {
        CliError::failure(format!(
            "cannot rename {} to {}: {error}",
            partial.display(),
            path.display()
        ))
    })?;
    Ok(written)
}

/// Writes the body straight into `path`.
async fn write_in_place(
    download: Download,
    path: &Path,
    progress: &mut Progress,
) -> Result<u64, CliError> {
    let cannot_write = |error: std::io::Error| {
        CliError::failure(format!("cannot write {}: {error}", path.display()))
    };
    let file = std::fs::File::create(path).map_err(cannot_write)?;
    let mut writer = std::io::BufWriter::new(file);
    let written = copy(download, &mut writer, progress).await?;
    writer.flush().map_err(cannot_write)?;
    Ok(written)
}

/// Copies the body to `writer` as it arrives and returns the number of bytes.
async fn copy(
    download: Download,
    writer: &mut dyn Write,
    progress: &mut Progress,
) -> Result<u64, CliError> {
    let mut stream = download.stream.into_inner();
    let mut written = 0u64;
    loop {
        let chunk = stream.try_next().await.map_err(|error| {
            let exit = Exit::Transport;
            let what = match error.is_timeout() {
                true => "timed out",
                false => "failed",
            };
            CliError {
                exit,
                message: format!("the download {what} after {written} bytes: {error}"),
            }
        })?;
        let Some(chunk) = chunk else {
            return Ok(written);
        };
        writer
            .write_all(&chunk)
            .map_err(crate::error::from_output)?;
        written += chunk.len() as u64;
        progress.show(&format!("downloaded {written} bytes"));
    }
}
