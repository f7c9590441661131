//! `dependsOn` between HelmReleases, and `serviceAccountName`: a tenant's release acts as its
//! service account, so it cannot install outside its namespace.

use weir_testkit::charts::{ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;

use crate::helm_support::{HelmCli, Setup, condition, helm_release_named, ready_with, repository_in, setup};
use weir_api::helm::HelmRelease;

const RBAC: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tenant\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: tenant\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: tenant\nrules:\n- apiGroups: [\"*\"]\n  resources: [\"*\"]\n  verbs: [\"*\"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: tenant\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: deployer\nsubjects:\n- kind: ServiceAccount\n  name: deployer\n  namespace: tenant\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_waits_for_its_dependencies() {
    let Setup { charts: _charts, server: _server, cluster, helm: _helm } = setup().await;
    let app = "  releaseName: app\n  dependsOn:\n  - name: base\n";
    cluster.apply(&helm_release_named("default", "app", app)).await;
    let waiting: HelmRelease = cluster
        .wait("default", "app", |r: &HelmRelease| condition(r, "Ready").is_some_and(|(status, _, _)| status == "False"))
        .await;
    let (_, reason, message) = condition(&waiting, "Ready").unwrap();
    assert_eq!((reason.as_str(), message.as_str()), ("DependencyNotReady", "dependency 'default/base' not found"));
    cluster.apply(&helm_release_named("default", "base", "  releaseName: base\n")).await;
    cluster.wait("default", "app", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_cannot_release_outside_its_namespace() {
    let charts = ChartRepository::new();
    charts.publish("web", "1.0.0", "", None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start().await;
    let helm = HelmCli::new(&cluster);
    cluster.apply(RBAC).await;
    cluster.apply(&repository_in("tenant", &server.url)).await;
    let escape = "  serviceAccountName: deployer\n  targetNamespace: default\n  storageNamespace: tenant\n";
    cluster.apply(&helm_release_named("tenant", "web", escape)).await;
    let refused: HelmRelease = cluster
        .wait("tenant", "web", |r: &HelmRelease| {
            condition(r, "Released").is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let (_, reason, message) = condition(&refused, "Released").unwrap();
    assert_eq!(reason, "InstallFailed");
    assert!(message.contains("system:serviceaccount:tenant:deployer"), "{message}");
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "default-web").await.is_none());

    // At home the same tenant releases fine. (Renaming the refused release instead would have
    // to uninstall it as the tenant first, which RBAC refuses in `default`, as in Flux.)
    let home = "  serviceAccountName: deployer\n";
    cluster.apply(&helm_release_named("tenant", "home", home)).await;
    cluster.wait("tenant", "home", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
    assert!(cluster.get("apps/v1", "Deployment", Some("tenant"), "home-web").await.is_some());
    let listed = helm.json(&["list", "-a", "-n", "tenant", "-o", "json"]);
    let status =
        |name: &str| listed.as_array().unwrap().iter().find(|r| r["name"] == name).map(|r| r["status"].clone());
    assert_eq!(status("home"), Some("deployed".into()), "{listed}");
    assert_eq!(status("default-web"), Some("failed".into()), "the refused release is on record: {listed}");
}
