//! Go's `encoding/json` as Helm's `toJson`/`fromJson` and Sprig's JSON
//! functions use it: `Marshal` (sorted keys, HTML-safe escapes, Go's float
//! spelling) and `Unmarshal` into `interface{}` (every number a float64).

use std::collections::BTreeMap;
use std::fmt::Write;

use std::rc::Rc;

use weir_gotemplate::{Object, Value};

/// Go's `json.Number`: a number kept as its JSON text. It is a string to Go's
/// reflection (kind `string`), printed as its text, and marshals as a number.
#[derive(Debug)]
pub struct JsonNumber(Rc<str>);

impl JsonNumber {
    pub fn value(text: impl Into<Rc<str>>) -> Value {
        Value::Object(Rc::new(JsonNumber(text.into())))
    }

    fn number(&self) -> Value {
        match self.0.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => self.0.parse::<f64>().map_or(Value::Nil, Value::Float),
        }
    }
}

impl Object for JsonNumber {
    fn type_name(&self) -> &str {
        "json.Number"
    }

    fn kind_name(&self) -> &str {
        "string"
    }

    /// Its methods: `String`, `Int64`, `Float64`.
    fn member(&self, name: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        let parse_error = |target: &str| format!("strconv.{target}: parsing {:?}: invalid syntax", &*self.0);
        Some(match name {
            "String" => Ok(Value::String(self.0.clone())),
            "Int64" => self.0.parse::<i64>().map(Value::Int).map_err(|_| parse_error("ParseInt")),
            "Float64" => self.0.parse::<f64>().map(Value::Float).map_err(|_| parse_error("ParseFloat")),
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.0.to_string()
    }

    fn to_data(&self) -> Value {
        self.number()
    }
}

/// Why `json.Marshal` refused a value.
pub fn unsupported_float(x: f64) -> String {
    format!("json: unsupported value: {}", weir_gotemplate::format_float(x))
}

/// `json.Marshal(v)`; `indent` gives `json.MarshalIndent(v, "", indent)`;
/// `escape_html` false gives an encoder with `SetEscapeHTML(false)` (Sprig's `toRawJson`).
pub fn marshal(value: &Value, indent: Option<&str>, escape_html: bool) -> Result<String, String> {
    let mut out = String::new();
    Encoder { out: &mut out, indent, escape_html }.value(value, 0)?;
    Ok(out)
}

struct Encoder<'a> {
    out: &'a mut String,
    indent: Option<&'a str>,
    escape_html: bool,
}

impl Encoder<'_> {
    fn newline(&mut self, depth: usize) {
        if let Some(unit) = self.indent {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str(unit);
            }
        }
    }

    fn value(&mut self, value: &Value, depth: usize) -> Result<(), String> {
        // Go stops a map that contains itself; any nesting this deep is taken for one.
        if depth > crate::MAX_DEPTH {
            return Err(format!("json: unsupported value: encountered a cycle via {}", value.type_name()));
        }
        match value {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            Value::Float(x) => self.out.push_str(&format_float(*x)?),
            Value::String(s) => quote_into(self.out, s, self.escape_html),
            // Go encodes a []byte as its standard base64 text.
            Value::Bytes(b) => quote_into(self.out, &crate::encoding::base64_std(b), self.escape_html),
            Value::List(items) => {
                if items.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    self.value(item, depth + 1)?;
                }
                self.newline(depth);
                self.out.push(']');
            }
            Value::Map(map) => {
                let map = map.borrow();
                if map.is_empty() {
                    self.out.push_str("{}");
                    return Ok(());
                }
                self.out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(depth + 1);
                    quote_into(self.out, k, self.escape_html);
                    self.out.push(':');
                    if self.indent.is_some() {
                        self.out.push(' ');
                    }
                    self.value(v, depth + 1)?;
                }
                self.newline(depth);
                self.out.push('}');
            }
            Value::Object(o) => self.value(&o.to_data(), depth)?,
        }
        Ok(())
    }
}

/// How `encoding/json` spells a float64: `%f`-like between 1e-6 and 1e21,
/// exponent form outside, with a two-digit exponent trimmed (`1e-7`, not `1e-07`).
pub fn format_float(x: f64) -> Result<String, String> {
    if !x.is_finite() {
        return Err(unsupported_float(x));
    }
    let abs = x.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let g = weir_go_yaml::format_float_g(x);
        // format_float_g uses exponent form here; Go's json drops a leading zero of the exponent.
        return Ok(g.replace("e-0", "e-").replace("e+0", "e+"));
    }
    // Rust's `{}` prints the shortest round-tripping digits without an exponent.
    let s = format!("{x}");
    Ok(if s == "-0" { "-0".into() } else { s })
}

pub use weir_go_compat::json::quote_into;

