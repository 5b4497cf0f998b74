//! In-memory collections whose rows are generated on demand.
//!
//! A collection of `n` seeded rows stores nothing per row: row `i` is computed from the
//! seed whenever it is read. Writes go to an overlay of changed, added and deleted rows.
//! Keys are generated so that they can be mapped back to a row index (`Id = i + 1`,
//! `name-<i + 1>`, a UUID ending in `i`), which makes a lookup by key O(1) even for a
//! million rows.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Map, Number, Value};

use crate::filter::{self, Val};
use crate::generate::{
    combine, format_date_time, format_uuid, hash_str, truncate_chars, Generator,
};
use crate::query::BoundQuery;
use crate::schema::{Node, Schemas, StrFormat, TypeRef};

/// Start of generated date-time keys: 2020-01-01T00:00:00Z, one minute per row.
const DATE_KEY_EPOCH: i64 = 1_577_836_800;

/// Mapping between key values and row indices.
#[derive(Debug, Clone)]
enum KeyScheme {
    /// `first + i`.
    Integer { first: i64 },
    /// A UUID whose last group is the row index in hexadecimal.
    Uuid { tag: u64 },
    /// `prefix` followed by `i + 1` in decimal.
    Text { prefix: String },
    /// One minute per row after 2020-01-01T00:00:00Z.
    DateTime,
    /// Generated like any other property; lookups scan.
    Opaque,
}

#[derive(Debug, Clone)]
struct KeySpec {
    property: String,
    ty: TypeRef,
    scheme: KeyScheme,
}

/// Changes made by requests on top of the generated rows.
#[derive(Debug, Default)]
struct Overlay {
    /// Rows that were written (`Some`) or deleted (`None`), by index.
    rows: HashMap<u64, Option<Map<String, Value>>>,
    /// Rows added by POST; their indices start at the collection's seeded length.
    appended: u64,
    deleted: u64,
    /// Canonical JSON of each written row's key, for rows whose key cannot be inverted.
    keys: HashMap<String, u64>,
}

/// Reason a write failed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WriteError {
    NotFound,
    /// The `If-Match` header does not match the row's current ETag.
    PreconditionFailed,
    /// A row with this key already exists.
    Conflict(String),
}

/// One page of a query.
pub(crate) struct Page {
    pub rows: Vec<Map<String, Value>>,
    pub count: u64,
}

/// A collection of rows of one item type.
#[derive(Debug)]
pub(crate) struct Collection {
    pub item: TypeRef,
    key: Option<KeySpec>,
    seeded: u64,
    salt: u64,
    overlay: Mutex<Overlay>,
}

/// A row: generated from its index, or stored after a write.
enum Row<'a> {
    Seeded(u64),
    Stored(u64, &'a Map<String, Value>),
}

impl Collection {
    /// Creates a collection of `rows` generated rows. `salt` makes the rows of different
    /// collections differ under the same seed.
    pub fn new(
        schemas: &Schemas,
        name: &str,
        item: TypeRef,
        key: Option<(String, TypeRef)>,
        rows: u64,
        salt: u64,
    ) -> Collection {
        let key = key.map(|(property, ty)| {
            let scheme = key_scheme(schemas, name, ty, rows);
            KeySpec {
                property,
                ty,
                scheme,
            }
        });
        let rows = match key.as_ref().map(|k| &k.scheme) {
            // Integer keys must stay inside the key type's range.
            Some(KeyScheme::Integer { first }) => match schemas.node(key.as_ref().unwrap().ty.node)
            {
                Node::Integer { max, .. } => rows.min((*max - first).max(0) as u64 + 1),
                _ => rows,
            },
            _ => rows,
        };
        Collection {
            item,
            key,
            seeded: rows,
            salt,
            overlay: Mutex::new(Overlay::default()),
        }
    }

