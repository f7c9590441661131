//! `spec.kubeConfig`: a HelmRelease releasing into a second cluster (another embedded API
//! server) through the kubeconfig in a Secret, as helm-controller does: the chart and values
//! come from the HelmRelease's cluster, the objects and Helm's records land in the remote one,
//! where the helm CLI reads them. A missing Secret or key is `RESTClientError`.

use weir_api::helm::HelmRelease;
use weir_testkit::cluster::Cluster;

use crate::helm_support::{HelmCli, Setup, condition, helm_release, ready_with, setup};

fn kubeconfig_secret(name: &str, key: &str, kubeconfig: &str) -> String {
    let indented: String = kubeconfig.lines().map(|line| format!("    {line}\n")).collect();
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  {key}: |\n{indented}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_goes_to_the_cluster_of_its_kubeconfig() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    let remote = Cluster::start().await;
    let remote_helm = HelmCli::new(&remote);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = std::fs::read_to_string(remote.kubeconfig(dir.path(), "default")).unwrap();
    cluster.apply(&kubeconfig_secret("remote", "value.yaml", &kubeconfig)).await;

    let spec = "  kubeConfig:\n    secretRef:\n      name: remote\n  values:\n    replicaCount: 2\n";
    cluster.apply(&helm_release(spec)).await;
    let release = cluster.wait("default", "web", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
    let (_, _, message) = condition(&release, "Released").unwrap();
    assert_eq!(message, "Helm install succeeded for release default/web.v1 with chart web@1.0.0");
    // The remote cluster holds the release and its objects; this one neither.
    let listed = remote_helm.json(&["list", "-o", "json"]);
    assert_eq!((listed[0]["name"].as_str(), listed[0]["status"].as_str()), (Some("web"), Some("deployed")));
    assert_eq!(remote_helm.json(&["get", "values", "web", "-o", "json"]), serde_json::json!({"replicaCount": 2}));
    let deployment = remote.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_none());
    assert_eq!(helm.json(&["list", "-a", "-o", "json"]), serde_json::json!([]));

    // Deleting the HelmRelease uninstalls from the remote cluster.
    kube::Api::<HelmRelease>::namespaced(cluster.client.clone(), "default")
        .delete("web", &Default::default())
        .await
        .unwrap();
    weir_testkit::cluster::eventually(weir_testkit::cluster::PATIENCE, || async {
        let gone = remote.get("apps/v1", "Deployment", Some("default"), "web").await.is_none();
        gone.then_some(()).ok_or_else(String::new)
    })
    .await
    .expect("uninstalled from the remote cluster");
    assert_eq!(remote_helm.json(&["list", "-a", "-o", "json"]), serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_kubeconfig_is_a_rest_client_error() {
    let Setup { charts: _charts, server: _server, cluster, helm: _helm } = setup().await;
    cluster.apply(&helm_release("  kubeConfig:\n    secretRef:\n      name: absent\n")).await;
    let failed = |reason: &'static str| {
        move |r: &HelmRelease| condition(r, "Ready").is_some_and(|(status, why, _)| status == "False" && why == reason)
    };
    let release = cluster.wait("default", "web", failed("RESTClientError")).await;
    let (_, _, message) = condition(&release, "Ready").unwrap();
    assert!(message.starts_with("could not get KubeConfig secret 'default/absent'"), "{message}");

    cluster.apply(&kubeconfig_secret("absent", "other", "apiVersion: v1\nkind: Config\n")).await;
    let release = cluster
        .wait("default", "web", |r: &HelmRelease| {
            condition(r, "Ready").is_some_and(|(_, _, message)| message.contains("does not contain"))
        })
        .await;
    let (_, why, message) = condition(&release, "Ready").unwrap();
    assert_eq!(why, "RESTClientError");
    assert_eq!(message, "KubeConfig secret 'default/absent' does not contain a 'value' or 'value.yaml' key with data");
}
