//! Releases the helm CLI wrote (`helm install`, `upgrade`, `uninstall
//! --keep-history` of the chart `helm create` lays out) read back through
//! the crate, and encode back to the very JSON Helm wrote.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use weir_helm_storage::{HookEvent, HookPhase, Release, Stamp, Status, Timestamp, from_secret, secret_name, to_secret};

use crate::cluster::Cluster;

/// Every Secret of the release: the crate's decoding of it must re-encode to
/// exactly the JSON Helm stored (nothing lost, nothing added), and survive a
/// trip through `to_secret` / `from_secret`.
async fn assert_round_trips(cluster: &Cluster, history: &[Release]) {
    for release in history {
        let key = secret_name(&release.name, release.version);
        let helm_json = cluster.raw_release_json(&key).await;
        assert_eq!(serde_json::to_value(release).unwrap(), helm_json, "{key} does not encode back to Helm's JSON");
        let again = from_secret(&to_secret(release, Stamp::ModifiedAt(0)).unwrap()).unwrap();
        assert_eq!(&again, release, "{key}");
    }
}

#[tokio::test]
async fn helm_installed_and_upgraded_releases_decode_and_encode_back_to_helms_json() {
    let cluster = Cluster::start().await;
    let chart = cluster.home.path().join("web");
    let chart = chart.to_str().unwrap();
    cluster.helm(&["create", chart]);
    cluster.helm(&["install", "web", chart, "--labels", "team=storefront"]);
    cluster.helm(&["upgrade", "web", chart, "--set", "replicaCount=2"]);

    let history = cluster.store().history("web").await.unwrap();
    let summary: Vec<(i64, &str, &str)> =
        history.iter().map(|r| (r.version, r.info.status.as_str(), r.info.description.as_str())).collect();
    assert_eq!(summary, [(1, "superseded", "Install complete"), (2, "deployed", "Upgrade complete")]);
    let (installed, upgraded) = (&history[0], &history[1]);
    for release in &history {
        assert_eq!((release.name.as_str(), release.namespace.as_str()), ("web", "default"));
        assert_eq!(release.labels, BTreeMap::from([("team".to_owned(), "storefront".to_owned())]));
        let chart = release.chart.as_ref().unwrap();
        let metadata = chart.metadata.as_ref().unwrap();
        assert_eq!(
            (metadata.name.as_str(), metadata.version.as_str(), metadata.app_version.as_str()),
            ("web", "0.1.0", "1.16.0")
        );
        assert_eq!((metadata.api_version.as_str(), metadata.type_.as_str()), ("v2", "application"));
        assert_eq!(metadata.description, "A Helm chart for Kubernetes");
        assert!(chart.templates.iter().any(|file| file.name == "templates/deployment.yaml"), "{:?}", chart.templates);
        let deployment = chart.templates.iter().find(|file| file.name == "templates/deployment.yaml").unwrap();
        assert!(String::from_utf8_lossy(&deployment.data).contains("kind: Deployment"));
        assert_eq!(chart.values.as_ref().unwrap()["replicaCount"], 1);
        assert!(release.manifest.contains("# Source: web/templates/deployment.yaml"), "{}", release.manifest);
        assert!(release.info.notes.contains("kubectl --namespace default port-forward"), "{}", release.info.notes);
        // The `helm create` test Pod is the one hook; it never ran.
        let [hook] = release.hooks.as_slice() else { panic!("{:?}", release.hooks) };
        assert_eq!((hook.name.as_str(), hook.kind.as_str()), ("web-test-connection", "Pod"));
        assert_eq!(
            (hook.path.as_str(), hook.events.as_slice()),
            ("web/templates/tests/test-connection.yaml", &[HookEvent::TEST][..])
        );
        assert_eq!(hook.last_run.phase, HookPhase::default());
        // Helm 3 writes its zero times as "" (read as `Some(ZERO)`), never leaves them out.
        assert_eq!(hook.last_run.started_at, Some(Timestamp::ZERO));
        assert_eq!(release.info.deleted, Some(Timestamp::ZERO));
        assert!(release.info.last_deployed.is_some_and(|time| !time.is_zero()));
    }
    assert!(installed.config.is_empty(), "{:?}", installed.config);
    assert_eq!(Value::Object(upgraded.config.clone()), json!({"replicaCount": 2}));
    assert!(upgraded.manifest.contains("replicas: 2") && installed.manifest.contains("replicas: 1"));
    assert_eq!(upgraded.info.first_deployed, installed.info.first_deployed);
    assert_ne!(upgraded.info.last_deployed, installed.info.last_deployed);
    assert_round_trips(&cluster, &history).await;

    // The Secrets carry Helm's labels, which the release's labels leave out.
    let secret = cluster.secrets().get("sh.helm.release.v1.web.v2").await.unwrap();
    assert_eq!(secret.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels = secret.metadata.labels.unwrap();
    let expected =
        [("name", "web"), ("owner", "helm"), ("status", "deployed"), ("version", "2"), ("team", "storefront")];
    for (key, value) in expected {
        assert_eq!(labels.get(key).map(String::as_str), Some(value), "{key} in {labels:?}");
    }
    // Helm's last write to it was an update (pending-upgrade → deployed), which replaces the labels.
    assert!(labels["modifiedAt"].parse::<i64>().is_ok() && !labels.contains_key("createdAt"), "{labels:?}");

    // Uninstalling with the history kept stamps `deleted`, a real time this time.
    cluster.helm(&["uninstall", "web", "--keep-history"]);
    let history = cluster.store().history("web").await.unwrap();
    let latest = weir_helm_storage::history::latest(&history).unwrap();
    assert_eq!((latest.version, &latest.info.status), (2, &Status::UNINSTALLED));
    assert_eq!(latest.info.description, "Uninstallation complete");
    assert!(latest.info.deleted.is_some_and(|time| !time.is_zero()), "{:?}", latest.info);
    assert_round_trips(&cluster, &history).await;
}
