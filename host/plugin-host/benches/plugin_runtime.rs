//! Plugin runtime costs: compiling a component cold, loading it from the
//! precompiled cache (what a restart pays), and one warm call (fresh store +
//! instantiate from the InstancePre + the call itself).
//!
//! `cargo bench -p weir-plugin-host` (after scripts/build-plugins).

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use weir_plugin_host::tag_policy::{Candidate, PolicyRequest, Selection, TagPolicyPlugin};
use weir_plugin_host::{PluginRuntime, RuntimeConfig};

fn tag_policy_wasm() -> Vec<u8> {
    std::fs::read(weir_testkit::paths::plugin("tag-policy")).expect("the built tag-policy plugin is readable")
}

fn compile_and_load(c: &mut Criterion) {
    let wasm = tag_policy_wasm();
    let mut group = c.benchmark_group("load tag-policy");
    group.sample_size(10);

    let uncached = PluginRuntime::new(RuntimeConfig::default()).unwrap();
    group.bench_function("cold compile", |b| b.iter(|| uncached.load_bytes("tag-policy", &wasm).unwrap()));

    let cache_dir = tempfile::tempdir().unwrap();
    let cached =
        PluginRuntime::new(RuntimeConfig { cache_dir: Some(cache_dir.path().into()), ..Default::default() }).unwrap();
    cached.load_bytes("tag-policy", &wasm).unwrap(); // fills the cache
    group.bench_function("from precompiled cache", |b| b.iter(|| cached.load_bytes("tag-policy", &wasm).unwrap()));
    group.finish();
}

fn warm_call(c: &mut Criterion) {
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let runtime = Arc::new(PluginRuntime::new(RuntimeConfig::default()).unwrap());
    let plugin = runtime.load_bytes("tag-policy", &tag_policy_wasm()).unwrap();
    let policy = TagPolicyPlugin::new(runtime, plugin).unwrap();
    let candidates = ["1.0.0", "v1.2.3", "1.3.0-rc.1", "1.10.0", "2.0.0", "latest"]
        .map(|tag| Candidate { tag: tag.into(), created: None })
        .to_vec();
    let request = PolicyRequest { candidates, selection: Selection::Semver("^1.0".into()), filter: None };
    c.bench_function("call tag-policy select (instantiate + call)", |b| {
        b.iter(|| tokio.block_on(policy.select("default", &request)).unwrap().unwrap())
    });
}

criterion_group!(benches, compile_and_load, warm_call);
criterion_main!(benches);
