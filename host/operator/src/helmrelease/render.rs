//! Rendering through the chart-renderer plugin, helm-controller's post-rendering (Flux's
//! origin labels and `commonMetadata`, recorded in the release's manifest), and the metadata
//! Helm adds as it applies (`meta.helm.sh/release-*` annotations and the
//! `app.kubernetes.io/managed-by: Helm` label, so the helm CLI recognises the objects).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;
use weir_api::helm::{HelmRelease, KustomizePostRenderer};
use weir_apply::Object;
use weir_plugin_host::chart_renderer::{
    Capabilities, ChartRendererPlugin, ChartRequest, Manifest, Release, RenderedChart,
};
use weir_plugin_host::post_renderer::{self as post_render, PostRenderRequest, PostRendererPlugin};
use weir_plugin_host::renderer::{BuildOptions, RendererPlugin};

use super::GROUP;
use super::chart::ReleaseChart;
use crate::plugin::loaded::TenantPlugins;
use crate::reconciler::{Failure, Retry};

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

/// One entry of `spec.postRenderers`, its plugin looked up.
pub(super) enum PostRenderStep<'a> {
    Kustomize(&'a KustomizePostRenderer),
    Plugin { name: &'a str, plugin: Arc<PostRendererPlugin> },
}

/// `spec.postRenderers` of `release`, each `plugin` entry's post-renderer found among the
/// plugins its namespace may use: one that is not loaded fails before any Helm action.
pub(super) fn post_render_steps<'a>(
    release: &'a HelmRelease,
    plugins: &TenantPlugins,
) -> Result<Vec<PostRenderStep<'a>>, Failure> {
    let namespace = release.metadata.namespace.clone().unwrap_or_default();
    let mut steps = Vec::new();
    for (index, post_renderer) in release.spec.post_renderers.iter().flatten().enumerate() {
        let field = format!("spec.postRenderers[{index}]");
        match (&post_renderer.kustomize, &post_renderer.plugin) {
            (Some(kustomize), None) => steps.push(PostRenderStep::Kustomize(kustomize)),
            (None, Some(reference)) => {
                let plugin = plugins.post_renderer(&namespace, &reference.name).map_err(|unavailable| {
                    let message = format!("{field}.plugin: {unavailable}");
                    Failure::new(crate::plugin::reason::PLUGIN_NOT_READY, message, Retry::Backoff)
                })?;
                steps.push(PostRenderStep::Plugin { name: &reference.name, plugin });
            }
            (Some(_), Some(_)) => {
                return Err(Failure::invalid_spec(&field, "set one of kustomize and plugin, not both"));
            }
            (None, None) => {}
        }
    }
    Ok(steps)
}

/// Runs the post-renderers over `manifests` (of `chart`) in order: a kustomize build by the
/// renderer plugin of the documents with the entry's patches and images, or a post-renderer
/// plugin's call. Every output document keeps the template it came from.
pub(super) async fn post_renderers(
    kustomize: &RendererPlugin,
    steps: &[PostRenderStep<'_>],
    release: &HelmRelease,
    chart: &ReleaseChart,
    manifests: Vec<Manifest>,
) -> Result<Vec<Manifest>, String> {
    let mut manifests = manifests;
    for step in steps {
        manifests = match step {
            PostRenderStep::Kustomize(entry) => kustomize_post_render(kustomize, entry, release, manifests).await?,
            PostRenderStep::Plugin { name, plugin } => {
                plugin_post_render(name, plugin, release, chart, manifests).await?
            }
        };
    }
    Ok(manifests)
}

/// A kustomize post-renderer. The documents are staged in memory-backed `/dev/shm`, as
/// rendered Secrets must never reach a disk.
async fn kustomize_post_render(
    renderer: &RendererPlugin,
    kustomize: &KustomizePostRenderer,
    release: &HelmRelease,
    manifests: Vec<Manifest>,
) -> Result<Vec<Manifest>, String> {
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
    Ok(rendered
        .documents
        .into_iter()
        .map(|content| {
            let id = weir_apply::parse_stream(&content).ok().and_then(|mut objects| objects.pop()).map(|o| o.id());
            let source = id
                .and_then(|id| sources.iter().find(|(known, _)| *known == id).map(|(_, source)| source.clone()))
                .unwrap_or_default();
            Manifest { source, content }
        })
        .collect())
}

/// A post-renderer plugin's call: the documents as they are, and the release and chart.
async fn plugin_post_render(
    name: &str,
    plugin: &PostRendererPlugin,
    release: &HelmRelease,
    chart: &ReleaseChart,
    manifests: Vec<Manifest>,
) -> Result<Vec<Manifest>, String> {
    let request = PostRenderRequest {
        release_name: release.release_name(),
        release_namespace: release.release_namespace().to_owned(),
        chart_name: chart.name().to_owned(),
        chart_version: chart.version().to_owned(),
        manifests: manifests
            .into_iter()
            .map(|manifest| post_render::Manifest { source: manifest.source, content: manifest.content })
            .collect(),
    };
    let tenant = release.metadata.namespace.clone().unwrap_or_default();
    match plugin.post_render(&tenant, &request).await {
        Ok(Ok(changed)) => Ok(changed
            .into_iter()
            .map(|manifest| Manifest { source: manifest.source, content: manifest.content })
            .collect()),
        Ok(Err(error)) => Err(format!("post-renderer Plugin '{name}': {error}")),
        Err(error) => Err(format!("post-renderer Plugin '{name}' failed: {error}")),
    }
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
