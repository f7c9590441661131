//! `weir helm template` against `helm template`, whole process, on every run
//! of the conformance corpus that renders: the median over runs of each
//! tool's median time, and the median of the per-run ratios.
//!
//! `cargo bench -p weir-cli --bench helm` (after scripts/build-plugins);
//! under `cargo test` it runs each once, as a smoke test.

mod common;

use std::process::Command;

use weir_testkit::corpus::helm;

fn main() {
    let runs = common::runs();
    let (mut weir_times, mut helm_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for case in helm::cases() {
        let tree = case.copy();
        for run in case.runs.iter().filter(|run| run.outcome == helm::Outcome::Renders) {
            let args = case.args(tree.path(), run);
            let mut weir = common::weir();
            weir.args(["helm", "template"]).args(&args).current_dir(tree.path()).env("TZ", "UTC");
            let mut helm = Command::new("helm");
            helm.arg("template").args(&args).current_dir(tree.path()).env("TZ", "UTC");
            if let (Some(weir), Some(helm)) =
                (common::median_time(&mut weir, runs), common::median_time(&mut helm, runs))
            {
                ratios.push(helm.as_secs_f64() / weir.as_secs_f64());
                weir_times.push(weir);
                helm_times.push(helm);
            }
        }
    }
    ratios.sort_by(f64::total_cmp);
    let (weir, helm) = (common::median(weir_times.clone()), common::median(helm_times));
    println!(
        "helm template, {} runs of the corpus, median of per-run medians ({runs} runs each): weir {weir:.2?}, helm {helm:.2?}; median ratio {:.1}x (min {:.1}x)",
        weir_times.len(),
        ratios[ratios.len() / 2],
        ratios[0]
    );
}
