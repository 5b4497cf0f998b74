//! Compiled form of the document's schemas.
//!
//! OpenAPI schemas are compiled once into an arena of [`Node`]s so that value generation,
//! validation and `$filter` type checks do not walk JSON on every request. `$ref`s become
//! arena indices (recursive schemas stay finite), `allOf` merges properties, and the
//! `anyOf`/`oneOf` pattern `[X, {type: object, nullable: true}]` becomes a nullable `X`.

use std::collections::HashMap;

use serde_json::Value;

/// Index of a node in [`Schemas::nodes`].
pub(crate) type NodeId = usize;

/// A schema reference together with its `nullable` flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeRef {
    pub node: NodeId,
    pub nullable: bool,
}

/// String formats that change how values are generated, parsed and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrFormat {
    Plain,
    DateTime,
    Date,
    Time,
    Duration,
    Uuid,
    Byte,
}

/// One compiled schema.
#[derive(Clone, Debug)]
pub(crate) enum Node {
    /// A schema without type information: any value validates.
    Any,
    Boolean,
    Integer {
        min: i64,
        max: i64,
    },
    Number,
    String {
        format: StrFormat,
        max_len: Option<usize>,
    },
    /// A closed set of values; `flags` enums also accept comma-separated member lists.
    Enum {
        values: Vec<Value>,
        flags: bool,
    },
    Array {
        items: TypeRef,
    },
    Object {
        props: Vec<Property>,
        /// `additionalProperties` allows undeclared properties.
        open: bool,
    },
    /// Alternatives of `oneOf`/`anyOf`; a value validates against any of them.
    OneOf(Vec<TypeRef>),
    /// Placeholder while a component is compiled; only seen through a reference cycle.
    Pending,
}

/// A declared object property.
#[derive(Clone, Debug)]
pub(crate) struct Property {
    pub name: String,
    pub ty: TypeRef,
    /// OData navigation properties are omitted from payloads unless `$expand`ed.
    pub navigation: bool,
}

/// The arena of compiled schemas of one document.
#[derive(Debug, Default)]
pub(crate) struct Schemas {
    nodes: Vec<Node>,
    components: HashMap<String, NodeId>,
    /// Component name of each node compiled from `#/components/schemas/<name>`.
    names: HashMap<NodeId, String>,
}

