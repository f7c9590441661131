//! The INI store: sections of `key = value` lines, as sops reads and writes
//! them through go-ini (keys aligned per section, `;` comments, quoting of
//! values that need it); metadata in a `[sops]` section of flattened keys.

use crate::dotenv::{flatten, unflatten};
use crate::error::SopsError;
use crate::metadata::Metadata;
use crate::tree::{Item, Value};

/// The section holding keys before any `[section]` header.
const DEFAULT: &str = "DEFAULT";

fn err(line: usize, msg: &str) -> SopsError {
    SopsError::InvalidDocument(format!("INI: {msg} (line {line})"))
}

/// A value without its quotes, or with its inline comment split off.
fn split_value(raw: &str) -> (String, Option<String>) {
    for q in ["\"\"\"", "`", "\""] {
        if let Some(rest) = raw.strip_prefix(q)
            && let Some(end) = rest.find(q)
        {
            let comment = rest[end + q.len()..].trim_start();
            let comment = comment.strip_prefix([';', '#']).map(|c| c.trim_start().to_string());
            return (rest[..end].to_string(), comment);
        }
    }
    let bytes = raw.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if (b == b';' || b == b'#') && i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
            return (raw[..i].trim_end().to_string(), Some(raw[i + 1..].trim_start().to_string()));
        }
    }
    (raw.to_string(), None)
}

/// Parses an INI document into one branch entry per section (`DEFAULT` first).
pub fn load_plain(doc: &[u8]) -> Result<Vec<Item>, SopsError> {
    let text = std::str::from_utf8(doc).map_err(|e| SopsError::InvalidDocument(format!("INI: not UTF-8: {e}")))?;
    let mut sections: Vec<(String, Vec<Item>)> = vec![(DEFAULT.to_string(), Vec::new())];
    let mut comments: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix([';', '#']) {
            comments.push(c.trim_start().to_string());
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name.strip_suffix(']').ok_or_else(|| err(n + 1, "unterminated section header"))?;
            sections.push((name.trim().to_string(), comments.drain(..).map(Item::Comment).collect()));
            continue;
        }
        let pos =
            line.find(['=', ':']).ok_or_else(|| err(n + 1, "a line that is neither a section nor `key = value`"))?;
        let key = line[..pos].trim().trim_matches('`').to_string();
        let (value, inline) = split_value(line[pos + 1..].trim());
        let items = &mut sections.last_mut().ok_or_else(|| err(n + 1, "no section"))?.1;
        items.extend(comments.drain(..).map(Item::Comment));
        items.extend(inline.map(Item::Comment));
        items.push(Item::Entry(key, Value::Str(value)));
    }
    if let Some((_, items)) = sections.last_mut() {
        items.extend(comments.drain(..).map(Item::Comment));
    }
    Ok(sections.into_iter().map(|(name, items)| Item::Entry(name, Value::Map(items))).collect())
}

/// Parses an encrypted INI document: the sections without `[sops]`, and the metadata.
pub fn load_encrypted(doc: &[u8]) -> Result<(Vec<Item>, Value), SopsError> {
    let mut meta = None;
    let mut tree = Vec::new();
    for item in load_plain(doc)? {
        match item {
            Item::Entry(k, Value::Map(items)) if k == "sops" => {
                let flat: Vec<(String, String)> = items
                    .into_iter()
                    .filter_map(|i| match i {
                        // Multi-line metadata values (age armour) are stored with `\n` escapes.
                        Item::Entry(k, Value::Str(v)) => Some((k, v.replace("\\n", "\n"))),
                        _ => None,
                    })
                    .collect();
                meta = Some(unflatten(&flat)?);
            }
            other => tree.push(other),
        }
    }
    match meta {
        None => Err(SopsError::NotEncrypted("no `[sops]` section".into())),
        Some(m) => Ok((tree, m)),
    }
}

/// go-ini's quoting of a value that would not read back as it is.
fn quote(v: &str) -> String {
    if v.contains(['\n', '`']) {
        format!("\"\"\"{v}\"\"\"")
    } else if v.contains(['#', ';']) {
        format!("`{v}`")
    } else if v.trim() != v {
        format!("\"{v}\"")
    } else {
        v.to_string()
    }
}

fn leaf(v: &Value) -> Result<String, SopsError> {
    Ok(match v {
        Value::Str(s) | Value::Time(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::cipher::format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Null => String::new(),
        _ => return Err(SopsError::InvalidDocument("INI: a value inside a section is not a scalar".into())),
    })
}

/// Prints sections as sops prints INI.
pub fn emit(items: &[Item]) -> Result<Vec<u8>, SopsError> {
    let mut out = String::new();
    let mut first = true;
    for item in items {
        let Item::Entry(name, value) = item else { continue };
        let Value::Map(entries) = value else {
            return Err(SopsError::InvalidDocument(format!("INI: top-level key `{name}` is not a section")));
        };
        let has_keys = entries.iter().any(|e| matches!(e, Item::Entry(..)));
        if name == DEFAULT && !has_keys {
            continue;
        }
        if !first {
            out.push('\n');
        }
        first = false;
        if name != DEFAULT {
            out.push('[');
            out.push_str(name);
            out.push_str("]\n");
        }
        let width = entries
            .iter()
            .filter_map(|e| if let Item::Entry(k, _) = e { Some(k.chars().count()) } else { None })
            .max()
            .unwrap_or(0);
        for e in entries {
            match e {
                Item::Comment(c) => {
                    out.push_str("; ");
                    out.push_str(c);
                    out.push('\n');
                }
                Item::Entry(k, v) => {
                    out.push_str(k);
                    out.extend(std::iter::repeat_n(' ', width - k.chars().count()));
                    out.push_str(" = ");
                    out.push_str(&quote(&leaf(v)?));
                    out.push('\n');
                }
            }
        }
    }
    Ok(out.into_bytes())
}

/// Prints encrypted sections followed by the `[sops]` section.
pub fn emit_encrypted(mut items: Vec<Item>, meta: &Metadata) -> Result<Vec<u8>, SopsError> {
    let mut flat = Vec::new();
    flatten("", &meta.to_value(), &mut flat);
    let entries = flat.into_iter().map(|(k, v)| Item::Entry(k, Value::Str(v.replace('\n', "\\n")))).collect();
    items.push(Item::Entry("sops".into(), Value::Map(entries)));
    emit(&items)
}
