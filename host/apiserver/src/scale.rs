//! The `/scale` subresource: an `autoscaling/v1` Scale view of an object's
//! replica count, read and written through the paths its type declares.

use serde_json::{Value, json};

use crate::registry::ScalePaths;

fn pointer(path: &str) -> String {
    path.replace('.', "/")
}

/// `matchLabels` (and expressions) as the string form a Scale reports.
fn selector_text(selector: &Value) -> String {
    let mut parts: Vec<String> = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(key, value)| format!("{key}={}", value.as_str().unwrap_or("")))
        .collect();
    for expression in selector["matchExpressions"].as_array().into_iter().flatten() {
        let key = expression["key"].as_str().unwrap_or("");
        let values: Vec<&str> =
            expression["values"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        parts.push(match expression["operator"].as_str().unwrap_or("") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_owned(),
            _ => format!("!{key}"),
        });
    }
    parts.join(",")
}

/// The Scale view of `object`.
pub fn of(object: &Value, paths: &ScalePaths) -> Value {
    let metadata = &object["metadata"];
    let selector = match &paths.label_selector {
        Some(path) => object.pointer(&pointer(path)).and_then(Value::as_str).unwrap_or("").to_owned(),
        None => selector_text(&object["spec"]["selector"]),
    };
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "uid": metadata["uid"],
            "resourceVersion": metadata["resourceVersion"],
            "creationTimestamp": metadata["creationTimestamp"],
        },
        "spec": { "replicas": object.pointer(&pointer(&paths.spec_replicas)).and_then(Value::as_i64).unwrap_or(0) },
        "status": {
            "replicas": object.pointer(&pointer(&paths.status_replicas)).and_then(Value::as_i64).unwrap_or(0),
            "selector": selector,
        },
    })
}

/// `object` with the replica count a written Scale asks for.
pub fn apply(object: &Value, scale: &Value, paths: &ScalePaths) -> Value {
    let mut updated = object.clone();
    let replicas = scale["spec"]["replicas"].clone();
    let mut node = &mut updated;
    let fields: Vec<&str> = paths.spec_replicas.trim_start_matches('.').split('.').collect();
    for (index, field) in fields.iter().enumerate() {
        if !node.is_object() {
            *node = json!({});
        }
        if index + 1 == fields.len() {
            node[*field] = replicas.clone();
        } else {
            node = &mut node[*field];
        }
    }
    if let Some(version) = scale["metadata"]["resourceVersion"].as_str() {
        updated["metadata"]["resourceVersion"] = Value::String(version.to_owned());
    }
    updated
}
