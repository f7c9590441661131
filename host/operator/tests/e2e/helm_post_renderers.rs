//! `spec.postRenderers`: kustomize patches and image overrides over the rendered chart, run by
//! the renderer plugin; the release's manifest records the result, and changing them upgrades.

use crate::helm_support::{Setup, helm_release, ready_with, released, setup};

const POST_RENDERERS: &str = "  postRenderers:\n  - kustomize:\n      patches:\n      - target:\n          kind: Deployment\n        patch: |\n          - op: add\n            path: /metadata/labels/patched\n            value: \"yes\"\n      images:\n      - name: nginx\n        newName: registry.example/nginx\n        newTag: \"1.27\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patches_and_images_apply_to_the_rendered_chart() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    cluster.apply(&helm_release(POST_RENDERERS)).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    assert_eq!(deployment["metadata"]["labels"]["patched"], "yes");
    assert_eq!(deployment["spec"]["template"]["spec"]["containers"][0]["image"], "registry.example/nginx:1.27");
    let manifest = helm.run(&["get", "manifest", "web"]);
    assert!(
        manifest.contains("registry.example/nginx:1.27"),
        "the manifest records the post-rendered objects: {manifest}"
    );
    assert!(manifest.contains("# Source: web/templates/deployment.yaml"), "{manifest}");

    // Dropping the post-renderers is a change that upgrades, with the chart's own image back.
    cluster.apply(&helm_release("")).await;
    released(&cluster, |r| ready_with(r, "UpgradeSucceeded")).await;
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    let image = deployment["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap().to_owned();
    assert!(image.starts_with("nginx:"), "{image}");
}
