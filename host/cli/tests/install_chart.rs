//! deploy/chart renders the objects `weir install --export` prints (Namespace aside: Helm
//! creates the release's), CRDs included, with the same options as values; helm and weir's own
//! chart renderer agree on it; and both outputs pass Kubernetes' schemas (kubernetes-validate).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn run(command: &mut Command) -> Vec<u8> {
    let output = command.output().unwrap();
    assert!(output.status.success(), "{command:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// The packaged chart, its crds/ filled from crds/.
fn package(dir: &Path) -> PathBuf {
    let script = weir_testkit::paths::workspace().join("scripts/package-chart");
    let printed = run(Command::new(script).arg(dir).stderr(Stdio::null()));
    PathBuf::from(String::from_utf8(printed).unwrap().trim())
}

fn helm_template(chart: &Path, values: &[&str]) -> Vec<Value> {
    let mut command = Command::new("helm");
    command.args(["template", "weir"]).arg(chart).args(["-n", "weir-system"]);
    for value in values {
        command.args(["--set", value]);
    }
    common::documents(&String::from_utf8_lossy(&run(&mut command)))
}

/// Objects by kind and name, without what only Helm adds (its own two labels, and the policy
/// that keeps CRDs when the release is uninstalled).
fn by_identity(objects: Vec<Value>) -> BTreeMap<String, Value> {
    let mut found = BTreeMap::new();
    for mut object in objects {
        for pointer in ["/metadata/labels", "/spec/template/metadata/labels"] {
            if let Some(labels) = object.pointer_mut(pointer).and_then(Value::as_object_mut) {
                labels.remove("app.kubernetes.io/managed-by");
                labels.remove("helm.sh/chart");
            }
        }
        if let Some(annotations) = object.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
            annotations.remove("helm.sh/resource-policy");
            if annotations.is_empty() {
                object["metadata"].as_object_mut().unwrap().remove("annotations");
            }
        }
        let key = format!("{}/{}", object["kind"].as_str().unwrap(), object["metadata"]["name"].as_str().unwrap());
        found.insert(key, object);
    }
    found
}

fn export(args: &[&str]) -> Vec<Value> {
    let stdout = run(common::weir().args(["install", "--export"]).args(args));
    common::documents(&String::from_utf8_lossy(&stdout))
        .into_iter()
        .filter(|object| object["kind"] != "Namespace")
        .collect()
}

fn validate(dir: &Path, name: &str, objects: &[Value]) {
    let file = dir.join(format!("{name}.yaml"));
    let stream: String = objects.iter().map(|object| format!("---\n{}", weir_go_yaml::emit_document(object))).collect();
    std::fs::write(&file, stream).unwrap();
    let output =
        Command::new("kubernetes-validate").args(["--strict", "--quiet", "-k", "1.32.0"]).arg(&file).output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && !said.contains("ERROR"), "{name}: {said}");
}

#[test]
fn the_chart_renders_what_weir_install_applies() {
    let dir = tempfile::tempdir().unwrap();
    let chart = package(dir.path());
    let cases: [(&[&str], &[&str]); 2] = [
        (&[], &[]),
        (
            &[
                "leastPrivilege=true",
                "networkPolicy=false",
                "logLevel=debug",
                "image.tag=v9.9.9",
                "imagePullSecrets={pull}",
            ],
            &[
                "--least-privilege",
                "--network-policy=false",
                "--log-level",
                "debug",
                "-v",
                "v9.9.9",
                "--image-pull-secret",
                "pull",
            ],
        ),
    ];
    for (index, (values, flags)) in cases.iter().enumerate() {
        let rendered = helm_template(&chart, values);
        let exported = export(flags);
        validate(dir.path(), &format!("chart-{index}"), &rendered);
        validate(dir.path(), &format!("install-{index}"), &exported);
        let (rendered, exported) = (by_identity(rendered), by_identity(exported));
        assert_eq!(rendered.keys().collect::<Vec<_>>(), exported.keys().collect::<Vec<_>>(), "values {values:?}");
        for (key, object) in &rendered {
            assert_eq!(object, &exported[key], "{key} with values {values:?}");
        }
    }
}

#[test]
fn weirs_chart_renderer_renders_the_chart_as_helm_does() {
    let dir = tempfile::tempdir().unwrap();
    let chart = package(dir.path());
    let args = ["template", "weir"];
    let ours = run(common::weir().arg("helm").args(args).arg(&chart).args(["-n", "weir-system"]));
    let theirs = run(Command::new("helm").args(args).arg(&chart).args(["-n", "weir-system"]));
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
}

#[test]
fn the_chart_follows_the_workspace_version() {
    let chart = std::fs::read_to_string(weir_testkit::paths::workspace().join("deploy/chart/Chart.yaml")).unwrap();
    let chart = &common::documents(&chart)[0];
    assert_eq!(chart["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(chart["appVersion"], format!("v{}", env!("CARGO_PKG_VERSION")));
}
