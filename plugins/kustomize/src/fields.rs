//! Field specs (where kustomize's transformers write) and the transformers
//! that walk them: namespace, labels, annotations, images, name references.

use serde_json::{Map, Value};

use crate::{Res, str_at};

/// Calls `f` on every map found at `path` (segments ending in `[]` walk each
/// element of a list). With `create`, missing maps along the way are created.
pub(crate) fn visit_maps(v: &mut Value, path: &[&str], create: bool, f: &mut dyn FnMut(&mut Map<String, Value>)) {
    let Some((first, rest)) = path.split_first() else {
        if let Value::Object(m) = v {
            f(m);
        }
        return;
    };
    let Value::Object(m) = v else { return };
    if let Some(field) = first.strip_suffix("[]") {
        if let Some(Value::Array(items)) = m.get_mut(field) {
            for it in items {
                visit_maps(it, rest, create, f);
            }
        }
        return;
    }
    if !m.contains_key(*first) || m.get(*first).is_some_and(Value::is_null) {
        if !create {
            return;
        }
        m.insert(first.to_string(), Value::Object(Map::new()));
    }
    if let Some(next) = m.get_mut(*first) {
        visit_maps(next, rest, create, f);
    }
}

fn split(p: &str) -> Vec<&str> {
    p.split('/').collect()
}

/// Whether kustomize's built-in OpenAPI data knows this kind to be cluster
/// scoped (kinds newer than that data, and CRDs, count as namespaced). With
/// `group`, the kind must also belong to its Kubernetes API group.
pub(crate) fn is_cluster_scoped(kind: &str, group: Option<&str>) -> bool {
    let expected: &[&str] = match kind {
        "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus" => &[""],
        "ClusterRole" | "ClusterRoleBinding" => &["rbac.authorization.k8s.io"],
        "CustomResourceDefinition" => &["apiextensions.k8s.io"],
        "StorageClass" | "VolumeAttachment" | "CSIDriver" | "CSINode" => &["storage.k8s.io"],
        "APIService" => &["apiregistration.k8s.io"],
        "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => &["admissionregistration.k8s.io"],
        "PriorityClass" => &["scheduling.k8s.io"],
        "IngressClass" => &["networking.k8s.io"],
        "RuntimeClass" => &["node.k8s.io"],
        "PodSecurityPolicy" => &["policy", "extensions"],
        "CertificateSigningRequest" => &["certificates.k8s.io"],
        _ => return false,
    };
    group.is_none_or(|g| expected.contains(&g))
}

