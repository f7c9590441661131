//! `postBuild`: variables from `substitute` and `substituteFrom` replace `${var}`
//! references with Flux's rules; objects may opt out.

use weir_testkit::cluster::{Cluster, applied, gitops, ready_condition};
use weir_testkit::git::GitServer;

const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${cluster}\n  namespace: default\n  labels:\n    region: ${region:=us}\n    tier: ${tier:=frontend}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        args: [\"echo $HOME $${cluster}\"]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: literal\n  namespace: default\n  annotations:\n    kustomize.toolkit.fluxcd.io/substitute: disabled\ndata:\n  value: ${cluster}\n";

const VARS: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cluster-vars\n  namespace: default\ndata:\n  region: eu-west-1\n  cluster: overridden\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn variables_are_substituted() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("app.yaml", APP);
    let commit = repository.commit("app");
    let cluster = Cluster::start().await;
    cluster.apply(VARS).await;
    let post_build = "postBuild:\n  substitute:\n    cluster: prod\n    replicas: \"3\"\n  substituteFrom:\n  - kind: ConfigMap\n    name: cluster-vars\n  - kind: Secret\n    name: absent\n    optional: true";
    cluster.apply(&gitops("fleet", &repository.url, "./", post_build)).await;
    cluster.wait_kustomization("default", "fleet", |ks| applied(ks, &commit)).await;

    // `substitute` wins over `substituteFrom`; defaults fill in; `replicas` becomes a number.
    let web = cluster.get("apps/v1", "Deployment", Some("default"), "web-prod").await.expect("name substituted");
    assert_eq!(web["spec"]["replicas"], 3);
    assert_eq!(web["metadata"]["labels"]["region"], "eu-west-1");
    assert_eq!(web["metadata"]["labels"]["tier"], "frontend");
    assert_eq!(web["spec"]["template"]["spec"]["containers"][0]["args"][0], "echo $HOME ${cluster}");
    let literal = cluster.get("v1", "ConfigMap", Some("default"), "literal").await.unwrap();
    assert_eq!(literal["data"]["value"], "${cluster}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mode_and_missing_sources_fail_the_build() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write(
        "app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  value: ${undefined}\n",
    );
    let commit = repository.commit("app");
    let cluster = Cluster::start_with(|settings| settings.strict_substitution = true, Vec::new()).await;
    cluster.apply(&gitops("strict", &repository.url, "./", "postBuild:\n  substitute:\n    defined: x")).await;
    cluster
        .apply(&gitops(
            "missing",
            &repository.url,
            "./",
            "postBuild:\n  substituteFrom:\n  - kind: ConfigMap\n    name: nowhere",
        ))
        .await;
    let failed = |ks: &weir_api::kustomize::Kustomization| {
        ks.status
            .as_ref()
            .and_then(|status| status.last_attempted_revision.clone())
            .is_some_and(|r| r.ends_with(&commit))
            && ready_condition(ks).is_some_and(|(_, reason, _)| reason == "BuildFailed")
    };
    let strict = cluster.wait_kustomization("default", "strict", failed).await;
    assert!(ready_condition(&strict).unwrap().2.contains("variable not set (strict mode): \"undefined\""));
    let missing = cluster.wait_kustomization("default", "missing", failed).await;
    assert!(ready_condition(&missing).unwrap().2.contains("ConfigMap/nowhere"), "{:?}", ready_condition(&missing));
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "c").await.is_none());
}
