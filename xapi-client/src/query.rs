//! OData system query options, rendered once per option and applied by the client to every
//! operation that accepts them.

use std::fmt::Write as _;

/// The OData system query options of one request.
///
/// Build one with the chained methods and pass it to [`crate::Client::with_query`]; the client
/// renders each option once (`$select=Id,Name`, never `$select=Id&$select=Name`) and rejects the
/// request before sending it when the operation does not accept an option that is set.
///
/// ```
/// use xapi_client::Query;
///
/// let query = Query::new().filter("Number eq '100'").select(["Id", "Number"]).top(10);
/// assert_eq!(query.to_query_string(), "$top=10&$filter=Number%20eq%20'100'&$select=Id,Number");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Query {
    /// `$top`: the server returns at most this many items. Some PBX entity sets reject values
    /// above 100 with 400.
    pub top: Option<u64>,
    /// `$skip`: the server leaves out this many items from the start of the result.
    pub skip: Option<u64>,
    /// `$filter`: an OData boolean expression; the server returns only items for which it is
    /// true.
    pub filter: Option<String>,
    /// `$search`: free text the server matches against the items.
    pub search: Option<String>,
    /// `$count`: when true, the server adds the total number of matching items as
    /// `@odata.count`.
    pub count: Option<bool>,
    /// `$orderby`: the server sorts by these properties, in order.
    pub orderby: Vec<OrderBy>,
    /// `$select`: the server returns only these properties of each item.
    pub select: Vec<String>,
    /// `$expand`: the server includes these navigation properties inline.
    pub expand: Vec<String>,
}

/// One `$orderby` key.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OrderBy {
    /// Property name (or path) to sort by.
    pub property: String,
    /// Whether the order is descending (`desc`) rather than ascending.
    pub descending: bool,
}

impl Query {
    /// Creates a query with no options set.
    pub fn new() -> Self {
        Query::default()
    }

    /// Sets `$top`.
    pub fn top(mut self, top: u64) -> Self {
        self.top = Some(top);
        self
    }

    /// Sets `$skip`.
    pub fn skip(mut self, skip: u64) -> Self {
        self.skip = Some(skip);
        self
    }

    /// Sets `$filter` from a raw OData expression.
    pub fn filter(mut self, filter: impl Into<String>) -> Self {
        self.filter = Some(filter.into());
        self
    }

    /// Sets `$search`.
    pub fn search(mut self, search: impl Into<String>) -> Self {
        self.search = Some(search.into());
        self
    }

    /// Sets `$count`.
    pub fn count(mut self, count: bool) -> Self {
        self.count = Some(count);
        self
    }

    /// Appends an ascending `$orderby` key.
    pub fn order_by(mut self, property: impl Into<String>) -> Self {
        self.orderby.push(OrderBy {
            property: property.into(),
            descending: false,
        });
        self
    }

    /// Appends a descending `$orderby` key.
    pub fn order_by_desc(mut self, property: impl Into<String>) -> Self {
        self.orderby.push(OrderBy {
            property: property.into(),
            descending: true,
        });
        self
    }

    /// Appends properties to `$select`.
    pub fn select<I, S>(mut self, properties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.select.extend(properties.into_iter().map(Into::into));
        self
    }

    /// Appends navigation properties to `$expand`.
    pub fn expand<I, S>(mut self, properties: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.expand.extend(properties.into_iter().map(Into::into));
        self
    }

    /// Returns each set option as `(name, value)`, in a fixed order, each name at most once.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(top) = self.top {
            pairs.push(("$top", top.to_string()));
        }
        if let Some(skip) = self.skip {
            pairs.push(("$skip", skip.to_string()));
        }
        if let Some(filter) = &self.filter {
            pairs.push(("$filter", filter.clone()));
        }
        if let Some(search) = &self.search {
            pairs.push(("$search", search.clone()));
        }
        if let Some(count) = self.count {
            pairs.push(("$count", count.to_string()));
        }
        if !self.orderby.is_empty() {
            let keys: Vec<String> = self
                .orderby
                .iter()
                .map(|key| match key.descending {
                    true => format!("{} desc", key.property),
                    false => key.property.clone(),
                })
                .collect();
            pairs.push(("$orderby", keys.join(",")));
        }
        if !self.select.is_empty() {
            pairs.push(("$select", self.select.join(",")));
        }
        if !self.expand.is_empty() {
            pairs.push(("$expand", self.expand.join(",")));
        }
        pairs
    }

    /// Renders the options as a URL query string (without the leading `?`).
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        for (name, value) in self.pairs() {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            encode_query_value(&value, &mut out);
        }
        out
    }
}

/// Percent-encodes a query value, keeping the characters OData expressions use unencoded where
/// URLs allow them (`'`, `(`, `)`, `,`, `:`, `/`, `$`), and writing a space as `%20`.
pub(crate) fn encode_query_value(value: &str, out: &mut String) {
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'\''
                    | b'('
                    | b')'
                    | b','
                    | b':'
                    | b'/'
                    | b'$'
                    | b'@'
                    | b'!'
                    | b'*'
                    | b';'
            );
        if keep {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_rendered_once() {
        let query = Query::new()
            .top(5)
            .skip(10)
            .filter("Name eq 'a&b'")
            .search("x y")
            .count(true)
            .order_by("LastName")
            .order_by_desc("Id")
            .select(["Id"])
            .select(["Name"])
            .expand(["Groups"]);
        assert_eq!(
            query.to_query_string(),
            "$top=5&$skip=10&$filter=Name%20eq%20'a%26b'&$search=x%20y&$count=true\
             &$orderby=LastName,Id%20desc&$select=Id,Name&$expand=Groups"
        );
    }

    #[test]
    fn empty_query_renders_nothing() {
        assert_eq!(Query::new().to_query_string(), "");
        assert!(Query::new().pairs().is_empty());
    }

    #[test]
    fn non_ascii_and_reserved_are_encoded() {
        let mut out = String::new();
        encode_query_value("ü+%#=&?", &mut out);
        assert_eq!(out, "%C3%BC%2B%25%23%3D%26%3F");
    }
}
