//! An example post-renderer: every object of a Helm release is annotated with where it came
//! from, `provenance.weir.dev/chart: <name>-<version>` and `provenance.weir.dev/template:
//! <template>`, so `kubectl get -o yaml` tells which chart and template made an object. A
//! HelmRelease runs it as a `postRenderers` entry naming its Plugin.

use serde_json::{Map, Value};
use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::post_renderer::{Manifest, PostRenderRequest};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct Provenance;

impl Plugin for Provenance {
    fn post_render(request: PostRenderRequest) -> Result<Vec<Manifest>, Error> {
        let chart = format!("{}-{}", request.chart_name, request.chart_version);
        request
            .manifests
            .into_iter()
            .map(|manifest| {
                let objects = weir_go_yaml::parse_stream(&manifest.content)
                    .map_err(|error| Error::new(ErrorCode::InvalidInput, format!("{}: {error}", manifest.source)))?;
                let mut content = String::new();
                for mut object in objects.into_iter().filter(|object| !object.is_null()) {
                    annotate(&mut object, &chart, &manifest.source).ok_or_else(|| {
                        Error::new(ErrorCode::InvalidInput, format!("{}: a document is not a mapping", manifest.source))
                    })?;
                    content.push_str("---\n");
                    content.push_str(&weir_go_yaml::emit_document(&object));
                }
                Ok(Manifest { source: manifest.source, content })
            })
            .collect()
    }
}

/// Adds the annotations; `None` when `object` is not a mapping.
fn annotate(object: &mut Value, chart: &str, template: &str) -> Option<()> {
    let metadata = object.as_object_mut()?.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let annotations = metadata.as_object_mut()?.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
    let annotations = annotations.as_object_mut()?;
    annotations.insert("provenance.weir.dev/chart".into(), chart.into());
    annotations.insert("provenance.weir.dev/template".into(), template.into());
    Some(())
}

weir_plugin_sdk::register_plugin!(Provenance: post_renderer);
