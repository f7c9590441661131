//! A HelmRepository of `type: oci` as Flux documents it: charts pushed to a real registry
//! (docker-registry) by `helm push`, HelmCharts choosing versions from its tags, a HelmRelease
//! installing from it, credentials from `secretRef` (username/password or a docker config)
//! against htpasswd auth, and the failures Flux reports.

use weir_api::helm::HelmRelease;
use weir_api::source::{HelmChart, HelmRepository};
use weir_api::status::{FluxObject, ObjectStatus};
use weir_testkit::charts::ChartRepository;
use weir_testkit::cluster::Cluster;
use weir_testkit::registry::{Registry, RegistryAuth, RegistryOptions};

use crate::helm_support::{HelmCli, chart_revision, condition, helm_chart, shown_chart};

fn oci_repository(name: &str, registry: &Registry, extra: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  type: oci\n  insecure: true\n  interval: 1s\n  url: oci://{}/charts/\n{extra}",
        registry.host
    )
}

fn secret_ref(name: &str) -> String {
    format!("  secretRef:\n    name: {name}\n")
}

fn ready_is<K: FluxObject>(status: &'static str) -> impl Fn(&K) -> bool {
    move |object: &K| condition(object, "Ready").is_some_and(|(found, _, _)| found == status)
}

/// The chart's artifact holds `version` and it is Ready (not in the middle of a reconciliation).
fn pulled(version: &'static str) -> impl Fn(&HelmChart) -> bool {
    move |chart: &HelmChart| chart_revision(chart) == Some(version) && ready_is("True")(chart)
}

