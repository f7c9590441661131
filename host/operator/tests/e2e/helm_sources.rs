//! HelmRepository and HelmChart against real chart repositories (charts made by `helm
//! package`, indexed by `helm repo index`, served by nginx with basic auth) and a Git
//! repository holding a chart directory: artifacts, semver ranges following the index,
//! reconcileStrategy Revision, valuesFiles, and the failures Flux reports.

use weir_api::source::{HelmChart, HelmRepository};
use weir_api::status::{FluxObject, ObjectStatus};
use weir_testkit::charts::{self, ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;
use weir_testkit::git::GitServer;

use crate::helm_support::{chart_revision as revision, helm_chart, shown_chart, write_tree};

const AUTH: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: charts-auth\n  namespace: default\nstringData:\n  username: fleet\n  password: s3cret-pass\n";

fn helm_repository(name: &str, url: &str, secret: Option<&str>) -> String {
    let secret = secret.map(|secret| format!("  secretRef:\n    name: {secret}\n")).unwrap_or_default();
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  interval: 1s\n  url: {url}\n{secret}"
    )
}

fn ready<K: FluxObject>(object: &K) -> Option<(String, String, String)> {
    let condition = object.status()?.conditions().iter().find(|condition| condition.type_ == "Ready")?.clone();
    Some((condition.status, condition.reason, condition.message))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_chart_follows_its_semver_range() {
    let repository = ChartRepository::new();
    repository.publish("podinfo", "6.0.0", "", None).publish("podinfo", "6.1.0", "", None);
    let options = ServeOptions { basic_auth: Some(("fleet", "s3cret-pass")), ..Default::default() };
    let server = StaticServer::start(&repository.root, &options);
    let cluster = Cluster::start().await;
    cluster.apply(AUTH).await;
    cluster.apply(&helm_repository("podinfo", &server.url, Some("charts-auth"))).await;
    cluster.apply(&helm_chart("default-podinfo", "podinfo", "6.x", "HelmRepository", "podinfo", "")).await;

    let source: HelmRepository =
        cluster.wait("default", "podinfo", |r: &HelmRepository| ready(r).is_some_and(|r| r.0 == "True")).await;
    let artifact = source.status.and_then(|status| status.artifact).unwrap();
    assert!(artifact.revision.starts_with("sha256:") && artifact.revision.len() == 71, "{}", artifact.revision);
    let index = std::fs::read_to_string(cluster.artifact_dir(&artifact.path).join("index.yaml")).unwrap();
    assert!(index.contains("\"6.1.0\""), "the stored index is the repository's, as JSON: {index}");

    let chart: HelmChart =
        cluster.wait("default", "default-podinfo", |c: &HelmChart| revision(c) == Some("6.1.0")).await;
    let (status, reason, message) = ready(&chart).unwrap();
    assert_eq!((status.as_str(), reason.as_str()), ("True", "Succeeded"));
    assert_eq!(message, "pulled 'podinfo' chart with version '6.1.0'");
    let shown = shown_chart(&cluster, &chart);
    assert!(shown.contains("version: 6.1.0"), "{shown}");

    // A newer version in the index is picked up within the interval.
    repository.publish("podinfo", "6.2.0", "", None);
    cluster.wait("default", "default-podinfo", |c: &HelmChart| revision(c) == Some("6.2.0")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_reported_as_flux_reports_them() {
    let repository = ChartRepository::new();
    repository.publish("podinfo", "6.0.0", "", None);
    let options = ServeOptions { basic_auth: Some(("fleet", "s3cret-pass")), ..Default::default() };
    let server = StaticServer::start(&repository.root, &options);
    let cluster = Cluster::start().await;
    cluster.apply(AUTH).await;

    cluster.apply(&helm_repository("anonymous", &server.url, None)).await;
    let denied: HelmRepository =
        cluster.wait("default", "anonymous", |r: &HelmRepository| ready(r).is_some_and(|r| r.0 == "False")).await;
    let (_, reason, message) = ready(&denied).unwrap();
    assert_eq!(reason, "Failed");
    assert!(
        message.starts_with("failed to fetch Helm repository index: failed to fetch")
            && message.ends_with("401 Unauthorized"),
        "{message}"
    );

    cluster.apply(&helm_repository("missing-secret", &server.url, Some("nope"))).await;
    let no_secret: HelmRepository =
        cluster.wait("default", "missing-secret", |r: &HelmRepository| ready(r).is_some_and(|r| r.0 == "False")).await;
    assert_eq!(ready(&no_secret).unwrap().1, "AuthenticationFailed");

    cluster.apply(&helm_repository("good", &server.url, Some("charts-auth"))).await;
    // Until the index is fetched the chart would only report NoSourceArtifact.
    cluster.wait("default", "good", |r: &HelmRepository| ready(r).is_some_and(|r| r.0 == "True")).await;
    cluster.apply(&helm_chart("too-new", "podinfo", ">=7.0.0", "HelmRepository", "good", "")).await;
    let chart: HelmChart =
        cluster.wait("default", "too-new", |c: &HelmChart| ready(c).is_some_and(|r| r.0 == "False")).await;
    let (_, reason, message) = ready(&chart).unwrap();
    assert_eq!(reason, "InvalidChartReference");
    assert_eq!(
        message,
        "invalid chart reference: failed to get chart version for remote reference: no 'podinfo' chart with version matching '>=7.0.0' found"
    );
    let stalled =
        chart.status.as_ref().unwrap().conditions().iter().any(|c| c.type_ == "Stalled" && c.status == "True");
    assert!(stalled, "a range nothing satisfies is stalled until the spec or the index changes");
    // Publishing a matching version un-stalls it through the repository's watch.
    repository.publish("podinfo", "7.0.1", "", None);
    cluster.wait("default", "too-new", |c: &HelmChart| revision(c) == Some("7.0.1")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_git_chart_is_packaged_per_revision_with_values_files_merged() {
    let charts_home = ChartRepository::new();
    let source = charts_home.chart_source("web", "1.4.0", "");
    let git = GitServer::start();
    let repo = git.repository("charts");
    write_tree(&repo, "charts/web", &source);
    repo.write("env/prod.yaml", "replicaCount: 3\n");
    let first = repo.commit("chart");
    let cluster = Cluster::start().await;
    cluster.apply(&format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: charts\n  namespace: default\n\
         spec:\n  interval: 1s\n  url: {}\n  ref:\n    branch: main\n",
        repo.url
    ))
    .await;
    let by_revision = "  reconcileStrategy: Revision\n";
    cluster.apply(&helm_chart("web", "./charts/web", "*", "GitRepository", "charts", by_revision)).await;
    let expected = format!("1.4.0+{}", &first[..12]);
    let chart: HelmChart = cluster.wait("default", "web", |c: &HelmChart| revision(c) == Some(expected.as_str())).await;
    assert_eq!(ready(&chart).unwrap().2, format!("packaged 'web' chart with version '{expected}'"));

    // A new commit is a new chart revision.
    repo.write("charts/web/templates/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n");
    let second = repo.commit("extra template");
    let expected = format!("1.4.0+{}", &second[..12]);
    cluster.wait("default", "web", |c: &HelmChart| revision(c) == Some(expected.as_str())).await;

    // valuesFiles (paths in the source) are merged into values.yaml; the generation marks the version.
    let values = "  valuesFiles:\n  - charts/web/values.yaml\n  - env/prod.yaml\n";
    cluster.apply(&helm_chart("web-prod", "./charts/web", "*", "GitRepository", "charts", values)).await;
    let chart: HelmChart = cluster.wait("default", "web-prod", |c: &HelmChart| revision(c) == Some("1.4.0+1")).await;
    let archive =
        cluster.artifact_dir(&chart.status.as_ref().unwrap().artifact.as_ref().unwrap().path).join("chart.tgz");
    let shown = charts::helm(archive.parent().unwrap(), &["show", "values", archive.to_str().unwrap()]);
    assert!(shown.contains("replicaCount: 3") && shown.contains("repository: nginx"), "{shown}");
    assert_eq!(chart.status.unwrap().observed_values_files.unwrap(), ["charts/web/values.yaml", "env/prod.yaml"]);

    let missing = "  valuesFiles:\n  - env/staging.yaml\n";
    cluster.apply(&helm_chart("web-staging", "./charts/web", "*", "GitRepository", "charts", missing)).await;
    let chart: HelmChart =
        cluster.wait("default", "web-staging", |c: &HelmChart| ready(c).is_some_and(|r| r.0 == "False")).await;
    let (_, reason, message) = ready(&chart).unwrap();
    assert_eq!(
        (reason.as_str(), message.as_str()),
        ("ValuesFilesError", "values files merge error: no values file found at path 'env/staging.yaml'")
    );
}
