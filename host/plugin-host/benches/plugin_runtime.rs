//! Plugin runtime costs: compiling a component cold, loading it from the
//! precompiled cache (what a restart pays), and one warm call (fresh store +
//! instantiate from the InstancePre + the call itself), for the built-in tag policy and for a
//! tenant's renderer with its own limits and environment.
//!
//! `cargo bench -p weir-plugin-host` (after scripts/build-plugins).

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use weir_plugin_host::renderer::{BuildOptions, RendererPlugin};
use weir_plugin_host::tag_policy::{Candidate, PolicyRequest, Selection, TagPolicyPlugin};
use weir_plugin_host::{Limits, PluginRuntime, RuntimeConfig};

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

/// A tenant renderer's warm call on a one-file tree, with a Plugin's own limits and env: the
/// per-call overhead a Kustomization rendered by a tenant plugin pays.
fn warm_tenant_render(c: &mut Criterion) {
    let tokio = tokio::runtime::Runtime::new().unwrap();
    let runtime = Arc::new(PluginRuntime::new(RuntimeConfig::default()).unwrap());
    let wasm = std::fs::read(weir_testkit::paths::plugin("example-stamp-renderer")).unwrap();
    let plugin = runtime
        .load_bytes("stamp", &wasm)
        .unwrap()
        .with_limits(Limits { memory_bytes: 64 << 20, ..Limits::default() })
        .with_env(vec![("STAMP_ENVIRONMENT".into(), "bench".into())]);
    let renderer = RendererPlugin::new(runtime, plugin).unwrap();
    let tree = tempfile::tempdir().unwrap();
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: hi\n";
    std::fs::write(tree.path().join("hello.yaml"), object).unwrap();
    let options = BuildOptions::new(".");
    c.bench_function("call tenant renderer build (instantiate + call, one object)", |b| {
        b.iter(|| tokio.block_on(renderer.build("team-a", tree.path(), &options)).unwrap().unwrap())
    });
}

criterion_group!(benches, compile_and_load, warm_call, warm_tenant_render);
criterion_main!(benches);
