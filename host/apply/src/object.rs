//! Manifests as the apply engine handles them, and their identities.

use std::fmt;

use kube::core::GroupVersionKind;
use serde_json::Value;

/// A manifest: any Kubernetes object, kept as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Object(pub Value);

/// A manifest the engine cannot handle, naming the document.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("invalid YAML in document {index}: {message}")]
    Yaml { index: usize, message: String },
    #[error("document {index} is not a Kubernetes object: {message}")]
    NotAnObject { index: usize, message: String },
}

/// Reads a multi-document YAML stream (as renderers print it) as the Go tools read it;
/// empty documents are skipped, but count in the document numbers of errors.
pub fn parse_stream(text: &str) -> Result<Vec<Object>, ParseError> {
    let documents = weir_go_yaml::parse_documents(text, &weir_go_yaml::ParseOptions::default())
        .map_err(|error| ParseError::Yaml { index: error.document, message: error.message })?;
    let mut objects = Vec::new();
    for (index, value) in (1..).zip(documents) {
        if value.is_null() {
            continue;
        }
        objects.push(Object::new(value).map_err(|message| ParseError::NotAnObject { index, message })?);
    }
    Ok(objects)
}

impl Object {
    /// Checks the fields every object needs: `apiVersion`, `kind`, `metadata.name`.
    pub fn new(value: Value) -> Result<Self, String> {
        if !value.is_object() {
            return Err("expected a mapping".into());
        }
        for (field, present) in [
            ("apiVersion", value["apiVersion"].as_str().is_some_and(|text| !text.is_empty())),
            ("kind", value["kind"].as_str().is_some_and(|text| !text.is_empty())),
            ("metadata.name", value["metadata"]["name"].as_str().is_some_and(|text| !text.is_empty())),
        ] {
            if !present {
                return Err(format!("{field} is missing"));
            }
        }
        Ok(Self(value))
    }

    pub fn api_version(&self) -> &str {
        self.0["apiVersion"].as_str().unwrap_or_default()
    }

    pub fn kind(&self) -> &str {
        self.0["kind"].as_str().unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.0["metadata"]["name"].as_str().unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.0["metadata"]["namespace"].as_str().filter(|namespace| !namespace.is_empty())
    }

    pub fn gvk(&self) -> GroupVersionKind {
        let (group, version) = split_api_version(self.api_version());
        GroupVersionKind::gvk(group, version, self.kind())
    }

    pub fn id(&self) -> ObjectId {
        ObjectId {
            group: self.gvk().group,
            kind: self.kind().to_owned(),
            namespace: self.namespace().unwrap_or_default().to_owned(),
            name: self.name().to_owned(),
        }
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.0["metadata"]["annotations"][key].as_str()
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.0["metadata"]["labels"][key].as_str()
    }

    pub fn set_namespace(&mut self, namespace: &str) {
        self.0["metadata"]["namespace"] = Value::String(namespace.to_owned());
    }

    /// Adds or replaces labels (creating `metadata.labels` when missing).
    pub fn set_labels<'a>(&mut self, labels: impl IntoIterator<Item = (&'a str, &'a str)>) {
        let metadata = &mut self.0["metadata"];
        if !metadata["labels"].is_object() {
            metadata["labels"] = Value::Object(Default::default());
        }
        for (key, value) in labels {
            metadata["labels"][key] = Value::String(value.to_owned());
        }
    }
}

/// `group/version` (or `version` for the core group) split in two.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

/// Which object: what an inventory records, without the version.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub group: String,
    pub kind: String,
    /// Empty for cluster-scoped objects.
    pub namespace: String,
    pub name: String,
}

impl ObjectId {
    /// Flux's inventory entry id: `<namespace>_<name>_<group>_<kind>`.
    pub fn inventory_id(&self) -> String {
        format!("{}_{}_{}_{}", self.namespace, self.name, self.group, self.kind)
    }

    /// Reads an inventory entry id back; `None` when it is not one.
    pub fn from_inventory_id(id: &str) -> Option<Self> {
        // Names, namespaces, groups and kinds never hold '_', so the split is unambiguous.
        let mut parts = id.split('_');
        let (namespace, name, group, kind) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || name.is_empty() || kind.is_empty() {
            return None;
        }
        Some(Self { group: group.into(), kind: kind.into(), namespace: namespace.into(), name: name.into() })
    }
}

/// As Flux names objects in messages: `Kind/namespace/name`, or `Kind/name` when cluster-scoped.
impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_skip_empty_documents_and_name_bad_ones() {
        let objects = parse_stream("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b, namespace: x}\n").unwrap();
        assert_eq!(objects.len(), 2);
        assert_eq!(objects[1].id().to_string(), "Deployment/x/b");
        assert_eq!(objects[1].gvk().group, "apps");
        let error = parse_stream("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n").unwrap_err();
        assert!(error.to_string().starts_with("invalid YAML in document 2: "), "{error}");
        let error = parse_stream("---\n---\nkind: A\n").unwrap_err();
        assert_eq!(error.to_string(), "document 2 is not a Kubernetes object: apiVersion is missing");
        let error = parse_stream("apiVersion: v1\nmetadata: {name: a}\n").unwrap_err();
        assert_eq!(error.to_string(), "document 1 is not a Kubernetes object: kind is missing");
    }

    #[test]
    fn inventory_ids_round_trip() {
        let id = ObjectId { group: "".into(), kind: "Service".into(), namespace: "default".into(), name: "web".into() };
        assert_eq!(id.inventory_id(), "default_web__Service");
        assert_eq!(ObjectId::from_inventory_id("default_web__Service"), Some(id));
        let cluster = ObjectId::from_inventory_id("_apps_apiextensions.k8s.io_CustomResourceDefinition").unwrap();
        assert_eq!(cluster.to_string(), "CustomResourceDefinition/apps");
        assert_eq!(ObjectId::from_inventory_id("a_b_c"), None);
    }
}
