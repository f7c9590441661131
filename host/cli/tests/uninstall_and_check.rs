//! `weir check` on an installed cluster, and `weir uninstall` as `flux uninstall`: the operator,
//! its RBAC, the CRDs and the namespace go, and what Kustomizations applied stays — unless
//! `--prune`, which lets the running operator remove it first.

mod common;

use std::path::Path;
use std::process::Command;

use common::{InstalledOperator, eventually, kubectl};

fn weir(kubeconfig: &Path, args: &[&str]) -> (bool, String) {
    let output = common::weir().args(args).arg("--kubeconfig").arg(kubeconfig).output().unwrap();
    (output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned())
}

fn exists(kubeconfig: &Path, args: &[&str]) -> bool {
    Command::new("kubectl").arg("get").args(args).env("KUBECONFIG", kubeconfig).output().unwrap().status.success()
}

fn ready(kubeconfig: &Path, name: &str) -> Option<String> {
    let jsonpath = "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}";
    let output = Command::new("kubectl")
        .args(["get", "kustomization", name, "-n", "apps", "-o", jsonpath])
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Installs weir, starts its operator and syncs `name` (a ConfigMap of the same name) into `apps`.
fn install_and_sync(admin: &Path, operator: &Path, dir: &Path, name: &str) -> InstalledOperator {
    let (installed, said) = weir(admin, &["install", "--timeout", "60s"]);
    assert!(installed, "{said}");
    let operator = InstalledOperator::start(admin, operator, &dir.join(name));
    let repository = common::fleet_repository(
        &dir.join(name),
        &[("apps/settings.yaml", weir_testkit::manifests::config_map("apps", name, "applied"))],
    );
    let objects = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: apps}}\n---\n\
         apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata: {{name: {name}, namespace: apps}}\n\
         spec: {{interval: 1h, url: \"file://{}\", ref: {{branch: main}}}}\n---\n\
         apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: {name}, namespace: apps}}\n\
         spec: {{interval: 1h, path: ./apps, prune: true, sourceRef: {{kind: GitRepository, name: {name}}}}}\n",
        repository.display()
    );
    kubectl(admin, &["apply", "-f", "-"], Some(&objects));
    eventually(&format!("Kustomization {name}"), || ready(admin, name), |ready| ready == "True");
    assert!(exists(admin, &["configmap", name, "-n", "apps"]));
    operator
}

#[test]
fn uninstall_keeps_what_was_applied_unless_pruning_and_check_tells_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, admin, operator_kubeconfig) = common::cluster_for_the_operator(dir.path());

    let (passed, said) = weir(&admin, &["check", "--pre"]);
    assert!(
        passed
            && said.contains("✔ Kubernetes 1.32.0-weir.")
            && said.contains(" >=1.32.0-0\n")
            && said.contains("✔ prerequisites checks passed"),
        "{said}"
    );
    let (passed, said) = weir(&admin, &["check"]);
    assert!(!passed && said.contains("✗ no weir Deployment in namespace weir-system"), "{said}");

    let mut operator = install_and_sync(&admin, &operator_kubeconfig, dir.path(), "kept");
    let (passed, said) = weir(&admin, &["check"]);
    assert!(passed, "{said}");
    for line in [
        "✔ weir-controller: deployment ready",
        "✔ kustomizations.kustomize.toolkit.fluxcd.io/v1",
        "✔ kustomize: loaded in",
        "✔ all checks passed",
    ] {
        assert!(said.contains(line), "{line:?} missing from:\n{said}");
    }

    let (uninstalled, said) = weir(&admin, &["uninstall", "--silent"]);
    assert!(uninstalled, "{said}");
    assert!(said.contains("✔ Kustomization/apps/kept finalizers deleted"), "{said}");
    assert!(said.contains("✔ Deployment/weir-system/weir-controller deleted"), "{said}");
    let _ = operator.process.kill();
    let _ = operator.process.wait();
    eventually(
        "the CRDs gone",
        || Some(kubectl(&admin, &["get", "crds", "-o", "name"], None)),
        |crds| !crds.contains("fluxcd.io"),
    );
    assert!(!exists(&admin, &["clusterrolebinding", "weir-cluster-reconciler"]));
    assert!(!exists(&admin, &["clusterrole", "weir-controller"]));
    eventually(
        "the namespace gone",
        || Some(exists(&admin, &["namespace", "weir-system"]).to_string()),
        |exists| exists == "false",
    );
    // What the Kustomization applied is the tenant's: uninstalling weir leaves it.
    assert!(exists(&admin, &["configmap", "kept", "-n", "apps"]));

    let mut operator = install_and_sync(&admin, &operator_kubeconfig, dir.path(), "pruned");
    let (uninstalled, said) =
        weir(&admin, &["uninstall", "--silent", "--prune", "--keep-namespace", "--timeout", "60s"]);
    assert!(uninstalled, "{said}");
    assert!(said.contains("✔ Kustomization/apps/pruned deleted"), "{said}");
    assert!(!exists(&admin, &["configmap", "pruned", "-n", "apps"]), "--prune left what the Kustomization applied");
    assert!(exists(&admin, &["configmap", "kept", "-n", "apps"]));
    assert!(exists(&admin, &["namespace", "weir-system"]));
    assert!(!exists(&admin, &["deployment", "weir-controller", "-n", "weir-system"]));
    let _ = operator.process.kill();
    let _ = operator.process.wait();
    let _ = server.kill();
    let _ = server.wait();
}
