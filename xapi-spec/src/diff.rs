//! Differences between two documents, classed by whether they break code that uses the
//! client generated from the older one.
//!
//! [`diff`] compares operations by operationId and schemas by name. Types are compared as
//! short descriptions of their schemas (see [`Parameter::type_name`]), so a change of a
//! referenced schema is reported once, on that schema, and not on every operation that uses
//! it. A schema's properties are the ones it declares itself, directly or in an inline `allOf`
//! member. A property inherited through an `allOf` reference is reported on the schema that
//! declares it.

mod describe;
mod operations;
mod render;
mod schemas;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::Document;

/// The changes from one document to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Diff {
    /// Label of the older document.
    pub old: String,
    /// Label of the newer document.
    pub new: String,
    /// Every change, operations first, then schemas, each group sorted by name.
    pub changes: Vec<Change>,
}

/// An operation identified by its operationId, HTTP method and path template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Endpoint {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// HTTP method, uppercase.
    pub method: String,
    /// Path template as the document writes it.
    pub path: String,
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Parameter {
    /// The parameter's name.
    pub name: String,
    /// Location of the parameter: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Short description of its schema: a component schema's name, or the type and format
    /// (`integer(int32)`, `array<string>`). Constraints such as `maximum` are left out.
    pub type_name: String,
    /// Whether the parameter is required.
    pub required: bool,
}

impl Parameter {
    /// Tells whether this is an OData system query option (`$filter`, `$top`, …).
    ///
    /// The generated client takes those through one query value, not as method arguments, so
    /// adding one or changing its schema does not change a method's signature.
    pub fn is_query_option(&self) -> bool {
        is_query_option(&self.location, &self.name)
    }
}

fn is_query_option(location: &str, name: &str) -> bool {
    location == "query" && name.starts_with('$')
}

