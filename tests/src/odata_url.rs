//! An OData URL reader for checking what the client sent: it matches a request path against an
//! operation's path template, reads each argument as the OData literal of its declared kind,
//! and reads the system query options.
//!
//! It is as strict as an OData server. A string must be single-quoted with each `'` doubled,
//! and a date-time must be ISO 8601 in UTC with `Z`. `null` is allowed only for nullable
//! parameters. Every argument of the template must be present, and each system query option
//! may appear once.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDate};
use percent_encoding::percent_decode_str;

/// The OData literal kind of a path parameter, as the client's catalog names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// `Edm.String`: `'…'` with `'` doubled.
    String,
    /// `Edm.DateTimeOffset`: bare ISO 8601 in UTC (`2025-03-01T00:00:00Z`).
    DateTime,
    /// `Edm.Date`: bare `YYYY-MM-DD`.
    Date,
    /// `Edm.Guid`: bare hyphenated hex.
    Guid,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`.
    Int64,
    /// `Edm.Boolean`.
    Boolean,
    /// `Edm.Double` or `Edm.Decimal`.
    Number,
}

impl LiteralKind {
    /// Parses a kind name of the client's catalog (`string`, `date-time`, `int32`, …).
    pub fn from_name(name: &str) -> Option<LiteralKind> {
        let kind = match name {
            "string" => LiteralKind::String,
            "date-time" => LiteralKind::DateTime,
            "date" => LiteralKind::Date,
            "guid" => LiteralKind::Guid,
            "int32" => LiteralKind::Int32,
            "int64" => LiteralKind::Int64,
            "boolean" => LiteralKind::Boolean,
            "number" => LiteralKind::Number,
            _ => return None,
        };
        Some(kind)
    }
}

/// One path parameter the template expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterSpec {
    /// Name inside the template's braces.
    pub name: String,
    /// Literal kind.
    pub kind: LiteralKind,
    /// Whether `null` is allowed.
    pub nullable: bool,
}

/// A literal read back from a URL.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    /// `null`.
    Null,
    /// A string, with the quotes removed and `''` read as `'`.
    String(String),
    /// A date-time; the reader only accepts UTC, but the value keeps its offset type so that
    /// callers compare instants.
    DateTime(DateTime<FixedOffset>),
    /// A date.
    Date(NaiveDate),
    /// A GUID.
    Guid(uuid::Uuid),
    /// An `Edm.Int32`.
    Int32(i32),
    /// An `Edm.Int64`.
    Int64(i64),
    /// A boolean.
    Boolean(bool),
    /// A number.
    Number(f64),
}

/// Why a URL does not read as the operation's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlError {
    /// The path does not start with the expected base path.
    WrongBase {
        /// Base path expected.
        expected: String,
        /// Path received.
        path: String,
    },
    /// The raw path or query has a character that must be percent-encoded, or a bad escape.
    BadEncoding {
        /// What is wrong.
        detail: String,
    },
    /// Fixed text of the template does not match the path.
    TemplateMismatch {
        /// Template text expected at this point.
        expected: String,
        /// The rest of the decoded path from this point.
        found: String,
    },
    /// A template parameter has no value in the path.
    MissingArgument {
        /// Parameter name.
        name: String,
    },
    /// A string parameter's value is not in single quotes.
    UnquotedString {
        /// Parameter name.
        name: String,
        /// The text found.
        text: String,
    },
    /// A quoted string ends before the template continues, which a lone `'` inside it causes.
    UnescapedQuote {
        /// Parameter name.
        name: String,
        /// The rest of the decoded path after the string's closing quote.
        rest: String,
    },
    /// A quoted string has no closing quote.
    UnterminatedString {
        /// Parameter name.
        name: String,
    },
    /// `null` for a parameter that is not nullable.
    NullNotAllowed {
        /// Parameter name.
        name: String,
    },
    /// The text is not a literal of the parameter's kind.
    InvalidLiteral {
        /// Parameter name.
        name: String,
        /// Expected form.
        expected: &'static str,
        /// The text found.
        text: String,
    },
    /// A system query option appears more than once.
    RepeatedOption {
        /// Option name.
        name: String,
    },
    /// A query parameter that is not an OData system query option.
    UnknownQueryParameter {
        /// Parameter name.
        name: String,
    },
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::WrongBase { expected, path } => {
                write!(f, "path {path:?} does not start with {expected:?}")
            }
            UrlError::BadEncoding { detail } => write!(f, "invalid percent-encoding: {detail}"),
            UrlError::TemplateMismatch { expected, found } => {
                write!(f, "expected {expected:?} in the path, found {found:?}")
            }
            UrlError::MissingArgument { name } => write!(f, "argument {name} is missing"),
            UrlError::UnquotedString { name, text } => {
                write!(f, "string argument {name} is not single-quoted: {text:?}")
            }
            UrlError::UnescapedQuote { name, rest } => write!(
                f,
                "string argument {name} closes early, before {rest:?}: a `'` inside a string \
                 must be doubled"
            ),
            UrlError::UnterminatedString { name } => {
                write!(f, "string argument {name} has no closing quote")
            }
            UrlError::NullNotAllowed { name } => {
                write!(
                    f,
                    "argument {name} is null but the parameter is not nullable"
                )
            }
            UrlError::InvalidLiteral {
                name,
                expected,
                text,
            } => write!(f, "argument {name} is {text:?}, expected {expected}"),
            UrlError::RepeatedOption { name } => write!(f, "query option {name} is repeated"),
            UrlError::UnknownQueryParameter { name } => {
                write!(
                    f,
                    "query parameter {name} is not an OData system query option"
                )
            }
        }
    }
}

