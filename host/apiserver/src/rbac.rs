//! Who may do what: RBAC (Role/ClusterRole rules reached through
//! RoleBindings/ClusterRoleBindings), evaluated on every request of a user
//! outside `system:masters`, and the access reviews that ask the same question.

use serde_json::{Value, json};

use crate::handlers::Api;
use crate::registry::GroupResource;
use crate::store::ObjectKey;

/// An authenticated (or impersonated) user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

pub const MASTERS: &str = "system:masters";

impl UserInfo {
    /// A user with the groups Kubernetes adds: `system:authenticated`, and
    /// for a service account `system:serviceaccounts[:NAMESPACE]`.
    pub fn new(name: &str, groups: &[String]) -> Self {
        let mut all: Vec<String> = groups.to_vec();
        let mut add = |group: String| {
            if !all.contains(&group) {
                all.push(group);
            }
        };
        if let Some(namespace) = name.strip_prefix("system:serviceaccount:").and_then(|rest| rest.split(':').next()) {
            add("system:serviceaccounts".into());
            add(format!("system:serviceaccounts:{namespace}"));
        }
        add("system:authenticated".into());
        Self { name: name.to_owned(), groups: all }
    }

    pub fn is_master(&self) -> bool {
        self.groups.iter().any(|group| group == MASTERS)
    }
}

/// What a request does, in RBAC's terms.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    /// Set for non-resource requests (`/version`, `/healthz`, ...).
    pub path: Option<String>,
}

impl Attributes {
    /// The 403 message kube-apiserver gives.
    pub fn forbidden_message(&self, user: &str) -> String {
        if let Some(path) = &self.path {
            return format!("forbidden: User \"{user}\" cannot {} path \"{path}\"", self.verb);
        }
        let resource = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let subject = if self.name.is_empty() { resource.clone() } else { format!("{resource} \"{}\"", self.name) };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_owned()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{subject} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            self.verb, self.group
        )
    }
}

fn strings(value: &Value) -> impl Iterator<Item = &str> {
    value.as_array().into_iter().flatten().filter_map(Value::as_str)
}

fn contains_or_star(list: &Value, wanted: &str) -> bool {
    strings(list).any(|item| item == "*" || item == wanted)
}

/// Whether one PolicyRule allows the request.
fn rule_allows(rule: &Value, attributes: &Attributes) -> bool {
    if !contains_or_star(&rule["verbs"], &attributes.verb) {
        return false;
    }
    if let Some(path) = &attributes.path {
        return strings(&rule["nonResourceURLs"]).any(|allowed| {
            allowed == "*"
                || allowed == path
                || allowed.strip_suffix('*').is_some_and(|prefix| path.starts_with(prefix))
        });
    }
    let resource = if attributes.subresource.is_empty() {
        attributes.resource.clone()
    } else {
        format!("{}/{}", attributes.resource, attributes.subresource)
    };
    let resource_matches = strings(&rule["resources"]).any(|allowed| {
        allowed == "*"
            || allowed == resource
            || (!attributes.subresource.is_empty() && allowed == format!("*/{}", attributes.subresource))
    });
    let names = &rule["resourceNames"];
    let name_matches = strings(names).next().is_none() || strings(names).any(|name| name == attributes.name);
    contains_or_star(&rule["apiGroups"], &attributes.group) && resource_matches && name_matches
}

fn subject_matches(subject: &Value, user: &UserInfo) -> bool {
    let name = subject["name"].as_str().unwrap_or("");
    match subject["kind"].as_str().unwrap_or("") {
        "User" => user.name == name,
        "Group" => user.groups.iter().any(|group| group == name),
        "ServiceAccount" => {
            user.name == format!("system:serviceaccount:{}:{name}", subject["namespace"].as_str().unwrap_or(""))
        }
        _ => false,
    }
}

fn key(resource: &str, namespace: &str, name: &str) -> ObjectKey {
    ObjectKey {
        resource: GroupResource { group: "rbac.authorization.k8s.io".into(), resource: resource.into() },
        namespace: namespace.into(),
        name: name.into(),
    }
}

impl Api {
    /// Whether `user` may do what `attributes` describe.
    pub fn allowed(&self, user: &UserInfo, attributes: &Attributes) -> bool {
        if user.is_master() {
            return true;
        }
        let binding_allows = |binding: &Value, binding_namespace: &str| {
            let listed =
                binding["subjects"].as_array().into_iter().flatten().any(|subject| subject_matches(subject, user));
            if !listed {
                return false;
            }
            let role_ref = &binding["roleRef"];
            let role_name = role_ref["name"].as_str().unwrap_or("");
            let role = match role_ref["kind"].as_str() {
                Some("ClusterRole") => self.store.get(&key("clusterroles", "", role_name)),
                Some("Role") => self.store.get(&key("roles", binding_namespace, role_name)),
                _ => None,
            };
            role.is_some_and(|role| {
                role["rules"].as_array().into_iter().flatten().any(|rule| rule_allows(rule, attributes))
            })
        };
        let cluster_wide = self.store.list(&key("clusterrolebindings", "", "").resource, None).0;
        if cluster_wide.iter().any(|binding| binding_allows(binding, "")) {
            return true;
        }
        if attributes.namespace.is_empty() || attributes.path.is_some() {
            return false;
        }
        let namespaced = self.store.list(&key("rolebindings", "", "").resource, Some(&attributes.namespace)).0;
        namespaced.iter().any(|binding| binding_allows(binding, &attributes.namespace))
    }

