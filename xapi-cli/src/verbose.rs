//! `--verbose` output on stderr: one line per request (method, URL, status, time, attempts),
//! read from the `xapi_request` spans that `xapi-client` opens around every request, and the
//! client's own log events (retries, token renewals).
//!
//! The spans carry the operation, method, status and timing but not the URL, so the command
//! records the URL of the request it is about to send in a [`UrlSlot`]. A `url` field on the
//! span, when present, is preferred. No field the client logs contains the secret or the token.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// Name of the span `xapi-client` opens around each request.
const REQUEST_SPAN: &str = "xapi_request";

/// The URL of the request being sent, shared between the command and the log layer.
#[derive(Clone, Default)]
pub struct UrlSlot(Arc<Mutex<Option<String>>>);

impl UrlSlot {
    /// Records the URL of the next request.
    pub fn set(&self, url: String) {
        *self.0.lock().unwrap_or_else(|error| error.into_inner()) = Some(url);
    }

    fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|error| error.into_inner())
            .clone()
    }
}

/// The selection of log events printed besides the request lines.
#[derive(Clone, Copy)]
pub struct Scope {
    /// Print events of `xapi_mock` too (the `xapi mock` command).
    pub mock_events: bool,
}

/// Installs the `--verbose` log layer as the global subscriber.
pub fn install(slot: UrlSlot, scope: Scope) {
    use tracing_subscriber::layer::SubscriberExt;

    let subscriber = tracing_subscriber::registry().with(VerboseLayer { slot, scope });
    // Only fails when a subscriber is already installed, which leaves logging as it was.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

struct VerboseLayer {
    slot: UrlSlot,
    scope: Scope,
}

/// The fields of one `xapi_request` span.
#[derive(Default)]
struct RequestFields {
    operation_id: String,
    method: String,
    url: Option<String>,
    attempt: Option<u64>,
    status: Option<u64>,
    elapsed_ms: Option<u64>,
}

impl Visit for RequestFields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "attempt" => self.attempt = Some(value),
            "status" => self.status = Some(value),
            "elapsed_ms" => self.elapsed_ms = Some(value),
            _ => {}
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "operation_id" => self.operation_id = value.to_owned(),
            "method" => self.method = value.to_owned(),
            "url" => self.url = Some(value.to_owned()),
            _ => {}
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `method = %request.method()` arrives here as a Display value wrapped in Debug.
        self.record_str(field, &format!("{value:?}"));
    }
}

/// The message and fields of a log event, as `message key=value …`.
#[derive(Default)]
struct EventText {
    message: String,
    fields: String,
}

impl Visit for EventText {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

impl<S> Layer<S> for VerboseLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        if attributes.metadata().name() != REQUEST_SPAN {
            return;
        }
        let mut fields = RequestFields::default();
        attributes.record(&mut fields);
        if fields.url.is_none() {
            fields.url = self.slot.get();
        }
        if let Some(span) = context.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, context: Context<'_, S>) {
        let Some(span) = context.span(id) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(fields) = extensions.get_mut::<RequestFields>() {
            values.record(fields);
        }
    }

    fn on_close(&self, id: Id, context: Context<'_, S>) {
        let Some(span) = context.span(&id) else {
            return;
        };
        let extensions = span.extensions();
        let Some(fields) = extensions.get::<RequestFields>() else {
            return;
        };
        let status = fields
            .status
            .map_or_else(|| "no response".to_owned(), |status| status.to_string());
        let elapsed = fields
            .elapsed_ms
            .map_or_else(String::new, |ms| format!(" in {ms} ms"));
        let attempts = match fields.attempt {
            Some(attempt) if attempt > 1 => format!(" after {attempt} attempts"),
            _ => String::new(),
        };
        let url = fields.url.as_deref().unwrap_or("(URL unknown)");
        let line = format!(
            "{} {url} -> {status}{elapsed}{attempts} ({})",
            fields.method, fields.operation_id
        );
        let _ = writeln!(std::io::stderr(), "{line}");
    }

    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let metadata = event.metadata();
        let target = metadata.target();
        let printed = target.starts_with("xapi_client")
            || (self.scope.mock_events && target.starts_with("xapi_mock"));
        if !printed || *metadata.level() > Level::DEBUG {
            return;
        }
        let mut text = EventText::default();
        event.record(&mut text);
        let level = metadata.level().as_str().to_ascii_lowercase();
        let _ = writeln!(
            std::io::stderr(),
            "{level}: {}{}",
            text.message,
            text.fields
        );
    }
}
