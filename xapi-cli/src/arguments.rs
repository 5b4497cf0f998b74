//! `NAME=VALUE` arguments of a call: matched against the operation's parameters, checked
//! against each parameter's type before anything is sent, and rendered into the request path.

use serde_json::Value;
use xapi_client::catalog::{Operation, Parameter};
use xapi_client::dynamic::{Arguments, FromArgument};
use xapi_client::literal::{self, Date, DateTime, Guid, Literal, Text};

use crate::error::CliError;

/// Parses `NAME=VALUE` pairs for `operation`.
///
/// Names match the document's parameter names ignoring ASCII case. The value `null` is accepted
/// for nullable parameters. A missing required parameter, an unknown or repeated name, or a
/// value of the wrong type is a usage error that lists what the operation expects.
pub fn parse(operation: &Operation, pairs: &[String]) -> Result<Arguments, CliError> {
    let mut arguments = Arguments::new();
    for pair in pairs {
        let Some((name, text)) = pair.split_once('=') else {
            return Err(usage(
                operation,
                format!("invalid argument {pair:?}: expected NAME=VALUE"),
            ));
        };
        let Some(parameter) = find(operation, name.trim()) else {
            return Err(usage(
                operation,
                format!("{} has no parameter {name:?}", operation.operation_id),
            ));
        };
        if arguments.values.contains_key(parameter.name) {
            return Err(usage(
                operation,
                format!("the parameter {} is given twice", parameter.name),
            ));
        }
        let value = if parameter.nullable && text == "null" {
            Value::Null
        } else {
            Value::String(text.to_owned())
        };
        if let Err(expected) = literal_of(parameter, &value) {
            return Err(usage(
                operation,
                format!(
                    "invalid value {text:?} for {}: expected {expected}",
                    parameter.name
                ),
            ));
        }
        arguments.set(parameter.name, value);
    }

    for parameter in operation.parameters {
        let given = arguments.values.contains_key(parameter.name);
        if parameter.required && !parameter.nullable && !given {
            return Err(usage(
                operation,
                format!(
                    "missing argument {}={}",
                    parameter.name,
                    type_name(parameter)
                ),
            ));
        }
    }
    Ok(arguments)
}

fn find<'a>(operation: &'a Operation, name: &str) -> Option<&'a Parameter> {
    operation
        .parameters
        .iter()
        .find(|parameter| parameter.name.eq_ignore_ascii_case(name))
}

/// Builds a usage error whose message ends with the list of what the operation expects.
pub fn usage(operation: &Operation, message: String) -> CliError {
    CliError::usage(format!("{message}\n{}", expectations(operation)))
}

/// Describes the parameters and body an operation expects, one per line.
pub fn expectations(operation: &Operation) -> String {
    let mut text = format!(
        "{} ({} {}) expects:",
        operation.operation_id, operation.method, operation.path
    );
    if operation.parameters.is_empty() && !operation.has_body {
        text.push_str(" no arguments");
    }
    for parameter in operation.parameters {
        let presence = match (parameter.required, parameter.nullable) {
            (true, false) => "required",
            (true, true) => "required, null when left out",
            (false, _) => "optional",
        };
        text.push_str(&format!(
            "\n  {}={}  ({presence})",
            parameter.name,
            type_name(parameter)
        ));
    }
    if operation.has_body {
        let body = crate::document::body(operation)
            .map(|body| crate::document::describe_schema(body.schema))
            .unwrap_or_else(|| "JSON".to_owned());
        text.push_str(&format!(
            "\n  --body JSON or --body @FILE  ({body}; `xapi describe {}` prints an example)",
            operation.operation_id
        ));
    }
    if !operation.query_options.is_empty() {
        text.push_str(&format!(
            "\n  query options: {}",
            operation.query_options.join(" ")
        ));
    }
    text
}

