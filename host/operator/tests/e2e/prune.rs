//! Objects that leave Git are deleted (unless annotated `prune: disabled`), and
//! deleting a Kustomization deletes what it applied, as its deletionPolicy says.

use kube::api::{Api, DeleteParams};
use weir_api::kustomize::Kustomization;

use weir_testkit::cluster::{Cluster, applied, config_map, gitops};
use weir_testkit::git::GitServer;

const KEEP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\ndata: {}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_files_are_pruned() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("a.yaml", &config_map("default", "a", "1"));
    repository.write("b.yaml", &config_map("default", "b", "1"));
    repository.write("keep.yaml", KEEP);
    let first = repository.commit("three objects");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;

    repository.remove("b.yaml").remove("keep.yaml");
    let second = repository.commit("b and keep leave");
    let kustomization = cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "b").await.is_none(), "b is pruned");
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "a").await.is_some());
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "keep").await.is_some(), "prune: disabled is kept");
    let ids: Vec<String> =
        kustomization.status.unwrap().inventory.unwrap().entries.into_iter().map(|entry| entry.id).collect();
    assert_eq!(ids, ["default_a__ConfigMap"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_kustomization_prunes_unless_orphaned() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("owned/a.yaml", &config_map("default", "owned", "1"));
    repository.write("orphaned/a.yaml", &config_map("default", "orphaned", "1"));
    let commit = repository.commit("two apps");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("owned", &repository.url, "./owned", "")).await;
    cluster.apply(&gitops("orphaned", &repository.url, "./orphaned", "deletionPolicy: Orphan")).await;
    cluster.wait_kustomization("default", "owned", |ks| applied(ks, &commit)).await;
    cluster.wait_kustomization("default", "orphaned", |ks| applied(ks, &commit)).await;

    let api = Api::<Kustomization>::namespaced(cluster.client.clone(), "default");
    for name in ["owned", "orphaned"] {
        api.delete(name, &DeleteParams::default()).await.unwrap();
    }
    cluster.wait_object("v1", "ConfigMap", Some("default"), "owned", |found| found.is_none()).await;
    weir_testkit::cluster::eventually(weir_testkit::cluster::PATIENCE, || async {
        match api.get_opt("orphaned").await.unwrap() {
            None => Ok(()),
            Some(_) => Err("still there".to_owned()),
        }
    })
    .await
    .expect("the finalizer is released");
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "orphaned").await.is_some(), "Orphan keeps objects");
}
