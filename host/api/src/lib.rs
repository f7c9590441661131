//! Flux's API, so that an existing Flux repository runs on weir unchanged:
//! the same groups, versions, kinds, spec fields and status.
//!
//! - `source.toolkit.fluxcd.io/v1` [`source::GitRepository`], [`source::HelmRepository`],
//!   [`source::HelmChart`], [`source::OCIRepository`], [`source::Bucket`]
//! - `kustomize.toolkit.fluxcd.io/v1` [`kustomize::Kustomization`]
//! - `helm.toolkit.fluxcd.io/v2` [`helm::HelmRelease`]
//! - weir's own `plugins.weir.dev/v1alpha1` [`plugins::Plugin`], [`plugins::ClusterPlugin`] and
//!   [`plugins::PluginPolicy`]
//!
//! HelmRepository, HelmChart, OCIRepository and Bucket are also served as `v1beta2`, HelmRelease
//! as `v2beta2`, the versions older Flux repositories are written in (see [`crds`]).
//!
//! [`crds`] gives their CustomResourceDefinitions, which `crds/` at the
//! repository root holds as YAML (a test keeps the two in step).

pub mod helm;
pub mod kustomize;
pub mod meta;
pub mod plugins;
pub mod source;
pub mod status;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, CustomResourceDefinitionVersion,
};
use kube::CustomResourceExt;

/// Every CRD weir serves, in install order: sources before the kinds that use them.
///
/// The Helm kinds serve their deprecated beta version beside the current one, as Flux did
/// until helm-controller v1.5 and source-controller v1.8 dropped them, so fleet repositories
/// still saying `helm.toolkit.fluxcd.io/v2beta2` or `source.toolkit.fluxcd.io/v1beta2` apply
/// unchanged.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![
        source::GitRepository::crd(),
        also_served_as(source::HelmRepository::crd(), "v1beta2"),
        also_served_as(source::HelmChart::crd(), "v1beta2"),
        also_served_as(source::Bucket::crd(), "v1beta2"),
        also_served_as(source::OCIRepository::crd(), "v1beta2"),
        kustomize::Kustomization::crd(),
        also_served_as(helm::HelmRelease::crd(), "v2beta2"),
        plugins::PluginPolicy::crd(),
        plugins::Plugin::crd(),
        plugins::ClusterPlugin::crd(),
    ]
}

/// `crd` with a second, deprecated version `beta` served with the same schema, not stored,
/// and converted by nothing (strategy `None`, only `apiVersion` changes).
///
/// That is enough because what the beta versions have that the current ones do not is what
/// Flux had already deprecated there (HelmRelease's `chart.spec.valuesFile`, the post-renderers'
/// `patchesStrategicMerge` and `patchesJson6902`, `status.lastAppliedRevision`, HelmChart's
/// `valuesFile`); their successors (`valuesFiles`, `patches`) are in both, and everything else
/// a beta object says means the same in the current version. The deprecated fields are not in
/// the schema: a pruning API server drops them, and weir's types ignore them.
fn also_served_as(mut crd: CustomResourceDefinition, beta: &str) -> CustomResourceDefinition {
    let kind = crd.spec.names.kind.clone();
    // kube derives a CRD with exactly the one version of the Rust type.
    let current = crd.spec.versions[0].clone();
    let warning = format!("{beta} {kind} is deprecated, upgrade to {}", current.name);
    crd.spec.versions.push(CustomResourceDefinitionVersion {
        name: beta.to_owned(),
        served: true,
        storage: false,
        deprecated: Some(true),
        deprecation_warning: Some(warning),
        ..current
    });
    crd
}

/// The files of `crds/`: one YAML file per CRD (named after it) and the `kustomization.yaml`
/// listing them, so that the directory is a kustomize base the install manifests include.
pub fn crd_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = crds()
        .iter()
        .map(|crd| (format!("{}.yaml", crd.metadata.name.as_deref().unwrap_or_default()), to_yaml(crd)))
        .collect();
    let mut kustomization =
        String::from("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    for (file, _) in &files {
        kustomization.push_str(&format!("  - {file}\n"));
    }
    files.push(("kustomization.yaml".to_owned(), kustomization));
    files
}

/// A CRD as YAML, the way `crds/` holds it: weir's Go-compatible writer, after
/// a `---` as controller-gen starts its files.
pub fn to_yaml(crd: &CustomResourceDefinition) -> String {
    // A CRD always serializes; an empty document would show in review.
    let value = serde_json::to_value(crd).unwrap_or_default();
    format!("---\n{}", weir_go_yaml::emit_document(&value))
}