/// One difference between two documents.
///
/// [`Change::is_breaking`] classes it as breaking code written against the client generated
/// from the older document or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// An operationId that only the newer document has, and that no rename explains.
    OperationAdded {
        /// The new operation.
        operation: Endpoint,
    },
    /// An operationId that only the older document has, and that no rename explains.
    OperationRemoved {
        /// The removed operation.
        operation: Endpoint,
    },
    /// An operation under the same method and path template (ignoring parameter names) with
    /// another operationId, which renames the generated method.
    OperationRenamed {
        /// The operationId in the older document.
        old_id: String,
        /// The operation in the newer document.
        operation: Endpoint,
    },
    /// An operation whose operationId stayed but whose method or path template changed.
    OperationMoved {
        /// The operation in the newer document.
        operation: Endpoint,
        /// HTTP method in the older document.
        old_method: String,
        /// Path template in the older document.
        old_path: String,
    },
    /// A parameter that only the newer operation has.
    ParameterAdded {
        /// operationId in the newer document.
        operation_id: String,
        /// The new parameter.
        parameter: Parameter,
    },
    /// A parameter that only the older operation has.
    ParameterRemoved {
        /// operationId in the newer document.
        operation_id: String,
        /// The removed parameter, as the older document has it.
        parameter: Parameter,
    },
    /// A parameter whose schema changed.
    ParameterRetyped {
        /// operationId in the newer document.
        operation_id: String,
        /// The parameter as the newer document has it.
        parameter: Parameter,
        /// Its type in the older document.
        old_type: String,
    },
    /// A parameter that became required or optional.
    ParameterRequiredChanged {
        /// operationId in the newer document.
        operation_id: String,
        /// The parameter as the newer document has it.
        parameter: Parameter,
    },
    /// A request body that was added, removed, or whose schema changed.
    RequestBodyChanged {
        /// operationId in the newer document.
        operation_id: String,
        /// The body's type in the older document; `None` when it had no body.
        old_type: Option<String>,
        /// The body's type in the newer document; `None` when it has no body.
        new_type: Option<String>,
    },
    /// A change of the type the first 2xx response carries.
    ResponseChanged {
        /// operationId in the newer document.
        operation_id: String,
        /// Success type in the older document: a type, `no content`, or `none` without a
        /// 2xx response.
        old_type: String,
        /// Success type in the newer document.
        new_type: String,
    },
    /// A component schema that only the newer document has.
    SchemaAdded {
        /// Name under `components/schemas`.
        schema: String,
    },
    /// A component schema that only the older document has.
    SchemaRemoved {
        /// Name under `components/schemas`.
        schema: String,
    },
    /// A change of the schemas a schema extends through `allOf` references.
    SchemaBasesChanged {
        /// Name under `components/schemas`.
        schema: String,
        /// Referenced schemas in the older document.
        old_bases: Vec<String>,
        /// Referenced schemas in the newer document.
        new_bases: Vec<String>,
    },
    /// A property that only the newer schema declares.
    PropertyAdded {
        /// Name under `components/schemas`.
        schema: String,
        /// The property's name.
        property: String,
        /// Its type.
        type_name: String,
        /// Whether the schema lists it as required.
        required: bool,
    },
    /// A property that only the older schema declares.
    PropertyRemoved {
        /// Name under `components/schemas`.
        schema: String,
        /// The property's name.
        property: String,
        /// Its type in the older document.
        type_name: String,
    },
    /// A property whose type changed.
    PropertyRetyped {
        /// Name under `components/schemas`.
        schema: String,
        /// The property's name.
        property: String,
        /// Its type in the older document.
        old_type: String,
        /// Its type in the newer document.
        new_type: String,
    },
    /// A property whose `nullable` flag changed.
    PropertyNullableChanged {
        /// Name under `components/schemas`.
        schema: String,
        /// The property's name.
        property: String,
        /// Whether the property is nullable in the newer document.
        nullable: bool,
        /// Whether the newer schema lists it as required.
        required: bool,
    },
    /// A property that became required or optional.
    PropertyRequiredChanged {
        /// Name under `components/schemas`.
        schema: String,
        /// The property's name.
        property: String,
        /// Whether the newer schema lists it as required.
        required: bool,
    },
    /// An enum member that only the newer schema has.
    EnumMemberAdded {
        /// Name under `components/schemas`.
        schema: String,
        /// The property whose inline enum changed; `None` for an enum schema.
        property: Option<String>,
        /// The member: the string itself, or the JSON text of another value.
        member: String,
    },
    /// An enum member that only the older schema has.
    EnumMemberRemoved {
        /// Name under `components/schemas`.
        schema: String,
        /// The property whose inline enum changed; `None` for an enum schema.
        property: Option<String>,
        /// The member: the string itself, or the JSON text of another value.
        member: String,
    },
}

/// The kind of a [`Change`], without its data, for grouping and counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[allow(missing_docs)] // Each kind is the variant of `Change` with the same name.
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationMoved,
    ParameterAdded,
    ParameterRemoved,
    ParameterRetyped,
    ParameterRequiredChanged,
    RequestBodyChanged,
    ResponseChanged,
    SchemaAdded,
    SchemaRemoved,
    SchemaBasesChanged,
    PropertyAdded,
    PropertyRemoved,
    PropertyRetyped,
    PropertyNullableChanged,
    PropertyRequiredChanged,
    EnumMemberAdded,
    EnumMemberRemoved,
}

impl ChangeKind {
    /// Every kind, in the order reports list them.
    pub const ALL: [ChangeKind; 20] = [
        ChangeKind::OperationAdded,
        ChangeKind::OperationRemoved,
        ChangeKind::OperationRenamed,
        ChangeKind::OperationMoved,
        ChangeKind::ParameterAdded,
        ChangeKind::ParameterRemoved,
        ChangeKind::ParameterRetyped,
        ChangeKind::ParameterRequiredChanged,
        ChangeKind::RequestBodyChanged,
        ChangeKind::ResponseChanged,
        ChangeKind::SchemaAdded,
        ChangeKind::SchemaRemoved,
        ChangeKind::SchemaBasesChanged,
        ChangeKind::PropertyAdded,
        ChangeKind::PropertyRemoved,
        ChangeKind::PropertyRetyped,
        ChangeKind::PropertyNullableChanged,
        ChangeKind::PropertyRequiredChanged,
        ChangeKind::EnumMemberAdded,
        ChangeKind::EnumMemberRemoved,
    ];

