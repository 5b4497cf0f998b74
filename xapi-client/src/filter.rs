//! A typed builder for OData `$filter` expressions.
//!
//! Values are written as OData literals by the same code that formats path arguments
//! ([`crate::literal`]): strings quoted with `'` doubled, date-times in UTC, GUIDs bare, `null`
//! for `None`.
//!
//! ```
//! use xapi_client::filter::{field, not};
//!
//! let filter = field("LastName").eq("O'Brien").and(not(field("Enabled").eq(false)));
//! assert_eq!(filter.to_string(), "(LastName eq 'O''Brien') and (not (Enabled eq false))");
//!
//! let query = xapi_client::Query::new().filter(filter);
//! ```

use std::fmt;

use crate::literal::{to_literal, DateTime, Guid, Text};

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter(String);

/// A property (or property path such as `Group/Name`) to compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field(String);

/// Starts a comparison on the property `name`.
pub fn field(name: impl Into<String>) -> Field {
    Field(name.into())
}

/// Negates `filter`.
pub fn not(filter: Filter) -> Filter {
    Filter(format!("not ({})", filter.0))
}

impl Filter {
    /// Wraps an expression written by hand; it is sent as it is.
    pub fn raw(expression: impl Into<String>) -> Self {
        Filter(expression.into())
    }

    /// Both expressions must hold.
    pub fn and(self, other: Filter) -> Filter {
        Filter(format!("({}) and ({})", self.0, other.0))
    }

    /// Either expression must hold.
    pub fn or(self, other: Filter) -> Filter {
        Filter(format!("({}) or ({})", self.0, other.0))
    }

    /// Returns the expression text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Filter> for String {
    fn from(filter: Filter) -> Self {
        filter.0
    }
}

impl Field {
    fn compare(self, operator: &str, value: impl FilterValue) -> Filter {
        Filter(format!("{} {operator} {}", self.0, value.literal()))
    }

    /// `name eq value`.
    pub fn eq(self, value: impl FilterValue) -> Filter {
        self.compare("eq", value)
    }

    /// `name ne value`.
    pub fn ne(self, value: impl FilterValue) -> Filter {
        self.compare("ne", value)
    }

    /// `name gt value`.
    pub fn gt(self, value: impl FilterValue) -> Filter {
        self.compare("gt", value)
    }

    /// `name ge value`.
    pub fn ge(self, value: impl FilterValue) -> Filter {
        self.compare("ge", value)
    }

    /// `name lt value`.
    pub fn lt(self, value: impl FilterValue) -> Filter {
        self.compare("lt", value)
    }

    /// `name le value`.
    pub fn le(self, value: impl FilterValue) -> Filter {
        self.compare("le", value)
    }

    /// `name eq null`.
    pub fn is_null(self) -> Filter {
        Filter(format!("{} eq null", self.0))
    }

    /// `name ne null`.
    pub fn is_not_null(self) -> Filter {
        Filter(format!("{} ne null", self.0))
    }

    /// `contains(name,'text')`.
    pub fn contains(self, text: impl Into<String>) -> Filter {
        self.function("contains", text.into())
    }

    /// `startswith(name,'text')`.
    pub fn starts_with(self, text: impl Into<String>) -> Filter {
        self.function("startswith", text.into())
    }

    /// `endswith(name,'text')`.
    pub fn ends_with(self, text: impl Into<String>) -> Filter {
        self.function("endswith", text.into())
    }

    fn function(self, name: &str, text: String) -> Filter {
        Filter(format!("{name}({},{})", self.0, to_literal(&Text(text))))
    }
}

/// A value that can stand on the right of a comparison.
pub trait FilterValue {
    /// Returns the value as an OData literal.
    fn literal(&self) -> String;
}

impl FilterValue for &str {
    fn literal(&self) -> String {
        to_literal(&Text::from(*self))
    }
}

impl FilterValue for String {
    fn literal(&self) -> String {
        to_literal(&Text::from(self.as_str()))
    }
}

impl FilterValue for &String {
    fn literal(&self) -> String {
        to_literal(&Text::from(self.as_str()))
    }
}

impl<Tz: chrono::TimeZone> FilterValue for chrono::DateTime<Tz> {
    fn literal(&self) -> String {
        to_literal(&DateTime::from(self.clone()))
    }
}

impl FilterValue for DateTime {
    fn literal(&self) -> String {
        to_literal(self)
    }
}

impl FilterValue for Guid {
    fn literal(&self) -> String {
        to_literal(self)
    }
}

macro_rules! bare_filter_value {
    ($($ty:ty),*) => {$(
        impl FilterValue for $ty {
            fn literal(&self) -> String {
                to_literal(self)
            }
        }
    )*};
}

bare_filter_value!(i32, i64, bool, f64);

impl<T: FilterValue> FilterValue for Option<T> {
    fn literal(&self) -> String {
        match self {
            Some(value) => value.literal(),
            None => "null".to_owned(),
        }
    }
}

impl From<Filter> for crate::Query {
    fn from(filter: Filter) -> Self {
        crate::Query::new().filter(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_write_literals() {
        assert_eq!(field("Id").eq(5).to_string(), "Id eq 5");
        assert_eq!(field("Name").ne("a'b").to_string(), "Name ne 'a''b'");
        assert_eq!(field("Enabled").eq(true).to_string(), "Enabled eq true");
        assert_eq!(field("Score").ge(1.5).to_string(), "Score ge 1.5");
        assert_eq!(
            field("Manager").eq(None::<&str>).to_string(),
            "Manager eq null"
        );
        let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T01:00:00+01:00").unwrap();
        assert_eq!(
            field("Created").lt(start).to_string(),
            "Created lt 2025-03-01T00:00:00Z"
        );
        let guid = Guid::parse_str("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap();
        assert_eq!(
            field("Key").eq(guid).to_string(),
            "Key eq 67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
    }

    #[test]
    fn functions_and_logic() {
        let filter = field("Name")
            .starts_with("O'")
            .or(field("Name").contains("x"))
            .and(not(field("Email").is_null()));
        assert_eq!(
            filter.to_string(),
            "((startswith(Name,'O''')) or (contains(Name,'x'))) and (not (Email eq null))"
        );
        assert_eq!(
            field("Name").ends_with("z").to_string(),
            "endswith(Name,'z')"
        );
        assert_eq!(field("A").is_not_null().to_string(), "A ne null");
    }

    #[test]
    fn filter_sets_query() {
        let query = crate::Query::new().filter(field("Id").gt(3));
        assert_eq!(query.filter.as_deref(), Some("Id gt 3"));
    }
}
