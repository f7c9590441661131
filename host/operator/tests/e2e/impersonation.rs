//! `serviceAccountName`: a tenant's Kustomization acts as its service account, so
//! RBAC confines it; writing outside its namespace is refused and reported.

use weir_testkit::cluster::{Cluster, applied, config_map, ready_condition};
use weir_testkit::git::GitServer;

const RBAC: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: tenant\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: tenant\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: tenant\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: deployer\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: tenant\n";

fn tenant_gitops(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: tenant\n  namespace: tenant\nspec:\n  interval: 1s\n  url: {url}\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: tenant\n  namespace: tenant\nspec:\n  interval: 2s\n  path: ./\n  prune: true\n  serviceAccountName: deployer\n  sourceRef:\n    kind: GitRepository\n    name: tenant\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_cannot_write_outside_its_namespace() {
    let git = GitServer::start();
    let repository = git.repository("tenant");
    repository.write("mine.yaml", &config_map("tenant", "mine", "1"));
    repository.write("theirs.yaml", &config_map("default", "theirs", "1"));
    let escape = repository.commit("reach into default");
    let cluster = Cluster::start().await;
    cluster.apply(RBAC).await;
    cluster.apply(&tenant_gitops(&repository.url)).await;

    let refused = cluster
        .wait_kustomization("tenant", "tenant", |ks| {
            ks.status
                .as_ref()
                .and_then(|status| status.last_attempted_revision.clone())
                .is_some_and(|r| r.ends_with(&escape))
                && ready_condition(ks).is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let (_, reason, message) = ready_condition(&refused).unwrap();
    assert_eq!(reason, "ReconciliationFailed");
    assert!(message.contains("ConfigMap/default/theirs"), "{message}");
    assert!(message.contains("system:serviceaccount:tenant:deployer"), "{message}");
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "theirs").await.is_none());
    assert!(cluster.get("v1", "ConfigMap", Some("tenant"), "mine").await.is_none(), "nothing of that revision applied");

    repository.remove("theirs.yaml");
    let confined = repository.commit("stay home");
    cluster.wait_kustomization("tenant", "tenant", |ks| applied(ks, &confined)).await;
    assert!(cluster.get("v1", "ConfigMap", Some("tenant"), "mine").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_service_account_applies_to_kustomizations_naming_none() {
    let git = GitServer::start();
    let repository = git.repository("tenant");
    repository.write("theirs.yaml", &config_map("default", "theirs", "1"));
    let commit = repository.commit("reach into default");
    let cluster =
        Cluster::start_with(|settings| settings.default_service_account = Some("deployer".into()), Vec::new()).await;
    cluster.apply(RBAC).await;
    cluster.apply(&tenant_gitops(&repository.url).replace("  serviceAccountName: deployer\n", "")).await;
    let refused = cluster
        .wait_kustomization("tenant", "tenant", |ks| {
            ks.status
                .as_ref()
                .and_then(|status| status.last_attempted_revision.clone())
                .is_some_and(|r| r.ends_with(&commit))
                && ready_condition(ks).is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    assert!(ready_condition(&refused).unwrap().2.contains("forbidden"), "{:?}", ready_condition(&refused));
}
