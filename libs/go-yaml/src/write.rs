//! Writing YAML as kustomize (kyaml over go-yaml v3) writes it: block style,
//! two-space indent, sequences not indented under their key, go-yaml v3's
//! choice of scalar style (plain / single / double quoted / literal block,
//! quoting every string that would read back as something else) and
//! libyaml's folding of long scalars at 80 columns. Maps print in
//! `serde_json::Map`'s sorted order, as Go's encoders sort map keys.

use serde_json::{Map, Number, Value};

use crate::resolve::can_use_plain;
use crate::{analyze, double_quoted_escape, format_float_g, is_break};

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

/// Writes documents joined with `---`, as kustomize and kubectl print a stream.
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
        let a = analyze(s);
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
            Style::Plain => self.write_folded(s, indent, allow_breaks, None),
            Style::Single => self.write_folded(s, indent, allow_breaks, Some('\'')),
            Style::Double => self.write_double(s, indent, allow_breaks),
            Style::Literal => self.write_literal(s, indent),
        }
    }

    /// Whether a space at `i` may become a line break: libyaml folds at a space
    /// past the width, not after another space and not at either end.
    fn may_fold(&self, allow_breaks: bool, spaces: bool, chars: &[char], i: usize) -> bool {
        allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i + 1 < chars.len()
    }

    fn indent_break(&mut self, indent: usize) {
        self.put_char('\n');
        while self.column < indent {
            self.put_char(' ');
        }
    }

    /// A plain (`quote` None) or single-quoted scalar; neither folds at a run of spaces.
    fn write_folded(&mut self, s: &str, indent: usize, allow_breaks: bool, quote: Option<char>) {
        if let Some(q) = quote {
            self.put_char(q);
        }
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if self.may_fold(allow_breaks, spaces, &chars, i) && chars[i + 1] != ' ' {
                    self.indent_break(indent);
                } else {
                    self.put_char(c);
                }
                spaces = true;
            } else {
                self.put_char(c);
                if Some(c) == quote {
                    self.put_char(c);
                }
                spaces = false;
            }
        }
        if let Some(q) = quote {
            self.put_char(q);
        }
    }

    fn write_double(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        self.put_char('"');
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if let Some(escaped) = double_quoted_escape(c) {
                self.put(&escaped);
                spaces = false;
            } else if c == ' ' {
                if self.may_fold(allow_breaks, spaces, &chars, i) {
                    // A folded space is dropped; a following space is protected by `\`.
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

/// A number as go-yaml prints it: integers as they are, floats with
/// `strconv.FormatFloat(f, 'g', -1, 64)`, `.nan`, `+.inf`, `-.inf`.
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
    format_float_g(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn long_scalars_fold_at_80_columns() {
        let words = "word ".repeat(20);
        let v = json!({"plain": words.trim(), "single": format!("a: {}", words.trim()), "double": format!("{}  x\t", words)});
        let out = emit_document(&v);
        assert!(out.lines().all(|line| line.len() <= 90), "{out}");
        assert!(out.contains("plain: word") && out.contains("\n  word word"), "{out}");
        assert!(out.contains("single: 'a: word") && out.contains("\n  word"), "{out}");
        assert_eq!(crate::parse_stream(&out).unwrap(), [v]);
        // Keys never fold.
        let key = json!({ words.trim(): 1 });
        assert_eq!(emit_document(&key).lines().count(), 1);
    }

    #[test]
    fn streams_and_numbers() {
        assert_eq!(emit_stream(&[json!({"a": 1}), json!("x")]), "a: 1\n---\nx\n");
        assert_eq!(emit_document(&json!({"f": 1e21, "g": 0.5, "h": -3})), "f: 1e+21\ng: 0.5\nh: -3\n");
    }

    #[test]
    fn what_is_written_reads_back() {
        let v = json!({"s": ["yes", "1:20", "2001-12-14", "~", "0o12", "#x", "x #y", " ", "a\nb\n", "\u{7}"], "n": [1, 1.5, null, true]});
        assert_eq!(crate::parse_stream(&emit_document(&v)).unwrap(), [v]);
    }
}
