//! CustomResourceDefinitions: checking one, the status the server gives it
//! (NamesAccepted, Established), and the resource types it makes served.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::objects;
use crate::registry::{ResourceType, ScalePaths};
use crate::status::{ApiError, FieldCause};

const GROUP: &str = "apiextensions.k8s.io";
const KIND: &str = "CustomResourceDefinition";

/// Whether `ty` is the CustomResourceDefinition resource itself.
pub fn is_crd(ty: &ResourceType) -> bool {
    ty.group == GROUP && ty.plural == "customresourcedefinitions"
}

/// The resource types `crd` serves (one per served version), or why it is invalid.
pub fn served_types(crd: &Value) -> Result<Vec<ResourceType>, ApiError> {
    let name = crd["metadata"]["name"].as_str().unwrap_or("");
    let spec = &crd["spec"];
    let names = &spec["names"];
    let text = |value: &Value| value.as_str().unwrap_or("").to_owned();
    let (group, plural, kind) = (text(&spec["group"]), text(&names["plural"]), text(&names["kind"]));
    let mut causes = Vec::new();
    let mut require = |field: &str, value: &str| {
        if value.is_empty() {
            causes.push(FieldCause {
                reason: "FieldValueRequired",
                message: "Required value".into(),
                field: field.into(),
            });
        }
    };
    require("spec.group", &group);
    require("spec.names.plural", &plural);
    require("spec.names.kind", &kind);
    if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
        causes.push(FieldCause {
            reason: "FieldValueInvalid",
            message: format!("Invalid value: {name:?}: must be spec.names.plural+\".\"+spec.group"),
            field: "metadata.name".into(),
        });
    }
    let scope = spec["scope"].as_str().unwrap_or("");
    if !matches!(scope, "Namespaced" | "Cluster") {
        causes.push(FieldCause {
            reason: "FieldValueNotSupported",
            message: format!("Unsupported value: {scope:?}: supported values: \"Cluster\", \"Namespaced\""),
            field: "spec.scope".into(),
        });
    }
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    let storage_versions = versions.iter().filter(|version| version["storage"] == Value::Bool(true)).count();
    if storage_versions != 1 {
        causes.push(FieldCause {
            reason: "FieldValueInvalid",
            message: format!(
                "Invalid value: {storage_versions}: must have exactly one version marked as storage version"
            ),
            field: "spec.versions".into(),
        });
    }
    if !causes.is_empty() {
        return Err(ApiError::invalid(GROUP, KIND, name, causes));
    }
    let list = |value: &Value| -> Vec<String> {
        value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect()
    };
    Ok(versions
        .iter()
        .filter(|version| version["served"] == Value::Bool(true))
        .map(|version| {
            let schema = &version["schema"]["openAPIV3Schema"];
            ResourceType {
                group: group.clone(),
                version: text(&version["name"]),
                kind: kind.clone(),
                plural: plural.clone(),
                singular: names["singular"].as_str().map_or_else(|| kind.to_ascii_lowercase(), str::to_owned),
                namespaced: scope == "Namespaced",
                short_names: list(&names["shortNames"]),
                categories: list(&names["categories"]),
                status_subresource: version["subresources"]["status"].is_object(),
                scale: version["subresources"]["scale"].as_object().map(|scale| ScalePaths {
                    spec_replicas: scale
                        .get("specReplicasPath")
                        .and_then(Value::as_str)
                        .unwrap_or(".spec.replicas")
                        .to_owned(),
                    status_replicas: scale
                        .get("statusReplicasPath")
                        .and_then(Value::as_str)
                        .unwrap_or(".status.replicas")
                        .to_owned(),
                    label_selector: scale.get("labelSelectorPath").and_then(Value::as_str).map(str::to_owned),
                }),
                create_only: false,
                schema: schema.is_object().then(|| Arc::new(schema.clone())),
            }
        })
        .collect())
}

/// The status the server gives a CRD it serves.
pub fn established_status(crd: &Value) -> Value {
    let now = objects::now();
    let condition = |kind: &str, reason: &str, message: &str| json!({ "type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message });
    let storage: Vec<Value> = crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|version| version["storage"] == Value::Bool(true))
        .map(|version| version["name"].clone())
        .collect();
    json!({
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        "acceptedNames": crd["spec"]["names"],
        "storedVersions": storage,
    })
}
