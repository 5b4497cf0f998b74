//! Deterministic generation of schema-valid values.
//!
//! Each value is a pure function of `(seed, collection salt, row, property name)`, so a row
//! of a million-row collection can be produced on demand without storing anything, and a
//! `$filter` can compute just the properties it reads.

use serde_json::{Map, Number, Value};

use crate::schema::{Node, Schemas, StrFormat, TypeRef};

/// Nesting depth below which complex values are still filled in. Deeper non-nullable
/// objects become `{}` and arrays `[]`, which keeps recursive schemas finite.
const MAX_DEPTH: usize = 3;

/// One in this many nullable values is generated as `null`.
const NULL_ONE_IN: u64 = 8;

/// Words for generated strings, chosen so `$search` and `contains` have something to find.
const WORDS: [&str; 16] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa",
];

/// Start of the generated date-time range: 2020-01-01T00:00:00Z.
const EPOCH_2020: i64 = 1_577_836_800;
/// Width of the generated date-time range: six years, in seconds.
const DATE_SPAN_SECS: u64 = 6 * 365 * 24 * 3600;

/// SplitMix64 step: a fast, well-mixed 64-bit hash.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a hash of a string, stable across runs and platforms.
pub(crate) fn hash_str(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ byte as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Combines hashes in order.
pub(crate) fn combine(parts: &[u64]) -> u64 {
    parts.iter().fold(0x5EED, |acc, part| mix(acc ^ part))
}

/// Deterministic random stream seeded from a hash.
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Returns a value in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Generates values of the compiled schemas.
pub(crate) struct Generator<'a> {
    schemas: &'a Schemas,
    rng: Rng,
}

impl<'a> Generator<'a> {
    pub fn new(schemas: &'a Schemas, seed: u64) -> Generator<'a> {
        Generator {
            schemas,
            rng: Rng::new(seed),
        }
    }

    /// Generates one value of `ty`; `depth` counts the objects around it.
    pub fn value(&mut self, ty: TypeRef, depth: usize) -> Value {
        if ty.nullable && self.rng.below(NULL_ONE_IN) == 0 {
            return Value::Null;
        }
        match self.schemas.node(ty.node) {
            Node::Any | Node::Pending => Value::String(self.words()),
            Node::Boolean => Value::Bool(self.rng.below(2) == 1),
            Node::Integer { min, max } => Value::Number(Number::from(self.integer(*min, *max))),
            Node::Number => {
                let cents = self.rng.below(1_000_000) as f64;
                Number::from_f64(cents / 100.0).map_or(Value::Null, Value::Number)
            }
            Node::String { format, max_len } => Value::String(self.string(*format, *max_len)),
            Node::Enum { values, .. } => {
                if values.is_empty() {
                    Value::Null
                } else {
                    values[self.rng.below(values.len() as u64) as usize].clone()
                }
            }
            Node::Array { items } => {
                if depth >= MAX_DEPTH {
                    return Value::Array(Vec::new());
                }
                let len = self.rng.below(3);
                let items = *items;
                Value::Array((0..len).map(|_| self.value(items, depth + 1)).collect())
            }
            Node::Object { .. } => {
                if depth >= MAX_DEPTH {
                    if ty.nullable {
                        return Value::Null;
                    }
                    return Value::Object(Map::new());
                }
                Value::Object(self.object(ty, depth, &[]))
            }
            Node::OneOf(alternatives) => match alternatives.first() {
                Some(first) => self.value(*first, depth),
                None => Value::Null,
            },
        }
    }

    /// Generates the non-navigation properties of an object, plus the navigation
    /// properties named in `expand`.
    pub fn object(&mut self, ty: TypeRef, depth: usize, expand: &[String]) -> Map<String, Value> {
        let mut map = Map::new();
        for prop in self.schemas.props(ty) {
            if prop.navigation && !expand.iter().any(|name| name == &prop.name) {
                continue;
            }
            let value = self.value(prop.ty, depth + 1);
            map.insert(prop.name.clone(), value);
        }
        map
    }

    fn integer(&mut self, min: i64, max: i64) -> i64 {
        // Small non-negative values read better than the full int32 range.
        let low = min.max(0).min(max);
        let high = max.min(low.saturating_add(9_999));
        let width = (high - low) as u64 + 1;
        low + self.rng.below(width) as i64
    }

    fn words(&mut self) -> String {
        let first = WORDS[self.rng.below(WORDS.len() as u64) as usize];
        let second = WORDS[self.rng.below(WORDS.len() as u64) as usize];
        format!("{first} {second} {}", self.rng.below(1000))
    }

    fn string(&mut self, format: StrFormat, max_len: Option<usize>) -> String {
        let text = match format {
            StrFormat::DateTime => format_date_time(self.date_time_secs()),
            StrFormat::Date => format_date_time(self.date_time_secs())[..10].to_owned(),
            StrFormat::Time => {
                let secs = self.rng.below(86_400);
                format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
            }
            StrFormat::Duration => {
                let secs = self.rng.below(36_000);
                format!("PT{}H{}M{}S", secs / 3600, secs / 60 % 60, secs % 60)
            }
            StrFormat::Uuid => format_uuid(self.rng.next(), self.rng.next()),
            StrFormat::Byte => "eGFwaS1tb2Nr".to_owned(),
            StrFormat::Plain => self.words(),
        };
        truncate_chars(text, max_len)
    }

    fn date_time_secs(&mut self) -> i64 {
        EPOCH_2020 + self.rng.below(DATE_SPAN_SECS) as i64
    }
}

/// Formats Unix seconds as `YYYY-MM-DDThh:mm:ssZ`.
pub(crate) fn format_date_time(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Formats two random words as a version-4 style UUID string.
pub(crate) fn format_uuid(high: u64, low: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        high & 0xfff,
        (low >> 48) & 0xfff,
        low & 0xffff_ffff_ffff
    )
}

/// Cuts `text` to at most `max_len` characters.
pub(crate) fn truncate_chars(text: String, max_len: Option<usize>) -> String {
    match max_len {
        Some(max) if text.chars().count() > max => text.chars().take(max).collect(),
        _ => text,
    }
}
