//! A HelmRelease whose `chartRef` is an OCIRepository, as Flux documents it: charts pushed to
//! a real registry by `helm push`, the chart layer selected by its media type and copied (or
//! extracted), installed, then upgraded when a new version is pushed under the semver range;
//! the chart version carries the artifact digest as build metadata, as helm-controller's
//! digest tracking records it.

use weir_api::helm::HelmRelease;
use weir_testkit::charts::ChartRepository;
use weir_testkit::cluster::Cluster;
use weir_testkit::registry::{Registry, RegistryOptions};

use crate::helm_support::{HelmCli, condition};

fn oci_release(registry: &str, operation: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: web-chart\n  namespace: default\n\
         spec:\n  interval: 1s\n  insecure: true\n  url: oci://{registry}/charts/web\n  ref:\n    semver: \"1.x\"\n\
         \x20 layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: {operation}\n---\n\
         apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: default\n\
         spec:\n  interval: 1s\n  chartRef:\n    kind: OCIRepository\n    name: web-chart\n"
    )
}

fn push_chart(charts: &ChartRepository, registry: &Registry, version: &str) {
    charts.push_oci("web", version, &format!("oci://{}/charts", registry.host), None);
}

async fn chart_ref_installs_and_upgrades(operation: &str) {
    let registry = Registry::start(&RegistryOptions::default());
    let charts = ChartRepository::new();
    push_chart(&charts, &registry, "1.0.0");
    let cluster = Cluster::start().await;
    let helm = HelmCli::new(&cluster);
    cluster.apply(&oci_release(&registry.host, operation)).await;

    let in_step = |version: &'static str| {
        move |release: &HelmRelease| {
            condition(release, "Ready").is_some_and(|(status, _, _)| status == "True")
                && release
                    .status
                    .as_ref()
                    .and_then(|s| s.last_attempted_revision.as_deref())
                    .is_some_and(|revision| revision.starts_with(&format!("{version}+")))
        }
    };
    let release: HelmRelease = cluster.wait("default", "web", in_step("1.0.0")).await;
    let status = release.status.unwrap();
    assert!(status.last_attempted_revision_digest.unwrap().starts_with("sha256:"));
    assert_eq!(status.helm_chart.as_deref(), Some("default/web-chart"));
    let listed = helm.json(&["list", "-n", "default", "-o", "json"]);
    assert!(listed[0]["chart"].as_str().unwrap().starts_with("web-1.0.0+"), "{listed}");
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_some());

    push_chart(&charts, &registry, "1.1.0");
    cluster.wait("default", "web", in_step("1.1.0")).await;
    let listed = helm.json(&["list", "-n", "default", "-o", "json"]);
    assert!(listed[0]["chart"].as_str().unwrap().starts_with("web-1.1.0+"), "{listed}");
    assert_eq!(listed[0]["revision"], "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_copied_chart_layer_is_installed_and_upgraded() {
    chart_ref_installs_and_upgrades("copy").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extracted_chart_layer_is_installed_too() {
    chart_ref_installs_and_upgrades("extract").await;
}