impl std::error::Error for UrlError {}

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Parameter(String),
}

fn template_pieces(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        pieces.push(Piece::Parameter(rest[open + 1..open + close].to_owned()));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    pieces
}

/// Checks that `raw` (a path or a query, as sent) escapes everything RFC 3986 requires and that
/// every `%` starts a two-digit escape.
fn check_raw_characters(raw: &str, extra_allowed: &[u8]) -> Result<(), UrlError> {
    let bytes = raw.as_bytes();
    let mut unencoded: Vec<char> = Vec::new();
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let escape = bytes.get(index + 1..index + 3);
            let valid = escape.is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
            if !valid {
                return Err(UrlError::BadEncoding {
                    detail: format!("`%` at byte {index} is not followed by two hex digits"),
                });
            }
            index += 3;
            continue;
        }
        let unreserved = byte.is_ascii_alphanumeric() || b"-._~".contains(&byte);
        let sub_delim = b"!$&'()*+,;=".contains(&byte);
        let allowed = unreserved || sub_delim || b":@/".contains(&byte);
        if !allowed && !extra_allowed.contains(&byte) && !unencoded.contains(&(byte as char)) {
            unencoded.push(byte as char);
        }
        index += 1;
    }
    if unencoded.is_empty() {
        return Ok(());
    }
    Err(UrlError::BadEncoding {
        detail: format!("{unencoded:?} must be percent-encoded"),
    })
}

fn decode(raw: &str) -> Result<String, UrlError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|error| UrlError::BadEncoding {
            detail: format!("{raw:?} does not decode to UTF-8: {error}"),
        })
}

/// Reads the arguments of `raw_path` (as sent, below the host) against `template`.
///
/// `base` is the prefix the client puts before every template (`/xapi/v1`). Every parameter of
/// `parameters` that the template names must have a value; the result maps each name to the
/// value read back.
pub fn parse_path(
    base: &str,
    template: &str,
    raw_path: &str,
    parameters: &[ParameterSpec],
) -> Result<BTreeMap<String, LiteralValue>, UrlError> {
    check_path_encoding(raw_path)?;
    read_path(base, template, raw_path, parameters)
}

/// Checks that a raw path percent-encodes every character RFC 3986 does not allow in a path.
pub fn check_path_encoding(raw_path: &str) -> Result<(), UrlError> {
    check_raw_characters(raw_path, &[])
}

