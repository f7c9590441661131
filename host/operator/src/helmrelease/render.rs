//! Rendering through the chart-renderer plugin, helm-controller's post-rendering (Flux's
//! origin labels and `commonMetadata`, recorded in the release's manifest), and the metadata
//! Helm adds as it applies (`meta.helm.sh/release-*` annotations and the
//! `app.kubernetes.io/managed-by: Helm` label, so the helm CLI recognises the objects).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;
use weir_api::helm::HelmRelease;
use weir_apply::Object;
use weir_plugin_host::chart_renderer::{
    Capabilities, ChartRendererPlugin, ChartRequest, Manifest, Release, RenderedChart,
};

use super::GROUP;

/// The cluster's version and API versions, as `.Capabilities` shows them; rediscovered after
/// [`CAPABILITIES_TTL`] so new CRDs show up.
#[derive(Default)]
pub(super) struct CapabilitiesCache(Mutex<Option<(Instant, Capabilities)>>);

const CAPABILITIES_TTL: Duration = Duration::from_secs(60);

impl CapabilitiesCache {
    pub async fn get(&self, client: &kube::Client) -> Result<Capabilities, String> {
        let mut cached = self.0.lock().await;
        if let Some((_, capabilities)) = cached.as_ref().filter(|(at, _)| at.elapsed() < CAPABILITIES_TTL) {
            return Ok(capabilities.clone());
        }
        let version =
            client.apiserver_version().await.map_err(|error| format!("cannot read the cluster's version: {error}"))?;
        let discovery = kube::Discovery::new(client.clone())
            .run()
            .await
            .map_err(|error| format!("cannot discover the cluster's APIs: {error}"))?;
        let mut api_versions = Vec::new();
        for group in discovery.groups() {
            for (resource, _) in group.resources_by_stability() {
                let group_version = resource.api_version.clone();
                if !api_versions.contains(&group_version) {
                    api_versions.push(group_version.clone());
                }
                api_versions.push(format!("{group_version}/{}", resource.kind));
            }
        }
        let capabilities = Capabilities { kube_version: version.git_version, api_versions };
        *cached = Some((Instant::now(), capabilities.clone()));
        Ok(capabilities)
    }
}

/// What `.Release` says for this action.
pub(super) fn release_info(release: &HelmRelease, revision: i64, is_install: bool) -> Release {
    Release {
        name: release.release_name(),
        namespace: release.release_namespace().to_owned(),
        revision: u32::try_from(revision).unwrap_or(u32::MAX),
        is_install,
        is_upgrade: !is_install,
        service: "Helm".into(),
    }
}

/// Renders the chart mounted from `dir`.
pub(super) async fn render(
    plugin: &Arc<ChartRendererPlugin>,
    tenant: &str,
    dir: &std::path::Path,
    request: &ChartRequest,
) -> Result<RenderedChart, String> {
    match plugin.template(tenant, dir, request).await {
        Ok(Ok(rendered)) => Ok(rendered),
        Ok(Err(error)) => {
            let template =
                error.details.iter().find(|detail| detail.key == "template").map(|detail| detail.value.clone());
            Err(match template {
                Some(template) if !error.message.contains(&template) => format!("{template}: {}", error.message),
                _ => error.message,
            })
        }
        Err(error) => Err(format!("the chart renderer failed: {error}")),
    }
}

/// Helm's manifest text of the post-rendered documents: each under `# Source: <template>`.
pub(super) fn manifest_text(release: &HelmRelease, manifests: &[Manifest]) -> Result<String, String> {
    let mut text = String::new();
    for manifest in manifests {
        for object in post_render(release, &manifest.content)? {
            text.push_str(&format!("---\n# Source: {}\n{}", manifest.source, weir_go_yaml::emit_document(&object.0)));
        }
    }
    Ok(text)
}

/// One rendered document after helm-controller's post-rendering: `commonMetadata` and the
/// origin labels, which the release records as part of its manifest.
pub(super) fn post_render(release: &HelmRelease, document: &str) -> Result<Vec<Object>, String> {
    let name = release.metadata.name.clone().unwrap_or_default();
    let namespace = release.metadata.namespace.clone().unwrap_or_default();
    let common = release.spec.common_metadata.clone().unwrap_or_default();
    let mut objects = weir_apply::parse_stream(document).map_err(|error| error.to_string())?;
    for object in &mut objects {
        let mut labels: Vec<(String, String)> = common.labels.clone().unwrap_or_default().into_iter().collect();
        labels.push((format!("{GROUP}/name"), name.clone()));
        labels.push((format!("{GROUP}/namespace"), namespace.clone()));
        set(object, "labels", &labels);
        set(object, "annotations", &common.annotations.clone().unwrap_or_default().into_iter().collect::<Vec<_>>());
    }
    Ok(objects)
}

/// The objects of a stored manifest (post-rendered already), with the metadata Helm adds
/// when it applies — the release-name annotations and the managed-by label by which the helm
/// CLI recognises its objects — and the release namespace for those that name none.
pub(super) fn to_apply(release: &HelmRelease, manifest: &str) -> Result<Vec<Object>, String> {
    let mut objects = weir_apply::parse_stream(manifest).map_err(|error| error.to_string())?;
    for object in &mut objects {
        set(object, "labels", &[("app.kubernetes.io/managed-by".to_owned(), "Helm".to_owned())]);
        set(
            object,
            "annotations",
            &[
                ("meta.helm.sh/release-name".to_owned(), release.release_name()),
                ("meta.helm.sh/release-namespace".to_owned(), release.release_namespace().to_owned()),
            ],
        );
    }
    Ok(objects)
}

fn set(object: &mut Object, field: &str, pairs: &[(String, String)]) {
    if pairs.is_empty() {
        return;
    }
    let Some(metadata) = object.0["metadata"].as_object_mut() else { return };
    let entry = metadata.entry(field).or_insert_with(|| Value::Object(Default::default()));
    if !entry.is_object() {
        *entry = Value::Object(Default::default());
    }
    if let Value::Object(map) = entry {
        for (key, value) in pairs {
            map.insert(key.clone(), Value::String(value.clone()));
        }
    }
}
