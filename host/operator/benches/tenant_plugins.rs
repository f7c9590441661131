//! Tenant plugins at fleet scale: N tenants (100 with `cargo bench -p weir-operator --bench
//! tenant_plugins`, 3 when run as a test), each with its own signed renderer component in a
//! real registry (docker-registry) — distinct bytes per tenant, so nothing is shared — and
//! Kustomizations (500 in all) rendered by them. Reports the cold load of a Plugin (resolve,
//! verify, pull, compile), the time until every Plugin and every Kustomization is Ready, the
//! resident memory the loaded plugins add, the peak, and the compiled-code cache's growth.

use std::path::Path;
use std::time::{Duration, Instant};

use kube::api::{Api, ListParams};
use weir_api::kustomize::Kustomization;
use weir_api::plugins::Plugin;
use weir_api::status::{Readiness, readiness};
use weir_registry::{ClientOptions, Reference, RegistryClient};
use weir_source::oci::component;
use weir_testkit::cluster::{Cluster, config_map};
use weir_testkit::git::GitServer;
use weir_testkit::oci::{SigningKey, push_signature};
use weir_testkit::registry::{Registry, RegistryOptions};

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let (tenants, kustomizations) = if full { (100, 500) } else { (3, 6) };
    let registry = Registry::start(&RegistryOptions::default());
    let key = SigningKey::generate();
    let wasm = std::fs::read(weir_testkit::paths::plugin("example-stamp-renderer")).unwrap();
    // The blocking registry client runs before, not inside, the async runtime.
    let client = RegistryClient::new(ClientOptions { plain_http: true, ..Default::default() }).unwrap();
    for tenant in 0..tenants {
        let repository = format!("tenants/t{tenant}/stamp");
        let reference = Reference::parse(&format!("{}/{repository}:1.0.0", registry.host)).unwrap();
        let own = with_custom_section(&wasm, &format!("weir-bench-tenant-{tenant}"));
        let pushed = component::push(&client, &reference, &own, &Default::default()).unwrap();
        push_signature(&registry.host, &repository, &pushed.digest, &key);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(run(&registry, &key, wasm.len(), tenants, kustomizations));
}

async fn run(registry: &Registry, key: &SigningKey, component_bytes: usize, tenants: usize, kustomizations: usize) {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    for index in 0..kustomizations {
        let namespace = format!("t{}", index % tenants);
        repository
            .write(&format!("apps/app-{index}/settings.yaml"), &config_map(&namespace, &format!("app-{index}"), "1"));
    }
    let commit = repository.commit("apps");
    let cluster = Cluster::start().await;
    let cache_before = dir_bytes(&weir_testkit::paths::plugin_cache());
    cluster.apply(&platform(&registry.host, tenants, &key.public_pem)).await;
    cluster.apply(&fleet_source(&repository.url)).await;
    let rss_before = weir_testkit::process::rss_kib();

    let started = Instant::now();
    cluster.apply(&tenant_objects(&registry.host, tenants, kustomizations)).await;
    let plugins_ready = all_ready::<Plugin>(&cluster, tenants).await;
    let plugins_time = started.elapsed();
    let all_applied = all_ready::<Kustomization>(&cluster, kustomizations).await;
    let fleet_time = started.elapsed();
    let rss_after = weir_testkit::process::rss_kib();
    let compile_times = compile_times(&cluster).await;
    let cache_growth = dir_bytes(&weir_testkit::paths::plugin_cache()).saturating_sub(cache_before);
    let applied = Api::<Kustomization>::all(cluster.client.clone()).list(&ListParams::default()).await.unwrap();
    let on_commit = applied.items.iter().filter(|ks| weir_testkit::cluster::applied(ks, &commit)).count();

    println!("tenant plugins: {tenants} tenants, each its own signed renderer, {kustomizations} Kustomizations");
    println!(
        "  plugins:        all {tenants} Ready after {plugins_time:.2?}{} (cold load each: resolve + verify + pull + compile)",
        note(plugins_ready)
    );
    println!(
        "  compile:        mean {:.1} ms, max {:.1} ms per component ({} bytes)",
        mean(&compile_times) * 1e3,
        compile_times.iter().copied().fold(0.0, f64::max) * 1e3,
        component_bytes
    );
    println!(
        "  kustomizations: all {kustomizations} Ready after {fleet_time:.2?}{} ({on_commit} on commit {commit:.7})",
        note(all_applied)
    );
    println!(
        "  memory:         {} MiB more resident with the plugins loaded and used ({} KiB per tenant plugin); peak {} MiB",
        rss_after.saturating_sub(rss_before) / 1024,
        rss_after.saturating_sub(rss_before) / tenants as u64,
        weir_testkit::process::peak_rss_kib() / 1024
    );
    println!("  cache:          {} MiB of compiled code added on disk", cache_growth >> 20);
}

