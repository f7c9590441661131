//! The chart a release is made from: the HelmChart the controller creates for `spec.chart`
//! (named `<namespace>-<name>` in the source's namespace, applied server-side so a changed
//! template updates it), or the one `spec.chartRef` names; its artifact, and the chart as the
//! release record carries it.

use std::path::{Path, PathBuf};

use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};
use weir_api::helm::{ChartRefKind, HelmRelease};
use weir_api::meta::Artifact;
use weir_api::source::{HelmChart, OCIRepository};
use weir_api::status::{ArtifactSource, ObjectStatus};
use weir_helm_storage::{Chart, File, Lock, Metadata};
use weir_plugin_host::chart_renderer::PACKAGED_CHART;

use super::{FIELD_MANAGER, GROUP, HelmReleases};
use crate::conditions::reason;
use crate::reconciler::{Failure, Retry};

/// A chart ready to render and release.
pub(super) struct ReleaseChart {
    /// `<namespace>/<name>` of the HelmChart.
    pub helm_chart: String,
    /// The artifact directory holding [`PACKAGED_CHART`], what the plugin mounts.
    pub dir: PathBuf,
    /// The artifact revision: the chart version, with any build metadata.
    pub revision: String,
    /// The chart as a release records it (Chart.yaml, templates, files, values, schema).
    pub chart: Chart,
    /// The OCI manifest digest, for a chart from an OCIRepository.
    pub digest: Option<String>,
}

impl ReleaseChart {
    pub fn name(&self) -> &str {
        self.chart.metadata.as_ref().map_or("", |metadata| metadata.name.as_str())
    }

    pub fn version(&self) -> &str {
        self.chart.metadata.as_ref().map_or("", |metadata| metadata.version.as_str())
    }
}

/// Creates or updates the HelmChart of `spec.chart`, or finds the one of `spec.chartRef`, and
/// loads its artifact once it is Ready.
pub(super) async fn resolve(release: &HelmRelease, context: &HelmReleases) -> Result<ReleaseChart, Failure> {
    let namespace = release.namespace().unwrap_or_default();
    let (chart_namespace, chart_name) = match (&release.spec.chart, &release.spec.chart_ref) {
        (Some(template), _) => {
            let source_namespace = template.spec.source_ref.namespace.clone().unwrap_or_else(|| namespace.clone());
            if context.settings.no_cross_namespace_refs && source_namespace != namespace {
                return Err(Failure::new(
                    reason::ACCESS_DENIED,
                    format!(
                        "can't access '{:?}/{source_namespace}/{}', cross-namespace references have been blocked",
                        template.spec.source_ref.kind, template.spec.source_ref.name
                    ),
                    Retry::Stalled,
                ));
            }
            let name = release.helm_chart_name();
            apply_helm_chart(release, &source_namespace, &name, context).await?;
            (source_namespace, name)
        }
        (None, Some(reference)) if reference.kind == ChartRefKind::HelmChart => {
            (reference.namespace.clone().unwrap_or_else(|| namespace.clone()), reference.name.clone())
        }
        (None, Some(reference)) => {
            let source_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
            return oci_chart(&source_namespace, &reference.name, context).await;
        }
        (None, None) => return Err(Failure::invalid_spec("spec", "either chart or chartRef must be set")),
    };
    let helm_chart = format!("{chart_namespace}/{chart_name}");
    let artifact = ready_artifact::<HelmChart>(&chart_namespace, &chart_name, context).await?;
    let dir = context.artifacts.path_of(&artifact.path);
    let archive = std::fs::read(dir.join(PACKAGED_CHART)).map_err(|error| {
        artifact_failed(format!("could not read the artifact of HelmChart '{helm_chart}': {error}"))
    })?;
    let chart =
        record_chart(&archive).map_err(|error| artifact_failed(format!("HelmChart '{helm_chart}': {error}")))?;
    Ok(ReleaseChart { helm_chart, dir, revision: artifact.revision, chart, digest: None })
}