pub(crate) fn set_namespace(list: &mut [Res], ns: &str) {
    for r in list.iter_mut() {
        let kind = r.kind().to_string();
        if kind == "Namespace" {
            r.set_name(ns.to_string());
            continue;
        }
        if kind == "APIService" {
            visit_maps(&mut r.obj, &["spec", "service"], false, &mut |m| {
                if m.contains_key("namespace") {
                    m.insert("namespace".into(), Value::String(ns.to_string()));
                }
            });
        }
        if matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            visit_maps(&mut r.obj, &["subjects[]"], false, &mut |m| {
                if m.get("name").and_then(Value::as_str) == Some("default") {
                    m.insert("namespace".into(), Value::String(ns.to_string()));
                }
            });
        }
        if !is_cluster_scoped(&kind, Some(r.group())) {
            crate::set_at(&mut r.obj, &["metadata", "namespace"], Value::String(ns.to_string()));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelScope {
    Metadata,
    Templates,
    Selectors,
}

/// (kind, path, create) where label selectors / templates live.
const TEMPLATE_LABELS: &[(&str, &str, bool)] = &[
    ("ReplicationController", "spec/template/metadata/labels", true),
    ("Deployment", "spec/template/metadata/labels", true),
    ("ReplicaSet", "spec/template/metadata/labels", true),
    ("DaemonSet", "spec/template/metadata/labels", true),
    ("StatefulSet", "spec/template/metadata/labels", true),
    ("StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true),
    ("Job", "spec/template/metadata/labels", true),
    ("CronJob", "spec/jobTemplate/metadata/labels", true),
    ("CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
];

const SELECTOR_LABELS: &[(&str, &str, bool)] = &[
    ("Service", "spec/selector", true),
    ("ReplicationController", "spec/selector", true),
    ("Deployment", "spec/selector/matchLabels", true),
    ("ReplicaSet", "spec/selector/matchLabels", true),
    ("DaemonSet", "spec/selector/matchLabels", true),
    ("StatefulSet", "spec/selector/matchLabels", true),
    ("Job", "spec/selector/matchLabels", false),
    ("CronJob", "spec/jobTemplate/spec/selector/matchLabels", false),
    ("PodDisruptionBudget", "spec/selector/matchLabels", false),
    ("NetworkPolicy", "spec/podSelector/matchLabels", false),
    ("NetworkPolicy", "spec/ingress[]/from[]/podSelector/matchLabels", false),
    ("NetworkPolicy", "spec/egress[]/to[]/podSelector/matchLabels", false),
];

const AFFINITY: &[&str] = &[
    "affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution[]/podAffinityTerm/labelSelector/matchLabels",
    "affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution[]/labelSelector/matchLabels",
    "affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution[]/podAffinityTerm/labelSelector/matchLabels",
    "affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution[]/labelSelector/matchLabels",
    "topologySpreadConstraints[]/labelSelector/matchLabels",
];

fn add_all(m: &mut Map<String, Value>, pairs: &Map<String, Value>) {
    for (k, v) in pairs {
        m.insert(k.clone(), v.clone());
    }
}

pub(crate) fn apply_labels(list: &mut [Res], pairs: &Map<String, Value>, scope: LabelScope) {
    for r in list.iter_mut() {
        let kind = r.kind().to_string();
        visit_maps(&mut r.obj, &["metadata", "labels"], true, &mut |m| add_all(m, pairs));
        if scope == LabelScope::Metadata {
            continue;
        }
        for (k, path, create) in TEMPLATE_LABELS {
            if *k == kind {
                visit_maps(&mut r.obj, &split(path), *create, &mut |m| add_all(m, pairs));
            }
        }
        if scope != LabelScope::Selectors {
            continue;
        }
        for (k, path, create) in SELECTOR_LABELS {
            if *k == kind {
                visit_maps(&mut r.obj, &split(path), *create, &mut |m| add_all(m, pairs));
            }
        }
        if matches!(kind.as_str(), "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet") {
            for a in AFFINITY {
                let p = format!("spec/template/spec/{a}");
                visit_maps(&mut r.obj, &split(&p), false, &mut |m| add_all(m, pairs));
            }
        }
    }
}

pub(crate) fn apply_annotations(list: &mut [Res], pairs: &Map<String, Value>) {
    for r in list.iter_mut() {
        let kind = r.kind().to_string();
        visit_maps(&mut r.obj, &["metadata", "annotations"], true, &mut |m| add_all(m, pairs));
        let paths: &[&str] = match kind.as_str() {
            "ReplicationController" | "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" => {
                &["spec/template/metadata/annotations"]
            }
            "CronJob" => {
                &["spec/jobTemplate/metadata/annotations", "spec/jobTemplate/spec/template/metadata/annotations"]
            }
            _ => &[],
        };
        for p in paths {
            visit_maps(&mut r.obj, &split(p), true, &mut |m| add_all(m, pairs));
        }
    }
}

/// Splits an image reference into (name, tag-or-digest suffix including its separator).
fn split_image(image: &str) -> (&str, &str) {
    if let Some(at) = image.find('@') {
        return (&image[..at], &image[at..]);
    }
    let slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
    match image[slash..].rfind(':') {
        Some(c) => (&image[..slash + c], &image[slash + c..]),
        None => (image, ""),
    }
}

pub(crate) fn update_images(v: &mut Value, images: &[Value]) {
    match v {
        Value::Object(m) => {
            for (k, child) in m.iter_mut() {
                if matches!(k.as_str(), "containers" | "initContainers" | "ephemeralContainers")
                    && let Value::Array(items) = child
                {
                    for c in items.iter_mut() {
                        if let Some(Value::String(img)) = c.get_mut("image")
                            && let Some(n) = new_image(img, images)
                        {
                            *img = n;
                        }
                    }
                }
                update_images(child, images);
            }
        }
        Value::Array(a) => {
            for i in a {
                update_images(i, images);
            }
        }
        _ => {}
    }
}

fn new_image(img: &str, images: &[Value]) -> Option<String> {
    let (name, suffix) = split_image(img);
    for i in images {
        if str_at(i, &["name"]) != name {
            continue;
        }
        let new_name = str_at(i, &["newName"]);
        let new_tag = match i.get("newTag") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => weir_go_yaml::format_number(n),
            _ => String::new(),
        };
        let digest = str_at(i, &["digest"]);
        let name = if new_name.is_empty() { name } else { new_name };
        let suffix = match (new_tag.is_empty(), digest.is_empty()) {
            (true, true) => suffix.to_string(),
            (false, true) => format!(":{new_tag}"),
            (true, false) => format!("@{digest}"),
            (false, false) => format!(":{new_tag}@{digest}"),
        };
        return Some(format!("{name}{suffix}"));
    }
    None
}

/// Where one kind of object is referred to by name: (referred kind, referrer
/// kind or "" for any kind, path to the map holding the name, name field).
const POD_REFS: &[(&str, &str, &str)] = &[
    ("ConfigMap", "volumes[]/configMap", "name"),
    ("ConfigMap", "volumes[]/projected/sources[]/configMap", "name"),
    ("ConfigMap", "containers[]/env[]/valueFrom/configMapKeyRef", "name"),
    ("ConfigMap", "initContainers[]/env[]/valueFrom/configMapKeyRef", "name"),
    ("ConfigMap", "ephemeralContainers[]/env[]/valueFrom/configMapKeyRef", "name"),
    ("ConfigMap", "containers[]/envFrom[]/configMapRef", "name"),
    ("ConfigMap", "initContainers[]/envFrom[]/configMapRef", "name"),
    ("ConfigMap", "ephemeralContainers[]/envFrom[]/configMapRef", "name"),
    ("Secret", "volumes[]/secret", "secretName"),
    ("Secret", "volumes[]/projected/sources[]/secret", "name"),
    ("Secret", "containers[]/env[]/valueFrom/secretKeyRef", "name"),
    ("Secret", "initContainers[]/env[]/valueFrom/secretKeyRef", "name"),
    ("Secret", "ephemeralContainers[]/env[]/valueFrom/secretKeyRef", "name"),
    ("Secret", "containers[]/envFrom[]/secretRef", "name"),
    ("Secret", "initContainers[]/envFrom[]/secretRef", "name"),
    ("Secret", "ephemeralContainers[]/envFrom[]/secretRef", "name"),
    ("Secret", "imagePullSecrets[]", "name"),
    ("Secret", "volumes[]/cephfs/secretRef", "name"),
    ("Secret", "volumes[]/cinder/secretRef", "name"),
    ("Secret", "volumes[]/flexVolume/secretRef", "name"),
    ("Secret", "volumes[]/rbd/secretRef", "name"),
    ("Secret", "volumes[]/iscsi/secretRef", "name"),
    ("Secret", "volumes[]/scaleIO/secretRef", "name"),
    ("Secret", "volumes[]/storageos/secretRef", "name"),
    ("Secret", "volumes[]/csi/nodePublishSecretRef", "name"),
    ("Secret", "volumes[]/azureFile", "secretName"),
    ("ServiceAccount", "", "serviceAccountName"),
    ("PersistentVolumeClaim", "volumes[]/persistentVolumeClaim", "claimName"),
    ("PriorityClass", "", "priorityClassName"),
];

fn pod_spec_paths(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &["spec"],
        "PodTemplate" => &["template/spec"],
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "Job" | "ReplicationController" => {
            &["spec/template/spec"]
        }
        "CronJob" => &["spec/jobTemplate/spec/template/spec"],
        _ => &[],
    }
}

const OTHER_REFS: &[(&str, &str, &str, &str)] = &[
    ("Service", "Ingress", "spec/rules[]/http/paths[]/backend/service", "name"),
    ("Service", "Ingress", "spec/defaultBackend/service", "name"),
    ("Service", "Ingress", "spec/rules[]/http/paths[]/backend", "serviceName"),
    ("Service", "Ingress", "spec/backend", "serviceName"),
    ("Service", "StatefulSet", "spec", "serviceName"),
    ("Secret", "Ingress", "spec/tls[]", "secretName"),
    ("Secret", "ServiceAccount", "imagePullSecrets[]", "name"),
    ("PersistentVolume", "PersistentVolumeClaim", "spec", "volumeName"),
    ("StorageClass", "PersistentVolumeClaim", "spec", "storageClassName"),
    ("StorageClass", "PersistentVolume", "spec", "storageClassName"),
    ("StorageClass", "StatefulSet", "spec/volumeClaimTemplates[]/spec", "storageClassName"),
    ("ConfigMap", "StatefulSet", "spec/volumeClaimTemplates[]/spec/dataSource", "name"),
];

/// References that carry the referent's namespace beside its name.
const NAMESPACED_REFS: &[(&str, &str, &str)] = &[
    ("Service", "ValidatingWebhookConfiguration", "webhooks[]/clientConfig/service"),
    ("Service", "MutatingWebhookConfiguration", "webhooks[]/clientConfig/service"),
    ("Service", "CustomResourceDefinition", "spec/conversion/webhook/clientConfig/service"),
];

/// Rewrites references to renamed objects to their final names.
pub(crate) fn fix_name_references(list: &mut [Res]) {
    // What every object was called and is called now.
    struct Target {
        kind: String,
        names: Vec<String>,
        name: String,
        ns: String,
        orig_ns: String,
    }
    let targets: Vec<Target> = list
        .iter()
        .map(|r| Target {
            kind: r.kind().to_string(),
            names: r.prev_names.clone(),
            name: r.name().to_string(),
            ns: r.namespace().to_string(),
            orig_ns: r.orig_ns.clone(),
        })
        .collect();
    let lookup = |kind: &str, old: &str, ns: &str, referrer_cluster_scoped: bool| -> Option<(String, String)> {
        let cands: Vec<&Target> =
            targets.iter().filter(|t| t.kind == kind && t.names.iter().any(|n| n == old)).collect();
        if cands.is_empty() {
            return None;
        }
        let d = |s: &str| if s.is_empty() { "default".to_string() } else { s.to_string() };
        let pick = cands
            .iter()
            .find(|t| d(&t.ns) == d(ns))
            .or_else(|| cands.iter().find(|t| d(&t.orig_ns) == d(ns)))
            .or(if is_cluster_scoped(kind, None) || referrer_cluster_scoped { cands.first() } else { None })?;
        Some((pick.name.clone(), pick.ns.clone()))
    };
    for r in list.iter_mut() {
        let kind = r.kind().to_string();
        let ns = r.namespace().to_string();
        let cluster = is_cluster_scoped(&kind, Some(r.group()));
        let fix = |obj: &mut Value, target_kind: &str, path: &str, field: &str| {
            visit_maps(obj, &split(path), false, &mut |m| {
                if let Some(Value::String(old)) = m.get(field)
                    && let Some((new, _)) = lookup(target_kind, old, &ns, cluster)
                {
                    m.insert(field.to_string(), Value::String(new));
                }
            });
        };
        for base in pod_spec_paths(&kind) {
            for (tk, rel, field) in POD_REFS {
                let p = if rel.is_empty() { base.to_string() } else { format!("{base}/{rel}") };
                fix(&mut r.obj, tk, &p, field);
            }
        }
        if kind == "APIService" {
            visit_maps(&mut r.obj, &["spec", "service"], false, &mut |m| {
                let Some(Value::String(old)) = m.get("name") else { return };
                let t = targets
                    .iter()
                    .find(|t| t.kind == "Service" && (t.name == *old || t.names.iter().any(|n| n == old)));
                if let Some(t) = t {
                    m.insert("name".into(), Value::String(t.name.clone()));
                    if !t.ns.is_empty() {
                        m.insert("namespace".into(), Value::String(t.ns.clone()));
                    }
                }
            });
        }
        for (tk, rk, path, field) in OTHER_REFS {
            if *rk == kind {
                fix(&mut r.obj, tk, path, field);
            }
        }
        for (tk, rk, path) in NAMESPACED_REFS {
            if *rk != kind {
                continue;
            }
            visit_maps(&mut r.obj, &split(path), false, &mut |m| {
                let Some(Value::String(old)) = m.get("name") else { return };
                let sns = m.get("namespace").and_then(Value::as_str).unwrap_or("").to_string();
                let cands: Vec<&Target> = targets
                    .iter()
                    .filter(|t| t.kind == *tk && (t.name == *old || t.names.iter().any(|n| n == old)))
                    .collect();
                let d = |s: &str| if s.is_empty() { "default".to_string() } else { s.to_string() };
                let pick = cands.iter().find(|t| sns.is_empty() || t.ns == sns || d(&t.orig_ns) == d(&sns));
                if let Some(t) = pick {
                    m.insert("name".into(), Value::String(t.name.clone()));
                    if !t.ns.is_empty() {
                        m.insert("namespace".into(), Value::String(t.ns.clone()));
                    }
                }
            });
        }
        if matches!(kind.as_str(), "RoleBinding" | "ClusterRoleBinding") {
            visit_maps(&mut r.obj, &["roleRef"], false, &mut |m| {
                let rk = m.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
                if let Some(Value::String(old)) = m.get("name")
                    && matches!(rk.as_str(), "Role" | "ClusterRole")
                    && let Some((new, _)) = lookup(&rk, old, &ns, cluster)
                {
                    m.insert("name".into(), Value::String(new));
                }
            });
            visit_maps(&mut r.obj, &["subjects[]"], false, &mut |m| {
                if m.get("kind").and_then(Value::as_str) != Some("ServiceAccount") {
                    return;
                }
                let sns = m.get("namespace").and_then(Value::as_str).unwrap_or("").to_string();
                let Some(Value::String(old)) = m.get("name") else { return };
                let cands: Vec<&Target> = targets
                    .iter()
                    .filter(|t| t.kind == "ServiceAccount" && (t.names.iter().any(|n| n == old) || t.name == *old))
                    .filter(|t| {
                        let d = |s: &str| if s.is_empty() { "default".to_string() } else { s.to_string() };
                        sns.is_empty() || d(&sns) == d(&t.orig_ns) || sns == t.ns
                    })
                    .collect();
                if let Some(t) = cands.first() {
                    m.insert("name".into(), Value::String(t.name.clone()));
                    if !t.ns.is_empty() {
                        m.insert("namespace".into(), Value::String(t.ns.clone()));
                    }
                }
            });
        }
        if kind == "HorizontalPodAutoscaler" {
            visit_maps(&mut r.obj, &["spec", "scaleTargetRef"], false, &mut |m| {
                let tk = m.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
                if let Some(Value::String(old)) = m.get("name")
                    && let Some((new, _)) = lookup(&tk, old, &ns, cluster)
                {
                    m.insert("name".into(), Value::String(new));
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_split() {
        assert_eq!(split_image("nginx"), ("nginx", ""));
        assert_eq!(split_image("nginx:1.2"), ("nginx", ":1.2"));
        assert_eq!(split_image("localhost:5000/nginx"), ("localhost:5000/nginx", ""));
        assert_eq!(split_image("r:5000/n:t"), ("r:5000/n", ":t"));
        assert_eq!(split_image("n@sha256:ab"), ("n", "@sha256:ab"));
    }
}

/// A kustomize field spec from `configurations` or `labels[].fields`.
#[derive(Clone, Debug, Default)]
pub(crate) struct FieldSpec {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub path: Vec<String>,
    pub create: bool,
}

impl FieldSpec {
    pub(crate) fn parse(v: &Value) -> Option<FieldSpec> {
        let s = |f: &str| v.get(f).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let path = s("path")?;
        Some(FieldSpec {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            path: split_fieldspec_path(&path),
            create: v.get("create").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    pub(crate) fn applies_to(&self, r: &Res) -> bool {
        self.group.as_deref().is_none_or(|g| g == r.group())
            && self.version.as_deref().is_none_or(|g| g == r.version())
            && self.kind.as_deref().is_none_or(|g| g == r.kind())
    }
}

/// Splits on `/` except where escaped as `\/`.
fn split_fieldspec_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&'/') {
            cur.push('/');
            chars.next();
        } else if c == '/' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Visits the node at a field spec path; lists met on the way are walked
/// element by element, as kustomize does. With `create`, missing maps are made
/// (the last segment is created as `leaf`'s value).
pub(crate) fn visit_fieldspec(v: &mut Value, path: &[String], create: Option<&Value>, f: &mut dyn FnMut(&mut Value)) {
    if let Value::Array(items) = v {
        for it in items.iter_mut() {
            visit_fieldspec(it, path, create, f);
        }
        return;
    }
    let Some((seg, rest)) = path.split_first() else {
        f(v);
        return;
    };
    let Value::Object(m) = v else { return };
    let missing = m.get(seg.as_str()).is_none_or(Value::is_null);
    if missing {
        let Some(leaf) = create else { return };
        let fresh = if rest.is_empty() { leaf.clone() } else { Value::Object(Map::new()) };
        m.insert(seg.clone(), fresh);
    }
    if let Some(next) = m.get_mut(seg.as_str()) {
        visit_fieldspec(next, rest, create, f);
    }
}

/// Custom transformer configuration (`configurations:` files).
#[derive(Clone, Debug, Default)]
pub(crate) struct CustomConfig {
    pub common_labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    /// (referred kind, referrer field specs)
    pub name_refs: Vec<(String, FieldSpec)>,
}

impl CustomConfig {
    pub(crate) fn merge_doc(&mut self, doc: &Value) {
        let specs = |f: &str| -> Vec<FieldSpec> {
            match doc.get(f) {
                Some(Value::Array(a)) => a.iter().filter_map(FieldSpec::parse).collect(),
                _ => Vec::new(),
            }
        };
        self.common_labels.extend(specs("commonLabels"));
        self.common_annotations.extend(specs("commonAnnotations"));
        self.images.extend(specs("images"));
        if let Some(Value::Array(refs)) = doc.get("nameReference") {
            for r in refs {
                let kind = str_at(r, &["kind"]).to_string();
                if let Some(Value::Array(fs)) = r.get("fieldSpecs") {
                    for f in fs.iter().filter_map(FieldSpec::parse) {
                        self.name_refs.push((kind.clone(), f));
                    }
                }
            }
        }
    }
}

/// Adds `pairs` to the maps at custom field specs.
pub(crate) fn apply_map_specs(list: &mut [Res], specs: &[FieldSpec], pairs: &Map<String, Value>) {
    for r in list.iter_mut() {
        let applicable: Vec<&FieldSpec> = specs.iter().filter(|fs| fs.applies_to(r)).collect();
        for fs in applicable {
            let create = Value::Object(Map::new());
            visit_fieldspec(&mut r.obj, &fs.path, fs.create.then_some(&create), &mut |v| {
                if let Value::Object(m) = v {
                    add_all(m, pairs);
                }
            });
        }
    }
}

/// Rewrites image strings at custom field specs.
pub(crate) fn apply_image_specs(list: &mut [Res], specs: &[FieldSpec], images: &[Value]) {
    for r in list.iter_mut() {
        let applicable: Vec<&FieldSpec> = specs.iter().filter(|fs| fs.applies_to(r)).collect();
        for fs in applicable {
            visit_fieldspec(&mut r.obj, &fs.path, None, &mut |v| {
                if let Value::String(img) = v
                    && let Some(n) = new_image(img, images)
                {
                    *img = n;
                }
            });
        }
    }
}

/// Name references declared in `configurations`.
pub(crate) fn fix_custom_name_references(list: &mut [Res], refs: &[(String, FieldSpec)]) {
    if refs.is_empty() {
        return;
    }
    let targets: Vec<(String, Vec<String>, String, String)> = list
        .iter()
        .map(|r| (r.kind().to_string(), r.prev_names.clone(), r.name().to_string(), r.namespace().to_string()))
        .collect();
    for r in list.iter_mut() {
        let ns = r.namespace().to_string();
        let applicable: Vec<&(String, FieldSpec)> = refs.iter().filter(|(_, fs)| fs.applies_to(r)).collect();
        for (kind, fs) in applicable {
            visit_fieldspec(&mut r.obj, &fs.path, None, &mut |v| {
                let Value::String(old) = v else { return };
                let cands: Vec<&(String, Vec<String>, String, String)> =
                    targets.iter().filter(|t| t.0 == *kind && t.1.iter().any(|n| n == old)).collect();
                let pick = cands.iter().find(|t| t.3 == ns).or(if cands.len() == 1 { cands.first() } else { None });
                if let Some(t) = pick {
                    *old = t.2.clone();
                }
            });
        }
    }
}
