//! Sample JSON values built from OpenAPI 3.0 schemas of the XAPI document: request bodies to
//! send and replies for the capture server to return.
//!
//! A sample follows `$ref`, merges `allOf`, takes the first member of `oneOf` or `anyOf` and
//! picks enum members. It honours `format`, `minimum`, `maximum` and `maxLength`. It fills
//! every property of an object down to a depth limit, below which it keeps only required
//! properties. Values are chosen to stress the wire: strings with quotes and URL delimiters,
//! integer bounds, date-times with a non-UTC offset.

use serde_json::{json, Map, Number, Value};

use crate::document::{is_nullable, object_properties, required_properties, resolve};

/// Which of two sets of values a sample uses, so that two calls cover more cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// First enum members, lower integer bounds, `true`, a `+05:30` date-time.
    First,
    /// Last enum members, upper integer bounds, `false`, a `-08:00` date-time with a fraction.
    Second,
}

/// Builds sample values from the schemas of one document.
#[derive(Debug, Clone, Copy)]
pub struct Sampler<'d> {
    doc: &'d serde_json::Value,
    variant: Variant,
    /// Object nesting below which only required properties are filled.
    max_depth: usize,
}

impl<'d> Sampler<'d> {
    /// Creates a sampler over `doc` that chooses the values of `variant`.
    pub fn new(doc: &'d Value, variant: Variant) -> Self {
        Sampler {
            doc,
            variant,
            max_depth: 3,
        }
    }

    /// Returns a sample of `schema` with every property filled and no `null`, or `None` when the
    /// schema cannot be sampled (a dangling `$ref` or a required property that recurses).
    pub fn sample(&self, schema: &Value) -> Option<Value> {
        self.sample_at(schema, 0, &mut Vec::new())
    }

    /// Returns a sparse update body for `schema`: the required properties, one other property
    /// with a value, and one nullable property set explicitly to `null`. Every other property is
    /// left out, so a client must keep them absent on the wire.
    pub fn patch_sample(&self, schema: &Value) -> Option<Value> {
        let properties = object_properties(self.doc, schema);
        let required = required_properties(self.doc, schema);
        let mut body = Map::new();
        for name in &required {
            let (_, property) = properties.iter().find(|(found, _)| found == name)?;
            body.insert(name.clone(), self.sample_at(property, 1, &mut Vec::new())?);
        }

        let nulled = properties
            .iter()
            .find(|(name, property)| !body.contains_key(*name) && is_nullable(self.doc, property))
            .map(|(name, _)| *name);
        let valued = properties.iter().find_map(|(name, property)| {
            if body.contains_key(*name) || Some(*name) == nulled {
                return None;
            }
            let value = self.sample_at(property, 1, &mut Vec::new())?;
            is_scalar(&value).then_some((*name, value))
        });
        if let Some((name, value)) = valued {
            body.insert(name.to_owned(), value);
        }
        if let Some(name) = nulled {
            body.insert(name.to_owned(), Value::Null);
        }
        Some(Value::Object(body))
    }

    fn sample_at(&self, schema: &Value, depth: usize, stack: &mut Vec<String>) -> Option<Value> {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            if stack.iter().any(|seen| seen == reference) {
                return None;
            }
            stack.push(reference.to_owned());
            let target = resolve(self.doc, schema);
            let value = target.and_then(|target| self.sample_at(target, depth, stack));
            stack.pop();
            return value;
        }

