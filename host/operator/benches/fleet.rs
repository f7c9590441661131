//! The operator at fleet scale: one Git repository, N Kustomizations (500 with
//! `cargo bench -p weir-operator --bench fleet`, 20 when run as a test, any N with
//! `WEIR_FLEET_SIZE`), each applying its own directory. Reports the time until every
//! Kustomization is Ready, the same after a commit that changes every directory, reconciles
//! per second, and the process's peak resident memory.

use std::time::{Duration, Instant};

use kube::api::{Api, ListParams};
use weir_api::kustomize::Kustomization;

use weir_testkit::cluster::{Cluster, config_map};
use weir_testkit::git::GitServer;

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let default = if full { 500 } else { 20 };
    let count = std::env::var("WEIR_FLEET_SIZE").ok().and_then(|size| size.parse().ok()).unwrap_or(default);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(count));
}

async fn run(count: usize) {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    for index in 0..count {
        repository
            .write(&format!("apps/app-{index}/settings.yaml"), &config_map("default", &format!("app-{index}"), "1"));
    }
    let first = repository.commit("first");
    let cluster = Cluster::start().await;
    let mut manifests = String::from(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: fleet\n  namespace: default\nspec:\n  interval: 1s\n  url: URL\n  ref:\n    branch: main\n",
    )
    .replace("URL", &repository.url);
    for index in 0..count {
        manifests.push_str(&format!(
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app-{index}\n  namespace: default\nspec:\n  interval: 10m\n  path: ./apps/app-{index}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n"
        ));
    }
    let started = Instant::now();
    cluster.apply(&manifests).await;
    let initial = all_applied(&cluster, &first, count).await;
    let initial_time = started.elapsed();

    for index in 0..count {
        repository
            .write(&format!("apps/app-{index}/settings.yaml"), &config_map("default", &format!("app-{index}"), "2"));
    }
    let second = repository.commit("second");
    let started = Instant::now();
    let update = all_applied(&cluster, &second, count).await;
    let update_time = started.elapsed();

    println!("fleet: {count} Kustomizations over one repository");
    println!(
        "  initial sync: all Ready after {initial_time:.2?} ({:.0} reconciles/s){}",
        rate(count, initial_time),
        note(initial)
    );
    println!(
        "  new commit:   all Ready after {update_time:.2?} ({:.0} reconciles/s){}",
        rate(count, update_time),
        note(update)
    );
    println!(
        "  peak RSS:     {} MiB (whole process: API server, controllers, plugins)",
        weir_testkit::process::peak_rss_kib() / 1024
    );
}

fn rate(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

fn note(complete: bool) -> &'static str {
    if complete { "" } else { " — TIMED OUT" }
}

/// Waits (up to 10 minutes) until every Kustomization applied `commit`.
async fn all_applied(cluster: &Cluster, commit: &str, count: usize) -> bool {
    let api = Api::<Kustomization>::namespaced(cluster.client.clone(), "default");
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        let list = api.list(&ListParams::default()).await.unwrap();
        if list.items.iter().filter(|ks| weir_testkit::cluster::applied(ks, commit)).count() == count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
