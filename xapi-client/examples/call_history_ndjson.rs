//! Streams the call history to standard output as NDJSON, one call per line, holding one
//! page in memory at a time.
//!
//! ```text
//! XAPI_PBX=https://pbx.example.com XAPI_CLIENT_ID=api-client XAPI_CLIENT_SECRET=… \
//!     cargo run -p xapi-client --example call_history_ndjson > calls.ndjson
//! ```

use std::io::Write;

use futures::TryStreamExt;
use xapi_client::{Client, Query};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setting = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let client = Client::builder(setting("XAPI_PBX")?)
        .client_credentials(setting("XAPI_CLIENT_ID")?, setting("XAPI_CLIENT_SECRET")?)
        .build()?;

    let calls = client.paginate(Query::new().count(true), |page| async move {
        page.list_call_history_view().await
    });
    futures::pin_mut!(calls);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut written = 0u64;
    while let Some(call) = calls.try_next().await? {
        serde_json::to_writer(&mut out, &call)?;
        out.write_all(b"\n")?;
        written += 1;
    }
    out.flush()?;
    eprintln!("{written} calls written");
    Ok(())
}