/// `wasm` with a custom section appended: another component, with another digest, that
/// behaves the same.
fn with_custom_section(wasm: &[u8], name: &str) -> Vec<u8> {
    let mut payload = leb128(name.len());
    payload.extend_from_slice(name.as_bytes());
    let mut bytes = wasm.to_vec();
    bytes.push(0);
    bytes.extend(leb128(payload.len()));
    bytes.extend(payload);
    bytes
}

fn leb128(mut value: usize) -> Vec<u8> {
    let mut bytes = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            bytes.push(byte);
            return bytes;
        }
        bytes.push(byte | 0x80);
    }
}

fn platform(registry: &str, tenants: usize, signer_pem: &str) -> String {
    let signer: String = signer_pem.lines().map(|line| format!("    {line}\n")).collect();
    let mut yaml = format!(
        "apiVersion: plugins.weir.dev/v1alpha1\nkind: PluginPolicy\nmetadata:\n  name: tenants\nspec:\n\
         \x20 registries: [\"{registry}/tenants\"]\n  signers:\n    namespace: default\n    name: signers\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata:\n  name: signers\n  namespace: default\nstringData:\n  cosign.pub: |\n{signer}"
    );
    for tenant in 0..tenants {
        yaml.push_str(&format!("---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: t{tenant}\n"));
    }
    yaml
}

fn fleet_source(url: &str) -> String {
    format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: fleet\n  namespace: default\n\
         spec:\n  interval: 1h\n  url: {url}\n  ref:\n    branch: main\n"
    )
}

fn tenant_objects(registry: &str, tenants: usize, kustomizations: usize) -> String {
    let mut yaml = String::new();
    for tenant in 0..tenants {
        yaml.push_str(&format!(
            "---\napiVersion: plugins.weir.dev/v1alpha1\nkind: Plugin\nmetadata:\n  name: stamp\n  namespace: t{tenant}\n\
             spec:\n  world: renderer\n  interval: 1h\n  source:\n    oci:\n      url: oci://{registry}/tenants/t{tenant}/stamp\n\
             \x20     insecure: true\n      ref:\n        tag: 1.0.0\n"
        ));
    }
    for index in 0..kustomizations {
        yaml.push_str(&format!(
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app-{index}\n\
             \x20 namespace: t{}\n  annotations:\n    plugins.weir.dev/renderer: stamp\nspec:\n  interval: 1h\n\
             \x20 path: ./apps/app-{index}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n\
             \x20   namespace: default\n",
            index % tenants
        ));
    }
    yaml
}

/// Waits (up to 10 minutes) until `count` objects of `K` are Ready.
async fn all_ready<K: weir_api::status::FluxObject>(cluster: &Cluster, count: usize) -> bool {
    let api = Api::<K>::all(cluster.client.clone());
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        let list = api.list(&ListParams::default()).await.unwrap();
        if list.items.iter().filter(|object| matches!(readiness(*object), Readiness::Ready(_))).count() == count {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Each Plugin's `status.compileTime`, in seconds.
async fn compile_times(cluster: &Cluster) -> Vec<f64> {
    let plugins = Api::<Plugin>::all(cluster.client.clone()).list(&ListParams::default()).await.unwrap();
    plugins
        .items
        .iter()
        .filter_map(|plugin| plugin.status.as_ref()?.compile_time.as_deref())
        .filter_map(|time| weir_go_compat::time::parse_duration(time).ok())
        .map(|time| time.as_secs_f64())
        .collect()
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

fn note(complete: bool) -> &'static str {
    if complete { "" } else { " — TIMED OUT" }
}

/// Bytes of the files directly in `dir`.
fn dir_bytes(dir: &Path) -> u64 {
    let entries = std::fs::read_dir(dir).into_iter().flatten().flatten();
    entries.filter_map(|entry| entry.metadata().ok()).filter(|metadata| metadata.is_file()).map(|m| m.len()).sum()
}
