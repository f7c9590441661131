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
use weir_plugin_host::renderer::{BuildOptions, RendererPlugin};

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
        let capabilities = discover_capabilities(client).await?;
        *cached = Some((Instant::now(), capabilities.clone()));
        Ok(capabilities)
    }
}

/// The cluster's version and API versions, asked afresh (a remote cluster's are not cached).
pub(super) async fn discover_capabilities(client: &kube::Client) -> Result<Capabilities, String> {
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
    Ok(Capabilities { kube_version: version.git_version, api_versions })
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

/// Runs `spec.postRenderers` over `manifests` in order, each a kustomize build by the
/// renderer plugin of the documents with the post-renderer's patches and images; every output
/// document keeps the template it came from. The documents are staged in memory-backed
/// `/dev/shm`, as rendered Secrets must never reach a disk.
pub(super) async fn post_renderers(
    renderer: &RendererPlugin,
    release: &HelmRelease,
    manifests: Vec<Manifest>,
) -> Result<Vec<Manifest>, String> {
    let mut manifests = manifests;
    for post_renderer in release.spec.post_renderers.iter().flatten() {
        let Some(kustomize) = &post_renderer.kustomize else { continue };
        let staging = tempfile::Builder::new()
            .prefix("weir-post-render-")
            .tempdir_in(MEMORY_DIR)
            .map_err(|error| format!("post-renderers need a memory-backed {MEMORY_DIR} to stage manifests: {error}"))?;
        let mut sources = Vec::new();
        for (index, manifest) in manifests.iter().enumerate() {
            std::fs::write(staging.path().join(format!("{index:05}.yaml")), &manifest.content)
                .map_err(|error| format!("staging manifests for post-rendering: {error}"))?;
            for object in weir_apply::parse_stream(&manifest.content).map_err(|error| error.to_string())? {
                sources.push((object.id(), manifest.source.clone()));
            }
        }
        let options = BuildOptions {
            generate_kustomization: true,
            patches: crate::kustomization::plugin_patches(kustomize.patches.as_deref().unwrap_or_default()),
            images: crate::kustomization::plugin_images(kustomize.images.as_deref().unwrap_or_default()),
            ..BuildOptions::new(".")
        };
        let tenant = release.metadata.namespace.clone().unwrap_or_default();
        let rendered = match renderer.build(&tenant, staging.path(), &options).await {
            Ok(Ok(rendered)) => rendered,
            Ok(Err(error)) => return Err(format!("post-renderer: {error}")),
            Err(error) => return Err(format!("post-renderer plugin failed: {error}")),
        };
        manifests = rendered
            .documents
            .into_iter()
            .map(|content| {
                let id = weir_apply::parse_stream(&content).ok().and_then(|mut objects| objects.pop()).map(|o| o.id());
                let source = id
                    .and_then(|id| sources.iter().find(|(known, _)| *known == id).map(|(_, source)| source.clone()))
                    .unwrap_or_default();
                Manifest { source, content }
            })
            .collect();
    }
    Ok(manifests)
}

/// Where post-rendering stages documents: memory, not disk.
const MEMORY_DIR: &str = "/dev/shm";

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
