//! TOML as Helm's `toToml`/`fromToml` do it with BurntSushi/toml: plain keys
//! first, then tables and arrays of tables, each sorted, nested ones indented.

use std::fmt::Write;

use weir_gotemplate::{Map, Value};

/// BurntSushi's `Encoder.Encode` of a non-nil value; its errors are Helm's result text.
pub fn encode(value: &Value) -> Result<String, String> {
    let mut out = String::new();
    match table_of(value) {
        Some(map) => Encoder { out: &mut out, written: false }.table_body(&[], &map)?,
        None => element(&mut out, value, 0)?,
    }
    Ok(out)
}

/// `toml.Unmarshal` into a map: integers stay int64, datetimes become `time.Time`.
pub fn decode(text: &str) -> Result<Value, String> {
    let parsed: toml::Value = toml::from_str(text).map_err(|e| format!("toml: {e}"))?;
    Ok(from_toml(parsed))
}

fn from_toml(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::from(s),
        toml::Value::Integer(i) => Value::Int(i),
        toml::Value::Float(x) => Value::Float(x),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => {
            let text = d.to_string();
            crate::dates::from_toml_datetime(&text).unwrap_or_else(|| Value::from(text))
        }
        toml::Value::Array(items) => Value::list(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => Value::map(table.into_iter().map(|(k, v)| (k, from_toml(v))).collect()),
    }
}

fn table_of(value: &Value) -> Option<Map> {
    match value {
        Value::Map(m) => Some(m.borrow().clone()),
        Value::Object(o) => table_of(&o.to_data()),
        _ => None,
    }
}

/// Maps inside a non-empty list where every element is a map: written as `[[key]]`.
fn array_of_tables(value: &Value) -> Option<Vec<Map>> {
    let Value::List(items) = value else { return None };
    if items.is_empty() {
        return None;
    }
    items.iter().map(table_of).collect()
}

struct Encoder<'a> {
    out: &'a mut String,
    written: bool,
}

impl Encoder<'_> {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        self.written = true;
    }

    /// BurntSushi writes a newline only once something has been written.
    fn newline(&mut self) {
        if self.written {
            self.out.push('\n');
        }
    }

    fn table_body(&mut self, path: &[String], map: &Map) -> Result<(), String> {
        if path.len() > crate::MAX_DEPTH {
            return Err(too_deep());
        }
        let is_table = |v: &Value| table_of(v).is_some() || array_of_tables(v).is_some();
        let direct = map.iter().filter(|(_, v)| !is_table(v) && !matches!(v, Value::Nil));
        for (key, value) in direct {
            let mut line = indent(path.len());
            line.push_str(&quote_key(key));
            line.push_str(" = ");
            element(&mut line, value, 0)?;
            self.write(&line);
            self.newline();
        }
        for (key, value) in map.iter().filter(|(_, v)| is_table(v)) {
            let mut sub = path.to_vec();
            sub.push(key.clone());
            let header = sub.iter().map(|k| quote_key(k)).collect::<Vec<_>>().join(".");
            if let Some(tables) = array_of_tables(value) {
                for table in tables {
                    self.newline();
                    self.write(&format!("{}[[{header}]]", indent(path.len())));
                    self.newline();
                    self.table_body(&sub, &table)?;
                }
            } else if let Some(table) = table_of(value) {
                if path.is_empty() {
                    self.newline();
                }
                self.write(&format!("{}[{header}]", indent(path.len())));
                self.newline();
                self.table_body(&sub, &table)?;
            }
        }
        Ok(())
    }
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

fn quote_key(key: &str) -> String {
    if !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        key.to_owned()
    } else {
        let mut out = String::new();
        quote_into(&mut out, key);
        out
    }
}

fn quote_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn too_deep() -> String {
    "toml: value nested too deeply".into()
}

fn element(out: &mut String, value: &Value, depth: usize) -> Result<(), String> {
    if depth > crate::MAX_DEPTH {
        return Err(too_deep());
    }
    match value {
        // Nils are skipped in tables and refused in arrays before getting here.
        Value::Nil => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(x) if x.is_nan() => out.push_str("nan"),
        Value::Float(x) if x.is_infinite() => out.push_str(if *x > 0.0 { "inf" } else { "-inf" }),
        Value::Float(x) => {
            // Go's 'f' formatting with the shortest digits, always with a decimal point.
            let text = format!("{x}");
            out.push_str(&text);
            if !text.contains('.') {
                out.push_str(".0");
            }
        }
        Value::String(s) => quote_into(out, s),
        Value::Bytes(b) => quote_into(out, &String::from_utf8_lossy(b)),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if matches!(item, Value::Nil) {
                    return Err("toml: cannot encode array with nil element".into());
                }
                if i > 0 {
                    out.push_str(", ");
                }
                element(out, item, depth + 1)?;
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            let map = map.borrow();
            let mut first = true;
            for (key, value) in map.iter().filter(|(_, v)| !matches!(v, Value::Nil)) {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                out.push_str(&quote_key(key));
                out.push_str(" = ");
                element(out, value, depth + 1)?;
            }
            out.push('}');
        }
        Value::Object(o) => element(out, &o.to_data(), depth + 1)?,
    }
    Ok(())
}
