//! The first step: the source's artifact, and the dependencies that must be Ready first.

use kube::ResourceExt;
use kube::api::Api;
use weir_api::kustomize::{Kustomization, SourceKind};
use weir_api::meta::Artifact;
use weir_api::source::{Bucket, GitRepository, OCIRepository};
use weir_api::status::ArtifactSource;
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
    let kind = source_kind_name(&reference.kind);
    let described = format!("{kind}/{source_namespace}/{}", reference.name);
    if context.settings.no_cross_namespace_refs && source_namespace != namespace {
        return Err(failed(
            reason::ACCESS_DENIED,
            format!("can't access '{described}', cross-namespace references have been blocked"),
        ));
    }
    let (client, name) = (&context.client, reference.name.as_str());
    let artifact = match reference.kind {
        SourceKind::GitRepository => latest_artifact::<GitRepository>(client, &source_namespace, name).await,
        SourceKind::OCIRepository => latest_artifact::<OCIRepository>(client, &source_namespace, name).await,
        SourceKind::Bucket => latest_artifact::<Bucket>(client, &source_namespace, name).await,
        SourceKind::ExternalArtifact => {
            return Err(failed(reason::ARTIFACT_FAILED, format!("source '{described}' is not supported yet")));
        }
    };
    match artifact {
        Ok(Some(Some(artifact))) => Ok((source_namespace, artifact)),
        Ok(Some(None)) => Err(Failure::new(
            reason::ARTIFACT_FAILED,
            format!("Source artifact not found, retrying in {}", format_duration(context.settings.dependency_requeue)),
            Retry::After(context.settings.dependency_requeue),
        )),
        Ok(None) => Err(failed(reason::ARTIFACT_FAILED, format!("Source '{described}' not found"))),
        Err(error) => Err(failed(reason::ARTIFACT_FAILED, format!("reading '{described}': {error}"))),
    }
}

/// The kind as the API spells it.
fn source_kind_name(kind: &SourceKind) -> String {
    serde_json::to_value(kind).ok().and_then(|kind| kind.as_str().map(str::to_owned)).unwrap_or_default()
}

/// The source's artifact: `None` when there is no such source, `Some(None)` before its first.
async fn latest_artifact<K: ArtifactSource>(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Option<Option<Artifact>>, kube::Error> {
    let source = Api::<K>::namespaced(client.clone(), namespace).get_opt(name).await?;
    Ok(source.map(|source| source.artifact().cloned()))
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