        if let Some(members) = schema.get("enum").and_then(Value::as_array) {
            let member = match self.variant {
                Variant::First => members.first(),
                Variant::Second => members.last(),
            };
            return member.cloned();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                return self.sample_at(first, depth, stack);
            }
        }
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            let declares_object = schema.get("properties").is_some()
                || members.iter().any(|member| {
                    let member = resolve(self.doc, member).unwrap_or(member);
                    member.get("properties").is_some() || member.get("allOf").is_some()
                });
            if !declares_object {
                if let [single] = members.as_slice() {
                    return self.sample_at(single, depth, stack);
                }
            }
            return self.sample_object(schema, depth, stack);
        }

        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => Some(self.string(format, schema)),
            Some("integer") => Some(self.integer(format, schema)),
            Some("number") => Some(self.number()),
            Some("boolean") => Some(Value::Bool(self.variant == Variant::First)),
            Some("array") => {
                let items = schema.get("items")?;
                let item = self.sample_at(items, depth + 1, stack);
                Some(Value::Array(item.into_iter().collect()))
            }
            Some("object") => self.sample_object(schema, depth, stack),
            None if schema.get("properties").is_some() => self.sample_object(schema, depth, stack),
            // A schema with no type accepts any JSON value.
            _ => Some(Value::String(self.text(None))),
        }
    }

    fn sample_object(
        &self,
        schema: &Value,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> Option<Value> {
        let required = required_properties(self.doc, schema);
        let mut object = Map::new();
        for (name, property) in object_properties(self.doc, schema) {
            let is_required = required.iter().any(|found| found == name);
            if depth >= self.max_depth && !is_required {
                continue;
            }
            match self.sample_at(property, depth + 1, stack) {
                Some(value) => {
                    object.insert(name.to_owned(), value);
                }
                None if is_required => return None,
                None => {}
            }
        }
        Some(Value::Object(object))
    }

    fn string(&self, format: &str, schema: &Value) -> Value {
        let first = self.variant == Variant::First;
        let text = match format {
            "date-time" if first => "2025-03-01T01:30:00+05:30".to_owned(),
            "date-time" => "1999-12-31T23:59:59.125-08:00".to_owned(),
            "date" if first => "2025-03-01".to_owned(),
            "date" => "1999-12-31".to_owned(),
            "uuid" if first => "0e4b1b6a-0000-4000-8000-00000000000a".to_owned(),
            "uuid" => "ffffffff-ffff-4fff-bfff-ffffffffffff".to_owned(),
            "duration" if first => "PT1H30M".to_owned(),
            "duration" => "-P1DT2H3M4.5S".to_owned(),
            "time" if first => "01:30:00".to_owned(),
            "time" => "23:59:59.125".to_owned(),
            "byte" => "T2snQnJpZW4=".to_owned(),
            _ => self.text(schema.get("maxLength").and_then(Value::as_u64)),
        };
        Value::String(text)
    }

    /// Returns a string with a quote, URL delimiters and a non-ASCII letter, cut to
    /// `max_length`.
    fn text(&self, max_length: Option<u64>) -> String {
        let text = match self.variant {
            Variant::First => "O'Brien /#%,()ü",
            Variant::Second => "'' ü%2F?&=+;\"",
        };
        let limit = max_length.map_or(usize::MAX, |max| max as usize);
        text.chars().take(limit).collect()
    }

    fn integer(&self, format: &str, schema: &Value) -> Value {
        let (low, high): (i64, i64) = match format {
            "int8" => (i8::MIN.into(), i8::MAX.into()),
            "uint8" => (0, u8::MAX.into()),
            "int16" => (i16::MIN.into(), i16::MAX.into()),
            "int32" => (i32::MIN.into(), i32::MAX.into()),
            _ => (i64::MIN, i64::MAX),
        };
        let bound = |key: &str| schema.get(key).and_then(Value::as_i64);
        let low = bound("minimum").map_or(low, |minimum| minimum.max(low));
        let high = bound("maximum").map_or(high, |maximum| maximum.min(high));
        let value = match self.variant {
            Variant::First => low,
            Variant::Second => high,
        };
        Value::Number(Number::from(value))
    }

    fn number(&self) -> Value {
        match self.variant {
            Variant::First => json!(1.5),
            Variant::Second => json!(-0.25),
        }
    }
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Object(_) | Value::Array(_) | Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document() -> Value {
        json!({ "components": { "schemas": {
            "Base": { "type": "object", "properties": {
                "Id": { "type": "integer", "format": "int32",
                        "minimum": -2147483648i64, "maximum": 2147483647 } } },
            "Color": { "enum": ["Red", "No"], "type": "string" },
            "Node": { "allOf": [ { "$ref": "#/components/schemas/Base" }, { "type": "object",
                "properties": {
                    "Name": { "type": "string", "nullable": true, "maxLength": 4 },
                    "Color": { "allOf": [ { "$ref": "#/components/schemas/Color" } ],
                               "nullable": true },
                    "At": { "type": "string", "format": "date-time" },
                    "Child": { "$ref": "#/components/schemas/Node" } } } ] }
        }}})
    }

    #[test]
    fn object_sample_fills_properties() {
        let doc = document();
        let node = json!({ "$ref": "#/components/schemas/Node" });
        let first = Sampler::new(&doc, Variant::First).sample(&node).unwrap();
        assert_eq!(first["Id"], json!(i32::MIN));
        assert_eq!(first["Name"], json!("O'Br"));
        assert_eq!(first["Color"], json!("Red"));
        assert_eq!(first["At"], json!("2025-03-01T01:30:00+05:30"));
        // The recursive `Child` reference is cut instead of looping.
        assert!(first.get("Child").is_none());

        let second = Sampler::new(&doc, Variant::Second).sample(&node).unwrap();
        assert_eq!(second["Id"], json!(i32::MAX));
        assert_eq!(second["Color"], json!("No"));
    }

    #[test]
    fn patch_sample_sets_one_null() {
        let doc = document();
        let node = json!({ "$ref": "#/components/schemas/Node" });
        let patch = Sampler::new(&doc, Variant::First)
            .patch_sample(&node)
            .unwrap();
        assert_eq!(patch, json!({ "Id": i32::MIN, "Color": null }));
    }
}