/// What `json.Unmarshal` into `interface{}` leaves: the value, and the
/// first type error (a number too large for float64), after which Go keeps
/// decoding with the offending value left nil.
pub struct Decoded {
    pub value: Value,
    pub error: Option<String>,
}

/// `json.Unmarshal` into `interface{}`: objects become maps, numbers float64.
/// A syntax error fails the whole input; errors carry Go's messages.
pub fn unmarshal(text: &str) -> Result<Decoded, String> {
    let mut parser = Parser { bytes: text.as_bytes(), text, pos: 0, type_error: None };
    parser.skip_ws();
    if parser.pos == parser.bytes.len() {
        return Err("unexpected end of JSON input".into());
    }
    let value = parser.value(0)?;
    parser.skip_ws();
    match parser.peek() {
        None => Ok(Decoded { value, error: parser.type_error }),
        Some(_) => Err(format!("invalid character {} after top-level value", parser.quoted_char())),
    }
}

/// What Go names the JSON type of a decoded value in "cannot unmarshal X into …".
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    pos: usize,
    type_error: Option<String>,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The current character as Go quotes it in syntax errors (`'x'`, `'\''`).
    fn quoted_char(&self) -> String {
        let c = self.text[self.pos..].chars().next().unwrap_or('\0');
        match c {
            '\'' => "'\\''".into(),
            '"' => "'\"'".into(),
            c if c.is_control() => format!("'\\x{:02x}'", c as u32),
            c => format!("'{c}'"),
        }
    }

    fn error(&self, context: &str) -> String {
        if self.pos >= self.bytes.len() {
            return "unexpected end of JSON input".into();
        }
        format!("invalid character {} {context}", self.quoted_char())
    }

    /// Inside a literal or number Go's scanner meets the end of input as a
    /// space, so the error names that space.
    fn error_in_token(&self, context: &str) -> String {
        if self.pos >= self.bytes.len() {
            return format!("invalid character ' ' {context}");
        }
        self.error(context)
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > crate::MAX_DEPTH {
            return Err("exceeded max depth".into());
        }
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Value::from(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Nil),
            _ => Err(self.error("looking for beginning of value")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, String> {
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.error_in_token(&format!("in literal {word} (expecting '{}')", expected as char)));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut map = BTreeMap::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::map(map));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.error("looking for beginning of object key string"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("after object key"));
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            map.insert(key, value);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::map(map));
                }
                _ => return Err(self.error("after object key:value pair")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::list(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::list(items));
                }
                _ => return Err(self.error("after array element")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let from = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - from
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.error_in_token("in numeric literal")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if digits(self) == 0 {
                return Err(self.error_in_token("after decimal point in numeric literal"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return Err(self.error_in_token("in exponent of numeric literal"));
            }
        }
        let text = &self.text[start..self.pos];
        match text.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Value::Float(x)),
            _ => {
                let error = format!("json: cannot unmarshal number {text} into Go value of type float64");
                self.type_error.get_or_insert(error);
                Ok(Value::Nil)
            }
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err("unexpected end of JSON input".into());
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(out);
                }
                '\\' => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        _ => return Err(self.error("in string escape code")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                c if (c as u32) < 0x20 => return Err(self.error("in string literal")),
                c => {
                    self.pos += c.len_utf8();
                    out.push(c);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut v = 0;
        for _ in 0..4 {
            let Some(d) = self.peek().and_then(|b| (b as char).to_digit(16)) else {
                return Err(self.error("in \\u hexadecimal character escape"));
            };
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    /// `\uXXXX`, joining a surrogate pair; a lone surrogate becomes U+FFFD as in Go.
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        if (0xd800..0xdc00).contains(&first) && self.text[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xdc00..0xe000).contains(&second) {
                let c = 0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00);
                return Ok(char::from_u32(c).unwrap_or('\u{fffd}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(first).unwrap_or('\u{fffd}'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_go_json() {
        for (x, s) in
            [(1e21, "1e+21"), (1e20, "100000000000000000000"), (1e-6, "0.000001"), (1e-7, "1e-7"), (1.5, "1.5")]
        {
            assert_eq!(format_float(x).unwrap(), s);
        }
        assert_eq!(format_float(f64::NAN).unwrap_err(), "json: unsupported value: NaN");
    }

    #[test]
    fn errors_as_go() {
        assert_eq!(unmarshal("{").err().unwrap(), "unexpected end of JSON input");
        assert_eq!(unmarshal("x").err().unwrap(), "invalid character 'x' looking for beginning of value");
        assert_eq!(unmarshal("{} x").err().unwrap(), "invalid character 'x' after top-level value");
        assert_eq!(unmarshal("{\"a\" 1}").err().unwrap(), "invalid character '1' after object key");
    }
}
