//! The dotenv store: `KEY=value` lines, `#` comments, `\n` escapes in values;
//! sops metadata as flattened `sops_…` keys.

use crate::error::SopsError;
use crate::metadata::Metadata;
use crate::tree::{Item, Value};

const PREFIX: &str = "sops_";

/// Parses dotenv lines as sops does: empty lines are dropped, `#` starts a
/// comment line, every other line needs a `=`.
pub fn load_plain(doc: &[u8]) -> Result<Vec<Item>, SopsError> {
    let text = std::str::from_utf8(doc).map_err(|e| SopsError::InvalidDocument(format!("dotenv: not UTF-8: {e}")))?;
    let mut items = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            items.push(Item::Comment(c.to_string()));
        } else if let Some((k, v)) = line.split_once('=') {
            items.push(Item::Entry(k.to_string(), Value::Str(v.replace("\\n", "\n"))));
        } else {
            return Err(SopsError::InvalidDocument(format!("dotenv: line {} has no `=`", n + 1)));
        }
    }
    Ok(items)
}

/// Parses an encrypted dotenv document: the entries, and the metadata
/// unflattened from its `sops_…` keys.
pub fn load_encrypted(doc: &[u8]) -> Result<(Vec<Item>, Value), SopsError> {
    let mut tree = Vec::new();
    let mut meta: Vec<(String, String)> = Vec::new();
    for item in load_plain(doc)? {
        match item {
            Item::Entry(k, Value::Str(v)) if k.starts_with(PREFIX) => meta.push((k[PREFIX.len()..].to_string(), v)),
            other => tree.push(other),
        }
    }
    if meta.is_empty() {
        return Err(SopsError::NotEncrypted("no `sops_…` metadata keys".into()));
    }
    Ok((tree, unflatten(&meta)?))
}

/// Rebuilds the metadata tree from sops' flattened keys
/// (`age__list_0__map_enc` = `age[0].enc`).
pub(crate) fn unflatten(flat: &[(String, String)]) -> Result<Value, SopsError> {
    let mut root = Value::Map(Vec::new());
    for (key, value) in flat {
        let mut segs = key.split("__");
        let first = segs.next().unwrap_or_default();
        let mut cur = map_slot(&mut root, first, key)?;
        for seg in segs {
            if let Some(idx) = seg.strip_prefix("list_") {
                let idx: usize = idx.parse().map_err(|_| bad_meta_key(key))?;
                if !matches!(cur, Value::List(_)) {
                    *cur = Value::List(Vec::new());
                }
                let Value::List(list) = cur else { unreachable!() };
                if idx > list.len() || idx > 1024 {
                    return Err(bad_meta_key(key));
                }
                if idx == list.len() {
                    list.push(Value::Null);
                }
                cur = &mut list[idx];
            } else if let Some(name) = seg.strip_prefix("map_") {
                cur = map_slot(cur, name, key)?;
            } else {
                return Err(bad_meta_key(key));
            }
        }
        *cur = Value::Str(value.clone());
    }
    Ok(root)
}

fn bad_meta_key(key: &str) -> SopsError {
    SopsError::InvalidDocument(format!("dotenv: malformed metadata key `sops_{key}`"))
}

fn map_slot<'a>(v: &'a mut Value, name: &str, key: &str) -> Result<&'a mut Value, SopsError> {
    if !matches!(v, Value::Map(_)) {
        if !matches!(v, Value::Null) {
            return Err(bad_meta_key(key));
        }
        *v = Value::Map(Vec::new());
    }
    let Value::Map(items) = v else { unreachable!() };
    let pos = items.iter().position(|i| matches!(i, Item::Entry(k, _) if k == name));
    let pos = match pos {
        Some(p) => p,
        None => {
            items.push(Item::Entry(name.to_string(), Value::Null));
            items.len() - 1
        }
    };
    match &mut items[pos] {
        Item::Entry(_, v) => Ok(v),
        Item::Comment(_) => Err(bad_meta_key(key)),
    }
}

pub(crate) fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Map(items) => {
            for i in items {
                if let Item::Entry(k, v) = i {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}__map_{k}") };
                    flatten(&p, v, out);
                }
            }
        }
        Value::List(list) => {
            for (n, e) in list.iter().enumerate() {
                flatten(&format!("{prefix}__list_{n}"), e, out);
            }
        }
        Value::Null => {}
        leaf => out.push((prefix.to_string(), leaf_string(leaf))),
    }
}

fn leaf_string(v: &Value) -> String {
    match v {
        Value::Str(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::cipher::format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::Time(t) => t.clone(),
        Value::Null | Value::Map(_) | Value::List(_) | Value::Comment(_) => String::new(),
    }
}

/// Prints entries as sops prints dotenv.
pub fn emit(items: &[Item]) -> Result<Vec<u8>, SopsError> {
    let mut out = String::new();
    for item in items {
        match item {
            Item::Comment(c) => {
                out.push('#');
                out.push_str(c);
                out.push('\n');
            }
            Item::Entry(k, v) => {
                if matches!(v, Value::Map(_) | Value::List(_)) {
                    return Err(SopsError::InvalidDocument(format!("dotenv: `{k}` has a complex value")));
                }
                out.push_str(k);
                out.push('=');
                out.push_str(&leaf_string(v).replace('\n', "\\n"));
                out.push('\n');
            }
        }
    }
    Ok(out.into_bytes())
}

/// Prints an encrypted tree with its metadata as sorted `sops_…` keys.
pub fn emit_encrypted(mut items: Vec<Item>, meta: &Metadata) -> Result<Vec<u8>, SopsError> {
    let mut flat = Vec::new();
    flatten("", &meta.to_value(), &mut flat);
    flat.sort();
    for (k, v) in flat {
        items.push(Item::Entry(format!("{PREFIX}{k}"), Value::Str(v)));
    }
    emit(&items)
}
