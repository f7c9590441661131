//! Which resources the server serves: the built-in kinds, and custom
//! resources registered at runtime from CustomResourceDefinitions.

use std::sync::{Arc, RwLock};

/// A resource independent of version: how objects are keyed in the store,
/// so every served version of a kind shares one set of objects.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupResource {
    /// Empty for the core group.
    pub group: String,
    /// The plural, lower-case resource name (`deployments`).
    pub resource: String,
}

/// One resource at one version, as discovery describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceType {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Whether `/status` is served (and spec writes ignore status).
    pub status_subresource: bool,
    /// Where `/scale` reads and writes, when it is served.
    pub scale: Option<ScalePaths>,
    /// Only `create` is served (reviews: SelfSubjectAccessReview, SelfSubjectReview…).
    pub create_only: bool,
    /// The structural schema of a custom resource (`openAPIV3Schema`).
    pub schema: Option<Arc<serde_json::Value>>,
    /// A custom resource's `additionalPrinterColumns`.
    pub printer_columns: Vec<PrinterColumn>,
}

/// One column of `kubectl get`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterColumn {
    pub name: String,
    /// `string`, `integer`, `number`, `boolean`, `date`.
    pub kind: String,
    pub json_path: String,
    pub priority: i64,
    pub description: String,
}

impl ResourceType {
    pub fn group_resource(&self) -> GroupResource {
        GroupResource { group: self.group.clone(), resource: self.plural.clone() }
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }

    /// The verbs discovery lists.
    pub fn verbs(&self) -> Vec<&'static str> {
        if self.create_only {
            vec!["create"]
        } else {
            vec!["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        }
    }
}

/// The fields behind a `/scale` subresource, as dotted paths (`.spec.replicas`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalePaths {
    pub spec_replicas: String,
    pub status_replicas: String,
    /// Where the label selector is, in its string form (CRDs) or as `spec.selector` (built-ins).
    pub label_selector: Option<String>,
}

impl ScalePaths {
    fn builtin() -> Self {
        Self {
            spec_replicas: ".spec.replicas".into(),
            status_replicas: ".status.replicas".into(),
            label_selector: None,
        }
    }
}

/// Built-in kinds: (group, version, kind, plural, namespaced, short names,
/// subresources, categories). Stored schemaless, like custom resources.
const BUILTIN: &[(&str, &str, &str, &str, bool, &[&str], &[&str], &[&str])] = &[
    ("", "v1", "Namespace", "namespaces", false, &["ns"], &["status"], &[]),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"], &[], &[]),
    ("", "v1", "Secret", "secrets", true, &[], &[], &[]),
    ("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"], &[], &[]),
    ("", "v1", "Service", "services", true, &["svc"], &["status"], &["all"]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"], &[], &[]),
    ("", "v1", "Pod", "pods", true, &["po"], &["status"], &["all"]),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, &["pvc"], &["status"], &[]),
    ("", "v1", "PersistentVolume", "persistentvolumes", false, &["pv"], &["status"], &[]),
    ("", "v1", "Event", "events", true, &["ev"], &[], &[]),
    ("", "v1", "Node", "nodes", false, &["no"], &["status"], &[]),
    ("", "v1", "LimitRange", "limitranges", true, &["limits"], &[], &[]),
    ("", "v1", "ResourceQuota", "resourcequotas", true, &["quota"], &["status"], &[]),
    ("", "v1", "ReplicationController", "replicationcontrollers", true, &["rc"], &["status", "scale"], &["all"]),
    ("apps", "v1", "Deployment", "deployments", true, &["deploy"], &["status", "scale"], &["all"]),
    ("apps", "v1", "ReplicaSet", "replicasets", true, &["rs"], &["status", "scale"], &["all"]),
    ("apps", "v1", "StatefulSet", "statefulsets", true, &["sts"], &["status", "scale"], &["all"]),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"], &["status"], &["all"]),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", true, &[], &[], &[]),
    ("batch", "v1", "Job", "jobs", true, &[], &["status"], &["all"]),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"], &["status"], &["all"]),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", true, &["ing"], &["status"], &[]),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, &["netpol"], &[], &[]),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, &[], &[], &[]),
    ("events.k8s.io", "v1", "Event", "events", true, &["ev"], &[], &[]),
    ("coordination.k8s.io", "v1", "Lease", "leases", true, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", true, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, &[], &[], &[]),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, &[], &[], &[]),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
        &["status"],
        &[],
    ),
    ("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, &[], &[], &[]),
    ("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, &[], &[], &[]),
    ("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, &[], &[], &[]),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, &["pdb"], &["status"], &[]),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, &["hpa"], &["status"], &["all"]),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, &["sc"], &[], &[]),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, &["pc"], &[], &[]),
    (
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        &[],
        &[],
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        &[],
        &[],
        &[],
    ),
];

/// The resources served, in registration order (discovery lists them so).
#[derive(Debug, Default)]
pub struct Registry {
    types: RwLock<Vec<Arc<ResourceType>>>,
}

impl Registry {
    /// A registry with every built-in kind.
    pub fn with_builtins() -> Self {
        let types = BUILTIN
            .iter()
            .map(|&(group, version, kind, plural, namespaced, short_names, subresources, categories)| {
                Arc::new(ResourceType {
                    group: group.into(),
                    version: version.into(),
                    kind: kind.into(),
                    plural: plural.into(),
                    singular: kind.to_ascii_lowercase(),
                    namespaced,
                    short_names: short_names.iter().map(|name| (*name).into()).collect(),
                    categories: categories.iter().map(|name| (*name).into()).collect(),
                    status_subresource: subresources.contains(&"status"),
                    scale: subresources.contains(&"scale").then(ScalePaths::builtin),
                    create_only: plural.ends_with("reviews"),
                    schema: None,
                    printer_columns: Vec::new(),
                })
            })
            .collect();
        Self { types: RwLock::new(types) }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<ResourceType>>> {
        self.types.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The resource served at `group/version` under the plural `resource`.
    pub fn lookup(&self, group: &str, version: &str, resource: &str) -> Option<Arc<ResourceType>> {
        self.read().iter().find(|ty| ty.group == group && ty.version == version && ty.plural == resource).cloned()
    }

    /// Some served version of `resource` (all versions share storage).
    pub fn lookup_resource(&self, resource: &GroupResource) -> Option<Arc<ResourceType>> {
        self.read().iter().find(|ty| ty.group_resource() == *resource).cloned()
    }

    /// Every group with its versions, the preferred (first registered) first;
    /// the core group is not included (it is served under `/api`).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for ty in self.read().iter().filter(|ty| !ty.group.is_empty()) {
            match groups.iter_mut().find(|(group, _)| *group == ty.group) {
                Some((_, versions)) if !versions.contains(&ty.version) => versions.push(ty.version.clone()),
                Some(_) => {}
                None => groups.push((ty.group.clone(), vec![ty.version.clone()])),
            }
        }
        groups
    }

    /// The resources served at `group/version`.
    pub fn resources(&self, group: &str, version: &str) -> Vec<Arc<ResourceType>> {
        self.read().iter().filter(|ty| ty.group == group && ty.version == version).cloned().collect()
    }

    /// Serves `types` (the served versions of one custom resource) instead
    /// of whatever was registered for `resource` before.
    pub fn register(&self, resource: &GroupResource, types: Vec<ResourceType>) {
        let mut registered = self.types.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        registered.retain(|ty| ty.group_resource() != *resource);
        registered.extend(types.into_iter().map(Arc::new));
    }
}
