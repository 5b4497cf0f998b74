//! OData system query options: `$top $skip $count $select $orderby $filter $search $expand`.
//!
//! Parsing happens before the item type is known, so a malformed or repeated option gets
//! a 400 on every path. Binding then resolves property names against the item schema.

use crate::filter::{self, Bound, Expr, Kind, PropPath};
use crate::schema::{Node, Schemas, StrFormat, TypeRef};

/// Parsed system query options of one request.
#[derive(Debug, Default, Clone)]
pub(crate) struct QueryOptions {
    pub top: Option<u64>,
    pub skip: Option<u64>,
    pub count: bool,
    /// `None` selects everything, as does `*`.
    pub select: Option<Vec<String>>,
    /// Property path and `true` for descending.
    pub orderby: Vec<(Vec<String>, bool)>,
    pub filter: Option<Expr>,
    pub search: Option<String>,
    pub expand: Vec<String>,
}

/// Options bound to an item type.
#[derive(Debug, Clone)]
pub(crate) struct BoundQuery {
    pub top: Option<u64>,
    pub skip: u64,
    pub select: Option<Vec<String>>,
    pub orderby: Vec<(PropPath, bool)>,
    pub filter: Option<Bound>,
    /// Lowercased search phrase and the indices of the string properties it searches.
    pub search: Option<(String, Vec<usize>)>,
    pub expand: Vec<String>,
}

/// System query options this mock accepts; `$format` is accepted and ignored.
const KNOWN: [&str; 9] = [
    "$top", "$skip", "$count", "$select", "$orderby", "$filter", "$search", "$expand", "$format",
];

/// Parses the raw query string. Errors are messages for a 400 response.
pub(crate) fn parse(raw_query: Option<&str>) -> Result<QueryOptions, String> {
    let mut options = QueryOptions::default();
    let Some(raw_query) = raw_query else {
        return Ok(options);
    };
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        if !name.starts_with('$') {
            // Custom query options are allowed by OData and ignored here.
            continue;
        }
        let lower = name.to_ascii_lowercase();
        if !KNOWN.contains(&lower.as_str()) {
            return Err(format!("The query parameter '{name}' is not supported."));
        }
        if seen.contains(&lower) {
            return Err(format!(
                "Query option '{lower}' was specified more than once, but it must be specified at most once."
            ));
        }
        seen.push(lower.clone());
        let value = value.as_ref();
        match lower.as_str() {
            "$top" => options.top = Some(parse_count_value("$top", value)?),
            "$skip" => options.skip = Some(parse_count_value("$skip", value)?),
            "$count" => {
                options.count = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(format!(
                            "'{value}' is not a valid count option: use true or false."
                        ))
                    }
                }
            }
            "$select" => options.select = parse_select(value)?,
            "$orderby" => options.orderby = parse_orderby(value)?,
            "$filter" => options.filter = Some(filter::parse(value)?),
            "$search" => {
                let phrase = filter::search_phrase(value);
                if phrase.is_empty() {
                    return Err("The $search query option must not be empty.".to_owned());
                }
                options.search = Some(phrase);
            }
            "$expand" => options.expand = parse_expand(value)?,
            _ => {}
        }
    }
    Ok(options)
}

fn parse_count_value(name: &str, value: &str) -> Result<u64, String> {
    let valid = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match value.parse::<u64>() {
        Ok(number) if valid => Ok(number),
        _ => Err(format!(
            "Invalid value '{value}' for {name} query option found. The {name} query option requires a non-negative integer value."
        )),
    }
}

fn is_path(text: &str) -> bool {
    text.split('/').all(|segment| {
        let mut chars = segment.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    })
}

fn parse_select(value: &str) -> Result<Option<Vec<String>>, String> {
    let mut names = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        if item == "*" {
            return Ok(None);
        }
        if !is_path(item) {
            return Err(format!(
                "Syntax error in $select: '{item}' is not a property name."
            ));
        }
        names.push(item.to_owned());
    }
    Ok(Some(names))
}

fn parse_orderby(value: &str) -> Result<Vec<(Vec<String>, bool)>, String> {
    let mut keys = Vec::new();
    for item in value.split(',') {
        let mut words = item.split_whitespace();
        let Some(path) = words.next().filter(|p| is_path(p)) else {
            return Err(format!(
                "Syntax error in $orderby: '{}' is not a property path.",
                item.trim()
            ));
        };
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(format!(
                    "Syntax error in $orderby: expected 'asc' or 'desc' after '{path}', found '{other}'."
                ))
            }
        };
        if let Some(extra) = words.next() {
            return Err(format!("Syntax error in $orderby: unexpected '{extra}'."));
        }
        keys.push((path.split('/').map(str::to_owned).collect(), descending));
    }
    Ok(keys)
}

