//! YAML reading and writing in kustomize's style.
//!
//! Reading: `yaml-rust2`'s event parser, with plain scalars resolved the way
//! kustomize (go-yaml v3) resolves them (legacy octal `012`, `0o`, `0x`, `0b`,
//! `_` in numbers; `yes`/`on` stay strings). Values become `serde_json::Value`,
//! whose sorted maps match kustomize's output order (it re-marshals maps).
//!
//! Writing: a block-style emitter reproducing go-yaml v3's choices: two-space
//! indent, sequences not indented under their key, scalar style selection
//! (plain / single / double quoted / literal block), 80-column line breaking.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};
use weir_go_yaml::{GoInt, is_break, is_yaml_float};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// Prefix given to map keys that YAML 1.1 reads as booleans (kustomize then
/// fails when it uses such a map as a map of strings).
pub const BOOL_KEY_MARK: &str = "\u{0}yaml11-bool:";

/// Parses a (multi-document) YAML stream. Empty / null documents are dropped.
pub fn parse_stream(src: &str) -> Result<Vec<Value>, String> {
    parse_stream_with(src, false)
}

/// Like [`parse_stream`]; with `yaml11_bools`, plain `y`/`yes`/`on`/`no`/...
/// are booleans, as in kustomize's reading of kustomization files.
pub fn parse_stream_with(src: &str, yaml11_bools: bool) -> Result<Vec<Value>, String> {
    let mut recv = Collector { yaml11_bools, ..Default::default() };
    let mut parser = Parser::new_from_str(src);
    parser.load(&mut recv, true).map_err(|e| e.to_string())?;
    if let Some(e) = recv.error {
        return Err(e);
    }
    Ok(recv.docs.into_iter().filter(|d| !d.is_null()).collect())
}

enum Frame {
    Seq(Vec<Value>, usize),
    Map(Map<String, Value>, Option<String>, usize),
}

#[derive(Default)]
struct Collector {
    stack: Vec<Frame>,
    docs: Vec<Value>,
    anchors: HashMap<usize, Value>,
    error: Option<String>,
    yaml11_bools: bool,
}

impl Collector {
    fn push_value(&mut self, v: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(v),
            Some(Frame::Seq(items, _)) => items.push(v),
            Some(Frame::Map(map, key, _)) => match key.take() {
                None => {
                    let k = match v {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            self.error.get_or_insert_with(|| "complex mapping keys are not supported".into());
                            String::new()
                        }
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    if k == "<<" {
                        // merge key: fold the referenced mapping(s) in without overriding.
                        let sources = match v {
                            Value::Array(a) => a,
                            other => vec![other],
                        };
                        for s in sources {
                            if let Value::Object(m) = s {
                                for (mk, mv) in m {
                                    map.entry(mk).or_insert(mv);
                                }
                            }
                        }
                    } else {
                        map.insert(k, v);
                    }
                }
            },
        }
    }
}

impl Collector {
    /// Whether the next scalar is a value in the top-level `metadata.labels`
    /// or `metadata.annotations` (kustomize keeps those as their source text).
    fn in_top_metadata_string_map(&self) -> bool {
        match self.stack.as_slice() {
            [Frame::Map(_, Some(a), _), Frame::Map(_, Some(b), _), Frame::Map(_, Some(_), _)] => {
                a == "metadata" && (b == "labels" || b == "annotations")
            }
            _ => false,
        }
    }
}

