//! ConfigMap creates in JSON and in Kubernetes protobuf, as client-go sends
//! each (protobuf bodies answered in protobuf): requests per second and
//! latency percentiles from 16 parallel clients.
//!
//! `cargo bench -p weir-apiserver --bench wire_formats`: 10,000 creates per
//! format; under `cargo test`, 100, as a smoke test.

use std::time::{Duration, Instant};

use futures::{StreamExt, stream};
use kube::client::Body;
use kube::{Client, Config};
use weir_apiserver::{ApiServer, Authentication};

const CLIENTS: usize = 16;
const DATA: &str = "a value of some forty bytes, typical-ish";

#[derive(Clone, Copy)]
enum Format {
    Json,
    Protobuf,
}

fn field(number: u8, payload: &[u8]) -> Vec<u8> {
    [vec![number << 3 | 2, payload.len() as u8], payload.to_vec()].concat()
}

/// The same ConfigMap in either format; protobuf laid out from generated.proto.
fn body(format: Format, name: &str) -> (&'static str, Vec<u8>) {
    match format {
        Format::Json => {
            let object = serde_json::json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": { "name": name, "labels": { "app": "bench" } }, "data": { "key": DATA },
            });
            ("application/json", serde_json::to_vec(&object).unwrap())
        }
        Format::Protobuf => {
            let label = [field(1, b"app"), field(2, b"bench")].concat();
            let metadata = [field(1, name.as_bytes()), field(11, &label)].concat();
            let data = [field(1, b"key"), field(2, DATA.as_bytes())].concat();
            let config_map = [field(1, &metadata), field(2, &data)].concat();
            let type_meta = [field(1, b"v1"), field(2, b"ConfigMap")].concat();
            (
                "application/vnd.kubernetes.protobuf",
                [b"k8s\0".to_vec(), field(1, &type_meta), field(2, &config_map)].concat(),
            )
        }
    }
}

async fn create(client: &Client, format: Format, name: String) -> Duration {
    let (content_type, bytes) = body(format, &name);
    let request = hyper::Request::post("/api/v1/namespaces/default/configmaps")
        .header("content-type", content_type)
        .header("accept", content_type)
        .body(Body::from(bytes))
        .unwrap();
    let started = Instant::now();
    let response = client.send(request).await.unwrap();
    assert_eq!(response.status().as_u16(), 201, "{name}");
    response.into_body().collect_bytes().await.unwrap();
    started.elapsed()
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    sorted[((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let creates = if std::env::args().any(|arg| arg == "--bench") { 10_000 } else { 100 };
    let auth = Authentication { admin_token: "bench".into(), ..Authentication::default() };
    let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
    let mut config = Config::new(server.url().parse().unwrap());
    config.auth_info.token = Some("bench".to_owned().into());
    tokio::spawn(server.serve());
    let client = Client::try_from(config).unwrap();
    for (label, format) in [("json", Format::Json), ("protobuf", Format::Protobuf)] {
        let started = Instant::now();
        let mut latencies: Vec<Duration> = stream::iter(0..creates)
            .map(|index| create(&client, format, format!("{label}-{index}")))
            .buffer_unordered(CLIENTS)
            .collect()
            .await;
        let elapsed = started.elapsed();
        latencies.sort();
        println!(
            "{label:>8}: {creates} creates in {elapsed:.2?} = {:.0}/s ({CLIENTS} clients); p50 {:.2?}, p99 {:.2?}",
            creates as f64 / elapsed.as_secs_f64(),
            percentile(&latencies, 0.50),
            percentile(&latencies, 0.99),
        );
    }
}
