//! Rendered files into install-ordered manifests and hooks (Helm's
//! `releaseutil.SplitManifests` and `SortManifests`).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use weir_gotemplate::Value;

use crate::decode::{scalar_string, unmarshal_error};

/// Helm's document separator: `---` at the start or after a newline, with the
/// blanks around it (RE2's `\s`, ASCII only).
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").expect("constant regex"));

/// The annotations that make a document a hook.
const HOOK_ANNOTATION: &str = "helm.sh/hook";
const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";

/// Kinds in the order Helm 3.18 installs them; other kinds follow, by name.
pub const INSTALL_ORDER: [&str; 36] = [
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    /// A rendered document whose head (kind, metadata) does not decode.
    #[error("YAML parse error on {path}: {message}")]
    Parse { path: String, message: String },
}

/// One rendered document that is not a hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The template it came from (`chart/templates/x.yaml`).
    pub name: String,
    pub content: String,
    pub kind: String,
}

impl Manifest {
    /// A manifest whose kind is read from its content (empty when it has none
    /// or does not parse), as for `crds/` files.
    pub fn new(name: String, content: String) -> Manifest {
        let kind = head(&content).map(|h| h.kind).unwrap_or_default();
        Manifest { name, content, kind }
    }
}

/// One rendered document annotated `helm.sh/hook`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// `metadata.name`.
    pub name: String,
    pub kind: String,
    /// The template it came from.
    pub path: String,
    pub manifest: String,
    /// Lower-cased events; `test-success` reads as `test`.
    pub events: Vec<String>,
    pub weight: i64,
    /// Lower-cased, in annotation order.
    pub delete_policies: Vec<String>,
}

/// Helm's `SplitManifests`: the documents of a rendered file, trimmed, empty ones dropped.
pub fn split_manifests(text: &str) -> Vec<String> {
    SEPARATOR.split(text.trim()).filter(|d| !d.is_empty()).map(|d| d.trim().to_owned()).collect()
}

/// Helm's `SortManifests` over rendered files (path → text): partials and
/// blank files skipped, documents split, hooks separated; both sorted by kind.
pub fn sort_manifests(files: &BTreeMap<String, String>) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    sort_manifests_logged(files, &mut Vec::new())
}

/// [`sort_manifests`], collecting what Helm logs (`info: skipping unknown hook: …`).
pub fn sort_manifests_logged(
    files: &BTreeMap<String, String>,
    log: &mut Vec<String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), ManifestError> {
    let mut hooks = Vec::new();
    let mut manifests = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || content.trim().is_empty() {
            continue;
        }
        for doc in split_manifests(content) {
            let head = head(&doc).map_err(|message| ManifestError::Parse { path: path.clone(), message })?;
            let Some(hook_types) = head.annotations.get(HOOK_ANNOTATION) else {
                manifests.push(Manifest { name: path.clone(), content: doc, kind: head.kind });
                continue;
            };
            let events: Option<Vec<String>> =
                hook_types.split(',').map(|t| hook_event(&t.trim().to_lowercase())).collect();
            let Some(events) = events else {
                log.push(format!("info: skipping unknown hook: {hook_types:?}"));
                continue;
            };
            let weight = head.annotations.get(HOOK_WEIGHT_ANNOTATION).and_then(|w| go_atoi(w)).unwrap_or(0);
            let delete_policies = head
                .annotations
                .get(HOOK_DELETE_ANNOTATION)
                .map(|p| p.split(',').map(|p| p.trim().to_lowercase()).collect())
                .unwrap_or_default();
            hooks.push(Hook {
                name: head.name,
                kind: head.kind,
                path: path.clone(),
                manifest: doc,
                events,
                weight,
                delete_policies,
            });
        }
    }
    // Stable sorts: documents of one kind keep their file and document order.
    manifests.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    hooks.sort_by(|a, b| kind_order(&a.kind, &b.kind));
    Ok((hooks, manifests))
}

fn hook_event(name: &str) -> Option<String> {
    let event = match name {
        "pre-install" | "post-install" | "pre-delete" | "post-delete" | "pre-upgrade" | "post-upgrade"
        | "pre-rollback" | "post-rollback" | "test" => name,
        "test-success" => "test",
        _ => return None,
    };
    Some(event.to_owned())
}

/// Known kinds by install order, then unknown kinds by name.
fn kind_order(a: &str, b: &str) -> std::cmp::Ordering {
    let rank = |k: &str| INSTALL_ORDER.iter().position(|known| *known == k);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Go's `strconv.Atoi`.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// What Helm reads of each document (`releaseutil.SimpleHead`).
#[derive(Debug, Default)]
struct Head {
    kind: String,
    name: String,
    annotations: BTreeMap<String, String>,
}

const METADATA_TYPE: &str =
    r#"struct { Name string "json:\"name\""; Annotations map[string]string "json:\"annotations\"" }"#;

/// Decodes a document's head as sigs.k8s.io/yaml into `SimpleHead` would,
/// with encoding/json's errors.
fn head(doc: &str) -> Result<Head, String> {
    let mut head = Head::default();
    let top = match weir_sprig::yaml::from_yaml(doc)? {
        Value::Nil => return Ok(head),
        Value::Map(m) => m.borrow().clone(),
        other => return Err(unmarshal_error(&other, "Go value of type releaseutil.SimpleHead")),
    };
    if let Some(v) = field(&top, "apiVersion") {
        scalar(&v).ok_or_else(|| unmarshal_error(&v, "Go struct field SimpleHead.apiVersion of type string"))?;
    }
    if let Some(v) = field(&top, "kind") {
        head.kind = scalar(&v).ok_or_else(|| unmarshal_error(&v, "Go struct field SimpleHead.kind of type string"))?;
    }
    let metadata = match field(&top, "metadata") {
        None | Some(Value::Nil) => return Ok(head),
        Some(Value::Map(m)) => m.borrow().clone(),
        Some(other) => {
            return Err(unmarshal_error(
                &other,
                &format!("Go struct field SimpleHead.metadata of type {METADATA_TYPE}"),
            ));
        }
    };
    if let Some(v) = field(&metadata, "name") {
        head.name = scalar(&v).ok_or_else(|| unmarshal_error(&v, "Go struct field .metadata.name of type string"))?;
    }
    match field(&metadata, "annotations") {
        None | Some(Value::Nil) => {}
        Some(Value::Map(m)) => {
            for (k, v) in m.borrow().iter() {
                let s = scalar(v)
                    .ok_or_else(|| unmarshal_error(v, "Go struct field .metadata.annotations of type string"))?;
                head.annotations.insert(k.clone(), s);
            }
        }
        Some(other) => {
            return Err(unmarshal_error(&other, "Go struct field .metadata.annotations of type map[string]string"));
        }
    }
    Ok(head)
}

/// A struct field by its JSON name; encoding/json also accepts other cases.
fn field(map: &weir_gotemplate::Map, name: &str) -> Option<Value> {
    map.get(name).or_else(|| map.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)).cloned()
}

/// A scalar as a Go string field receives it (null: empty).
fn scalar(value: &Value) -> Option<String> {
    scalar_string(value).map(Option::unwrap_or_default)
}
