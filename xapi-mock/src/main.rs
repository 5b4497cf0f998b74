//! Command-line front end: serves a mock PBX on 127.0.0.1 until interrupted.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xapi_mock::MockPbx;

const USAGE: &str = "\
Usage: xapi-mock [--spec FILE] [--port N] [--rows N] [--seed N] [--client-id ID] [--client-secret SECRET]

Serves a mock 3CX PBX for the XAPI OpenAPI document FILE on 127.0.0.1.

Options:
  --spec FILE             OpenAPI document, YAML or JSON (default: ../shared/xapi-spec/xapi-20.0.10.yaml
                          relative to the workspace root, if present)
  --port N                port on 127.0.0.1; 0 picks a free port (default 0)
  --rows N                seeded rows per entity set (default 25)
  --seed N                seed of the generated data (default 1)
  --client-id ID          accepted client id (default mock-client)
  --client-secret SECRET  accepted client secret (default mock-secret)
  -h, --help              print this help

Log verbosity follows RUST_LOG=error|warn|info|debug|trace (default info).";

/// Default document file name inside the shared folder beside the workspace.
const DEFAULT_SPEC_FILE: &str = "xapi-20.0.10.yaml";

struct Args {
    spec: Option<PathBuf>,
    port: u16,
    rows: u64,
    seed: u64,
    client_id: String,
    client_secret: String,
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut args = Args {
        spec: None,
        port: 0,
        rows: 25,
        seed: 1,
        client_id: xapi_mock::DEFAULT_CLIENT_ID.to_owned(),
        client_secret: xapi_mock::DEFAULT_CLIENT_SECRET.to_owned(),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let (name, inline) = match flag.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (flag.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| iter.next())
                .ok_or_else(|| format!("the option {name} needs a value"))
        };
        let number = |text: String, what: &str| {
            text.parse::<u64>()
                .map_err(|_| format!("invalid {what} '{text}': expected a non-negative integer"))
        };
        match name.as_str() {
            "--spec" => args.spec = Some(PathBuf::from(value()?)),
            "--port" => {
                let text = value()?;
                args.port = text
                    .parse()
                    .map_err(|_| format!("invalid port '{text}': expected 0 to 65535"))?;
            }
            "--rows" => args.rows = number(value()?, "row count")?,
            "--seed" => args.seed = number(value()?, "seed")?,
            "--client-id" => args.client_id = value()?,
            "--client-secret" => args.client_secret = value()?,
            other => return Err(format!("unknown option '{other}'; see --help")),
        }
    }
    Ok(Some(args))
}

/// Finds the default document: in `../shared/xapi-spec/` from the current directory
/// (the workspace root under `cargo run`), else relative to this crate's workspace.
fn default_spec() -> Option<PathBuf> {
    let candidates = [
        PathBuf::from("../shared/xapi-spec").join(DEFAULT_SPEC_FILE),
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/xapi-spec")
            .join(DEFAULT_SPEC_FILE),
    ];
    candidates.into_iter().find(|path| path.is_file())
}

fn init_logging() {
    let level = match std::env::var("RUST_LOG")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .as_str()
    {
        "error" => tracing::Level::ERROR,
        "warn" => tracing::Level::WARN,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    let Some(spec) = args.spec.or_else(default_spec) else {
        eprintln!(
            "error: no OpenAPI document given and ../shared/xapi-spec/{DEFAULT_SPEC_FILE} was not found; pass --spec FILE"
        );
        return ExitCode::from(2);
    };

    let started = std::time::Instant::now();
    let pbx = match MockPbx::builder()
        .spec(spec.as_path())
        .port(args.port)
        .rows(args.rows)
        .seed(args.seed)
        .client(&args.client_id, &args.client_secret)
        .start()
        .await
    {
        Ok(pbx) => pbx,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(
        spec = %spec.display(),
        rows = args.rows,
        seed = args.seed,
        startup_ms = started.elapsed().as_millis() as u64,
        "mock PBX ready"
    );
    println!("XAPI_PBX={}", pbx.base_url());
    println!("XAPI_CLIENT_ID={}", pbx.client_id());
    println!("XAPI_CLIENT_SECRET={}", pbx.client_secret());

    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {error}");
    }
    pbx.shutdown().await;
    ExitCode::SUCCESS
}
