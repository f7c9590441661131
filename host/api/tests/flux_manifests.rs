//! Manifests written for Flux v2 apply unchanged against weir's CRDs, and
//! read back into weir's types with every field intact.

use std::io::Write;
use std::process::{Command, Stdio};

use kube::api::Api;
use weir_api::kustomize::{Kustomization, SourceKind};
use weir_api::source::GitRepository;
use weir_apiserver::{ApiServer, Authentication};

/// As `flux create source git` / `flux create kustomization --export` and the
/// Flux docs write them, with most optional fields set.
const FLUX_MANIFESTS: &str = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 1m0s
  url: https://github.com/stefanprodan/podinfo
  ref:
    semver: ">=6.0.0"
  secretRef:
    name: https-credentials
  ignore: |
    /*
    !/kustomize
  include:
  - repository:
      name: shared
    fromPath: deploy
    toPath: shared
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m0s
  retryInterval: 2m0s
  timeout: 3m0s
  path: ./kustomize
  prune: true
  wait: true
  force: false
  targetNamespace: apps
  serviceAccountName: reconciler
  sourceRef:
    kind: GitRepository
    name: podinfo
  dependsOn:
  - name: infrastructure
  decryption:
    provider: sops
    secretRef:
      name: sops-age
  postBuild:
    substitute:
      cluster_env: prod
    substituteFrom:
    - kind: ConfigMap
      name: cluster-vars
    - kind: Secret
      name: cluster-secrets
      optional: true
  patches:
  - patch: |
      - op: replace
        path: /spec/replicas
        value: 3
    target:
      kind: Deployment
      labelSelector: app=podinfo
  images:
  - name: ghcr.io/stefanprodan/podinfo
    newTag: 6.5.0
  healthChecks:
  - apiVersion: apps/v1
    kind: Deployment
    name: podinfo
    namespace: apps
  commonMetadata:
    labels:
      team: platform
"#;

fn kubectl(kubeconfig: &std::path::Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "kubectl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flux_v2_manifests_apply_unchanged() {
    let auth = Authentication { admin_token: "t".into(), ..Authentication::default() };
    let server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, server.kubeconfig("t")).unwrap();
    let url = server.url();
    tokio::spawn(server.serve());

    let crds: String = weir_api::crds().iter().map(|crd| format!("---\n{}", weir_api::to_yaml(crd))).collect();
    let kubeconfig_path = kubeconfig.clone();
    tokio::task::spawn_blocking(move || {
        kubectl(&kubeconfig_path, &["apply", "-f", "-"], &crds);
        kubectl(&kubeconfig_path, &["wait", "--for=condition=Established", "crd", "--all"], "");
        kubectl(
            &kubeconfig_path,
            &["apply", "-f", "-"],
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n",
        );
        kubectl(&kubeconfig_path, &["apply", "-f", "-"], FLUX_MANIFESTS);
    })
    .await
    .unwrap();

    let mut config = kube::Config::new(url.parse().unwrap());
    config.auth_info.token = Some("t".to_owned().into());
    let client = kube::Client::try_from(config).unwrap();
    let repository = Api::<GitRepository>::namespaced(client.clone(), "flux-system").get("podinfo").await.unwrap();
    assert_eq!(repository.spec.reference.unwrap().semver.as_deref(), Some(">=6.0.0"));
    assert_eq!(repository.spec.timeout.as_deref(), Some("60s"), "defaulted by the schema");
    assert_eq!(repository.spec.include.unwrap()[0].to_path.as_deref(), Some("shared"));

    let kustomization = Api::<Kustomization>::namespaced(client, "flux-system").get("podinfo").await.unwrap();
    let spec = kustomization.spec;
    assert_eq!(spec.source_ref.kind, SourceKind::GitRepository);
    assert_eq!(spec.post_build.unwrap().substitute_from.unwrap()[1].optional, Some(true));
    assert_eq!(spec.patches.unwrap()[0].target.as_ref().unwrap().label_selector.as_deref(), Some("app=podinfo"));
    assert_eq!(spec.common_metadata.unwrap().labels.unwrap()["team"], "platform");
    assert_eq!(spec.health_checks.unwrap()[0].namespace.as_deref(), Some("apps"));

    let invalid = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: bad, namespace: flux-system}\nspec: {interval: soon, sourceRef: {kind: GitRepository, name: x}}\n";
    let output = Command::new("kubectl")
        .args(["apply", "-f", "-"])
        .env("KUBECONFIG", &kubeconfig)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(invalid.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success() && stderr.contains("spec.interval") && stderr.contains("spec.prune"), "{stderr}");
}
