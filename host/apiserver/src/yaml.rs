//! YAML request bodies (server-side apply's `application/apply-patch+yaml`)
//! read into JSON values.

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

use crate::status::ApiError;

/// Reads one YAML (or JSON) document.
pub fn parse_document(text: &str) -> Result<Value, ApiError> {
    if let Ok(value) = serde_json::from_str(text) {
        return Ok(value);
    }
    let documents = YamlLoader::load_from_str(text)
        .map_err(|error| ApiError::bad_request(format!("error decoding YAML: {error}")))?;
    match documents.as_slice() {
        [document] => to_json(document),
        _ => Err(ApiError::bad_request("the request body must hold exactly one YAML document")),
    }
}

fn to_json(yaml: &Yaml) -> Result<Value, ApiError> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(flag) => Value::Bool(*flag),
        Yaml::Integer(number) => Value::from(*number),
        Yaml::Real(text) => text
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .ok_or_else(|| ApiError::bad_request(format!("invalid number {text:?} in YAML")))?,
        Yaml::String(text) => Value::String(text.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(entries) => {
            let mut object = serde_json::Map::new();
            for (key, value) in entries {
                let key = match key {
                    Yaml::String(text) | Yaml::Real(text) => text.clone(),
                    Yaml::Integer(number) => number.to_string(),
                    Yaml::Boolean(flag) => flag.to_string(),
                    other => return Err(ApiError::bad_request(format!("unsupported YAML map key {other:?}"))),
                };
                object.insert(key, to_json(value)?);
            }
            Value::Object(object)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err(ApiError::bad_request("YAML aliases are not supported")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_and_json_bodies() {
        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n  y: 'true'\nbinary: 2.5\nlist: [1, b]\n";
        assert_eq!(
            parse_document(yaml).unwrap(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1", "y": "true"}, "binary": 2.5, "list": [1, "b"]})
        );
        assert_eq!(parse_document(r#"{"a": [1]}"#).unwrap(), json!({"a": [1]}));
        assert!(parse_document("a: [").is_err());
        assert!(parse_document("a: 1\n---\nb: 2\n").is_err());
    }
}
