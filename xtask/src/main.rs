//! `cargo xtask`: workspace tasks for the 3CX XAPI client.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use xapi_spec::{Document, Lock, LOCK_PATH, VENDOR_PATH};
use xtask::features::{FeaturesOutcome, CLIENT_MANIFEST};
use xtask::pull::{Credentials, Secret};
use xtask::workspace::{self, VendorReport};

/// Workspace tasks for the 3CX XAPI client.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    /// Workspace to operate on [default: the workspace that contains this xtask]
    #[arg(long, global = true, value_name = "DIR")]
    workspace_root: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Pin, download, check and compare XAPI documents
    #[command(subcommand)]
    Spec(SpecCommand),

    /// Print one line per generated client method: operationId, HTTP method, path, Rust
    /// signature and success type
    Surface {
        /// Document to generate from [default: the document the build resolves]
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },

    /// Run every check: fmt, clippy, the workspace tests, then the xapi-tests package once per
    /// other document in ../shared/xapi-spec
    Test {
        /// Run only the workspace tests against the pinned document
        #[arg(long)]
        quick: bool,
    },

    /// Time code generation and measure how many pages per second the mock PBX serves
    Bench {
        /// Document to use [default: the document the build resolves]
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,

        /// Seconds the page load runs
        #[arg(long, default_value_t = 10)]
        seconds: u64,

        /// Most page requests sent in total
        #[arg(long, default_value_t = 200_000)]
        max_requests: u64,

        /// Rows in each entity set of the mock
        #[arg(long, default_value_t = 100_000)]
        rows: u64,

        /// Threads sending requests at once
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
    },
}

#[derive(Debug, Subcommand)]
enum SpecCommand {
    /// Validate FILE, copy it to xapi-spec/vendor/xapi.yaml, update xapi-spec/xapi.lock and
    /// the tag features of xapi-client
    Vendor {
        /// OpenAPI 3.0 document, YAML or JSON
        file: PathBuf,

        /// Label to record in the lock [default: the file name without its extension]
        #[arg(long)]
        label: Option<String>,
    },

    /// Download URL/xapi/v1/swagger.yaml from a PBX, then vendor it like `spec vendor`
    Pull {
        /// Base URL of the PBX, such as https://pbx.example.com:5001
        url: String,

        /// Client ID of an API client with XAPI access, used if the PBX responds with 401
        #[arg(long, env = "XAPI_CLIENT_ID")]
        client_id: Option<String>,

        /// Secret (API key) of that client. Prefer the environment variable, because other
        /// users of the machine can see command-line arguments
        #[arg(long, env = "XAPI_CLIENT_SECRET", hide_env_values = true)]
        client_secret: Option<Secret>,

        /// Label to record in the lock [default: the PBX's host name]
        #[arg(long)]
        label: Option<String>,
    },

    /// Validate FILE and print its label, sha256, OpenAPI version and counts, and whether the
    /// lock pins it
    Check {
        /// Document to check [default: the document the build resolves]
        file: Option<PathBuf>,
    },

    /// Rewrite the tag features of xapi-client/Cargo.toml from the document the build resolves
    Features,

    /// List the operations, parameters, schemas, properties and enum members that changed
    /// from OLD to NEW, and which changes break code using the client generated from OLD.
    /// Exits with 1 when a change is breaking, 2 when a document cannot be read
    Diff {
        /// Older document, YAML or JSON
        old: PathBuf,

        /// Newer document, YAML or JSON
        new: PathBuf,

        /// Report format
        #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
    },
}

/// Output format of `spec diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Grouped by kind of change, with counts, breaking changes marked with `!`
    Text,
    /// Markdown for a pull request description: a table of counts, then one section per kind
    Md,
    /// One JSON object with counts and every change
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.workspace_root.clone().unwrap_or_else(default_root);
    // `spec diff` keeps exit status 1 for "breaking changes found", as diff(1) keeps 1 for
    // "files differ", so that scripts can tell that apart from a failure.
    let failure = match cli.command {
        Command::Spec(SpecCommand::Diff { .. }) => ExitCode::from(2),
        _ => ExitCode::FAILURE,
    };
    match run(cli.command, &root) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {}", error_chain(&error));
            failure
        }
    }
}