/// Splits `A,B($select=X,Y),C` into `A`, `B`, `C`; nested options are accepted and ignored.
fn parse_expand(value: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    let mut items = Vec::new();
    for ch in value.chars() {
        match ch {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("Syntax error in $expand: unbalanced parentheses.".to_owned());
                }
            }
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(ch);
    }
    if depth != 0 {
        return Err("Syntax error in $expand: unbalanced parentheses.".to_owned());
    }
    items.push(current);
    for item in items {
        let name = item.split('(').next().unwrap_or("").trim();
        if name != "*" && !is_path(name) {
            return Err(format!(
                "Syntax error in $expand: '{name}' is not a property name."
            ));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

impl QueryOptions {
    /// Resolves property names against `item`, checking that they exist and that
    /// `$orderby` keys and the `$filter` expression are well typed.
    pub fn bind(&self, schemas: &Schemas, item: TypeRef) -> Result<BoundQuery, String> {
        let select = self.bind_select(schemas, item)?;
        let expand = self.bind_expand(schemas, item)?;
        let mut orderby = Vec::with_capacity(self.orderby.len());
        for (path, descending) in &self.orderby {
            let resolved = filter::resolve_path(schemas, item, path)?;
            if resolved.kind == Kind::Complex {
                return Err(format!(
                    "The $orderby property '{}' is not of a primitive type.",
                    path.join("/")
                ));
            }
            orderby.push((resolved, *descending));
        }
        let filter = match &self.filter {
            Some(expr) => Some(filter::bind(schemas, item, expr)?),
            None => None,
        };
        let search = self.search.as_ref().map(|phrase| {
            let searchable = schemas
                .props(item)
                .iter()
                .enumerate()
                .filter(|(_, prop)| is_searchable(schemas, prop.ty) && !prop.navigation)
                .map(|(index, _)| index)
                .collect();
            (phrase.to_lowercase(), searchable)
        });
        Ok(BoundQuery {
            top: self.top,
            skip: self.skip.unwrap_or(0),
            select,
            orderby,
            filter,
            search,
            expand,
        })
    }

    /// Checks `$select` names against `item`; nested paths select their top-level property.
    pub fn bind_select(
        &self,
        schemas: &Schemas,
        item: TypeRef,
    ) -> Result<Option<Vec<String>>, String> {
        let Some(names) = &self.select else {
            return Ok(None);
        };
        if !matches!(schemas.node(item.node), Node::Object { .. }) {
            return Ok(None);
        }
        let mut selected = Vec::new();
        for name in names {
            let path: Vec<String> = name.split('/').map(str::to_owned).collect();
            filter::resolve_path(schemas, item, &path)?;
            if !selected.contains(&path[0]) {
                selected.push(path[0].clone());
            }
        }
        Ok(Some(selected))
    }

    /// Checks that every `$expand` name is a navigation property of `item`.
    pub fn bind_expand(&self, schemas: &Schemas, item: TypeRef) -> Result<Vec<String>, String> {
        let props = schemas.props(item);
        let mut names = Vec::new();
        for name in &self.expand {
            if name == "*" {
                names.extend(
                    props
                        .iter()
                        .filter(|p| p.navigation)
                        .map(|p| p.name.clone()),
                );
                continue;
            }
            match props.iter().find(|p| &p.name == name) {
                Some(prop) if prop.navigation => names.push(name.clone()),
                Some(_) => {
                    return Err(format!(
                        "Property '{name}' on type '{}' is not a navigation property or complex property. Only navigation properties can be expanded.",
                        schemas.name_of(item.node).unwrap_or("the item type")
                    ))
                }
                None => {
                    return Err(format!(
                        "Could not find a property named '{name}' on type '{}'.",
                        schemas.name_of(item.node).unwrap_or("the item type")
                    ))
                }
            }
        }
        Ok(names)
    }
}

fn is_searchable(schemas: &Schemas, ty: TypeRef) -> bool {
    matches!(
        schemas.node(ty.node),
        Node::String {
            format: StrFormat::Plain,
            ..
        } | Node::Enum { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_option_is_rejected() {
        let error = parse(Some("$top=1&$top=2")).unwrap_err();
        assert!(error.contains("more than once"), "{error}");
    }

    #[test]
    fn options_are_decoded() {
        let options = parse(Some(
            "$top=5&$skip=10&$count=true&$select=A,B&$orderby=A%20desc,B+asc&$search=%22x%20y%22",
        ))
        .unwrap();
        assert_eq!(options.top, Some(5));
        assert_eq!(options.skip, Some(10));
        assert!(options.count);
        assert_eq!(options.select, Some(vec!["A".to_owned(), "B".to_owned()]));
        assert_eq!(
            options.orderby,
            vec![(vec!["A".to_owned()], true), (vec!["B".to_owned()], false)]
        );
        assert_eq!(options.search.as_deref(), Some("x y"));
    }

    #[test]
    fn malformed_values_are_rejected() {
        for query in [
            "$top=-1",
            "$top=abc",
            "$skip=",
            "$count=yes",
            "$orderby=A%20up",
            "$select=A,,B",
            "$expand=A(",
            "$filter=A%20eq",
            "$search=",
            "$bogus=1",
        ] {
            assert!(parse(Some(query)).is_err(), "{query} should fail");
        }
    }

    #[test]
    fn custom_options_are_ignored() {
        assert!(parse(Some("foo=bar&$top=1")).is_ok());
    }
}
