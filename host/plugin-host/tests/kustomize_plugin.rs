//! The built-in kustomize renderer, through the WIT boundary: Flux's
//! overlay options arrive intact, and errors come back with a code,
//! naming the file, relative to the source tree.

mod common;

use common::build_options;
use weir_plugin_host::renderer::{CommonMetadata, Image, Patch, RendererPlugin, ResourceSelector};
use weir_plugin_host::types::{ErrorCode, KeyValue};

fn plugin() -> RendererPlugin {
    let runtime = common::runtime();
    RendererPlugin::new(runtime.clone(), common::load(&runtime, "kustomize")).unwrap()
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
      - name: app
        image: ghcr.io/example/app:v1
";

#[tokio::test]
async fn flux_overlay_options_cross_the_boundary() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("apps/web")).unwrap();
    std::fs::write(tree.path().join("apps/web/deploy.yaml"), DEPLOYMENT).unwrap();
    let mut flux = build_options("apps/web");
    flux.generate_kustomization = true;
    flux.target_namespace = Some("prod".into());
    flux.name_prefix = Some("blue-".into());
    flux.images =
        vec![Image { name: "ghcr.io/example/app".into(), new_name: None, new_tag: Some("v2".into()), digest: None }];
    flux.common_metadata = Some(CommonMetadata {
        labels: vec![KeyValue { key: "team".into(), value: "web".into() }],
        annotations: vec![],
    });
    flux.patches = vec![Patch {
        patch: "[{\"op\": \"add\", \"path\": \"/spec/replicas\", \"value\": 3}]".into(),
        target: Some(ResourceSelector {
            group: None,
            version: None,
            kind: Some("Deployment".into()),
            name: None,
            namespace: None,
            label_selector: None,
            annotation_selector: None,
        }),
    }];
    let rendered = plugin().build("prod", tree.path(), &flux).await.unwrap().unwrap();
    let text = rendered.documents.join("---\n");
    for expected in ["name: blue-app", "namespace: prod", "image: ghcr.io/example/app:v2", "team: web", "replicas: 3"] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
}

#[tokio::test]
async fn errors_are_typed_and_name_the_file() {
    let tree = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tree.path().join("app")).unwrap();
    std::fs::write(tree.path().join("app/kustomization.yaml"), "resources:\n- missing.yaml\n").unwrap();
    match plugin().build("default", tree.path(), &build_options("app")).await.unwrap() {
        Err(error) if matches!(error.code, ErrorCode::NotFound | ErrorCode::InvalidInput) => {
            let shown = error.to_string();
            assert!(shown.contains("missing.yaml"), "{shown}");
            assert!(!shown.contains("/src"), "paths are relative to the tree: {shown}");
        }
        other => panic!("expected a not-found error, got {other:?}"),
    }
    std::fs::write(tree.path().join("app/kustomization.yaml"), "resources:\n- ../../etc/passwd\n").unwrap();
    let escaped = plugin().build("default", tree.path(), &build_options("app")).await.unwrap();
    assert!(
        matches!(&escaped, Err(error) if matches!(error.code, ErrorCode::Denied | ErrorCode::NotFound)),
        "{escaped:?}"
    );
    let no_kustomization = plugin().build("default", tree.path(), &build_options(".")).await.unwrap();
    assert!(no_kustomization.is_err(), "without generate-kustomization a directory needs a kustomization file");
}