    /// The ClusterRoles every cluster starts with, and `system:masters`' binding.
    pub(crate) fn bootstrap_rbac(&self) -> Vec<Value> {
        let read = json!(["get", "list", "watch"]);
        let write = json!(["create", "update", "patch", "delete", "deletecollection"]);
        let everything = json!(["*"]);
        let namespaced_groups = json!([
            "",
            "apps",
            "batch",
            "networking.k8s.io",
            "policy",
            "autoscaling",
            "coordination.k8s.io",
            "events.k8s.io"
        ]);
        let namespaced_resources = json!([
            "configmaps",
            "secrets",
            "serviceaccounts",
            "services",
            "endpoints",
            "pods",
            "pods/log",
            "persistentvolumeclaims",
            "events",
            "limitranges",
            "resourcequotas",
            "replicationcontrollers",
            "deployments",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
            "daemonsets",
            "controllerrevisions",
            "jobs",
            "cronjobs",
            "ingresses",
            "networkpolicies",
            "poddisruptionbudgets",
            "horizontalpodautoscalers",
            "leases"
        ]);
        let cluster_role = |name: &str, rules: Value| json!({ "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": { "name": name }, "rules": rules });
        vec![
            cluster_role(
                "cluster-admin",
                json!([
                    { "apiGroups": everything, "resources": everything, "verbs": everything },
                    { "nonResourceURLs": everything, "verbs": everything },
                ]),
            ),
            cluster_role(
                "admin",
                json!([
                    { "apiGroups": namespaced_groups, "resources": namespaced_resources, "verbs": everything },
                    { "apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": everything },
                ]),
            ),
            cluster_role(
                "edit",
                json!([
                    { "apiGroups": namespaced_groups, "resources": namespaced_resources, "verbs": write },
                    { "apiGroups": namespaced_groups, "resources": namespaced_resources, "verbs": read },
                ]),
            ),
            cluster_role(
                "view",
                json!([{ "apiGroups": namespaced_groups, "resources": namespaced_resources, "verbs": read }]),
            ),
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": { "name": "cluster-admin" },
                "roleRef": { "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin" },
                "subjects": [{ "apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": MASTERS }],
            }),
        ]
    }

    /// Answers a SelfSubjectAccessReview (for `user`) or SubjectAccessReview
    /// (for the user in its spec): the review with its `status` filled in.
    pub fn review(&self, user: &UserInfo, mut review: Value) -> Value {
        let spec = &review["spec"];
        let subject = if review["kind"] == "SubjectAccessReview" {
            let groups: Vec<String> = strings(&spec["groups"]).map(str::to_owned).collect();
            UserInfo { name: spec["user"].as_str().unwrap_or("").to_owned(), groups }
        } else {
            user.clone()
        };
        let attributes = if let Some(resource) = spec["resourceAttributes"].as_object() {
            let text = |field: &str| resource.get(field).and_then(Value::as_str).unwrap_or("").to_owned();
            Attributes {
                verb: text("verb"),
                group: text("group"),
                resource: text("resource"),
                subresource: text("subresource"),
                namespace: text("namespace"),
                name: text("name"),
                path: None,
            }
        } else {
            let attributes = &spec["nonResourceAttributes"];
            Attributes {
                verb: attributes["verb"].as_str().unwrap_or("").to_owned(),
                path: Some(attributes["path"].as_str().unwrap_or("").to_owned()),
                ..Attributes::default()
            }
        };
        let allowed = self.allowed(&subject, &attributes);
        review["status"] =
            if allowed { json!({ "allowed": true, "reason": "allowed by RBAC" }) } else { json!({ "allowed": false }) };
        review
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_accounts_get_their_groups() {
        let user = UserInfo::new("system:serviceaccount:team-a:deployer", &[]);
        assert_eq!(user.groups, ["system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"]);
    }

    #[test]
    fn rules_match_verbs_groups_resources_names_and_paths() {
        let rule = json!({ "apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "patch"], "resourceNames": ["web"] });
        let request = |verb: &str, resource: &str, subresource: &str, name: &str| Attributes {
            verb: verb.into(),
            group: "apps".into(),
            resource: resource.into(),
            subresource: subresource.into(),
            namespace: "a".into(),
            name: name.into(),
            path: None,
        };
        assert!(rule_allows(&rule, &request("get", "deployments", "", "web")));
        assert!(rule_allows(&rule, &request("patch", "deployments", "scale", "web")));
        assert!(!rule_allows(&rule, &request("get", "deployments", "", "db")));
        assert!(!rule_allows(&rule, &request("delete", "deployments", "", "web")));
        assert!(!rule_allows(&rule, &request("get", "deployments", "status", "web")));
        let paths = json!({ "nonResourceURLs": ["/healthz", "/apis/*"], "verbs": ["get"] });
        let path = |path: &str| Attributes { verb: "get".into(), path: Some(path.into()), ..Attributes::default() };
        assert!(rule_allows(&paths, &path("/healthz")));
        assert!(rule_allows(&paths, &path("/apis/apps")));
        assert!(!rule_allows(&paths, &path("/version")));
    }
}

/// A SelfSubjectReview (`kubectl auth whoami`): the caller as the server
/// authenticated it.
pub fn self_subject_review(user: &UserInfo, mut review: Value) -> Value {
    review["status"] = json!({ "userInfo": { "username": user.name, "groups": user.groups } });
    review
}