impl MarkedEventReceiver for Collector {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(s, style, anchor, tag) => {
                let is_key = matches!(self.stack.last(), Some(Frame::Map(_, None, _)));
                let bool_key = is_key
                    && self.yaml11_bools
                    && style == TScalarStyle::Plain
                    && (is_old_bool(&s) || matches!(plain_kind(&s), Kind::Bool(_)));
                let v = if bool_key {
                    Value::String(format!("{BOOL_KEY_MARK}{s}"))
                } else if is_key || (style == TScalarStyle::Plain && tag.is_none() && self.in_top_metadata_string_map()) {
                    Value::String(s)
                } else if self.yaml11_bools && style == TScalarStyle::Plain && tag.is_none() && is_old_bool(&s) {
                    Value::Bool(matches!(s.as_str(), "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"))
                } else {
                    resolve_scalar(s, style, tag.as_ref())
                };
                self.push_value(v, anchor);
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.push_value(v, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq(Vec::new(), anchor)),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map(Map::new(), None, anchor)),
            Event::SequenceEnd => {
                if let Some(Frame::Seq(items, anchor)) = self.stack.pop() {
                    self.push_value(Value::Array(items), anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map(map, _, anchor)) = self.stack.pop() {
                    self.push_value(Value::Object(map), anchor);
                }
            }
            Event::DocumentStart => {}
            Event::DocumentEnd
                // a document with no content at all
                if self.docs.is_empty() && self.stack.is_empty() => {}
            _ => {}
        }
    }
}

fn resolve_scalar(s: String, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(t) = tag {
        let suffix = t.suffix.as_str();
        if t.handle == "!!" || t.handle == "tag:yaml.org,2002:" {
            match suffix {
                "str" | "binary" | "timestamp" => return Value::String(s),
                "null" => return Value::Null,
                _ => return resolve_plain(s),
            }
        }
    }
    if style != TScalarStyle::Plain {
        return Value::String(s);
    }
    resolve_plain(s)
}

/// The value of an untagged plain scalar with this text.
pub fn resolve_plain(s: String) -> Value {
    match plain_kind(&s) {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::Int(i) => Value::Number(i.into()),
        Kind::Uint(u) => Value::Number(u.into()),
        Kind::Float(f) => Number::from_f64(f).map(Value::Number).unwrap_or(Value::String(s)),
        Kind::Str | Kind::Timestamp => Value::String(s),
    }
}

enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Timestamp,
    Str,
}

/// How go-yaml v3 resolves an untagged plain scalar.
fn plain_kind(s: &str) -> Kind {
    let Some(first) = s.chars().next() else {
        return Kind::Null;
    };
    match first {
        'y' | 'Y' | 'n' | 'N' | 't' | 'T' | 'f' | 'F' | 'o' | 'O' | '~' => match s {
            "true" | "True" | "TRUE" => Kind::Bool(true),
            "false" | "False" | "FALSE" => Kind::Bool(false),
            "~" | "null" | "Null" | "NULL" => Kind::Null,
            _ => Kind::Str,
        },
        '.' => match s {
            ".inf" | ".Inf" | ".INF" => Kind::Float(f64::INFINITY),
            ".nan" | ".NaN" | ".NAN" => Kind::Float(f64::NAN),
            _ => {
                if is_yaml_float(s) {
                    s.parse::<f64>().map(Kind::Float).unwrap_or(Kind::Str)
                } else {
                    Kind::Str
                }
            }
        },
        '+' | '-' | '0'..='9' => {
            match s {
                "+.inf" | "+.Inf" | "+.INF" => return Kind::Float(f64::INFINITY),
                "-.inf" | "-.Inf" | "-.INF" => return Kind::Float(f64::NEG_INFINITY),
                _ => {}
            }
            if is_timestamp(s) {
                return Kind::Timestamp;
            }
            let plain: String = s.chars().filter(|&c| c != '_').collect();
            if let Some(k) = weir_go_yaml::parse_int(&plain).map(|int| match int {
                GoInt::Int(value) => Kind::Int(value),
                GoInt::Uint(value) => Kind::Uint(value),
            }) {
                return k;
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
            {
                return Kind::Float(f);
            }
            Kind::Str
        }
        _ => Kind::Str,
    }
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let rest = &s[5..];
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(p) => (&rest[..p], Some(rest[p + 1..].trim_start())),
        None => (rest, None),
    };
    let mut parts = date.split('-');
    let ok2 = |p: Option<&str>| p.is_some_and(|p| (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit()));
    if !ok2(parts.next()) || !ok2(parts.next()) || parts.next().is_some() {
        return false;
    }
    match time {
        None => true,
        Some(t) => {
            let hms: Vec<&str> = t.splitn(3, ':').collect();
            hms.len() == 3 && ok2(Some(hms[0])) && ok2(Some(hms[1]))
        }
    }
}

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF"
    )
}

fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    if !s.contains(':') {
        return false;
    }
    let b = s.as_bytes();
    let mut i = 0;
    if b[0] == b'-' || b[0] == b'+' {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let st = i;
        while i < b.len() && b[i].is_ascii_digit() && i - st < 2 {
            i += 1;
        }
        let g = &b[st..i];
        let valid = match g.len() {
            1 => true,
            2 => g[0] <= b'5',
            _ => false,
        };
        if !valid {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// Whether the emitter may write this string unquoted, tag-wise.
fn can_use_plain(s: &str) -> bool {
    if s == "<<" {
        return true;
    }
    matches!(plain_kind(s), Kind::Str) && !is_base60_float(s) && !is_old_bool(s)
}

/// The text of a scalar as kustomize sees it (strings as-is, numbers in Go form).
pub fn emit_scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => format_number(n),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => compact(other),
    }
}

/// A one-line rendering for messages.
pub fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

// ---------------------------------------------------------------- emitter

const BEST_WIDTH: usize = 80;

/// Writes one document (no `---`), ending with a newline.
pub fn emit_document(v: &Value) -> String {
    let mut e = Emitter::default();
    match v {
        Value::Object(m) if !m.is_empty() => e.block_map(m, 0, false),
        Value::Array(a) if !a.is_empty() => e.block_seq(a, 0, false),
        other => {
            e.scalar_value(other, 0, false);
        }
    }
    if !e.out.ends_with('\n') {
        e.out.push('\n');
    }
    e.out
}

