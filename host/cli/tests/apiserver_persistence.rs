//! `weir apiserver --data-dir`: what was committed survives a kill -9.

mod common;

use std::path::Path;
use std::process::Child;

/// `weir apiserver` keeping its objects in `data_dir`.
fn start(data_dir: &Path, kubeconfig: &Path) -> Child {
    common::apiserver(&["--data-dir", data_dir.to_str().unwrap()], kubeconfig)
}

const CRD_AND_OBJECTS: &str = "
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: gadgets, singular: gadget, kind: Gadget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
apiVersion: v1
kind: Namespace
metadata: {name: kept}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: kept}
data: {mode: durable}
";

#[test]
fn committed_objects_survive_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let (data, kubeconfig) = (dir.path().join("data"), dir.path().join("kubeconfig"));
    let mut server = start(&data, &kubeconfig);
    common::kubectl(&kubeconfig, &["apply", "-f", "-"], Some(CRD_AND_OBJECTS));
    common::kubectl(
        &kubeconfig,
        &["apply", "-f", "-"],
        Some("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1, namespace: kept}\nspec: {size: 3}\n"),
    );
    let before: serde_json::Value = serde_json::from_str(&common::kubectl(
        &kubeconfig,
        &["get", "configmap", "settings", "-n", "kept", "-o", "json"],
        None,
    ))
    .unwrap();
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();

    let mut server = start(&data, &kubeconfig);
    let after: serde_json::Value = serde_json::from_str(&common::kubectl(
        &kubeconfig,
        &["get", "configmap", "settings", "-n", "kept", "-o", "json"],
        None,
    ))
    .unwrap();
    assert_eq!(after, before, "the object is back exactly, resourceVersion and uid included");
    assert_eq!(
        common::kubectl(&kubeconfig, &["get", "gadgets", "-n", "kept", "-o", "name"], None),
        "gadget.example.com/g1\n",
        "custom resources are served again"
    );
    assert_eq!(
        common::kubectl(&kubeconfig, &["get", "namespaces", "-o", "name"], None).lines().count(),
        5,
        "no second bootstrap"
    );
    common::kubectl(
        &kubeconfig,
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later, namespace: kept}\n"),
    );
    let later: serde_json::Value = serde_json::from_str(&common::kubectl(
        &kubeconfig,
        &["get", "configmap", "later", "-n", "kept", "-o", "json"],
        None,
    ))
    .unwrap();
    let version =
        |object: &serde_json::Value| object["metadata"]["resourceVersion"].as_str().unwrap().parse::<u64>().unwrap();
    assert!(version(&later) > version(&before), "revisions keep growing across restarts");
    server.kill().unwrap();
    server.wait().unwrap();
}
