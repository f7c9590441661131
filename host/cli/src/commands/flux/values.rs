//! `create helmrelease --values FILE…`: the files merged into `spec.values` as flux merges them.
//!
//! flux reads each file with sigs.k8s.io/yaml (go-yaml v2: YAML 1.1 booleans, the first
//! document only), goes through JSON into Go's `map[string]interface{}` (every number a
//! float64), deep-merges the maps in order (fluxcd/pkg `transform.MergeMaps`: maps merge, anything
//! else replaces) and prints the result through JSON again, where integral numbers become
//! integers once more.

use std::path::Path;

use serde_json::{Map, Number, Value};
use weir_go_yaml::ParseOptions;

/// What the reader prefixes boolean mapping keys with, so they can be printed as Go prints them.
const BOOL_KEY: &str = "\u{0}bool:";

/// The merged values of `files`, later files winning.
pub fn merge_files(files: &[impl AsRef<Path>]) -> anyhow::Result<Map<String, Value>> {
    let mut merged = Map::new();
    for file in files {
        let file = file.as_ref();
        let shown = file.display();
        let text = std::fs::read_to_string(file)
            .map_err(|error| anyhow::anyhow!("reading values from {shown} failed: {}", go_io_error(file, &error)))?;
        let options = ParseOptions { yaml11_bools: true, bool_key_mark: Some(BOOL_KEY), ..ParseOptions::default() };
        let document = weir_go_yaml::parse_documents(&text, &options)
            .map_err(|error| anyhow::anyhow!("converting values to JSON from {shown} failed: yaml: {error}"))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        let values = match as_go_json(document) {
            Value::Object(values) => values,
            Value::Null => Map::new(),
            other => anyhow::bail!(
                "unmarshaling values from {shown} failed: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_type(&other)
            ),
        };
        merged = merge_maps(merged, values);
    }
    Ok(merged)
}

/// `transform.MergeMaps(a, b)`: `b`'s maps merged into `a`'s, its other values replacing.
fn merge_maps(mut a: Map<String, Value>, b: Map<String, Value>) -> Map<String, Value> {
    for (key, value) in b {
        let merged = match (a.remove(&key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => Value::Object(merge_maps(old, new)),
            (_, value) => value,
        };
        a.insert(key, merged);
    }
    a
}

/// The value as it comes out of Go's JSON round trip: keys as Go prints them, numbers through
/// float64.
fn as_go_json(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(key, value)| (go_key(key), as_go_json(value))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(as_go_json).collect()),
        Value::Number(number) => through_float64(&number),
        other => other,
    }
}

/// A boolean key (`yes:` included, as YAML 1.1 reads it) prints as `true` or `false`.
fn go_key(key: String) -> String {
    match key.strip_prefix(BOOL_KEY) {
        Some(text) => {
            let truthy =
                matches!(text, "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE");
            truthy.to_string()
        }
        None => key,
    }
}

/// A number as float64, then printed by Go's JSON encoder and read back by go-yaml v2: an
/// integral value below 1e21 is printed without a fraction and read as an int (or a uint) when it
/// fits, anything else is a float.
fn through_float64(number: &Number) -> Value {
    let Some(float) = number.as_f64() else { return Value::Number(number.clone()) };
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if float.is_finite() && float.fract() == 0.0 && float.abs() < 1e21 {
        if (-TWO_63..TWO_63).contains(&float) {
            return Value::from(float as i64);
        }
        if (0.0..TWO_64).contains(&float) {
            return Value::from(float as u64);
        }
    }
    Number::from_f64(float).map_or(Value::Null, Value::Number)
}

/// How Go's JSON decoder names a value it cannot put in a map.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// An error of `os.ReadFile` as Go prints it: `open values.yaml: no such file or directory`.
fn go_io_error(file: &Path, error: &std::io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(end) => &text[..end],
        None => &text,
    };
    let mut description: Vec<char> = text.chars().collect();
    if let Some(first) = description.first_mut() {
        *first = first.to_ascii_lowercase();
    }
    let description: String = description.into_iter().collect();
    let operation = if error.kind() == std::io::ErrorKind::IsADirectory { "read" } else { "open" };
    format!("{operation} {}: {description}", file.display())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn merged(files: &[&str]) -> anyhow::Result<Value> {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<_> = files
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let path = dir.path().join(format!("values{index}.yaml"));
                std::fs::write(&path, text).unwrap();
                path
            })
            .collect();
        merge_files(&paths).map(Value::Object)
    }

    #[test]
    fn later_files_merge_into_earlier_ones() {
        let values = merged(&[
            "image:\n  repository: nginx\n  tag: '1.0'\nreplicas: 1\nports: [80]\n",
            "image:\n  tag: '2.0'\nports: [443]\nextra: null\n",
        ])
        .unwrap();
        assert_eq!(
            values,
            json!({"image": {"repository": "nginx", "tag": "2.0"}, "replicas": 1, "ports": [443], "extra": null})
        );
    }

    #[test]
    fn values_go_through_go_json_as_flux_sends_them() {
        let values =
            merged(&["a: yes\nb: 1.0\nc: 1.5\nd: 12345678901234567890\ne: 1e21\non: x\n---\nignored: true\n"]).unwrap();
        assert_eq!(values, json!({"a": true, "b": 1, "c": 1.5, "d": 12345678901234567168u64, "e": 1e21, "true": "x"}));
        assert_eq!(merged(&["", "# nothing\n"]).unwrap(), json!({}));
    }

    #[test]
    fn errors_are_flux_errors() {
        let error = merged(&["- a\n"]).unwrap_err().to_string();
        assert!(
            error.ends_with("failed: json: cannot unmarshal array into Go value of type map[string]interface {}"),
            "{error}"
        );
        let missing = merge_files(&["nowhere/values.yaml"]).unwrap_err().to_string();
        assert_eq!(
            missing,
            "reading values from nowhere/values.yaml failed: open nowhere/values.yaml: no such file or directory"
        );
    }
}
