//! `cargo xtask spec diff` on a small fragment and on the two newest real documents, whose
//! counts are checked against a separate, simpler count over the parsed documents.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::FRAGMENT;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn run_diff(old: &Path, new: &Path, format: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["spec", "diff"])
        .arg(old)
        .arg(new)
        .args(["--format", format])
        .output()
        .expect("run xtask")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Writes `text` to a file named `name` in `dir` and returns its path.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write document");
    path
}

/// Returns the fragment with one more member in its enum, which breaks nothing.
fn fragment_with_new_member() -> String {
    let edited = FRAGMENT.replace(
        "            - Yes\n",
        "            - Yes\n            - Scenario\n",
    );
    assert_ne!(
        edited, FRAGMENT,
        "the fragment has the enum this test edits"
    );
    edited
}

#[test]
fn added_member_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(&dir, "old.yaml", FRAGMENT);
    let new = write(&dir, "new.yaml", &fragment_with_new_member());

    let output = run_diff(&old, &new, "text");
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(
        text.starts_with("old → new: 1 change, 0 breaking\n"),
        "{text}"
    );
    assert!(
        text.contains("\nEnum members added (1)\n    Pbx.User.AuthenticationType: Scenario\n"),
        "{text}"
    );
}

#[test]
fn rename_exits_one() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(&dir, "old.yaml", FRAGMENT);
    let renamed = FRAGMENT.replace("operationId: DeleteUser", "operationId: RemoveUser");
    let new = write(&dir, "new.yaml", &renamed);

    let output = run_diff(&old, &new, "text");
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("\nOperations renamed (1, all breaking)\n  ! DeleteUser → RemoveUser: DELETE /Users({Id})\n"),
        "{text}"
    );
}

#[test]
fn markdown_and_json_formats() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(&dir, "old.yaml", FRAGMENT);
    let new = write(&dir, "new.yaml", &fragment_with_new_member());

    let markdown = stdout(&run_diff(&old, &new, "md"));
    assert!(
        markdown.starts_with("### XAPI changes from `old` to `new`\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Enum members added | 1 | 0 |\n"),
        "{markdown}"
    );

    let json: Value = serde_json::from_str(&stdout(&run_diff(&old, &new, "json"))).unwrap();
    assert_eq!(json["counts"]["enum_member_added"], 1);
    assert_eq!(json["breaking"], 0);
    assert_eq!(json["changes"][0]["member"], "Scenario");
}

#[test]
fn missing_document_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let old = write(&dir, "old.yaml", FRAGMENT);
    let output = run_diff(&old, &dir.path().join("absent.yaml"), "text");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("absent.yaml"), "{stderr}");
}

/// Returns the two real documents with the highest release numbers, or `None` when the shared
/// folder is absent or has fewer than two.
fn newest_pair() -> Option<(PathBuf, PathBuf)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/xapi-spec");
    let mut labelled: Vec<(Vec<u64>, PathBuf)> = std::fs::read_dir(&folder)
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|path| Some((release_number(&path)?, path)))
        .collect();
    labelled.sort();
    let new = labelled.pop()?.1;
    let old = labelled.pop()?.1;
    Some((old, new))
}

/// Reads the release number `1.2.3` from a file named `name-1.2.3.yaml` as `[1, 2, 3]`. A name
/// without a three-part release number yields `None`.
fn release_number(path: &Path) -> Option<Vec<u64>> {
    let stem = path.file_stem()?.to_str()?;
    let (_, version) = stem.rsplit_once('-')?;
    let parts: Vec<u64> = version
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    (parts.len() == 3).then_some(parts)
}

#[test]
fn real_upgrade_counts_match_independent_count() {
    let Some((old_path, new_path)) = newest_pair() else {
        eprintln!("skipped: ../shared/xapi-spec with two release documents is absent");
        return;
    };
    let old = xapi_spec::load(&old_path).unwrap().value;
    let new = xapi_spec::load(&new_path).unwrap().value;
    let expected = independent_counts(&old, &new);

    let output = run_diff(&old_path, &new_path, "json");
    let report: Value = serde_json::from_str(&stdout(&output)).expect("JSON report");
    println!(
        "{}",
        serde_json::to_string_pretty(&report["counts"]).unwrap()
    );
    for (kind, count) in &expected {
        assert_eq!(report["counts"][kind], *count, "{kind}");
    }

    let breaking = report["breaking"].as_u64().unwrap();
    let expected_status = if breaking > 0 { 1 } else { 0 };
    assert_eq!(output.status.code(), Some(expected_status));
    assert!(
        expected["operation_removed"] == 0 || breaking > 0,
        "a removed operation is breaking"
    );
}