/// The artifact of source `K` `namespace/name` once it is Ready at its generation.
async fn ready_artifact<K: ArtifactSource>(
    namespace: &str,
    name: &str,
    context: &HelmReleases,
) -> Result<Artifact, Failure> {
    let described = format!("{} '{namespace}/{name}'", K::KIND);
    let found = Api::<K>::namespaced(context.client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|error| artifact_failed(format!("could not get {described}: {error}")))?
        .ok_or_else(|| artifact_failed(format!("{described} not found")))?;
    let status = found.status();
    let ready = status.and_then(|status| status.conditions().iter().find(|condition| condition.type_ == "Ready"));
    let current = status.and_then(|status| status.observed_generation()) == found.meta().generation;
    match (found.artifact(), ready) {
        (Some(artifact), Some(ready)) if ready.status == "True" && current => Ok(artifact.clone()),
        (_, ready) => {
            let why = ready.map_or("not reconciled yet".to_owned(), |ready| ready.message.clone());
            Err(Failure::new(
                reason::ARTIFACT_FAILED,
                format!("{described} is not ready: {why}"),
                Retry::After(context.settings.dependency_requeue),
            ))
        }
    }
}

/// The chart an OCIRepository holds, as Flux's `chartRef` reads it: its layer copied as it is
/// (`layerSelector.operation: copy`, the chart archive) or extracted (the chart's directory).
/// A copied archive is linked into a directory of its own as [`PACKAGED_CHART`], the name the
/// renderer reads.
async fn oci_chart(namespace: &str, name: &str, context: &HelmReleases) -> Result<ReleaseChart, Failure> {
    let artifact = ready_artifact::<OCIRepository>(namespace, name, context).await?;
    let source = format!("OCIRepository '{namespace}/{name}'");
    let dir = context.artifacts.path_of(&artifact.path);
    let failed = |error: String| artifact_failed(format!("could not load the chart of {source}: {error}"));
    let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .and_then(|entries| entries.map(|entry| entry.map(|entry| entry.path())).collect())
        .map_err(|error| failed(error.to_string()))?;
    let (dir, chart) = match entries.as_slice() {
        [archive] if archive.extension().is_some_and(|extension| extension == "tgz") => {
            let bytes = std::fs::read(archive).map_err(|error| failed(error.to_string()))?;
            let chart = record_chart(&bytes).map_err(failed)?;
            let digest = artifact.digest.as_deref().unwrap_or_default().trim_start_matches("sha256:");
            let linked = context.settings.storage_dir.join("oci-charts").join(digest);
            link_packaged_chart(archive, &linked).map_err(|error| failed(error.to_string()))?;
            (linked, chart)
        }
        [chart_dir] if chart_dir.join("Chart.yaml").is_file() => {
            let files = weir_helm::loader::dir_files(chart_dir).map_err(|error| failed(error.to_string()))?;
            (chart_dir.clone(), record_files(&files).map_err(failed)?)
        }
        _ => return Err(failed("the artifact holds neither one chart archive nor one chart directory".into())),
    };
    let mut chart = chart;
    let digest = track_digest(&mut chart, &artifact.revision)
        .map_err(|message| Failure::new("ChartMutateError", format!("{source}: {message}"), Retry::Backoff))?;
    let version = chart.metadata.as_ref().map(|metadata| metadata.version.clone()).unwrap_or_default();
    Ok(ReleaseChart { helm_chart: format!("{namespace}/{name}"), dir, revision: version, chart, digest: Some(digest) })
}

