//! The write verbs beyond create and apply, one case each: prune, edit,
//! replace, the three patch types, cordon, delete --wait, rollout undo.

use serde_json::json;

use crate::DEPLOYMENT;
use crate::cluster::Cluster;

const LABELLED: &str = "
apiVersion: v1
kind: ConfigMap
metadata: {name: keep, labels: {set: demo}}
data: {a: '1'}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: drop, labels: {set: demo}}
data: {a: '1'}
";

#[test]
fn apply_prune_by_label_removes_what_left_the_set() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-l", "set=demo", "-f", "-"], Some(LABELLED));
    let only_keep = LABELLED.split("---").next().unwrap();
    let pruned = cluster.ok_with(&["apply", "--prune", "-l", "set=demo", "-f", "-"], Some(only_keep));
    assert!(pruned.contains("configmap/drop pruned"), "{pruned}");
    assert_eq!(cluster.ok(&["get", "configmaps", "-l", "set=demo", "-o", "name"]), "configmap/keep\n");
}

#[test]
fn edit_through_the_editor() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(LABELLED));
    // kubectl runs `sh -c "$EDITOR <temp file>"`; this editor changes a value in place.
    let edited = cluster
        .command(&["edit", "configmap", "keep"])
        .env("EDITOR", r#"sed -i 's/a: "1"/a: "edited"/'"#)
        .output()
        .unwrap();
    assert!(edited.status.success(), "{}", String::from_utf8_lossy(&edited.stderr));
    assert_eq!(String::from_utf8_lossy(&edited.stdout), "configmap/keep edited\n");
    assert_eq!(cluster.json(&["get", "configmap", "keep"])["data"]["a"], "edited");
}

#[test]
fn replace_swaps_the_whole_object_and_checks_versions() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let replaced = cluster.ok_with(&["replace", "-f", "-"], Some(&DEPLOYMENT.replace("replicas: 2", "replicas: 4")));
    assert_eq!(replaced, "deployment.apps/web replaced\n");
    assert_eq!(cluster.json(&["get", "deployment", "web"])["spec"]["replicas"], 4);
    let mut stale = cluster.json(&["get", "deployment", "web"]);
    stale["metadata"]["resourceVersion"] = json!("1");
    let conflict = cluster.fails(&["replace", "-f", "-"], Some(&stale.to_string()));
    assert!(conflict.contains("the object has been modified"), "{conflict}");
}

#[test]
fn patch_json_merge_and_strategic() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let sidecar = r#"{"spec":{"template":{"spec":{"containers":[{"name":"log","image":"busybox"}]}}}}"#;
    cluster.ok(&["patch", "deployment", "web", "--type=strategic", "-p", sidecar]);
    let containers = cluster.json(&["get", "deployment", "web"])["spec"]["template"]["spec"]["containers"].clone();
    assert_eq!(containers.as_array().map(Vec::len), Some(2), "strategic merge keeps web beside log: {containers}");
    cluster.ok(&["patch", "deployment", "web", "--type=merge", "-p", sidecar]);
    let containers = cluster.json(&["get", "deployment", "web"])["spec"]["template"]["spec"]["containers"].clone();
    assert_eq!(containers.as_array().map(Vec::len), Some(1), "a merge patch replaces the list: {containers}");
    cluster.ok(&[
        "patch",
        "deployment",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/replicas","value":5}]"#,
    ]);
    assert_eq!(cluster.json(&["get", "deployment", "web"])["spec"]["replicas"], 5);
}

#[test]
fn cordon_and_uncordon_a_node() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some("apiVersion: v1\nkind: Node\nmetadata: {name: worker}\n"));
    assert_eq!(cluster.ok(&["cordon", "worker"]), "node/worker cordoned\n");
    assert_eq!(cluster.json(&["get", "node", "worker"])["spec"]["unschedulable"], true);
    assert_eq!(cluster.ok(&["uncordon", "worker"]), "node/worker uncordoned\n");
    assert!(cluster.json(&["get", "node", "worker"])["spec"]["unschedulable"].is_null());
}

#[test]
fn delete_waits_for_finalizers() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(LABELLED));
    assert_eq!(cluster.ok(&["delete", "configmap", "keep", "--wait"]), "configmap \"keep\" deleted\n");
    assert_eq!(cluster.ok(&["get", "configmaps", "-l", "set=demo", "-o", "name"]), "configmap/drop\n");
    cluster.ok(&[
        "patch",
        "configmap",
        "drop",
        "--type=merge",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/hold"]}}"#,
    ]);
    let timed_out = cluster.fails(&["delete", "configmap", "drop", "--wait", "--timeout=1s"], None);
    assert!(timed_out.contains("timed out waiting"), "{timed_out}");
}

/// Without a deployment controller there are no ReplicaSets to roll back
/// to: the same answer kube-apiserver gives with no controller-manager.
#[test]
fn rollout_undo_without_history() {
    let cluster = Cluster::start();
    cluster.ok_with(&["apply", "-f", "-"], Some(DEPLOYMENT));
    let undo = cluster.fails(&["rollout", "undo", "deployment", "web"], None);
    assert!(undo.contains("no rollout history found for deployment \"web\""), "{undo}");
}
