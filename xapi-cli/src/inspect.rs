//! Commands that read the catalog and the embedded document without contacting a PBX:
//! `ops`, `describe`, `schema` and `completions`.

use std::io::{IsTerminal, Write};

use serde_json::{json, Value};
use xapi_client::catalog::{self, Operation};

use crate::arguments::type_name;
use crate::cli::{self, DescribeCommand, GlobalOptions, OpsCommand, SchemaCommand};
use crate::document::{self, kebab_case};
use crate::error::{from_output, CliError};
use crate::output::{Format, RowWriter};

/// `xapi ops`: one row per operation, sorted by operationId.
pub fn ops(global: &GlobalOptions, command: &OpsCommand) -> Result<(), CliError> {
    let tag = command.tag.as_deref().map(str::to_ascii_lowercase);
    let word = command.search.as_deref().map(str::to_ascii_lowercase);
    let mut operations: Vec<&Operation> = catalog::operations()
        .iter()
        .filter(|operation| {
            tag.as_ref().is_none_or(|tag| {
                operation.tag.eq_ignore_ascii_case(tag) || kebab_case(operation.tag) == *tag
            })
        })
        .filter(|operation| {
            word.as_ref().is_none_or(|word| {
                [operation.operation_id, operation.path, operation.tag]
                    .iter()
                    .any(|text| text.to_ascii_lowercase().contains(word))
            })
        })
        .collect();
    operations.sort_by_key(|operation| operation.operation_id);
    if let (Some(tag), true) = (&command.tag, operations.is_empty()) {
        return Err(CliError::usage(format!(
            "no operation has the tag {tag:?}; `xapi ops` lists every operation with its tag"
        )));
    }

    let format = global.output_format.unwrap_or(Format::Table);
    let rows: Vec<Value> = match format {
        Format::Json | Format::Ndjson => operations
            .iter()
            .map(|operation| operation_json(operation))
            .collect(),
        Format::Csv | Format::Table => operations
            .iter()
            .map(|operation| {
                json!({
                    "operation_id": operation.operation_id,
                    "method": operation.method,
                    "path": operation.path,
                    "tag": operation.tag,
                    "parameters": parameter_summary(operation),
                })
            })
            .collect(),
    };
    let stdout = std::io::stdout();
    let pretty = stdout.is_terminal();
    let mut out = stdout.lock();
    // The path goes last in a table because a function's path can run to hundreds of
    // characters; the parameters it names are typed in CSV and JSON and by `describe`.
    let columns: Vec<String> = match format {
        Format::Table => vec!["operation_id", "method", "tag", "path"],
        _ => vec!["operation_id", "method", "tag", "path", "parameters"],
    }
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut writer = RowWriter::new(format, pretty, columns).without_cell_limit();
    writer
        .write_page(&mut out, &rows)
        .and_then(|()| writer.finish(&mut out))
        .map_err(from_output)
}

