//! Object metadata rules shared by every write: names, uids, timestamps,
//! generation, and which parts a write to a resource or to its status may change.

use serde_json::{Map, Value};

use crate::registry::ResourceType;
use crate::status::{ApiError, FieldCause};

/// Now, as Kubernetes writes timestamps (RFC 3339, seconds, `Z`).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A name for `generateName`: the prefix plus five characters from the
/// alphabet Kubernetes uses (no vowels, no look-alikes).
pub fn generate_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let random = uuid::Uuid::new_v4();
    let suffix: String =
        random.as_bytes()[..5].iter().map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char).collect();
    format!("{prefix}{suffix}")
}

/// Whether `name` is a DNS-1123 subdomain (what most kinds require).
fn is_dns_subdomain(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Checks what every object must satisfy before it is stored.
pub fn validate_metadata(ty: &ResourceType, object: &Value) -> Result<(), ApiError> {
    let name = object["metadata"]["name"].as_str().unwrap_or("");
    let mut causes = Vec::new();
    if name.is_empty() {
        causes.push(FieldCause {
            reason: "FieldValueRequired",
            message: "Required value: name or generateName is required".into(),
            field: "metadata.name".into(),
        });
    } else if !is_dns_subdomain(name) {
        causes.push(FieldCause {
            reason: "FieldValueInvalid",
            message: format!(
                "Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            ),
            field: "metadata.name".into(),
        });
    }
    for field in ["labels", "annotations"] {
        if let Some(map) = object["metadata"][field].as_object() {
            for (key, value) in map {
                if !value.is_string() {
                    causes.push(FieldCause {
                        reason: "FieldValueInvalid",
                        message: format!("Invalid value: {value}: must be a string"),
                        field: format!("metadata.{field}.{key}"),
                    });
                }
            }
        }
    }
    if causes.is_empty() { Ok(()) } else { Err(ApiError::invalid(&ty.group, &ty.kind, name, causes)) }
}

/// The parts of an object that are not metadata or status: a change to
/// them bumps `metadata.generation`.
fn spec_of(object: &Value) -> Map<String, Value> {
    object
        .as_object()
        .map(|fields| {
            fields
                .iter()
                .filter(|(key, _)| !matches!(key.as_str(), "metadata" | "status" | "apiVersion" | "kind"))
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Fills what the server owns on a new object.
pub fn prepare_create(ty: &ResourceType, object: &mut Value) {
    let metadata = &mut object["metadata"];
    metadata["uid"] = Value::String(uuid::Uuid::new_v4().to_string());
    metadata["creationTimestamp"] = Value::String(now());
    metadata["generation"] = Value::from(1);
    if let Some(fields) = metadata.as_object_mut() {
        for server_owned in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"] {
            fields.remove(server_owned);
        }
    }
    if ty.status_subresource
        && let Some(fields) = object.as_object_mut()
    {
        fields.remove("status");
    }
    // The one built-in default clients rely on: an untyped Secret is Opaque.
    if ty.group.is_empty() && ty.plural == "secrets" && object["type"].as_str().unwrap_or("").is_empty() {
        object["type"] = Value::String("Opaque".into());
    }
    fold_string_data(ty, object);
    if ty.group.is_empty() && ty.plural == "namespaces" {
        object["spec"] = serde_json::json!({ "finalizers": ["kubernetes"] });
        object["status"] = serde_json::json!({ "phase": "Active" });
    }
}

/// A Secret's `stringData` is write-only: Kubernetes stores it base64-encoded in `data`.
fn fold_string_data(ty: &ResourceType, object: &mut Value) {
    use base64::Engine;
    if !(ty.group.is_empty() && ty.plural == "secrets") {
        return;
    }
    let Some(Value::Object(strings)) = object.as_object_mut().and_then(|fields| fields.remove("stringData")) else {
        return;
    };
    if !object["data"].is_object() {
        object["data"] = Value::Object(Default::default());
    }
    for (key, value) in strings {
        let text = value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string());
        object["data"][key] = Value::String(base64::engine::general_purpose::STANDARD.encode(text));
    }
}

/// Fields Kubernetes refuses to change once set: workloads' selectors, a Job's
/// template, a Service's cluster IP.
const IMMUTABLE: &[(&str, &str, &str)] = &[
    ("apps", "deployments", "/spec/selector"),
    ("apps", "replicasets", "/spec/selector"),
    ("apps", "statefulsets", "/spec/selector"),
    ("apps", "daemonsets", "/spec/selector"),
    ("batch", "jobs", "/spec/selector"),
    ("batch", "jobs", "/spec/template"),
    ("", "services", "/spec/clusterIP"),
];

/// Refuses (422) an update that changes an immutable field, as Kubernetes' validation does;
/// ConfigMaps and Secrets marked `immutable: true` keep their data.
pub fn validate_immutable(ty: &ResourceType, old: &Value, new: &Value) -> Result<(), ApiError> {
    let name = old["metadata"]["name"].as_str().unwrap_or_default();
    let mut causes = Vec::new();
    for (group, plural, pointer) in IMMUTABLE {
        if ty.group != *group || ty.plural != *plural {
            continue;
        }
        if let Some(before) = old.pointer(pointer).filter(|before| !before.is_null())
            && new.pointer(pointer) != Some(before)
        {
            let shown = new.pointer(pointer).map_or_else(|| "null".to_owned(), Value::to_string);
            causes.push(FieldCause {
                reason: "FieldValueInvalid",
                message: format!("Invalid value: {shown}: field is immutable"),
                field: pointer.trim_start_matches('/').replace('/', "."),
            });
        }
    }
    let frozen =
        ty.group.is_empty() && matches!(ty.plural.as_str(), "configmaps" | "secrets") && old["immutable"] == true;
    if frozen && (old["data"] != new["data"] || old["binaryData"] != new["binaryData"]) {
        causes.push(FieldCause {
            reason: "FieldValueForbidden",
            message: "Forbidden: field is immutable when `immutable` is set".into(),
            field: "data".into(),
        });
    }
    if causes.is_empty() { Ok(()) } else { Err(ApiError::invalid(&ty.group, &ty.kind, name, causes)) }
}

/// Which part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The object (its status too, unless the resource has a status subresource).
    Main,
    /// Only `status` (the `/status` subresource).
    Status,
}

/// Merges an update onto the stored object: server-owned metadata is kept,
/// the part not being written is kept, and the generation follows spec changes.
pub fn prepare_update(ty: &ResourceType, part: Part, old: &Value, new: &mut Value) {
    match part {
        Part::Status => {
            let status = new.get("status").cloned();
            *new = old.clone();
            match status {
                Some(status) => new["status"] = status,
                None => {
                    if let Some(fields) = new.as_object_mut() {
                        fields.remove("status");
                    }
                }
            }
        }
        Part::Main if ty.status_subresource => match old.get("status") {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(fields) = new.as_object_mut() {
                    fields.remove("status");
                }
            }
        },
        Part::Main => {}
    }
    for kept in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
        match old["metadata"].get(kept) {
            Some(value) => new["metadata"][kept] = value.clone(),
            None => {
                if let Some(metadata) = new["metadata"].as_object_mut() {
                    metadata.remove(kept);
                }
            }
        }
    }
    if part == Part::Main {
        fold_string_data(ty, new);
    }
    if spec_of(old) != spec_of(new) {
        let generation = old["metadata"]["generation"].as_i64().unwrap_or(1);
        new["metadata"]["generation"] = Value::from(generation + 1);
    }
}

/// Whether two versions of an object differ in more than `resourceVersion`
/// (an update that changes nothing makes no new revision).
pub fn differs(old: &Value, new: &Value) -> bool {
    let strip = |object: &Value| {
        let mut object = object.clone();
        if let Some(metadata) = object["metadata"].as_object_mut() {
            metadata.remove("resourceVersion");
        }
        object
    };
    strip(old) != strip(new)
}

/// Whether the object is being deleted and only waits for finalizers.
pub fn is_terminating(object: &Value) -> bool {
    object["metadata"]["deletionTimestamp"].is_string()
}

pub fn has_finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"].as_array().is_some_and(|finalizers| !finalizers.is_empty())
}
