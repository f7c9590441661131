//! What a request asks for, read off its path and query as kube-apiserver
//! does (its RequestInfo).

use std::collections::HashMap;

use crate::status::ApiError;

/// A request for a resource (as opposed to discovery or a non-resource URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRequest {
    pub group: String,
    pub version: String,
    /// Empty when the request is cluster-wide (or the resource cluster-scoped).
    pub namespace: String,
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Parses `/api/v1/...` and `/apis/GROUP/VERSION/...`; `None` for any other path.
pub fn parse_resource_path(path: &str) -> Option<ResourceRequest> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match parts.as_slice() {
        ["api", version, rest @ ..] if !rest.is_empty() => ("", *version, rest),
        ["apis", group, version, rest @ ..] if !rest.is_empty() => (*group, *version, rest),
        _ => return None,
    };
    let mut rest = rest;
    let mut namespace = "";
    // `namespaces/NAME/RESOURCE...` is a namespaced request, but
    // `namespaces/NAME/status` and `/finalize` are the namespace's own subresources.
    if rest[0] == "namespaces" && rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
        namespace = rest[1];
        rest = &rest[2..];
    }
    if rest.iter().any(|part| part.is_empty()) || rest.len() > 3 {
        return None;
    }
    Some(ResourceRequest {
        group: group.into(),
        version: version.into(),
        namespace: namespace.into(),
        resource: rest[0].into(),
        name: rest.get(1).map(|name| (*name).to_owned()),
        subresource: rest.get(2).map(|sub| (*sub).to_owned()),
    })
}

/// Query parameters, decoded.
#[derive(Debug, Default, Clone)]
pub struct Query(HashMap<String, String>);

impl Query {
    pub fn parse(query: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).into_owned();
        Self(pairs.collect())
    }

    /// Sets `name` unless the client did.
    pub fn set_default(&mut self, name: &str, value: String) {
        self.0.entry(name.to_owned()).or_insert(value);
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|value| !value.is_empty())
    }

    /// A boolean flag: `watch=true`, `watch=1`.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.get(name), Some("true" | "1"))
    }

    pub fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|value| value.parse().map_err(|_| ApiError::bad_request(format!("invalid {name} {value:?}"))))
            .transpose()
    }

    /// `dryRun=All` (the only value Kubernetes defines).
    pub fn dry_run(&self) -> Result<bool, ApiError> {
        match self.get("dryRun") {
            None => Ok(false),
            Some("All") => Ok(true),
            Some(other) => {
                Err(ApiError::bad_request(format!("unsupported dryRun value {other:?}, only \"All\" is allowed")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(group: &str, namespace: &str, resource: &str, name: Option<&str>, sub: Option<&str>) -> ResourceRequest {
        ResourceRequest {
            group: group.into(),
            version: if group.is_empty() { "v1".into() } else { "v1".into() },
            namespace: namespace.into(),
            resource: resource.into(),
            name: name.map(Into::into),
            subresource: sub.map(Into::into),
        }
    }

    #[test]
    fn paths_read_as_kube_apiserver_reads_them() {
        let cases = [
            ("/api/v1/pods", request("", "", "pods", None, None)),
            ("/api/v1/namespaces", request("", "", "namespaces", None, None)),
            ("/api/v1/namespaces/default", request("", "", "namespaces", Some("default"), None)),
            ("/api/v1/namespaces/default/status", request("", "", "namespaces", Some("default"), Some("status"))),
            ("/api/v1/namespaces/default/finalize", request("", "", "namespaces", Some("default"), Some("finalize"))),
            ("/api/v1/namespaces/default/configmaps", request("", "default", "configmaps", None, None)),
            ("/api/v1/namespaces/default/configmaps/x", request("", "default", "configmaps", Some("x"), None)),
            (
                "/apis/apps/v1/namespaces/a/deployments/d/scale",
                request("apps", "a", "deployments", Some("d"), Some("scale")),
            ),
            ("/apis/apps/v1/deployments", request("apps", "", "deployments", None, None)),
            (
                "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin",
                request("rbac.authorization.k8s.io", "", "clusterroles", Some("admin"), None),
            ),
        ];
        for (path, expected) in cases {
            assert_eq!(parse_resource_path(path), Some(expected), "{path}");
        }
        for path in ["/api", "/api/v1", "/apis/apps/v1", "/healthz", "/api/v1/a/b/c/d", "/api/v1/namespaces/x/pods//y"]
        {
            assert_eq!(parse_resource_path(path), None, "{path}");
        }
    }
}
