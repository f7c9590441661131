//! Health checks: `wait: true` and `healthChecks` gate Ready on kstatus readiness;
//! a workload that never gets ready fails the Kustomization with HealthCheckFailed.

use weir_testkit::cluster::{Cluster, applied, gitops, ready_condition};
use weir_testkit::git::GitServer;

fn deployment(name: &str, simulate: Option<&str>) -> String {
    let annotations =
        simulate.map(|outcome| format!("  annotations:\n    weir.dev/simulate: {outcome}\n")).unwrap_or_default();
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: default\n{annotations}spec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_workloads_pass_and_stuck_ones_time_out() {
    let git = GitServer::start();
    let repository = git.repository("fleet");
    repository.write("good/web.yaml", &deployment("web", None));
    repository.write("stuck/api.yaml", &deployment("api", Some("unready")));
    let commit = repository.commit("two apps");
    let cluster = Cluster::start().await;
    cluster.apply(&gitops("good", &repository.url, "./good", "wait: true\ntimeout: 20s")).await;
    let checks =
        "timeout: 2s\nhealthChecks:\n- apiVersion: apps/v1\n  kind: Deployment\n  name: api\n  namespace: default";
    cluster.apply(&gitops("stuck", &repository.url, "./stuck", checks)).await;

    let good = cluster.wait_kustomization("default", "good", |ks| applied(ks, &commit)).await;
    let healthy = good.status.unwrap().conditions.unwrap().into_iter().find(|c| c.type_ == "Healthy").unwrap();
    assert_eq!(healthy.status, "True");

    let stuck = cluster
        .wait_kustomization("default", "stuck", |ks| {
            ready_condition(ks).is_some_and(|(_, reason, _)| reason == "HealthCheckFailed")
        })
        .await;
    let (status, _, message) = ready_condition(&stuck).unwrap();
    assert_eq!(status, "False");
    assert!(message.starts_with("health check failed after "), "{message}");
    assert!(message.contains("timeout waiting for: [Deployment/default/api status: 'InProgress']"), "{message}");
    // The objects were applied; only their health failed, and the revision is not counted as applied.
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "api").await.is_some());
    let status = stuck.status.unwrap();
    assert_eq!(status.last_attempted_revision, Some(format!("main@sha1:{commit}")));
    assert_eq!(status.last_applied_revision, None);
}
