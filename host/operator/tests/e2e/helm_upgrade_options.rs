//! The install and upgrade options helm-controller hands to Helm's actions: `preserveValues`
//! (Helm's `--reuse-values`), `cleanupOnFail`, `disableWaitForJobs` and
//! `disableSchemaValidation`, each beside a release without it; `helm get values` and
//! `helm history` read what was released.

use weir_api::helm::HelmRelease;

use crate::helm_support::{
    Setup, condition, helm_release, helm_release_named, history_rows, ready_with, setup_with_chart,
};

/// `web` 1.0.0 with a ConfigMap behind `extra`, a Job that never completes behind `job`, and
/// a values schema wanting `strict` to be an integer.
async fn setup() -> Setup {
    setup_with_chart(|chart| {
        let templates = chart.join("templates");
        std::fs::write(
            templates.join("extra.yaml"),
            "{{- if .Values.extra }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-extra\ndata:\n  a: b\n{{- end }}\n",
        )
        .unwrap();
        std::fs::write(
            templates.join("job.yaml"),
            "{{- if .Values.job }}
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-job
  annotations:
    weir.dev/simulate: unready
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: job
          image: busybox
{{- end }}
",
        )
        .unwrap();
        std::fs::write(
            chart.join("values.schema.json"),
            r#"{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {"strict": {"type": "integer"}}}"#,
        )
        .unwrap();
    })
    .await
}

fn reason_is(status: &'static str, reason: &'static str) -> impl Fn(&HelmRelease) -> bool {
    move |release| {
        condition(release, "Ready").is_some_and(|(s, why, _)| s == status && why == reason)
            && release.status.as_ref().and_then(|s| s.observed_generation) == release.metadata.generation
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preserve_values_reuses_the_last_releases_values() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release("  values:\n    replicaCount: 2\n")).await;
    cluster.wait("default", "web", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;

    let spec = "  upgrade:\n    preserveValues: true\n  values:\n    podAnnotations:\n      kept: \"yes\"\n";
    cluster.apply(&helm_release(spec)).await;
    cluster.wait("default", "web", |r: &HelmRelease| ready_with(r, "UpgradeSucceeded")).await;
    // The new values over the last release's, as `helm upgrade --reuse-values` records them.
    let values = helm.json(&["get", "values", "web", "-o", "json"]);
    assert_eq!(values, serde_json::json!({"replicaCount": 2, "podAnnotations": {"kept": "yes"}}));
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert_eq!(deployment["spec"]["template"]["metadata"]["annotations"]["kept"], "yes");

    // Without it the values are the HelmRelease's alone.
    cluster.apply(&helm_release("  values:\n    podAnnotations:\n      kept: \"no\"\n")).await;
    cluster
        .wait("default", "web", |r: &HelmRelease| {
            ready_with(r, "UpgradeSucceeded")
                && r.status.as_ref().and_then(|s| s.history.as_ref()).and_then(|h| h.first()).is_some_and(|latest| {
                    latest.config_digest == r.status.as_ref().unwrap().last_attempted_config_digest.clone().unwrap()
                })
        })
        .await;
    let values = helm.json(&["get", "values", "web", "-o", "json"]);
    assert_eq!(values, serde_json::json!({"podAnnotations": {"kept": "no"}}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_on_fail_deletes_what_the_failed_upgrade_created() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    for name in ["clean", "keep"] {
        cluster.apply(&helm_release_named("default", name, "")).await;
        cluster.wait("default", name, |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
    }
    // A new ConfigMap, and a rollout that fails; no retries, so no rollback either.
    let failing = "  timeout: 2s\n  commonMetadata:\n    annotations:\n      weir.dev/simulate: fail\n\
                   \x20 values:\n    extra: true\n    podAnnotations:\n      rollout: broken\n";
    cluster
        .apply(&helm_release_named("default", "clean", &format!("  upgrade:\n    cleanupOnFail: true\n{failing}")))
        .await;
    cluster.apply(&helm_release_named("default", "keep", failing)).await;
    for name in ["clean", "keep"] {
        let release = cluster.wait("default", name, reason_is("False", "RetriesExceeded")).await;
        let (_, why, message) = condition(&release, "Released").unwrap();
        assert_eq!(why, "UpgradeFailed", "{message}");
        let statuses: Vec<String> = history_rows(&helm, name).into_iter().map(|(status, _)| status).collect();
        assert_eq!(statuses, ["deployed", "failed"], "{name}");
    }
    assert!(cluster.get("v1", "ConfigMap", Some("default"), "clean-extra").await.is_none(), "cleaned up");
    assert!(
        cluster.get("v1", "ConfigMap", Some("default"), "keep-extra").await.is_some(),
        "left without cleanupOnFail"
    );
    // What was there before the upgrade stays.
    assert!(cluster.get("apps/v1", "Deployment", Some("default"), "clean-web").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_wait_for_jobs_leaves_jobs_to_complete() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    let job = "  timeout: 3s\n  values:\n    job: true\n";
    cluster
        .apply(&helm_release_named("default", "nowait", &format!("  install:\n    disableWaitForJobs: true\n{job}")))
        .await;
    cluster.apply(&helm_release_named("default", "waits", job)).await;
    cluster.wait("default", "nowait", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
    assert_eq!(history_rows(&helm, "nowait")[0].0, "deployed");
    let job = cluster.get("batch/v1", "Job", Some("default"), "nowait-job").await.unwrap();
    assert!(job["status"]["completionTime"].is_null(), "the Job is still running: {job}");

    let release = cluster.wait("default", "waits", reason_is("False", "RetriesExceeded")).await;
    let (_, _, message) = condition(&release, "Released").unwrap();
    assert!(message.contains("Job/default/waits-job status: 'InProgress'"), "{message}");
    assert_eq!(history_rows(&helm, "waits")[0].0, "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_schema_validation_skips_values_schema_json() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    let invalid = "  values:\n    strict: not-a-number\n";
    cluster.apply(&helm_release_named("default", "checked", invalid)).await;
    let spec = format!(
        "  install:\n    disableSchemaValidation: true\n  upgrade:\n    disableSchemaValidation: true\n{invalid}"
    );
    cluster.apply(&helm_release_named("default", "unchecked", &spec)).await;

    let release = cluster
        .wait("default", "checked", |r: &HelmRelease| {
            condition(r, "Released").is_some_and(|(status, why, _)| status == "False" && why == "InstallFailed")
        })
        .await;
    let (_, _, message) = condition(&release, "Released").unwrap();
    assert!(message.contains("strict"), "{message}");
    assert!(helm.json(&["list", "-a", "-o", "json"]).as_array().unwrap().iter().all(|r| r["name"] != "checked"));

    cluster.wait("default", "unchecked", |r: &HelmRelease| ready_with(r, "InstallSucceeded")).await;
    assert_eq!(helm.json(&["get", "values", "unchecked", "-o", "json"]), serde_json::json!({"strict": "not-a-number"}));
    // Upgrades skip it too.
    let spec = spec.replace("not-a-number", "still-not-a-number");
    cluster.apply(&helm_release_named("default", "unchecked", &spec)).await;
    cluster.wait("default", "unchecked", |r: &HelmRelease| ready_with(r, "UpgradeSucceeded")).await;
    let rows = history_rows(&helm, "unchecked");
    assert_eq!(rows.last().unwrap(), &("deployed".to_owned(), "Upgrade complete".to_owned()));
}