/// Writes documents joined with `---` as kustomize does.
pub fn emit_stream(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit_document(d));
    }
    out
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn put(&mut self, s: &str) {
        for c in s.chars() {
            self.put_char(c);
        }
    }
    fn put_char(&mut self, c: char) {
        self.out.push(c);
        if c == '\n' {
            self.column = 0;
        } else {
            self.column += 1;
        }
    }
    /// Starts a new line at `indent` unless we are already at line start.
    fn indent(&mut self, indent: usize) {
        if self.column > indent || (self.column == indent && !self.out.is_empty() && !self.out.ends_with('\n')) {
            self.put_char('\n');
        }
        while self.column < indent {
            self.put_char(' ');
        }
    }

    fn block_map(&mut self, m: &Map<String, Value>, indent: usize, inline_first: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.indent(indent);
            }
            self.scalar_str(k, indent + 2, true);
            self.put(":");
            self.node_after_indicator(v, indent, true);
        }
    }

    fn block_seq(&mut self, a: &[Value], indent: usize, inline_first: bool) {
        for (i, v) in a.iter().enumerate() {
            if !(i == 0 && inline_first) {
                self.indent(indent);
            }
            self.put("-");
            self.node_after_indicator(v, indent, false);
        }
    }

    /// Writes a value after `key:` (map value) or `-` (sequence item).
    fn node_after_indicator(&mut self, v: &Value, indent: usize, in_map: bool) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                if in_map {
                    self.block_map(m, indent + 2, false);
                } else {
                    self.put(" ");
                    self.block_map(m, indent + 2, true);
                }
            }
            Value::Array(a) if !a.is_empty() => {
                if in_map {
                    self.block_seq(a, indent, false);
                } else {
                    self.put(" ");
                    self.block_seq(a, indent + 2, true);
                }
            }
            other => {
                self.put(" ");
                self.scalar_value(other, indent + 2, false);
            }
        }
    }

    fn scalar_value(&mut self, v: &Value, indent: usize, key: bool) {
        match v {
            Value::Null => self.put("null"),
            Value::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Value::Number(n) => {
                let s = format_number(n);
                self.put(&s);
            }
            Value::String(s) => self.scalar_str(s, indent, key),
            Value::Object(_) => self.put("{}"),
            Value::Array(_) => self.put("[]"),
        }
    }

    fn scalar_str(&mut self, s: &str, indent: usize, key: bool) {
        let a = weir_go_yaml::analyze(s);
        let mut style = if s.contains('\n') {
            Style::Literal
        } else if can_use_plain(s) {
            Style::Plain
        } else {
            Style::Double
        };
        if style == Style::Plain && (!a.block_plain_allowed || (s.is_empty() && key)) {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || key) {
            style = Style::Double;
        }
        let allow_breaks = !key;
        match style {
            Style::Plain => self.write_plain(s, indent, allow_breaks),
            Style::Single => self.write_single(s, indent, allow_breaks),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    fn write_plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.get(i + 1) != Some(&' ') {
                    self.indent_break(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
    }

    fn indent_break(&mut self, indent: usize) {
        self.put_char('\n');
        while self.column < indent {
            self.put_char(' ');
        }
    }

    fn write_single(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('\'');
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i + 1 < chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.indent_break(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                if c == '\'' {
                    self.put_char('\'');
                }
                spaces = false;
            }
        }
        self.put_char('\'');
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('"');
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if let Some(escaped) = weir_go_yaml::double_quoted_escape(c) {
                self.put(&escaped);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len() {
                    self.indent_break(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put_char('\\');
                    }
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                spaces = false;
            }
        }
        self.put_char('"');
    }

    fn write_literal(&mut self, s: &str, indent: usize) {
        self.put_char('|');
        let chars: Vec<char> = s.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.put("2");
        }
        let n = chars.len();
        if n == 0 || !is_break(chars[n - 1]) {
            self.put_char('-');
        } else if n == 1 || is_break(chars[n - 2]) {
            self.put_char('+');
        }
        self.put_char('\n');
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                self.put_char('\n');
                breaks = true;
            } else {
                if breaks {
                    while self.column < indent {
                        self.put_char(' ');
                    }
                }
                self.put_char(c);
                breaks = false;
            }
        }
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// Formats a number as Go's yaml encoder does (floats with `strconv` 'g', -1).
pub fn format_number(n: &Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+.inf".into() } else { "-.inf".into() };
    }
    weir_go_yaml::format_float_g(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_scalars_like_go_yaml_v3() {
        let v = parse_stream("a: [012, 0o12, 0x1F, 1_000, yes, '1', ~, true, 1.5, 2001-12-14, -0, 1e3]").unwrap();
        assert_eq!(v[0], json!({"a": [10, 10, 31, 1000, "yes", "1", null, true, 1.5, "2001-12-14", 0, 1000.0]}));
    }

    #[test]
    fn quotes_like_kyaml() {
        let v = json!({"b": ["true", "1", "", "a: b", "- x", "y", "it's", "a\tb", "x\n", "x", "  l"]});
        assert_eq!(
            emit_document(&v),
            "b:\n- \"true\"\n- \"1\"\n- \"\"\n- 'a: b'\n- '- x'\n- \"y\"\n- it's\n- \"a\\tb\"\n- |\n  x\n- x\n- '  l'\n"
        );
    }

    #[test]
    fn nested_layout() {
        let v = json!({"a": {"b": [{"c": 1, "d": [1, [2, 3]]}], "e": {}, "f": []}});
        assert_eq!(emit_document(&v), "a:\n  b:\n  - c: 1\n    d:\n    - 1\n    - - 2\n      - 3\n  e: {}\n  f: []\n");
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(parse_stream("a: [").is_err());
    }
}
