//! `helm template` as one call: a loaded chart and user values in, the
//! release's CRDs, manifests (in install order) and hooks out.
//! The order of checks is Helm's install action's, so the same input fails
//! with the same first error.

use std::rc::Rc;

use weir_gotemplate::{Map, Value};

use crate::chart::Chart;
use crate::manifests::{Hook, Manifest};

/// `.Release` of the rendering.
#[derive(Debug, Clone)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub revision: u32,
    pub is_install: bool,
    pub is_upgrade: bool,
    pub service: String,
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub release: Release,
    /// `.Capabilities.KubeVersion`, e.g. `v1.33.0`.
    pub kube_version: String,
    /// Added to Helm's default `.Capabilities.APIVersions`.
    pub api_versions: Vec<String>,
    /// Return the charts' `crds/` files.
    pub include_crds: bool,
    /// Leave out test hooks.
    pub skip_tests: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Rendered {
    /// `crds/` files of the chart and its subcharts, whole (only with `include_crds`).
    pub crds: Vec<Manifest>,
    /// One document each, in Helm's install order.
    pub manifests: Vec<Manifest>,
    /// In Helm's order (by kind), as `helm template` prints them.
    pub hooks: Vec<Hook>,
    /// The top chart's rendered `NOTES.txt`.
    pub notes: Option<String>,
    pub warnings: Vec<String>,
}

/// Why a chart did not render; each message is what `helm template` prints after `Error: `.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HelmError {
    #[error("{0}")]
    InvalidChart(String),
    #[error("{0}")]
    InvalidValues(String),
    #[error("{0}\n\nUse --debug flag to render out invalid YAML")]
    TemplateFailed(String),
    #[error("{0}\n\nUse --debug flag to render out invalid YAML")]
    Incompatible(String),
}

/// Renders `chart` with `user` values (already merged from `-f`/`--set`).
pub fn render(mut chart: Chart, user: Map, options: &RenderOptions) -> Result<Rendered, HelmError> {
    let mut warnings = Vec::new();
    if !matches!(chart.metadata.chart_type.as_str(), "" | "application") {
        return Err(HelmError::InvalidChart(format!("{} charts are not installable", chart.metadata.chart_type)));
    }
    if chart.metadata.deprecated {
        warnings.push("WARNING: This chart is deprecated".into());
    }
    crate::dependencies::check_present(&chart).map_err(|err| {
        HelmError::InvalidChart(format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: {err}"
        ))
    })?;
    crate::dependencies::process(&mut chart, &user, &mut warnings)
        .map_err(|err| HelmError::InvalidChart(err.to_string()))?;

    let capabilities = crate::capabilities::Capabilities::new(&options.kube_version, &options.api_versions)
        .map_err(|err| HelmError::InvalidValues(err.to_string()))?;
    let values = crate::values::coalesce_with_warnings(&chart, user, &mut warnings)
        .map_err(|err| HelmError::InvalidValues(err.to_string()))?;
    crate::schema::validate(&chart, &values).map_err(|err| {
        HelmError::InvalidValues(format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{err}"
        ))
    })?;

    let kube_version = &capabilities.kube_version.version;
    if !chart.metadata.kube_version.is_empty()
        && !crate::capabilities::is_compatible(&chart.metadata.kube_version, kube_version)
    {
        return Err(HelmError::Incompatible(format!(
            "chart requires kubeVersion: {} which is incompatible with Kubernetes {kube_version}",
            chart.metadata.kube_version
        )));
    }

    let mut top = Map::new();
    top.insert("Values".into(), Value::map(values));
    top.insert("Release".into(), release_value(&options.release));
    top.insert("Capabilities".into(), Value::Object(Rc::new(capabilities)));
    let mut files = crate::engine::render(&chart, &top).map_err(HelmError::TemplateFailed)?;

    // Only the top chart's notes are kept; subcharts' notes are dropped, as `helm template` does.
    let notes_name = format!("{}/templates/NOTES.txt", chart.name());
    let notes = files.remove(&notes_name);
    files.retain(|name, _| !name.ends_with("NOTES.txt"));

    let (mut hooks, manifests) = crate::manifests::sort_manifests_logged(&files, &mut warnings)
        .map_err(|err| HelmError::TemplateFailed(err.to_string()))?;
    if options.skip_tests {
        hooks.retain(|hook| !hook.events.iter().any(|event| event == "test" || event == "test-success"));
    }
    let crds = if options.include_crds {
        chart
            .crd_objects()
            .into_iter()
            .map(|(name, file)| Manifest::new(name, String::from_utf8_lossy(&file.data).into_owned()))
            .collect()
    } else {
        Vec::new()
    };
    Ok(Rendered { crds, manifests, hooks, notes, warnings })
}

fn release_value(release: &Release) -> Value {
    let mut map = Map::new();
    map.insert("Name".into(), Value::from(release.name.as_str()));
    map.insert("Namespace".into(), Value::from(release.namespace.as_str()));
    map.insert("IsUpgrade".into(), Value::Bool(release.is_upgrade));
    map.insert("IsInstall".into(), Value::Bool(release.is_install));
    map.insert("Revision".into(), Value::Int(i64::from(release.revision)));
    map.insert("Service".into(), Value::from(release.service.as_str()));
    Value::map(map)
}
