//! `weir install --export`: deploy/ as the kustomize plugin builds it, the same objects
//! `kubectl kustomize deploy/base` builds, and each option changing only what it names.

mod common;

use std::process::Command;

use serde_json::Value;

fn export(args: &[&str]) -> Vec<Value> {
    let output = common::weir().args(["install", "--export"]).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    common::documents(&String::from_utf8(output.stdout).unwrap())
}

fn find<'a>(objects: &'a [Value], kind: &str, name: &str) -> Option<&'a Value> {
    objects.iter().find(|object| object["kind"] == kind && object["metadata"]["name"] == name)
}

/// What the install overlay sets on top of the base: the version label and the image tag.
fn without_overlay(mut object: Value) -> Value {
    for pointer in ["/metadata/labels", "/spec/template/metadata/labels"] {
        if let Some(labels) = object.pointer_mut(pointer).and_then(Value::as_object_mut) {
            labels.remove("app.kubernetes.io/version");
        }
    }
    if let Some(containers) = object["spec"]["template"]["spec"]["containers"].as_array_mut() {
        for container in containers {
            container["image"] = Value::Null;
        }
    }
    object
}

#[test]
fn the_default_install_is_the_base_as_kustomize_builds_it() {
    let exported = export(&[]);
    let base = Command::new("kubectl")
        .args(["kustomize"])
        .arg(weir_testkit::paths::workspace().join("deploy/base"))
        .output()
        .unwrap();
    assert!(base.status.success(), "{}", String::from_utf8_lossy(&base.stderr));
    let base = common::documents(&String::from_utf8(base.stdout).unwrap());
    assert_eq!(exported.len(), base.len());
    for (ours, theirs) in exported.into_iter().zip(base) {
        assert_eq!(without_overlay(ours), without_overlay(theirs));
    }
}

#[test]
fn the_default_install_runs_flux_style_and_locked_down() {
    let objects = export(&[]);
    let crds = objects.iter().filter(|object| object["kind"] == "CustomResourceDefinition").count();
    assert_eq!(crds, weir_api::crds().len());
    let deployment = find(&objects, "Deployment", "weir-controller").unwrap();
    assert_eq!(deployment["metadata"]["namespace"], "weir-system");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["image"], format!("ghcr.io/weir-gitops/weir:v{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(container["args"][0], "operator");
    let security = &container["securityContext"];
    assert_eq!(security["readOnlyRootFilesystem"], true);
    assert_eq!(security["allowPrivilegeEscalation"], false);
    assert_eq!(security["runAsNonRoot"], true);
    assert_eq!(security["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert_eq!(pod["securityContext"]["seccompProfile"]["type"], "RuntimeDefault");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    // As Flux's kustomize-controller and helm-controller, the operator applies as cluster-admin.
    let reconciler = find(&objects, "ClusterRoleBinding", "weir-cluster-reconciler").unwrap();
    assert_eq!(reconciler["roleRef"]["name"], "cluster-admin");
    assert!(find(&objects, "NetworkPolicy", "allow-egress").is_some());
    for object in &objects {
        assert_eq!(object["metadata"]["labels"]["app.kubernetes.io/part-of"], "weir", "{}", object["metadata"]);
    }
}

#[test]
fn options_change_namespace_image_rbac_and_policies() {
    let objects = export(&[
        "-n",
        "gitops",
        "--least-privilege",
        "--network-policy=false",
        "--registry",
        "registry.example/mirror/",
        "-v",
        "v9.9.9",
        "--log-level",
        "debug",
        "--image-pull-secret",
        "pull",
    ]);
    let deployment = find(&objects, "Deployment", "weir-controller").unwrap();
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example/mirror/weir:v9.9.9");
    let args: Vec<&str> = container["args"].as_array().unwrap().iter().map(|arg| arg.as_str().unwrap()).collect();
    assert!(args.contains(&"--log-level=debug") && !args.contains(&"--log-level=info"), "{args:?}");
    assert!(args.contains(&"--default-service-account=default"), "{args:?}");
    assert!(args.contains(&"--no-cross-namespace-refs=true"), "{args:?}");
    assert_eq!(deployment["spec"]["template"]["spec"]["imagePullSecrets"][0]["name"], "pull");
    assert!(find(&objects, "ClusterRoleBinding", "weir-cluster-reconciler").is_none());
    assert!(objects.iter().all(|object| object["kind"] != "NetworkPolicy"));
    assert!(find(&objects, "Namespace", "gitops").is_some());
    for object in &objects {
        let namespace = &object["metadata"]["namespace"];
        assert!(namespace.is_null() || namespace == "gitops", "{}", object["metadata"]);
        assert_eq!(object["metadata"]["labels"]["app.kubernetes.io/instance"], "gitops", "{}", object["metadata"]);
        if object["kind"] == "ClusterRoleBinding" {
            assert_eq!(object["subjects"][0]["namespace"], "gitops", "{}", object["metadata"]);
        }
    }
}

#[test]
fn options_that_are_not_what_they_claim_are_refused() {
    for (args, field) in [
        (&["-n", "Not_A_Namespace"][..], "--namespace"),
        (&["-v", "v1 bad"][..], "--version"),
        (&["--registry", "registry.example/x\ny"][..], "--registry"),
        (&["--image-pull-secret", "a:b"][..], "--image-pull-secret"),
    ] {
        let output = common::weir().args(["install", "--export"]).args(args).output().unwrap();
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && output.stdout.is_empty(), "{args:?} accepted");
        assert!(said.contains(field), "{args:?}: {said}");
    }
}
