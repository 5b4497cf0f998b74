//! Fields of PATCH bodies: absent, explicitly null, or a value.
//!
//! A PATCH on a PBX entity changes only the properties it contains. Each field of a generated
//! `…Patch` body type is a [`Patch`], so a call can leave a field unchanged (`Absent`, the
//! default), clear it (`Null`, sent as `null`) or set it (`Value`).
//!
//! ```
//! use xapi_client::patch::Patch;
//!
//! let unchanged: Patch<String> = Patch::Absent;
//! let cleared: Patch<String> = Patch::Null;
//! let set: Patch<String> = "Alice".to_owned().into();
//! assert!(unchanged.is_absent());
//! assert_eq!(serde_json::to_string(&cleared).unwrap(), "null");
//! assert_eq!(serde_json::to_string(&set).unwrap(), "\"Alice\"");
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One field of a PATCH body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not sent: the PBX keeps the current value.
    #[default]
    Absent,
    /// Sent as `null`: the PBX clears the value.
    Null,
    /// Sent as this value.
    Value(T),
}

impl<T> Patch<T> {
    /// Tells whether the field is left out of the body.
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Returns the value, if one is set.
    pub fn value(&self) -> Option<&T> {
        match self {
            Patch::Value(value) => Some(value),
            Patch::Absent | Patch::Null => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Value(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` becomes `Null`: a caller who passes an `Option` means to send it.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(value) => Patch::Value(value),
            None => Patch::Null,
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(value) => value.serialize(serializer),
            // `Absent` is skipped by the field attribute; if serialized anyway it is null.
            Patch::Absent | Patch::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present `null` is `Null`; a missing field is `Absent` through `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Patch::Value(value),
            None => Patch::Null,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Deserialize, Default, Debug, PartialEq)]
    struct Body {
        #[serde(rename = "A", default, skip_serializing_if = "Patch::is_absent")]
        a: Patch<i32>,
        #[serde(rename = "B", default, skip_serializing_if = "Patch::is_absent")]
        b: Patch<i32>,
        #[serde(rename = "C", default, skip_serializing_if = "Patch::is_absent")]
        c: Patch<i32>,
    }

    #[test]
    fn three_states_round_trip() {
        let body = Body {
            a: Patch::Absent,
            b: Patch::Null,
            c: Patch::Value(3),
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(json, r#"{"B":null,"C":3}"#);
        let back: Body = serde_json::from_str(&json).unwrap();
        assert_eq!(back, body);
    }
}
