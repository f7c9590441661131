//! Flux's CLI verbs on weir, against what flux prints: `create … --export` byte for byte as
//! flux's golden files (flux2 `cmd/flux/testdata/`), and `create`, `get`, `suspend`, `resume`
//! and `reconcile` against `weir apiserver` with weir's CRDs installed. No controller runs here:
//! the tests play the controllers, writing the statuses the verbs wait for, so what the verbs
//! print at each step is known exactly.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

struct Cluster {
    server: Child,
    kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let server = common::apiserver(&[], &kubeconfig);
        let cluster = Self { server, kubeconfig, _dir: dir };
        let crds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crds");
        // crds/ is a kustomize base, as Flux's manifests/crds.
        cluster.kubectl(&["apply", "-k", crds.to_str().unwrap()], None);
        cluster.kubectl(&["wait", "--for=condition=Established", "crd", "--all"], None);
        cluster.kubectl(&["create", "namespace", "flux-system"], None);
        cluster
    }

    fn weir(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_weir")).args(args).arg("--kubeconfig").arg(&self.kubeconfig).output().unwrap()
    }

    /// Runs weir; its stdout, after checking it succeeded.
    fn weir_ok(&self, args: &[&str]) -> String {
        let output = self.weir(args);
        assert!(output.status.success(), "weir {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs weir; its stderr, where flux's verbs report, after checking the exit status.
    fn weir_says(&self, args: &[&str], success: bool) -> String {
        let output = self.weir(args);
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.success(), success, "weir {args:?}: {stderr}");
        stderr
    }

    /// Starts weir in the background, for verbs that wait for a controller.
    fn spawn(&self, args: &[&str]) -> Child {
        Command::new(env!("CARGO_BIN_EXE_weir"))
            .args(args)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    fn kubectl(&self, args: &[&str], stdin: Option<&str>) -> String {
        common::kubectl(&self.kubeconfig, args, stdin)
    }

    /// A field of an object (`jsonpath`), or None while kubectl cannot get it.
    fn field(&self, resource: &str, name: &str, jsonpath: &str) -> Option<String> {
        let output = Command::new("kubectl")
            .args(["get", resource, name, "-n", "flux-system", "-o", &format!("jsonpath={jsonpath}")])
            .env("KUBECONFIG", &self.kubeconfig)
            .output()
            .unwrap();
        output.status.success().then(|| String::from_utf8(output.stdout).unwrap())
    }

    /// Waits until `jsonpath` of the object reads something `accept` takes.
    fn wait_for(&self, resource: &str, name: &str, jsonpath: &str, accept: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Some(value) = self.field(resource, name, jsonpath).filter(|value| accept(value)) {
                return value;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "{resource}/{name} {jsonpath}: never came");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Writes the object's status as its controller would, `observedGeneration` its generation.
    fn set_status(&self, resource: &str, name: &str, mut status: serde_json::Value) {
        let generation: i64 = self.field(resource, name, "{.metadata.generation}").unwrap().parse().unwrap();
        status["observedGeneration"] = json!(generation);
        let patch = json!({ "status": status }).to_string();
        self.kubectl(
            &["patch", resource, name, "-n", "flux-system", "--subresource=status", "--type=merge", "-p", &patch],
            None,
        );
    }

    /// Plays the controller of the object for one reconcile request: waits for a token it has not
    /// handled, then writes `status` with it handled. The token.
    fn handle_request(&self, resource: &str, name: &str, mut status: serde_json::Value) -> String {
        let handled = self.field(resource, name, "{.status.lastHandledReconcileAt}").unwrap_or_default();
        let token = self.wait_for(resource, name, REQUESTED_AT, |token| !token.is_empty() && token != handled);
        status["lastHandledReconcileAt"] = json!(token);
        self.set_status(resource, name, status);
        token
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

const REQUESTED_AT: &str = r"{.metadata.annotations.reconcile\.fluxcd\.io/requestedAt}";

/// The exit status and stderr of a background weir, which must end within a minute.
fn finish(mut child: Child) -> (bool, String) {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("weir did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    (output.status.success(), String::from_utf8(output.stderr).unwrap())
}

fn ready(message: &str) -> serde_json::Value {
    json!([{
        "type": "Ready", "status": "True", "reason": "Succeeded", "message": message,
        "lastTransitionTime": "2026-11-23T10:00:00Z"
    }])
}

fn not_ready(message: &str) -> serde_json::Value {
    json!([{
        "type": "Ready", "status": "False", "reason": "Failed", "message": message,
        "lastTransitionTime": "2026-11-23T10:00:00Z"
    }])
}

fn artifact(revision: &str) -> serde_json::Value {
    json!({"path": "x/y.tar.gz", "url": "http://source/x/y.tar.gz", "revision": revision, "lastUpdateTime": "2026-11-23T10:00:00Z"})
}

/// A HelmRelease's status after Helm installed chart `version`.
fn released(name: &str, version: &str, message: &str) -> serde_json::Value {
    json!({
        "conditions": ready(message),
        "history": [{
            "digest": "sha256:1", "name": name, "namespace": "flux-system", "version": 1, "status": "deployed",
            "chartName": "podinfo", "chartVersion": version, "configDigest": "sha256:2",
            "firstDeployed": "2026-11-23T10:00:00Z", "lastDeployed": "2026-11-23T10:00:00Z"
        }]
    })
}

fn weir_export(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_weir")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// The error weir prints for `args`, as flux prints errors: `✗ message`.
fn weir_error(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_weir")).args(args).output().unwrap();
    assert!(!output.status.success(), "weir {args:?} succeeded");
    String::from_utf8(output.stderr).unwrap()
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
        "--prune=true",
        "--depends-on",
        "infra,platform/base",
        "--service-account",
        "reconciler",
        "--export",
    ]);
    assert_eq!(
        kustomization,
        "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: team-a\nspec:\n  dependsOn:\n  - name: infra\n  - name: base\n    namespace: platform\n  interval: 1m0s\n  path: ./apps\n  prune: true\n  serviceAccountName: reconciler\n  sourceRef:\n    kind: GitRepository\n    name: fleet\n    namespace: flux-system\n"
    );
    let bad = weir_error(&["create", "kustomization", "x1", "--source", "x", "--interval", "soon", "--export"]);
    assert!(bad.contains("is not a duration"), "{bad}");
}

/// flux2 cmd/flux/create_source_helm_test.go, its golden files with `{{ .fluxns }}` = `team-a`.
#[test]
fn create_source_helm_export_is_flux_golden() {
    let create = |url: &str, more: &[&str]| {
        let mut args = vec!["create", "source", "helm", "podinfo", "--url", url, "--interval", "5m", "--export"];
        args.extend(more);
        args.extend(["-n", "team-a"]);
        weir_export(&args)
    };
    // testdata/create_source_helm/oci.golden
    assert_eq!(
        create("oci://ghcr.io/stefanprodan/charts/podinfo", &[]),
        "---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: team-a
spec:
  interval: 5m0s
  type: oci
  url: oci://ghcr.io/stefanprodan/charts/podinfo
"
    );
    // testdata/create_source_helm/oci-with-secret.golden
    assert_eq!(
        create("oci://ghcr.io/stefanprodan/charts/podinfo", &["--secret-ref=creds"]),
        "---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: team-a
spec:
  interval: 5m0s
  secretRef:
    name: creds
  type: oci
  url: oci://ghcr.io/stefanprodan/charts/podinfo
"
    );
    // testdata/create_source_helm/https.golden
    let https = "---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: team-a
spec:
  interval: 5m0s
  url: https://stefanprodan.github.io/charts/podinfo
";
    assert_eq!(create("https://stefanprodan.github.io/charts/podinfo", &[]), https);
    // Without --secret-ref, flux ignores --pass-credentials (and an OCI provider for HTTPS).
    assert_eq!(
        create("https://stefanprodan.github.io/charts/podinfo", &["--pass-credentials", "--oci-provider", "aws"]),
        https
    );
    assert_eq!(
        create(
            "https://stefanprodan.github.io/charts/podinfo",
            &["--secret-ref", "creds", "--pass-credentials", "--fetch-timeout", "90s", "--cert-secret-ref", "tls"]
        ),
        "---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: team-a
spec:
  certSecretRef:
    name: tls
  interval: 5m0s
  passCredentials: true
  secretRef:
    name: creds
  timeout: 1m30s
  url: https://stefanprodan.github.io/charts/podinfo
"
    );
    assert_eq!(
        create("oci://ghcr.io/stefanprodan/charts", &["--oci-provider", "aws"]),
        "---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: team-a
spec:
  interval: 5m0s
  provider: aws
  type: oci
  url: oci://ghcr.io/stefanprodan/charts
"
    );
    // flux's errors for the same mistakes.
    let error = |args: &[&str]| weir_error(&[&["create", "source", "helm"], args, &["--export"]].concat());
    assert_eq!(
        error(&["podinfo", "--url=git://example.com/charts"]),
        "✗ url scheme 'git' not supported, can be: http, https and oci\n"
    );
    assert_eq!(error(&["podinfo"]), "✗ url is required\n");
    assert_eq!(error(&["podinfo", "--url", "https:charts"]), "✗ url host is required\n");
    assert_eq!(
        error(&["Podinfo", "--url", "https://charts.example.com"]),
        "✗ name 'Podinfo' is invalid, it should adhere to standard defined in RFC 1123, the name can only contain alphanumeric characters or '-'\n"
    );
}

/// flux2 cmd/flux/create_helmrelease_test.go, its golden files with `{{ .fluxns }}` = `team-a`.
#[test]
fn create_helmrelease_export_is_flux_golden() {
    let create = |args: &[&str]| {
        weir_export(
            &[&["create", "helmrelease", "podinfo"], args, &["--interval=1m0s", "--export", "-n", "team-a"]].concat(),
        )
    };
    // testdata/create_hr/basic.yaml (the kind as the test spells it: `Helmrepository`)
    assert_eq!(
        create(&["--source", "Helmrepository/podinfo", "--chart", "podinfo"]),
        "---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: team-a
spec:
  chart:
    spec:
      chart: podinfo
      reconcileStrategy: ChartVersion
      sourceRef:
        kind: HelmRepository
        name: podinfo
  interval: 1m0s
"
    );
    // testdata/create_hr/or_basic.yaml and hc_basic.yaml
    for kind in ["OCIRepository", "HelmChart"] {
        assert_eq!(
            create(&["--chart-ref", &format!("{kind}/podinfo")]),
            format!(
                "---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: team-a
spec:
  chartRef:
    kind: {kind}
    name: podinfo
  interval: 1m0s
"
            )
        );
    }
    // The test's errors, as flux words them.
    let error = |args: &[&str]| weir_error(&[&["create", "helmrelease", "podinfo"], args, &["--export"]].concat());
    assert_eq!(error(&[]), "✗ chart or chart-ref is required\n");
    assert_eq!(
        error(&["--chart", "podinfo", "--chart-ref", "foobar/podinfo"]),
        "✗ cannot use --chart in combination with --chart-ref\n"
    );
    assert_eq!(
        error(&["--source", "foobar/podinfo", "--chart", "podinfo"]),
        "✗ invalid argument \"foobar/podinfo\" for \"--source\" flag: source kind 'foobar' is not supported, must be one of: HelmRepository, GitRepository, Bucket\n"
    );
    assert_eq!(
        error(&["--chart-ref", "foobar/podinfo"]),
        "✗ chart reference kind 'foobar' is not supported, must be one of: OCIRepository, HelmChart\n"
    );
    assert_eq!(
        error(&["--source", "HelmRepository/podinfo", "--chart", "podinfo", "--reconcile-strategy", "Latest"]),
        "✗ 'Latest' is an invalid reconcile strategy(valid: Revision, ChartVersion)\n"
    );
}

/// The other flags of `create helmrelease` as create_helmrelease.go sets the fields, and
/// `--values` files merged as flux merges them (maps merged, later files winning, the rest
/// replaced; numbers through Go's JSON; printed sorted, as sigs.k8s.io/yaml prints).
#[test]
fn create_helmrelease_export_with_values_and_targets() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("values.yaml");
    let second = dir.path().join("production.yaml");
    std::fs::write(&first, "image:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.3.5\nreplicaCount: 1\nports: [9898]\nui:\n  color: '#34577c'\n").unwrap();
    std::fs::write(&second, "image:\n  tag: '6.4.0'\nreplicaCount: 3.0\nports: [80, 443]\nui:\n  message: yes\n")
        .unwrap();
    let exported = weir_export(&[
        "create",
        "hr",
        "podinfo",
        "-n",
        "apps",
        "--source",
        "GitRepository/podinfo.flux-system",
        "--chart",
        "./charts/podinfo",
        "--chart-version",
        ">=6.0.0",
        "--chart-interval",
        "10m",
        "--reconcile-strategy",
        "Revision",
        "--target-namespace",
        "production",
        "--create-target-namespace=true",
        "--release-name",
        "frontend",
        "--service-account",
        "deployer",
        "--depends-on",
        "cert-manager/cert-manager",
        "--values",
        first.to_str().unwrap(),
        "--values",
        second.to_str().unwrap(),
        "--values-from",
        "secret/overrides,ConfigMap/defaults",
        "--crds",
        "CreateReplace",
        "--kubeconfig-secret-ref",
        "remote",
        "--export",
    ]);
    assert_eq!(
        exported,
        "---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: apps
spec:
  chart:
    spec:
      chart: ./charts/podinfo
      interval: 10m0s
      reconcileStrategy: Revision
      sourceRef:
        kind: GitRepository
        name: podinfo
        namespace: flux-system
      version: '>=6.0.0'
  dependsOn:
  - name: cert-manager
    namespace: cert-manager
  install:
    crds: Create
    createNamespace: true
  interval: 1m0s
  kubeConfig:
    secretRef:
      name: remote
  releaseName: frontend
  serviceAccountName: deployer
  storageNamespace: production
  targetNamespace: production
  upgrade:
    crds: CreateReplace
  values:
    image:
      repository: ghcr.io/stefanprodan/podinfo
      tag: 6.4.0
    ports:
    - 80
    - 443
    replicaCount: 3
    ui:
      color: '#34577c'
      message: true
  valuesFrom:
  - kind: Secret
    name: overrides
  - kind: ConfigMap
    name: defaults
"
    );
    let missing = dir.path().join("missing.yaml");
    let error = weir_error(&[
        "create",
        "hr",
        "podinfo",
        "--source",
        "HelmRepository/podinfo",
        "--chart",
        "podinfo",
        "--values",
        missing.to_str().unwrap(),
        "--export",
    ]);
    let missing = missing.display();
    assert_eq!(error, format!("✗ reading values from {missing} failed: open {missing}: no such file or directory\n"));
}

/// `get`'s tables, byte for byte: flux2's testdata/get/objects.yaml listed as get.golden shows
/// it, and testdata/helmrelease's HelmRelease as get_helmrelease_from_git.golden shows it.
#[test]
fn get_prints_flux_tables() {
    let cluster = Cluster::start();
    let sha = "696f056df216eea4f9401adbee0ff744d4df390f";
    for name in ["podinfo", "podinfo-shard1", "podinfo-shard2"] {
        cluster.kubectl(
            &["apply", "-f", "-"],
            Some(&format!(
                "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  ref:\n    branch: main\n  secretRef:\n    name: flux-system\n  url: ssh://git@github.com/example/repo\n  interval: 5m\n"
            )),
        );
        let mut status = json!({
            "artifact": artifact(&format!("main@sha1:{sha}")),
            "conditions": ready(&format!("Fetched revision: main@sha1:{sha}")),
        });
        status["artifact"]["digest"] = json!(format!("sha1:{sha}"));
        cluster.set_status("gitrepository", name, status);
    }
    // testdata/get/get.golden
    assert_eq!(
        cluster.weir_ok(&["get", "sources", "git"]),
        "NAME          \tREVISION          \tSUSPENDED\tREADY\tMESSAGE                              \n\
         podinfo       \tmain@sha1:696f056d\tFalse    \tTrue \tFetched revision: main@sha1:696f056d\t\n\
         podinfo-shard1\tmain@sha1:696f056d\tFalse    \tTrue \tFetched revision: main@sha1:696f056d\t\n\
         podinfo-shard2\tmain@sha1:696f056d\tFalse    \tTrue \tFetched revision: main@sha1:696f056d\t\n"
    );
    assert_eq!(
        cluster.weir_ok(&["get", "source", "git", "podinfo-shard1", "-A", "--no-header"]),
        "flux-system\tpodinfo-shard1\tmain@sha1:696f056d\tFalse\tTrue\tFetched revision: main@sha1:696f056d\t\n"
    );

    cluster.weir_says(
        &["create", "hr", "thrfg", "--source", "GitRepository/thrfg", "--chart", "./charts/podinfo", "--timeout", "1s"],
        false,
    );
    let message = "Helm install succeeded for release thrfg-1/thrfg.v1 with chart podinfo@6.3.5";
    cluster.set_status("helmrelease", "thrfg", released("thrfg", "6.3.5", message));
    // testdata/helmrelease/get_helmrelease_from_git.golden
    let golden = format!(
        "NAME \tREVISION\tSUSPENDED\tREADY\tMESSAGE{} \nthrfg\t6.3.5   \tFalse    \tTrue \t{message}\t\n",
        " ".repeat(message.len() - "MESSAGE".len())
    );
    assert_eq!(cluster.weir_ok(&["get", "helmreleases"]), golden);
    assert_eq!(cluster.weir_ok(&["get", "hr", "thrfg"]), golden);
    let source = "GitRepository/flux-system/thrfg";
    assert_eq!(
        cluster.weir_ok(&["get", "helmrelease", "--show-source", "-A"]),
        format!(
            "NAMESPACE  \tNAME \t{:<31}\tREVISION\tSUSPENDED\tREADY\t{:<76} \n\
             flux-system\tthrfg\t{source}\t6.3.5   \tFalse    \tTrue \t{message}\t\n",
            "SOURCE", "MESSAGE"
        )
    );
    assert_eq!((source.len(), message.len()), (31, 76));

    // A HelmRepository's revision (a digest) is shortened, a HelmChart's (a version) is not; an
    // OCI repository is Ready whatever its status; no Ready condition is `waiting to be reconciled`.
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    cluster.kubectl(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  url: https://stefanprodan.github.io/podinfo\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: ghcr\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://ghcr.io/stefanprodan/charts\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: flux-system-thrfg\n  namespace: flux-system\nspec:\n  chart: podinfo\n  interval: 1m\n  sourceRef:\n    kind: HelmRepository\n    name: podinfo\n",
        ),
    );
    cluster.set_status(
        "helmrepository",
        "podinfo",
        json!({"artifact": artifact(&digest), "conditions": ready(&format!("stored artifact: revision '{digest}'"))}),
    );
    let stored = "stored artifact: revision 'sha256:01234567'";
    assert_eq!(
        cluster.weir_ok(&["get", "sources", "helm"]),
        format!(
            "NAME   \tREVISION       \tSUSPENDED\tREADY\t{:<43} \n\
             ghcr   \t               \tFalse    \tTrue \t{:<43}\t\n\
             podinfo\tsha256:01234567\tFalse    \tTrue \t{stored}\t\n",
            "MESSAGE", "Helm repository is Ready"
        )
    );
    assert_eq!(stored.len(), 43);
    assert_eq!(
        cluster.weir_ok(&["get", "sources", "chart"]),
        format!(
            "NAME             \tREVISION\tSUSPENDED\tREADY\t{:<24} \nflux-system-thrfg\t        \tFalse    \tFalse\twaiting to be reconciled\t\n",
            "MESSAGE"
        )
    );
    let pulled = "pulled 'podinfo' chart with version '6.3.5'";
    cluster.set_status(
        "helmchart",
        "flux-system-thrfg",
        json!({"artifact": artifact("6.3.5"), "conditions": ready(pulled)}),
    );
    assert_eq!(
        cluster.weir_ok(&["get", "sources", "chart"]),
        format!(
            "NAME             \tREVISION\tSUSPENDED\tREADY\t{:<43} \nflux-system-thrfg\t6.3.5   \tFalse    \tTrue \t{pulled}\t\n",
            "MESSAGE"
        )
    );

    // Nothing to list is flux's error.
    let empty = cluster.weir_says(&["get", "kustomizations"], false);
    assert_eq!(empty, "✗ no Kustomization objects found in \"flux-system\" namespace\n");
    let missing = cluster.weir_says(&["get", "hr", "nope", "-A"], false);
    assert_eq!(missing, "✗ HelmRelease object 'nope' not found in any namespace\n");
}

/// `create` applies the object and waits for it as flux does, saying what flux says
/// (testdata/helmrelease/create_*.golden); then `suspend` and `resume` (suspend_ and
/// resume_helmrelease_from_git.golden).
#[test]
fn create_suspend_resume_against_a_cluster() {
    let cluster = Cluster::start();
    let sha = "67e2c98a60dc92283531412a9e604dd4bae005a9";
    let create = cluster.spawn(&[
        "create",
        "source",
        "git",
        "thrfg",
        "--url=https://github.com/stefanprodan/podinfo",
        "--branch=main",
        "--tag=6.3.5",
        "--timeout=30s",
    ]);
    cluster.wait_for("gitrepository", "thrfg", "{.metadata.name}", |name| name == "thrfg");
    let revision = format!("6.3.5@sha1:{sha}");
    let fetched = json!({"artifact": artifact(&revision), "conditions": ready(&format!("stored artifact for revision '{revision}'"))});
    cluster.set_status("gitrepository", "thrfg", fetched);
    assert_eq!(
        finish(create),
        (
            true,
            format!(
                "✚ generating GitRepository source\n► applying GitRepository source\n✔ GitRepository source created\n\
                 ◎ waiting for GitRepository source reconciliation\n✔ GitRepository source reconciliation completed\n\
                 ✔ fetched revision: {revision}\n"
            )
        )
    );

    let create = cluster.spawn(&[
        "create",
        "helmrelease",
        "thrfg",
        "--source=GitRepository/thrfg",
        "--chart=./charts/podinfo",
        "--timeout=30s",
    ]);
    cluster.wait_for("helmrelease", "thrfg", "{.metadata.name}", |name| name == "thrfg");
    cluster.set_status("helmrelease", "thrfg", released("thrfg", "6.3.5", "Helm install succeeded"));
    assert_eq!(
        finish(create),
        (
            true,
            "✚ generating HelmRelease\n► applying HelmRelease\n✔ HelmRelease created\n◎ waiting for HelmRelease reconciliation\n\
             ✔ HelmRelease thrfg is ready\n✔ applied revision 6.3.5\n"
                .to_owned()
        )
    );
    let chart =
        cluster.field("helmrelease", "thrfg", "{.spec.chart.spec.sourceRef.kind}/{.spec.chart.spec.reconcileStrategy}");
    assert_eq!(chart.as_deref(), Some("GitRepository/ChartVersion"));

    // A HelmRepository: `source created` or `updated`; the controller's failure is the error.
    let create =
        cluster.spawn(&["create", "source", "helm", "podinfo", "--url", "https://charts.invalid", "--timeout", "30s"]);
    cluster.wait_for("helmrepository", "podinfo", "{.metadata.name}", |name| name == "podinfo");
    let failure = "failed to fetch Helm repository index: dial tcp: lookup charts.invalid: no such host";
    cluster.set_status("helmrepository", "podinfo", json!({"conditions": not_ready(failure)}));
    let (succeeded, said) = finish(create);
    assert!(!succeeded);
    assert!(
        said.starts_with("✚ generating HelmRepository source\n► applying HelmRepository source\n✔ source created\n"),
        "{said}"
    );
    assert!(said.ends_with(&format!("◎ waiting for HelmRepository source reconciliation\n✗ {failure}\n")), "{said}");
    let create = cluster.spawn(&[
        "create",
        "source",
        "helm",
        "podinfo",
        "--url",
        "https://charts.example.com",
        "--timeout",
        "30s",
    ]);
    cluster.wait_for("helmrepository", "podinfo", "{.spec.url}", |url| url == "https://charts.example.com");
    let digest = format!("sha256:{}", "ab".repeat(32));
    cluster.set_status(
        "helmrepository",
        "podinfo",
        json!({"artifact": artifact(&digest), "conditions": ready("stored")}),
    );
    let (succeeded, said) = finish(create);
    assert!(
        succeeded && said.contains("✔ source updated\n") && said.ends_with(&format!("✔ fetched revision: {digest}\n")),
        "{said}"
    );
    // A wait that runs out is flux's error.
    let said = cluster.weir_says(
        &["create", "kustomization", "thrfg", "--source", "thrfg", "--path", "./kustomize", "--timeout", "1s"],
        false,
    );
    assert!(said.ends_with("◎ waiting for Kustomization reconciliation\n✗ context deadline exceeded\n"), "{said}");
    assert_eq!(
        cluster.weir_ok(&["get", "ks", "--show-source", "--no-header"]),
        "thrfg\tGitRepository/flux-system/thrfg\t\tFalse\tFalse\twaiting to be reconciled\t\n"
    );

    // testdata/helmrelease/suspend_helmrelease_from_git.golden
    assert_eq!(
        cluster.weir_says(&["suspend", "helmrelease", "thrfg"], true),
        "► suspending helmrelease thrfg in flux-system namespace\n✔ helmrelease suspended\n"
    );
    assert_eq!(cluster.field("helmrelease", "thrfg", "{.spec.suspend}").as_deref(), Some("true"));
    assert!(cluster.weir_ok(&["get", "hr"]).contains("\tTrue     \t"));
    // testdata/helmrelease/resume_helmrelease_from_git.golden: resuming one object waits for it.
    let resume = cluster.spawn(&["resume", "hr", "thrfg", "--timeout", "30s"]);
    cluster.wait_for("helmrelease", "thrfg", "{.spec}", |spec| !spec.contains("suspend"));
    cluster.set_status("helmrelease", "thrfg", released("thrfg", "6.3.5", "Helm upgrade succeeded"));
    assert_eq!(
        finish(resume),
        (
            true,
            "► resuming helmrelease thrfg in flux-system namespace\n✔ helmrelease resumed\n◎ waiting for HelmRelease reconciliation\n\
             ✔ HelmRelease thrfg reconciliation completed\n✔ applied revision 6.3.5\n"
                .to_owned()
        )
    );
    assert!(cluster.weir_ok(&["get", "hr"]).contains("\tFalse    \t"));

    // Sources, several at once and `--all`; without waiting when more than one is named.
    cluster.kubectl(
        &["apply", "-f", "-"],
        Some("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  chart: podinfo\n  interval: 1m\n  sourceRef:\n    kind: HelmRepository\n    name: podinfo\n"),
    );
    assert_eq!(
        cluster.weir_says(&["suspend", "source", "chart", "--all"], true),
        "► suspending source chart podinfo in flux-system namespace\n✔ source chart suspended\n"
    );
    assert_eq!(
        cluster.weir_says(&["suspend", "source", "helm", "podinfo", "nope", "podinfo"], true),
        "► suspending source helm podinfo in flux-system namespace\n✔ source helm suspended\n✗ HelmRepository nope not found in flux-system namespace\n"
    );
    assert_eq!(cluster.field("helmchart", "podinfo", "{.spec.suspend}").as_deref(), Some("true"));
    assert_eq!(
        cluster.weir_says(&["resume", "source", "helm", "podinfo", "--wait=false"], true),
        "► resuming source helm podinfo in flux-system namespace\n✔ source helm resumed\n"
    );
    assert_eq!(cluster.field("helmrepository", "podinfo", "{.spec.suspend}").as_deref(), Some(""));
    assert_eq!(
        cluster.weir_says(&["resume", "source", "git", "nope"], true),
        "✗ GitRepository object 'nope' not found in flux-system namespace\n"
    );
    assert_eq!(cluster.weir_says(&["suspend", "ks"], false), "✗ kustomization name is required\n");
    // A failure the resumed object reports.
    let resume = cluster.spawn(&["resume", "source", "chart", "podinfo", "--timeout", "30s"]);
    cluster.wait_for("helmchart", "podinfo", "{.spec}", |spec| !spec.contains("suspend"));
    let stalled = json!([{"type": "Stalled", "status": "True", "reason": "InvalidChartReference", "message": "chart not found", "lastTransitionTime": "2026-11-23T10:00:00Z"}]);
    cluster.set_status("helmchart", "podinfo", json!({"conditions": stalled}));
    assert_eq!(
        finish(resume),
        (
            false,
            "► resuming source chart podinfo in flux-system namespace\n✔ source chart resumed\n◎ waiting for HelmChart reconciliation\n\
             ✗ HelmChart podinfo reconciliation failed: chart not found\n✗ reconciliation failed for 1 HelmChart(s)\n"
                .to_owned()
        )
    );
}

/// `reconcile` annotates and waits for the controller to handle the token, saying what flux
/// says (testdata/helmrelease/reconcile_helmrelease_from_git.golden, here from a HelmRepository).
#[test]
fn reconcile_against_a_cluster() {
    let cluster = Cluster::start();
    cluster.kubectl(
        &["apply", "-f", "-"],
        Some(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  url: http://127.0.0.1:1/charts\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n  name: ghcr\n  namespace: flux-system\nspec:\n  type: oci\n  url: oci://ghcr.io/stefanprodan/charts\n---\n\
             apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmChart\nmetadata:\n  name: flux-system-podinfo\n  namespace: flux-system\nspec:\n  chart: podinfo\n  interval: 1m\n  sourceRef:\n    kind: HelmRepository\n    name: podinfo\n---\n\
             apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n  interval: 1m\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef:\n        kind: HelmRepository\n        name: podinfo\n",
        ),
    );

    // An unreachable repository: the controller's Ready=False message, quoted as flux quotes it.
    let reconcile = cluster.spawn(&["reconcile", "source", "helm", "podinfo", "--timeout", "30s"]);
    let failure = "failed to fetch Helm repository index: dial tcp 127.0.0.1:1: connect: connection refused";
    cluster.handle_request("helmrepository", "podinfo", json!({"conditions": not_ready(failure)}));
    assert_eq!(
        finish(reconcile),
        (
            false,
            format!(
                "► annotating HelmRepository podinfo in flux-system namespace\n✔ HelmRepository annotated\n\
                 ◎ waiting for HelmRepository reconciliation\n✗ HelmRepository reconciliation failed: '{failure}'\n"
            )
        )
    );

    // --with-source: the HelmRelease's HelmChart, and its HelmRepository first; --force and
    // --reset annotate the HelmRelease with the same token.
    let reconcile =
        cluster.spawn(&["reconcile", "hr", "podinfo", "--with-source", "--force", "--reset", "--timeout", "30s"]);
    let digest = format!("sha256:{}", "cd".repeat(32));
    cluster.handle_request(
        "helmrepository",
        "podinfo",
        json!({"artifact": artifact(&digest), "conditions": ready("stored")}),
    );
    let chart =
        json!({"artifact": artifact("6.3.5"), "conditions": ready("pulled 'podinfo' chart with version '6.3.5'")});
    cluster.handle_request("helmchart", "flux-system-podinfo", chart);
    let token =
        cluster.handle_request("helmrelease", "podinfo", released("podinfo", "6.3.5", "Helm upgrade succeeded"));
    assert_eq!(
        finish(reconcile),
        (
            true,
            format!(
                "► annotating HelmRepository podinfo in flux-system namespace\n✔ HelmRepository annotated\n\
                 ◎ waiting for HelmRepository reconciliation\n✔ fetched revision {digest}\n\
                 ► annotating HelmChart flux-system-podinfo in flux-system namespace\n✔ HelmChart annotated\n\
                 ◎ waiting for HelmChart reconciliation\n✔ fetched revision 6.3.5\n\
                 ► annotating HelmRelease podinfo in flux-system namespace\n✔ HelmRelease annotated\n\
                 ◎ waiting for HelmRelease reconciliation\n✔ applied revision 6.3.5\n"
            )
        )
    );
    let annotations = cluster.field(
        "helmrelease",
        "podinfo",
        r"{.metadata.annotations.reconcile\.fluxcd\.io/forceAt} {.metadata.annotations.reconcile\.fluxcd\.io/resetAt}",
    );
    assert_eq!(annotations, Some(format!("{token} {token}")));
    let chart_annotations = cluster.field("helmchart", "flux-system-podinfo", r"{.metadata.annotations}").unwrap();
    assert!(!chart_annotations.contains("forceAt"), "{chart_annotations}");

    // `reconcile source chart` alone; a stalled HelmRelease fails with the Stalled message.
    let reconcile = cluster.spawn(&["reconcile", "source", "chart", "flux-system-podinfo", "--timeout", "30s"]);
    let chart =
        json!({"artifact": artifact("6.3.6"), "conditions": ready("pulled 'podinfo' chart with version '6.3.6'")});
    cluster.handle_request("helmchart", "flux-system-podinfo", chart);
    let (succeeded, said) = finish(reconcile);
    assert!(
        succeeded && said.ends_with("◎ waiting for HelmChart reconciliation\n✔ fetched revision 6.3.6\n"),
        "{said}"
    );
    let reconcile = cluster.spawn(&["reconcile", "helmrelease", "podinfo", "--timeout", "30s"]);
    let stalled = json!([{"type": "Stalled", "status": "True", "reason": "RetriesExceeded", "message": "Failed to upgrade after 1 attempt(s)", "lastTransitionTime": "2026-11-23T10:00:00Z"}]);
    cluster.handle_request("helmrelease", "podinfo", json!({"conditions": stalled}));
    let (succeeded, said) = finish(reconcile);
    assert!(
        !succeeded
            && said.ends_with("◎ waiting for HelmRelease reconciliation\n✗ Failed to upgrade after 1 attempt(s)\n"),
        "{said}"
    );

    // What flux refuses, and an object no controller reconciles.
    cluster.weir_ok(&["suspend", "hr", "podinfo"]);
    assert_eq!(cluster.weir_says(&["reconcile", "hr", "podinfo", "--with-source"], false), "✗ resource is suspended\n");
    assert_eq!(
        cluster.weir_says(&["reconcile", "source", "helm", "ghcr"], true),
        "✔ reconciliation not supported by the object\n"
    );
    assert_eq!(cluster.field("helmrepository", "ghcr", REQUESTED_AT).as_deref(), Some(""));
    assert_eq!(
        cluster.weir_says(&["reconcile", "source", "chart", "nope"], false),
        "✗ helmcharts.source.toolkit.fluxcd.io \"nope\" not found\n"
    );
    // Nobody handles the request: the wait runs out.
    let said = cluster.weir_says(&["reconcile", "source", "helm", "podinfo", "--timeout", "1s"], false);
    assert!(said.ends_with("◎ waiting for HelmRepository reconciliation\n✗ context deadline exceeded\n"), "{said}");
}

/// flux2 cmd/flux/create_source_oci_test.go and its golden files. flux's test resets the
/// `--provider` flag to its zero value; the flux binary defaults it to `generic` and writes it,
/// as weir does.
#[test]
fn create_source_oci_export_is_flux_golden() {
    let create = |more: &[&str]| {
        let mut args = vec!["create", "source", "oci", "podinfo", "--url=oci://ghcr.io/stefanprodan/manifests/podinfo"];
        args.extend(["--tag=6.3.5", "--export"]);
        args.extend(more);
        weir_export(&args)
    };
    let golden = |spec: &str| {
        format!(
            "---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: OCIRepository\nmetadata:\n  name: podinfo\n  namespace: flux-system\nspec:\n{spec}"
        )
    };
    let url = "  url: oci://ghcr.io/stefanprodan/manifests/podinfo\n";
    // testdata/oci/export.golden
    assert_eq!(
        create(&["--interval", "10m"]),
        golden(&format!("  interval: 10m0s\n  provider: generic\n  ref:\n    tag: 6.3.5\n{url}"))
    );
    // testdata/oci/export_with_secret.golden
    assert_eq!(
        create(&["--interval", "10m", "--secret-ref=creds"]),
        golden(&format!(
            "  interval: 10m0s\n  provider: generic\n  ref:\n    tag: 6.3.5\n  secretRef:\n    name: creds\n{url}"
        ))
    );
    // testdata/oci/export_with_verify_secret.golden
    assert_eq!(
        create(&["--interval", "10m", "--verify-provider=cosign", "--verify-secret-ref=cosign-pub"]),
        golden(&format!(
            "  interval: 10m0s\n  provider: generic\n  ref:\n    tag: 6.3.5\n{url}  verify:\n    provider: cosign\n    secretRef:\n      name: cosign-pub\n"
        ))
    );
    // testdata/oci/export_with_issuer.golden (its `interval: 0s` is the test's reset flag)
    assert_eq!(
        create(&["--verify-issuer=github", "--verify-provider=cosign"]),
        golden(&format!(
            "  interval: 1m0s\n  provider: generic\n  ref:\n    tag: 6.3.5\n{url}  verify:\n    matchOIDCIdentity:\n    - issuer: github\n      subject: \"\"\n    provider: cosign\n"
        ))
    );
    // testdata/oci/export_with_layer_selector.golden
    assert_eq!(
        create(&["--interval", "10m", "--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:copy"]),
        golden(&format!(
            "  interval: 10m0s\n  layerSelector:\n    mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip\n    operation: copy\n  provider: generic\n  ref:\n    tag: 6.3.5\n{url}"
        ))
    );
    let error = |args: &[&str]| weir_error(&[&["create", "source", "oci"][..], args].concat());
    assert_eq!(error(&["podinfo"]), "✗ url is required\n");
    let base = ["podinfo", "--url=oci://ghcr.io/stefanprodan/manifests/podinfo", "--tag=6.3.5"];
    assert_eq!(
        error(&[&base[..], &["--verify-secret-ref=cosign-pub"]].concat()),
        "✗ a verification provider must be specified when a secret is specified\n"
    );
    assert_eq!(
        error(&[&base[..], &["--verify-subject=developer"]].concat()),
        "✗ a verification provider must be specified when OIDC issuer/subject is specified\n"
    );
    assert_eq!(
        error(&[&base[..], &["--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip:move"]].concat()),
        "✗ invalid --layer-selector \"application/vnd.cncf.helm.chart.content.v1.tar+gzip:move\": operation must be \"extract\" or \"copy\"\n"
    );
    assert_eq!(
        error(&[&base[..], &["--layer-selector=application/vnd.cncf.helm.chart.content.v1.tar+gzip"]].concat()),
        "✗ invalid --layer-selector \"application/vnd.cncf.helm.chart.content.v1.tar+gzip\": must be in the format '<media-type>:<operation>'\n"
    );
    assert_eq!(error(&["podinfo", "--url=oci://ghcr.io/x"]), "✗ --tag, --tag-semver or --digest is required\n");
}

/// flux2 cmd/flux/source_oci_test.go's sequence against a cluster: create, get, reconcile,
/// suspend and resume an OCIRepository (testdata/oci/*.golden), the test playing the controller.
#[test]
fn oci_source_verbs_print_what_flux_prints() {
    let cluster = Cluster::start();
    let revision = "6.3.5@sha256:6c959c51ccbb952e5fe4737563338a0aaf975675dcf812912cf09e5463181871";
    let fetched = || json!({"artifact": artifact(revision), "conditions": ready("stored artifact for digest '6.3.5@sha256:6c959c51'")});
    let create = cluster.spawn(&[
        "create",
        "source",
        "oci",
        "thrfg",
        "--url=oci://ghcr.io/stefanprodan/manifests/podinfo",
        "--tag=6.3.5",
        "--interval",
        "10m",
        "--timeout=30s",
    ]);
    cluster.wait_for("ocirepository", "thrfg", "{.metadata.name}", |name| name == "thrfg");
    cluster.set_status("ocirepository", "thrfg", fetched());
    // testdata/oci/create_source_oci.golden
    assert_eq!(
        finish(create),
        (
            true,
            format!(
                "► applying OCIRepository\n✔ OCIRepository created\n◎ waiting for OCIRepository reconciliation\n\
                 ✔ OCIRepository reconciliation completed\n✔ fetched revision: {revision}\n"
            )
        )
    );
    // testdata/oci/get_oci.golden
    assert_eq!(
        cluster.weir_ok(&["get", "source", "oci", "thrfg"]),
        "NAME \tREVISION             \tSUSPENDED\tREADY\tMESSAGE                                            \n\
         thrfg\t6.3.5@sha256:6c959c51\tFalse    \tTrue \tstored artifact for digest '6.3.5@sha256:6c959c51'\t\n"
    );
    // testdata/oci/reconcile_oci.golden
    let reconcile = cluster.spawn(&["reconcile", "source", "oci", "thrfg", "--timeout", "30s"]);
    cluster.handle_request("ocirepository", "thrfg", fetched());
    assert_eq!(
        finish(reconcile),
        (
            true,
            format!(
                "► annotating OCIRepository thrfg in flux-system namespace\n✔ OCIRepository annotated\n\
                 ◎ waiting for OCIRepository reconciliation\n✔ fetched revision {revision}\n"
            )
        )
    );
    // testdata/oci/suspend_oci.golden
    assert_eq!(
        cluster.weir_says(&["suspend", "source", "oci", "thrfg"], true),
        "► suspending source oci thrfg in flux-system namespace\n✔ source oci suspended\n"
    );
    // testdata/oci/resume_oci.golden
    let resume = cluster.spawn(&["resume", "source", "oci", "thrfg", "--timeout", "30s"]);
    cluster.wait_for("ocirepository", "thrfg", "{.spec}", |spec| !spec.contains("suspend"));
    cluster.set_status("ocirepository", "thrfg", fetched());
    assert_eq!(
        finish(resume),
        (
            true,
            format!(
                "► resuming source oci thrfg in flux-system namespace\n✔ source oci resumed\n◎ waiting for OCIRepository reconciliation\n\
                 ✔ OCIRepository thrfg reconciliation completed\n✔ fetched revision {revision}\n"
            )
        )
    );

    // A Bucket: its keys go to a Secret `bucket-<name>`; flux's messages around it.
    let create = cluster.spawn(&[
        "create",
        "source",
        "bucket",
        "podinfo",
        "--bucket-name=podinfo",
        "--endpoint=minio.minio.svc.cluster.local:9000",
        "--insecure=true",
        "--access-key=AKIA",
        "--secret-key=wJalr",
        "--timeout=30s",
    ]);
    cluster.wait_for("bucket", "podinfo", "{.metadata.name}", |name| name == "podinfo");
    let digest = format!("sha256:{}", "cd".repeat(32));
    cluster.set_status(
        "bucket",
        "podinfo",
        json!({"artifact": artifact(&digest), "conditions": ready("stored artifact with 3 fetched files")}),
    );
    let (succeeded, said) = finish(create);
    assert!(succeeded, "{said}");
    assert_eq!(
        said,
        format!(
            "✚ generating Bucket source\n► applying secret with the bucket credentials\n✔ authentication configured\n\
             ► applying Bucket source\n✔ Bucket source created\n◎ waiting for Bucket source reconciliation\n\
             ✔ Bucket source reconciliation completed\n✔ fetched revision: {digest}\n"
        )
    );
    assert_eq!(cluster.field("bucket", "podinfo", "{.spec.secretRef.name}").as_deref(), Some("bucket-podinfo"));
    assert_eq!(
        cluster.field("secret", "bucket-podinfo", "{.data.accesskey}").as_deref(),
        Some("QUtJQQ=="),
        "the access key, base64"
    );
    assert!(
        cluster.weir_ok(&["get", "sources", "bucket", "--no-header"]).starts_with("podinfo\tsha256:cdcdcdcd\tFalse")
    );
}
