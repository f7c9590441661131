//! Changes made behind Git's back (`kubectl edit`) are reverted at the next interval.

use kube::api::{Patch, PatchParams};
use kube::core::GroupVersionKind;

use weir_testkit::cluster::{Cluster, applied, gitops};
use weir_testkit::git::GitServer;

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_reverted() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("web.yaml", DEPLOYMENT);
    let commit = repository.commit("web");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &commit)).await;

    // What `kubectl edit` sends: an update by another field manager.
    let deployments = cluster.dynamic(&GroupVersionKind::gvk("apps", "v1", "Deployment"), Some("default")).await;
    let edit = serde_json::json!({"spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:hacked"}]}}}});
    let params = PatchParams { field_manager: Some("kubectl-edit".into()), ..PatchParams::default() };
    deployments.patch("web", &params, &Patch::Merge(&edit)).await.unwrap();
    let edited = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(edited["spec"]["replicas"], 5);

    let reverted = cluster
        .wait_object("apps/v1", "Deployment", Some("default"), "web", |found| {
            found.is_some_and(|web| web["spec"]["replicas"] == 2)
        })
        .await
        .unwrap();
    assert_eq!(reverted["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.27");
}
