//! `xapi call` and the per-tag operation subcommands: checks the arguments, sends the request
//! (or every page of it with `--all`) and writes the reply.

use std::io::{IsTerminal, Read, Write};

use serde_json::Value;
use xapi_client::catalog::Operation;
use xapi_client::dynamic::{self, Arguments, Reply};
use xapi_client::Query;

use crate::cli::{is_pageable, CallOptions, GlobalOptions, QueryOptions};
use crate::error::{from_call, from_output, CliError};
use crate::output::{self, Format, RowWriter};
use crate::progress::Progress;
use crate::session::Session;
use crate::verbose::UrlSlot;

/// Looks up an operation by operationId ignoring case, suggesting near misses when none has it.
pub fn find_operation(operation_id: &str) -> Result<&'static Operation, CliError> {
    xapi_client::catalog::by_operation_id(operation_id).ok_or_else(|| {
        let suggestions = dynamic::suggestions(operation_id);
        let hint = match suggestions.is_empty() {
            true => "; `xapi ops --search WORD` lists operations".to_owned(),
            false => format!("; did you mean {}?", suggestions.join(" or ")),
        };
        CliError::usage(format!("unknown operation {operation_id:?}{hint}"))
    })
}

/// Runs one operation as `options` describe.
pub async fn run(
    global: &GlobalOptions,
    slot: UrlSlot,
    operation: &'static Operation,
    options: &CallOptions,
) -> Result<(), CliError> {
    let mut arguments = crate::arguments::parse(operation, &options.arguments)?;
    if let Some(body) = read_body(operation, options.body.as_deref())? {
        if !options.no_body_check {
            check_body(operation, &body)?;
        }
        arguments.set_body(body);
    }
    let query = build_query(operation, &options.query)?;
    if options.all && !is_pageable(operation) {
        return Err(crate::arguments::usage(
            operation,
            format!(
                "--all needs an operation that takes $top and $skip; {} does not",
                operation.operation_id
            ),
        ));
    }
    let columns = options
        .query
        .select
        .as_deref()
        .map(split_list)
        .unwrap_or_default();

    let session = Session::open(global, slot).await?;
    // A file reply is saved by `download::save`, which handles `--output` itself.
    let mut output = match operation.file_response {
        true => Output::stdout(),
        false => Output::open(global)?,
    };
    let format = global.output_format.unwrap_or(match options.all {
        true => Format::Ndjson,
        false => Format::Json,
    });
    let call = Call {
        session: &session,
        operation,
        arguments: &arguments,
    };
    let result = match options.all {
        true => {
            let mut writer = RowWriter::new(format, output.pretty, columns);
            call.all(query, options.page_size, &mut writer, &mut output)
                .await
        }
        false => {
            call.once(query, format, &columns, global, &mut output)
                .await
        }
    };
    session.close().await;
    result
}

/// Reads `--body`: JSON text, `@FILE`, or `@-` for standard input.
///
/// An operation whose body the document marks optional gets `{}` when none is given.
fn read_body(operation: &Operation, body: Option<&str>) -> Result<Option<Value>, CliError> {
    let Some(body) = body else {
        if !operation.has_body {
            return Ok(None);
        }
        let required = crate::document::body(operation).is_none_or(|body| body.required);
        if required {
            return Err(crate::arguments::usage(
                operation,
                format!("{} needs a request body (--body)", operation.operation_id),
            ));
        }
        return Ok(Some(Value::Object(serde_json::Map::new())));
    };
    if !operation.has_body {
        return Err(crate::arguments::usage(
            operation,
            format!("{} takes no request body", operation.operation_id),
        ));
    }
    let text = match body.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|error| {
                    CliError::usage(format!("cannot read the body from standard input: {error}"))
                })?;
            text
        }
        Some(path) => std::fs::read_to_string(path).map_err(|error| {
            CliError::usage(format!("cannot read the body file {path}: {error}"))
        })?,
        None => body.to_owned(),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| CliError::usage(format!("the body is not valid JSON: {error}")))
}

