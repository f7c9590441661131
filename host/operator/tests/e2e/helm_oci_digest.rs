//! helm-controller's digest tracking for a `chartRef` OCIRepository: the chart version is
//! recorded with the first 12 hex digits of the artifact's digest as build metadata
//! (`1.0.0+0123456789ab`), and `status.lastAttemptedRevisionDigest` holds the digest, so the
//! same version pushed again with other content is a new chart, and the release is upgraded.

use weir_api::helm::HelmRelease;
use weir_api::source::OCIRepository;
use weir_testkit::charts::{ChartRepository, helm};
use weir_testkit::cluster::Cluster;
use weir_testkit::registry::{Registry, RegistryOptions};

use crate::helm_support::{HelmCli, condition};

const RELEASE: &str = "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: web-chart\n  namespace: default\n\
     spec:\n  interval: 1s\n  insecure: true\n  url: oci://{registry}/charts/web\n  ref:\n    tag: 1.0.0\n\
     \x20 layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: copy\n---\n\
     apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: default\n\
     spec:\n  interval: 1s\n  chartRef:\n    kind: OCIRepository\n    name: web-chart\n";

/// `web` 1.0.0 with `values` appended to its values.yaml, pushed by `helm push`.
fn push(charts: &ChartRepository, registry: &Registry, values: &str) {
    let source = charts.chart_source("web", "1.0.0", values);
    let packaged = tempfile::tempdir().unwrap();
    let dir = packaged.path().to_str().unwrap();
    helm(packaged.path(), &["package", source.to_str().unwrap(), "-d", dir]);
    let archive = packaged.path().join("web-1.0.0.tgz");
    let target = format!("oci://{}/charts", registry.host);
    helm(packaged.path(), &["push", archive.to_str().unwrap(), &target, "--plain-http"]);
}

/// The digest of the OCIRepository's artifact, once it is Ready.
async fn artifact_digest(cluster: &Cluster, not: Option<&str>) -> String {
    let source: OCIRepository = cluster
        .wait("default", "web-chart", |source: &OCIRepository| {
            let revision = source.status.as_ref().and_then(|s| s.artifact.as_ref()).map(|a| a.revision.clone());
            revision.is_some_and(|revision| not.is_none_or(|old| !revision.ends_with(old)))
        })
        .await;
    let revision = source.status.unwrap().artifact.unwrap().revision;
    revision.split_once('@').unwrap().1.to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_version_pushed_again_is_upgraded() {
    let registry = Registry::start(&RegistryOptions::default());
    let charts = ChartRepository::new();
    push(&charts, &registry, "");
    let cluster = Cluster::start().await;
    let helm_cli = HelmCli::new(&cluster);
    cluster.apply(&RELEASE.replace("{registry}", &registry.host)).await;

    let digest = artifact_digest(&cluster, None).await;
    let hex = &digest.trim_start_matches("sha256:")[..12];
    let tracked = |digest: String| {
        move |release: &HelmRelease| {
            condition(release, "Ready").is_some_and(|(status, _, _)| status == "True")
                && release.status.as_ref().and_then(|s| s.last_attempted_revision_digest.as_deref())
                    == Some(digest.as_str())
        }
    };
    let release = cluster.wait("default", "web", tracked(digest.clone())).await;
    let status = release.status.as_ref().unwrap();
    assert_eq!(status.last_attempted_revision, Some(format!("1.0.0+{hex}")));
    let (_, _, message) = condition(&release, "Released").unwrap_or_default();
    assert_eq!(message, format!("Helm install succeeded for release default/web.v1 with chart web@1.0.0+{hex}"));
    let listed = helm_cli.json(&["list", "-o", "json"]);
    assert_eq!(listed[0]["chart"], format!("web-1.0.0+{hex}"), "{listed}");

    // The tag moves to other content of the same version: a new digest, an upgrade.
    push(&charts, &registry, "pushedAgain: true\n");
    let moved = artifact_digest(&cluster, Some(&digest)).await;
    assert_ne!(moved, digest);
    let moved_hex = &moved.trim_start_matches("sha256:")[..12];
    let release = cluster.wait("default", "web", tracked(moved.clone())).await;
    assert_eq!(release.status.unwrap().last_attempted_revision, Some(format!("1.0.0+{moved_hex}")));
    let history = helm_cli.json(&["history", "web", "-o", "json"]);
    let rows: Vec<(String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["chart"].as_str().unwrap().to_owned(), row["status"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        rows,
        [
            (format!("web-1.0.0+{hex}"), "superseded".to_owned()),
            (format!("web-1.0.0+{moved_hex}"), "deployed".to_owned())
        ]
    );
}