/// Reads the arguments like [`parse_path`] but without checking which characters were left
/// unencoded, so that a caller can report an encoding problem and a wrong value separately.
pub fn read_path(
    base: &str,
    template: &str,
    raw_path: &str,
    parameters: &[ParameterSpec],
) -> Result<BTreeMap<String, LiteralValue>, UrlError> {
    let Some(raw_rest) = raw_path.strip_prefix(base) else {
        return Err(UrlError::WrongBase {
            expected: base.to_owned(),
            path: raw_path.to_owned(),
        });
    };
    // The whole path is decoded before reading: escapes may stand for any character of a
    // string literal, and the quote-aware reader below finds where each literal ends.
    let decoded = decode(raw_rest)?;

    let pieces = template_pieces(template);
    let mut values = BTreeMap::new();
    let mut rest = decoded.as_str();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(text) => {
                rest =
                    rest.strip_prefix(text.as_str())
                        .ok_or_else(|| UrlError::TemplateMismatch {
                            expected: text.clone(),
                            found: rest.to_owned(),
                        })?;
            }
            Piece::Parameter(name) => {
                let spec = parameters
                    .iter()
                    .find(|spec| &spec.name == name)
                    .ok_or_else(|| UrlError::TemplateMismatch {
                        expected: format!("a declared parameter named {name}"),
                        found: rest.to_owned(),
                    })?;
                let next_text = match pieces.get(index + 1) {
                    Some(Piece::Text(text)) => text.as_str(),
                    _ => "",
                };
                let (value, remaining) = read_literal(spec, rest, next_text)?;
                values.insert(name.clone(), value);
                rest = remaining;
            }
        }
    }
    if !rest.is_empty() {
        return Err(UrlError::TemplateMismatch {
            expected: "the end of the path".to_owned(),
            found: rest.to_owned(),
        });
    }
    Ok(values)
}

/// Reads one literal at the start of `text`; returns it and the text after it.
fn read_literal<'t>(
    spec: &ParameterSpec,
    text: &'t str,
    next_text: &str,
) -> Result<(LiteralValue, &'t str), UrlError> {
    if let Some(quoted) = text.strip_prefix('\'') {
        if spec.kind != LiteralKind::String {
            return Err(invalid(spec, text));
        }
        let (value, after) = read_quoted(spec, quoted)?;
        if !after.starts_with(next_text) || (next_text.is_empty() && !after.is_empty()) {
            return Err(UrlError::UnescapedQuote {
                name: spec.name.clone(),
                rest: after.to_owned(),
            });
        }
        return Ok((LiteralValue::String(value), after));
    }

    // A bare literal has no quotes, so it ends at a delimiter or where the template's next
    // fixed text begins.
    let next_first = next_text.chars().next();
    let end = text
        .find(|character| {
            matches!(character, ',' | '(' | ')' | '/') || Some(character) == next_first
        })
        .unwrap_or(text.len());
    let token = &text[..end];
    let after = &text[end..];
    if token.is_empty() {
        return Err(UrlError::MissingArgument {
            name: spec.name.clone(),
        });
    }
    if token == "null" {
        if !spec.nullable {
            return Err(UrlError::NullNotAllowed {
                name: spec.name.clone(),
            });
        }
        return Ok((LiteralValue::Null, after));
    }
    let value = match spec.kind {
        LiteralKind::String => {
            return Err(UrlError::UnquotedString {
                name: spec.name.clone(),
                text: token.to_owned(),
            })
        }
        LiteralKind::DateTime => parse_utc_date_time(token).map(LiteralValue::DateTime),
        LiteralKind::Date => NaiveDate::parse_from_str(token, "%Y-%m-%d")
            .ok()
            .filter(|_| token.len() == 10)
            .map(LiteralValue::Date),
        LiteralKind::Guid => uuid::Uuid::try_parse(token)
            .ok()
            .filter(|_| token.len() == 36)
            .map(LiteralValue::Guid),
        LiteralKind::Int32 => parse_integer(token).map(LiteralValue::Int32),
        LiteralKind::Int64 => parse_integer(token).map(LiteralValue::Int64),
        LiteralKind::Boolean => match token {
            "true" => Some(LiteralValue::Boolean(true)),
            "false" => Some(LiteralValue::Boolean(false)),
            _ => None,
        },
        LiteralKind::Number => parse_number(token).map(LiteralValue::Number),
    };
    let value = value.ok_or_else(|| invalid(spec, token))?;
    Ok((value, after))
}