fn stalled<K: FluxObject>(object: &K) -> bool {
    object.status().is_some_and(|status| status.conditions().iter().any(|c| c.type_ == "Stalled" && c.status == "True"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charts_follow_the_registry_tags_and_a_release_installs_from_them() {
    let registry = Registry::start(&RegistryOptions::default());
    let charts = ChartRepository::new();
    let target = format!("oci://{}/charts", registry.host);
    charts.push_oci("web", "0.1.0", &target, None);
    charts.push_oci("web", "0.2.0", &target, None);
    let cluster = Cluster::start().await;
    cluster.apply(&oci_repository("registry", &registry, "")).await;

    // The repository is only a URL and credentials: Ready, without an artifact.
    let repository: HelmRepository = cluster.wait("default", "registry", ready_is("True")).await;
    let (_, reason, message) = condition(&repository, "Ready").unwrap();
    assert_eq!((reason.as_str(), message.as_str()), ("Succeeded", "Helm repository is ready"));
    assert!(repository.status.as_ref().unwrap().artifact.is_none());

    cluster.apply(&helm_chart("web-old", "web", ">=0.1.0 <0.2.0", "HelmRepository", "registry", "")).await;
    cluster.apply(&helm_chart("web-latest", "web", "*", "HelmRepository", "registry", "")).await;
    let old: HelmChart = cluster.wait("default", "web-old", pulled("0.1.0")).await;
    let (status, reason, message) = condition(&old, "Ready").unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Succeeded"));
    assert_eq!(message, "pulled 'web' chart with version '0.1.0'");
    assert!(shown_chart(&cluster, &old).contains("version: 0.1.0"));
    let latest: HelmChart = cluster.wait("default", "web-latest", pulled("0.2.0")).await;
    assert!(shown_chart(&cluster, &latest).contains("version: 0.2.0"));
    // The stored layer is what helm pushed, byte for byte.
    let artifact = latest.status.as_ref().unwrap().artifact.clone().unwrap();
    let stored = std::fs::read(cluster.artifact_dir(&artifact.path).join("chart.tgz")).unwrap();
    let digest = format!("sha256:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stored)));
    assert!(registry.blob_path(&digest).is_file(), "the artifact is the chart layer in the registry");

    // The same version again is the same artifact: kept, not pulled anew.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let again: HelmChart = cluster.wait("default", "web-latest", ready_is("True")).await;
    let kept = again.status.as_ref().unwrap().artifact.clone().unwrap();
    assert_eq!((kept.digest, kept.last_update_time), (artifact.digest, artifact.last_update_time));

    // A new tag in the range is picked up.
    charts.push_oci("web", "0.3.0", &target, None);
    cluster.wait("default", "web-latest", pulled("0.3.0")).await;

    // A HelmRelease's chart template from the OCI repository installs.
    let helm = HelmCli::new(&cluster);
    cluster
        .apply(
            "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: web\n  namespace: default\n\
             spec:\n  interval: 1s\n  chart:\n    spec:\n      chart: web\n      version: \"0.1.x\"\n\
             \x20     sourceRef:\n        kind: HelmRepository\n        name: registry\n",
        )
        .await;
    let release: HelmRelease = cluster
        .wait("default", "web", |r: &HelmRelease| {
            condition(r, "Ready").is_some_and(|(status, _, _)| status == "True")
                && r.status.as_ref().and_then(|s| s.last_attempted_revision.as_deref()) == Some("0.1.0")
        })
        .await;
    assert_eq!(release.status.unwrap().helm_chart.as_deref(), Some("default/default-web"));
    let listed = helm.json(&["list", "-n", "default", "-o", "json"]);
    assert_eq!(listed[0]["chart"], "web-0.1.0", "{listed}");
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "web").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_and_failures_are_reported_as_flux_reports_them() {
    let options = RegistryOptions {
        auth: RegistryAuth::Basic { username: "ci", password: "pushes" },
        ..RegistryOptions::default()
    };
    let registry = Registry::start(&options);
    let charts = ChartRepository::new();
    charts.push_oci("web", "0.1.0", &format!("oci://{}/charts", registry.host), Some(("ci", "pushes")));
    let cluster = Cluster::start().await;
    let basic = |name: &str, password: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\n\
             stringData:\n  username: ci\n  password: {password}\n"
        )
    };
    cluster.apply(&basic("good", "pushes")).await;
    cluster.apply(&basic("wrong", "guessed")).await;
    let auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode("ci:pushes")
    };
    cluster
        .apply(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: docker\n  namespace: default\n\
             type: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{{\"auths\":{{\"{}\":{{\"auth\":\"{auth}\"}}}}}}'\n",
            registry.host
        ))
        .await;
    cluster.apply(&oci_repository("private", &registry, &secret_ref("good"))).await;
    cluster.apply(&oci_repository("docker", &registry, &secret_ref("docker"))).await;
    cluster.apply(&oci_repository("denied", &registry, &secret_ref("wrong"))).await;
    cluster.apply(&oci_repository("anonymous", &registry, "")).await;
    cluster.apply(&oci_repository("cloud", &registry, "  provider: aws\n")).await;

    // username/password and a docker config both sign in.
    cluster.apply(&helm_chart("private", "web", "0.x", "HelmRepository", "private", "")).await;
    cluster.apply(&helm_chart("docker", "web", "0.1.0", "HelmRepository", "docker", "")).await;
    let private: HelmChart = cluster.wait("default", "private", pulled("0.1.0")).await;
    assert_eq!(condition(&private, "Ready").unwrap().2, "pulled 'web' chart with version '0.1.0'");
    cluster.wait("default", "docker", pulled("0.1.0")).await;

    // Wrong credentials, or none: AuthenticationFailed, the password never in the message.
    for source in ["denied", "anonymous"] {
        let (reason, message) = failure(&cluster, source, "web", "0.x", source, ready_is("False")).await;
        assert_eq!(reason, "AuthenticationFailed", "{message}");
        let expected = "failed to authenticate with the Helm repository: chart pull error: \
                        failed to get chart version for remote reference: could not get tags for \"web\": ";
        assert!(message.starts_with(expected), "{message}");
        assert!(message.contains("401") && !message.contains("guessed") && !message.contains("pushes"), "{message}");
    }

    // A chart the registry does not have (by range and by version), and a range no tag
    // satisfies: chart pull errors.
    let (reason, message) = failure(&cluster, "absent", "absent", "*", "private", ready_is("False")).await;
    let expected = format!(
        "chart pull error: failed to get chart version for remote reference: could not get tags for \"absent\": \
         could not fetch tags for \"oci://{}/charts/absent\": ",
        registry.host
    );
    assert_eq!(reason, "ChartPullError", "{message}");
    assert!(message.starts_with(&expected) && message.contains("404"), "{message}");
    let (reason, message) = failure(&cluster, "absent-version", "absent", "0.1.0", "private", ready_is("False")).await;
    let expected = format!(
        "chart pull error: failed to download chart for remote reference: failed to get 'oci://{}/charts/absent:0.1.0': ",
        registry.host
    );
    assert_eq!(reason, "ChartPullError", "{message}");
    assert!(message.starts_with(&expected), "{message}");
    let (reason, message) = failure(&cluster, "too-new", "web", ">=1.0.0", "private", ready_is("False")).await;
    assert_eq!(reason, "ChartPullError");
    assert!(message.ends_with("could not locate a version matching provided version string >=1.0.0"), "{message}");

    // A chart name Flux rejects, and a cloud provider weir cannot sign in with: stalled.
    let (reason, message) = failure(&cluster, "bad-name", "Web_Chart", "*", "private", stalled::<HelmChart>).await;
    assert_eq!(reason, "InvalidChartReference");
    assert!(message.starts_with("invalid chart reference: invalid chart name 'Web_Chart'"), "{message}");
    let (reason, message) = failure(&cluster, "cloud", "web", "*", "cloud", stalled::<HelmChart>).await;
    assert_eq!(reason, "AuthenticationFailed");
    assert!(message.starts_with("failed to get credential from aws: "), "{message}");
}

/// Applies HelmChart `name` of `chart` at `version` from HelmRepository `source`, waits until
/// `until` holds and checks no artifact was stored: the Ready condition's reason and message.
async fn failure(
    cluster: &Cluster,
    name: &str,
    chart: &str,
    version: &str,
    source: &str,
    until: impl Fn(&HelmChart) -> bool,
) -> (String, String) {
    cluster.apply(&helm_chart(name, chart, version, "HelmRepository", source, "")).await;
    let failed: HelmChart = cluster.wait("default", name, until).await;
    assert!(failed.status.as_ref().unwrap().artifact.is_none());
    let (_, reason, message) = condition(&failed, "Ready").unwrap();
    (reason, message)
}
