//! A suspended Kustomization applies nothing new; resumed, it catches up.

use std::time::Duration;

use kube::api::{Api, Patch, PatchParams};
use weir_api::kustomize::Kustomization;

use weir_testkit::cluster::{Cluster, applied, config_map, gitops};
use weir_testkit::git::GitServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_resume() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("a.yaml", &config_map("default", "a", "one"));
    let first = repository.commit("one");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;

    let api = Api::<Kustomization>::namespaced(cluster.client.clone(), "default");
    let suspend = |on: bool| serde_json::json!({"spec": {"suspend": on}});
    api.patch("fleet", &PatchParams::default(), &Patch::Merge(&suspend(true))).await.unwrap();
    repository.write("a.yaml", &config_map("default", "a", "two"));
    let second = repository.commit("two");
    // The source moves on (1s interval); the suspended Kustomization does not.
    weir_testkit::cluster::eventually(weir_testkit::cluster::PATIENCE, || async {
        let source = cluster.git_repository("default", "fleet").await;
        let revision = source.status.and_then(|status| status.artifact).map(|artifact| artifact.revision);
        if revision.is_some_and(|revision| revision.ends_with(&second)) { Ok(()) } else { Err(String::new()) }
    })
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(cluster.get("v1", "ConfigMap", Some("default"), "a").await.unwrap()["data"]["value"], "one");

    api.patch("fleet", &PatchParams::default(), &Patch::Merge(&suspend(false))).await.unwrap();
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    assert_eq!(cluster.get("v1", "ConfigMap", Some("default"), "a").await.unwrap()["data"]["value"], "two");
}