/// `Id: integer (int32), If-Match: string (HTTP header)`, with optional parameters marked.
fn parameter_summary(operation: &Operation) -> String {
    operation
        .parameters
        .iter()
        .map(|parameter| {
            let optional = match parameter.required {
                true => "",
                false => " (optional)",
            };
            format!("{}: {}{optional}", parameter.name, short_type(parameter))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Returns the literal kind, with `?` for a nullable parameter.
fn short_type(parameter: &catalog::Parameter) -> String {
    let kind = match (parameter.literal, parameter.location) {
        ("", "header") => "header",
        ("", _) => "string",
        (kind, _) => kind,
    };
    match parameter.nullable {
        true => format!("{kind}?"),
        false => kind.to_owned(),
    }
}

/// Returns the facts of an operation as JSON, as `ops` and `describe` print them.
fn operation_json(operation: &Operation) -> Value {
    let parameters: Vec<Value> = operation
        .parameters
        .iter()
        .map(|parameter| {
            json!({
                "name": parameter.name,
                "location": parameter.location,
                "kind": parameter.literal,
                "type": type_name(parameter),
                "required": parameter.required,
                "nullable": parameter.nullable,
            })
        })
        .collect();
    json!({
        "operation_id": operation.operation_id,
        "method": operation.method,
        "path": operation.path,
        "tag": operation.tag,
        "command": format!("xapi {} {}", kebab_case(operation.tag), kebab_case(operation.operation_id)),
        "parameters": parameters,
        "query_options": operation.query_options,
        "has_body": operation.has_body,
        "file_response": operation.file_response,
    })
}

/// `xapi describe`: parameters with types, body type with an example, and response type.
pub fn describe(global: &GlobalOptions, command: &DescribeCommand) -> Result<(), CliError> {
    let operation = crate::call::find_operation(&command.operation_id)?;
    let mut facts = operation_json(operation);
    let body = document::body(operation).map(|body| {
        json!({
            "type": document::describe_schema(body.schema),
            "required": body.required,
            "example": crate::sample::example(body.schema),
            "schema": crate::json_schema::inline(body.schema, &format!("{} request body", operation.operation_id)),
        })
    });
    let response = document::success(operation).map(|success| {
        let described = match (operation.file_response, success.schema) {
            (true, _) => "file".to_owned(),
            (false, Some(schema)) => document::describe_schema(schema),
            (false, None) => "no body".to_owned(),
        };
        json!({
            "status": success.status,
            "type": described,
            "media_type": success.media_type,
        })
    });
    facts["body"] = body.unwrap_or(Value::Null);
    facts["response"] = response.unwrap_or(Value::Null);

    let stdout = std::io::stdout();
    let pretty = stdout.is_terminal();
    let mut out = stdout.lock();
    let written = match global.output_format {
        Some(Format::Json) => {
            crate::output::write_reply(&mut out, Format::Json, pretty, &[], &facts)
        }
        Some(Format::Ndjson) => {
            crate::output::write_reply(&mut out, Format::Ndjson, false, &[], &facts)
        }
        Some(Format::Csv | Format::Table) => {
            return Err(CliError::usage(
                "describe writes text or JSON; use --output-format json",
            ))
        }
        None => out.write_all(describe_text(operation, &facts).as_bytes()),
    };
    written.and_then(|()| out.flush()).map_err(from_output)
}

fn describe_text(operation: &Operation, facts: &Value) -> String {
    let mut text = format!(
        "{}: {} {}\nTag: {} (also `{}`)\n",
        operation.operation_id,
        operation.method,
        operation.path,
        operation.tag,
        facts["command"].as_str().unwrap_or_default()
    );
    if operation.parameters.is_empty() {
        text.push_str("Parameters: none\n");
    } else {
        text.push_str("Parameters:\n");
        let width = operation
            .parameters
            .iter()
            .map(|parameter| parameter.name.len())
            .max()
            .unwrap_or(0);
        for parameter in operation.parameters {
            let presence = match parameter.required {
                true => "required",
                false => "optional",
            };
            text.push_str(&format!(
                "  {:width$}  {} ({presence}, in {})\n",
                parameter.name,
                type_name(parameter),
                parameter.location
            ));
        }
    }
    if !operation.query_options.is_empty() {
        text.push_str(&format!(
            "Query options: {}{}\n",
            operation.query_options.join(" "),
            match cli::is_pageable(operation) {
                true => " (--all pages through every item)",
                false => "",
            }
        ));
    }
    match facts["body"].as_object() {
        None => text.push_str("Body: none\n"),
        Some(body) => {
            let required = match body["required"].as_bool() {
                Some(true) => "required",
                _ => "optional",
            };
            text.push_str(&format!(
                "Body: {} ({required})\nExample body (required properties only):\n",
                body["type"].as_str().unwrap_or_default()
            ));
            let example = serde_json::to_string_pretty(&body["example"]).unwrap_or_default();
            for line in example.lines() {
                text.push_str(&format!("  {line}\n"));
            }
        }
    }
    match facts["response"].as_object() {
        None => text.push_str("Response: not declared\n"),
        Some(response) => text.push_str(&format!(
            "Response: {} {}\n",
            response["status"].as_str().unwrap_or_default(),
            response["type"].as_str().unwrap_or_default()
        )),
    }
    text
}

/// `xapi schema`: the JSON Schema of a component schema, or the list of their names.
pub fn schema(global: &GlobalOptions, command: &SchemaCommand) -> Result<(), CliError> {
    let stdout = std::io::stdout();
    let pretty = stdout.is_terminal();
    let mut out = stdout.lock();
    let Some(query) = &command.type_name else {
        let names: Vec<Value> = document::component_schemas()
            .map(|schemas| schemas.keys().map(|name| json!(name)).collect())
            .unwrap_or_default();
        let format = global.output_format.unwrap_or(Format::Ndjson);
        let written = match format {
            Format::Json => {
                crate::output::write_reply(&mut out, format, pretty, &[], &json!(names))
            }
            _ => names
                .iter()
                .try_for_each(|name| writeln!(out, "{}", name.as_str().unwrap_or_default())),
        };
        return written.and_then(|()| out.flush()).map_err(from_output);
    };

    let name = crate::json_schema::find_component(query).map_err(|candidates| {
        let hint = match candidates.is_empty() {
            true => "; `xapi schema` lists every type".to_owned(),
            false => format!("; did you mean {}?", candidates.join(" or ")),
        };
        CliError::usage(format!("unknown type {query:?}{hint}"))
    })?;
    let schema = crate::json_schema::component(name)
        .ok_or_else(|| CliError::usage(format!("unknown type {query:?}")))?;
    crate::output::write_reply(&mut out, Format::Json, pretty, &[], &schema)
        .and_then(|()| out.flush())
        .map_err(from_output)
}

/// `xapi completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<(), CliError> {
    let mut command = cli::command(true);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    clap_complete::generate(shell, &mut command, "xapi", &mut out);
    out.flush().map_err(from_output)
}
