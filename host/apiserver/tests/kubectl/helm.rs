//! The helm CLI (v3.18, client-go underneath) against the server, one verb
//! per case: install, upgrade, rollback, uninstall, list, history, get. Helm
//! keeps each revision in a `helm.sh/release.v1` Secret; every case checks
//! those as well as what helm prints and what it applied.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::cluster::Cluster;

/// A cluster, helm homes of its own, and the chart `helm create` lays out.
struct Helm {
    cluster: Cluster,
    home: tempfile::TempDir,
    chart: PathBuf,
}

impl Helm {
    fn start() -> Self {
        let cluster = Cluster::start();
        let home = tempfile::tempdir().unwrap();
        let helm = Self { chart: home.path().join("web"), cluster, home };
        helm.ok(&["create", helm.chart.to_str().unwrap()]);
        helm
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("helm");
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("HELM_") {
                command.env_remove(key);
            }
        }
        let home: &Path = self.home.path();
        command
            .args(args)
            .env("KUBECONFIG", &self.cluster.kubeconfig)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env_remove("KUBERNETES_SERVICE_HOST");
        command
    }

    /// Runs helm, expects success, returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let output = self.command(args).output().expect("helm is installed by scripts/setup");
        assert!(output.status.success(), "helm {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    fn install(&self) -> String {
        self.ok(&["install", "web", self.chart.to_str().unwrap()])
    }

    fn upgrade(&self, set: &str) -> String {
        self.ok(&["upgrade", "web", self.chart.to_str().unwrap(), "--set", set])
    }

    /// The release's Secrets as (name, status label), by revision.
    fn release_secrets(&self) -> Vec<(String, String)> {
        let list = self.cluster.json(&["get", "secrets", "-l", "owner=helm,name=web"]);
        let mut secrets: Vec<(u64, String, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|secret| {
                assert_eq!(secret["type"], "helm.sh/release.v1");
                let labels = &secret["metadata"]["labels"];
                (
                    labels["version"].as_str().unwrap().parse().unwrap(),
                    secret["metadata"]["name"].as_str().unwrap().to_owned(),
                    labels["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        secrets.sort();
        secrets.into_iter().map(|(_, name, status)| (name, status)).collect()
    }

    fn replicas(&self) -> Value {
        self.cluster.json(&["get", "deployment", "web"])["spec"]["replicas"].clone()
    }
}

fn secrets(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(name, status)| (name.to_string(), status.to_string())).collect()
}

#[test]
fn helm_install_applies_the_chart_and_records_revision_one() {
    let helm = Helm::start();
    let installed = helm.install();
    assert!(installed.contains("STATUS: deployed") && installed.contains("REVISION: 1"), "{installed}");
    for (kind, name) in [("deployment", "web"), ("service", "web"), ("serviceaccount", "web")] {
        let object = helm.cluster.json(&["get", kind, name]);
        assert_eq!(object["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm", "{kind}/{name}");
        assert_eq!(object["metadata"]["annotations"]["meta.helm.sh/release-name"], "web", "{kind}/{name}");
    }
    assert_eq!(helm.release_secrets(), secrets(&[("sh.helm.release.v1.web.v1", "deployed")]));
    // The same name again is refused, as against any cluster.
    let again = helm.command(&["install", "web", helm.chart.to_str().unwrap()]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("cannot re-use a name that is still in use"));
}

#[test]
fn helm_list_shows_the_release() {
    let helm = Helm::start();
    assert_eq!(helm.json(&["list"]), serde_json::json!([]));
    helm.install();
    let list = helm.json(&["list"]);
    let release = &list[0];
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!((&release["name"], &release["namespace"]), (&"web".into(), &"default".into()));
    assert_eq!((&release["revision"], &release["status"]), (&"1".into(), &"deployed".into()));
    assert_eq!(release["chart"], "web-0.1.0");
    assert_eq!(helm.json(&["list", "-A"]), list);
    assert_eq!(helm.json(&["list", "-n", "kube-system"]), serde_json::json!([]));
}

#[test]
fn helm_upgrade_patches_and_supersedes() {
    let helm = Helm::start();
    helm.install();
    assert_eq!(helm.replicas(), 1);
    let upgraded = helm.upgrade("replicaCount=3");
    assert!(upgraded.contains("has been upgraded") && upgraded.contains("REVISION: 2"), "{upgraded}");
    assert_eq!(helm.replicas(), 3);
    assert_eq!(
        helm.release_secrets(),
        secrets(&[("sh.helm.release.v1.web.v1", "superseded"), ("sh.helm.release.v1.web.v2", "deployed")])
    );
}

#[test]
fn helm_history_lists_every_revision() {
    let helm = Helm::start();
    helm.install();
    helm.upgrade("replicaCount=2");
    let history = helm.json(&["history", "web"]);
    let rows: Vec<(u64, &str, &str)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (row["revision"].as_u64().unwrap(), row["status"].as_str().unwrap(), row["description"].as_str().unwrap())
        })
        .collect();
    assert_eq!(rows, [(1, "superseded", "Install complete"), (2, "deployed", "Upgrade complete")]);
}

#[test]
fn helm_get_reads_values_manifest_and_notes_from_the_release() {
    let helm = Helm::start();
    helm.install();
    helm.upgrade("replicaCount=2");
    assert_eq!(helm.json(&["get", "values", "web"]), serde_json::json!({"replicaCount": 2}));
    assert_eq!(helm.json(&["get", "values", "web", "--revision", "1"]), Value::Null);
    let manifest = helm.ok(&["get", "manifest", "web"]);
    assert!(manifest.contains("kind: Deployment") && manifest.contains("replicas: 2"), "{manifest}");
    let notes = helm.ok(&["get", "notes", "web"]);
    assert!(notes.contains("kubectl --namespace default port-forward"), "{notes}");
}

#[test]
fn helm_rollback_restores_an_earlier_revision_as_a_new_one() {
    let helm = Helm::start();
    helm.install();
    helm.upgrade("replicaCount=3");
    let rolled = helm.ok(&["rollback", "web", "1"]);
    assert!(rolled.contains("Rollback was a success"), "{rolled}");
    assert_eq!(helm.replicas(), 1);
    assert_eq!(
        helm.release_secrets(),
        secrets(&[
            ("sh.helm.release.v1.web.v1", "superseded"),
            ("sh.helm.release.v1.web.v2", "superseded"),
            ("sh.helm.release.v1.web.v3", "deployed"),
        ])
    );
    assert_eq!(helm.json(&["history", "web"])[2]["description"], "Rollback to 1");
}

#[test]
fn helm_uninstall_deletes_the_objects_and_the_history() {
    let helm = Helm::start();
    helm.install();
    helm.upgrade("replicaCount=2");
    assert_eq!(helm.ok(&["uninstall", "web"]), "release \"web\" uninstalled\n");
    assert!(helm.cluster.fails(&["get", "deployment", "web"], None).contains("not found"));
    assert!(helm.cluster.fails(&["get", "service", "web"], None).contains("not found"));
    assert_eq!(helm.release_secrets(), secrets(&[]));
    assert_eq!(helm.json(&["list", "--all"]), serde_json::json!([]));
}