impl Schemas {
    /// Compiles every schema under `#/components/schemas` of `doc`.
    pub fn compile(doc: &Value) -> Schemas {
        let mut schemas = Schemas::default();
        // Node 0 is the shared `Any` node used for missing schemas.
        schemas.nodes.push(Node::Any);
        if let Some(map) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for name in map.keys() {
                schemas.component(doc, name);
            }
        }
        schemas
    }

    /// Returns the `Any` schema, for places where the document declares none.
    pub fn any(&self) -> TypeRef {
        TypeRef {
            node: 0,
            nullable: true,
        }
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Returns the component name a node was compiled from, if any.
    pub fn name_of(&self, id: NodeId) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// Returns the properties of an object node, or an empty slice for other nodes.
    pub fn props(&self, ty: TypeRef) -> &[Property] {
        match self.node(ty.node) {
            Node::Object { props, .. } => props,
            _ => &[],
        }
    }

    pub fn prop(&self, ty: TypeRef, name: &str) -> Option<&Property> {
        self.props(ty).iter().find(|p| p.name == name)
    }

    /// Returns true for an object that declares no properties and admits no others: the
    /// document's way of saying "opaque result" (for example a file download).
    pub fn is_opaque_object(&self, ty: TypeRef) -> bool {
        matches!(self.node(ty.node), Node::Object { props, open: false } if props.is_empty())
    }

    /// Returns the item type when `ty` is an OData collection wrapper: an object with an
    /// array property `value` and otherwise only `@odata.*` annotations.
    pub fn collection_item(&self, ty: TypeRef) -> Option<TypeRef> {
        let Node::Object { props, .. } = self.node(ty.node) else {
            return None;
        };
        let value = props.iter().find(|p| p.name == "value")?;
        let others_are_annotations = props
            .iter()
            .all(|p| p.name == "value" || p.name.starts_with('@'));
        match self.node(value.ty.node) {
            Node::Array { items } if others_are_annotations => Some(*items),
            _ => None,
        }
    }

    /// Compiles a schema found anywhere in the document (for example inline in a
    /// response) and returns its reference.
    pub fn compile_inline(&mut self, doc: &Value, schema: &Value) -> TypeRef {
        self.compile_schema(doc, schema)
    }

    fn push(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn component(&mut self, doc: &Value, name: &str) -> NodeId {
        if let Some(&id) = self.components.get(name) {
            return id;
        }
        let id = self.push(Node::Pending);
        self.components.insert(name.to_owned(), id);
        self.names.insert(id, name.to_owned());
        let schema = doc
            .pointer("/components/schemas")
            .and_then(|s| s.get(name))
            .cloned()
            .unwrap_or(Value::Null);
        let compiled = self.compile_schema(doc, &schema);
        // A component that is only an alias of another one shares its node content.
        self.nodes[id] = self.nodes[compiled.node].clone();
        id
    }

    fn resolve_ref(&mut self, doc: &Value, reference: &str) -> NodeId {
        match reference.strip_prefix("#/components/schemas/") {
            Some(name) => self.component(doc, name),
            None => 0,
        }
    }

    fn compile_schema(&mut self, doc: &Value, schema: &Value) -> TypeRef {
        let Some(obj) = schema.as_object() else {
            return self.any();
        };
        let nullable = obj.get("nullable").and_then(Value::as_bool) == Some(true);

        if let Some(reference) = obj.get("$ref").and_then(Value::as_str) {
            let node = self.resolve_ref(doc, reference);
            return TypeRef { node, nullable };
        }

        if let Some(parts) = obj.get("allOf").and_then(Value::as_array) {
            return self.compile_all_of(doc, obj, parts, nullable);
        }

        for keyword in ["oneOf", "anyOf"] {
            if let Some(parts) = obj.get(keyword).and_then(Value::as_array) {
                return self.compile_alternatives(doc, parts, nullable);
            }
        }

        if let Some(values) = obj.get("enum").and_then(Value::as_array) {
            let flags = obj
                .get("x-ms-enum-flags")
                .and_then(|f| f.get("isFlags"))
                .and_then(Value::as_bool)
                == Some(true);
            let node = self.push(Node::Enum {
                values: values.iter().filter(|v| !v.is_null()).cloned().collect(),
                flags,
            });
            let nullable = nullable || values.iter().any(Value::is_null);
            return TypeRef { node, nullable };
        }

        let declared = obj.get("type").and_then(Value::as_str);
        let node = match declared {
            Some("boolean") => Node::Boolean,
            Some("integer") => integer_node(obj),
            Some("number") => Node::Number,
            Some("string") => Node::String {
                format: string_format(obj.get("format").and_then(Value::as_str)),
                max_len: obj
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .map(|n| n as usize),
            },
            Some("array") => {
                let items = match obj.get("items") {
                    Some(items) => self.compile_schema(doc, items),
                    None => self.any(),
                };
                Node::Array { items }
            }
            Some("object") => self.object_node(doc, obj, Vec::new()),
            None if obj.contains_key("properties") => self.object_node(doc, obj, Vec::new()),
            _ => Node::Any,
        };
        let node = self.push(node);
        TypeRef { node, nullable }
    }

    fn compile_all_of(
        &mut self,
        doc: &Value,
        obj: &serde_json::Map<String, Value>,
        parts: &[Value],
        nullable: bool,
    ) -> TypeRef {
        // `allOf: [$ref]` with `nullable` is the generator's spelling of a nullable reference.
        if parts.len() == 1 && !obj.contains_key("properties") {
            let inner = self.compile_schema(doc, &parts[0]);
            return TypeRef {
                node: inner.node,
                nullable: nullable || inner.nullable,
            };
        }
        let mut props = Vec::new();
        let mut open = false;
        for part in parts {
            let part_ref = self.compile_schema(doc, part);
            if let Node::Object {
                props: inherited,
                open: part_open,
            } = self.node(part_ref.node).clone()
            {
                open |= part_open;
                merge_props(&mut props, inherited);
            }
        }
        let node = self.object_node(doc, obj, props);
        let node = match node {
            Node::Object { props, open: own } => Node::Object {
                props,
                open: own || open,
            },
            other => other,
        };
        let node = self.push(node);
        TypeRef { node, nullable }
    }

    fn compile_alternatives(&mut self, doc: &Value, parts: &[Value], nullable: bool) -> TypeRef {
        let mut alternatives = Vec::new();
        let mut nullable = nullable;
        for part in parts {
            let is_null_placeholder = part.get("type").and_then(Value::as_str) == Some("object")
                && part.get("nullable").and_then(Value::as_bool) == Some(true)
                && part.get("properties").is_none();
            if is_null_placeholder {
                nullable = true;
                continue;
            }
            let alternative = self.compile_schema(doc, part);
            nullable |= alternative.nullable;
            alternatives.push(alternative);
        }
        match alternatives.as_slice() {
            [] => TypeRef {
                node: 0,
                nullable: true,
            },
            [single] => TypeRef {
                node: single.node,
                nullable,
            },
            _ => {
                let node = self.push(Node::OneOf(alternatives));
                TypeRef { node, nullable }
            }
        }
    }

    fn object_node(
        &mut self,
        doc: &Value,
        obj: &serde_json::Map<String, Value>,
        inherited: Vec<Property>,
    ) -> Node {
        let mut props = inherited;
        if let Some(map) = obj.get("properties").and_then(Value::as_object) {
            let mut own = Vec::with_capacity(map.len());
            for (name, schema) in map {
                let navigation = schema
                    .get("x-ms-navigationProperty")
                    .and_then(Value::as_bool)
                    == Some(true);
                let ty = self.compile_schema(doc, schema);
                own.push(Property {
                    name: name.clone(),
                    ty,
                    navigation,
                });
            }
            merge_props(&mut props, own);
        }
        let open = match obj.get("additionalProperties") {
            Some(Value::Bool(allowed)) => *allowed,
            Some(Value::Object(_)) => true,
            _ => false,
        };
        Node::Object { props, open }
    }
}

/// Appends `more` to `props`, replacing properties of the same name.
fn merge_props(props: &mut Vec<Property>, more: Vec<Property>) {
    for prop in more {
        match props.iter_mut().find(|p| p.name == prop.name) {
            Some(existing) => *existing = prop,
            None => props.push(prop),
        }
    }
}

fn integer_node(obj: &serde_json::Map<String, Value>) -> Node {
    let (mut min, mut max) = match obj.get("format").and_then(Value::as_str) {
        Some("int32") => (i32::MIN as i64, i32::MAX as i64),
        Some("int16") => (i16::MIN as i64, i16::MAX as i64),
        Some("uint8") => (0, 255),
        Some("int8") => (-128, 127),
        _ => (i64::MIN, i64::MAX),
    };
    if let Some(declared) = obj.get("minimum").and_then(Value::as_f64) {
        min = min.max(declared.ceil() as i64);
    }
    if let Some(declared) = obj.get("maximum").and_then(Value::as_f64) {
        max = max.min(declared.floor() as i64);
    }
    Node::Integer { min, max }
}

fn string_format(format: Option<&str>) -> StrFormat {
    match format {
        Some("date-time") => StrFormat::DateTime,
        Some("date") => StrFormat::Date,
        Some("time") => StrFormat::Time,
        Some("duration") => StrFormat::Duration,
        Some("uuid") => StrFormat::Uuid,
        Some("byte") => StrFormat::Byte,
        _ => StrFormat::Plain,
    }
}