    /// Name of the key property, if the collection has one.
    pub fn key_property(&self) -> Option<&str> {
        self.key.as_ref().map(|k| k.property.as_str())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Overlay> {
        // A panic while holding the lock leaves the overlay consistent (every write is a
        // single map operation), so a poisoned lock is still usable.
        self.overlay.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key_value(&self, index: u64) -> Option<Value> {
        let key = self.key.as_ref()?;
        Some(match &key.scheme {
            KeyScheme::Integer { first } => {
                Value::Number(Number::from(first.saturating_add(index as i64)))
            }
            KeyScheme::Uuid { tag } => Value::String(format_uuid(*tag << 32, index)),
            KeyScheme::Text { prefix } => Value::String(format!("{prefix}{}", index + 1)),
            KeyScheme::DateTime => {
                Value::String(format_date_time(DATE_KEY_EPOCH + 60 * index as i64))
            }
            KeyScheme::Opaque => return None,
        })
    }

    /// Returns the seeded row index that `key` was generated for, if the scheme can tell.
    fn invert_key(&self, key: &Value) -> Option<u64> {
        let spec = self.key.as_ref()?;
        let candidate = match &spec.scheme {
            KeyScheme::Integer { first } => {
                u64::try_from(key.as_i64()?.checked_sub(*first)?).ok()?
            }
            KeyScheme::Uuid { .. } => {
                let text = key.as_str()?;
                u64::from_str_radix(text.rsplit('-').next()?, 16).ok()?
            }
            KeyScheme::Text { prefix } => {
                let digits = key.as_str()?.strip_prefix(prefix.as_str())?;
                if digits.starts_with('0') {
                    return None;
                }
                digits.parse::<u64>().ok()?.checked_sub(1)?
            }
            KeyScheme::DateTime => {
                let instant = crate::validate::parse_date_time(key.as_str()?)?;
                let minutes = instant.timestamp().checked_sub(DATE_KEY_EPOCH)? / 60;
                u64::try_from(minutes).ok()?
            }
            KeyScheme::Opaque => return None,
        };
        (candidate < self.seeded && self.key_value(candidate).as_ref() == Some(key))
            .then_some(candidate)
    }

    fn seed_of(&self, index: u64, property: &str) -> u64 {
        combine(&[self.salt, index, hash_str(property)])
    }

    /// Generates one property of a seeded row.
    fn seeded_property(&self, schemas: &Schemas, index: u64, prop_index: usize) -> Value {
        let prop = &schemas.props(self.item)[prop_index];
        if let Some(key) = &self.key {
            if key.property == prop.name {
                if let Some(value) = self.key_value(index) {
                    return value;
                }
            }
        }
        Generator::new(schemas, self.seed_of(index, &prop.name)).value(prop.ty, 1)
    }

    /// Generates a whole seeded row with the navigation properties in `expand`.
    fn seeded_row(&self, schemas: &Schemas, index: u64, expand: &[String]) -> Map<String, Value> {
        let mut map = Map::new();
        for (prop_index, prop) in schemas.props(self.item).iter().enumerate() {
            if prop.navigation && !expand.contains(&prop.name) {
                continue;
            }
            map.insert(
                prop.name.clone(),
                self.seeded_property(schemas, index, prop_index),
            );
        }
        if let (Some(key), Some(value)) = (&self.key, self.key_value(index)) {
            map.insert(key.property.clone(), value);
        }
        map
    }

    fn materialize(&self, schemas: &Schemas, row: &Row, expand: &[String]) -> Map<String, Value> {
        match row {
            Row::Seeded(index) => self.seeded_row(schemas, *index, expand),
            Row::Stored(index, map) => {
                let mut map = (*map).clone();
                // Expanded navigation properties of stored rows are generated on demand too.
                for prop in schemas.props(self.item) {
                    if prop.navigation
                        && expand.contains(&prop.name)
                        && !map.contains_key(&prop.name)
                    {
                        let seed = self.seed_of(*index, &prop.name);
                        map.insert(
                            prop.name.clone(),
                            Generator::new(schemas, seed).value(prop.ty, 1),
                        );
                    }
                }
                map
            }
        }
    }

    /// Calls `visit` for every live row in index order until it returns false.
    fn for_each_row(&self, overlay: &Overlay, mut visit: impl FnMut(u64, Row) -> bool) {
        let total = self.seeded + overlay.appended;
        for index in 0..total {
            let row = match overlay.rows.get(&index) {
                Some(None) => continue,
                Some(Some(map)) => Row::Stored(index, map),
                None if index < self.seeded => Row::Seeded(index),
                None => continue,
            };
            if !visit(index, row) {
                break;
            }
        }
    }

    fn property_of(&self, schemas: &Schemas, row: &Row, prop_index: usize) -> Value {
        match row {
            Row::Seeded(index) => self.seeded_property(schemas, *index, prop_index),
            Row::Stored(_, map) => {
                let name = &schemas.props(self.item)[prop_index].name;
                map.get(name).cloned().unwrap_or(Value::Null)
            }
        }
    }

    fn matches(&self, schemas: &Schemas, query: &BoundQuery, row: &Row) -> bool {
        if let Some(expr) = &query.filter {
            let mut read = |prop_index: usize| self.property_of(schemas, row, prop_index);
            if !filter::truthy(&filter::eval(expr, &mut read)) {
                return false;
            }
        }
        if let Some((phrase, props)) = &query.search {
            let found =
                props.iter().any(
                    |&prop_index| match self.property_of(schemas, row, prop_index) {
                        Value::String(text) => text.to_lowercase().contains(phrase.as_str()),
                        _ => false,
                    },
                );
            if !found {
                return false;
            }
        }
        true
    }

    /// Runs a query: filter and search, order, count, then skip and top.
    pub fn query(&self, schemas: &Schemas, query: &BoundQuery) -> Page {
        let overlay = self.lock();
        let needs_scan =
            query.filter.is_some() || query.search.is_some() || !query.orderby.is_empty();
        let top = query.top.unwrap_or(u64::MAX);

        if !needs_scan {
            // Fast path: rows come in index order, so only the page is generated.
            let count = self.seeded + overlay.appended - overlay.deleted;
            let mut rows = Vec::new();
            let mut position = 0u64;
            if top > 0 {
                self.for_each_row(&overlay, |_, row| {
                    if position >= query.skip {
                        rows.push(self.materialize(schemas, &row, &query.expand));
                    }
                    position += 1;
                    (rows.len() as u64) < top
                });
            }
            return Page { rows, count };
        }

        let mut selected: Vec<(u64, Vec<Val>)> = Vec::new();
        self.for_each_row(&overlay, |index, row| {
            if self.matches(schemas, query, &row) {
                let keys = query
                    .orderby
                    .iter()
                    .map(|(path, _)| {
                        let top_value = self.property_of(schemas, &row, path.index);
                        filter::to_val(&filter::read_path(top_value, path), path.kind)
                    })
                    .collect();
                selected.push((index, keys));
            }
            true
        });
        let count = selected.len() as u64;
        if !query.orderby.is_empty() {
            let compare = |(a_index, a_keys): &(u64, Vec<Val>),
                           (b_index, b_keys): &(u64, Vec<Val>)| {
                for (position, (_, descending)) in query.orderby.iter().enumerate() {
                    let ordering = order_vals(&a_keys[position], &b_keys[position]);
                    let ordering = if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                    if ordering.is_ne() {
                        return ordering;
                    }
                }
                a_index.cmp(b_index)
            };
            // Only the rows up to the end of the page need sorting. The row index breaks
            // ties, so the order is total and the partial selection is deterministic.
            let needed = query.skip.saturating_add(top);
            if needed < count {
                selected.select_nth_unstable_by(needed as usize, compare);
                selected.truncate(needed as usize);
            }
            selected.sort_by(compare);
        }
        let rows = selected
            .iter()
            .skip(usize::try_from(query.skip).unwrap_or(usize::MAX))
            .take(usize::try_from(top).unwrap_or(usize::MAX))
            .map(|(index, _)| {
                self.materialize(schemas, &self.row_at(&overlay, *index), &query.expand)
            })
            .collect();
        Page { rows, count }
    }

    /// Finds the index of the live row with this key.
    fn find(&self, schemas: &Schemas, overlay: &Overlay, key: &Value) -> Option<u64> {
        if let Some(&index) = overlay.keys.get(&canonical(key)) {
            return matches!(overlay.rows.get(&index), Some(Some(_))).then_some(index);
        }
        if let Some(index) = self.invert_key(key) {
            return match overlay.rows.get(&index) {
                Some(None) => None,
                _ => Some(index),
            };
        }
        let spec = self.key.as_ref()?;
        if !matches!(spec.scheme, KeyScheme::Opaque) {
            return None;
        }
        let prop_index = schemas
            .props(self.item)
            .iter()
            .position(|p| p.name == spec.property)?;
        let mut found = None;
        self.for_each_row(overlay, |index, row| {
            if matches!(row, Row::Seeded(_)) && &self.property_of(schemas, &row, prop_index) == key
            {
                found = Some(index);
                return false;
            }
            true
        });
        found
    }

    fn row_at<'a>(&self, overlay: &'a Overlay, index: u64) -> Row<'a> {
        match overlay.rows.get(&index) {
            Some(Some(map)) => Row::Stored(index, map),
            _ => Row::Seeded(index),
        }
    }

