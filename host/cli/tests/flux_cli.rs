//! Flux's CLI verbs on weir: `create … --export` prints what flux prints;
//! `create`, `get`, `suspend`, `resume` work against a cluster (here
//! `weir apiserver` with weir's CRDs installed).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Cluster {
    server: Child,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let server = Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(["apiserver", "--port", "0", "--kubeconfig-out"])
            .arg(&kubeconfig)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !kubeconfig.exists() {
            assert!(started.elapsed() < Duration::from_secs(10), "weir apiserver did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        let cluster = Self { server, kubeconfig, _dir: dir };
        let crds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crds");
        cluster.kubectl(&["apply", "-f", crds.to_str().unwrap()], None);
        cluster.kubectl(&["wait", "--for=condition=Established", "crd", "--all"], None);
        cluster.kubectl(&["create", "namespace", "flux-system"], None);
        cluster
    }

    fn weir(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_weir")).args(args).arg("--kubeconfig").arg(&self.kubeconfig).output().unwrap()
    }

    fn weir_ok(&self, args: &[&str]) -> String {
        let output = self.weir(args);
        assert!(output.status.success(), "weir {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn kubectl(&self, args: &[&str], stdin: Option<&str>) -> String {
        common::kubectl(&self.kubeconfig, args, stdin)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn weir_export(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_weir")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn create_export_prints_what_flux_prints() {
    let source = weir_export(&[
        "create",
        "source",
        "git",
        "podinfo",
        "--url",
        "https://github.com/stefanprodan/podinfo",
        "--tag-semver",
        ">=6.0.0",
        "--interval",
        "90s",
        "--export",
    ]);
    assert_eq!(
        source,
        "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 1m30s\n  ref:\n    semver: '>=6.0.0'\n  url: https://github.com/stefanprodan/podinfo\n"
    );
    let kustomization = weir_export(&[
        "create",
        "kustomization",
        "apps",
        "-n",
        "team-a",
        "--source",
        "GitRepository/fleet.flux-system",
        "--path",
        "./apps",
        "--prune",
        "--depends-on",
        "infra",
        "--service-account",
        "reconciler",
        "--export",
    ]);
    assert_eq!(
        kustomization,
        "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: team-a\nspec:\n  dependsOn:\n  - name: infra\n  interval: 1m0s\n  path: ./apps\n  prune: true\n  serviceAccountName: reconciler\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n    namespace: flux-system\n"
    );
    let bad = Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(["create", "kustomization", "x", "--source", "x", "--interval", "soon", "--export"])
        .output()
        .unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("is not a duration"));
}

#[test]
fn create_get_suspend_resume_against_a_cluster() {
    let cluster = Cluster::start();
    cluster.weir_ok(&[
        "create",
        "source",
        "git",
        "podinfo",
        "--url",
        "https://github.com/stefanprodan/podinfo",
        "--branch",
        "master",
    ]);
    cluster.weir_ok(&["create", "kustomization", "podinfo", "--source", "podinfo", "--path", "./kustomize", "--prune"]);
    let stored = cluster.kubectl(
        &[
            "get",
            "kustomization",
            "podinfo",
            "-n",
            "flux-system",
            "-o",
            "jsonpath={.spec.sourceRef.name} {.spec.prune}",
        ],
        None,
    );
    assert_eq!(stored, "podinfo true");

    let status = r#"{"status":{"observedGeneration":1,"lastAppliedRevision":"master@sha1:4fe1","conditions":[{"type":"Ready","status":"True","reason":"ReconciliationSucceeded","message":"Applied revision: master@sha1:4fe1","lastTransitionTime":"2026-11-23T10:00:00Z"}]}}"#;
    cluster.kubectl(
        &[
            "patch",
            "kustomization",
            "podinfo",
            "-n",
            "flux-system",
            "--subresource=status",
            "--type=merge",
            "-p",
            status,
        ],
        None,
    );
    let table = cluster.weir_ok(&["get", "kustomizations"]);
    let rows: Vec<Vec<&str>> = table.lines().map(|line| line.split('\t').map(str::trim).collect()).collect();
    assert_eq!(rows[0], ["NAME", "REVISION", "SUSPENDED", "READY", "MESSAGE"]);
    assert_eq!(rows[1], ["podinfo", "master@sha1:4fe1", "false", "True", "Applied revision: master@sha1:4fe1"]);
    let sources = cluster.weir_ok(&["get", "sources", "git", "-A"]);
    assert!(sources.lines().nth(1).unwrap().starts_with("flux-system"), "{sources}");
    assert!(sources.contains("Unknown"), "no Ready condition yet: {sources}");

    cluster.weir_ok(&["suspend", "kustomization", "podinfo"]);
    assert!(cluster.weir_ok(&["get", "ks"]).lines().nth(1).unwrap().contains("\ttrue"));
    cluster.weir_ok(&["resume", "kustomization", "podinfo"]);
    assert!(cluster.weir_ok(&["get", "ks"]).lines().nth(1).unwrap().contains("\tfalse"));
    let missing = cluster.weir(&["suspend", "kustomization", "nope"]);
    assert!(!missing.status.success() && String::from_utf8_lossy(&missing.stderr).contains("not found"));
}
