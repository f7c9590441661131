//! weir installed into a cluster and run as its Deployment runs it: `weir install
//! --least-privilege` applied to `weir apiserver` (TLS, bearer tokens, RBAC), then `weir
//! operator` as its own process with the installed Deployment's arguments and only its service
//! account's token. A permission the install does not grant fails this test; a tenant's
//! Kustomization changes only what its namespace's service account may.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{eventually, get, kubectl, probe, sample};

/// A tenant namespace whose `default` service account administers it, and nothing else.
fn tenant(namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {namespace}}}\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default, namespace: {namespace}}}\n---\n\
         apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {{name: reconciler, namespace: {namespace}}}\n\
         roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}}\n\
         subjects: [{{kind: ServiceAccount, name: default, namespace: {namespace}}}]\n"
    )
}

fn ready(kubeconfig: &Path, namespace: &str, name: &str) -> Option<String> {
    let output = Command::new("kubectl")
        .args(["get", "kustomization", name, "-n", namespace, "-o"])
        .arg("jsonpath={.status.conditions[?(@.type==\"Ready\")].status} {.status.conditions[?(@.type==\"Ready\")].message}")
        .env("KUBECONFIG", kubeconfig)
        .output()
        .unwrap();
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn the_installed_operator_runs_as_its_service_account_and_tenants_stay_in_their_namespace() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, admin, operator_kubeconfig) = common::cluster_for_the_operator(dir.path());

    let installed = common::weir()
        .args(["install", "--least-privilege", "--timeout", "60s", "--kubeconfig"])
        .arg(&admin)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&installed.stderr);
    assert!(installed.status.success(), "{said}");
    assert!(said.contains("✔ weir-controller: deployment ready") && said.contains("✔ install finished"), "{said}");

    let repository = common::fleet_repository(
        dir.path(),
        &[
            ("apps/settings.yaml", weir_testkit::manifests::config_map("team-a", "settings", "tenant")),
            ("escape/settings.yaml", weir_testkit::manifests::config_map("team-b", "planted", "escaped")),
        ],
    );
    let url = format!("file://{}", repository.display());
    let sync = |name: &str, path: &str| {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {{name: {name}, namespace: team-a}}\n\
             spec: {{interval: 1h, path: {path}, prune: true, sourceRef: {{kind: GitRepository, name: fleet}}}}\n"
        )
    };
    let objects = format!(
        "{}---\n{}---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n\
         metadata: {{name: fleet, namespace: team-a}}\nspec: {{interval: 1h, url: \"{url}\", ref: {{branch: main}}}}\n---\n{}---\n{}",
        tenant("team-a"),
        tenant("team-b"),
        sync("apps", "./apps"),
        sync("escape", "./escape"),
    );
    kubectl(&admin, &["apply", "-f", "-"], Some(&objects));

    let operator = common::InstalledOperator::start(&admin, &operator_kubeconfig, dir.path());
    let (health_port, metrics_port, log) = (operator.health_port, operator.metrics_port, operator.log.clone());
    let mut operator = operator.process;

    eventually("the operator's liveness", || probe(health_port, "/healthz"), |status| status.ends_with("200 OK"));
    eventually("the operator's readiness", || probe(health_port, "/readyz"), |status| status.ends_with("200 OK"));
    let applied =
        eventually("Kustomization team-a/apps", || ready(&admin, "team-a", "apps"), |ready| ready.starts_with("True"));
    assert!(applied.contains("Applied revision: main@sha1:"), "{applied}");
    let data = kubectl(&admin, &["get", "configmap", "settings", "-n", "team-a", "-o", "jsonpath={.data.value}"], None);
    assert_eq!(data, "tenant");
    // team-a's service account may not write into team-b: the apply is refused, nothing lands.
    let refused = eventually(
        "Kustomization team-a/escape",
        || ready(&admin, "team-a", "escape"),
        // Until the source has an artifact it fails for that reason first.
        |ready| ready.starts_with("False") && ready.contains("forbidden"),
    );
    assert!(refused.contains("User \"system:serviceaccount:team-a:default\" cannot"), "{refused}");
    let planted = Command::new("kubectl")
        .args(["get", "configmap", "planted", "-n", "team-b"])
        .env("KUBECONFIG", &admin)
        .output()
        .unwrap();
    assert!(!planted.status.success());

    // Metrics, as Prometheus scrapes them: Flux's families for both Kustomizations, the
    // controllers' counters, the renderer plugin's calls, the process's memory.
    let metrics = get(metrics_port, "/metrics").unwrap();
    assert!(metrics.starts_with("HTTP/1.1 200 OK") && metrics.contains("text/plain; version=0.0.4"), "{metrics}");
    let ready = |name: &str, status: &str| {
        let labels =
            [("kind", "Kustomization"), ("name", name), ("namespace", "team-a"), ("type", "Ready"), ("status", status)];
        sample(&metrics, "gotk_reconcile_condition", &labels)
    };
    assert_eq!((ready("apps", "True"), ready("escape", "False")), (Some(1.0), Some(1.0)), "{metrics}");
    let info = [
        ("customresource_kind", "Kustomization"),
        ("name", "apps"),
        ("exported_namespace", "team-a"),
        ("ready", "True"),
    ];
    assert_eq!(sample(&metrics, "gotk_resource_info", &info), Some(1.0), "{metrics}");
    let timed = [("kind", "GitRepository"), ("name", "fleet"), ("namespace", "team-a")];
    assert!(sample(&metrics, "gotk_reconcile_duration_seconds_count", &timed) >= Some(1.0), "{metrics}");
    let errors = [("controller", "kustomization")];
    assert!(sample(&metrics, "controller_runtime_reconcile_errors_total", &errors) >= Some(1.0), "{metrics}");
    let renders = [("plugin", "kustomize"), ("world", "renderer"), ("tenant", "team-a"), ("result", "returned")];
    assert!(sample(&metrics, "weir_plugin_calls_total", &renders) >= Some(2.0), "{metrics}");
    assert!(sample(&metrics, "process_resident_memory_bytes", &[]) > Some(1e6), "{metrics}");

    // SIGTERM: readiness goes, the process finishes and exits cleanly.
    assert!(Command::new("kill").args(["-TERM", &operator.id().to_string()]).status().unwrap().success());
    let stopping = Instant::now();
    let status = loop {
        if let Some(status) = operator.try_wait().unwrap() {
            break status;
        }
        assert!(stopping.elapsed() < Duration::from_secs(60), "weir operator did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let logs = std::fs::read_to_string(&log).unwrap();
    assert!(status.success(), "{logs}");
    // --log-encoding=json: one JSON object a line, with Flux's keys.
    let lines: Vec<serde_json::Value> =
        logs.lines().map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"))).collect();
    assert!(lines.iter().any(|line| line["msg"] == "starting the controllers"), "{logs}");
    assert!(lines.iter().all(|line| line["level"].is_string() && line["ts"].is_string()), "{logs}");
    // Every permission the operator's own work needs was granted: nothing of its own was refused.
    let refused: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|line| line.to_string().contains("forbidden") && line["key"] != "Kustomization/team-a/escape")
        .collect();
    assert!(refused.is_empty(), "{refused:#?}");
    assert!(!logs.contains(common::OPERATOR_TOKEN) && !logs.contains(common::ADMIN_TOKEN), "a token was logged");

    let _ = server.kill();
    let _ = server.wait();
}
