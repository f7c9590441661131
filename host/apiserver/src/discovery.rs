//! What the server tells clients about itself: version, API groups and
//! resources (the legacy discovery format, which kubectl falls back to),
//! and a minimal OpenAPI v3 index.

use serde_json::{Value, json};

use crate::registry::{PrinterColumn, Registry, ResourceType};

/// The Kubernetes version weir's API server is compatible with.
pub const KUBERNETES_MINOR: &str = "32";

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": KUBERNETES_MINOR,
        "gitVersion": format!("v1.{KUBERNETES_MINOR}.0-weir.{}", env!("CARGO_PKG_VERSION")),
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "go1.23",
        "compiler": "weir",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    })
}

/// `/api`.
pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{ "clientCIDR": "0.0.0.0/0", "serverAddress": server_address }],
    })
}

fn group_entry(group: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|version| json!({ "groupVersion": format!("{group}/{version}"), "version": version }))
        .collect();
    json!({ "name": group, "versions": versions, "preferredVersion": versions[0] })
}

/// `/apis`.
pub fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry.groups().iter().map(|(group, versions)| group_entry(group, versions)).collect();
    json!({ "kind": "APIGroupList", "apiVersion": "v1", "groups": groups })
}

/// `/apis/GROUP`.
pub fn group(registry: &Registry, name: &str) -> Option<Value> {
    let (group, versions) = registry.groups().into_iter().find(|(group, _)| group == name)?;
    let mut entry = group_entry(&group, &versions);
    entry["kind"] = json!("APIGroup");
    entry["apiVersion"] = json!("v1");
    Some(entry)
}

/// `/api/v1` and `/apis/GROUP/VERSION`; `None` when nothing is served there.
pub fn resources(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = registry.resources(group, version);
    if types.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for ty in &types {
        resources.push(resource_entry(ty));
        if ty.scale.is_some() {
            resources.push(json!({
                "name": format!("{}/scale", ty.plural),
                "singularName": "",
                "namespaced": ty.namespaced,
                "group": "autoscaling",
                "version": "v1",
                "kind": "Scale",
                "verbs": ["get", "patch", "update"],
            }));
        }
        if ty.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", ty.plural),
                "singularName": "",
                "namespaced": ty.namespaced,
                "kind": ty.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let group_version = if group.is_empty() { version.to_owned() } else { format!("{group}/{version}") };
    Some(
        json!({ "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources }),
    )
}

fn resource_entry(ty: &ResourceType) -> Value {
    let mut entry = json!({
        "name": ty.plural,
        "singularName": ty.singular,
        "namespaced": ty.namespaced,
        "kind": ty.kind,
        "verbs": ty.verbs(),
    });
    if !ty.short_names.is_empty() {
        entry["shortNames"] = json!(ty.short_names);
    }
    if !ty.categories.is_empty() {
        entry["categories"] = json!(ty.categories);
    }
    entry
}

/// `/openapi/v3`: the index of group-version documents (each minimal), so
/// clients that look for OpenAPI v3 find it instead of falling back to v2.
pub fn openapi_v3_index(registry: &Registry) -> Value {
    let mut paths = serde_json::Map::new();
    paths.insert("api/v1".into(), json!({ "serverRelativeURL": "/openapi/v3/api/v1" }));
    for (group, versions) in registry.groups() {
        for version in versions {
            let path = format!("apis/{group}/{version}");
            paths.insert(path.clone(), json!({ "serverRelativeURL": format!("/openapi/v3/{path}") }));
        }
    }
    json!({ "paths": paths })
}

/// `/openapi/v3/api/v1`, `/openapi/v3/apis/GROUP/VERSION`: one path per
/// resource with its operations, their group-version-kind and query
/// parameters (kubectl looks here for `fieldValidation` support), and no
/// schemas: objects are stored schemaless.
pub fn openapi_v3_document(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = registry.resources(group, version);
    if types.is_empty() {
        return None;
    }
    let prefix = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for ty in &types {
        let gvk = json!({ "group": ty.group, "version": ty.version, "kind": ty.kind });
        schemas.insert(schema_name(ty), kind_schema(ty, &gvk));
        let parameters: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
            .iter()
            .map(|name| json!({ "name": name, "in": "query", "schema": { "type": "string", "uniqueItems": true } }))
            .collect();
        let operation = |action: &str| {
            json!({
                "operationId": format!("{action}{}", ty.kind),
                "parameters": parameters,
                "responses": { "200": { "description": "OK" } },
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            })
        };
        let collection = if ty.namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{}", ty.plural)
        } else {
            format!("{prefix}/{}", ty.plural)
        };
        paths.insert(collection.clone(), json!({ "get": operation("list"), "post": operation("post") }));
        paths.insert(
            format!("{collection}/{{name}}"),
            json!({ "get": operation("get"), "put": operation("put"), "patch": operation("patch"), "delete": operation("delete") }),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": format!("v1.{KUBERNETES_MINOR}.0") },
        "paths": paths,
        "components": { "schemas": schemas },
    }))
}

/// `io.k8s.api.apps.v1.Deployment`, `com.example.v1.Widget`: how Kubernetes names definitions.
fn schema_name(ty: &ResourceType) -> String {
    let group = match ty.group.as_str() {
        "" => "io.k8s.api.core".to_owned(),
        group if group.ends_with(".k8s.io") || !group.contains('.') => {
            format!("io.k8s.api.{}", group.trim_end_matches(".k8s.io").replace('.', "_"))
        }
        group => group.split('.').rev().collect::<Vec<_>>().join("."),
    };
    format!("{group}.{}.{}", ty.version, ty.kind)
}

/// The schema `kubectl explain` reads: a custom resource's own, or for a
/// built-in kind its envelope (built-ins are stored schemaless).
fn kind_schema(ty: &ResourceType, gvk: &Value) -> Value {
    let mut schema = match &ty.schema {
        Some(schema) => (**schema).clone(),
        None => json!({
            "description": format!("{} is a built-in kind; weir's embedded API server stores it without a schema.", ty.kind),
            "type": "object",
            "properties": {
                "apiVersion": { "type": "string", "description": "APIVersion defines the versioned schema of this representation of an object." },
                "kind": { "type": "string", "description": "Kind is a string value representing the REST resource this object represents." },
                "metadata": { "type": "object", "description": "Standard object's metadata." },
                "spec": { "type": "object", "description": "The desired state." },
                "status": { "type": "object", "description": "The observed state." },
            },
        }),
    };
    schema["x-kubernetes-group-version-kind"] = json!([gvk]);
    schema
}

/// The columns of `kubectl get` for a type: a custom resource's
/// `additionalPrinterColumns`, Deployment's readiness columns, or just the age.
fn columns(ty: &ResourceType) -> Vec<PrinterColumn> {
    if !ty.printer_columns.is_empty() {
        return ty.printer_columns.clone();
    }
    let column = |name: &str, kind: &str, path: &str| PrinterColumn {
        name: name.into(),
        kind: kind.into(),
        json_path: path.into(),
        priority: 0,
        description: String::new(),
    };
    let age = column("Age", "date", ".metadata.creationTimestamp");
    if ty.group == "apps" && ty.plural == "deployments" {
        return vec![
            column("Ready", "ready", ""),
            column("Up-to-date", "integer", ".status.updatedReplicas"),
            column("Available", "integer", ".status.availableReplicas"),
            age,
        ];
    }
    vec![age]
}

/// A `meta.k8s.io/v1` Table of `list`'s items, for `kubectl get`.
pub fn table(ty: &ResourceType, list: &Value) -> Value {
    let columns = columns(ty);
    let rows: Vec<Value> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let metadata = &item["metadata"];
            let mut cells = vec![metadata["name"].clone()];
            cells.extend(columns.iter().map(|column| cell(column, item)));
            json!({
                "cells": cells,
                "object": { "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata },
            })
        })
        .collect();
    let mut definitions = vec![json!({
        "name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0,
    })];
    definitions.extend(columns.iter().map(|column| {
        let kind = match column.kind.as_str() {
            "date" | "ready" => "string",
            other => other,
        };
        json!({ "name": column.name, "type": kind, "format": "", "description": column.description, "priority": column.priority })
    }));
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": { "resourceVersion": list["metadata"]["resourceVersion"] },
        "columnDefinitions": definitions,
        "rows": rows,
    })
}

