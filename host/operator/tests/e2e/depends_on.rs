//! `dependsOn`: a Kustomization waits until the ones it depends on are Ready.

use kube::api::{Api, Patch, PatchParams};
use weir_api::kustomize::Kustomization;

use weir_testkit::cluster::{Cluster, applied, config_map, gitops, ready_condition};
use weir_testkit::git::GitServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependents_wait_for_their_dependencies() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("infra/namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n");
    repository.write("apps/settings.yaml", &config_map("team", "settings", "x"));
    let commit = repository.commit("infra and apps");
    let cluster = Cluster::start().await;
    // infra starts suspended, so apps must wait.
    let infra = gitops("infra", &repository.url, "./infra", "suspend: true");
    let apps = gitops("apps", &repository.url, "./apps", "dependsOn:\n- name: infra");
    cluster.apply(&infra).await;
    cluster.apply(&apps).await;

    let waiting = cluster
        .wait_kustomization("default", "apps", |ks| {
            ready_condition(ks).is_some_and(|(_, reason, _)| reason == "DependencyNotReady")
        })
        .await;
    let (status, _, message) = ready_condition(&waiting).unwrap();
    assert_eq!(status, "False");
    assert_eq!(message, "dependency 'default/infra' is not ready");
    assert!(cluster.get("v1", "Namespace", None, "team").await.is_none());
    assert!(cluster.get("v1", "ConfigMap", Some("team"), "settings").await.is_none());

    let api = Api::<Kustomization>::namespaced(cluster.client.clone(), "default");
    let resume = serde_json::json!({"spec": {"suspend": false}});
    api.patch("infra", &PatchParams::default(), &Patch::Merge(&resume)).await.unwrap();
    let infra = cluster.wait_kustomization("default", "infra", |ks| applied(ks, &commit)).await;
    let apps = cluster.wait_kustomization("default", "apps", |ks| applied(ks, &commit)).await;
    let ready_at = |ks: &Kustomization| {
        let conditions = ks.status.clone().unwrap().conditions.unwrap();
        conditions.into_iter().find(|condition| condition.type_ == "Ready").unwrap().last_transition_time.0
    };
    assert!(ready_at(&infra) <= ready_at(&apps), "infra was ready before apps");
}
