//! `force`: a change to an immutable field fails the apply (nothing changes)
//! unless `force` is on, which recreates the object.

use kube::api::{Api, Patch, PatchParams};
use weir_api::kustomize::Kustomization;

use weir_testkit::cluster::{Cluster, applied, gitops, ready_condition};
use weir_testkit::git::GitServer;

fn job(image: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: default\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: migrate\n        image: {image}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn immutable_changes_need_force() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("job.yaml", &job("migrate:1"));
    let first = repository.commit("v1");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &first)).await;
    let original = cluster.get("batch/v1", "Job", Some("default"), "migrate").await.unwrap();

    repository.write("job.yaml", &job("migrate:2"));
    let second = repository.commit("v2");
    let refused = cluster
        .wait_kustomization("default", "fleet", |ks| {
            ks.status
                .as_ref()
                .and_then(|status| status.last_attempted_revision.clone())
                .is_some_and(|r| r.ends_with(&second))
                && ready_condition(ks).is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let message = ready_condition(&refused).unwrap().2;
    assert!(
        message.starts_with("Job/default/migrate dry-run failed") && message.contains("field is immutable"),
        "{message}"
    );
    let unchanged = cluster.get("batch/v1", "Job", Some("default"), "migrate").await.unwrap();
    assert_eq!(unchanged["metadata"]["uid"], original["metadata"]["uid"]);

    let api = Api::<Kustomization>::namespaced(cluster.client.clone(), "default");
    api.patch("fleet", &PatchParams::default(), &Patch::Merge(&serde_json::json!({"spec": {"force": true}})))
        .await
        .unwrap();
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &second)).await;
    let recreated = cluster.get("batch/v1", "Job", Some("default"), "migrate").await.unwrap();
    assert_ne!(recreated["metadata"]["uid"], original["metadata"]["uid"]);
    assert_eq!(recreated["spec"]["template"]["spec"]["containers"][0]["image"], "migrate:2");
}