    /// Returns the snake-case name that the JSON report uses, such as `operation_added`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation_added",
            ChangeKind::OperationRemoved => "operation_removed",
            ChangeKind::OperationRenamed => "operation_renamed",
            ChangeKind::OperationMoved => "operation_moved",
            ChangeKind::ParameterAdded => "parameter_added",
            ChangeKind::ParameterRemoved => "parameter_removed",
            ChangeKind::ParameterRetyped => "parameter_retyped",
            ChangeKind::ParameterRequiredChanged => "parameter_required_changed",
            ChangeKind::RequestBodyChanged => "request_body_changed",
            ChangeKind::ResponseChanged => "response_changed",
            ChangeKind::SchemaAdded => "schema_added",
            ChangeKind::SchemaRemoved => "schema_removed",
            ChangeKind::SchemaBasesChanged => "schema_bases_changed",
            ChangeKind::PropertyAdded => "property_added",
            ChangeKind::PropertyRemoved => "property_removed",
            ChangeKind::PropertyRetyped => "property_retyped",
            ChangeKind::PropertyNullableChanged => "property_nullable_changed",
            ChangeKind::PropertyRequiredChanged => "property_required_changed",
            ChangeKind::EnumMemberAdded => "enum_member_added",
            ChangeKind::EnumMemberRemoved => "enum_member_removed",
        }
    }

    /// Returns the heading that the text and Markdown reports use, such as `Operations added`.
    pub fn title(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "Operations added",
            ChangeKind::OperationRemoved => "Operations removed",
            ChangeKind::OperationRenamed => "Operations renamed",
            ChangeKind::OperationMoved => "Operations moved to another method or path",
            ChangeKind::ParameterAdded => "Parameters added",
            ChangeKind::ParameterRemoved => "Parameters removed",
            ChangeKind::ParameterRetyped => "Parameters retyped",
            ChangeKind::ParameterRequiredChanged => "Parameters made required or optional",
            ChangeKind::RequestBodyChanged => "Request bodies changed",
            ChangeKind::ResponseChanged => "Success responses changed",
            ChangeKind::SchemaAdded => "Schemas added",
            ChangeKind::SchemaRemoved => "Schemas removed",
            ChangeKind::SchemaBasesChanged => "Schema bases changed",
            ChangeKind::PropertyAdded => "Properties added",
            ChangeKind::PropertyRemoved => "Properties removed",
            ChangeKind::PropertyRetyped => "Properties retyped",
            ChangeKind::PropertyNullableChanged => "Properties made nullable or not nullable",
            ChangeKind::PropertyRequiredChanged => "Properties made required or optional",
            ChangeKind::EnumMemberAdded => "Enum members added",
            ChangeKind::EnumMemberRemoved => "Enum members removed",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Change {
    /// Returns the change's kind.
    pub fn kind(&self) -> ChangeKind {
        match self {
            Change::OperationAdded { .. } => ChangeKind::OperationAdded,
            Change::OperationRemoved { .. } => ChangeKind::OperationRemoved,
            Change::OperationRenamed { .. } => ChangeKind::OperationRenamed,
            Change::OperationMoved { .. } => ChangeKind::OperationMoved,
            Change::ParameterAdded { .. } => ChangeKind::ParameterAdded,
            Change::ParameterRemoved { .. } => ChangeKind::ParameterRemoved,
            Change::ParameterRetyped { .. } => ChangeKind::ParameterRetyped,
            Change::ParameterRequiredChanged { .. } => ChangeKind::ParameterRequiredChanged,
            Change::RequestBodyChanged { .. } => ChangeKind::RequestBodyChanged,
            Change::ResponseChanged { .. } => ChangeKind::ResponseChanged,
            Change::SchemaAdded { .. } => ChangeKind::SchemaAdded,
            Change::SchemaRemoved { .. } => ChangeKind::SchemaRemoved,
            Change::SchemaBasesChanged { .. } => ChangeKind::SchemaBasesChanged,
            Change::PropertyAdded { .. } => ChangeKind::PropertyAdded,
            Change::PropertyRemoved { .. } => ChangeKind::PropertyRemoved,
            Change::PropertyRetyped { .. } => ChangeKind::PropertyRetyped,
            Change::PropertyNullableChanged { .. } => ChangeKind::PropertyNullableChanged,
            Change::PropertyRequiredChanged { .. } => ChangeKind::PropertyRequiredChanged,
            Change::EnumMemberAdded { .. } => ChangeKind::EnumMemberAdded,
            Change::EnumMemberRemoved { .. } => ChangeKind::EnumMemberRemoved,
        }
    }

    /// Tells whether the change breaks code written against the client generated from the
    /// older document, either at compile time or when decoding a response.
    ///
    /// Breaking:
    /// - a removed or renamed operation, schema, property, enum member, parameter or `allOf`
    ///   base;
    /// - a new parameter other than an OData system query option, because the client's
    ///   methods take every parameter as a positional argument;
    /// - a changed type of a parameter, request body, success response or property;
    /// - a parameter or property made required or optional, because that switches its Rust
    ///   type between `T` and `Option<T>`;
    /// - a new required property, and a changed `nullable` flag on a required property.
    ///
    /// Not breaking:
    /// - a new operation, schema, optional property or `allOf` base;
    /// - an operation that keeps its operationId but moves to another path, because its
    ///   method keeps its name (a parameter change that comes with the move is reported on
    ///   its own);
    /// - a changed `nullable` flag on an optional property, whose Rust type is `Option<T>`
    ///   either way;
    /// - a new enum member, because the generated enums keep a member they do not know in a
    ///   catch-all variant;
    /// - an OData system query option that was added or changed.
    pub fn is_breaking(&self) -> bool {
        match self {
            Change::OperationAdded { .. }
            | Change::OperationMoved { .. }
            | Change::SchemaAdded { .. }
            | Change::EnumMemberAdded { .. } => false,
            Change::OperationRemoved { .. }
            | Change::OperationRenamed { .. }
            | Change::ParameterRemoved { .. }
            | Change::RequestBodyChanged { .. }
            | Change::ResponseChanged { .. }
            | Change::SchemaRemoved { .. }
            | Change::PropertyRemoved { .. }
            | Change::PropertyRetyped { .. }
            | Change::PropertyRequiredChanged { .. }
            | Change::EnumMemberRemoved { .. } => true,
            Change::ParameterAdded { parameter, .. }
            | Change::ParameterRetyped { parameter, .. }
            | Change::ParameterRequiredChanged { parameter, .. } => !parameter.is_query_option(),
            Change::SchemaBasesChanged {
                old_bases,
                new_bases,
                ..
            } => old_bases.iter().any(|base| !new_bases.contains(base)),
            Change::PropertyAdded { required, .. }
            | Change::PropertyNullableChanged { required, .. } => *required,
        }
    }
}

impl Diff {
    /// Tells whether the documents have no difference that [`diff`] reports.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Returns the number of breaking changes.
    pub fn breaking_count(&self) -> usize {
        self.changes
            .iter()
            .filter(|change| change.is_breaking())
            .count()
    }

    /// Tells whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(Change::is_breaking)
    }

    /// Returns the number of changes of every kind, including kinds with none.
    pub fn counts(&self) -> BTreeMap<ChangeKind, usize> {
        let mut counts: BTreeMap<ChangeKind, usize> =
            ChangeKind::ALL.iter().map(|kind| (*kind, 0)).collect();
        for change in &self.changes {
            *counts.entry(change.kind()).or_default() += 1;
        }
        counts
    }

    /// Returns the changes of one kind, in report order.
    pub fn of_kind(&self, kind: ChangeKind) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |change| change.kind() == kind)
    }
}

/// Compares two loaded documents and labels the result with their labels.
///
/// Both documents should have passed [`crate::validate`]: an operation without an
/// operationId is skipped, and a `$ref` that does not resolve is compared as its text.
pub fn diff(old: &Document, new: &Document) -> Diff {
    let mut result = diff_values(&old.value, &new.value);
    result.old = old.label.clone();
    result.new = new.label.clone();
    result
}

/// Compares two parsed documents, labelled `old` and `new`.
pub fn diff_values(old: &Value, new: &Value) -> Diff {
    let mut changes = operations::compare(old, new);
    changes.extend(schemas::compare(old, new));
    Diff {
        old: "old".to_owned(),
        new: "new".to_owned(),
        changes,
    }
}

#[cfg(test)]
mod tests;
