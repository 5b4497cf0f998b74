//! Decoding of optional properties that tolerates values of another type.
//!
//! Generated structs decode every optional property through [`optional`]: a value that does
//! not match the property's type (a property retyped by a newer 3CX release) becomes `None`
//! and is logged, instead of failing the whole reply or page.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

/// Decodes an optional property, turning a value of the wrong type into `None`.
// NOTE: the mismatched value is dropped, not kept; the warning carries serde's description
// of it. Call `xapi_client::dynamic` or read the raw body when the exact value matters.
pub fn optional<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    match serde_json::from_value::<T>(value) {
        Ok(decoded) => Ok(Some(decoded)),
        Err(error) => {
            tracing::warn!(%error, "a property value does not match its declared type; decoded as None");
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(rename = "SegId", default, deserialize_with = "super::optional")]
        seg_id: Option<i32>,
        #[serde(rename = "Name", default, deserialize_with = "super::optional")]
        name: Option<String>,
    }

    #[test]
    fn mismatched_value_becomes_none() {
        let row: Row = serde_json::from_str(r#"{"SegId":"x-17","Name":"a"}"#).unwrap();
        assert_eq!(
            row,
            Row {
                seg_id: None,
                name: Some("a".to_owned())
            }
        );
        let row: Row = serde_json::from_str(r#"{"SegId":17,"Name":null}"#).unwrap();
        assert_eq!(
            row,
            Row {
                seg_id: Some(17),
                name: None
            }
        );
        let row: Row = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(
            row,
            Row {
                seg_id: None,
                name: None
            }
        );
    }
}
