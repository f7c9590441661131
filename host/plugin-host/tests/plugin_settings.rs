//! What a plugin brings of its own, as a tenant's Plugin object sets it: limits that win over
//! its tenant's, environment variables its calls see, and what it imports and exports.

mod common;

use weir_plugin_host::renderer::RendererPlugin;
use weir_plugin_host::{CallError, Limits};

fn source_with_config_map() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    let object = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: hello\ndata:\n  greeting: hi\n";
    std::fs::write(dir.path().join("app/hello.yaml"), object).unwrap();
    std::fs::write(dir.path().join("app/kustomization.yaml"), "resources: [hello.yaml]\n").unwrap();
    dir
}

#[tokio::test]
async fn a_plugin_sees_the_environment_it_was_granted_and_nothing_else() {
    let runtime = common::runtime();
    let source = source_with_config_map();
    let plain = RendererPlugin::new(runtime.clone(), common::load(&runtime, "example-stamp-renderer")).unwrap();
    let rendered = plain.build("default", source.path(), &common::build_options("app")).await.unwrap().unwrap();
    assert_eq!(rendered.documents.len(), 1, "the kustomization file is not an object");
    assert!(rendered.documents[0].contains("rendered-by: stamp-renderer"), "{}", rendered.documents[0]);
    assert!(!rendered.documents[0].contains("environment"), "the host's environment stays out");

    let granted = common::load(&runtime, "example-stamp-renderer")
        .with_env(vec![("STAMP_ENVIRONMENT".into(), "production".into())]);
    let granted = RendererPlugin::new(runtime.clone(), granted).unwrap();
    let rendered = granted.build("default", source.path(), &common::build_options("app")).await.unwrap().unwrap();
    assert!(rendered.documents[0].contains("environment: production"), "{}", rendered.documents[0]);
}

#[tokio::test]
async fn a_plugins_own_limits_win_over_its_tenants() {
    let runtime = common::runtime();
    let own = Limits { memory_bytes: 8 << 20, ..Limits::default() };
    let plugin = RendererPlugin::new(runtime.clone(), common::load(&runtime, "hostile").with_limits(own)).unwrap();
    let source = tempfile::tempdir().unwrap();
    // The default tenant may use 256 MiB; this plugin 8.
    match plugin.build("default", source.path(), &common::build_options("allocate")).await {
        Err(CallError::MemoryLimit { limit, .. }) => assert_eq!(limit, 8 << 20),
        other => panic!("expected the plugin's own memory limit, got {other:?}"),
    }
}

#[test]
fn a_components_interfaces_name_its_worlds_and_imports() {
    let runtime = common::runtime();
    let interfaces = runtime.interfaces(&common::load(&runtime, "hostile"));
    assert_eq!(interfaces.worlds(), ["renderer@0.2.0"]);
    assert!(interfaces.imports.iter().any(|import| import.starts_with("wasi:sockets/")), "{:?}", interfaces.imports);
    let legacy = runtime.interfaces(&common::load(&runtime, "legacy-0.1"));
    assert!(legacy.worlds().iter().all(|world| world.ends_with("@0.1.0")), "{:?}", legacy.worlds());
    let notifier = runtime.interfaces(&common::load(&runtime, "probe-notifier"));
    assert_eq!(notifier.worlds(), ["notifier@0.2.0"]);
    assert!(
        notifier.imports.iter().any(|import| import == "weir:plugin/outbound-http@0.2.0"),
        "{:?}",
        notifier.imports
    );
}
