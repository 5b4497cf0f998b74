//! OData literal kinds of path parameters and the Rust types that render them.
//!
//! A path parameter's schema is replaced by a marker schema (`type: string` with a
//! `format` of `xapi-literal-…`); progenitor's schema conversions then map each marker to a
//! type in the client crate's literal module whose `Display` writes the OData literal.

use schemars::schema::{InstanceType, Schema, SchemaObject, SingleOrVec};
use serde_json::{json, Value};

use crate::document;

/// The OData literal form of a path parameter, derived from its schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    /// `Edm.String` and enum members: single-quoted, with `'` doubled.
    String,
    /// `Edm.DateTimeOffset`: ISO 8601 in UTC with `Z`, unquoted.
    DateTime,
    /// `Edm.Date`: `YYYY-MM-DD`, unquoted.
    Date,
    /// `Edm.Guid`: hyphenated hex, unquoted.
    Guid,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64` and integers of unknown width.
    Int64,
    /// `Edm.Boolean`: `true` or `false`.
    Boolean,
    /// `Edm.Double` and `Edm.Decimal`.
    Number,
}

impl LiteralKind {
    /// Every kind, for building conversions.
    pub const ALL: [LiteralKind; 8] = [
        LiteralKind::String,
        LiteralKind::DateTime,
        LiteralKind::Date,
        LiteralKind::Guid,
        LiteralKind::Int32,
        LiteralKind::Int64,
        LiteralKind::Boolean,
        LiteralKind::Number,
    ];

    /// Classifies a parameter schema, following `$ref`, `allOf` of one member and `nullable`.
    ///
    /// Returns the kind and whether the value may be `null`, or `None` for schemas with no
    /// literal form (objects, arrays).
    pub fn of_schema(doc: &Value, schema: &Value) -> Option<(LiteralKind, bool)> {
        let schema = document::resolve(doc, schema)?;
        let mut nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        let mut schema = schema;
        if let Some([single]) = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
        {
            schema = document::resolve(doc, single)?;
            nullable |= schema.get("nullable").and_then(Value::as_bool) == Some(true);
        }
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        let kind = match schema.get("type").and_then(Value::as_str) {
            Some("string") => match format {
                "date-time" => LiteralKind::DateTime,
                "date" => LiteralKind::Date,
                "uuid" => LiteralKind::Guid,
                _ => LiteralKind::String,
            },
            Some("integer") => match format {
                "int32" | "int16" | "uint8" | "int8" => LiteralKind::Int32,
                _ => LiteralKind::Int64,
            },
            Some("number") => LiteralKind::Number,
            Some("boolean") => LiteralKind::Boolean,
            // An enum without a declared type is a set of string members in XAPI documents.
            None if schema.get("enum").is_some() => LiteralKind::String,
            _ => return None,
        };
        Some((kind, nullable))
    }

    /// The name recorded in the `x-xapi-literal` extension and shown in the surface.
    pub fn name(self) -> &'static str {
        match self {
            LiteralKind::String => "string",
            LiteralKind::DateTime => "date-time",
            LiteralKind::Date => "date",
            LiteralKind::Guid => "guid",
            LiteralKind::Int32 => "int32",
            LiteralKind::Int64 => "int64",
            LiteralKind::Boolean => "boolean",
            LiteralKind::Number => "number",
        }
    }

    /// Parses a name written by [`LiteralKind::name`].
    pub fn from_name(name: &str) -> Option<LiteralKind> {
        LiteralKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }

    /// The schema the pass writes in place of the parameter's schema.
    ///
    /// Non-nullable integers, booleans and numbers keep a plain schema: their Rust types
    /// (`i32`, `i64`, `bool`, `f64`) already display as OData literals and are passed by value.
    /// Every other kind gets a marker that a conversion maps to a literal type.
    pub fn marker_schema(self, nullable: bool) -> Value {
        match (self, nullable) {
            (LiteralKind::Int32, false) => json!({ "type": "integer", "format": "int32" }),
            (LiteralKind::Int64, false) => json!({ "type": "integer", "format": "int64" }),
            (LiteralKind::Boolean, false) => json!({ "type": "boolean" }),
            (LiteralKind::Number, false) => json!({ "type": "number", "format": "double" }),
            _ => json!({ "type": "string", "format": marker_format(self, nullable) }),
        }
    }

    fn has_marker(self, nullable: bool) -> bool {
        self.marker_schema(nullable)["format"]
            .as_str()
            .is_some_and(|format| format.starts_with("xapi-literal-"))
    }

    /// The Rust type (a path under `module`) that renders this kind as a literal.
    pub fn rust_type(self, nullable: bool, module: &str) -> String {
        let value = match self {
            LiteralKind::String => format!("{module}::Text"),
            LiteralKind::DateTime => format!("{module}::DateTime"),
            LiteralKind::Date => format!("{module}::Date"),
            LiteralKind::Guid => format!("{module}::Guid"),
            LiteralKind::Int32 => "i32".to_owned(),
            LiteralKind::Int64 => "i64".to_owned(),
            LiteralKind::Boolean => "bool".to_owned(),
            LiteralKind::Number => "f64".to_owned(),
        };
        if nullable {
            format!("{module}::Nullable<{value}>")
        } else {
            value
        }
    }
}

fn marker_format(kind: LiteralKind, nullable: bool) -> String {
    let suffix = if nullable { "-nullable" } else { "" };
    format!("xapi-literal-{}{suffix}", kind.name())
}

/// Lists the `(marker schema, Rust type)` pairs to register as progenitor conversions.
pub fn conversions(module: &str) -> Vec<(SchemaObject, String)> {
    let mut pairs = Vec::new();
    for kind in LiteralKind::ALL {
        for nullable in [false, true] {
            if !kind.has_marker(nullable) {
                continue;
            }
            let schema = SchemaObject {
                instance_type: Some(SingleOrVec::Single(Box::new(InstanceType::String))),
                format: Some(marker_format(kind, nullable)),
                ..Default::default()
            };
            pairs.push((schema, kind.rust_type(nullable, module)));
        }
    }
    pairs
}

/// Tells whether a schema object is one of the marker schemas.
pub fn is_marker(schema: &Schema) -> bool {
    matches!(schema, Schema::Object(object)
        if object.format.as_deref().is_some_and(|format| format.starts_with("xapi-literal-")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_kinds() {
        let doc = json!({ "components": { "schemas": {
            "Color": { "enum": ["Red", "No"] },
            "Wrapped": { "allOf": [ { "$ref": "#/components/schemas/Color" } ], "nullable": true }
        }}});
        let cases = [
            (
                json!({ "type": "string" }),
                Some((LiteralKind::String, false)),
            ),
            (
                json!({ "type": "string", "nullable": true }),
                Some((LiteralKind::String, true)),
            ),
            (
                json!({ "type": "string", "format": "date-time" }),
                Some((LiteralKind::DateTime, false)),
            ),
            (
                json!({ "type": "string", "format": "uuid" }),
                Some((LiteralKind::Guid, false)),
            ),
            (
                json!({ "type": "integer", "format": "int32" }),
                Some((LiteralKind::Int32, false)),
            ),
            (
                json!({ "type": "integer" }),
                Some((LiteralKind::Int64, false)),
            ),
            (
                json!({ "type": "boolean", "default": false }),
                Some((LiteralKind::Boolean, false)),
            ),
            (
                json!({ "type": "number", "format": "double" }),
                Some((LiteralKind::Number, false)),
            ),
            (
                json!({ "$ref": "#/components/schemas/Color" }),
                Some((LiteralKind::String, false)),
            ),
            (
                json!({ "$ref": "#/components/schemas/Wrapped" }),
                Some((LiteralKind::String, true)),
            ),
            (json!({ "type": "object" }), None),
            (
                json!({ "type": "array", "items": { "type": "string" } }),
                None,
            ),
            (json!({ "$ref": "#/components/schemas/Missing" }), None),
        ];
        for (schema, expected) in cases {
            assert_eq!(LiteralKind::of_schema(&doc, &schema), expected, "{schema}");
        }
    }

    #[test]
    fn rust_types() {
        assert_eq!(
            LiteralKind::String.rust_type(false, "crate::literal"),
            "crate::literal::Text"
        );
        assert_eq!(
            LiteralKind::Int32.rust_type(true, "crate::literal"),
            "crate::literal::Nullable<i32>"
        );
        assert_eq!(conversions("m").len(), 12);
    }

    #[test]
    fn kind_names_round_trip() {
        for kind in LiteralKind::ALL {
            assert_eq!(LiteralKind::from_name(kind.name()), Some(kind));
        }
    }
}
