//! A renderer written in Python (examples/plugins/python-renderer, built by componentize-py
//! with CPython inside) runs in the same sandbox as weir's Rust plugins: manifests as Python
//! code, the tree read-only at /src, the tenant's errors reported as the WIT error record.

mod common;

use weir_plugin_host::renderer::{BuildOptions, RendererPlugin};
use weir_plugin_host::types::ErrorCode;

#[tokio::test]
async fn a_python_renderer_runs_manifests_written_in_python() {
    let runtime = common::runtime();
    let plugin = RendererPlugin::new(runtime.clone(), common::load(&runtime, "example-python-renderer")).unwrap();
    let info = plugin.describe("default").await.unwrap().expect("a 0.2 component describes itself");
    assert_eq!((info.name.as_str(), info.version.as_str()), ("weir-example-python-renderer", "0.1.0"));

    let source = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(source.path().join("apps/web")).unwrap();
    std::fs::write(
        source.path().join("apps/web/config.py"),
        "def manifests():\n    return [{'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'name': f'shard-{i}'},\n\
         \x20            'data': {'shard': str(i)}} for i in range(3)]\n",
    )
    .unwrap();
    let options = BuildOptions { target_namespace: Some("web".into()), ..common::build_options("apps") };
    let rendered = plugin.build("default", source.path(), &options).await.unwrap().unwrap();
    assert_eq!(rendered.documents.len(), 3);
    let first: serde_json::Value = serde_json::from_str(&rendered.documents[0]).unwrap();
    assert_eq!(
        first,
        serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "shard-0", "namespace": "web"}, "data": {"shard": "0"}})
    );

    // The tenant's mistake is the plugin's error, naming the file; the sandbox still holds.
    std::fs::write(source.path().join("apps/web/broken.py"), "def manifests():\n    return 1 / 0\n").unwrap();
    let error = plugin.build("default", source.path(), &options).await.unwrap().unwrap_err();
    assert_eq!(error.code, ErrorCode::InvalidInput);
    assert_eq!(error.message, "apps/web/broken.py: manifests(): ZeroDivisionError: division by zero");
    std::fs::write(source.path().join("apps/web/broken.py"), "open('/etc/passwd').read()\n").unwrap();
    let error = plugin.build("default", source.path(), &options).await.unwrap().unwrap_err();
    assert!(error.message.starts_with("apps/web/broken.py: FileNotFoundError:"), "{}", error.message);
}