/// Checks a body against the operation's body schema in the embedded document.
///
/// The client decodes bodies leniently (a property of the wrong type is dropped), so without
/// this check a mistyped value would silently not be sent.
fn check_body(operation: &Operation, body: &Value) -> Result<(), CliError> {
    let Some(schema) = crate::document::body(operation) else {
        return Ok(());
    };
    xapi_mock::validate_against(crate::document::document(), schema.schema, body).map_err(
        |problem| {
            crate::arguments::usage(
                operation,
                format!(
                    "the body does not match {}: {problem}; pass --no-body-check to send it anyway",
                    crate::document::describe_schema(schema.schema)
                ),
            )
        },
    )
}

/// Builds the OData query, rejecting options the operation does not take.
fn build_query(operation: &Operation, options: &QueryOptions) -> Result<Query, CliError> {
    let mut query = Query::new();
    let mut given = Vec::new();
    if let Some(top) = options.top {
        query = query.top(top);
        given.push("$top");
    }
    if let Some(skip) = options.skip {
        query = query.skip(skip);
        given.push("$skip");
    }
    if let Some(filter) = &options.filter {
        query = query.filter(filter.clone());
        given.push("$filter");
    }
    if let Some(search) = &options.search {
        query = query.search(search.clone());
        given.push("$search");
    }
    if options.count {
        query = query.count(true);
        given.push("$count");
    }
    if let Some(orderby) = &options.orderby {
        for key in split_list(orderby) {
            let lowered = key.to_ascii_lowercase();
            if lowered.ends_with(" desc") {
                query = query.order_by_desc(key[..key.len() - 5].trim_end());
            } else if lowered.ends_with(" asc") {
                query = query.order_by(key[..key.len() - 4].trim_end());
            } else {
                query = query.order_by(key);
            }
        }
        given.push("$orderby");
    }
    if let Some(select) = &options.select {
        query = query.select(split_list(select));
        given.push("$select");
    }
    if let Some(expand) = &options.expand {
        query = query.expand(split_list(expand));
        given.push("$expand");
    }

    let rejected: Vec<&str> = given
        .into_iter()
        .filter(|option| !operation.query_options.contains(option))
        .collect();
    if !rejected.is_empty() {
        let accepted = match operation.query_options.is_empty() {
            true => "none".to_owned(),
            false => operation.query_options.join(" "),
        };
        return Err(CliError::usage(format!(
            "{} does not take the query option {} (it takes: {accepted})",
            operation.operation_id,
            rejected.join(" ")
        )));
    }
    Ok(query)
}

/// Splits a comma-separated list, keeping commas inside parentheses and single quotes
/// (`Groups($select=Id,Name),Phones`).
pub fn split_list(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for character in text.chars() {
        match character {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_owned())
        .filter(|item| !item.is_empty())
        .collect()
}

/// The destination of replies: standard output, or the `--output` file.
struct Output {
    writer: Box<dyn Write>,
    /// Whether JSON is pretty-printed (standard output is a terminal).
    pretty: bool,
}

impl Output {
    fn open(global: &GlobalOptions) -> Result<Output, CliError> {
        match global.output.as_deref() {
            Some(path) if path != std::path::Path::new("-") => {
                let file = std::fs::File::create(path).map_err(|error| {
                    CliError::failure(format!("cannot create {}: {error}", path.display()))
                })?;
                Ok(Output {
                    writer: Box::new(std::io::BufWriter::new(file)),
                    pretty: false,
                })
            }
            _ => Ok(Output::stdout()),
        }
    }

    fn stdout() -> Output {
        Output {
            writer: Box::new(std::io::BufWriter::new(std::io::stdout())),
            pretty: std::io::stdout().is_terminal(),
        }
    }
}

/// One operation with its arguments, on a session.
struct Call<'a> {
    session: &'a Session,
    operation: &'static Operation,
    arguments: &'a Arguments,
}

