//! Best-effort mapping from a JSON pointer to a line and column in block-style YAML text.
//!
//! serde_yaml_ng gives positions only for syntax errors, so validation errors find their line
//! by scanning the text. The scan follows indentation and understands block mappings, block
//! sequences (indented or not), quoted keys and `- key: value` items. It gives up, returning
//! `None`, on flow collections (`[a, b]`, `{a: b}`), complex keys, anchors and aliases.

/// Returns the 1-based line and column of the key or sequence item that `pointer` names.
pub(crate) fn locate(text: &str, pointer: &str) -> Option<(usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let first = next_content_line(&lines, 0)?;
    if pointer.is_empty() {
        return Some((first + 1, indent(lines[first]) + 1));
    }

    let mut scope = Scope {
        start: first,
        column: indent(lines[first]),
    };
    let segments: Vec<String> = pointer
        .strip_prefix('/')?
        .split('/')
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect();

    let mut found = None;
    for (index, segment) in segments.iter().enumerate() {
        let entry = find_key(&lines, scope, segment).or_else(|| {
            let item = segment.parse::<usize>().ok()?;
            find_item(&lines, scope, item)
        })?;
        found = Some((entry.line + 1, entry.column + 1));
        if index + 1 < segments.len() {
            scope = child_scope(&lines, &entry)?;
        }
    }
    found
}

/// The entries of one mapping or sequence: they start at `column`, the first one on line
/// `start` (possibly after a `- ` or a key on that line), the others on later lines indented
/// by exactly `column`.
#[derive(Clone, Copy)]
struct Scope {
    start: usize,
    column: usize,
}

/// A matched key or sequence item, and where its value starts on the same line.
struct Entry {
    line: usize,
    column: usize,
    /// Byte offset of the value's text on `line`, which may be the end of the line.
    value_column: usize,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let trimmed = line.trim();
    !(trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---")
}

fn next_content_line(lines: &[&str], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&index| is_content(lines[index]))
}

/// Calls `visit` with each entry's text of `scope` until the scope ends or `visit` returns
/// `Some`.
fn scan_entries<T>(
    lines: &[&str],
    scope: Scope,
    mut visit: impl FnMut(usize, &str) -> Option<T>,
) -> Option<T> {
    for (index, &line) in lines.iter().enumerate().skip(scope.start) {
        if !is_content(line) {
            continue;
        }
        if index == scope.start {
            if let Some(found) = visit(index, line.get(scope.column..)?) {
                return Some(found);
            }
            continue;
        }
        let line_indent = indent(line);
        if line_indent < scope.column {
            return None;
        }
        if line_indent == scope.column {
            if let Some(found) = visit(index, &line[scope.column..]) {
                return Some(found);
            }
        }
    }
    None
}

fn find_key(lines: &[&str], scope: Scope, key: &str) -> Option<Entry> {
    scan_entries(lines, scope, |index, text| {
        let (name, rest) = split_key(text)?;
        (name == key).then(|| Entry {
            line: index,
            column: scope.column,
            value_column: lines[index].len() - rest.len(),
        })
    })
}

fn find_item(lines: &[&str], scope: Scope, item: usize) -> Option<Entry> {
    let mut count = 0;
    scan_entries(lines, scope, |index, text| {
        let rest = text.strip_prefix('-')?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        count += 1;
        (count - 1 == item).then(|| Entry {
            line: index,
            column: scope.column,
            value_column: lines[index].len() - rest.len(),
        })
    })
}

/// Splits `key: rest` into the unquoted key and the text after the colon.
fn split_key(text: &str) -> Option<(String, &str)> {
    let (key, after) = match text.chars().next()? {
        quote @ ('\'' | '"') => {
            let (key, length) = quoted(text, quote)?;
            (key, &text[length..])
        }
        '-' | '?' | '[' | '{' | '&' | '*' | '!' => return None,
        _ => {
            let end = text
                .find(": ")
                .or_else(|| text.strip_suffix(':').map(str::len))?;
            (text[..end].trim_end().to_owned(), &text[end..])
        }
    };
    let rest = after.trim_start().strip_prefix(':')?;
    Some((key, rest))
}

