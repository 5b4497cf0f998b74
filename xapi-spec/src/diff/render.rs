//! The three report formats of a [`Diff`]: plain text, Markdown and JSON.

use std::fmt::{self, Write};

use serde_json::{json, Map, Value};

use super::{Change, ChangeKind, Diff, Parameter};

impl Diff {
    /// Formats the report for a terminal: a summary line, then one group per kind of change
    /// with its count, one line per change, and `!` in front of each breaking change.
    pub fn to_text(&self) -> String {
        let mut out = format!("{} → {}: {}\n", self.old, self.new, self.summary());
        for kind in ChangeKind::ALL {
            let changes: Vec<&Change> = self.of_kind(kind).collect();
            if changes.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n{} ({})", kind.title(), group_count(&changes));
            for change in changes {
                let marker = if change.is_breaking() { "!" } else { " " };
                let _ = writeln!(out, "  {marker} {}", line(change, plain));
            }
        }
        out
    }

    /// Formats the report for a pull request description: a heading, a table of counts, then
    /// one section per kind of change with a bullet per change, breaking ones marked.
    ///
    /// Sections without a breaking change are folded into a `<details>` element, so that the
    /// breaking ones stand out in a long report.
    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "### XAPI changes from {} to {}\n\n{}.\n",
            code(&self.old),
            code(&self.new),
            self.summary()
        );
        if self.is_empty() {
            return out;
        }
        out.push_str("\n| Change | Count | Breaking |\n| --- | ---: | ---: |\n");
        for kind in ChangeKind::ALL {
            let changes: Vec<&Change> = self.of_kind(kind).collect();
            if !changes.is_empty() {
                let breaking = changes.iter().filter(|change| change.is_breaking()).count();
                let _ = writeln!(out, "| {} | {} | {breaking} |", kind.title(), changes.len());
            }
        }
        for kind in ChangeKind::ALL {
            let changes: Vec<&Change> = self.of_kind(kind).collect();
            if !changes.is_empty() {
                markdown_section(&mut out, kind, &changes);
            }
        }
        out
    }

    /// Returns the report as JSON: the two labels, the total and breaking counts, the count
    /// of every kind (by [`ChangeKind::name`]), and every change with its fields, its `kind`
    /// and a `breaking` flag.
    pub fn to_json(&self) -> Value {
        let counts: Map<String, Value> = self
            .counts()
            .into_iter()
            .map(|(kind, count)| (kind.name().to_owned(), json!(count)))
            .collect();
        let changes: Vec<Value> = self.changes.iter().map(change_json).collect();
        json!({
            "old": self.old,
            "new": self.new,
            "total": self.changes.len(),
            "breaking": self.breaking_count(),
            "counts": counts,
            "changes": changes,
        })
    }

    /// Returns `N changes, M breaking`, or `no changes`.
    fn summary(&self) -> String {
        match self.changes.len() {
            0 => "no changes".to_owned(),
            1 => format!("1 change, {} breaking", self.breaking_count()),
            total => format!("{total} changes, {} breaking", self.breaking_count()),
        }
    }
}

impl fmt::Display for Change {
    /// Formats the change as one line of the text report, without the breaking marker.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&line(self, plain))
    }
}

/// Appends one kind's section: a heading and bullets, or a folded `<details>` element when no
/// change in it is breaking.
fn markdown_section(out: &mut String, kind: ChangeKind, changes: &[&Change]) {
    let heading = format!("{} ({})", kind.title(), changes.len());
    let folded = !changes.iter().any(|change| change.is_breaking());
    if folded {
        let _ = writeln!(out, "\n<details><summary>{heading}</summary>\n");
    } else {
        let _ = writeln!(out, "\n#### {heading}\n");
    }
    for change in changes {
        let marker = if change.is_breaking() {
            "**breaking** "
        } else {
            ""
        };
        let _ = writeln!(out, "- {marker}{}", line(change, code));
    }
    if folded {
        out.push_str("\n</details>\n");
    }
}

fn change_json(change: &Change) -> Value {
    let mut value = serde_json::to_value(change).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut value {
        fields.insert("breaking".to_owned(), Value::Bool(change.is_breaking()));
    }
    value
}

/// Returns `N` when no change in the group is breaking, `N, all breaking` or `N, M breaking`.
fn group_count(changes: &[&Change]) -> String {
    let breaking = changes.iter().filter(|change| change.is_breaking()).count();
    match breaking {
        0 => changes.len().to_string(),
        all if all == changes.len() => format!("{all}, all breaking"),
        some => format!("{}, {some} breaking", changes.len()),
    }
}

/// Formats a name, type or path as it is in the text report.
fn plain(text: &str) -> String {
    text.to_owned()
}

