//! Per-client state carried by the generated [`crate::Client`] and the hooks that apply it to
//! every request: the bearer token and the OData query options of the call.

use std::fmt;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, Error, OperationInfo};

use crate::catalog;
use crate::query::{encode_query_value, Query};
use crate::Client;

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::from(value.into()))
    }

    /// Returns the secret value; call only where it is sent.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

/// State shared by a client and every copy made from it.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) bearer_token: Option<Secret>,
}

/// The inner value of the generated client: shared state plus the query of one call.
#[derive(Debug, Clone)]
pub struct Context {
    pub(crate) shared: Arc<Shared>,
    pub(crate) query: Option<Arc<Query>>,
}

impl Context {
    pub(crate) fn new(shared: Shared) -> Self {
        Context {
            shared: Arc::new(shared),
            query: None,
        }
    }
}

impl ClientHooks<Context> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let context = self.inner();
        if let Some(query) = &context.query {
            apply_query(request, info.operation_id, query).map_err(Error::InvalidRequest)?;
        }
        if let Some(token) = &context.shared.bearer_token {
            let value = format!("Bearer {}", token.expose());
            let mut header = reqwest::header::HeaderValue::from_str(&value).map_err(|_| {
                Error::InvalidRequest(
                    "the bearer token contains characters not allowed in an HTTP header".to_owned(),
                )
            })?;
            header.set_sensitive(true);
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, header);
        }
        Ok(())
    }
}

/// Appends the query options to the request URL after checking that the operation takes each.
fn apply_query(
    request: &mut reqwest::Request,
    rust_method: &str,
    query: &Query,
) -> Result<(), String> {
    let pairs = query.pairs();
    if pairs.is_empty() {
        return Ok(());
    }
    let operation = catalog::by_rust_method(rust_method);
    let accepted = operation
        .map(|operation| operation.query_options)
        .unwrap_or(&[]);
    let operation_id = operation.map_or(rust_method, |operation| operation.operation_id);
    for (name, _) in &pairs {
        if !accepted.contains(name) {
            let accepted = match accepted.is_empty() {
                true => "none".to_owned(),
                false => accepted.join(" "),
            };
            return Err(format!(
                "operation {operation_id} does not accept the query option {name} \
                 (it accepts: {accepted}); remove it from the Query"
            ));
        }
    }

    let url = request.url_mut();
    let mut query_string = url.query().unwrap_or("").to_owned();
    for (name, value) in pairs {
        if !query_string.is_empty() {
            query_string.push('&');
        }
        query_string.push_str(name);
        query_string.push('=');
        encode_query_value(&value, &mut query_string);
    }
    url.set_query(Some(&query_string));
    Ok(())
}
