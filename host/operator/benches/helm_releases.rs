//! Helm releases at speed and scale, against the embedded API server (workloads made ready by
//! its simulation after 300 ms, for both sides):
//! (1) one release installed then upgraded by a HelmRelease, against `helm upgrade --install`
//!     run as a process on the same chart and server — the time and the ratio. Neither waits
//!     for readiness (`disableWait`; helm without `--wait`): helm 3's wait needs the
//!     ReplicaSets a controller-manager makes, which the embedded server has none of;
//! (2) N HelmReleases (100 with `cargo bench -p weir-operator --bench helm_releases`, 5 when
//!     run as a test) from one chart repository until all are Ready: time, reconciles per
//!     second, and the process's peak resident memory.

use std::time::{Duration, Instant};

use kube::api::{Api, ListParams};
use weir_api::helm::HelmRelease;
use weir_api::status::{ObjectStatus, Reconcilable};
use weir_testkit::charts::{ChartRepository, ServeOptions, StaticServer, helm};
use weir_testkit::cluster::Cluster;

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (count, rounds) = if full { (100, 5) } else { (5, 1) };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(count, rounds));
}

async fn run(count: usize, rounds: usize) {
    let charts = ChartRepository::new();
    charts.publish("web", "1.0.0", "", None);
    let server = StaticServer::start(&charts.root, &ServeOptions::default());
    let cluster = Cluster::start().await;
    cluster.apply(&format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: charts\n  namespace: default\nspec:\n  interval: 10m\n  url: {}\n",
        server.url
    ))
    .await;
    let home = tempfile::tempdir().unwrap();
    let kubeconfig = cluster.kubeconfig(home.path(), "default");
    let archive = charts.root.join("web-1.0.0.tgz");

    let (mut weir_install, mut weir_upgrade, mut helm_install, mut helm_upgrade) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let name = format!("one-{round}");
        let started = Instant::now();
        cluster.apply(&release_without_wait(&name, 1)).await;
        wait_all(&cluster, std::slice::from_ref(&name), "InstallSucceeded").await;
        weir_install.push(started.elapsed());
        let started = Instant::now();
        cluster.apply(&release_without_wait(&name, 2)).await;
        wait_all(&cluster, &[name], "UpgradeSucceeded").await;
        weir_upgrade.push(started.elapsed());

        let name = format!("cli-{round}");
        for (replicas, times) in [(1, &mut helm_install), (2, &mut helm_upgrade)] {
            let started = Instant::now();
            let set = format!("replicaCount={replicas}");
            let args = [
                "upgrade",
                "--install",
                &name,
                archive.to_str().unwrap(),
                "--set",
                &set,
                "--kubeconfig",
                kubeconfig.to_str().unwrap(),
            ];
            helm(home.path(), &args);
            times.push(started.elapsed());
        }
    }
    println!("helm releases: one release, median of {rounds} round(s)");
    for (what, weir, helm) in
        [("install", &mut weir_install, &mut helm_install), ("upgrade", &mut weir_upgrade, &mut helm_upgrade)]
    {
        let (weir, helm) = (median(weir), median(helm));
        println!(
            "  {what}: weir HelmRelease {weir:.2?} (apply to Ready), helm upgrade --install {helm:.2?}: {:.2}x",
            helm.as_secs_f64() / weir.as_secs_f64()
        );
    }

    let names: Vec<String> = (0..count).map(|index| format!("fleet-{index}")).collect();
    let manifests: Vec<String> = names.iter().map(|name| release(name, 1)).collect();
    let started = Instant::now();
    cluster.apply(&manifests.join("---\n")).await;
    let complete = wait_all(&cluster, &names, "InstallSucceeded").await;
    let elapsed = started.elapsed();
    println!("helm releases: {count} HelmReleases of one chart repository");
    println!(
        "  all Ready after {elapsed:.2?} ({:.1} releases/s){}",
        count as f64 / elapsed.as_secs_f64(),
        if complete { "" } else { " — TIMED OUT" }
    );
    println!(
        "  peak RSS: {} MiB (whole process: API server, controllers, plugins)",
        weir_testkit::process::peak_rss_kib() / 1024
    );
}

fn release(name: &str, replicas: u32) -> String {
    format!(
        "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\n  namespace: default\nspec:\n  interval: 10m\n  chart:\n    spec:\n      chart: web\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n  values:\n    replicaCount: {replicas}\n"
    )
}

fn release_without_wait(name: &str, replicas: u32) -> String {
    release(name, replicas) + "  install:\n    disableWait: true\n  upgrade:\n    disableWait: true\n"
}

/// Waits (up to 10 minutes) until every named release is Ready for `reason` at its generation.
async fn wait_all(cluster: &Cluster, names: &[String], reason: &str) -> bool {
    let api = Api::<HelmRelease>::namespaced(cluster.client.clone(), "default");
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        let list = api.list(&ListParams::default()).await.unwrap();
        let ready = list
            .items
            .iter()
            .filter(|release| names.iter().any(|name| release.metadata.name.as_deref() == Some(name)))
            .filter(|release| {
                let status = release.status();
                let current = status.and_then(|s| s.observed_generation) == release.metadata.generation;
                current
                    && status.is_some_and(|s| {
                        s.conditions().iter().any(|c| c.type_ == "Ready" && c.status == "True" && c.reason == reason)
                    })
            })
            .count();
        if ready == names.len() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}
