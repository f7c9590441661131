//! Helpers shared by the test files: writing chart directories and showing
//! values as Helm's `toJson` prints them. Each test file uses a part.
#![allow(dead_code)]

use std::fs;
use std::path::Path;

use weir_gotemplate::{Map, Value};
use weir_helm::chart::Chart;

/// Writes `files` (path, text) under a fresh temporary directory and loads it as a chart.
pub fn load(files: &[(&str, &str)]) -> Chart {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), files);
    weir_helm::loader::load_dir(dir.path()).unwrap()
}

pub fn write(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
}

/// Go's `toJson` of values: sorted keys, integral floats without a fraction.
pub fn json(map: &Map) -> String {
    fn one(v: &Value, out: &mut String) {
        match v {
            Value::Nil => out.push_str("null"),
            Value::Bool(b) => out.push_str(&b.to_string()),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) if f.fract() == 0.0 => out.push_str(&(*f as i64).to_string()),
            Value::Float(f) => out.push_str(&f.to_string()),
            Value::String(s) => out.push_str(&format!("{s:?}")),
            Value::List(l) => {
                out.push('[');
                for (i, item) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    one(item, out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, item)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("{k:?}:"));
                    one(item, out);
                }
                out.push('}');
            }
            // values.yaml numbers are `json.Number`s: JSON writes their text.
            Value::Object(o) => one(&o.to_data(), out),
            other => out.push_str(&format!("{other:?}")),
        }
    }
    let mut out = String::new();
    one(&Value::map(map.clone()), &mut out);
    out
}

/// `--set` lines applied in order, as user values.
pub fn set(lines: &[&str]) -> Map {
    let mut map = Map::new();
    for line in lines {
        weir_helm::strvals::parse_set(line, &mut map).unwrap();
    }
    map
}
