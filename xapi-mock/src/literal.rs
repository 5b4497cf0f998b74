//! OData URL syntax: path segments with parenthesised arguments, and typed literals.
//!
//! Keys and function arguments sit inside the path (`/Users(5)`,
//! `/Foo/Pbx.GetBar(from=2024-01-01T00:00:00Z,name='O''Brien')`). Strings are
//! single-quoted with `'` doubled, date-times, GUIDs, numbers and booleans are bare, and
//! `null` is allowed only where the parameter is nullable. The request path must be
//! percent-decoded before it is split here.

use serde_json::{Number, Value};

use crate::schema::{Node, Schemas, StrFormat, TypeRef};
use crate::validate::{is_duration, is_uuid, is_valid_format, parse_date_time};

/// One path segment of a request: `name` and the text inside its parentheses, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathSegment {
    pub name: String,
    pub args: Option<String>,
}

/// Splits a decoded path (without the service root) into segments. Slashes and
/// parentheses inside quoted strings do not count. Returns `None` for unbalanced quotes or
/// parentheses, or text after a segment's closing parenthesis.
pub(crate) fn split_path(path: &str) -> Option<Vec<PathSegment>> {
    let path = path.strip_prefix('/').unwrap_or(path);
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    let mut depth = 0usize;
    for ch in path.chars() {
        match ch {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth = depth.checked_sub(1)?,
            '/' if !in_quote && depth == 0 => {
                segments.push(parse_segment(&current)?);
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if in_quote || depth != 0 {
        return None;
    }
    segments.push(parse_segment(&current)?);
    Some(segments)
}

fn parse_segment(text: &str) -> Option<PathSegment> {
    let Some(open) = find_unquoted(text, '(') else {
        return Some(PathSegment {
            name: text.to_owned(),
            args: None,
        });
    };
    let inner = text[open + 1..].strip_suffix(')')?;
    // The closing parenthesis must be the one that matches `open`.
    let mut depth = 0i32;
    let mut in_quote = false;
    for ch in inner.chars() {
        match ch {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    Some(PathSegment {
        name: text[..open].to_owned(),
        args: Some(inner.to_owned()),
    })
}

fn find_unquoted(text: &str, needle: char) -> Option<usize> {
    let mut in_quote = false;
    for (index, ch) in text.char_indices() {
        if ch == '\'' {
            in_quote = !in_quote;
        } else if ch == needle && !in_quote {
            return Some(index);
        }
    }
    None
}

/// Splits `a=1,b='x,y'` into `(Some("a"), "1")`, `(Some("b"), "'x,y'")`; a bare literal
/// gives `(None, literal)`. Returns `None` for an empty item.
pub(crate) fn split_args(inner: &str) -> Option<Vec<(Option<String>, String)>> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    let mut depth = 0i32;
    for ch in inner.chars() {
        match ch {
            '\'' => in_quote = !in_quote,
            '(' if !in_quote => depth += 1,
            ')' if !in_quote => depth -= 1,
            ',' if !in_quote && depth == 0 => {
                items.push(split_named(&current)?);
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    items.push(split_named(&current)?);
    Some(items)
}

fn split_named(item: &str) -> Option<(Option<String>, String)> {
    if item.is_empty() {
        return None;
    }
    match find_unquoted(item, '=') {
        Some(eq) if eq > 0 && !item[..eq].contains('\'') => {
            Some((Some(item[..eq].to_owned()), item[eq + 1..].to_owned()))
        }
        Some(_) => None,
        None => Some((None, item.to_owned())),
    }
}

/// Parses a single-quoted OData string with `''` escapes.
pub(crate) fn parse_quoted(text: &str) -> Option<String> {
    let inner = text.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\'' {
            // Inside the quotes a quote must be doubled.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(ch);
    }
    Some(out)
}

/// Quotes a string as an OData literal, doubling embedded quotes.
pub(crate) fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Parses `text` as a literal of type `ty` and returns its JSON value, or `None` when the
/// text is not a well-formed literal of that type.
pub(crate) fn parse_literal(schemas: &Schemas, ty: TypeRef, text: &str) -> Option<Value> {
    if text == "null" {
        return ty.nullable.then_some(Value::Null);
    }
    match schemas.node(ty.node) {
        Node::Boolean => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        Node::Integer { min, max } => {
            let number = parse_integer(text)?;
            (number >= *min && number <= *max).then(|| Value::Number(Number::from(number)))
        }
        Node::Number => parse_number(text),
        Node::String { format, max_len } => {
            let value = parse_string_literal(*format, text)?;
            let fits = max_len.is_none_or(|max| value.chars().count() <= max);
            fits.then_some(Value::String(value))
        }
        Node::Enum { values, flags } => {
            // Enum members come as 'Member' or Namespace.Type'Member'.
            let quoted = match text.find('\'') {
                Some(0) => text,
                Some(pos) if is_qualified_name(&text[..pos]) => &text[pos..],
                _ => return None,
            };
            let member = parse_quoted(quoted)?;
            let known = |name: &str| values.iter().any(|v| v.as_str() == Some(name));
            let valid =
                known(&member) || (*flags && member.split(',').all(|part| known(part.trim())));
            valid.then_some(Value::String(member))
        }
        Node::OneOf(alternatives) => alternatives
            .iter()
            .find_map(|alt| parse_literal(schemas, *alt, text)),
        Node::Any | Node::Pending | Node::Array { .. } | Node::Object { .. } => parse_untyped(text),
    }
}

fn parse_string_literal(format: StrFormat, text: &str) -> Option<String> {
    match format {
        StrFormat::Plain | StrFormat::Byte => parse_quoted(text),
        StrFormat::DateTime => parse_date_time(text).map(|_| text.to_owned()),
        StrFormat::Date | StrFormat::Time => is_valid_format(format, text).then(|| text.to_owned()),
        StrFormat::Uuid => is_uuid(text).then(|| text.to_owned()),
        StrFormat::Duration => {
            let inner = text.strip_prefix("duration").unwrap_or(text);
            let value = parse_quoted(inner)?;
            is_duration(&value).then_some(value)
        }
    }
}

fn is_qualified_name(text: &str) -> bool {
    !text.is_empty()
        && text.contains('.')
        && text
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// Parses `-?[0-9]+` into an `i64`.
pub(crate) fn parse_integer(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses an OData decimal or double literal, including `INF`, `-INF` and `NaN`, which
/// JSON can only carry as strings.
pub(crate) fn parse_number(text: &str) -> Option<Value> {
    if matches!(text, "INF" | "-INF" | "NaN") {
        return Some(Value::String(text.to_owned()));
    }
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let first_ok = unsigned.bytes().next().is_some_and(|b| b.is_ascii_digit());
    let chars_ok = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !first_ok || !chars_ok {
        return None;
    }
    if let Ok(integer) = text.parse::<i64>() {
        return Some(Value::Number(Number::from(integer)));
    }
    let float: f64 = text.parse().ok()?;
    Number::from_f64(float).map(Value::Number)
}

/// Parses a literal whose type the document leaves open.
fn parse_untyped(text: &str) -> Option<Value> {
    if let Some(string) = parse_quoted(text) {
        return Some(Value::String(string));
    }
    match text {
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(number) = parse_number(text) {
        return Some(number);
    }
    (parse_date_time(text).is_some() || is_uuid(text)).then(|| Value::String(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_path_keeps_quoted_slashes() {
        let segments = split_path("/Files/Pbx.Get(name='a/b)c',n=1)").unwrap();
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[0].name, "Files");
        assert_eq!(segments[1].name, "Pbx.Get");
        assert_eq!(segments[1].args.as_deref(), Some("name='a/b)c',n=1"));
    }

    #[test]
    fn split_path_rejects_unbalanced() {
        assert!(split_path("/Users(5").is_none());
        assert!(split_path("/Users('a)").is_none());
        assert!(split_path("/Users(5)x").is_none());
    }

    #[test]
    fn split_args_named_and_bare() {
        let args = split_args("a=1,b='x,y=z'").unwrap();
        assert_eq!(args[0], (Some("a".into()), "1".into()));
        assert_eq!(args[1], (Some("b".into()), "'x,y=z'".into()));
        assert_eq!(split_args("'k'").unwrap(), vec![(None, "'k'".into())]);
        assert!(split_args("a=1,").is_none());
    }

    #[test]
    fn quoted_strings_need_doubled_quotes() {
        assert_eq!(parse_quoted("'O''Brien'").as_deref(), Some("O'Brien"));
        assert_eq!(parse_quoted("''").as_deref(), Some(""));
        assert!(parse_quoted("'O'Brien'").is_none());
        assert!(parse_quoted("abc").is_none());
        assert_eq!(quote("O'Brien"), "'O''Brien'");
    }

    #[test]
    fn integers_are_bare_digits() {
        assert_eq!(parse_integer("-12"), Some(-12));
        assert_eq!(parse_integer("+12"), None);
        assert_eq!(parse_integer("'12'"), None);
        assert_eq!(parse_integer("1.0"), None);
    }
}
