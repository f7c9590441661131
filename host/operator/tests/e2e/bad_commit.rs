//! A bad commit (invalid YAML, a kustomize error, an object the API server rejects)
//! leaves the cluster as the last good revision left it; the next good commit recovers.

use weir_testkit::cluster::{Cluster, applied, config_map, gitops, ready_condition};
use weir_testkit::git::GitServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_commits_change_nothing_and_good_ones_recover() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("a.yaml", &config_map("default", "a", "good"));
    repository.write("b.yaml", &config_map("default", "b", "good"));
    let good = repository.commit("good");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("fleet", &repository.url, "./", "")).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &good)).await;

    let failed_at = |commit: &str, expected_reason: &'static str| {
        let commit = commit.to_owned();
        move |ks: &weir_api::kustomize::Kustomization| {
            let attempted = ks.status.as_ref().and_then(|status| status.last_attempted_revision.clone());
            attempted.is_some_and(|revision| revision.ends_with(&commit))
                && ready_condition(ks).is_some_and(|(status, reason, _)| status == "False" && reason == expected_reason)
        }
    };
    let unchanged = async |cluster: &Cluster| {
        assert_eq!(cluster.get("v1", "ConfigMap", Some("default"), "a").await.unwrap()["data"]["value"], "good");
        assert!(cluster.get("v1", "ConfigMap", Some("default"), "b").await.is_some(), "nothing pruned");
    };

    // Invalid YAML, and b removed in the same commit.
    repository.write("a.yaml", &config_map("default", "a", "changed"));
    repository.remove("b.yaml");
    repository.write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");
    let broken = repository.commit("broken yaml");
    let ks = cluster.wait_kustomization("default", "fleet", failed_at(&broken, "BuildFailed")).await;
    assert_eq!(ks.status.clone().unwrap().last_applied_revision, Some(format!("main@sha1:{good}")));
    unchanged(&cluster).await;

    // A kustomization.yaml naming a file that does not exist.
    repository.remove("broken.yaml");
    repository.write("kustomization.yaml", "resources:\n- a.yaml\n- missing.yaml\n");
    let missing = repository.commit("kustomize error");
    let ks = cluster.wait_kustomization("default", "fleet", failed_at(&missing, "BuildFailed")).await;
    assert!(ready_condition(&ks).unwrap().2.contains("missing.yaml"), "{:?}", ready_condition(&ks));
    unchanged(&cluster).await;

    // An object the API server rejects (422: the GitRepository URL fails the CRD's pattern).
    repository.remove("kustomization.yaml");
    repository.write(
        "invalid.yaml",
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: invalid\n  namespace: default\nspec:\n  interval: 1m\n  url: not-a-url\n",
    );
    let rejected = repository.commit("rejected object");
    let ks = cluster.wait_kustomization("default", "fleet", failed_at(&rejected, "ReconciliationFailed")).await;
    let message = ready_condition(&ks).unwrap().2;
    assert!(message.starts_with("GitRepository/default/invalid dry-run failed"), "{message}");
    unchanged(&cluster).await;

    // The next good commit applies, and prunes b at last.
    repository.remove("invalid.yaml");
    let fixed = repository.commit("fixed");
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &fixed)).await;
    assert_eq!(cluster.get("v1", "ConfigMap", Some("default"), "a").await.unwrap()["data"]["value"], "changed");
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "b").await.is_none());
}