    /// Returns the row with this key and its ETag.
    pub fn get(
        &self,
        schemas: &Schemas,
        key: &Value,
        expand: &[String],
    ) -> Option<(Map<String, Value>, String)> {
        let overlay = self.lock();
        let index = self.find(schemas, &overlay, key)?;
        let row = self.row_at(&overlay, index);
        let etag = etag_of(&self.materialize(schemas, &row, &[]));
        Some((self.materialize(schemas, &row, expand), etag))
    }

    /// Returns the first row whose `property` equals `value` (an alternate key).
    pub fn find_by(
        &self,
        schemas: &Schemas,
        property: &str,
        value: &Value,
        expand: &[String],
    ) -> Option<Map<String, Value>> {
        let overlay = self.lock();
        let prop_index = schemas
            .props(self.item)
            .iter()
            .position(|p| p.name == property)?;
        let mut found = None;
        self.for_each_row(&overlay, |_, row| {
            if &self.property_of(schemas, &row, prop_index) == value {
                found = Some(self.materialize(schemas, &row, expand));
                return false;
            }
            true
        });
        found
    }

    /// Returns true when a row with this key exists.
    pub fn contains(&self, schemas: &Schemas, key: &Value) -> bool {
        let overlay = self.lock();
        self.find(schemas, &overlay, key).is_some()
    }

