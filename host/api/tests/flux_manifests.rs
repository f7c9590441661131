//! Manifests written for Flux v2 apply unchanged against weir's CRDs, and
//! read back into weir's types with every field intact.

use std::io::Write;
use std::process::{Command, Stdio};

use kube::Resource;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::core::GroupVersionKind;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use weir_api::helm::{
    ChartRefKind, CrdsPolicy, DriftDetectionMode, HelmRelease, RemediationStrategy, ServerSideApplyMode,
};
use weir_api::kustomize::{Kustomization, SourceKind};
use weir_api::source::{GitRepository, HelmChart, HelmChartSourceKind, HelmRepository, HelmRepositoryType};
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

/// Helm the Flux way, after the Flux docs and `flux create source helm` / `flux create
/// helmrelease --export`: a chart repository over HTTPS and one in an OCI registry, a HelmChart
/// of its own, a HelmRelease with most of the spec set, one releasing an OCIRepository's chart,
/// and the `v1beta2`/`v2beta2` manifests older fleet repositories still hold.
const HELM_MANIFESTS: &str = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 5m0s
  url: https://stefanprodan.github.io/podinfo
  secretRef:
    name: podinfo-auth
  passCredentials: true
  timeout: 1m30s
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata:
  name: podinfo-oci
  namespace: flux-system
spec:
  type: oci
  url: oci://ghcr.io/stefanprodan/charts
  provider: generic
  certSecretRef:
    name: registry-tls
  insecure: false
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmChart
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m0s
  chart: podinfo
  version: 6.5.*
  reconcileStrategy: ChartVersion
  sourceRef:
    kind: HelmRepository
    name: podinfo-oci
  valuesFiles:
  - values.yaml
  - values-prod.yaml
  ignoreMissingValuesFiles: true
  verify:
    provider: cosign
    matchOIDCIdentity:
    - issuer: ^https://token.actions.githubusercontent.com$
      subject: ^https://github.com/stefanprodan/podinfo.*$
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo
  namespace: flux-system
spec:
  interval: 10m
  timeout: 5m
  releaseName: podinfo
  targetNamespace: apps
  storageNamespace: apps
  serviceAccountName: helm-reconciler
  maxHistory: 3
  persistentClient: false
  chart:
    metadata:
      labels:
        team: platform
    spec:
      chart: podinfo
      version: 6.5.*
      sourceRef:
        kind: HelmRepository
        name: podinfo
      interval: 5m
      reconcileStrategy: Revision
      valuesFiles:
      - values.yaml
  dependsOn:
  - name: cert-manager
    namespace: cert-manager
  install:
    createNamespace: true
    crds: CreateReplace
    serverSideApply: true
    remediation:
      retries: 3
  upgrade:
    crds: CreateReplace
    cleanupOnFail: true
    serverSideApply: auto
    chartNameChangeStrategy: InPlaceUpdate
    remediation:
      retries: -1
      remediateLastFailure: true
      strategy: uninstall
  test:
    enable: true
    ignoreFailures: false
    filters:
    - name: podinfo-jwt
      exclude: true
  rollback:
    cleanupOnFail: true
    disableWaitForJobs: true
  uninstall:
    keepHistory: false
    deletionPropagation: foreground
  driftDetection:
    mode: enabled
    ignore:
    - paths:
      - /spec/replicas
      target:
        kind: Deployment
  valuesFrom:
  - kind: ConfigMap
    name: podinfo-values
  - kind: Secret
    name: podinfo-secrets
    valuesKey: redis-password
    targetPath: redis.password
    optional: true
  values:
    replicaCount: 2
    ingress:
      enabled: true
      hosts:
      - host: podinfo.example.com
        paths:
        - path: /
          pathType: ImplementationSpecific
    resources:
      limits:
        memory: 256Mi
  postRenderers:
  - kustomize:
      patches:
      - target:
          version: v1
          kind: Deployment
          name: podinfo
        patch: |
          - op: add
            path: /metadata/annotations/team
            value: platform
      images:
      - name: ghcr.io/stefanprodan/podinfo
        newTag: 6.5.4
  commonMetadata:
    labels:
      team: platform
  healthCheckExprs:
  - apiVersion: cert-manager.io/v1
    kind: Certificate
    current: status.conditions.filter(e, e.type == 'Ready').all(e, e.status == 'True')
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: podinfo-oci
  namespace: flux-system