/// Reads a quoted string after its opening quote: `''` is one `'`, a lone `'` closes it.
fn read_quoted<'t>(spec: &ParameterSpec, text: &'t str) -> Result<(String, &'t str), UrlError> {
    let mut value = String::new();
    let mut characters = text.char_indices().peekable();
    while let Some((index, character)) = characters.next() {
        if character != '\'' {
            value.push(character);
            continue;
        }
        if characters.peek().is_some_and(|(_, next)| *next == '\'') {
            characters.next();
            value.push('\'');
            continue;
        }
        return Ok((value, &text[index + 1..]));
    }
    Err(UrlError::UnterminatedString {
        name: spec.name.clone(),
    })
}

fn invalid(spec: &ParameterSpec, text: &str) -> UrlError {
    let expected = match spec.kind {
        LiteralKind::String => "a single-quoted string",
        LiteralKind::DateTime => "an ISO 8601 date-time in UTC ending in Z",
        LiteralKind::Date => "a date YYYY-MM-DD",
        LiteralKind::Guid => "a bare hyphenated GUID",
        LiteralKind::Int32 => "an Edm.Int32 integer",
        LiteralKind::Int64 => "an Edm.Int64 integer",
        LiteralKind::Boolean => "true or false",
        LiteralKind::Number => "a number",
    };
    UrlError::InvalidLiteral {
        name: spec.name.clone(),
        expected,
        text: text.to_owned(),
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` and rejects any offset other than `Z`.
fn parse_utc_date_time(token: &str) -> Option<DateTime<FixedOffset>> {
    if !token.ends_with('Z') || !token.contains('T') {
        return None;
    }
    DateTime::parse_from_rfc3339(token).ok()
}

/// Parses an optionally signed decimal integer with no leading `+` or spaces.
fn parse_integer<T: std::str::FromStr>(token: &str) -> Option<T> {
    let digits = token.strip_prefix('-').unwrap_or(token);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

fn parse_number(token: &str) -> Option<f64> {
    match token {
        "NaN" => Some(f64::NAN),
        "INF" => Some(f64::INFINITY),
        "-INF" => Some(f64::NEG_INFINITY),
        _ if token.bytes().all(|byte| b"0123456789+-.eE".contains(&byte)) => token.parse().ok(),
        _ => None,
    }
}

/// The system query options of a request, each read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemQuery {
    /// Every option as `(name, decoded value)`, in the order sent.
    pub options: BTreeMap<String, String>,
}

impl SystemQuery {
    /// Returns the decoded value of an option.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }
}

/// Reads a raw query string (without `?`).
///
/// Every parameter must be a system query option (its name starts with `$`) and appear once.
/// A raw `+` decodes as a space, as form-style query decoders (ASP.NET Core's among them)
/// read it, so a client must send a literal `+` as `%2B`.
pub fn parse_query(raw_query: &str) -> Result<SystemQuery, UrlError> {
    let mut query = SystemQuery::default();
    if raw_query.is_empty() {
        return Ok(query);
    }
    check_raw_characters(raw_query, b"?")?;
    for pair in raw_query.split('&') {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(&raw_name.replace('+', " "))?;
        let value = decode(&raw_value.replace('+', " "))?;
        if !name.starts_with('$') {
            return Err(UrlError::UnknownQueryParameter { name });
        }
        if query.options.contains_key(&name) {
            return Err(UrlError::RepeatedOption { name });
        }
        query.options.insert(name, value);
    }
    Ok(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, kind: LiteralKind, nullable: bool) -> ParameterSpec {
        ParameterSpec {
            name: name.to_owned(),
            kind,
            nullable,
        }
    }

    #[test]
    fn template_splits_into_pieces() {
        assert_eq!(
            template_pieces("/A({Id})/B(x={x})"),
            [
                Piece::Text("/A(".to_owned()),
                Piece::Parameter("Id".to_owned()),
                Piece::Text(")/B(x=".to_owned()),
                Piece::Parameter("x".to_owned()),
                Piece::Text(")".to_owned()),
            ]
        );
    }

    #[test]
    fn quoted_string_reads_doubled_quotes() {
        let text = spec("t", LiteralKind::String, false);
        let (value, rest) = read_quoted(&text, "O''Brien''')x").unwrap();
        assert_eq!(value, "O'Brien'");
        assert_eq!(rest, ")x");
    }
}
