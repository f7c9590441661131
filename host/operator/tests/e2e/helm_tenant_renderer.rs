//! A HelmRelease rendered by a plugin the operator's owner offers (a ClusterPlugin from a
//! sha256-pinned ConfigMap in the operator's namespace), selected by the
//! `plugins.weir.dev/renderer` annotation: until it is loaded the release waits with
//! `PluginNotReady`; once loaded, what is installed is that plugin's output, not Helm's.

use weir_testkit::cluster::{PATIENCE, eventually};

use crate::helm_support::{Setup, cluster_plugin, condition, helm_release, ready_with, released, setup_with_chart};

/// The chart's only template: Helm fills in the value, the fixture renderer leaves it.
const TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-rendered\n\
                        data:\n  color: \"{{ .Values.color }}\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_renderer_annotation_selects_a_cluster_plugin_as_the_chart_renderer() {
    let Setup { cluster, helm, server: _server, charts: _charts } = setup_with_chart(|chart| {
        std::fs::remove_dir_all(chart.join("templates")).unwrap();
        std::fs::create_dir(chart.join("templates")).unwrap();
        std::fs::write(chart.join("templates/configmap.yaml"), TEMPLATE).unwrap();
    })
    .await;
    let annotated = helm_release("  values:\n    color: blue\n").replace(
        "  namespace: default\n",
        "  namespace: default\n  annotations:\n    plugins.weir.dev/renderer: fixture\n",
    );
    cluster.apply(&annotated).await;
    // The chart's artifact comes first, then the renderer is looked for.
    let waiting =
        released(&cluster, |r| condition(r, "Ready").is_some_and(|(_, reason, _)| reason == "PluginNotReady")).await;
    let (status, _, message) = condition(&waiting, "Ready").unwrap();
    assert_eq!(status, "False");
    assert_eq!(
        message,
        "plugins.weir.dev/renderer: neither Plugin 'default/fixture' nor ClusterPlugin 'fixture' is loaded: \
         they do not exist or are not Ready"
    );

    // Loading the plugin wakes the release, which installs what the plugin rendered.
    cluster.apply(&cluster_plugin("fixture", "chart-renderer", "fixture-chart-renderer")).await;
    released(&cluster, |r| ready_with(r, "InstallSucceeded")).await;
    let color = eventually(PATIENCE, || async {
        let config_map = cluster.get("v1", "ConfigMap", Some("default"), "web-rendered").await.ok_or("not yet")?;
        Ok::<_, String>(config_map["data"]["color"].as_str().unwrap_or_default().to_owned())
    })
    .await
    .unwrap();
    assert_eq!(color, "{{ .Values.color }}", "rendered by the fixture, which does not evaluate templates");
    let notes = helm.run(&["get", "notes", "web"]);
    assert!(notes.contains("web in default (revision 1) on v"), "{notes}");
    assert!(notes.contains(r#"{"color":"blue"}"#), "{notes}");
}
