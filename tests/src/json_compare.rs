//! Comparison of a JSON value a client sent (or decoded) with the value expected.
//!
//! Equal means: the same property names (absent and `null` differ), numbers equal as numbers
//! (`1` and `1.0` match), date-time strings equal as instants (an offset may become `Z`), GUID
//! strings equal ignoring case, everything else equal exactly.

use serde_json::Value;

/// Returns the first difference between `expected` and `actual`, as a message naming the JSON
/// pointer of the differing value, or `None` when they are equal.
pub fn first_difference(expected: &Value, actual: &Value) -> Option<String> {
    difference_at("", expected, actual)
}

fn difference_at(pointer: &str, expected: &Value, actual: &Value) -> Option<String> {
    let at = if pointer.is_empty() { "/" } else { pointer };
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (name, expected_value) in expected {
                let child = format!("{pointer}/{name}");
                match actual.get(name) {
                    None => {
                        return Some(format!(
                            "{child} is absent, expected {}",
                            short(expected_value)
                        ))
                    }
                    Some(actual_value) => {
                        if let Some(found) = difference_at(&child, expected_value, actual_value) {
                            return Some(found);
                        }
                    }
                }
            }
            actual
                .iter()
                .find(|(name, _)| !expected.contains_key(*name))
                .map(|(name, value)| {
                    format!(
                        "{pointer}/{name} = {} is present, expected absent",
                        short(value)
                    )
                })
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if expected.len() != actual.len() {
                return Some(format!(
                    "{at} has {} items, expected {}",
                    actual.len(),
                    expected.len()
                ));
            }
            expected
                .iter()
                .zip(actual)
                .enumerate()
                .find_map(|(index, (expected, actual))| {
                    difference_at(&format!("{pointer}/{index}"), expected, actual)
                })
        }
        (Value::Number(expected_number), Value::Number(actual_number)) => {
            let equal = match (expected_number.as_i64(), actual_number.as_i64()) {
                (Some(expected), Some(actual)) => expected == actual,
                _ => expected_number.as_f64() == actual_number.as_f64(),
            };
            (!equal).then(|| mismatch(at, expected, actual))
        }
        (Value::String(expected_text), Value::String(actual_text)) => {
            let equal = expected_text == actual_text
                || same_instant(expected_text, actual_text)
                || same_guid(expected_text, actual_text);
            (!equal).then(|| mismatch(at, expected, actual))
        }
        _ => (expected != actual).then(|| mismatch(at, expected, actual)),
    }
}

fn same_instant(expected: &str, actual: &str) -> bool {
    let parse = chrono::DateTime::parse_from_rfc3339;
    matches!((parse(expected), parse(actual)), (Ok(a), Ok(b)) if a == b)
}

fn same_guid(expected: &str, actual: &str) -> bool {
    matches!(
        (uuid::Uuid::try_parse(expected), uuid::Uuid::try_parse(actual)),
        (Ok(a), Ok(b)) if a == b
    )
}

fn mismatch(at: &str, expected: &Value, actual: &Value) -> String {
    format!("{at} is {}, expected {}", short(actual), short(expected))
}

/// Renders a value for a message, cut to about 80 characters.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_values_have_no_difference() {
        let expected = json!({ "A": 1, "B": [1.5, "x"], "At": "2025-03-01T01:30:00+05:30" });
        let actual = json!({ "A": 1.0, "B": [1.5, "x"], "At": "2025-02-28T20:00:00Z" });
        assert_eq!(first_difference(&expected, &actual), None);
    }

    #[test]
    fn absent_and_null_differ() {
        let expected = json!({ "A": null });
        assert_eq!(
            first_difference(&expected, &json!({})).as_deref(),
            Some("/A is absent, expected null")
        );
        assert_eq!(
            first_difference(&json!({}), &expected).as_deref(),
            Some("/A = null is present, expected absent")
        );
    }

    #[test]
    fn renamed_property_is_reported() {
        let expected = json!({ "Outer": { "AuthID": "x" } });
        let actual = json!({ "Outer": { "AuthId": "x" } });
        assert_eq!(
            first_difference(&expected, &actual).as_deref(),
            Some("/Outer/AuthID is absent, expected \"x\"")
        );
    }

    #[test]
    fn different_instants_are_reported() {
        let expected = json!("2025-03-01T01:30:00+05:30");
        let actual = json!("2025-03-01T01:30:00Z");
        assert_eq!(
            first_difference(&expected, &actual).as_deref(),
            Some("/ is \"2025-03-01T01:30:00Z\", expected \"2025-03-01T01:30:00+05:30\"")
        );
    }
}