/// helm-controller's digest tracking: the chart version gets the first 12 hex digits of the
/// artifact's digest as build metadata (`1.0.0+0123456789ab`), so a tag pushed again with the
/// same version is a new chart to release; a semver tag must be the chart's version. The
/// revision's digest, for `lastAttemptedRevisionDigest`.
fn track_digest(chart: &mut Chart, revision: &str) -> Result<String, String> {
    let metadata = chart.metadata.get_or_insert_default();
    let version = weir_semver::Version::parse_lenient(&metadata.version)
        .map_err(|_| format!("invalid chart version {}", metadata.version))?;
    let (tag, digest) = match revision.split_once('@') {
        Some((tag, digest)) => (tag, digest),
        None => ("", revision),
    };
    // OCI tags spell a version's `+` as `_`.
    let tagged = weir_semver::Version::parse_lenient(&tag.replace('_', "+")).ok();
    if tagged.as_ref().is_some_and(|tagged| *tagged != version) {
        return Err(format!("artifact revision {tag} does not match chart version {}", metadata.version));
    }
    let digest = if tagged.is_some() { digest } else { revision };
    let hex = match digest.split(':').collect::<Vec<_>>().as_slice() {
        [_, hex] if hex.len() >= 12 => &hex[..12],
        _ => return Err(format!("invalid artifact revision {revision}")),
    };
    let prerelease = if version.prerelease().is_empty() { String::new() } else { format!("-{}", version.prerelease()) };
    metadata.version = format!("{}.{}.{}{prerelease}+{hex}", version.major(), version.minor(), version.patch());
    Ok(digest.to_owned())
}

/// A copy of the chart at `dir` without its `values.schema.json` files, so the renderer skips
/// validating values (`disableSchemaValidation`, Helm's `--skip-schema-validation`). The
/// packaged chart, and packaged subcharts, are unpacked into directories, which Helm loads alike.
pub(super) fn without_schemas(dir: &Path) -> Result<tempfile::TempDir, String> {
    let failed = |error: &dyn std::fmt::Display| format!("unpacking the chart to skip schema validation: {error}");
    let staging = tempfile::Builder::new().prefix("weir-chart-").tempdir().map_err(|error| failed(&error))?;
    let packaged = dir.join(PACKAGED_CHART);
    let files = if packaged.is_file() {
        let bytes = std::fs::read(&packaged).map_err(|error| failed(&error))?;
        weir_helm::loader::archive_files(&bytes).map_err(|error| failed(&error))?
    } else {
        weir_helm::loader::dir_files(dir).map_err(|error| failed(&error))?
    };
    write_without_schemas(staging.path(), files).map_err(|error| failed(&error))?;
    Ok(staging)
}

fn write_without_schemas(root: &Path, files: Vec<weir_helm::chart::File>) -> Result<(), String> {
    for file in files {
        let parts: Vec<&str> = file.name.split('/').collect();
        let Some((base, parents)) = parts.split_last() else { continue };
        // A chart root is the top or `charts/<name>/` below another.
        let at_chart_root = is_chart_root(parents);
        if at_chart_root && *base == "values.schema.json" {
            continue;
        }
        // Written out, the files are read as a directory: `.helmignore` was applied already.
        if at_chart_root && *base == ".helmignore" {
            continue;
        }
        if let Some((&"charts", chart)) = parents.split_last()
            && is_chart_root(chart)
            && base.ends_with(".tgz")
        {
            let nested = weir_helm::loader::archive_files(&file.data).map_err(|error| error.to_string())?;
            let unpacked = root.join(parents.join("/")).join(base.trim_end_matches(".tgz"));
            write_without_schemas(&unpacked, nested)?;
            continue;
        }
        let path = root.join(&file.name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|error| error.to_string())?;
        }
        std::fs::write(&path, &file.data).map_err(|error| error.to_string())?;
    }
    Ok(())
}

/// Whether the directories `dirs` lead to a chart: the top, or `charts/<name>` below one.
fn is_chart_root(dirs: &[&str]) -> bool {
    dirs.len().is_multiple_of(2) && dirs.iter().step_by(2).all(|dir| *dir == "charts")
}

