//! `weir kustomize` against `kubectl kustomize`, whole process, on every
//! tree of the conformance suite that builds: the median over trees of each
//! tool's median time, and their ratio.
//!
//! `cargo bench -p weir-cli --bench kustomize` (after scripts/build-plugins);
//! under `cargo test` it runs each tree once, as a smoke test.

#[path = "../../../plugins/kustomize/tests/cases/mod.rs"]
mod cases;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn time(command: &mut Command, runs: usize) -> Option<Duration> {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let output = command.output().ok()?;
        if !output.status.success() {
            return None;
        }
        times.push(started.elapsed());
    }
    times.sort();
    Some(times[times.len() / 2])
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    let runs = if std::env::args().any(|arg| arg == "--bench") { 7 } else { 1 };
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let plugin_dir = std::env::var_os("WEIR_PLUGIN_DIR").map_or_else(|| target.join("plugins"), Into::into);
    let (mut weir_times, mut kubectl_times) = (Vec::new(), Vec::new());
    for case in cases::CASES.iter().filter(|case| !case.name.starts_with("error")) {
        let tree = tempfile::tempdir().unwrap();
        cases::write_tree(tree.path(), case.files);
        let root = tree.path().join(case.root);
        let restrictor = if case.load_none { "LoadRestrictionsNone" } else { "LoadRestrictionsRootOnly" };
        let mut weir = Command::new(env!("CARGO_BIN_EXE_weir"));
        weir.arg("kustomize").arg(&root).args(["--load-restrictor", restrictor]);
        weir.env("WEIR_PLUGIN_DIR", &plugin_dir).env("WEIR_CACHE_DIR", target.join("plugin-cache"));
        let mut kubectl = Command::new("kubectl");
        kubectl.arg("kustomize").arg(&root).args(["--load-restrictor", restrictor]);
        if let (Some(weir), Some(kubectl)) = (time(&mut weir, runs), time(&mut kubectl, runs)) {
            weir_times.push(weir);
            kubectl_times.push(kubectl);
        }
    }
    let (weir, kubectl) = (median(weir_times.clone()), median(kubectl_times));
    println!(
        "kustomize, {} trees, median of per-tree medians ({runs} runs each): weir {weir:.2?}, kubectl {kubectl:.2?}, ratio {:.1}x",
        weir_times.len(),
        kubectl.as_secs_f64() / weir.as_secs_f64()
    );
}
