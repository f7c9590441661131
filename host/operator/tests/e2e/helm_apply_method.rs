//! How a release is applied, as Helm 4 and helm-controller choose: server-side by default,
//! client-side with `install.serverSideApply: false` or the UseHelm3Defaults switch; `auto`
//! upgrades follow the release they upgrade; `apply_method` recorded where Helm 4 keeps it. A
//! client-side upgrade is Helm's three-way merge (what others added stays, what the chart
//! dropped goes); a forced one replaces the objects whole.

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use weir_helm_storage::{ApplyMethod, ReleaseStore};
use weir_testkit::charts::{ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;

use crate::helm_support::{Setup, helm_release, ready_with, released, repository, setup};

/// How revision `version` of release `default/web` says it was applied.
async fn apply_method(cluster: &Cluster, version: i64) -> ApplyMethod {
    ReleaseStore::new(cluster.client.clone(), "default").get("web", version).await.unwrap().apply_method
}

/// The (manager, operation) pairs of the Deployment's managed fields.
async fn managers(cluster: &Cluster) -> Vec<(String, String)> {
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    let entries = deployment["metadata"]["managedFields"].as_array().cloned().unwrap_or_default();
    let text = |entry: &Value, key: &str| entry[key].as_str().unwrap_or_default().to_owned();
    entries.iter().map(|entry| (text(entry, "manager"), text(entry, "operation"))).collect()
}

/// Someone else's change to the Deployment: an annotation of their own.
async fn annotate_behind_helm(cluster: &Cluster) {
    let patch = json!({"metadata": {"annotations": {"team": "web"}}});
    let params = PatchParams { field_manager: Some("kubectl-edit".into()), ..Default::default() };
    Api::<Deployment>::namespaced(cluster.client.clone(), "default")
        .patch("web", &params, &Patch::Merge(&patch))
        .await
        .unwrap();
}

async fn revision(cluster: &Cluster, version: i64, reason: &'static str) -> Value {
    released(cluster, |r| {
        ready_with(r, reason)
            && r.status
                .as_ref()
                .and_then(|s| s.history.as_ref())
                .and_then(|h| h.first())
                .is_some_and(|s| s.version == version)
    })
    .await;
    cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap()
}

fn helm_controller(operation: &str) -> (String, String) {
    ("helm-controller".to_owned(), operation.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_side_release_upgrades_with_helms_three_way_merge_until_told_otherwise() {
    let Setup { cluster, server: _server, charts: _charts, helm: _helm } = setup().await;
    let client_side = "  install:\n    serverSideApply: false\n";
    cluster
        .apply(&helm_release(&format!(
            "{client_side}  values:\n    replicaCount: 2\n    podLabels:\n      tier: web\n"
        )))
        .await;
    let deployment = revision(&cluster, 1, "InstallSucceeded").await;
    assert_eq!(apply_method(&cluster, 1).await, ApplyMethod::CLIENT_SIDE);
    assert_eq!(deployment["spec"]["template"]["metadata"]["labels"]["tier"], "web");
    let managed = managers(&cluster).await;
    assert!(
        managed.contains(&helm_controller("Update")) && !managed.contains(&helm_controller("Apply")),
        "{managed:?}"
    );

    // `auto`: the upgrade follows the client-side release; the label the chart no longer
    // renders goes, the annotation someone else added stays.
    annotate_behind_helm(&cluster).await;
    cluster.apply(&helm_release(&format!("{client_side}  values:\n    replicaCount: 3\n"))).await;
    let deployment = revision(&cluster, 2, "UpgradeSucceeded").await;
    assert_eq!(apply_method(&cluster, 2).await, ApplyMethod::CLIENT_SIDE);
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert!(deployment["spec"]["template"]["metadata"]["labels"].get("tier").is_none(), "{deployment}");
    assert_eq!(deployment["metadata"]["annotations"]["team"], "web");
    assert!(!managers(&cluster).await.contains(&helm_controller("Apply")));

    // `enabled` switches to server-side apply, and the release says so.
    let server_side = "  upgrade:\n    serverSideApply: enabled\n";
    cluster.apply(&helm_release(&format!("{client_side}{server_side}  values:\n    replicaCount: 4\n"))).await;
    let deployment = revision(&cluster, 3, "UpgradeSucceeded").await;
    assert_eq!(apply_method(&cluster, 3).await, ApplyMethod::SERVER_SIDE);
    assert_eq!(deployment["spec"]["replicas"], 4);
    assert!(managers(&cluster).await.contains(&helm_controller("Apply")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm3_defaults_install_client_side_and_a_forced_upgrade_replaces() {
    let charts = ChartRepository::new();
    charts.publish("web", "1.0.0", "", None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start_with(|settings| settings.helm3_defaults = true, Vec::new()).await;
    cluster.apply(&repository(&server.url)).await;
    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    revision(&cluster, 1, "InstallSucceeded").await;
    assert_eq!(apply_method(&cluster, 1).await, ApplyMethod::CLIENT_SIDE);

    // Replacing (Helm's `--force` without server-side apply) drops what others added.
    annotate_behind_helm(&cluster).await;
    cluster.apply(&helm_release("  upgrade:\n    force: true\n  values:\n    replicaCount: 3\n")).await;
    let deployment = revision(&cluster, 2, "UpgradeSucceeded").await;
    assert_eq!(apply_method(&cluster, 2).await, ApplyMethod::CLIENT_SIDE);
    assert_eq!(deployment["spec"]["replicas"], 3);
    assert!(deployment["metadata"]["annotations"].get("team").is_none(), "{deployment}");
}