/// `linked/chart.tgz` as a hard link to `archive` (a copy across filesystems); kept once made.
fn link_packaged_chart(archive: &Path, linked: &Path) -> std::io::Result<()> {
    let target = linked.join(PACKAGED_CHART);
    if target.is_file() {
        return Ok(());
    }
    std::fs::create_dir_all(linked)?;
    let staged = linked.join(format!(".{PACKAGED_CHART}.partial"));
    if std::fs::hard_link(archive, &staged).is_err() {
        std::fs::copy(archive, &staged)?;
    }
    std::fs::rename(staged, target)
}

/// The HelmChart as `spec.chart` describes it, labelled with the release that owns it.
async fn apply_helm_chart(
    release: &HelmRelease,
    namespace: &str,
    name: &str,
    context: &HelmReleases,
) -> Result<(), Failure> {
    let template = release.spec.chart.clone().unwrap_or_default();
    let spec = &template.spec;
    let mut labels = template.metadata.as_ref().and_then(|metadata| metadata.labels.clone()).unwrap_or_default();
    labels.insert(format!("{GROUP}/name"), release.name_any());
    labels.insert(format!("{GROUP}/namespace"), release.namespace().unwrap_or_default());
    let annotations = template.metadata.as_ref().and_then(|metadata| metadata.annotations.clone()).unwrap_or_default();
    let mut chart_spec = json!({
        "chart": spec.chart,
        "version": spec.version.clone().unwrap_or_else(|| "*".into()),
        "sourceRef": {"kind": spec.source_ref.kind, "name": spec.source_ref.name},
        "interval": spec.interval.clone().unwrap_or_else(|| release.spec.interval.clone()),
        "reconcileStrategy": spec.reconcile_strategy,
    });
    if let Some(files) = &spec.values_files {
        chart_spec["valuesFiles"] = json!(files);
    }
    if let Some(ignore) = spec.ignore_missing_values_files {
        chart_spec["ignoreMissingValuesFiles"] = json!(ignore);
    }
    if let Some(verify) = &spec.verify {
        chart_spec["verify"] = serde_json::to_value(verify).unwrap_or(Value::Null);
    }
    let object = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmChart",
        "metadata": {"name": name, "namespace": namespace, "labels": labels, "annotations": annotations},
        "spec": chart_spec,
    });
    Api::<HelmChart>::namespaced(context.client.clone(), namespace)
        .patch(name, &PatchParams::apply(FIELD_MANAGER).force(), &Patch::Apply(&object))
        .await
        .map_err(|error| artifact_failed(format!("could not create HelmChart '{namespace}/{name}': {error}")))?;
    Ok(())
}

/// Deletes the HelmChart the controller made for `release`, when the release goes.
pub(super) async fn delete_helm_chart(release: &HelmRelease, context: &HelmReleases) {
    let Some(template) = &release.spec.chart else { return };
    let namespace =
        template.spec.source_ref.namespace.clone().unwrap_or_else(|| release.namespace().unwrap_or_default());
    let api = Api::<HelmChart>::namespaced(context.client.clone(), &namespace);
    if let Err(error) = api.delete(&release.helm_chart_name(), &Default::default()).await {
        tracing::debug!(name = release.name_any(), %error, "HelmChart not deleted");
    }
}

/// The chart as a release record holds it: Chart.yaml, Chart.lock, templates, values,
/// schema and every other file of the top chart (subcharts are not recorded, as in Helm).
pub(super) fn record_chart(archive: &[u8]) -> Result<Chart, String> {
    record_files(&weir_helm::loader::archive_files(archive).map_err(|error| error.to_string())?)
}

