//! `cargo xtask bench`: how long code generation takes, and how many 100-row pages per second
//! the mock PBX serves on loopback.
//!
//! The load goes only to the mock this command starts on 127.0.0.1, and stops after the given
//! duration or request count, whichever comes first.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// Settings of one benchmark run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// How long the page load runs.
    pub duration: Duration,
    /// Most page requests sent in total.
    pub max_requests: u64,
    /// Rows in each entity set of the mock.
    pub rows: u64,
    /// Threads sending requests at once.
    pub concurrency: usize,
    /// Items per page (`$top`).
    pub page_size: u64,
}

/// Runs both benchmarks against the document at `spec` and prints the results.
pub fn run(spec: &Path, options: &BenchOptions) -> Result<()> {
    let document = xapi_spec::load(spec)?;
    println!("document: {} ({})", document.label, spec.display());
    bench_codegen(&document.value)?;
    bench_pages(spec, &document.value, options)
}

/// Times `xapi_codegen::generate` on the whole document, three runs.
fn bench_codegen(document: &Value) -> Result<()> {
    let mut timings = Vec::new();
    let mut lines = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let generated = xapi_codegen::generate(document, &xapi_codegen::Options::new())?;
        timings.push(started.elapsed());
        lines = generated.code.lines().count();
    }
    timings.sort();
    println!(
        "codegen: median {:.2?} (min {:.2?}, max {:.2?}) for {lines} lines",
        timings[1], timings[0], timings[2]
    );
    Ok(())
}

/// Finds a collection path without parameters that accepts `$top` and `$skip`.
fn collection_path(document: &Value) -> Option<String> {
    let mut paths: Vec<String> = xapi_codegen::document::operations(document)
        .into_iter()
        .filter(|(path, method, _)| *method == "get" && !path.contains('{') && !path.contains('('))
        .filter(|(path, _, operation)| {
            let item = &document["paths"][*path];
            let names: Vec<&str> = xapi_codegen::document::parameters(document, item, operation)
                .into_iter()
                .filter_map(|parameter| parameter.get("name").and_then(Value::as_str))
                .collect();
            names.contains(&"$top") && names.contains(&"$skip")
        })
        .map(|(path, _, _)| path.to_owned())
        .collect();
    paths.sort();
    paths.into_iter().next()
}

fn bench_pages(spec: &Path, document: &Value, options: &BenchOptions) -> Result<()> {
    let path = collection_path(document).context("the document has no paged collection")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let mock = runtime.block_on(
        xapi_mock::MockPbx::builder()
            .spec(spec)
            .rows(options.rows)
            .token_requests_per_minute(None)
            .top_cap(None)
            .start(),
    )?;
    let base = mock.base_url();
    let token = fetch_token(&base, mock.client_id(), mock.client_secret())?;
    println!(
        "pages: GET {path}?$top={} against the mock at {base} ({} rows, {} threads, {:?} or {} requests)",
        options.page_size, options.rows, options.concurrency, options.duration, options.max_requests
    );

    let sent = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let deadline = started + options.duration;
    let threads: Vec<_> = (0..options.concurrency)
        .map(|_| {
            let (sent, failed, latencies) = (sent.clone(), failed.clone(), latencies.clone());
            let url = format!("{base}/xapi/v1{path}");
            let (token, options) = (token.clone(), options.clone());
            std::thread::spawn(move || {
                load(&url, &token, &options, deadline, &sent, &failed, &latencies)
            })
        })
        .collect();
    for thread in threads {
        thread
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
    }
    let elapsed = started.elapsed();
    runtime.block_on(mock.shutdown());

    let pages = sent.load(Ordering::Relaxed);
    let mut latencies = latencies
        .lock()
        .map_err(|_| anyhow::anyhow!("latency list poisoned"))?
        .clone();
    latencies.sort();
    let percentile = |p: usize| {
        latencies
            .get(latencies.len().saturating_sub(1) * p / 100)
            .copied()
    };
    println!(
        "pages: {pages} pages of {} rows in {elapsed:.2?}: {:.0} pages/s, {:.0} rows/s, latency p50 {:.2?}, p99 {:.2?}",
        options.page_size,
        pages as f64 / elapsed.as_secs_f64(),
        (pages * options.page_size) as f64 / elapsed.as_secs_f64(),
        percentile(50).unwrap_or_default(),
        percentile(99).unwrap_or_default(),
    );
    Ok(())
}

fn load(
    url: &str,
    token: &str,
    options: &BenchOptions,
    deadline: Instant,
    sent: &AtomicU64,
    failed: &AtomicBool,
    latencies: &Mutex<Vec<Duration>>,
) -> Result<()> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let pages_in_set = (options.rows / options.page_size).max(1);
    let mut own = Vec::new();
    while Instant::now() < deadline && !failed.load(Ordering::Relaxed) {
        let index = sent.fetch_add(1, Ordering::Relaxed);
        if index >= options.max_requests {
            sent.fetch_sub(1, Ordering::Relaxed);
            break;
        }
        let skip = (index % pages_in_set) * options.page_size;
        let page_url = format!("{url}?$top={}&$skip={skip}", options.page_size);
        let started = Instant::now();
        let mut response = agent
            .get(&page_url)
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .with_context(|| format!("GET {page_url}"))?;
        let body = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()?;
        own.push(started.elapsed());
        let items = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|page| page.get("value").and_then(Value::as_array).map(Vec::len));
        if response.status() != 200 || items != Some(options.page_size as usize) {
            failed.store(true, Ordering::Relaxed);
            bail!(
                "GET {page_url} returned {} with {items:?} items",
                response.status()
            );
        }
    }
    latencies
        .lock()
        .map_err(|_| anyhow::anyhow!("latency list poisoned"))?
        .extend(own);
    Ok(())
}

fn fetch_token(base: &str, client_id: &str, client_secret: &str) -> Result<String> {
    let url = format!("{base}/connect/token");
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", client_secret),
    ];
    let mut response = ureq::post(&url)
        .send_form(form)
        .context("requesting a mock token")?;
    let reply: Value = serde_json::from_slice(&response.body_mut().read_to_vec()?)?;
    reply["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("the mock token reply has no access_token")
}
