//! HelmRelease end to end: charts from an nginx-served repository, rendered by the
//! chart-renderer plugin, released into the embedded API server; the real helm 3.18 CLI reads
//! the release records after each step (`helm list`, `history`, `get values`, `get manifest`).

use weir_api::helm::HelmRelease;
use weir_testkit::charts::{ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::{Cluster, PATIENCE, eventually};

use crate::helm_support::{HelmCli, Setup, condition, helm_release, ready_with, released, repository, setup};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_upgrade_and_uninstall_as_helm_sees_them() {
    let Setup { charts, server: _server, cluster, helm } = setup().await;

    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    let release = released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    let (_, _, message) = condition(&release, "Released").unwrap();
    assert_eq!(message, "Helm install succeeded for release default/web.v1 with chart web@1.0.0");
    let listed = helm.json(&["list", "-o", "json"]);
    assert_eq!(listed[0]["name"], "web");
    assert_eq!((listed[0]["revision"].as_str(), listed[0]["status"].as_str()), (Some("1"), Some("deployed")));
    assert_eq!(listed[0]["chart"], "web-1.0.0");
    assert_eq!(helm.json(&["get", "values", "web", "-o", "json"]), serde_json::json!({"replicaCount": 2}));
    let manifest = helm.run(&["get", "manifest", "web"]);
    assert!(
        manifest.contains("# Source: web/templates/deployment.yaml")
            && manifest.contains("helm.toolkit.fluxcd.io/name: web"),
        "{manifest}"
    );
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_eq!(deployment["metadata"]["annotations"]["meta.helm.sh/release-name"], "web");
    assert_eq!(deployment["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm");

    // New values upgrade; so does a newer chart within the range.
    cluster.apply(&helm_release("  values:\n    replicaCount: 3\n")).await;
    released(&cluster, |r| ready_with(r, "UpgradeSucceeded")).await;
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(deployment["spec"]["replicas"], 3);
    charts.publish("web", "1.1.0", "", None);
    let release = released(&cluster, |r| {
        r.status
            .as_ref()
            .and_then(|s| s.history.as_ref())
            .and_then(|h| h.first())
            .is_some_and(|s| s.chart_version == "1.1.0" && s.status == "deployed")
    })
    .await;
    assert_eq!(release.status.unwrap().history.unwrap()[0].version, 3);
    let history = helm.json(&["history", "web", "-o", "json"]);
    let statuses: Vec<&str> = history.as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["superseded", "superseded", "deployed"]);
    assert_eq!(history[2]["chart"], "web-1.1.0");

    // Deleting the HelmRelease uninstalls: objects and records go, and its HelmChart.
    let api = kube::Api::<HelmRelease>::namespaced(cluster.client.clone(), "default");
    api.delete("web", &Default::default()).await.unwrap();
    eventually(PATIENCE, || async {
        let gone = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_none()
            && cluster.get("source.toolkit.fluxcd.io/v1", "HelmChart", Some("default"), "default-web").await.is_none();
        gone.then_some(()).ok_or_else(String::new)
    })
    .await
    .expect("the release's objects and HelmChart are deleted");
    assert_eq!(helm.json(&["list", "-a", "-o", "json"]), serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_upgrade_is_rolled_back_until_retries_run_out() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release("")).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;

    // A new pod template on a Deployment marked to fail: the rollout never completes.
    let failing = "  timeout: 3s\n  upgrade:\n    remediation:\n      retries: 1\n  commonMetadata:\n    annotations:\n      weir.dev/simulate: fail\n\
                   \x20 values:\n    podAnnotations:\n      rollout: broken\n";
    cluster.apply(&helm_release(failing)).await;
    let release = released(&cluster, |r| condition(r, "Stalled").is_some_and(|(status, _, _)| status == "True")).await;
    let (_, reason, message) = condition(&release, "Ready").unwrap();
    assert_eq!((reason.as_str(), message.as_str()), ("RetriesExceeded", "Failed to upgrade after 2 attempt(s)"));
    let (status, reason, _) = condition(&release, "Remediated").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "RollbackSucceeded"));
    assert_eq!(release.status.as_ref().unwrap().upgrade_failures, Some(2));
    let history = helm.json(&["history", "web", "-o", "json"]);
    let rows: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["description"].as_str().unwrap().to_owned()))
        .collect();
    let deployed = rows.iter().filter(|(status, _)| status == "deployed").collect::<Vec<_>>();
    assert_eq!(deployed.len(), 1, "{rows:?}");
    assert!(deployed[0].1.starts_with("Rollback to"), "{rows:?}");
    assert!(rows.iter().any(|(status, _)| status == "failed"), "{rows:?}");
    // A spent budget stops the attempts: no further revision appears.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let later = helm.json(&["history", "web", "-o", "json"]);
    assert_eq!(later.as_array().unwrap().len(), rows.len(), "{later}");

    // Fixing the spec is a new desired state: it upgrades again.
    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    released(&cluster, |r| ready_with(r, "UpgradeSucceeded")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_from_configmaps_and_secrets_in_flux_order() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster
        .apply(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: base\n  namespace: default\ndata:\n  values.yaml: |\n    replicaCount: 4\n    image:\n      tag: base\n\
             ---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: tag\n  namespace: default\nstringData:\n  tag: from-secret\n",
        )
        .await;
    let spec = "  valuesFrom:\n  - kind: ConfigMap\n    name: base\n  - kind: Secret\n    name: tag\n    valuesKey: tag\n    targetPath: image.tag\n\
                \x20 - kind: ConfigMap\n    name: absent\n    optional: true\n  values:\n    replicaCount: 5\n";
    cluster.apply(&helm_release(spec)).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    let values = helm.json(&["get", "values", "web", "-o", "json"]);
    assert_eq!(values, serde_json::json!({"replicaCount": 5, "image": {"tag": "from-secret"}}));

    // A required source that is missing fails without touching the release.
    let missing =
        format!("{spec}  - kind: ConfigMap\n    name: nowhere\n").replace("  values:\n    replicaCount: 5\n", "");
    cluster.apply(&helm_release(&missing)).await;
    let release = released(&cluster, |r| condition(r, "Ready").is_some_and(|(status, _, _)| status == "False")).await;
    let (_, reason, message) = condition(&release, "Ready").unwrap();
    assert_eq!(reason, "InitFailed");
    assert_eq!(message, "could not find ConfigMap 'default/nowhere'");
    assert_eq!(helm.json(&["history", "web", "-o", "json"]).as_array().unwrap().len(), 1, "no new revision");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_made_by_helm_install_is_adopted() {
    let charts = ChartRepository::new();
    charts.publish("web", "1.0.0", "", None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start().await;
    let helm = HelmCli::new(&cluster);
    let archive = charts.root.join("web-1.0.0.tgz");
    helm.run(&["install", "web", archive.to_str().unwrap(), "--set", "replicaCount=2"]);
    cluster.apply(&repository(&server.url)).await;
    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    let release = released(&cluster, |r| condition(r, "Ready").is_some_and(|(status, _, _)| status == "True")).await;
    let history = helm.json(&["history", "web", "-o", "json"]);
    let revisions = history.as_array().unwrap().len();
    // Helm typed `--set replicaCount=2` as an int, Flux's values are JSON numbers: the same
    // values either way, so the release is in step and adopted as it is, or upgraded once.
    assert!(revisions <= 2, "{history}");
    assert_eq!(helm.json(&["get", "values", "web", "-o", "json"]), serde_json::json!({"replicaCount": 2}));
    assert!(release.status.unwrap().history.unwrap().iter().any(|snapshot| snapshot.status == "deployed"));
}
