//! `spec.verify` on a HelmChart from an OCI HelmRepository, as source-controller checks it:
//! a chart `helm push`ed and signed where cosign keeps signatures (the signature made by
//! openssl, not by the verifier's library) is pulled with `SourceVerified=True`; an unsigned
//! version is refused before it is pulled (`ChartVerificationError`, `SourceVerified=False`),
//! the verified artifact kept; without `spec.verify` the condition goes away.

use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use weir_api::source::HelmChart;
use weir_registry::{ClientOptions, Reference, RegistryClient};
use weir_testkit::charts::ChartRepository;
use weir_testkit::cluster::Cluster;
use weir_testkit::oci::{SigningKey, push_signature};
use weir_testkit::registry::{Registry, RegistryOptions};

use crate::helm_support::{chart_revision, condition, helm_chart};

/// The manifest digest `helm push` left under `charts/<name>:<version>`.
async fn digest_of(registry: &Registry, name: &str, version: &str) -> String {
    let reference = Reference::parse(&format!("{}/charts/{name}:{version}", registry.host)).unwrap();
    tokio::task::spawn_blocking(move || {
        let client = RegistryClient::new(ClientOptions { plain_http: true, ..ClientOptions::default() }).unwrap();
        client.manifest_digest(&reference).unwrap().expect("the chart is there")
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_signed_charts_are_pulled() {
    let registry = Registry::start(&RegistryOptions::default());
    let charts = ChartRepository::new();
    let target = format!("oci://{}/charts", registry.host);
    charts.push_oci("web", "0.1.0", &target, None);
    let key = SigningKey::generate();
    let signed = digest_of(&registry, "web", "0.1.0").await;
    push_signature(&registry.host, "charts/web", &signed, &key);

    let cluster = Cluster::start().await;
    let pem: String = key.public_pem.lines().map(|line| format!("    {line}\n")).collect();
    cluster
        .apply(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: cosign-keys\n  namespace: default\nstringData:\n  cosign.pub: |\n{pem}"
        ))
        .await;
    cluster
        .apply(&format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: registry\n  namespace: default\n\
             spec:\n  type: oci\n  insecure: true\n  interval: 1s\n  url: {target}\n"
        ))
        .await;
    let verify = "  verify:\n    provider: cosign\n    secretRef:\n      name: cosign-keys\n";
    cluster.apply(&helm_chart("web", "web", "*", "HelmRepository", "registry", verify)).await;
    let chart: HelmChart = cluster
        .wait("default", "web", |chart: &HelmChart| {
            chart_revision(chart) == Some("0.1.0") && condition(chart, "SourceVerified").is_some()
        })
        .await;
    assert_eq!(
        condition(&chart, "SourceVerified"),
        Some(("True".into(), "Succeeded".into(), "verified signature of version 0.1.0".into()))
    );

    // 0.2.0 comes unsigned: refused before it is pulled, 0.1.0 kept.
    charts.push_oci("web", "0.2.0", &target, None);
    let refused: HelmChart = cluster
        .wait("default", "web", |chart: &HelmChart| {
            condition(chart, "SourceVerified").is_some_and(|(status, _, _)| status == "False")
        })
        .await;
    let expected = format!("chart verification error: failed to verify {target}/web:0.2.0: no matching signatures");
    assert_eq!(
        condition(&refused, "SourceVerified"),
        Some(("False".into(), "VerificationError".into(), expected.clone()))
    );
    assert_eq!(condition(&refused, "Ready"), Some(("False".into(), "ChartVerificationError".into(), expected)));
    assert_eq!(chart_revision(&refused), Some("0.1.0"));

    // Signed, it is pulled.
    let digest = digest_of(&registry, "web", "0.2.0").await;
    push_signature(&registry.host, "charts/web", &digest, &key);
    let verified: HelmChart = cluster
        .wait("default", "web", |chart: &HelmChart| {
            chart_revision(chart) == Some("0.2.0")
                && condition(chart, "SourceVerified").is_some_and(|(status, _, _)| status == "True")
        })
        .await;
    assert_eq!(condition(&verified, "SourceVerified").unwrap().2, "verified signature of version 0.2.0");

    // Without spec.verify, there is nothing to say.
    let charts: Api<HelmChart> = Api::namespaced(cluster.client.clone(), "default");
    let unverified = json!({"spec": {"verify": null}});
    charts.patch("web", &PatchParams::default(), &Patch::Merge(&unverified)).await.unwrap();
    cluster.wait("default", "web", |chart: &HelmChart| condition(chart, "SourceVerified").is_none()).await;
}
