//! The JSON store: an order-preserving parser and an emitter that prints what
//! sops prints (tab indentation, Go `encoding/json` scalars).

use base64::Engine;

use weir_go_compat::json::quote_into;

use crate::error::SopsError;
use crate::tree::{Item, Value};

const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, msg: &str) -> SopsError {
        SopsError::InvalidDocument(format!("JSON: {msg} at byte {}", self.i))
    }
    fn ws(&mut self) {
        while let Some(&c) = self.s.get(self.i) {
            if matches!(c, b' ' | b'\t' | b'\n' | b'\r') { self.i += 1 } else { break }
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn expect(&mut self, c: u8) -> Result<(), SopsError> {
        self.ws();
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else if self.peek().is_none() {
            Err(self.err("unexpected end of input"))
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }
    fn value(&mut self, depth: usize) -> Result<Value, SopsError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.ws();
        match self.peek() {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => {
                self.i += 1;
                Ok(Value::Map(self.object_body(depth)?))
            }
            Some(b'[') => {
                self.i += 1;
                let mut out = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Value::List(out));
                }
                loop {
                    out.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::List(out));
                        }
                        None => return Err(self.err("unexpected end of input")),
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
            }
            Some(b'"') => Ok(Value::Str(self.string()?)),
            Some(b't') => self.lit("true", Value::Bool(true)),
            Some(b'f') => self.lit("false", Value::Bool(false)),
            Some(b'n') => self.lit("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("unexpected character")),
        }
    }
    fn lit(&mut self, word: &str, v: Value) -> Result<Value, SopsError> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("invalid literal"))
        }
    }
    fn number(&mut self) -> Result<Value, SopsError> {
        let start = self.i;
        let digits = |p: &mut Self| {
            let s = p.i;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.i += 1;
            }
            p.i - s
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else if digits(self) == 0 {
            return Err(self.err("invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if digits(self) == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if digits(self) == 0 {
                return Err(self.err("invalid number"));
            }
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| self.err("invalid number"))?;
        // Go decodes every JSON number to float64, as sops' JSON store does.
        let f: f64 = text.parse().map_err(|_| self.err("invalid number"))?;
        if !f.is_finite() {
            return Err(self.err("number out of range"));
        }
        Ok(Value::Float(f))
    }
    fn hex4(&mut self) -> Result<u32, SopsError> {
        let h = self.s.get(self.i..self.i + 4).ok_or_else(|| self.err("truncated \\u escape"))?;
        let h = std::str::from_utf8(h).map_err(|_| self.err("invalid \\u escape"))?;
        let v = u32::from_str_radix(h, 16).map_err(|_| self.err("invalid \\u escape"))?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, SopsError> {
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let c = self.peek().ok_or_else(|| self.err("unterminated string"))?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or_else(|| self.err("unterminated string"))?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                        .unwrap_or('\u{FFFD}')
                                } else {
                                    self.i = save;
                                    '\u{FFFD}'
                                }
                            } else {
                                char::from_u32(hi).unwrap_or('\u{FFFD}')
                            }
                        }
                        _ => return Err(self.err("invalid escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                0..=0x1f => return Err(self.err("control character in string")),
                _ => out.push(c),
            }
        }
        // Go replaces invalid UTF-8 with U+FFFD.
        Ok(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
    }
    fn object_body(&mut self, depth: usize) -> Result<Vec<Item>, SopsError> {
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(items);
        }
        loop {
            self.ws();
            if self.peek() != Some(b'"') {
                return Err(if self.peek().is_none() {
                    self.err("unexpected end of input")
                } else {
                    self.err("expected an object key")
                });
            }
            let k = self.string()?;
            self.expect(b':')?;
            let v = self.value(depth + 1)?;
            items.push(Item::Entry(k, v));
            self.ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(items);
                }
                None => return Err(self.err("unexpected end of input")),
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }
}

/// Parses a JSON document whose top level must be an object.
pub fn parse(doc: &[u8]) -> Result<Vec<Item>, SopsError> {
    let mut p = Parser { s: doc, i: 0 };
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(p.err("sops only supports JSON documents with a top-level object"));
    }
    let v = p.value(0)?;
    p.ws();
    if p.i != doc.len() {
        return Err(p.err("trailing data after the top-level object"));
    }
    match v {
        Value::Map(items) => Ok(items),
        _ => Err(p.err("expected an object")),
    }
}

/// Parses a plain document to encrypt.
pub fn load_plain(doc: &[u8]) -> Result<Vec<Item>, SopsError> {
    parse(doc)
}

/// Parses an encrypted document: the tree without `sops`, and the `sops` value.
pub fn load_encrypted(doc: &[u8]) -> Result<(Vec<Item>, Value), SopsError> {
    let items = parse(doc)?;
    let mut meta = None;
    let mut tree = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Item::Entry(k, v) if k == "sops" => meta = Some(v),
            other => tree.push(other),
        }
    }
    match meta {
        Some(Value::Null) | None => Err(SopsError::NotEncrypted("no `sops` metadata key at the top level".into())),
        Some(m) => Ok((tree, m)),
    }
}

/// Go's `encoding/json` float64 formatting.
fn write_float(out: &mut String, f: f64) {
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let e = format!("{f:e}");
        let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        out.push_str(mant);
        if exp < 0 {
            out.push_str(&format!("e-{}", -exp));
        } else {
            out.push_str(&format!("e+{exp:02}"));
        }
    } else {
        out.push_str(&format!("{f}"));
    }
}

fn indent(out: &mut String, n: usize) {
    out.push('\n');
    for _ in 0..n {
        out.push('\t');
    }
}

fn write_value(out: &mut String, v: &Value, depth: usize) {
    match v {
        Value::Str(s) => quote_into(out, s, true),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => write_float(out, *f),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Bytes(b) => quote_into(out, &base64::engine::general_purpose::STANDARD.encode(b), true),
        Value::Time(t) | Value::Comment(t) => quote_into(out, t, true),
        Value::Null => out.push_str("null"),
        Value::Map(items) => write_map(out, items, depth),
        Value::List(list) => {
            // Comments (from YAML) have no place in JSON.
            let list: Vec<&Value> = list.iter().filter(|v| !matches!(v, Value::Comment(_))).collect();
            if list.is_empty() {
                out.push_str("[]");
                return;
            }
            out.push('[');
            for (n, e) in list.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                write_value(out, e, depth + 1);
            }
            indent(out, depth);
            out.push(']');
        }
    }
}

fn write_map(out: &mut String, items: &[Item], depth: usize) {
    let entries: Vec<(&String, &Value)> =
        items.iter().filter_map(|i| if let Item::Entry(k, v) = i { Some((k, v)) } else { None }).collect();
    if entries.is_empty() {
        out.push_str("{}");
        return;
    }
    out.push('{');
    for (n, (k, v)) in entries.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        indent(out, depth + 1);
        quote_into(out, k, true);
        out.push_str(": ");
        write_value(out, v, depth + 1);
    }
    indent(out, depth);
    out.push('}');
}

/// Prints a tree as sops prints JSON: tab-indented, with a final newline.
pub fn emit(items: &[Item]) -> Vec<u8> {
    let mut out = String::new();
    write_map(&mut out, items, 0);
    out.push('\n');
    out.into_bytes()
}
