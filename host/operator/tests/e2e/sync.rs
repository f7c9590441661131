//! A repository's commits reach the cluster: the first sync, a new commit within
//! one interval, and at once after a reconcile request.

use kube::api::{Api, Patch, PatchParams};
use weir_api::source::GitRepository;
use weir_testkit::cluster::{Cluster, applied, config_map, gitops};
use weir_testkit::git::GitServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initial_sync_then_new_commits() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("apps/settings.yaml", &config_map("default", "settings", "one"));
    let first = repository.commit("first");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./apps", "")).await;

    let kustomization = cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;
    let status = kustomization.status.unwrap();
    assert_eq!(status.last_applied_revision, Some(format!("main@sha1:{first}")));
    assert_eq!(status.inventory.unwrap().entries[0].id, "default_settings__ConfigMap");
    let settings = cluster.get("v1", "ConfigMap", Some("default"), "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "one");
    assert_eq!(settings["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"], "fleet");
    let source = cluster.git_repository("default", "fleet").await.status.unwrap();
    let artifact = source.artifact.unwrap();
    assert_eq!(artifact.revision, format!("main@sha1:{first}"));
    assert!(artifact.digest.unwrap().starts_with("sha256:"));

    // A new commit is picked up by the 1s source interval.
    repository.write("apps/settings.yaml", &config_map("default", "settings", "two"));
    let second = repository.commit("second");
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    let settings = cluster.get("v1", "ConfigMap", Some("default"), "settings").await.unwrap();
    assert_eq!(settings["data"]["value"], "two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconcile_request_fetches_at_once() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("settings.yaml", &config_map("default", "settings", "one"));
    let first = repository.commit("first");
    let cluster = Cluster::start().await;
    // An interval far longer than the test: only the request can bring the next commit in.
    let manifests = gitops("slow", &repository.url, "./", "").replace("interval: 1s", "interval: 1h");
    cluster.apply(&manifests).await;
    cluster.wait_kustomization("default", "slow", |ks| applied(ks, &first)).await;

    repository.write("settings.yaml", &config_map("default", "settings", "two"));
    let second = repository.commit("second");
    let sources = Api::<GitRepository>::namespaced(cluster.client.clone(), "default");
    let request = serde_json::json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": "now-1"}}});
    sources.patch("slow", &PatchParams::default(), &Patch::Merge(&request)).await.unwrap();
    let source = weir_testkit::cluster::eventually(weir_testkit::cluster::PATIENCE, || async {
        let source = sources.get("slow").await.unwrap();
        let status = source.status.clone().unwrap_or_default();
        if status.artifact.as_ref().is_some_and(|artifact| artifact.revision.ends_with(&second)) {
            Ok(status)
        } else {
            Err(String::new())
        }
    })
    .await
    .expect("the requested fetch stores the new commit");
    assert_eq!(source.last_handled_reconcile_at.as_deref(), Some("now-1"));
    cluster.wait_kustomization("default", "slow", |ks| applied(ks, &second)).await;
}