fn record_files(files: &[weir_helm::chart::File]) -> Result<Chart, String> {
    let yaml = |file: &weir_helm::chart::File| -> Result<Value, String> {
        let text = String::from_utf8_lossy(&file.data);
        Ok(weir_go_yaml::parse_stream(&text)
            .map_err(|error| format!("{}: {error}", file.name))?
            .into_iter()
            .next()
            .unwrap_or(Value::Null))
    };
    let mut chart = Chart::default();
    for file in files {
        match file.name.as_str() {
            "Chart.yaml" => {
                let metadata: Metadata =
                    serde_json::from_value(yaml(file)?).map_err(|error| format!("Chart.yaml: {error}"))?;
                chart.metadata = Some(metadata);
            }
            "Chart.lock" => {
                let lock: Lock = serde_json::from_value(yaml(file)?).map_err(|error| format!("Chart.lock: {error}"))?;
                chart.lock = Some(lock);
            }
            "values.yaml" => {
                chart.values = match yaml(file)? {
                    Value::Object(values) if !values.is_empty() => Some(values),
                    _ => None,
                };
            }
            "values.schema.json" => chart.schema = Some(file.data.clone()),
            name if name.starts_with("charts/") => {}
            name if name.starts_with("templates/") => chart.templates.push(record_file(file)),
            _ => chart.files.push(record_file(file)),
        }
    }
    if chart.metadata.is_none() {
        return Err("Chart.yaml file is missing".into());
    }
    Ok(chart)
}

fn record_file(file: &weir_helm::chart::File) -> File {
    File { name: file.name.clone(), data: file.data.clone(), modtime: None }
}

fn artifact_failed(message: String) -> Failure {
    Failure::new(reason::ARTIFACT_FAILED, message, Retry::Backoff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(version: &str) -> Chart {
        Chart { metadata: Some(Metadata { version: version.into(), ..Metadata::default() }), ..Chart::default() }
    }

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn the_digest_is_tracked_in_the_chart_version_as_helm_controller_does() {
        let mut tagged = chart("1.0.0");
        assert_eq!(track_digest(&mut tagged, &format!("1.0.0@{DIGEST}")).unwrap(), DIGEST);
        assert_eq!(tagged.metadata.unwrap().version, "1.0.0+0123456789ab");
        // An OCI tag spells `+` as `_`; a version's own metadata is replaced.
        let mut built = chart("1.0.0+build.1");
        track_digest(&mut built, &format!("1.0.0_build.1@{DIGEST}")).unwrap();
        assert_eq!(built.metadata.unwrap().version, "1.0.0+0123456789ab");
        // A tag that is no version, or a digest alone: the whole revision is the digest.
        let mut latest = chart("2.1.0-rc.1");
        assert_eq!(track_digest(&mut latest, &format!("latest@{DIGEST}")).unwrap(), format!("latest@{DIGEST}"));
        assert_eq!(latest.metadata.unwrap().version, "2.1.0-rc.1+0123456789ab");
        assert_eq!(track_digest(&mut chart("1.0.0"), DIGEST).unwrap(), DIGEST);
        let error = track_digest(&mut chart("1.0.0"), &format!("1.0.1@{DIGEST}")).unwrap_err();
        assert_eq!(error, "artifact revision 1.0.1 does not match chart version 1.0.0");
        assert_eq!(
            track_digest(&mut chart("1.0.0"), "1.0.0@sha256:0123").unwrap_err(),
            "invalid artifact revision 1.0.0@sha256:0123"
        );
    }

    #[test]
    fn schemas_are_left_out_of_the_chart_and_its_subcharts() {
        let source = tempfile::tempdir().unwrap();
        let file = |name: &str, data: &str| {
            let path = source.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, data).unwrap();
        };
        file("Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n");
        file("values.schema.json", "{}");
        file("files/values.schema.json", "kept: not a chart root");
        file("charts/sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 1.0.0\n");
        file("charts/sub/values.schema.json", "{}");
        file("charts/sub/templates/a.yaml", "a: b\n");
        let unpacked = without_schemas(source.path()).unwrap();
        let exists = |name: &str| unpacked.path().join(name).exists();
        assert!(exists("Chart.yaml") && exists("charts/sub/templates/a.yaml") && exists("files/values.schema.json"));
        assert!(!exists("values.schema.json") && !exists("charts/sub/values.schema.json"));
    }
}
