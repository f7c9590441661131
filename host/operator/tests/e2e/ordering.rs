//! Apply order and per-object opt-outs: a CRD, its custom resources, a Namespace
//! and objects in it arrive in one commit and apply in one go; objects annotated
//! `ssa: IfNotPresent` or `reconcile: disabled` are created once and then left alone.

use kube::api::{Patch, PatchParams};
use kube::core::GroupVersionKind;

use weir_testkit::cluster::{Cluster, applied, config_map, gitops};
use weir_testkit::git::GitServer;

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names:\n    kind: Widget\n    plural: widgets\n    singular: widget\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size:\n                type: integer\n";

const WIDGET: &str =
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n  namespace: team\nspec:\n  size: 3\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_first_then_the_rest_in_one_commit() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    // Files sort so that the custom resource and the namespaced object come before their definitions.
    repository.write("a-widget.yaml", WIDGET);
    repository.write("b-settings.yaml", &config_map("team", "settings", "x"));
    repository.write("c-namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
    repository.write("d-crd.yaml", CRD);
    let commit = repository.commit("crd, cr, namespace");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    let kustomization = cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &commit)).await;

    let widget = cluster.get("example.com/v1", "Widget", Some("team"), "gadget").await.unwrap();
    assert_eq!(widget["spec"]["size"], 3);
    assert!(cluster.get("v1", "ConfigMap", Some("team"), "settings").await.is_some());
    let ids: Vec<String> =
        kustomization.status.unwrap().inventory.unwrap().entries.into_iter().map(|entry| entry.id).collect();
    assert_eq!(
        ids,
        [
            "_team__Namespace",
            "_widgets.example.com_apiextensions.k8s.io_CustomResourceDefinition",
            "team_gadget_example.com_Widget",
            "team_settings__ConfigMap",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opted_out_objects_are_created_once_then_left_alone() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    let annotated = |name: &str, annotation: &str, value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n  annotations:\n    {annotation}\ndata:\n  value: \"{value}\"\n"
        )
    };
    repository.write("seed.yaml", &annotated("seed", "kustomize.toolkit.fluxcd.io/ssa: IfNotPresent", "from git"));
    repository
        .write("frozen.yaml", &annotated("frozen", "kustomize.toolkit.fluxcd.io/reconcile: disabled", "from git"));
    let first = repository.commit("seeded");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;

    // Changed in the cluster and in Git: neither change from Git is applied, nor the cluster's reverted.
    let config_maps = cluster.dynamic(&GroupVersionKind::gvk("", "v1", "ConfigMap"), Some("default")).await;
    let edit = serde_json::json!({"data": {"value": "from the cluster"}});
    for name in ["seed", "frozen"] {
        config_maps.patch(name, &PatchParams::default(), &Patch::Merge(&edit)).await.unwrap();
    }
    repository
        .write("seed.yaml", &annotated("seed", "kustomize.toolkit.fluxcd.io/ssa: IfNotPresent", "changed in git"));
    repository.write(
        "frozen.yaml",
        &annotated("frozen", "kustomize.toolkit.fluxcd.io/reconcile: disabled", "changed in git"),
    );
    let second = repository.commit("changed");
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    for name in ["seed", "frozen"] {
        let object = cluster.get("v1", "ConfigMap", Some("default"), name).await.unwrap();
        assert_eq!(object["data"]["value"], "from the cluster", "{name}");
    }
}
