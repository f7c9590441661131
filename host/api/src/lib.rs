//! Flux's API, so that an existing Flux repository runs on weir unchanged:
//! the same groups, versions, kinds, spec fields and status.
//!
//! - `source.toolkit.fluxcd.io/v1` [`source::GitRepository`]
//! - `kustomize.toolkit.fluxcd.io/v1` [`kustomize::Kustomization`]
//!
//! [`crds`] gives their CustomResourceDefinitions, which `crds/` at the
//! repository root holds as YAML (a test keeps the two in step).

pub mod kustomize;
pub mod meta;
pub mod source;
pub mod status;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// Every CRD weir serves, in install order.
pub fn crds() -> Vec<CustomResourceDefinition> {
    vec![source::GitRepository::crd(), kustomize::Kustomization::crd()]
}

/// A CRD as YAML, the way `crds/` holds it: weir's Go-compatible writer, after
/// a `---` as controller-gen starts its files.
pub fn to_yaml(crd: &CustomResourceDefinition) -> String {
    // A CRD always serializes; an empty document would show in review.
    let value = serde_json::to_value(crd).unwrap_or_default();
    format!("---\n{}", weir_go_yaml::emit_document(&value))
}