    /// Adds a row and returns it as stored. A missing key is generated.
    pub fn insert(
        &self,
        schemas: &Schemas,
        mut body: Map<String, Value>,
    ) -> Result<Map<String, Value>, WriteError> {
        let mut overlay = self.lock();
        let index = self.seeded + overlay.appended;
        if let Some(spec) = &self.key {
            let key = match body.get(&spec.property) {
                Some(value) if !value.is_null() => value.clone(),
                _ => self.fresh_key(schemas, &overlay, index),
            };
            if self.find(schemas, &overlay, &key).is_some() {
                return Err(WriteError::Conflict(canonical(&key)));
            }
            overlay.keys.insert(canonical(&key), index);
            body.insert(spec.property.clone(), key);
        }
        overlay.appended += 1;
        overlay.rows.insert(index, Some(body.clone()));
        Ok(body)
    }

    /// Returns a key that no live row has, for a row added without one.
    fn fresh_key(&self, schemas: &Schemas, overlay: &Overlay, index: u64) -> Value {
        let spec = self
            .key
            .as_ref()
            .expect("called only for keyed collections");
        let mut attempt = index;
        loop {
            let candidate = match (&spec.scheme, schemas.node(spec.ty.node)) {
                (KeyScheme::Integer { first }, _) => {
                    Value::Number(Number::from(first.saturating_add(attempt as i64)))
                }
                (KeyScheme::Opaque, _) => {
                    Generator::new(schemas, self.seed_of(attempt, &spec.property)).value(
                        TypeRef {
                            nullable: false,
                            ..spec.ty
                        },
                        1,
                    )
                }
                _ => self.key_value(attempt).unwrap_or(Value::Null),
            };
            if self.find(schemas, overlay, &candidate).is_none() || attempt > index + 1000 {
                return candidate;
            }
            attempt += 1;
        }
    }

