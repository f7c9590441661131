//! The values a user gives `helm template` (`-f`, `--set`, `--set-string`,
//! `--set-file`, `--set-json`), merged in Helm's order, and how merged values
//! cross the plugin boundary.

use std::cell::RefCell;
use std::rc::Rc;

use weir_gotemplate::{Map, Value};

use crate::strvals;

/// User values in the order Helm applies them: every `-f` file, then
/// `--set-json`, `--set`, `--set-string`, `--set-file`, each merged over the
/// previous ones.
#[derive(Debug, Default, Clone)]
pub struct ValueOptions {
    pub value_files: Vec<String>,
    pub json_values: Vec<String>,
    pub values: Vec<String>,
    pub string_values: Vec<String>,
    pub file_values: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ValuesError {
    /// A `-f` or `--set-file` file could not be read; the message is the reader's (`open x: no such file or directory`).
    #[error("{0}")]
    Read(String),
    #[error("failed to parse {file}: {message}")]
    Parse { file: String, message: String },
    #[error("failed parsing --set-json data: {0}")]
    SetJson(String),
    #[error("failed parsing --set data: {0}")]
    Set(String),
    #[error("failed parsing --set-string data: {0}")]
    SetString(String),
    #[error("failed parsing --set-file data: {0}")]
    SetFile(String),
}

impl ValueOptions {
    /// The merged user values; `read` gives a file's content by the name the user wrote.
    pub fn merge(&self, mut read: impl FnMut(&str) -> Result<String, String>) -> Result<Map, ValuesError> {
        let mut base = Map::new();
        // `-f a.yaml,b.yaml` names two files, as Helm's string-slice flag reads it.
        for file in self.value_files.iter().flat_map(|files| files.split(',')) {
            let text = read(file).map_err(ValuesError::Read)?;
            let parsed = weir_sprig::yaml::from_yaml(&text)
                .map_err(|message| ValuesError::Parse { file: file.to_owned(), message })?;
            match parsed {
                Value::Map(map) => merge_maps(&mut base, take_map(map)),
                // An empty file or a bare `null` is no values at all.
                Value::Nil => {}
                other => {
                    return Err(ValuesError::Parse {
                        file: file.to_owned(),
                        message: crate::decode::not_a_map_error(&other),
                    });
                }
            }
        }
        for line in &self.json_values {
            strvals::parse_set_json(line, &mut base).map_err(|err| ValuesError::SetJson(err.to_string()))?;
        }
        for line in &self.values {
            strvals::parse_set(line, &mut base).map_err(|err| ValuesError::Set(err.to_string()))?;
        }
        for line in &self.string_values {
            strvals::parse_set_string(line, &mut base).map_err(|err| ValuesError::SetString(err.to_string()))?;
        }
        for line in &self.file_values {
            strvals::parse_set_file(line, &mut base, &mut read).map_err(|err| ValuesError::SetFile(err.to_string()))?;
        }
        Ok(base)
    }
}

/// Helm's `mergeMaps`: maps merge key by key, anything else replaces.
pub fn merge_maps(base: &mut Map, overlay: Map) {
    for (key, value) in overlay {
        match (base.get(&key), value) {
            (Some(Value::Map(existing)), Value::Map(incoming)) => {
                let mut merged = existing.borrow().clone();
                merge_maps(&mut merged, take_map(incoming));
                base.insert(key, Value::map(merged));
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

fn take_map(map: Rc<RefCell<Map>>) -> Map {
    Rc::try_unwrap(map).map(RefCell::into_inner).unwrap_or_else(|shared| shared.borrow().clone())
}

/// Values as JSON for the plugin boundary. Go tells `int64` (from `--set`)
/// from `float64` (from YAML files) and so do templates (`1e+06` against
/// `1000000`), so floats always carry a fraction or an exponent here.
pub fn to_transport_json(values: &Map) -> String {
    serde_json::Value::Object(values.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()).to_string()
}

fn to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        // serde_json writes finite floats as `1.0` or `1e21`, which read back as floats; values have no NaN.
        Value::Float(x) => serde_json::Number::from_f64(*x).map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Bytes(bytes) => serde_json::Value::Array(bytes.iter().map(|b| serde_json::Value::from(*b)).collect()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => {
            serde_json::Value::Object(map.borrow().iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
        Value::Object(object) => to_json(&object.to_data()),
    }
}

/// The inverse of [`to_transport_json`]: a JSON object to values.
pub fn from_transport_json(text: &str) -> Result<Map, String> {
    match serde_json::from_str::<serde_json::Value>(text).map_err(|err| format!("values are not JSON: {err}"))? {
        serde_json::Value::Object(object) => Ok(object.into_iter().map(|(k, v)| (k, from_json(v))).collect()),
        serde_json::Value::Null => Ok(Map::new()),
        _ => Err("values must be a JSON object".into()),
    }
}

fn from_json(value: serde_json::Value) -> Value {
    match value {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::from(s),
        serde_json::Value::Array(items) => Value::list(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(object) => Value::map(object.into_iter().map(|(k, v)| (k, from_json(v))).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_floats_survive_the_boundary() {
        let mut values = Map::new();
        values.insert("replicas".into(), Value::Int(1_000_000));
        values.insert("ratio".into(), Value::Float(1_000_000.0));
        values.insert("big".into(), Value::Float(1e21));
        let back = from_transport_json(&to_transport_json(&values)).unwrap();
        assert!(matches!(back["replicas"], Value::Int(1_000_000)));
        assert!(matches!(back["ratio"], Value::Float(x) if x == 1e6));
        assert!(matches!(back["big"], Value::Float(x) if x == 1e21));
    }
}