/// Formats a name, type or path as a Markdown code span, which also keeps `<…>` in types
/// from being read as HTML.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Formats one change as `subject: detail`, passing names, types and paths through `name`.
fn line(change: &Change, name: fn(&str) -> String) -> String {
    match change {
        Change::OperationAdded { operation } | Change::OperationRemoved { operation } => {
            let endpoint = format!("{} {}", operation.method, operation.path);
            format!("{}: {}", name(&operation.operation_id), name(&endpoint))
        }
        Change::OperationRenamed { old_id, operation } => {
            let endpoint = format!("{} {}", operation.method, operation.path);
            format!(
                "{} → {}: {}",
                name(old_id),
                name(&operation.operation_id),
                name(&endpoint)
            )
        }
        Change::OperationMoved {
            operation,
            old_method,
            old_path,
        } => {
            let before = format!("{old_method} {old_path}");
            let after = format!("{} {}", operation.method, operation.path);
            format!(
                "{}: {} → {}",
                name(&operation.operation_id),
                name(&before),
                name(&after)
            )
        }
        _ => parameter_line(change, name)
            .or_else(|| schema_line(change, name))
            .unwrap_or_default(),
    }
}

/// Formats the parameter, request body and response changes of an operation.
fn parameter_line(change: &Change, name: fn(&str) -> String) -> Option<String> {
    let text = match change {
        Change::ParameterAdded {
            operation_id,
            parameter,
        } => format!(
            "{}: {}, {}",
            parameter_subject(operation_id, parameter, name),
            name(&parameter.type_name),
            required_word(parameter.required)
        ),
        Change::ParameterRemoved {
            operation_id,
            parameter,
        } => format!(
            "{}: {}",
            parameter_subject(operation_id, parameter, name),
            name(&parameter.type_name)
        ),
        Change::ParameterRetyped {
            operation_id,
            parameter,
            old_type,
        } => format!(
            "{}: {} → {}",
            parameter_subject(operation_id, parameter, name),
            name(old_type),
            name(&parameter.type_name)
        ),
        Change::ParameterRequiredChanged {
            operation_id,
            parameter,
        } => format!(
            "{}: now {}",
            parameter_subject(operation_id, parameter, name),
            required_word(parameter.required)
        ),
        Change::RequestBodyChanged {
            operation_id,
            old_type,
            new_type,
        } => {
            let describe = |body: &Option<String>| body.as_deref().map_or("no body".into(), name);
            format!(
                "{}: {} → {}",
                name(operation_id),
                describe(old_type),
                describe(new_type)
            )
        }
        Change::ResponseChanged {
            operation_id,
            old_type,
            new_type,
        } => format!(
            "{}: {} → {}",
            name(operation_id),
            name(old_type),
            name(new_type)
        ),
        _ => return None,
    };
    Some(text)
}

/// Formats `GetUser parameter Id (path)`.
fn parameter_subject(
    operation_id: &str,
    parameter: &Parameter,
    name: fn(&str) -> String,
) -> String {
    format!(
        "{} parameter {} ({})",
        name(operation_id),
        name(&parameter.name),
        parameter.location
    )
}

/// Formats the schema, property and enum member changes.
fn schema_line(change: &Change, name: fn(&str) -> String) -> Option<String> {
    let text = match change {
        Change::SchemaAdded { schema } | Change::SchemaRemoved { schema } => name(schema),
        Change::SchemaBasesChanged {
            schema,
            old_bases,
            new_bases,
        } => format!(
            "{}: {} → {}",
            name(schema),
            name(&bases_text(old_bases)),
            name(&bases_text(new_bases))
        ),
        Change::PropertyAdded {
            schema,
            property,
            type_name,
            required,
        } => format!(
            "{}: {}, {}",
            name(&format!("{schema}.{property}")),
            name(type_name),
            required_word(*required)
        ),
        Change::PropertyRemoved {
            schema,
            property,
            type_name,
        } => format!(
            "{}: {}",
            name(&format!("{schema}.{property}")),
            name(type_name)
        ),
        Change::PropertyRetyped {
            schema,
            property,
            old_type,
            new_type,
        } => format!(
            "{}: {} → {}",
            name(&format!("{schema}.{property}")),
            name(old_type),
            name(new_type)
        ),
        Change::PropertyNullableChanged {
            schema,
            property,
            nullable,
            required,
        } => format!(
            "{}: now {}, {}",
            name(&format!("{schema}.{property}")),
            if *nullable {
                "nullable"
            } else {
                "not nullable"
            },
            required_word(*required)
        ),
        Change::PropertyRequiredChanged {
            schema,
            property,
            required,
        } => format!(
            "{}: now {}",
            name(&format!("{schema}.{property}")),
            required_word(*required)
        ),
        Change::EnumMemberAdded {
            schema,
            property,
            member,
        }
        | Change::EnumMemberRemoved {
            schema,
            property,
            member,
        } => {
            let owner = match property {
                Some(property) => format!("{schema}.{property}"),
                None => schema.clone(),
            };
            format!("{}: {}", name(&owner), name(member))
        }
        _ => return None,
    };
    Some(text)
}

fn bases_text(bases: &[String]) -> String {
    if bases.is_empty() {
        "none".to_owned()
    } else {
        bases.join(", ")
    }
}

fn required_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}
