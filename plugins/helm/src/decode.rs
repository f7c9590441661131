//! How Helm's YAML decoding into Go structs behaves (sigs.k8s.io/yaml, then
//! encoding/json): scalars become strings where the field is a string, and
//! type mismatches are encoding/json's `UnmarshalTypeError`.

use weir_gotemplate::{Value, format_float};

/// A scalar as sigs.k8s.io/yaml writes it into a Go string field: `Some(None)`
/// for null (the field keeps its value), `None` for a list or map.
pub(crate) fn scalar_string(value: &Value) -> Option<Option<String>> {
    Some(Some(match value {
        Value::Nil => return Some(None),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        // An integral number was most likely an integer in the YAML text, which
        // Go formats without exponent.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => (*f as i64).to_string(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => s.to_string(),
        _ => return None,
    }))
}

/// encoding/json's `UnmarshalTypeError` text, behind sigs.k8s.io/yaml's prefix;
/// `target` is `Go value of type …` or `Go struct field S.path of type …`.
pub(crate) fn unmarshal_error(value: &Value, target: &str) -> String {
    let kind = match value {
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        // A `json.Number` (values.yaml) is a JSON number.
        Value::Object(o) if o.kind_name() == "string" => "number",
        _ => "object",
    };
    format!("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into {target}")
}

/// Why a values document that is not a map cannot be values.
pub(crate) fn not_a_map_error(value: &Value) -> String {
    unmarshal_error(value, "Go value of type map[string]interface {}")
}

/// Go's name for a value's dynamic type, as its panics print it.
pub(crate) fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Nil => "nil",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Bytes(_) => "[]uint8",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        Value::Object(_) => "*struct",
    }
}
