//! Facts about every generated operation, in the generated `OPERATIONS` table.

/// One operation of the document the client was built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The operation's `operationId` in the document.
    pub operation_id: &'static str,
    /// Name of the generated method on [`crate::Client`].
    pub rust_method: &'static str,
    /// HTTP method, uppercase.
    pub method: &'static str,
    /// Path template below the base URL (`/Users({Id})`).
    pub path: &'static str,
    /// First OpenAPI tag; it names the cargo feature that compiles the operation.
    pub tag: &'static str,
    /// OData system query options the operation accepts (`$top`, `$filter`, …).
    pub query_options: &'static [&'static str],
    /// Whether the success body is a file, returned as a byte stream.
    pub file_response: bool,
    /// Whether the operation takes a request body.
    pub has_body: bool,
    /// Path and header parameters, in document order.
    pub parameters: &'static [Parameter],
}

/// One path or header parameter of an [`Operation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parameter {
    /// Name in the document (`Id`, `startDate`, `If-Match`).
    pub name: &'static str,
    /// `path` or `header`.
    pub location: &'static str,
    /// For path parameters, the OData literal kind: `string`, `date-time`, `date`, `guid`,
    /// `int32`, `int64`, `boolean` or `number`; empty for headers.
    pub literal: &'static str,
    /// Whether the literal may be `null`.
    pub nullable: bool,
    /// Whether the parameter must be given.
    pub required: bool,
}

/// Every operation the client was built with, sorted by generated method name.
pub fn operations() -> &'static [Operation] {
    crate::generated::OPERATIONS
}

/// Finds an operation by its generated method name (the `operation_id` progenitor passes to
/// client hooks).
pub fn by_rust_method(name: &str) -> Option<&'static Operation> {
    let table = operations();
    table
        .binary_search_by(|operation| operation.rust_method.cmp(name))
        .ok()
        .map(|index| &table[index])
}

/// Finds an operation by its `operationId`, ignoring ASCII case.
pub fn by_operation_id(id: &str) -> Option<&'static Operation> {
    operations()
        .iter()
        .find(|operation| operation.operation_id.eq_ignore_ascii_case(id))
}