/// Counts changes with plain set operations over the two documents.
fn independent_counts(old: &Value, new: &Value) -> BTreeMap<&'static str, usize> {
    let mut counts = BTreeMap::new();
    let old_operations = operations(old);
    let new_operations = operations(new);
    let old_ids: BTreeSet<&String> = old_operations.keys().collect();
    let new_ids: BTreeSet<&String> = new_operations.keys().collect();

    let vanished: BTreeMap<(String, String), &String> = old_ids
        .difference(&new_ids)
        .map(|id| (shape(&old_operations[*id]), *id))
        .collect();
    let renamed = new_ids
        .difference(&old_ids)
        .filter(|id| vanished.contains_key(&shape(&new_operations[**id])))
        .count();
    counts.insert(
        "operation_added",
        new_ids.difference(&old_ids).count() - renamed,
    );
    counts.insert(
        "operation_removed",
        old_ids.difference(&new_ids).count() - renamed,
    );
    counts.insert("operation_renamed", renamed);
    let moved = old_ids
        .intersection(&new_ids)
        .filter(|id| old_operations[**id] != new_operations[**id])
        .count();
    counts.insert("operation_moved", moved);

    let old_schemas = schemas(old);
    let new_schemas = schemas(new);
    let old_names: BTreeSet<&String> = old_schemas.keys().collect();
    let new_names: BTreeSet<&String> = new_schemas.keys().collect();
    counts.insert("schema_added", new_names.difference(&old_names).count());
    counts.insert("schema_removed", old_names.difference(&new_names).count());

    let mut properties = PropertyCounts::default();
    for name in old_names.intersection(&new_names) {
        properties.add(&old_schemas[*name], &new_schemas[*name]);
    }
    counts.insert("property_added", properties.added);
    counts.insert("property_removed", properties.removed);
    counts.insert("property_nullable_changed", properties.nullable);
    counts.insert("property_required_changed", properties.required);
    counts.insert("enum_member_added", properties.members_added);
    counts.insert("enum_member_removed", properties.members_removed);
    counts
}

/// Maps each operationId to its (METHOD, path template).
fn operations(document: &Value) -> BTreeMap<String, (String, String)> {
    let mut found = BTreeMap::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(id) = item[method]["operationId"].as_str() {
                found.insert(id.to_owned(), (method.to_uppercase(), path.clone()));
            }
        }
    }
    found
}

/// Returns the method and the path with every `{name}` emptied to `{}`.
fn shape((method, path): &(String, String)) -> (String, String) {
    let mut shape = String::new();
    for piece in path.split('{') {
        match piece.split_once('}') {
            Some((_, rest)) => {
                shape.push_str("{}");
                shape.push_str(rest);
            }
            None => shape.push_str(piece),
        }
    }
    (method.clone(), shape)
}

fn schemas(document: &Value) -> BTreeMap<String, Value> {
    document["components"]["schemas"]
        .as_object()
        .map(|schemas| schemas.clone().into_iter().collect())
        .unwrap_or_default()
}

#[derive(Default)]
struct PropertyCounts {
    added: usize,
    removed: usize,
    nullable: usize,
    required: usize,
    members_added: usize,
    members_removed: usize,
}

impl PropertyCounts {
    /// Adds the differences of one schema both documents have.
    fn add(&mut self, old: &Value, new: &Value) {
        let (old_properties, old_required) = own_properties(old);
        let (new_properties, new_required) = own_properties(new);
        let old_keys: BTreeSet<&String> = old_properties.keys().collect();
        let new_keys: BTreeSet<&String> = new_properties.keys().collect();
        self.added += new_keys.difference(&old_keys).count();
        self.removed += old_keys.difference(&new_keys).count();
        for key in old_keys.intersection(&new_keys) {
            let (before, after) = (&old_properties[*key], &new_properties[*key]);
            let was_nullable = before["nullable"] == Value::Bool(true);
            let is_nullable = after["nullable"] == Value::Bool(true);
            if was_nullable != is_nullable {
                self.nullable += 1;
            }
            if old_required.contains(*key) != new_required.contains(*key) {
                self.required += 1;
            }
            self.add_members(before, after);
        }
        self.add_members(old, new);
    }

    fn add_members(&mut self, old: &Value, new: &Value) {
        let old_members = members(old);
        let new_members = members(new);
        self.members_added += new_members.difference(&old_members).count();
        self.members_removed += old_members.difference(&new_members).count();
    }
}

/// Returns the properties of a schema and of its inline `allOf` members, with the names
/// they list as required.
fn own_properties(schema: &Value) -> (BTreeMap<String, Value>, BTreeSet<String>) {
    let mut properties = BTreeMap::new();
    let mut required = BTreeSet::new();
    let mut parts = vec![schema];
    if let Some(members) = schema["allOf"].as_array() {
        parts.extend(members.iter().filter(|member| member.get("$ref").is_none()));
    }
    for part in parts {
        if let Some(map) = part["properties"].as_object() {
            properties.extend(map.clone());
        }
        if let Some(names) = part["required"].as_array() {
            required.extend(names.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    (properties, required)
}

fn members(schema: &Value) -> BTreeSet<String> {
    schema["enum"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|member| {
            member
                .as_str()
                .map_or_else(|| member.to_string(), str::to_owned)
        })
        .collect()
}
