//! `$filter` expressions: parsing, type checking against the item schema, evaluation.
//!
//! Supported: `eq ne gt ge lt le`, `and or not`, parentheses, the functions `contains`,
//! `startswith`, `endswith`, `tolower`, `toupper`, `trim`, `length` and `indexof`,
//! property paths (`A/B`), and string (with `''` escapes), integer, decimal, boolean,
//! `null`, date-time, date, GUID and enum (`Ns.Type'Member'`) literals.
//!
//! String comparison is ordinal and case-sensitive. Date-times compare as instants,
//! whatever their offsets. `null eq null` is true, and an order comparison with `null` on
//! either side is false. `not` applies to the comparison after it, so
//! `not A eq 1` means `not (A eq 1)`.

use serde_json::Value;

use crate::schema::{Node, Schemas, StrFormat, TypeRef};
use crate::validate::{is_uuid, parse_date_time};

/// Deepest nesting of parentheses and `not`, against stack exhaustion.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    DateTime(i128),
    Date(String),
    Guid(String),
    /// An enum member written as `Ns.Type'Member'`.
    Enum(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompareOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Function {
    Contains,
    StartsWith,
    EndsWith,
    ToLower,
    ToUpper,
    Trim,
    Length,
    IndexOf,
}

/// A parsed expression; property paths are unresolved names.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Literal(Literal),
    Property(Vec<String>),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    Call(Function, Vec<Expr>),
}

/// Static type of an expression, for the type check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    DateTime,
    Date,
    Guid,
    Enum,
    /// Objects and arrays, which only compare with `null`.
    Complex,
    /// Untyped properties, compatible with everything.
    Any,
}

/// A property path resolved against the item type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PropPath {
    /// Index of the first segment in the item's property list.
    pub index: usize,
    /// Nested property names below the first segment.
    pub rest: Vec<String>,
    pub kind: Kind,
}

/// An expression whose properties are resolved and whose types are checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound {
    Literal(Literal),
    Property(PropPath),
    Not(Box<Bound>),
    And(Box<Bound>, Box<Bound>),
    Or(Box<Bound>, Box<Bound>),
    Compare(CompareOp, Box<Bound>, Box<Bound>),
    Call(Function, Vec<Bound>),
}

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Nanoseconds since the Unix epoch.
    DateTime(i128),
    Guid(String),
    /// Objects and arrays.
    Other,
}

// ---------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    /// `Ns.Type'Member'` or `duration'P1D'`: prefix and the unquoted value.
    Prefixed(String, String),
    Open,
    Close,
    Comma,
}

fn is_word_char(ch: char) -> bool {
    ch.is_alphanumeric() || matches!(ch, '_' | '.' | '-' | ':' | '+' | '/' | '$')
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            ' ' | '\t' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1;
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            '\'' => {
                let (value, next) = read_quoted(&chars, i)?;
                tokens.push(Token::Quoted(value));
                i = next;
            }
            _ if is_word_char(ch) => {
                let start = i;
                while i < chars.len() && is_word_char(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if i < chars.len() && chars[i] == '\'' {
                    let (value, next) = read_quoted(&chars, i)?;
                    tokens.push(Token::Prefixed(word, value));
                    i = next;
                } else {
                    tokens.push(Token::Word(word));
                }
            }
            _ => {
                return Err(format!(
                    "Syntax error: character '{ch}' is not valid at position {i}."
                ))
            }
        }
    }
    Ok(tokens)
}

