//! Downloads one call recording to a file named as the PBX names it.
//!
//! ```text
//! XAPI_PBX=https://pbx.example.com XAPI_CLIENT_ID=api-client XAPI_CLIENT_SECRET=… \
//!     cargo run -p xapi-client --example download_recording -- 42
//! ```

use futures::TryStreamExt;
use tokio::io::AsyncWriteExt;
use xapi_client::file::{safe_file_name, Download};
use xapi_client::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let setting = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let recording_id: i32 = std::env::args()
        .nth(1)
        .ok_or("usage: download_recording RECORDING_ID")?
        .parse()
        .map_err(|_| "the recording id is an integer")?;
    let client = Client::builder(setting("XAPI_PBX")?)
        .client_credentials(setting("XAPI_CLIENT_ID")?, setting("XAPI_CLIENT_SECRET")?)
        .build()?;

    let download = Download::new(client.download_recording(recording_id).await?);
    let name = download
        .file_name
        .as_deref()
        .and_then(safe_file_name)
        .unwrap_or_else(|| format!("recording-{recording_id}.wav"));
    let mut file = tokio::fs::File::create(&name).await?;
    let mut body = download.stream.into_inner();
    let mut size = 0usize;
    while let Some(chunk) = body.try_next().await? {
        file.write_all(&chunk).await?;
        size += chunk.len();
    }
    file.flush().await?;
    eprintln!("wrote {size} bytes to {name}");
    Ok(())
}
