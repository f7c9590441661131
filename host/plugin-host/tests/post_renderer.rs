//! The post-renderer world (`weir:plugin@0.2.1`): the example provenance post-renderer gets
//! the release's documents and the chart, and its changed documents come back with their
//! templates; a component of another world is refused at load time.

mod common;

use weir_plugin_host::LoadError;
use weir_plugin_host::post_renderer::{Manifest, PostRenderRequest, PostRendererPlugin};

#[tokio::test]
async fn a_post_renderer_changes_the_documents_and_keeps_their_templates() {
    let runtime = common::runtime();
    let plugin = common::load(&runtime, "example-provenance-post-renderer");
    let plugin = PostRendererPlugin::new(runtime, plugin).unwrap();
    let request = PostRenderRequest {
        release_name: "web".into(),
        release_namespace: "apps".into(),
        chart_name: "web".into(),
        chart_version: "1.2.3".into(),
        manifests: vec![
            Manifest {
                source: "web/templates/service.yaml".into(),
                content: "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n".into(),
            },
            Manifest {
                source: "web/templates/config.yaml".into(),
                content: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
                    .into(),
            },
        ],
    };
    let changed = plugin.post_render("apps", &request).await.unwrap().unwrap();
    let sources: Vec<&str> = changed.iter().map(|manifest| manifest.source.as_str()).collect();
    assert_eq!(sources, ["web/templates/service.yaml", "web/templates/config.yaml"]);
    assert_eq!(
        changed[0].content,
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    provenance.weir.dev/chart: web-1.2.3\n    \
         provenance.weir.dev/template: web/templates/service.yaml\n  name: web\n"
    );
    assert_eq!(changed[1].content.matches("provenance.weir.dev/chart: web-1.2.3").count(), 2, "{}", changed[1].content);
}

#[tokio::test]
async fn a_component_of_another_world_is_not_a_post_renderer() {
    let runtime = common::runtime();
    let plugin = common::load(&runtime, "example-stamp-renderer");
    match PostRendererPlugin::new(runtime, plugin) {
        Err(LoadError::WrongWorld { world, reason, .. }) => {
            assert_eq!(world, "post-renderer");
            assert_eq!(reason, "it does not export weir:plugin/post-render@0.2.1");
        }
        Err(other) => panic!("expected a wrong world, got {other}"),
        Ok(_) => panic!("a renderer bound as a post-renderer"),
    }
}
