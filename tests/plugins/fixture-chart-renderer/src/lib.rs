//! Renders every file under `templates/` as-is, with `{{ .Release.Name }}`
//! replaced, and puts the request's facts in the notes: enough for a test to
//! see the chart mount, the request and the result cross the boundary.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::chart_renderer::{CHART_MOUNT, ChartRequest, Manifest, RenderedChart};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct Fixture;

impl Plugin for Fixture {
    fn template(request: ChartRequest) -> Result<RenderedChart, Error> {
        let templates = format!("{CHART_MOUNT}/templates");
        let entries = std::fs::read_dir(&templates)
            .map_err(|err| Error::new(ErrorCode::NotFound, err.to_string()).at("templates"))?;
        let mut names: Vec<String> =
            entries.filter_map(|entry| Some(entry.ok()?.file_name().into_string().ok()?)).collect();
        names.sort();
        let mut manifests = Vec::new();
        for name in names {
            let text = std::fs::read_to_string(format!("{templates}/{name}"))
                .map_err(|err| Error::new(ErrorCode::InvalidInput, err.to_string()))?;
            let content = text.replace("{{ .Release.Name }}", &request.release.name);
            manifests.push(Manifest { source: format!("templates/{name}"), content });
        }
        let notes = format!(
            "{} in {} (revision {}) on {} with {}",
            request.release.name,
            request.release.namespace,
            request.release.revision,
            request.capabilities.kube_version,
            request.values_json
        );
        Ok(RenderedChart { crds: vec![], manifests, hooks: vec![], notes: Some(notes), warnings: vec![] })
    }
}

weir_plugin_sdk::register_plugin!(Fixture: chart_renderer);
