//! OpenAPI v3 structural schemas of custom resources, applied as
//! kube-apiserver applies them on every write: unknown fields pruned
//! (unless `x-kubernetes-preserve-unknown-fields`), defaults filled in,
//! then values validated (type, required, enum, pattern, bounds), each
//! failure reported with its field path.

use serde_json::{Map, Value};

use crate::status::FieldCause;

/// Prunes and defaults `object` in place, then validates it; returns every
/// problem found. `metadata`, `apiVersion` and `kind` are the server's, not
/// the schema's, and are left alone.
pub fn apply(schema: &Value, object: &mut Value) -> Vec<FieldCause> {
    let mut causes = Vec::new();
    if let (Some(properties), Some(fields)) = (schema["properties"].as_object(), object.as_object_mut()) {
        let preserve = schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true);
        for (name, value) in fields.iter_mut() {
            if matches!(name.as_str(), "metadata" | "apiVersion" | "kind") {
                continue;
            }
            if let Some(property) = properties.get(name) {
                prune_and_default(property, value);
                validate(property, value, name, &mut causes);
            }
        }
        if !preserve {
            fields.retain(|name, _| {
                matches!(name.as_str(), "metadata" | "apiVersion" | "kind") || properties.contains_key(name)
            });
        }
        fill_defaults(properties, fields);
        required(schema, fields, "", &mut causes);
    }
    causes
}

fn fill_defaults(properties: &Map<String, Value>, fields: &mut Map<String, Value>) {
    for (name, property) in properties {
        if !fields.contains_key(name)
            && let Some(default) = property.get("default")
        {
            let mut value = default.clone();
            prune_and_default(property, &mut value);
            fields.insert(name.clone(), value);
        }
    }
}

fn prune_and_default(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(fields) => {
            let preserve = schema["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true);
            if let Some(properties) = schema["properties"].as_object() {
                for (name, field) in fields.iter_mut() {
                    if let Some(property) = properties.get(name) {
                        prune_and_default(property, field);
                    }
                }
                if !preserve {
                    fields.retain(|name, _| properties.contains_key(name));
                }
                fill_defaults(properties, fields);
            } else if let Some(additional) =
                schema.get("additionalProperties").filter(|additional| additional.is_object())
            {
                for field in fields.values_mut() {
                    prune_and_default(additional, field);
                }
            } else if !preserve
                && schema.get("type").is_some()
                && schema["x-kubernetes-embedded-resource"] != Value::Bool(true)
            {
                fields.clear();
            }
        }
        Value::Array(items) => {
            for item in items {
                prune_and_default(&schema["items"], item);
            }
        }
        _ => {}
    }
}

