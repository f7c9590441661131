//! `spec.postRenderers`: kustomize patches and image overrides over the rendered chart, run by
//! the renderer plugin; the release's manifest records the result, and changing them upgrades.
//! A `plugin` entry runs a post-renderer plugin (here weir's example provenance post-renderer,
//! offered as a ClusterPlugin), after the kustomize entries before it.

use crate::helm_support::{Setup, cluster_plugin, condition, helm_release, ready_with, released, setup};

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_renderer_plugin_changes_what_is_installed_after_kustomize() {
    let Setup { charts: _charts, server: _server, cluster, helm } = setup().await;
    let spec = format!("{POST_RENDERERS}  - plugin:\n      name: provenance\n");
    cluster.apply(&helm_release(&spec)).await;
    let waiting =
        released(&cluster, |r| condition(r, "Ready").is_some_and(|(_, reason, _)| reason == "PluginNotReady")).await;
    let (_, _, message) = condition(&waiting, "Ready").unwrap();
    assert!(message.starts_with("spec.postRenderers[1].plugin: neither Plugin 'default/provenance'"), "{message}");

    cluster.apply(&cluster_plugin("provenance", "post-renderer", "example-provenance-post-renderer")).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    let deployment = cluster.get("apps/v1", "Deployment", Some("default"), "web").await.unwrap();
    let annotations = &deployment["metadata"]["annotations"];
    assert_eq!(annotations["provenance.weir.dev/chart"], "web-1.0.0");
    assert_eq!(annotations["provenance.weir.dev/template"], "web/templates/deployment.yaml");
    assert_eq!(deployment["metadata"]["labels"]["patched"], "yes", "the kustomize entry ran first");
    let manifest = helm.run(&["get", "manifest", "web"]);
    assert!(manifest.contains("provenance.weir.dev/chart: web-1.0.0"), "recorded in the release: {manifest}");
    assert!(manifest.contains("# Source: web/templates/service.yaml"), "{manifest}");

    // An entry naming both kinds is refused with the field.
    let both = "  postRenderers:\n  - kustomize: {}\n    plugin:\n      name: provenance\n";
    cluster.apply(&helm_release(both)).await;
    let refused =
        released(&cluster, |r| condition(r, "Ready").is_some_and(|(_, reason, _)| reason == "InvalidSpec")).await;
    let (_, _, message) = condition(&refused, "Ready").unwrap();
    assert_eq!(message, "spec.postRenderers[0]: set one of kustomize and plugin, not both");
}
