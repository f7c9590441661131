//! Which objects an operator reconciles. Sharding as Flux does it: two `weir operator`s with
//! `--watch-label-selector sharding.fluxcd.io/key=shard1|shard2` share one cluster of 1,000
//! Kustomizations; each reconciles exactly its half, under a Lease of its own. And
//! `--watch-all-namespaces=false`: only the operator's own namespace.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{get, kubectl};

const KUSTOMIZATIONS: usize = 1000;

fn shard(index: usize) -> &'static str {
    if index % 2 == 0 { "shard1" } else { "shard2" }
}

fn operator(dir: &Path, kubeconfig: &Path, shard: &str, metrics_port: u16) -> Child {
    operator_with(
        dir,
        kubeconfig,
        shard,
        metrics_port,
        &[&format!("--watch-label-selector=sharding.fluxcd.io/key={shard}")],
    )
}

/// `weir operator` named `name` (its storage and log), with `args`.
fn operator_with(dir: &Path, kubeconfig: &Path, name: &str, metrics_port: u16, args: &[&str]) -> Child {
    common::weir()
        .args(["operator", "--enable-leader-election", "--log-level=warn"])
        .args(args)
        .arg(format!("--health-addr=127.0.0.1:{}", weir_testkit::net::free_port()))
        .arg(format!("--metrics-addr=127.0.0.1:{metrics_port}"))
        .arg(format!("--storage-path={}", dir.join(name).display()))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env("RUNTIME_NAMESPACE", "weir-system")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join(format!("{name}.log"))).unwrap())
        .spawn()
        .unwrap()
}

/// The names of the Kustomizations whose reconciliations a shard's metrics count.
fn reconciled_by(metrics_port: u16) -> Vec<String> {
    let metrics = get(metrics_port, "/metrics").unwrap_or_default();
    let mut names: Vec<String> = metrics
        .lines()
        .filter(|line| line.starts_with("gotk_reconcile_duration_seconds_count{kind=\"Kustomization\""))
        .filter_map(|line| line.split("name=\"").nth(1)?.split('"').next().map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[test]
fn two_shards_each_reconcile_their_half_of_a_thousand_kustomizations() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut server = common::cluster_with_crds(&kubeconfig);

    let settings = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${index}\n  namespace: default\ndata:\n  shard: ${shard}\n";
    let repository = common::fleet_repository(dir.path(), &[("apps/settings.yaml", settings.to_owned())]);
    let mut objects = String::new();
    for shard in ["shard1", "shard2"] {
        objects.push_str(&format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n\
             metadata: {{name: fleet-{shard}, namespace: default, labels: {{sharding.fluxcd.io/key: {shard}}}}}\n\
             spec: {{interval: 1h, url: \"file://{}\", ref: {{branch: main}}}}\n",
            repository.display()
        ));
    }
    for index in 0..KUSTOMIZATIONS {
        let shard = shard(index);
        objects.push_str(&format!(
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n\
             metadata: {{name: app-{index:04}, namespace: default, labels: {{sharding.fluxcd.io/key: {shard}}}}}\n\
             spec: {{interval: 1h, path: ./apps, prune: true, sourceRef: {{kind: GitRepository, name: fleet-{shard}}},\n\
             postBuild: {{substitute: {{index: \"{index:04}\", shard: {shard}}}}}}}\n"
        ));
    }
    kubectl(&kubeconfig, &["apply", "--server-side", "-f", "-"], Some(&objects));

    let ports = [weir_testkit::net::free_port(), weir_testkit::net::free_port()];
    let started = Instant::now();
    let mut shards =
        [operator(dir.path(), &kubeconfig, "shard1", ports[0]), operator(dir.path(), &kubeconfig, "shard2", ports[1])];
    loop {
        let listed = kubectl(&kubeconfig, &["get", "kustomizations", "-n", "default", "-o", "json"], None);
        let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
        let ready = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|item| {
                item["status"]["conditions"]
                    .as_array()
                    .is_some_and(|conditions| conditions.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
            })
            .count();
        if ready == KUSTOMIZATIONS {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "{ready} of {KUSTOMIZATIONS} Ready after 600 s");
        std::thread::sleep(Duration::from_secs(1));
    }
    eprintln!("{KUSTOMIZATIONS} Kustomizations over two shards Ready in {:?}", started.elapsed());

    for (number, port) in ports.iter().enumerate() {
        let expected: Vec<String> =
            (0..KUSTOMIZATIONS).filter(|index| index % 2 == number).map(|index| format!("app-{index:04}")).collect();
        assert_eq!(reconciled_by(*port), expected, "shard{} reconciled another shard's Kustomizations", number + 1);
    }
    for index in [0, 1, 998, 999] {
        let name = format!("settings-{index:04}");
        let applied = kubectl(&kubeconfig, &["get", "configmap", &name, "-o", "jsonpath={.data.shard}"], None);
        assert_eq!(applied, shard(index));
    }
    let leases = kubectl(&kubeconfig, &["get", "leases", "-n", "weir-system", "-o", "name"], None);
    assert_eq!(leases.lines().count(), 2, "one Lease per shard: {leases}");

    for shard in &mut shards {
        let _ = shard.kill();
        let _ = shard.wait();
    }
    let _ = server.kill();
    let _ = server.wait();
}

#[test]
fn an_operator_watching_its_namespace_only_leaves_the_others_alone() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let mut server = common::cluster_with_crds(&kubeconfig);
    kubectl(&kubeconfig, &["create", "namespace", "elsewhere"], None);
    let repository = common::fleet_repository(
        dir.path(),
        &[("apps/settings.yaml", weir_testkit::manifests::config_map("default", "settings", "own"))],
    );
    let mut objects = String::new();
    for namespace in ["weir-system", "elsewhere"] {
        objects.push_str(&format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: fleet, namespace: {namespace}}}\n\
             spec: {{interval: 1h, url: \"file://{}\", ref: {{branch: main}}}}\n---\n\
             apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: apps, namespace: {namespace}}}\n\
             spec: {{interval: 1h, path: ./apps, prune: true, sourceRef: {{kind: GitRepository, name: fleet}}}}\n",
            repository.display()
        ));
    }
    kubectl(&kubeconfig, &["apply", "-f", "-"], Some(&objects));
    let port = weir_testkit::net::free_port();
    let mut own =
        operator_with(dir.path(), &kubeconfig, "own", port, &["--watch-all-namespaces=false", "--concurrent=1"]);
    let ready = |namespace: &str| {
        let jsonpath = "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}";
        Some(kubectl(&kubeconfig, &["get", "kustomization", "apps", "-n", namespace, "-o", jsonpath], None))
    };
    common::eventually("the own namespace's Kustomization", || ready("weir-system"), |ready| ready == "True");
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(ready("elsewhere").as_deref(), Some(""), "a Kustomization outside the namespace was reconciled");
    let source =
        kubectl(&kubeconfig, &["get", "gitrepository", "fleet", "-n", "elsewhere", "-o", "jsonpath={.status}"], None);
    assert_eq!(source, "", "a source outside the namespace was reconciled");
    let _ = own.kill();
    let _ = own.wait();
    let _ = server.kill();
    let _ = server.wait();
}