/// Reads a quoted string starting at `chars[start] == '\''`; returns it and the index
/// after the closing quote.
fn read_quoted(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut i = start + 1;
    let mut value = String::new();
    loop {
        match chars.get(i) {
            None => {
                return Err(format!(
                    "Syntax error: unterminated string literal at position {start}."
                ))
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                value.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((value, i + 1)),
            Some(&ch) => {
                value.push(ch);
                i += 1;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parser

/// Parses a `$filter` value.
pub(crate) fn parse(text: &str) -> Result<Expr, String> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("The $filter expression is empty.".to_owned());
    }
    let mut parser = Parser { tokens, pos: 0 };
    let expr = parser.or_expr(0)?;
    if parser.pos != parser.tokens.len() {
        return Err(format!(
            "Syntax error at token {} of the $filter expression: {:?} is not expected.",
            parser.pos + 1,
            parser.tokens[parser.pos]
        ));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self) -> Option<&str> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    fn or_expr(&mut self, depth: usize) -> Result<Expr, String> {
        let mut left = self.and_expr(depth)?;
        while self.peek_word() == Some("or") {
            self.pos += 1;
            let right = self.and_expr(depth)?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self, depth: usize) -> Result<Expr, String> {
        let mut left = self.unary(depth)?;
        while self.peek_word() == Some("and") {
            self.pos += 1;
            let right = self.unary(depth)?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "The $filter expression is nested deeper than {MAX_DEPTH} levels."
            ));
        }
        if self.peek_word() == Some("not") {
            self.pos += 1;
            let inner = self.unary(depth + 1)?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison(depth)
    }

    fn comparison(&mut self, depth: usize) -> Result<Expr, String> {
        let left = self.primary(depth)?;
        let op = match self.peek_word() {
            Some("eq") => CompareOp::Eq,
            Some("ne") => CompareOp::Ne,
            Some("gt") => CompareOp::Gt,
            Some("ge") => CompareOp::Ge,
            Some("lt") => CompareOp::Lt,
            Some("le") => CompareOp::Le,
            _ => return Ok(left),
        };
        self.pos += 1;
        let right = self.primary(depth)?;
        Ok(Expr::Compare(op, Box::new(left), Box::new(right)))
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, String> {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err("Syntax error: the $filter expression ends too early.".to_owned());
        };
        self.pos += 1;
        match token {
            Token::Open => {
                if depth > MAX_DEPTH {
                    return Err(format!(
                        "The $filter expression is nested deeper than {MAX_DEPTH} levels."
                    ));
                }
                let inner = self.or_expr(depth + 1)?;
                self.expect_close()?;
                Ok(inner)
            }
            Token::Quoted(value) => Ok(Expr::Literal(Literal::Str(value))),
            Token::Prefixed(prefix, value) => {
                if prefix == "duration" {
                    Ok(Expr::Literal(Literal::Str(value)))
                } else if prefix.contains('.') {
                    Ok(Expr::Literal(Literal::Enum(value)))
                } else {
                    Err(format!(
                        "Syntax error: '{prefix}' cannot prefix a quoted literal."
                    ))
                }
            }
            Token::Word(word) => {
                if self.tokens.get(self.pos) == Some(&Token::Open) {
                    if let Some(function) = function_named(&word) {
                        self.pos += 1;
                        let args = self.arguments(depth)?;
                        return check_arity(function, args);
                    }
                    return Err(format!("Unknown function '{word}'."));
                }
                word_expr(&word)
            }
            Token::Close | Token::Comma => Err(format!(
                "Syntax error at token {} of the $filter expression: {token:?} is not expected.",
                self.pos
            )),
        }
    }

    fn arguments(&mut self, depth: usize) -> Result<Vec<Expr>, String> {
        let mut args = Vec::new();
        if self.tokens.get(self.pos) == Some(&Token::Close) {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.or_expr(depth + 1)?);
            match self.tokens.get(self.pos) {
                Some(Token::Comma) => self.pos += 1,
                Some(Token::Close) => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err("Syntax error: ')' or ',' expected in a function call.".to_owned()),
            }
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        if self.tokens.get(self.pos) == Some(&Token::Close) {
            self.pos += 1;
            Ok(())
        } else {
            Err("Syntax error: ')' expected in the $filter expression.".to_owned())
        }
    }
}

fn function_named(name: &str) -> Option<Function> {
    Some(match name {
        "contains" => Function::Contains,
        "startswith" => Function::StartsWith,
        "endswith" => Function::EndsWith,
        "tolower" => Function::ToLower,
        "toupper" => Function::ToUpper,
        "trim" => Function::Trim,
        "length" => Function::Length,
        "indexof" => Function::IndexOf,
        _ => return None,
    })
}

fn check_arity(function: Function, args: Vec<Expr>) -> Result<Expr, String> {
    let expected = match function {
        Function::Contains | Function::StartsWith | Function::EndsWith | Function::IndexOf => 2,
        Function::ToLower | Function::ToUpper | Function::Trim | Function::Length => 1,
    };
    if args.len() != expected {
        return Err(format!(
            "The function '{function:?}' takes {expected} arguments, not {}.",
            args.len()
        ));
    }
    Ok(Expr::Call(function, args))
}

/// Classifies a bare word: keyword literal, number, date-time, date, GUID or property path.
fn word_expr(word: &str) -> Result<Expr, String> {
    let literal = match word {
        "null" => Some(Literal::Null),
        "true" => Some(Literal::Bool(true)),
        "false" => Some(Literal::Bool(false)),
        "INF" => Some(Literal::Float(f64::INFINITY)),
        "-INF" => Some(Literal::Float(f64::NEG_INFINITY)),
        "NaN" => Some(Literal::Float(f64::NAN)),
        _ => None,
    };
    if let Some(literal) = literal {
        return Ok(Expr::Literal(literal));
    }
    if is_uuid(word) {
        return Ok(Expr::Literal(Literal::Guid(word.to_ascii_lowercase())));
    }
    if let Some(instant) = parse_date_time(word) {
        return Ok(Expr::Literal(Literal::DateTime(nanos(&instant))));
    }
    let starts_numeric = word
        .trim_start_matches('-')
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit());
    if starts_numeric {
        if chrono::NaiveDate::parse_from_str(word, "%Y-%m-%d").is_ok() && word.len() == 10 {
            return Ok(Expr::Literal(Literal::Date(word.to_owned())));
        }
        let number = word
            .strip_suffix(['m', 'M', 'd', 'D', 'f', 'F', 'L'])
            .unwrap_or(word);
        if let Ok(int) = number.parse::<i64>() {
            return Ok(Expr::Literal(Literal::Int(int)));
        }
        if let Ok(float) = number.parse::<f64>() {
            return Ok(Expr::Literal(Literal::Float(float)));
        }
        return Err(format!("Syntax error: '{word}' is not a valid literal."));
    }
    let segments: Vec<String> = word.split('/').map(str::to_owned).collect();
    let valid = segments.iter().all(|segment| {
        let mut chars = segment.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    });
    if valid {
        Ok(Expr::Property(segments))
    } else {
        Err(format!(
            "Syntax error: '{word}' is not a property name or literal."
        ))
    }
}

fn nanos(instant: &chrono::DateTime<chrono::FixedOffset>) -> i128 {
    instant.timestamp() as i128 * 1_000_000_000 + instant.timestamp_subsec_nanos() as i128
}

// ---------------------------------------------------------------------------------------
// Binding and type checking

/// Returns the filter kind of a schema type.
pub(crate) fn kind_of(schemas: &Schemas, ty: TypeRef) -> Kind {
    match schemas.node(ty.node) {
        Node::Any | Node::Pending => Kind::Any,
        Node::Boolean => Kind::Bool,
        Node::Integer { .. } => Kind::Int,
        Node::Number => Kind::Float,
        Node::String { format, .. } => match format {
            StrFormat::DateTime => Kind::DateTime,
            StrFormat::Date => Kind::Date,
            StrFormat::Uuid => Kind::Guid,
            _ => Kind::Str,
        },
        Node::Enum { .. } => Kind::Enum,
        Node::OneOf(_) => Kind::Any,
        Node::Array { .. } | Node::Object { .. } => Kind::Complex,
    }
}

/// Resolves a property path (`A/B`) against the item type.
pub(crate) fn resolve_path(
    schemas: &Schemas,
    item: TypeRef,
    path: &[String],
) -> Result<PropPath, String> {
    let type_name = schemas.name_of(item.node).unwrap_or("the item type");
    let Some((first, rest)) = path.split_first() else {
        return Err("An empty property path is not valid.".to_owned());
    };
    let props = schemas.props(item);
    let Some(index) = props.iter().position(|p| &p.name == first) else {
        return Err(format!(
            "Could not find a property named '{first}' on type '{type_name}'."
        ));
    };
    let mut ty = props[index].ty;
    for name in rest {
        let Some(prop) = schemas.prop(ty, name) else {
            return Err(format!(
                "Could not find a property named '{name}' below '{}'.",
                path.join("/")
            ));
        };
        ty = prop.ty;
    }
    Ok(PropPath {
        index,
        rest: rest.to_vec(),
        kind: kind_of(schemas, ty),
    })
}

/// Resolves properties and checks types; the whole expression must be boolean.
pub(crate) fn bind(schemas: &Schemas, item: TypeRef, expr: &Expr) -> Result<Bound, String> {
    let (bound, kind) = bind_expr(schemas, item, expr)?;
    if !matches!(kind, Kind::Bool | Kind::Any) {
        return Err("The $filter expression must evaluate to a boolean.".to_owned());
    }
    Ok(bound)
}

fn literal_kind(literal: &Literal) -> Kind {
    match literal {
        Literal::Null => Kind::Null,
        Literal::Bool(_) => Kind::Bool,
        Literal::Int(_) => Kind::Int,
        Literal::Float(_) => Kind::Float,
        Literal::Str(_) => Kind::Str,
        Literal::DateTime(_) => Kind::DateTime,
        Literal::Date(_) => Kind::Date,
        Literal::Guid(_) => Kind::Guid,
        Literal::Enum(_) => Kind::Enum,
    }
}

fn comparable(left: Kind, right: Kind) -> bool {
    use Kind::*;
    match (left, right) {
        (Any, _) | (_, Any) | (Null, _) | (_, Null) => true,
        (Int | Float, Int | Float) => true,
        (Str | Enum, Str | Enum) => true,
        (Complex, _) | (_, Complex) => false,
        (a, b) => a == b,
    }
}

fn bind_expr(schemas: &Schemas, item: TypeRef, expr: &Expr) -> Result<(Bound, Kind), String> {
    Ok(match expr {
        Expr::Literal(literal) => (Bound::Literal(literal.clone()), literal_kind(literal)),
        Expr::Property(path) => {
            let resolved = resolve_path(schemas, item, path)?;
            let kind = resolved.kind;
            (Bound::Property(resolved), kind)
        }
        Expr::Not(inner) => {
            let (inner, kind) = bind_expr(schemas, item, inner)?;
            require_bool(kind, "not")?;
            (Bound::Not(Box::new(inner)), Kind::Bool)
        }
        Expr::And(left, right) | Expr::Or(left, right) => {
            let (l, lk) = bind_expr(schemas, item, left)?;
            let (r, rk) = bind_expr(schemas, item, right)?;
            let name = if matches!(expr, Expr::And(..)) {
                "and"
            } else {
                "or"
            };
            require_bool(lk, name)?;
            require_bool(rk, name)?;
            let bound = if name == "and" {
                Bound::And(Box::new(l), Box::new(r))
            } else {
                Bound::Or(Box::new(l), Box::new(r))
            };
            (bound, Kind::Bool)
        }
        Expr::Compare(op, left, right) => {
            let (l, lk) = bind_expr(schemas, item, left)?;
            let (r, rk) = bind_expr(schemas, item, right)?;
            if !comparable(lk, rk) {
                return Err(format!(
                    "A binary operator with incompatible types was detected. Found operand types '{lk:?}' and '{rk:?}' for operator kind '{op:?}'."
                ));
            }
            (Bound::Compare(*op, Box::new(l), Box::new(r)), Kind::Bool)
        }
        Expr::Call(function, args) => {
            let mut bound = Vec::with_capacity(args.len());
            for arg in args {
                let (arg, kind) = bind_expr(schemas, item, arg)?;
                if !matches!(kind, Kind::Str | Kind::Enum | Kind::Any | Kind::Null) {
                    return Err(format!(
                        "The function '{function:?}' requires string arguments, found '{kind:?}'."
                    ));
                }
                bound.push(arg);
            }
            let kind = match function {
                Function::Contains | Function::StartsWith | Function::EndsWith => Kind::Bool,
                Function::ToLower | Function::ToUpper | Function::Trim => Kind::Str,
                Function::Length | Function::IndexOf => Kind::Int,
            };
            (Bound::Call(*function, bound), kind)
        }
    })
}

fn require_bool(kind: Kind, operator: &str) -> Result<(), String> {
    if matches!(kind, Kind::Bool | Kind::Any) {
        Ok(())
    } else {
        Err(format!(
            "The operand of '{operator}' must be boolean, found '{kind:?}'."
        ))
    }
}

// ---------------------------------------------------------------------------------------
// Evaluation

/// Converts a JSON property value to a runtime value of the given kind.
pub(crate) fn to_val(value: &Value, kind: Kind) -> Val {
    match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Int(i),
            None => Val::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => match kind {
            Kind::DateTime => match parse_date_time(s) {
                Some(instant) => Val::DateTime(nanos(&instant)),
                None => Val::Str(s.clone()),
            },
            Kind::Guid => Val::Guid(s.to_ascii_lowercase()),
            _ => Val::Str(s.clone()),
        },
        Value::Array(_) | Value::Object(_) => Val::Other,
    }
}

fn literal_val(literal: &Literal) -> Val {
    match literal {
        Literal::Null => Val::Null,
        Literal::Bool(b) => Val::Bool(*b),
        Literal::Int(i) => Val::Int(*i),
        Literal::Float(f) => Val::Float(*f),
        Literal::Str(s) | Literal::Date(s) | Literal::Enum(s) => Val::Str(s.clone()),
        Literal::DateTime(n) => Val::DateTime(*n),
        Literal::Guid(g) => Val::Guid(g.clone()),
    }
}

/// Reads a (possibly nested) property of the current row.
pub(crate) fn read_path(top: Value, path: &PropPath) -> Value {
    let mut current = top;
    for name in &path.rest {
        current = match current {
            Value::Object(mut map) => map.remove(name).unwrap_or(Value::Null),
            _ => Value::Null,
        };
    }
    current
}

/// Evaluates a bound expression; `property` returns the top-level property at an index.
pub(crate) fn eval(expr: &Bound, property: &mut dyn FnMut(usize) -> Value) -> Val {
    match expr {
        Bound::Literal(literal) => literal_val(literal),
        Bound::Property(path) => to_val(&read_path(property(path.index), path), path.kind),
        Bound::Not(inner) => match eval(inner, property) {
            Val::Bool(b) => Val::Bool(!b),
            _ => Val::Null,
        },
        Bound::And(left, right) => {
            let l = truthy(&eval(left, property));
            Val::Bool(l && truthy(&eval(right, property)))
        }
        Bound::Or(left, right) => {
            let l = truthy(&eval(left, property));
            Val::Bool(l || truthy(&eval(right, property)))
        }
        Bound::Compare(op, left, right) => {
            let l = eval(left, property);
            let r = eval(right, property);
            Val::Bool(compare(*op, &l, &r))
        }
        Bound::Call(function, args) => {
            let values: Vec<Val> = args.iter().map(|arg| eval(arg, property)).collect();
            call(*function, &values)
        }
    }
}

/// Returns whether a filter result selects the row.
pub(crate) fn truthy(value: &Val) -> bool {
    matches!(value, Val::Bool(true))
}

fn compare(op: CompareOp, left: &Val, right: &Val) -> bool {
    match (left, right) {
        (Val::Null, Val::Null) => return op == CompareOp::Eq,
        (Val::Null, _) | (_, Val::Null) => return op == CompareOp::Ne,
        _ => {}
    }
    let Some(ordering) = order(left, right) else {
        return op == CompareOp::Ne;
    };
    use std::cmp::Ordering::*;
    match op {
        CompareOp::Eq => ordering == Equal,
        CompareOp::Ne => ordering != Equal,
        CompareOp::Gt => ordering == Greater,
        CompareOp::Ge => ordering != Less,
        CompareOp::Lt => ordering == Less,
        CompareOp::Le => ordering != Greater,
    }
}

/// Orders two non-null values of compatible kinds; `None` when they do not compare.
pub(crate) fn order(left: &Val, right: &Val) -> Option<std::cmp::Ordering> {
    match (left, right) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Int(a), Val::Float(b)) => (*a as f64).partial_cmp(b),
        (Val::Float(a), Val::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Val::Float(a), Val::Float(b)) => a.partial_cmp(b),
        (Val::Str(a), Val::Str(b)) | (Val::Guid(a), Val::Guid(b)) => Some(a.cmp(b)),
        (Val::DateTime(a), Val::DateTime(b)) => Some(a.cmp(b)),
        (Val::Bool(a), Val::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn call(function: Function, args: &[Val]) -> Val {
    let text = |index: usize| match args.get(index) {
        Some(Val::Str(s)) | Some(Val::Guid(s)) => Some(s.as_str()),
        _ => None,
    };
    let (Some(first), second) = (text(0), text(1)) else {
        return Val::Null;
    };
    match (function, second) {
        (Function::Contains, Some(needle)) => Val::Bool(first.contains(needle)),
        (Function::StartsWith, Some(prefix)) => Val::Bool(first.starts_with(prefix)),
        (Function::EndsWith, Some(suffix)) => Val::Bool(first.ends_with(suffix)),
        (Function::IndexOf, Some(needle)) => Val::Int(
            first
                .find(needle)
                .map_or(-1, |byte| first[..byte].chars().count() as i64),
        ),
        (Function::ToLower, _) => Val::Str(first.to_lowercase()),
        (Function::ToUpper, _) => Val::Str(first.to_uppercase()),
        (Function::Trim, _) => Val::Str(first.trim().to_owned()),
        (Function::Length, _) => Val::Int(first.chars().count() as i64),
        _ => Val::Null,
    }
}

/// Unquotes a `$search` phrase: `"a b"` becomes `a b`.
pub(crate) fn search_phrase(text: &str) -> String {
    let trimmed = text.trim();
    trimmed
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(trimmed)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_over_or() {
        let expr = parse("A eq 1 or B eq 2 and C eq 3").unwrap();
        let Expr::Or(_, right) = expr else {
            panic!("expected or at the top");
        };
        assert!(matches!(*right, Expr::And(..)));
    }

    #[test]
    fn literals_of_each_kind() {
        let cases = [
            ("A eq 'O''Brien'", Literal::Str("O'Brien".into())),
            ("A eq -5", Literal::Int(-5)),
            ("A eq 2.5", Literal::Float(2.5)),
            ("A eq true", Literal::Bool(true)),
            ("A eq null", Literal::Null),
            ("A eq 2024-01-02", Literal::Date("2024-01-02".into())),
            ("A eq Ns.Color'Red'", Literal::Enum("Red".into())),
            (
                "A eq 0123ABCD-0000-4000-8000-00000000002A",
                Literal::Guid("0123abcd-0000-4000-8000-00000000002a".into()),
            ),
        ];
        for (text, expected) in cases {
            let Expr::Compare(_, _, right) = parse(text).unwrap() else {
                panic!("{text}: expected a comparison");
            };
            assert_eq!(*right, Expr::Literal(expected), "{text}");
        }
    }

    #[test]
    fn date_times_compare_as_instants() {
        let Expr::Compare(_, left, right) =
            parse("2024-01-01T02:00:00+02:00 eq 2024-01-01T00:00:00Z").unwrap()
        else {
            panic!("expected a comparison");
        };
        assert_eq!(left, right);
    }

    #[test]
    fn syntax_errors() {
        for text in [
            "", "A eq", "(A eq 1", "A eq 'x", "foo(A)", "A eq 1 1", "A eq @",
        ] {
            assert!(parse(text).is_err(), "{text} should fail");
        }
    }

    #[test]
    fn deep_nesting_is_rejected() {
        let text = format!("{}A eq 1{}", "(".repeat(200), ")".repeat(200));
        assert!(parse(&text).is_err());
        let text = format!("{}A eq 1", "not ".repeat(200));
        assert!(parse(&text).is_err());
    }

    #[test]
    fn null_comparisons() {
        assert!(compare(CompareOp::Eq, &Val::Null, &Val::Null));
        assert!(!compare(CompareOp::Eq, &Val::Null, &Val::Int(1)));
        assert!(compare(CompareOp::Ne, &Val::Null, &Val::Int(1)));
        assert!(!compare(CompareOp::Lt, &Val::Null, &Val::Int(1)));
    }
}