/// Describes the type of a parameter's value, as the user writes it.
pub fn type_name(parameter: &Parameter) -> String {
    let base = match parameter.literal {
        "" if parameter.location == "header" => "string (HTTP header)",
        "string" | "" => <Text as FromArgument>::EXPECTED,
        "int32" => <i32 as FromArgument>::EXPECTED,
        "int64" => <i64 as FromArgument>::EXPECTED,
        "boolean" => <bool as FromArgument>::EXPECTED,
        "date-time" => <DateTime as FromArgument>::EXPECTED,
        "date" => <Date as FromArgument>::EXPECTED,
        "guid" => <Guid as FromArgument>::EXPECTED,
        "number" => <f64 as FromArgument>::EXPECTED,
        other => other,
    };
    match parameter.nullable {
        true => format!("{base}, or null"),
        false => base.to_owned(),
    }
}

/// Renders `value` as the OData literal the client sends for `parameter`, or returns the type
/// the value should have had.
///
/// Header parameters and literal kinds this binary does not know are passed through as text.
pub fn literal_of(parameter: &Parameter, value: &Value) -> Result<String, String> {
    if value.is_null() {
        return match parameter.nullable {
            true => Ok("null".to_owned()),
            false => Err(type_name(parameter)),
        };
    }
    let rendered = match parameter.literal {
        "string" => render::<Text>(value),
        "int32" => render::<i32>(value),
        "int64" => render::<i64>(value),
        "boolean" => render::<bool>(value),
        "date-time" => render::<DateTime>(value),
        "date" => render::<Date>(value),
        "guid" => render::<Guid>(value),
        "number" => render::<f64>(value),
        _ => Some(
            value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_owned),
        ),
    };
    rendered.ok_or_else(|| type_name(parameter))
}

fn render<T: FromArgument + Literal>(value: &Value) -> Option<String> {
    T::from_argument(Some(value))
        .ok()
        .map(|parsed| literal::to_literal(&parsed))
}

/// Fills the operation's path template with the arguments' literals, percent-encoded as the
/// client encodes path parameters; a parameter without a value is written as `null`.
pub fn render_path(operation: &Operation, arguments: &Arguments) -> String {
    let mut path = operation.path.to_owned();
    for parameter in operation.parameters {
        if parameter.location != "path" {
            continue;
        }
        let value = arguments
            .values
            .get(parameter.name)
            .cloned()
            .unwrap_or(Value::Null);
        let rendered = literal_of(parameter, &value).unwrap_or_else(|_| "null".to_owned());
        let encoded = percent_encoding::utf8_percent_encode(&rendered, PATH_SEGMENT).to_string();
        path = path.replace(&format!("{{{}}}", parameter.name), &encoded);
    }
    path
}

/// Characters percent-encoded in a path parameter: those of the WHATWG path percent-encode set
/// plus `/`, `%` and `` ` ``, as progenitor's `encode_path` does.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

#[cfg(test)]
mod tests {
    use super::*;

    fn operation_with(parameters: &'static [Parameter]) -> Operation {
        let mut operation = *xapi_client::catalog::operations()
            .first()
            .expect("the catalog has operations");
        operation.parameters = parameters;
        operation.path = "/Things({Id})/Pbx.Run(name={name},at={at})";
        operation
    }

    const PARAMETERS: &[Parameter] = &[];

    #[test]
    fn literals_by_kind() {
        let operations = xapi_client::catalog::operations();
        let with_integer_key = operations.iter().find(|operation| {
            operation
                .parameters
                .iter()
                .any(|parameter| parameter.literal == "int32" && !parameter.nullable)
        });
        let Some(operation) = with_integer_key else {
            return;
        };
        let parameter = operation
            .parameters
            .iter()
            .find(|parameter| parameter.literal == "int32")
            .expect("found above");
        assert_eq!(literal_of(parameter, &Value::from("42")), Ok("42".into()));
        assert!(literal_of(parameter, &Value::from("x"))
            .unwrap_err()
            .contains("int32"));
        assert!(literal_of(parameter, &Value::Null).is_err());
    }

    #[test]
    fn empty_operation_takes_no_arguments() {
        let operation = operation_with(PARAMETERS);
        assert!(parse(&operation, &[]).is_ok());
        let error = parse(&operation, &["Id=1".to_owned()]).unwrap_err();
        assert!(
            error.message.contains("has no parameter"),
            "{}",
            error.message
        );
    }
}
