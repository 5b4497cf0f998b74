//! Prints the PBX's licence status.
//!
//! ```text
//! cargo run -p xapi-client --example license_status -- --base-url https://pbx.example.com --token TOKEN
//! ```
//!
//! The token can also come from the `XAPI_TOKEN` environment variable, which keeps it out of
//! the shell history.

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let mut base_url = None;
    let mut token = std::env::var("XAPI_TOKEN").ok();
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--base-url" => base_url = arguments.next(),
            "--token" => token = arguments.next(),
            other => {
                eprintln!("unknown argument {other:?}; usage: license_status --base-url URL --token TOKEN");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(base_url), Some(token)) = (base_url, token) else {
        eprintln!("usage: license_status --base-url URL --token TOKEN (or XAPI_TOKEN=TOKEN)");
        return ExitCode::from(2);
    };

    let client = match xapi_client::Client::builder(base_url)
        .bearer_token(token)
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match client.get_license_status().await {
        Ok(response) => {
            let status = response.into_inner();
            match serde_json::to_string_pretty(&status) {
                Ok(json) => println!("{json}"),
                Err(error) => eprintln!("error: cannot print the reply: {error}"),
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: GetLicenseStatus failed: {error}");
            ExitCode::from(4)
        }
    }
}