fn cell(column: &PrinterColumn, item: &Value) -> Value {
    match column.kind.as_str() {
        "ready" => {
            let count = |field: &str| item["status"][field].as_i64().unwrap_or(0);
            let wanted = item["spec"]["replicas"].as_i64().unwrap_or(1);
            Value::String(format!("{}/{wanted}", count("readyReplicas")))
        }
        "date" => match json_path(item, &column.json_path) {
            Some(Value::String(time)) => Value::String(age(Some(time))),
            _ => Value::String("<unknown>".into()),
        },
        _ => json_path(item, &column.json_path).cloned().unwrap_or(Value::Null),
    }
}

/// The subset of JSONPath printer columns use: `.a.b`, `[N]`, and
/// `[?(@.field=="value")]` filters on lists.
fn json_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let mut node = value;
    let mut rest = path.trim().trim_start_matches('{').trim_end_matches('}');
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            node = node.get(&after[..end])?;
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let selector = &after[..end];
            node = match selector.strip_prefix("?(@.").and_then(|filter| filter.strip_suffix(')')) {
                Some(filter) => {
                    let (field, wanted) = filter.split_once("==")?;
                    let wanted = wanted.trim().trim_matches(['"', '\'']);
                    node.as_array()?
                        .iter()
                        .find(|item| item.get(field.trim()).and_then(Value::as_str) == Some(wanted))?
                }
                None => node.get(selector.parse::<usize>().ok()?)?,
            };
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(node)
}

/// `5s`, `3m`, `2h`, `4d`: how kubectl shows age.
fn age(created: Option<&str>) -> String {
    let Some(created) = created.and_then(|text| chrono::DateTime::parse_from_rfc3339(text).ok()) else {
        return "<unknown>".into();
    };
    let seconds = (chrono::Utc::now() - created.with_timezone(&chrono::Utc)).num_seconds().max(0);
    match seconds {
        0..=119 => format!("{seconds}s"),
        120..=7199 => format!("{}m", seconds / 60),
        7200..=172_799 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printer_column_paths() {
        let object = json!({
            "spec": { "url": "https://example.com", "ports": [{ "port": 80 }, { "port": 443 }] },
            "status": { "conditions": [
                { "type": "Reconciling", "status": "False" },
                { "type": "Ready", "status": "True", "message": "Applied revision: main@sha1:abc" },
            ] },
        });
        assert_eq!(json_path(&object, ".spec.url"), Some(&json!("https://example.com")));
        assert_eq!(json_path(&object, ".spec.ports[1].port"), Some(&json!(443)));
        assert_eq!(json_path(&object, r#".status.conditions[?(@.type=="Ready")].status"#), Some(&json!("True")));
        assert_eq!(
            json_path(&object, r#"{.status.conditions[?(@.type=="Ready")].message}"#),
            Some(&json!("Applied revision: main@sha1:abc"))
        );
        assert_eq!(json_path(&object, r#".status.conditions[?(@.type=="Stalled")].status"#), None);
        assert_eq!(json_path(&object, ".spec.missing"), None);
    }
}