impl Call<'_> {
    /// Sends the request once with `query`.
    async fn send(&self, query: Query) -> Result<Reply, CliError> {
        let mut url = crate::arguments::render_path(self.operation, self.arguments);
        let query_string = query.to_query_string();
        if !query_string.is_empty() {
            url = format!("{url}?{query_string}");
        }
        self.session.announce(&url);
        let client = match query_string.is_empty() {
            true => self.session.client.clone(),
            false => self.session.client.with_query(query),
        };
        dynamic::call(&client, self.operation.operation_id, self.arguments)
            .await
            .map_err(from_call)
    }

    /// Sends the request and writes the whole reply.
    async fn once(
        &self,
        query: Query,
        format: Format,
        columns: &[String],
        global: &GlobalOptions,
        output: &mut Output,
    ) -> Result<(), CliError> {
        match self.send(query).await? {
            Reply::Json { mut value, .. } => {
                if self.returns_collection() {
                    restore_empty_value(&mut value);
                }
                output::write_reply(&mut output.writer, format, output.pretty, columns, &value)
                    .and_then(|()| output.writer.flush())
                    .map_err(from_output)
            }
            Reply::File { download, .. } => {
                crate::download::save(download, self.operation, global.output.as_deref()).await
            }
            // A reply without a body (204) prints nothing; `--verbose` shows its status.
            _ => Ok(()),
        }
    }

    /// Fetches every page with `$top`/`$skip` and writes the items page by page.
    ///
    /// `query.top` limits the total and `query.skip` sets the first item. Paging stops on a
    /// page shorter than requested, or when `@odata.count` items have been read.
    // NOTE: an `@odata.nextLink` in a page is not followed; paging continues with `$skip`,
    // which every known XAPI release pages by.
    async fn all(
        &self,
        query: Query,
        page_size: u64,
        writer: &mut RowWriter,
        output: &mut Output,
    ) -> Result<(), CliError> {
        let limit = query.top;
        let start = query.skip.unwrap_or(0);
        let mut fetched = 0u64;
        let mut progress = Progress::new();
        let result = loop {
            let remaining = limit.map_or(u64::MAX, |limit| limit.saturating_sub(fetched));
            if remaining == 0 {
                break Ok(());
            }
            let requested = page_size.min(remaining);
            let mut page_query = query.clone();
            page_query.top = Some(requested);
            page_query.skip = Some(start + fetched);

            let mut value = match self.send(page_query).await {
                Ok(Reply::Json { value, .. }) => value,
                Ok(_) => break Err(self.not_a_collection()),
                Err(error) => break Err(error),
            };
            restore_empty_value(&mut value);
            let Some(items) = value.get("value").and_then(Value::as_array) else {
                break Err(self.not_a_collection());
            };
            if let Err(error) = writer.write_page(&mut output.writer, items) {
                break Err(from_output(error));
            }
            fetched += items.len() as u64;
            progress.show(&format!("{fetched} items"));

            let total = value.get("@odata.count").and_then(Value::as_u64);
            let short = (items.len() as u64) < requested;
            if short || total.is_some_and(|total| start + fetched >= total) {
                break Ok(());
            }
        };
        progress.finish();
        result?;
        writer.finish(&mut output.writer).map_err(from_output)
    }

    /// Tells whether the document declares an OData collection (`{"value": [...]}`) as the
    /// reply.
    fn returns_collection(&self) -> bool {
        crate::document::success(self.operation)
            .and_then(|success| success.schema)
            .is_some_and(|schema| crate::document::collection_items(schema).is_some())
    }

    fn not_a_collection(&self) -> CliError {
        CliError::usage(format!(
            "--all needs an operation that returns a collection ({{\"value\": [...]}}); {} does not",
            self.operation.operation_id
        ))
    }
}

/// Puts back the `value` array of an empty collection reply.
///
/// The client re-encodes replies from their generated types, which leave out empty arrays, so
/// an empty page arrives as `{}`.
fn restore_empty_value(reply: &mut Value) {
    if let Value::Object(fields) = reply {
        fields
            .entry("value")
            .or_insert_with(|| Value::Array(Vec::new()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_outside_parentheses_and_quotes() {
        assert_eq!(
            split_list("Id, Name ,Groups($select=Id,Name),'a,b'"),
            ["Id", "Name", "Groups($select=Id,Name)", "'a,b'"]
        );
        assert!(split_list(" , ").is_empty());
    }

    #[test]
    fn unknown_operations_get_suggestions() {
        let first = xapi_client::catalog::operations()[0].operation_id;
        let misspelled = format!("{first}x");
        let error = find_operation(&misspelled).unwrap_err();
        assert!(error.message.contains(first), "{}", error.message);
        assert!(find_operation(&first.to_ascii_uppercase()).is_ok());
    }
}
