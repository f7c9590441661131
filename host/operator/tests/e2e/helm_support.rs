//! What the HelmRelease tests share: the manifests they apply, the helm CLI pointed at the
//! cluster, and waiting for a release's conditions.

use serde_json::Value;
use weir_api::helm::HelmRelease;
use weir_api::source::HelmChart;
use weir_api::status::{FluxObject, ObjectStatus};
use weir_testkit::charts::{self, ChartRepository, ServeOptions, StaticServer};
use weir_testkit::cluster::Cluster;

/// A chart repository holding `web` 1.0.0 (from `helm create`) served by nginx, a cluster with
/// HelmRepository `default/charts` pointing at it, and the helm CLI for that cluster.
pub struct Setup {
    pub charts: ChartRepository,
    pub server: StaticServer,
    pub cluster: Cluster,
    pub helm: HelmCli,
}

pub async fn setup() -> Setup {
    setup_with_chart(|_| {}).await
}

/// As [`setup`], with `web` 1.0.0 changed by `adjust` (given the chart's directory) before
/// it is packaged.
pub async fn setup_with_chart(adjust: impl FnOnce(&std::path::Path)) -> Setup {
    let charts = ChartRepository::new();
    let source = charts.chart_source("web", "1.0.0", "");
    adjust(&source);
    charts.package(&source, None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start().await;
    let helm = HelmCli::new(&cluster);
    cluster.apply(&repository(&server.url)).await;
    Setup { charts, server, cluster, helm }
}

pub fn repository(url: &str) -> String {
    repository_in("default", url)
}

pub fn repository_in(namespace: &str, url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: {namespace}\n\
         spec:\n  interval: 1s\n  url: {url}\n"
    )
}

/// HelmRelease `default/web` of chart `web` 1.x from HelmRepository `charts`, plus `spec`.
pub fn helm_release(spec: &str) -> String {
    helm_release_named("default", "web", spec)
}

pub fn helm_release_named(namespace: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  interval: 1s\n\
         \x20 chart:\n    spec:\n      chart: web\n      version: \"1.x\"\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n{spec}"
    )
}

/// HelmChart `default/<name>` of `chart` at `version` from `<source_kind>/<source>`, plus `extra` spec.
pub fn helm_chart(name: &str, chart: &str, version: &str, source_kind: &str, source: &str, extra: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: {name}\n  namespace: default\n\
         spec:\n  interval: 1s\n  chart: {chart}\n  version: \"{version}\"\n  sourceRef:\n    kind: {source_kind}\n    name: {source}\n{extra}"
    )
}

/// The revision of a HelmChart's artifact: the chart version.
pub fn chart_revision(chart: &HelmChart) -> Option<&str> {
    chart.status.as_ref()?.artifact.as_ref().map(|artifact| artifact.revision.as_str())
}

/// The artifact of `chart` as `helm show chart` prints it.
pub fn shown_chart(cluster: &Cluster, chart: &HelmChart) -> String {
    let artifact = chart.status.as_ref().and_then(|status| status.artifact.as_ref()).expect("an artifact");
    let archive = cluster.artifact_dir(&artifact.path).join("chart.tgz");
    charts::helm(archive.parent().unwrap(), &["show", "chart", archive.to_str().unwrap()])
}

pub fn condition<K: FluxObject>(object: &K, kind: &str) -> Option<(String, String, String)> {
    let found = object.status()?.conditions().iter().find(|condition| condition.type_ == kind)?.clone();
    Some((found.status, found.reason, found.message))
}

/// The helm CLI against the cluster.
pub struct HelmCli {
    home: tempfile::TempDir,
    kubeconfig: std::path::PathBuf,
}

impl HelmCli {
    pub fn new(cluster: &Cluster) -> Self {
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = cluster.kubeconfig(home.path(), "default");
        HelmCli { home, kubeconfig }
    }

    pub fn run(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend(["--kubeconfig", self.kubeconfig.to_str().unwrap()]);
        charts::helm(self.home.path(), &all)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.run(args)).unwrap()
    }
}

pub async fn released(cluster: &Cluster, accept: impl Fn(&HelmRelease) -> bool) -> HelmRelease {
    cluster.wait("default", "web", accept).await
}

/// `helm history` of `name` as (status, description) rows, oldest first.
pub fn history_rows(helm: &HelmCli, name: &str) -> Vec<(String, String)> {
    let history = helm.json(&["history", name, "-o", "json"]);
    let text = |row: &Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
    history.as_array().unwrap().iter().map(|row| (text(row, "status"), text(row, "description"))).collect()
}

/// Sets annotations on HelmRelease `default/<name>`, as `flux reconcile` does.
pub async fn annotate(cluster: &Cluster, name: &str, annotations: &[(&str, &str)]) {
    let annotations: serde_json::Map<String, Value> =
        annotations.iter().map(|(key, value)| (key.to_string(), Value::from(*value))).collect();
    let patch = serde_json::json!({"metadata": {"annotations": annotations}});
    kube::Api::<HelmRelease>::namespaced(cluster.client.clone(), "default")
        .patch(name, &Default::default(), &kube::api::Patch::Merge(&patch))
        .await
        .unwrap();
}

pub fn ready_with(release: &HelmRelease, reason: &str) -> bool {
    condition(release, "Ready").is_some_and(|(status, why, _)| status == "True" && why == reason)
        && release.status.as_ref().and_then(|s| s.observed_generation) == release.metadata.generation
}

/// Writes every file below `dir` into `repo` under `prefix`.
pub fn write_tree(repo: &weir_testkit::git::Repo, prefix: &str, dir: &std::path::Path) {
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { walk(&path, files) } else { files.push(path) }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    for file in files {
        let relative = file.strip_prefix(dir).unwrap().to_str().unwrap();
        repo.write(&format!("{prefix}/{relative}"), &std::fs::read_to_string(&file).unwrap());
    }
}

/// Namespace `weir-system` with ConfigMap `<name>-plugin` holding built plugin `plugin`, and a
/// ClusterPlugin `name` of `world` loading it, pinned by its digest.
pub fn cluster_plugin(name: &str, world: &str, plugin: &str) -> String {
    use base64::Engine as _;
    let wasm = std::fs::read(weir_testkit::paths::plugin(plugin)).unwrap();
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: weir-system\n---\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-plugin\n  namespace: weir-system\n\
         binaryData:\n  plugin.wasm: {}\n---\n\
         apiVersion: plugins.weir.dev/v1alpha1\nkind: ClusterPlugin\nmetadata:\n  name: {name}\nspec:\n\
         \x20 world: {world}\n  interval: 1h\n  source:\n    configMapRef:\n      name: {name}-plugin\n\
         \x20   sha256: {}\n",
        base64::engine::general_purpose::STANDARD.encode(&wasm),
        weir_registry::sha256_digest(&wasm),
    )
}
