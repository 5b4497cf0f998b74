//! Lists the users whose last name starts with a prefix, streaming every page.
//!
//! ```text
//! XAPI_CLIENT_SECRET=… cargo run -p xapi-client --example list_users -- \
//!     --base-url https://pbx.example.com --client-id api-client --prefix Sm
//! ```

use futures::TryStreamExt;
use xapi_client::filter::field;
use xapi_client::{Client, Query};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let arguments = Arguments::parse()?;
    let client = Client::builder(&arguments.base_url)
        .client_credentials(&arguments.client_id, &arguments.client_secret)
        .build()?;

    let query = Query::new()
        .filter(field("LastName").starts_with(arguments.prefix.as_str()))
        .select(["Id", "Number", "FirstName", "LastName"])
        .order_by("Number");
    let users = client.paginate(query, |page| async move { page.list_user().await });
    futures::pin_mut!(users);
    while let Some(user) = users.try_next().await? {
        println!(
            "{:>6} {} {}",
            user.number.unwrap_or_default(),
            user.first_name.unwrap_or_default(),
            user.last_name.unwrap_or_default()
        );
    }
    Ok(())
}

struct Arguments {
    base_url: String,
    client_id: String,
    client_secret: String,
    prefix: String,
}

impl Arguments {
    fn parse() -> Result<Arguments, String> {
        let mut base_url = std::env::var("XAPI_PBX").ok();
        let mut client_id = std::env::var("XAPI_CLIENT_ID").ok();
        let client_secret = std::env::var("XAPI_CLIENT_SECRET").ok();
        let mut prefix = String::new();
        let mut arguments = std::env::args().skip(1);
        while let Some(argument) = arguments.next() {
            match argument.as_str() {
                "--base-url" => base_url = arguments.next(),
                "--client-id" => client_id = arguments.next(),
                "--prefix" => prefix = arguments.next().unwrap_or_default(),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        let usage = "usage: list_users --base-url URL --client-id ID [--prefix TEXT], secret in XAPI_CLIENT_SECRET";
        Ok(Arguments {
            base_url: base_url.ok_or(usage)?,
            client_id: client_id.ok_or(usage)?,
            client_secret: client_secret.ok_or(usage)?,
            prefix,
        })
    }
}