fn required(schema: &Value, fields: &Map<String, Value>, path: &str, causes: &mut Vec<FieldCause>) {
    for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
        if !fields.contains_key(name) {
            causes.push(FieldCause {
                reason: "FieldValueRequired",
                message: "Required value".into(),
                field: join(path, name),
            });
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn invalid(causes: &mut Vec<FieldCause>, path: &str, value: &Value, why: String) {
    causes.push(FieldCause {
        reason: "FieldValueInvalid",
        message: format!("Invalid value: {value}: {why}"),
        field: path.to_owned(),
    });
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

fn validate(schema: &Value, value: &Value, path: &str, causes: &mut Vec<FieldCause>) {
    if value.is_null() {
        if schema["nullable"] != Value::Bool(true) && schema.get("type").is_some() {
            causes.push(FieldCause {
                reason: "FieldValueTypeInvalid",
                message: format!(
                    "Invalid value: \"null\": {path} in body must be of type {}",
                    schema["type"].as_str().unwrap_or("")
                ),
                field: path.to_owned(),
            });
        }
        return;
    }
    let int_or_string = schema["x-kubernetes-int-or-string"] == Value::Bool(true);
    if let Some(expected) = schema["type"].as_str()
        && !type_matches(expected, value)
        && !(int_or_string && (value.is_string() || value.is_i64()))
    {
        causes.push(FieldCause {
            reason: "FieldValueTypeInvalid",
            message: format!(
                "Invalid value: \"{}\": {path} in body must be of type {expected}: \"{}\"",
                json_type(value),
                value_text(value)
            ),
            field: path.to_owned(),
        });
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(|allowed| allowed.to_string()).collect();
        causes.push(FieldCause {
            reason: "FieldValueNotSupported",
            message: format!("Unsupported value: {value}: supported values: {}", list.join(", ")),
            field: path.to_owned(),
        });
    }
    match value {
        Value::String(text) => {
            let length = text.chars().count() as u64;
            if let Some(min) = schema["minLength"].as_u64().filter(|min| length < *min) {
                invalid(causes, path, value, format!("{path} in body should be at least {min} chars long"));
            }
            if let Some(max) = schema["maxLength"].as_u64().filter(|max| length > *max) {
                invalid(causes, path, value, format!("{path} in body should be at most {max} chars long"));
            }
            if let Some(pattern) = schema["pattern"].as_str() {
                match regex::Regex::new(pattern) {
                    Ok(regex) if !regex.is_match(text) => {
                        invalid(causes, path, value, format!("{path} in body should match '{pattern}'"))
                    }
                    Ok(_) => {}
                    Err(_) => {
                        invalid(causes, path, value, format!("the schema's pattern {pattern:?} does not compile"))
                    }
                }
            }
        }
        Value::Number(number) => {
            let number = number.as_f64().unwrap_or_default();
            if let Some(minimum) = schema["minimum"].as_f64() {
                let exclusive = schema["exclusiveMinimum"] == Value::Bool(true);
                if number < minimum || (exclusive && number == minimum) {
                    let relation = if exclusive { "greater than" } else { "greater than or equal to" };
                    invalid(causes, path, value, format!("{path} in body should be {relation} {minimum}"));
                }
            }
            if let Some(maximum) = schema["maximum"].as_f64() {
                let exclusive = schema["exclusiveMaximum"] == Value::Bool(true);
                if number > maximum || (exclusive && number == maximum) {
                    let relation = if exclusive { "less than" } else { "less than or equal to" };
                    invalid(causes, path, value, format!("{path} in body should be {relation} {maximum}"));
                }
            }
        }
        Value::Array(items) => {
            let count = items.len() as u64;
            if let Some(min) = schema["minItems"].as_u64().filter(|min| count < *min) {
                invalid(causes, path, value, format!("{path} in body should have at least {min} items"));
            }
            if let Some(max) = schema["maxItems"].as_u64().filter(|max| count > *max) {
                invalid(causes, path, value, format!("{path} in body should have at most {max} items"));
            }
            for (index, item) in items.iter().enumerate() {
                validate(&schema["items"], item, &format!("{path}[{index}]"), causes);
            }
        }
        Value::Object(fields) => {
            if let Some(properties) = schema["properties"].as_object() {
                for (name, field) in fields {
                    if let Some(property) = properties.get(name) {
                        validate(property, field, &join(path, name), causes);
                    }
                }
            } else if let Some(additional) =
                schema.get("additionalProperties").filter(|additional| additional.is_object())
            {
                for (name, field) in fields {
                    validate(additional, field, &join(path, name), causes);
                }
            }
            required(schema, fields, path, causes);
        }
        _ => {}
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["image"],
                    "properties": {
                        "image": { "type": "string", "pattern": "^[a-z]" },
                        "replicas": { "type": "integer", "default": 1, "minimum": 0, "maximum": 10 },
                        "mode": { "type": "string", "enum": ["fast", "safe"], "default": "safe" },
                        "ports": { "type": "array", "maxItems": 2, "items": { "type": "object", "properties": { "port": { "type": "integer" } } } },
                        "extra": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                        "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                    },
                },
                "status": { "type": "object", "properties": { "ready": { "type": "boolean" } } },
            },
        })
    }

    #[test]
    fn defaults_are_filled_and_unknown_fields_pruned() {
        let mut object = json!({
            "apiVersion": "example.com/v1", "kind": "App", "metadata": { "name": "a", "whatever": 1 },
            "spec": { "image": "nginx", "unknown": true, "ports": [{ "port": 80, "junk": 1 }], "extra": { "kept": 1 }, "labels": { "a": "b" } },
            "topLevelJunk": 1,
        });
        assert!(apply(&schema(), &mut object).is_empty());
        assert_eq!(
            object["spec"],
            json!({ "image": "nginx", "replicas": 1, "mode": "safe", "ports": [{ "port": 80 }], "extra": { "kept": 1 }, "labels": { "a": "b" } })
        );
        assert!(object.get("topLevelJunk").is_none());
        assert_eq!(object["metadata"]["whatever"], 1, "metadata is the server's business");
    }

    #[test]
    fn invalid_values_name_their_fields() {
        let mut object = json!({ "spec": { "image": "Nginx", "replicas": 11, "mode": "slow", "ports": [{"port": "x"}, {}, {}], "labels": { "a": 1 } } });
        let causes = apply(&schema(), &mut object);
        let mut fields: Vec<(&str, &str)> = causes.iter().map(|cause| (cause.field.as_str(), cause.reason)).collect();
        fields.sort();
        assert_eq!(
            fields,
            [
                ("spec.image", "FieldValueInvalid"),
                ("spec.labels.a", "FieldValueTypeInvalid"),
                ("spec.mode", "FieldValueNotSupported"),
                ("spec.ports", "FieldValueInvalid"),
                ("spec.ports[0].port", "FieldValueTypeInvalid"),
                ("spec.replicas", "FieldValueInvalid"),
            ]
        );
        let mut missing = json!({ "spec": {} });
        let causes = apply(&schema(), &mut missing);
        assert_eq!(causes[0].field, "spec.image");
        assert_eq!(causes[0].reason, "FieldValueRequired");
    }
}
