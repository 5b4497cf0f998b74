//! OData literals for path arguments: entity keys (`/Users(42)`, `/Backups('a.zip')`) and
//! function arguments (`/Pbx.GetLogs(startDate=2025-03-01T00:00:00Z,extension='100',…)`).
//!
//! Generated methods take these types for path parameters; their `Display` writes the literal
//! that a PBX parses, and the generated code then percent-encodes it for the URL path.
//!
//! ```
//! use xapi_client::literal::{DateTime, Nullable, Text};
//!
//! assert_eq!(Text::from("O'Brien").to_string(), "'O''Brien'");
//! assert_eq!(Nullable::<Text>::null().to_string(), "null");
//! let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T01:00:00+01:00").unwrap();
//! assert_eq!(DateTime::from(start).to_string(), "2025-03-01T00:00:00Z");
//! ```

use std::fmt;

/// Writes a value as an OData URL literal.
pub trait Literal {
    /// Writes the literal form of `self`.
    fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// An `Edm.String` literal: written in single quotes, with each `'` doubled.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Text(pub String);

impl Literal for Text {
    fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        f.write_str(&self.0.replace('\'', "''"))?;
        f.write_str("'")
    }
}

impl From<&str> for Text {
    fn from(value: &str) -> Self {
        Text(value.to_owned())
    }
}

impl From<String> for Text {
    fn from(value: String) -> Self {
        Text(value)
    }
}

impl From<&String> for Text {
    fn from(value: &String) -> Self {
        Text(value.clone())
    }
}

/// An `Edm.DateTimeOffset` literal: ISO 8601 in UTC with a `Z` suffix, unquoted.
///
/// Any time zone converts into it; the instant is kept and the offset becomes UTC, because a
/// PBX answers 500 to the `Display` form of `chrono::DateTime` (`2025-03-01 00:00:00 UTC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

impl Literal for DateTime {
    fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        f.write_str(&text)
    }
}

impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for DateTime {
    fn from(value: chrono::DateTime<Tz>) -> Self {
        DateTime(value.with_timezone(&chrono::Utc))
    }
}

/// An `Edm.Date` literal (`2025-03-01`).
pub type Date = chrono::NaiveDate;

/// An `Edm.Guid` literal (hyphenated, unquoted).
pub type Guid = uuid::Uuid;

/// A nullable argument: `null` when absent, otherwise the value's literal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nullable<T>(pub Option<T>);

impl<T> Nullable<T> {
    /// Returns the `null` literal.
    pub fn null() -> Self {
        Nullable(None)
    }
}

impl<T: Literal> Literal for Nullable<T> {
    fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => value.write_literal(f),
            None => f.write_str("null"),
        }
    }
}

impl<T> Default for Nullable<T> {
    fn default() -> Self {
        Nullable(None)
    }
}

impl<T, V: Into<T>> From<Option<V>> for Nullable<T> {
    fn from(value: Option<V>) -> Self {
        Nullable(value.map(Into::into))
    }
}

impl From<&str> for Nullable<Text> {
    fn from(value: &str) -> Self {
        Nullable(Some(Text::from(value)))
    }
}

impl From<String> for Nullable<Text> {
    fn from(value: String) -> Self {
        Nullable(Some(Text(value)))
    }
}

impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for Nullable<DateTime> {
    fn from(value: chrono::DateTime<Tz>) -> Self {
        Nullable(Some(DateTime::from(value)))
    }
}

macro_rules! bare_literal {
    ($($ty:ty),*) => {$(
        impl Literal for $ty {
            fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl From<$ty> for Nullable<$ty> {
            fn from(value: $ty) -> Self {
                Nullable(Some(value))
            }
        }
    )*};
}

bare_literal!(i32, i64, bool, Date, Guid);

impl Literal for f64 {
    fn write_literal(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // OData has keywords for the values Rust prints as `NaN` and `inf`.
        if self.is_nan() {
            f.write_str("NaN")
        } else if self.is_infinite() && *self > 0.0 {
            f.write_str("INF")
        } else if self.is_infinite() {
            f.write_str("-INF")
        } else {
            fmt::Display::fmt(self, f)
        }
    }
}

impl From<f64> for Nullable<f64> {
    fn from(value: f64) -> Self {
        Nullable(Some(value))
    }
}

macro_rules! display_literal {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.write_literal(f)
            }
        }
    )*};
}

display_literal!(Text, DateTime);

impl<T: Literal> fmt::Display for Nullable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_literal(f)
    }
}

/// Percent-encodes a path argument (called by the generated code).
///
/// Keeps the characters RFC 3986 allows in a path segment unencoded (letters, digits,
/// `-._~`, `!$&'()*+,;=`, `:` and `@`), so `'` stays readable in OData literals, and encodes
/// everything else: `/`, `%`, `?`, `#`, `\`, `|`, `[`, `]`, `^`, spaces and non-ASCII bytes.
pub fn encode_path(argument: &str) -> String {
    let mut encoded = String::with_capacity(argument.len());
    for byte in argument.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
            );
        if keep {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Formats any literal value as a `String` (used by the filter builder and tests).
pub fn to_literal<T: Literal + ?Sized>(value: &T) -> String {
    struct Adapter<'a, T: ?Sized>(&'a T);
    impl<T: Literal + ?Sized> fmt::Display for Adapter<'_, T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.write_literal(f)
        }
    }
    Adapter(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_doubles_quotes() {
        assert_eq!(Text::from("it's").to_string(), "'it''s'");
        assert_eq!(Text::from("''").to_string(), "''''''");
        assert_eq!(Text::from("").to_string(), "''");
        assert_eq!(Text::from("a/b #%,()ü").to_string(), "'a/b #%,()ü'");
    }

    #[test]
    fn date_time_converts_to_utc() {
        let local = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:30:00-05:00").unwrap();
        assert_eq!(DateTime::from(local).to_string(), "2025-03-01T05:30:00Z");
        let fraction = chrono::DateTime::parse_from_rfc3339("2025-03-01T00:00:00.25Z").unwrap();
        assert_eq!(
            DateTime::from(fraction).to_string(),
            "2025-03-01T00:00:00.250Z"
        );
    }

    #[test]
    fn nullable_writes_null() {
        assert_eq!(Nullable::<i32>::null().to_string(), "null");
        assert_eq!(Nullable::from(7i32).to_string(), "7");
        assert_eq!(Nullable::<Text>::from(Some("x")).to_string(), "'x'");
        assert_eq!(Nullable::<Text>::from(None::<&str>).to_string(), "null");
    }

    #[test]
    fn path_encoding_keeps_only_segment_characters() {
        assert_eq!(encode_path("'a b'"), "'a%20b'");
        assert_eq!(encode_path("\\|[]^/%?#"), "%5C%7C%5B%5D%5E%2F%25%3F%23");
        assert_eq!(encode_path("ü"), "%C3%BC");
        assert_eq!(encode_path("!$&()*+,;=:@-._~"), "!$&()*+,;=:@-._~");
    }

    #[test]
    fn numbers_and_guids_are_bare() {
        assert_eq!(to_literal(&-2147483648i32), "-2147483648");
        assert_eq!(to_literal(&true), "true");
        assert_eq!(to_literal(&1.5f64), "1.5");
        assert_eq!(to_literal(&f64::NAN), "NaN");
        let guid = Guid::parse_str("0E4B1B6A-0000-4000-8000-000000000001").unwrap();
        assert_eq!(to_literal(&guid), "0e4b1b6a-0000-4000-8000-000000000001");
    }
}
