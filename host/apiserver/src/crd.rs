//! CustomResourceDefinitions: checking one, the status the server gives it
//! (NamesAccepted, Established), and the resource types it makes served.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::handlers::Api;
use crate::objects;
use crate::registry::{GroupResource, PrinterColumn, ResourceType, ScalePaths};
use crate::schema;
use crate::status::{ApiError, FieldCause};
use crate::store::Change;

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
                printer_columns: version["additionalPrinterColumns"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|column| PrinterColumn {
                        name: text(&column["name"]),
                        kind: text(&column["type"]),
                        json_path: text(&column["jsonPath"]),
                        priority: column["priority"].as_i64().unwrap_or(0),
                        description: text(&column["description"]),
                    })
                    .collect(),
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

impl Api {
    /// Registers the resources of the CustomResourceDefinitions already stored.
    pub(crate) fn serve_stored_custom_resources(&self) {
        let crds = GroupResource { group: "apiextensions.k8s.io".into(), resource: "customresourcedefinitions".into() };
        for crd in self.store.list(&crds, None).0 {
            match served_types(&crd) {
                Ok(types) => {
                    let resource = GroupResource {
                        group: crd["spec"]["group"].as_str().unwrap_or("").to_owned(),
                        resource: crd["spec"]["names"]["plural"].as_str().unwrap_or("").to_owned(),
                    };
                    self.registry.register(&resource, types);
                }
                Err(error) => tracing::warn!("stored CustomResourceDefinition not served: {error}"),
            }
        }
    }

    /// What the server itself does to an object before storing it: a custom
    /// resource is pruned, defaulted and validated against its schema; a
    /// CustomResourceDefinition is checked and established, and the types
    /// it serves are returned, to be registered once it is stored.
    pub(crate) fn server_side_effects(
        ty: &ResourceType,
        object: &mut Value,
    ) -> Result<Option<(GroupResource, Vec<ResourceType>)>, ApiError> {
        if let Some(schema) = &ty.schema {
            let causes = schema::apply(schema, object);
            if !causes.is_empty() {
                let name = object["metadata"]["name"].as_str().unwrap_or("");
                return Err(ApiError::invalid(&ty.group, &ty.kind, name, causes));
            }
        }
        if !is_crd(ty) || objects::is_terminating(object) {
            return Ok(None);
        }
        let types = served_types(object)?;
        object["status"] = established_status(object);
        let resource = GroupResource {
            group: object["spec"]["group"].as_str().unwrap_or("").to_owned(),
            resource: object["spec"]["names"]["plural"].as_str().unwrap_or("").to_owned(),
        };
        Ok(Some((resource, types)))
    }

    /// A deleted CustomResourceDefinition takes its resource, and every
    /// object of it, along.
    pub(crate) fn forget_custom_resource(&self, ty: &ResourceType, crd: &Value) {
        if !is_crd(ty) {
            return;
        }
        let resource = GroupResource {
            group: crd["spec"]["group"].as_str().unwrap_or("").to_owned(),
            resource: crd["spec"]["names"]["plural"].as_str().unwrap_or("").to_owned(),
        };
        for key in self.store.keys_of(&resource) {
            let _ = self.store.write(&key, false, |_| Ok(Change::Delete));
        }
        self.registry.register(&resource, Vec::new());
    }
}
