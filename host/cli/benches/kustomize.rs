//! `weir kustomize` against `kubectl kustomize`, whole process, on every
//! tree of the conformance suite that builds: the median over trees of each
//! tool's median time, and their ratio.
//!
//! `cargo bench -p weir-cli --bench kustomize` (after scripts/build-plugins);
//! under `cargo test` it runs each tree once, as a smoke test.

mod common;

use std::process::Command;

use weir_testkit::corpus::kustomize;

fn main() {
    let runs = common::runs();
    let (mut weir_times, mut kubectl_times) = (Vec::new(), Vec::new());
    for case in kustomize::cases().iter().filter(|case| case.error.is_none()) {
        let tree = case.copy();
        let root = case.root_in(tree.path());
        let restrictor = if case.load_restrictions_none { "LoadRestrictionsNone" } else { "LoadRestrictionsRootOnly" };
        let mut weir = common::weir();
        weir.arg("kustomize").arg(&root).args(["--load-restrictor", restrictor]);
        let mut kubectl = Command::new("kubectl");
        kubectl.arg("kustomize").arg(&root).args(["--load-restrictor", restrictor]);
        if let (Some(weir), Some(kubectl)) =
            (common::median_time(&mut weir, runs), common::median_time(&mut kubectl, runs))
        {
            weir_times.push(weir);
            kubectl_times.push(kubectl);
        }
    }
    let (weir, kubectl) = (common::median(weir_times.clone()), common::median(kubectl_times));
    println!(
        "kustomize, {} trees, median of per-tree medians ({runs} runs each): weir {weir:.2?}, kubectl {kubectl:.2?}, ratio {:.1}x",
        weir_times.len(),
        kubectl.as_secs_f64() / weir.as_secs_f64()
    );
}