spec:
  interval: 10m
  chartRef:
    kind: OCIRepository
    name: podinfo
    namespace: flux-system
  postRenderStrategy: nohooks
  waitStrategy:
    name: poller
  install:
    strategy:
      name: RetryOnFailure
      retryInterval: 2m
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: HelmRepository
metadata:
  name: metrics-server
  namespace: flux-system
spec:
  interval: 24h
  url: https://kubernetes-sigs.github.io/metrics-server/
---
apiVersion: helm.toolkit.fluxcd.io/v2beta2
kind: HelmRelease
metadata:
  name: metrics-server
  namespace: flux-system
spec:
  interval: 1h
  chart:
    spec:
      chart: metrics-server
      version: 3.x
      sourceRef:
        kind: HelmRepository
        name: metrics-server
  install:
    remediation:
      retries: 3
  values:
    args:
    - --kubelet-insecure-tls
"#;

/// Whether everything `subset` says, `superset` says too (which may add defaults).
fn contains(superset: &Value, subset: &Value) -> bool {
    match (superset, subset) {
        (Value::Object(big), Value::Object(small)) => {
            small.iter().all(|(key, value)| big.get(key).is_some_and(|found| contains(found, value)))
        }
        (Value::Array(big), Value::Array(small)) => {
            big.len() == small.len() && big.iter().zip(small).all(|(found, value)| contains(found, value))
        }
        _ => superset == subset,
    }
}

/// `document` read into `K` and written back keeps every field it had (its `apiVersion` becomes
/// the current one), and reads back the same.
fn round_trip<K: Resource<DynamicType = ()> + Serialize + DeserializeOwned>(document: &Value) -> K {
    let typed: K = serde_json::from_value(document.clone()).unwrap();
    let written = serde_json::to_value(&typed).unwrap();
    assert_eq!(written["apiVersion"], K::api_version(&()).as_ref());
    let mut current = document.clone();
    current["apiVersion"] = written["apiVersion"].clone();
    assert!(contains(&written, &current), "lost in the types:\n{document:#}\nwritten back as\n{written:#}");
    let reread = serde_json::to_value(serde_json::from_value::<K>(written.clone()).unwrap()).unwrap();
    assert_eq!(reread, written);
    typed
}

