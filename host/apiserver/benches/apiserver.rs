//! API server figures: creates per second over HTTP, watch fan-out (N
//! watchers, M writes), and resident memory for 10,000 objects.
//!
//! `cargo bench -p weir-apiserver --bench apiserver` for the full run;
//! under `cargo test` it runs small sizes once, as a smoke test.

use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use kube::{Client, Config};
use serde_json::json;
use weir_apiserver::{ApiServer, Authentication};

struct Sizes {
    creates: usize,
    watchers: usize,
    watched_writes: usize,
    resident_objects: usize,
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|line| line.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|line| line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()))
        .unwrap_or(0)
}

fn config_map(name: String) -> ConfigMap {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": name, "labels": { "app": "bench" } },
        "data": { "key": "a value of some forty bytes, typical-ish" },
    }))
    .unwrap()
}

async fn create_many(api: &Api<ConfigMap>, prefix: &str, count: usize, concurrency: usize) {
    stream::iter(0..count)
        .map(|index| {
            let api = api.clone();
            let name = format!("{prefix}-{index}");
            async move { api.create(&PostParams::default(), &config_map(name)).await.unwrap() }
        })
        .buffer_unordered(concurrency)
        .for_each(|_| async {})
        .await;
}

#[tokio::main]
async fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let sizes = if full {
        Sizes { creates: 5_000, watchers: 50, watched_writes: 1_000, resident_objects: 10_000 }
    } else {
        Sizes { creates: 50, watchers: 3, watched_writes: 20, resident_objects: 100 }
    };
    let auth = Authentication { admin_token: "bench".into(), ..Authentication::default() };
    let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
    let mut config = Config::new(server.url().parse().unwrap());
    config.auth_info.token = Some("bench".to_owned().into());
    tokio::spawn(server.serve());
    let client = Client::try_from(config).unwrap();
    let api: Api<ConfigMap> = Api::namespaced(client, "default");

    let started = Instant::now();
    create_many(&api, "create", sizes.creates, 16).await;
    let elapsed = started.elapsed();
    println!(
        "creates: {} in {:.2?} = {:.0}/s (16 concurrent clients)",
        sizes.creates,
        elapsed,
        sizes.creates as f64 / elapsed.as_secs_f64()
    );

    let mut watchers = Vec::new();
    let version = api.list(&Default::default()).await.unwrap().metadata.resource_version.unwrap();
    for _ in 0..sizes.watchers {
        let api = api.clone();
        let version = version.clone();
        let expected = sizes.watched_writes;
        watchers.push(tokio::spawn(async move {
            let mut events = api.watch(&WatchParams::default().timeout(290), &version).await.unwrap().boxed();
            let mut seen = 0;
            while seen < expected {
                if let Some(WatchEvent::Added(_)) = events.try_next().await.unwrap() {
                    seen += 1;
                }
            }
            Instant::now()
        }));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    create_many(&api, "watched", sizes.watched_writes, 16).await;
    let mut last = started;
    for watcher in watchers {
        last = last.max(watcher.await.unwrap());
    }
    let elapsed = last - started;
    let delivered = sizes.watchers * sizes.watched_writes;
    println!(
        "watch fan-out: {} watchers x {} writes = {delivered} events in {:.2?} = {:.0} events/s",
        sizes.watchers,
        sizes.watched_writes,
        elapsed,
        delivered as f64 / elapsed.as_secs_f64()
    );

    let before = rss_kib();
    create_many(&api, "resident", sizes.resident_objects, 16).await;
    let after = rss_kib();
    println!(
        "memory: {} more objects took RSS from {} MiB to {} MiB ({:.2} KiB per object, server and client in one process)",
        sizes.resident_objects,
        before / 1024,
        after / 1024,
        after.saturating_sub(before) as f64 / sizes.resident_objects as f64
    );
}
