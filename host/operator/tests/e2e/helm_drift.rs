//! `spec.driftDetection`: a change made behind the release is corrected (`enabled`) or only
//! reported (`warn`); `ignore` rules leave named fields to whoever changed them.

use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, Patch, PatchParams};
use weir_testkit::cluster::{Cluster, eventually};

use crate::helm_support::{Setup, helm_release, ready_with, released, setup};

async fn scale(cluster: &Cluster, replicas: i64) {
    let api = Api::<Deployment>::namespaced(cluster.client.clone(), "default");
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    api.patch("web", &PatchParams::default(), &Patch::Merge(&patch)).await.unwrap();
}

async fn replicas(cluster: &Cluster) -> i64 {
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    deployment["spec"]["replicas"].as_i64().unwrap()
}

async fn drift_event(cluster: &Cluster, reason: &str) -> Option<String> {
    let events = Api::<k8s_openapi::api::events::v1::Event>::namespaced(cluster.client.clone(), "default");
    let list = events.list(&Default::default()).await.unwrap();
    list.items.into_iter().find(|event| event.reason.as_deref() == Some(reason)).and_then(|event| event.note)
}

/// [`setup`], with HelmRelease `web` (plus `spec`) installed.
async fn start(spec: &str) -> Setup {
    let setup = setup().await;
    setup.cluster.apply(&helm_release(spec)).await;
    released(&setup.cluster, |r| ready_with(r, "InstallSucceeded")).await;
    setup
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabled_corrects_drift() {
    let Setup { cluster, server: _server, charts: _charts, helm: _helm } =
        start("  driftDetection:\n    mode: enabled\n").await;
    scale(&cluster, 5).await;
    eventually(weir_testkit::cluster::PATIENCE, || async {
        (replicas(&cluster).await == 1).then_some(()).ok_or_else(String::new)
    })
    .await
    .expect("the replicas are set back");
    let note = drift_event(&cluster, "DriftCorrected").await.expect("an event says what was corrected");
    assert!(note.contains("Deployment/default/web") && note.contains(".spec.replicas"), "{note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warn_reports_and_ignore_rules_leave_fields_alone() {
    let spec = "  driftDetection:\n    mode: warn\n";
    let Setup { cluster, server: _server, charts: _charts, helm: _helm } = start(spec).await;
    scale(&cluster, 4).await;
    let note = eventually(weir_testkit::cluster::PATIENCE, || async {
        drift_event(&cluster, "DriftDetected").await.ok_or_else(String::new)
    })
    .await
    .expect("drift is reported");
    assert!(note.contains(".spec.replicas"), "{note}");
    assert_eq!(replicas(&cluster).await, 4, "warn does not correct");

    let ignoring = "  driftDetection:\n    mode: enabled\n    ignore:\n    - paths: [\"/spec/replicas\"]\n      target:\n        kind: Deployment\n";
    cluster.apply(&helm_release(ignoring)).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(replicas(&cluster).await, 4, "an ignored field is left as changed");
}