#[test]
fn helm_manifests_read_into_the_types_and_back() {
    for document in weir_go_yaml::parse_stream(HELM_MANIFESTS).unwrap() {
        match document["kind"].as_str().unwrap() {
            "HelmRepository" => {
                round_trip::<HelmRepository>(&document);
            }
            "HelmChart" => {
                round_trip::<HelmChart>(&document);
            }
            "HelmRelease" => {
                round_trip::<HelmRelease>(&document);
            }
            kind => panic!("no test for {kind}"),
        }
    }
}

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
        kubectl(&kubeconfig_path, &["apply", "-f", "-"], HELM_MANIFESTS);
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

    let kustomization = Api::<Kustomization>::namespaced(client.clone(), "flux-system").get("podinfo").await.unwrap();
    let spec = kustomization.spec;
    assert_eq!(spec.source_ref.kind, SourceKind::GitRepository);
    assert_eq!(spec.post_build.unwrap().substitute_from.unwrap()[1].optional, Some(true));
    assert_eq!(spec.patches.unwrap()[0].target.as_ref().unwrap().label_selector.as_deref(), Some("app=podinfo"));
    assert_eq!(spec.common_metadata.unwrap().labels.unwrap()["team"], "platform");
    assert_eq!(spec.health_checks.unwrap()[0].namespace.as_deref(), Some("apps"));

    // Every field of the Helm manifests is stored (none pruned for want of a schema), and
    // reads into the types with nothing left behind, the beta versions as the current ones.
    for document in weir_go_yaml::parse_stream(HELM_MANIFESTS).unwrap() {
        let kind = document["kind"].as_str().unwrap();
        let name = document["metadata"]["name"].as_str().unwrap();
        let current = match kind {
            "HelmRelease" => "helm.toolkit.fluxcd.io/v2",
            _ => "source.toolkit.fluxcd.io/v1",
        };
        let (group, version) = current.split_once('/').unwrap();
        let resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
        let stored =
            Api::<DynamicObject>::namespaced_with(client.clone(), "flux-system", &resource).get(name).await.unwrap();
        let stored = serde_json::to_value(stored).unwrap();
        assert_eq!(stored["apiVersion"], current);
        assert!(contains(&stored["spec"], &document["spec"]), "{kind} {name} stored as {:#}", stored["spec"]);
        let read = serde_json::json!({
            "apiVersion": current,
            "kind": kind,
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": stored["spec"],
        });
        let typed = match kind {
            "HelmRepository" => serde_json::to_value(round_trip::<HelmRepository>(&read).spec),
            "HelmChart" => serde_json::to_value(round_trip::<HelmChart>(&read).spec),
            _ => serde_json::to_value(round_trip::<HelmRelease>(&read).spec),
        };
        assert_eq!(typed.unwrap(), stored["spec"], "{kind} {name}");
    }

    let repositories = Api::<HelmRepository>::namespaced(client.clone(), "flux-system");
    let oci = repositories.get("podinfo-oci").await.unwrap();
    assert_eq!(oci.spec.type_, Some(HelmRepositoryType::Oci));
    assert_eq!(oci.spec.interval, None);
    let old = repositories.get("metrics-server").await.unwrap();
    assert_eq!(old.spec.url, "https://kubernetes-sigs.github.io/metrics-server/", "v1beta2, read as v1");

    let chart = Api::<HelmChart>::namespaced(client.clone(), "flux-system").get("podinfo").await.unwrap();
    assert_eq!(chart.spec.source_ref.kind, HelmChartSourceKind::HelmRepository);
    assert_eq!(
        chart.spec.verify.unwrap().match_oidc_identity.unwrap()[0].issuer,
        "^https://token.actions.githubusercontent.com$"
    );

    let releases = Api::<HelmRelease>::namespaced(client, "flux-system");
    let podinfo = releases.get("podinfo").await.unwrap();
    assert_eq!(podinfo.release_name(), "podinfo");
    assert_eq!(podinfo.release_namespace(), "apps");
    assert_eq!(podinfo.helm_chart_name(), "flux-system-podinfo");
    let spec = podinfo.spec;
    assert_eq!(spec.install.unwrap().crds, Some(CrdsPolicy::CreateReplace));
    let upgrade = spec.upgrade.unwrap();
    assert_eq!(upgrade.remediation.unwrap().strategy, Some(RemediationStrategy::Uninstall));
    assert_eq!(upgrade.server_side_apply, Some(ServerSideApplyMode::Auto));
    assert_eq!(spec.drift_detection.unwrap().mode, Some(DriftDetectionMode::Enabled));
    assert_eq!(spec.values_from.unwrap()[1].target_path.as_deref(), Some("redis.password"));
    assert_eq!(spec.values.unwrap()["ingress"]["hosts"][0]["host"], "podinfo.example.com");
    let kustomize = spec.post_renderers.unwrap().remove(0).kustomize.unwrap();
    assert_eq!(kustomize.images.unwrap()[0].new_tag.as_deref(), Some("6.5.4"));
    let oci = releases.get("podinfo-oci").await.unwrap();
    assert_eq!(oci.spec.chart_ref.unwrap().kind, ChartRefKind::OCIRepository);
    let old = releases.get("metrics-server").await.unwrap();
    let template = old.spec.chart.unwrap().spec;
    assert_eq!(
        (template.chart.as_str(), template.version.as_deref()),
        ("metrics-server", Some("3.x")),
        "v2beta2, read as v2"
    );

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