/// Reads a quoted scalar at the start of `text`, returning its value and its length in bytes.
fn quoted(text: &str, quote: char) -> Option<(String, usize)> {
    let mut value = String::new();
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((offset, character)) = chars.next() {
        if character == quote {
            // In single quotes, '' is an escaped quote.
            if quote == '\'' && chars.peek().map(|&(_, next)| next) == Some('\'') {
                chars.next();
                value.push('\'');
                continue;
            }
            return Some((value, offset + 1));
        }
        if quote == '"' && character == '\\' {
            let (_, escaped) = chars.next()?;
            value.push(escaped);
            continue;
        }
        value.push(character);
    }
    None
}

/// Returns the scope of the value of `entry`, which must be a block mapping or sequence.
fn child_scope(lines: &[&str], entry: &Entry) -> Option<Scope> {
    let line = lines[entry.line];
    let rest = &line[entry.value_column..];
    let value = rest.trim_start();
    if !(value.is_empty() || value.starts_with('#')) {
        // The value starts on this line: only a `- key: value` item can continue below it.
        if value.starts_with(['|', '>', '[', '{', '&', '*', '!', '\'', '"']) {
            return None;
        }
        return Some(Scope {
            start: entry.line,
            column: line.len() - value.len(),
        });
    }

    let next = next_content_line(lines, entry.line + 1)?;
    let next_indent = indent(lines[next]);
    let indentless_sequence =
        next_indent == entry.column && lines[next][next_indent..].starts_with('-');
    (next_indent > entry.column || indentless_sequence).then_some(Scope {
        start: next,
        column: next_indent,
    })
}

#[cfg(test)]
mod tests {
    use super::locate;

    const TEXT: &str = "\
openapi: 3.0.4
# a comment
paths:
  /Users({Id}):
    get:
      tags:
        - Users
      parameters:
      - $ref: '#/components/parameters/top'
      - name: Id
        in: path
      description: |
        text: that looks like a key
      responses:
        '200':
          $ref: \"#/components/responses/ok\"
components:
  schemas:
    'Pbx.User': {}
";

    #[test]
    fn locate_root_key() {
        assert_eq!(locate(TEXT, "/openapi"), Some((1, 1)));
        assert_eq!(locate(TEXT, "/components"), Some((17, 1)));
    }

    #[test]
    fn locate_escaped_path_key() {
        assert_eq!(locate(TEXT, "/paths/~1Users({Id})/get"), Some((5, 5)));
    }

    #[test]
    fn locate_indented_sequence_item() {
        assert_eq!(
            locate(TEXT, "/paths/~1Users({Id})/get/tags/0"),
            Some((7, 9))
        );
    }

    #[test]
    fn locate_key_inside_indentless_item() {
        assert_eq!(
            locate(TEXT, "/paths/~1Users({Id})/get/parameters/0/$ref"),
            Some((9, 9))
        );
        assert_eq!(
            locate(TEXT, "/paths/~1Users({Id})/get/parameters/1/in"),
            Some((11, 9))
        );
    }

    #[test]
    fn locate_key_after_indentless_sequence() {
        assert_eq!(
            locate(TEXT, "/paths/~1Users({Id})/get/responses/200/$ref"),
            Some((16, 11))
        );
    }

    #[test]
    fn locate_quoted_key() {
        assert_eq!(locate(TEXT, "/components/schemas/Pbx.User"), Some((19, 5)));
    }

    #[test]
    fn locate_missing_node() {
        assert_eq!(locate(TEXT, "/paths/~1Groups"), None);
        assert_eq!(locate(TEXT, "/paths/~1Users({Id})/get/parameters/2"), None);
        assert_eq!(
            locate(TEXT, "/paths/~1Users({Id})/get/description/text"),
            None
        );
    }
}
