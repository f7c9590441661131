//! Sources in another namespace: allowed by default, as in Flux; refused with
//! AccessDenied when cross-namespace references are disabled.

use weir_testkit::cluster::{Cluster, applied, config_map, ready_condition};
use weir_testkit::git::GitServer;

fn kustomization(url: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: shared\n  namespace: default\nspec:\n  interval: 1s\n  url: {url}\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\n  namespace: apps\nspec:\n  interval: 2s\n  path: ./\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: shared\n    namespace: default\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_namespace_sources_follow_the_setting() {
    let git = GitServer::start();
    let repository = git.repository("shared");
    repository.write("settings.yaml", &config_map("apps", "settings", "x"));
    let commit = repository.commit("shared");

    let allowed = Cluster::start().await;
    allowed.apply(&kustomization(&repository.url)).await;
    allowed.wait_kustomization("apps", "app", |ks| applied(ks, &commit)).await;

    let refused = Cluster::start_with(|settings| settings.no_cross_namespace_refs = true, Vec::new()).await;
    refused.apply(&kustomization(&repository.url)).await;
    let denied = refused
        .wait_kustomization("apps", "app", |ks| {
            ready_condition(ks).is_some_and(|(_, reason, _)| reason == "AccessDenied")
        })
        .await;
    let message = ready_condition(&denied).unwrap().2;
    assert_eq!(message, "can't access 'GitRepository/default/shared', cross-namespace references have been blocked");
    assert!(refused.get("v1", "ConfigMap", Some("apps"), "settings").await.is_none());
}