    /// Merges `patch` into the row with this key.
    pub fn update(
        &self,
        schemas: &Schemas,
        key: &Value,
        patch: Map<String, Value>,
        if_match: Option<&str>,
    ) -> Result<(), WriteError> {
        let mut overlay = self.lock();
        let index = self
            .find(schemas, &overlay, key)
            .ok_or(WriteError::NotFound)?;
        let mut row = self.materialize(schemas, &self.row_at(&overlay, index), &[]);
        check_if_match(if_match, &row)?;
        for (name, value) in patch {
            // The key of an entity cannot change.
            if self.key_property() == Some(name.as_str()) {
                continue;
            }
            row.insert(name, value);
        }
        overlay.keys.insert(canonical(key), index);
        overlay.rows.insert(index, Some(row));
        Ok(())
    }

    /// Deletes the row with this key.
    pub fn delete(
        &self,
        schemas: &Schemas,
        key: &Value,
        if_match: Option<&str>,
    ) -> Result<(), WriteError> {
        let mut overlay = self.lock();
        let index = self
            .find(schemas, &overlay, key)
            .ok_or(WriteError::NotFound)?;
        let row = self.materialize(schemas, &self.row_at(&overlay, index), &[]);
        check_if_match(if_match, &row)?;
        overlay.rows.insert(index, None);
        overlay.keys.remove(&canonical(key));
        overlay.deleted += 1;
        Ok(())
    }
}

/// Orders values for `$orderby`: nulls first, then by value; kinds that do not compare
/// are equal.
fn order_vals(a: &Val, b: &Val) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Val::Null, Val::Null) => Ordering::Equal,
        (Val::Null, _) => Ordering::Less,
        (_, Val::Null) => Ordering::Greater,
        _ => filter::order(a, b).unwrap_or(Ordering::Equal),
    }
}

fn check_if_match(if_match: Option<&str>, row: &Map<String, Value>) -> Result<(), WriteError> {
    let Some(header) = if_match else {
        return Ok(());
    };
    let current = etag_of(row);
    let matched = header
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matched {
        Ok(())
    } else {
        Err(WriteError::PreconditionFailed)
    }
}

/// Canonical JSON text of a value; `serde_json` maps keep their keys sorted.
pub(crate) fn canonical(value: &Value) -> String {
    value.to_string()
}

/// Weak ETag of a row's content.
pub(crate) fn etag_of(row: &Map<String, Value>) -> String {
    let text = serde_json::to_string(row).unwrap_or_default();
    format!("W/\"{:016x}\"", hash_str(&text))
}

fn key_scheme(schemas: &Schemas, set_name: &str, ty: TypeRef, rows: u64) -> KeyScheme {
    match schemas.node(ty.node) {
        Node::Integer { min, max } => {
            let first = (*min).max(1);
            if first <= *max {
                KeyScheme::Integer { first }
            } else {
                KeyScheme::Opaque
            }
        }
        Node::String {
            format: StrFormat::Uuid,
            ..
        } => KeyScheme::Uuid {
            tag: hash_str(set_name) & 0xffff_ffff,
        },
        Node::String {
            format: StrFormat::DateTime,
            ..
        } => KeyScheme::DateTime,
        Node::String {
            format: StrFormat::Plain,
            max_len,
        } => {
            // Leave room for the row number, including rows added later.
            let digits = (rows.saturating_mul(2).max(10)).to_string().len();
            let base: String = set_name
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            let room = max_len.map_or(usize::MAX, |max| max.saturating_sub(digits + 1));
            let prefix = truncate_chars(base, Some(room.min(16)));
            if max_len.is_some_and(|max| max < digits + 1) {
                KeyScheme::Opaque
            } else {
                KeyScheme::Text {
                    prefix: format!("{prefix}-"),
                }
            }
        }
        _ => KeyScheme::Opaque,
    }
}
