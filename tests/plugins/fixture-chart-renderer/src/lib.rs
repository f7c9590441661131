//! Renders every file under `templates/` (of the mounted chart directory or packaged chart)
//! as-is, with `{{ .Release.Name }}` replaced, and puts the request's facts in the notes: enough for a test to
//! see the chart mount, the request and the result cross the boundary.

use weir_plugin_sdk::Plugin;
use weir_plugin_sdk::chart_renderer::{CHART_MOUNT, ChartRequest, Manifest, PACKAGED_CHART, RenderedChart};
use weir_plugin_sdk::types::{Error, ErrorCode};

struct Fixture;

impl Plugin for Fixture {
    fn template(request: ChartRequest) -> Result<RenderedChart, Error> {
        let manifests = templates()?
            .into_iter()
            .map(|(source, text)| Manifest {
                source,
                content: text.replace("{{ .Release.Name }}", &request.release.name),
            })
            .collect();
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

/// The chart's templates by name (`templates/<file>`), in name order: from the mounted
/// directory, or from the packaged chart when the mount holds one.
fn templates() -> Result<Vec<(String, String)>, Error> {
    let invalid = |err: std::io::Error| Error::new(ErrorCode::InvalidInput, err.to_string());
    let packaged = format!("{CHART_MOUNT}/{PACKAGED_CHART}");
    let mut templates = Vec::new();
    if let Ok(bytes) = std::fs::read(&packaged) {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
        for entry in archive.entries().map_err(invalid)? {
            let mut entry = entry.map_err(invalid)?;
            let path = entry.path().map_err(invalid)?.to_string_lossy().into_owned();
            // Below the archive's top directory, as `helm package` writes it.
            let Some((_, name)) = path.split_once('/') else { continue };
            if name.starts_with("templates/") {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut entry, &mut text).map_err(invalid)?;
                templates.push((name.to_owned(), text));
            }
        }
    } else {
        let dir = format!("{CHART_MOUNT}/templates");
        let entries =
            std::fs::read_dir(&dir).map_err(|err| Error::new(ErrorCode::NotFound, err.to_string()).at("templates"))?;
        for entry in entries {
            let name = entry.map_err(invalid)?.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(format!("{dir}/{name}")).map_err(invalid)?;
            templates.push((format!("templates/{name}"), text));
        }
    }
    templates.sort();
    Ok(templates)
}

weir_plugin_sdk::register_plugin!(Fixture: chart_renderer);
