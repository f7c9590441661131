//! The first step: the source's artifact, and the dependencies that must be Ready first.

use kube::ResourceExt;
use kube::api::Api;
use weir_api::kustomize::Kustomization;
use weir_api::source::GitRepository;
use weir_go_compat::time::format_duration;

use super::{Kustomizations, failed};
use crate::conditions::reason;
use crate::reconciler::{self, Failure, Retry};

/// The source's namespace and its current artifact.
pub(super) async fn source_artifact(
    kustomization: &Kustomization,
    context: &Kustomizations,
) -> Result<(String, weir_api::meta::Artifact), Failure> {
    let namespace = kustomization.namespace().unwrap_or_default();
    let reference = &kustomization.spec.source_ref;
    let source_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
    let kind = serde_json::to_value(&reference.kind)
        .ok()
        .and_then(|kind| kind.as_str().map(str::to_owned))
        .unwrap_or_default();
    let described = format!("{kind}/{source_namespace}/{}", reference.name);
    if context.settings.no_cross_namespace_refs && source_namespace != namespace {
        return Err(failed(
            reason::ACCESS_DENIED,
            format!("can't access '{described}', cross-namespace references have been blocked"),
        ));
    }
    if kind != "GitRepository" {
        return Err(failed(reason::ARTIFACT_FAILED, format!("source '{described}' is not supported yet")));
    }
    let sources = Api::<GitRepository>::namespaced(context.client.clone(), &source_namespace);
    let source = match sources.get_opt(&reference.name).await {
        Ok(Some(source)) => source,
        Ok(None) => {
            return Err(failed(reason::ARTIFACT_FAILED, format!("Source '{described}' not found")));
        }
        Err(error) => return Err(failed(reason::ARTIFACT_FAILED, format!("reading '{described}': {error}"))),
    };
    match source.status.and_then(|status| status.artifact) {
        Some(artifact) => Ok((source_namespace, artifact)),
        None => Err(Failure::new(
            reason::ARTIFACT_FAILED,
            format!("Source artifact not found, retrying in {}", format_duration(context.settings.dependency_requeue)),
            Retry::After(context.settings.dependency_requeue),
        )),
    }
}

/// Every `dependsOn` Kustomization must be Ready at its latest generation; one built from the
/// same source must have applied the revision it last attempted, the one we are about to.
pub(super) async fn check_dependencies(
    kustomization: &Kustomization,
    context: &Kustomizations,
    source_namespace: &str,
) -> Result<(), Failure> {
    let requeue = context.settings.dependency_requeue;
    reconciler::check_dependencies(&context.client, kustomization, requeue, |dependency, dependency_namespace| {
        let reference = &dependency.spec.source_ref;
        let same_source = reference.name == kustomization.spec.source_ref.name
            && reference.namespace.as_deref().unwrap_or(dependency_namespace) == source_namespace;
        let status = dependency.status.as_ref()?;
        (same_source && status.last_applied_revision != status.last_attempted_revision)
            .then_some("is not up to date with its source revision")
    })
    .await
}
