//! Helm's data functions (`toYaml`, `fromYaml`, `toJson`, `fromJson`,
//! `toToml`, …) and Sprig's JSON family. Helm's "from" functions never fail:
//! a decoding error comes back inside the result (`Error` key of a map, sole
//! element of a list), as Helm does.

use std::rc::Rc;

use weir_gotemplate::{FuncMap, Map, Value};

use crate::args::{Arity, define, fail, string};
use crate::{json, toml, yaml};

pub fn register(map: &mut FuncMap) {
    // Helm trims the encoder's final newline.
    define(map, "toYaml", Arity::Exact(1), |args| Ok(trim_newline(yaml::to_yaml(&args[0]))));
    define(map, "toYamlPretty", Arity::Exact(1), |args| Ok(trim_newline(yaml::to_yaml_pretty(&args[0]))));
    define(map, "fromYaml", Arity::Exact(1), |args| {
        let decoded = yaml::from_yaml(&string(&args[0])?)
            .and_then(|v| as_map(v, "error unmarshaling JSON: while decoding JSON: "));
        Ok(map_or_error(decoded))
    });
    define(map, "fromYamlArray", Arity::Exact(1), |args| {
        let decoded = yaml::from_yaml(&string(&args[0])?)
            .and_then(|v| as_list(v, "error unmarshaling JSON: while decoding JSON: "));
        Ok(list_or_error(decoded))
    });
    define(map, "toJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], None, true).unwrap_or_default()))
    });
    define(map, "mustToJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], None, true).map_err(fail)?))
    });
    define(map, "toPrettyJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], Some("  "), true).unwrap_or_default()))
    });
    define(map, "mustToPrettyJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], Some("  "), true).map_err(fail)?))
    });
    define(map, "toRawJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], None, false).unwrap_or_default()))
    });
    define(map, "mustToRawJson", Arity::Exact(1), |args| {
        Ok(Value::from(json::marshal(&args[0], None, false).map_err(fail)?))
    });
    define(map, "fromJson", Arity::Exact(1), |args| {
        // Go fills the map as far as it can and then reports a type error.
        Ok(match json::unmarshal(&string(&args[0])?) {
            Ok(decoded) => match (as_map(decoded.value, ""), decoded.error) {
                (Ok(Value::Map(m)), Some(error)) => {
                    m.borrow_mut().insert("Error".into(), Value::from(error));
                    Value::Map(m)
                }
                (decoded, _) => map_or_error(decoded),
            },
            Err(error) => map_or_error(Err(error)),
        })
    });
    define(map, "fromJsonArray", Arity::Exact(1), |args| {
        Ok(list_or_error(strict_json(&string(&args[0])?).and_then(|v| as_list(v, ""))))
    });
    // Sprig's own: any JSON value, and a real error.
    define(map, "mustFromJson", Arity::Exact(1), |args| strict_json(&string(&args[0])?).map_err(fail));
    // Helm returns the encoder's error as the text; a nil panics inside reflection.
    define(map, "toToml", Arity::Exact(1), |args| match &args[0] {
        Value::Nil => Err(fail("reflect: call of reflect.Value.Type on zero Value")),
        value => Ok(Value::from(toml::encode(value).unwrap_or_else(|e| e))),
    });
    define(map, "fromToml", Arity::Exact(1), |args| Ok(map_or_error(toml::decode(&string(&args[0])?))));
}

/// `json.Unmarshal`'s value, or its first error of either kind.
fn strict_json(text: &str) -> Result<Value, String> {
    let decoded = json::unmarshal(text)?;
    decoded.error.map_or(Ok(decoded.value), Err)
}

fn trim_newline(text: String) -> Value {
    Value::from(text.strip_suffix('\n').unwrap_or(&text))
}

/// The decoded document as the map Helm decodes into (a null leaves it empty).
fn as_map(value: Value, prefix: &str) -> Result<Value, String> {
    match value {
        Value::Nil => Ok(Value::map(Map::new())),
        Value::Map(m) => Ok(Value::Map(m)),
        other => Err(format!(
            "{prefix}json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json::json_kind(&other)
        )),
    }
}

fn as_list(value: Value, prefix: &str) -> Result<Value, String> {
    match value {
        Value::Nil => Ok(Value::list(vec![])),
        Value::List(items) => Ok(Value::List(items)),
        other => Err(format!(
            "{prefix}json: cannot unmarshal {} into Go value of type []interface {{}}",
            json::json_kind(&other)
        )),
    }
}

fn map_or_error(decoded: Result<Value, String>) -> Value {
    decoded.unwrap_or_else(|error| {
        let mut map = Map::new();
        map.insert("Error".into(), Value::String(Rc::from(error)));
        Value::map(map)
    })
}

fn list_or_error(decoded: Result<Value, String>) -> Value {
    decoded.unwrap_or_else(|error| Value::list(vec![Value::from(error)]))
}
