//! `weir kustomize` (the renderer plugin, in its sandbox) against `kubectl
//! kustomize` on every tree of the kustomize conformance corpus
//! (`testdata/kustomize`): the same stdout byte for byte and the same
//! warnings, or both fail with nothing on weir's stdout.

use std::path::Path;
use std::process::{Command, Output};

use weir_testkit::corpus::kustomize;

fn weir_kustomize(root: &Path, load_none: bool) -> Output {
    let mut command = weir_testkit::paths::weir(env!("CARGO_BIN_EXE_weir"));
    command.arg("kustomize").arg(root);
    if load_none {
        command.args(["--load-restrictor", "LoadRestrictionsNone"]);
    }
    command.output().unwrap()
}

fn kubectl_kustomize(root: &Path, load_none: bool) -> Output {
    let mut command = Command::new("kubectl");
    command.arg("kustomize").arg(root);
    if load_none {
        command.args(["--load-restrictor", "LoadRestrictionsNone"]);
    }
    command.output().expect("kubectl is the oracle")
}

fn warnings(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr).lines().filter(|line| line.starts_with("# Warning: ")).map(str::to_owned).collect()
}

#[test]
fn weir_kustomize_agrees_with_kubectl_kustomize() {
    let mut failures = Vec::new();
    let cases = kustomize::cases();
    for case in &cases {
        let tree = case.copy();
        let root = case.root_in(tree.path());
        let load_none = case.load_restrictions_none;
        let (oracle, weir) = (kubectl_kustomize(&root, load_none), weir_kustomize(&root, load_none));
        match (oracle.status.success(), weir.status.success()) {
            (true, true) if oracle.stdout == weir.stdout && warnings(&oracle.stderr) == warnings(&weir.stderr) => {}
            (true, true) => failures.push(format!(
                "{}: output differs\n--- kubectl\n{}--- weir\n{}",
                case.name,
                String::from_utf8_lossy(&oracle.stdout),
                String::from_utf8_lossy(&weir.stdout)
            )),
            (false, false)
                if weir.stdout.is_empty() && String::from_utf8_lossy(&weir.stderr).starts_with("error: ") => {}
            (false, false) => failures.push(format!("{}: weir failed without a clean error", case.name)),
            (true, false) => {
                failures.push(format!("{}: weir failed: {}", case.name, String::from_utf8_lossy(&weir.stderr)))
            }
            (false, true) => failures.push(format!("{}: kubectl failed, weir succeeded", case.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} trees differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn output_flag_and_missing_directory() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("kustomization.yaml"), "resources:\n- cm.yaml\n").unwrap();
    std::fs::write(tree.path().join("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n").unwrap();
    let file = tree.path().join("out.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_weir"))
        .arg("kustomize")
        .arg(tree.path())
        .arg("-o")
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success() && output.stdout.is_empty());
    assert_eq!(std::fs::read(&file).unwrap(), kubectl_kustomize(tree.path(), false).stdout);
    let missing = weir_kustomize(&tree.path().join("nope"), false);
    assert!(!missing.status.success() && missing.stdout.is_empty());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope: no such directory"));
}
