//! Validation of JSON values against compiled schemas.
//!
//! Request bodies are checked before they reach the store, and the tests use the same
//! check to prove that generated rows match the document.

use serde_json::Value;

use crate::schema::{Node, Schemas, StrFormat, TypeRef};

/// Deepest nesting accepted in a request body, against stack exhaustion.
const MAX_DEPTH: usize = 64;

/// Checks `value` against `ty` and returns a message naming the first invalid field.
pub(crate) fn validate(schemas: &Schemas, ty: TypeRef, value: &Value) -> Result<(), String> {
    check(schemas, ty, value, "$", 0)
}

fn check(
    schemas: &Schemas,
    ty: TypeRef,
    value: &Value,
    path: &str,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("{path}: nesting deeper than {MAX_DEPTH} levels"));
    }
    if value.is_null() {
        return match schemas.node(ty.node) {
            Node::Any => Ok(()),
            _ if ty.nullable => Ok(()),
            _ => Err(format!("{path}: null is not allowed")),
        };
    }
    match schemas.node(ty.node) {
        Node::Any | Node::Pending => Ok(()),
        Node::Boolean => expect(value.is_boolean(), path, "a boolean"),
        Node::Integer { min, max } => {
            let in_range = match (value.as_i64(), value.as_u64()) {
                (Some(n), _) => n >= *min && n <= *max,
                (None, Some(n)) => *max == i64::MAX && n > i64::MAX as u64,
                _ => false,
            };
            expect(
                in_range,
                path,
                &format!("an integer between {min} and {max}"),
            )
        }
        Node::Number => expect(value.is_number(), path, "a number"),
        Node::String { format, max_len } => {
            let Some(text) = value.as_str() else {
                return Err(format!("{path}: expected a string"));
            };
            if let Some(max) = max_len {
                let len = text.chars().count();
                if len > *max {
                    return Err(format!(
                        "{path}: string of {len} characters exceeds maxLength {max}"
                    ));
                }
            }
            expect(
                is_valid_format(*format, text),
                path,
                &format!("a string in {format:?} format"),
            )
        }
        Node::Enum { values, flags } => {
            let member = |candidate: &Value| values.contains(candidate);
            let valid = member(value)
                || (*flags
                    && value.as_str().is_some_and(|text| {
                        text.split(',')
                            .all(|part| member(&Value::String(part.trim().to_owned())))
                    }));
            expect(valid, path, "a member of the enum")
        }
        Node::Array { items } => {
            let Some(elements) = value.as_array() else {
                return Err(format!("{path}: expected an array"));
            };
            for (index, element) in elements.iter().enumerate() {
                check(
                    schemas,
                    *items,
                    element,
                    &format!("{path}[{index}]"),
                    depth + 1,
                )?;
            }
            Ok(())
        }
        Node::Object { props, open } => {
            let Some(map) = value.as_object() else {
                return Err(format!("{path}: expected an object"));
            };
            for (name, field) in map {
                match props.iter().find(|p| &p.name == name) {
                    Some(prop) => check(
                        schemas,
                        prop.ty,
                        field,
                        &format!("{path}.{name}"),
                        depth + 1,
                    )?,
                    // OData annotations such as `@odata.etag` may accompany any object.
                    None if *open || name.contains('@') => {}
                    None => {
                        return Err(format!(
                            "{path}: property '{name}' is not declared by the schema"
                        ))
                    }
                }
            }
            Ok(())
        }
        Node::OneOf(alternatives) => {
            let valid = alternatives
                .iter()
                .any(|alt| check(schemas, *alt, value, path, depth + 1).is_ok());
            expect(valid, path, "a value matching one of the alternatives")
        }
    }
}

fn expect(valid: bool, path: &str, what: &str) -> Result<(), String> {
    if valid {
        Ok(())
    } else {
        Err(format!("{path}: expected {what}"))
    }
}

/// Returns whether `text` is a valid value of the string format.
pub(crate) fn is_valid_format(format: StrFormat, text: &str) -> bool {
    match format {
        StrFormat::Plain | StrFormat::Byte => true,
        StrFormat::DateTime => parse_date_time(text).is_some(),
        StrFormat::Date => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
        StrFormat::Time => is_time(text),
        StrFormat::Duration => is_duration(text),
        StrFormat::Uuid => is_uuid(text),
    }
}

/// Parses an ISO 8601 date-time with seconds and a `Z` or `±hh:mm` offset.
pub(crate) fn parse_date_time(text: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let has_seconds = text.len() >= 19 && text.as_bytes().get(16) == Some(&b':');
    if !has_seconds {
        return None;
    }
    chrono::DateTime::parse_from_rfc3339(text).ok()
}

/// Checks `hh:mm:ss` with optional fractional seconds.
fn is_time(text: &str) -> bool {
    let (main, fraction) = match text.split_once('.') {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    if let Some(fraction) = fraction {
        if fraction.is_empty()
            || fraction.len() > 12
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return false;
        }
    }
    chrono::NaiveTime::parse_from_str(main, "%H:%M:%S").is_ok() && main.len() == 8
}

/// Checks an ISO 8601 duration of the OData form `-?P[nD][T[nH][nM][n[.n]S]]`.
pub(crate) fn is_duration(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let Some(body) = body.strip_prefix('P') else {
        return false;
    };
    let (days, time) = match body.split_once('T') {
        Some((days, time)) => (days, Some(time)),
        None => (body, None),
    };
    let days_ok = days.is_empty()
        || days
            .strip_suffix('D')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    let time_ok = match time {
        None => true,
        Some(time) => is_duration_time(time),
    };
    days_ok && time_ok
}

fn is_duration_time(mut rest: &str) -> bool {
    for unit in ['H', 'M', 'S'] {
        if let Some(pos) = rest.find(unit) {
            let number = &rest[..pos];
            let valid = if unit == 'S' {
                let mut parts = number.splitn(2, '.');
                let whole = parts.next().unwrap_or("");
                let fraction = parts.next();
                !whole.is_empty()
                    && whole.bytes().all(|b| b.is_ascii_digit())
                    && fraction
                        .is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
            } else {
                !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
            };
            if !valid {
                return false;
            }
            rest = &rest[pos + 1..];
        }
    }
    rest.is_empty()
}

/// Checks the 8-4-4-4-12 hexadecimal form.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duration_forms() {
        assert!(is_duration("PT1H2M3S"));
        assert!(is_duration("P2D"));
        assert!(is_duration("-PT0.5S"));
        assert!(is_duration("P"));
        assert!(!is_duration("PT1X"));
        assert!(!is_duration("1H"));
    }

    #[test]
    fn date_time_needs_seconds_and_offset() {
        assert!(parse_date_time("2024-01-02T03:04:05Z").is_some());
        assert!(parse_date_time("2024-01-02T03:04:05.123+02:00").is_some());
        assert!(parse_date_time("2024-01-02T03:04Z").is_none());
        assert!(parse_date_time("2024-01-02T03:04:05").is_none());
    }

    #[test]
    fn time_and_uuid_forms() {
        assert!(is_time("08:30:00"));
        assert!(is_time("23:59:59.5"));
        assert!(!is_time("8:30:00"));
        assert!(is_uuid("0123abcd-0000-4000-8000-00000000002a"));
        assert!(!is_uuid("0123abcd-0000-4000-8000-00000000002"));
    }
}
