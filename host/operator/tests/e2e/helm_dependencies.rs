//! Dependencies of a chart directory in Git, built as source-controller's DependencyManager
//! builds them: one from an HTTP chart repository behind basic auth (the credentials of the
//! HelmRepository of that URL), one from an OCI registry (an OCI HelmRepository of that URL
//! says `insecure`), a local `file://` chart under an alias (kept in Chart.yaml, as `helm
//! dependency build` keeps it). The artifact renders with the
//! real `helm template` exactly as the chart `helm dependency build` makes of the same
//! directory; a range no version satisfies is a DependencyBuildError.

use std::path::Path;

use weir_api::source::HelmChart;
use weir_testkit::charts::{self, ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;
use weir_testkit::git::GitServer;
use weir_testkit::registry::{Registry, RegistryOptions};

use crate::helm_support::{chart_revision, condition, helm_chart, write_tree};

const AUTH: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: charts-auth\n  namespace: default\nstringData:\n  username: fleet\n  password: s3cret-pass\n";

fn umbrella_chart_yaml(repository_url: &str, registry_url: &str, redis: &str) -> String {
    format!(
        "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n\
         - name: redis\n  version: \"{redis}\"\n  repository: {repository_url}/\n\
         - name: cache\n  version: 2.x\n  repository: {registry_url}\n\
         - name: common\n  version: 0.2.x\n  repository: file://../common\n  alias: lib\n"
    )
}

fn ready_is(status: &'static str) -> impl Fn(&HelmChart) -> bool {
    move |chart: &HelmChart| condition(chart, "Ready").is_some_and(|(found, _, _)| found == status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_dependencies_are_built_as_helm_dependency_build_builds_them() {
    let charts = ChartRepository::new();
    charts.publish("redis", "1.0.0", "", None).publish("redis", "1.0.3", "", None).publish("redis", "1.1.0", "", None);
    let server = StaticServer::start(
        &charts.root,
        &ServeOptions { basic_auth: Some(("fleet", "s3cret-pass")), ..Default::default() },
    );
    let registry = Registry::start(&RegistryOptions::default());
    let registry_url = format!("oci://{}/charts", registry.host);
    charts.push_oci("cache", "2.0.0", &registry_url, None);

    let app = charts.chart_source("app", "0.1.0", "lib:\n  replicaCount: 2\n");
    std::fs::write(app.join("Chart.yaml"), umbrella_chart_yaml(&server.url, &registry_url, "~1.0")).unwrap();
    let common = charts.chart_source("common", "0.2.5", "");
    let git = GitServer::start();
    let repo = git.repository("charts");
    write_tree(&repo, "charts/app", &app);
    write_tree(&repo, "charts/common", &common);
    repo.commit("umbrella chart");

    let cluster = Cluster::start().await;
    cluster.apply(AUTH).await;
    cluster
        .apply(&format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: fleet\n  namespace: default\n\
             spec:\n  interval: 1m\n  url: {}\n  secretRef:\n    name: charts-auth\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: registry\n  namespace: default\n\
             spec:\n  type: oci\n  insecure: true\n  interval: 1m\n  url: {registry_url}/\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: charts\n  namespace: default\n\
             spec:\n  interval: 1s\n  url: {}\n  ref:\n    branch: main\n",
            server.url, repo.url
        ))
        .await;
    cluster.apply(&helm_chart("app", "./charts/app", "*", "GitRepository", "charts", "")).await;
    let chart: HelmChart =
        cluster.wait("default", "app", |c: &HelmChart| chart_revision(c) == Some("0.1.0") && ready_is("True")(c)).await;
    assert_eq!(condition(&chart, "Ready").unwrap().2, "packaged 'app' chart with version '0.1.0'");
    let artifact = chart.status.as_ref().unwrap().artifact.as_ref().unwrap();
    let archive = cluster.artifact_dir(&artifact.path).join("chart.tgz");
    let listing = tar_listing(&archive);
    for subchart in ["app/charts/redis/Chart.yaml", "app/charts/cache/Chart.yaml", "app/charts/common/Chart.yaml"] {
        assert!(listing.contains(&subchart.to_owned()), "{subchart} in {listing:?}");
    }

    // The oracle: helm's own dependency build of the same directory renders the same.
    let home = tempfile::tempdir().unwrap();
    let tree = home.path().join("tree");
    copy_dir(&app, &tree.join("charts/app"));
    copy_dir(&common, &tree.join("charts/common"));
    charts::helm(
        home.path(),
        &["repo", "add", "fleet", &server.url, "--username", "fleet", "--password", "s3cret-pass"],
    );
    let built = tree.join("charts/app");
    charts::helm(home.path(), &["dependency", "build", built.to_str().unwrap(), "--plain-http"]);
    let template =
        |chart: &Path| charts::helm(home.path(), &["template", "demo", chart.to_str().unwrap(), "-n", "apps"]);
    let ours = template(&archive);
    assert!(ours.contains("name: demo-redis") && ours.contains("name: demo-cache"), "{ours}");
    assert!(
        ours.contains("# Source: app/charts/lib/templates/deployment.yaml\n") && ours.contains("replicas: 2"),
        "{ours}"
    );
    assert_eq!(ours, template(&built));

    // A range the repository cannot satisfy fails the build, the artifact kept.
    repo.write("charts/app/Chart.yaml", &umbrella_chart_yaml(&server.url, &registry_url, "~9.0"));
    repo.commit("redis 9");
    let failed: HelmChart = cluster.wait("default", "app", ready_is("False")).await;
    let (_, reason, message) = condition(&failed, "Ready").unwrap();
    assert_eq!(reason, "DependencyBuildError");
    assert_eq!(
        message,
        format!(
            "dependency build error: failed to add remote dependency 'redis': failed to get chart 'redis' version \
             '~9.0' from '{}/': no 'redis' chart with version matching '~9.0' found",
            server.url
        )
    );
    assert_eq!(chart_revision(&failed), Some("0.1.0"), "the last good artifact stays");
}

fn tar_listing(archive: &Path) -> Vec<String> {
    let output = std::process::Command::new("tar").arg("-tzf").arg(archive).output().unwrap();
    assert!(output.status.success(), "tar -tzf {}", archive.display());
    String::from_utf8(output.stdout).unwrap().lines().map(str::to_owned).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() { copy_dir(&path, &target) } else { std::fs::copy(&path, &target).map(drop).unwrap() }
    }
}