/// Joins the error and its causes with `: `, leaving out a cause whose text the message already
/// contains, as the I/O errors inside `xapi_spec::Error` messages are.
fn error_chain(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// Returns the workspace that contains this crate.
fn default_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

fn run(command: Command, root: &Path) -> anyhow::Result<ExitCode> {
    match command {
        Command::Spec(SpecCommand::Vendor { file, label }) => vendor_file(root, &file, label)?,
        Command::Spec(SpecCommand::Pull {
            url,
            client_id,
            client_secret,
            label,
        }) => pull(root, &url, client_id, client_secret, label)?,
        Command::Spec(SpecCommand::Check { file }) => check(root, file.as_deref())?,
        Command::Spec(SpecCommand::Features) => features(root)?,
        Command::Spec(SpecCommand::Diff { old, new, format }) => {
            return spec_diff(&old, &new, format)
        }
        Command::Surface { spec } => surface(root, spec.as_deref())?,
        Command::Test { quick } => xtask::test_all::run(root, quick)?,
        Command::Bench {
            spec,
            seconds,
            max_requests,
            rows,
            concurrency,
        } => {
            let spec = match spec {
                Some(spec) => spec,
                None => xapi_spec::resolve_for_build(root)?.source.path().to_owned(),
            };
            let options = xtask::bench::BenchOptions {
                duration: std::time::Duration::from_secs(seconds),
                max_requests,
                rows,
                concurrency: concurrency.max(1),
                page_size: 100,
            };
            xtask::bench::run(&spec, &options)?
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn vendor_file(root: &Path, file: &Path, label: Option<String>) -> anyhow::Result<()> {
    let document = xapi_spec::load(file)?;
    let source = workspace::lock_source(root, file);
    let report = workspace::vendor(root, &document, &source, label.as_deref())?;
    print_vendor_report(&report);
    Ok(())
}

fn pull(
    root: &Path,
    url: &str,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    label: Option<String>,
) -> anyhow::Result<()> {
    let credentials = match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => Some(Credentials {
            client_id,
            client_secret,
        }),
        (None, None) => None,
        (Some(_), None) => anyhow::bail!(
            "--client-id is set but --client-secret is not; pass both, or set XAPI_CLIENT_SECRET"
        ),
        (None, Some(_)) => anyhow::bail!(
            "--client-secret is set but --client-id is not; pass both, or set XAPI_CLIENT_ID"
        ),
    };

    let base = xtask::pull::base_url(url)?;
    let pulled = xtask::pull::pull(&base, credentials.as_ref())?;
    let token_note = if pulled.used_token {
        " with a token"
    } else {
        " without a token"
    };
    println!("downloaded {}{token_note}", pulled.document_url);

    let document = xapi_spec::parse(Path::new(&pulled.document_url), pulled.bytes)?;
    let label = label.unwrap_or_else(|| host_label(&base));
    let report = workspace::vendor(root, &document, &base, Some(&label))?;
    print_vendor_report(&report);
    Ok(())
}

/// Returns the host of a base URL, without scheme, port or path.
fn host_label(base: &str) -> String {
    let after_scheme = base.split_once("://").map_or(base, |(_, rest)| rest);
    let authority = after_scheme.split('/').next().unwrap_or(after_scheme);
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host.to_owned(),
        _ => authority.to_owned(),
    }
}

fn print_vendor_report(report: &VendorReport) {
    let summary = &report.summary;
    println!(
        "vendored {} (sha256 {}, OpenAPI {}, {} operations) to {VENDOR_PATH}",
        report.lock.label, summary.sha256, summary.openapi, summary.operations
    );
    println!("wrote {LOCK_PATH} (source {})", report.lock.source);
    print_features_outcome(&report.features);
}

fn print_features_outcome(outcome: &FeaturesOutcome) {
    match outcome {
        FeaturesOutcome::Written(count) => {
            println!("wrote {count} tag features to {CLIENT_MANIFEST}")
        }
        FeaturesOutcome::Unchanged(count) => {
            println!("{CLIENT_MANIFEST} already lists these {count} tag features")
        }
        FeaturesOutcome::NoMarkers => println!(
            "note: {CLIENT_MANIFEST} is missing or has no tag feature markers, so no feature list was written"
        ),
        _ => {}
    }
}

fn check(root: &Path, file: Option<&Path>) -> anyhow::Result<()> {
    let (document, origin) = match file {
        Some(file) => (xapi_spec::load(file)?, file.display().to_string()),
        None => {
            let spec = xapi_spec::resolve_for_build(root)?;
            let origin = spec.source.to_string();
            (spec.document, origin)
        }
    };
    let summary = xapi_spec::validate(&document)?;

    println!("file:       {origin}");
    println!("label:      {}", summary.label);
    println!("format:     {}", document.format);
    println!("sha256:     {}", summary.sha256);
    println!("openapi:    {}", summary.openapi);
    println!("paths:      {}", summary.paths);
    println!("operations: {}", summary.operations);
    println!("schemas:    {}", summary.schemas);
    println!("tags:       {}", summary.tags);
    println!("lock:       {}", lock_status(root, &summary.sha256)?);
    Ok(())
}

/// Describes whether the workspace's lock pins the document with `sha256`.
fn lock_status(root: &Path, sha256: &str) -> anyhow::Result<String> {
    let path = root.join(LOCK_PATH);
    if !path.is_file() {
        return Ok(format!("no lock file at {LOCK_PATH}"));
    }
    let lock = Lock::read(&path)?;
    Ok(if lock.sha256 == sha256 {
        format!("matches {LOCK_PATH} ({})", lock.label)
    } else {
        format!(
            "does not match {LOCK_PATH}, which pins {} (sha256 {})",
            lock.label, lock.sha256
        )
    })
}

fn features(root: &Path) -> anyhow::Result<()> {
    let spec = xapi_spec::resolve_for_build(root)?;
    let outcome = workspace::update_features(root, &spec.document.value)?;
    println!("document:   {}", spec.source);
    print_features_outcome(&outcome);
    Ok(())
}

fn surface(root: &Path, spec: Option<&Path>) -> anyhow::Result<()> {
    let document: Document = match spec {
        Some(file) => {
            let document = xapi_spec::load(file)?;
            xapi_spec::validate(&document)?;
            document
        }
        None => xapi_spec::resolve_for_build(root)?.document,
    };
    let generated = xapi_codegen::generate(&document.value, &xapi_codegen::Options::new())
        .with_context(|| format!("cannot generate code from {}", document.path.display()))?;
    for entry in &generated.surface {
        println!("{entry}");
    }
    eprintln!("{} operations", generated.surface.len());
    Ok(())
}

/// Prints the changes from `old` to `new` in `format`; the exit status is 1 when one of them
/// is breaking.
fn spec_diff(old: &Path, new: &Path, format: DiffFormat) -> anyhow::Result<ExitCode> {
    let old = load_valid(old)?;
    let new = load_valid(new)?;
    let diff = xapi_spec::diff(&old, &new);
    match format {
        DiffFormat::Text => print!("{}", diff.to_text()),
        DiffFormat::Md => print!("{}", diff.to_markdown()),
        DiffFormat::Json => println!("{:#}", diff.to_json()),
    }
    Ok(if diff.has_breaking() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn load_valid(file: &Path) -> anyhow::Result<Document> {
    let document = xapi_spec::load(file)?;
    xapi_spec::validate(&document)?;
    Ok(document)
}
