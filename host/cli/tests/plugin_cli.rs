//! `weir plugin test` and `weir plugin inspect` on local components, as a plugin author runs
//! them before publishing: the rendered output, the time and memory a call used, the limits
//! and grants of a Plugin applied, and what a component exports and imports.

mod common;

use weir_testkit::paths::plugin;

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("app")).unwrap();
    std::fs::create_dir_all(dir.path().join("loop")).unwrap();
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: hi\n";
    std::fs::write(dir.path().join("app/hello.yaml"), object).unwrap();
    dir
}

#[test]
fn plugin_test_renders_with_the_granted_environment_and_reports_what_it_used() {
    let tree = tree();
    let output = common::weir()
        .args(["plugin", "test"])
        .arg(plugin("example-stamp-renderer"))
        .arg("--input")
        .arg(tree.path())
        .args(["--path", "./app", "--env", "STAMP_ENVIRONMENT=dev", "--memory", "32Mi"])
        .output()
        .unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("environment: dev\n") && stdout.contains("rendered-by: stamp-renderer\n"), "{stdout}");
    assert!(stderr.starts_with("✔ 1 documents in "), "{stderr}");
    assert!(
        stderr.contains("(instantiate + call, limit 30s), memory ") && stderr.contains("(limit 32 MiB)"),
        "{stderr}"
    );
}

#[test]
fn plugin_test_stops_a_plugin_at_its_limits() {
    let tree = tree();
    let output = common::weir()
        .args(["plugin", "test"])
        .arg(plugin("hostile"))
        .arg("--input")
        .arg(tree.path())
        .args(["--path", "loop", "--timeout", "500ms"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("plugin hostile exceeded its time limit of 500ms"), "{stderr}");
}

#[test]
fn plugin_inspect_names_worlds_and_imports_and_push_refuses_what_is_no_plugin() {
    let output = common::weir().args(["plugin", "inspect"]).arg(plugin("probe-notifier")).output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(report.contains("worlds:    notifier@0.2.0\n"), "{report}");
    assert!(report.contains("\n  weir:plugin/outbound-http@0.2.0\n"), "{report}");

    let dir = tempfile::tempdir().unwrap();
    let not_wasm = dir.path().join("plugin.wasm");
    std::fs::write(&not_wasm, "not a component").unwrap();
    let output = common::weir()
        .args(["plugin", "push", "oci://127.0.0.1:1/tenants/x:1.0.0", "-f"])
        .arg(&not_wasm)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("is not a valid WebAssembly component"), "{stderr}");
}
