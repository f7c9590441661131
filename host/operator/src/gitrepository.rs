//! The GitRepository controller: fetches the repository (incrementally, into a
//! clone cache), resolves the reference, stores the revision's tree as an
//! artifact and reports it in `status.artifact`, as Flux's source-controller does.

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use weir_api::meta::Artifact;
use weir_api::source::{GitRepository, GitRepositoryStatus};
use weir_go_compat::time::parse_duration;
use weir_source::{ArtifactStore, FetchRequest, GitClient, GitCredentials, GitError, GitReference, IgnoreRules};

use crate::conditions::{self, reason};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::{Settings, secrets};

/// The GitRepository controller's own state.
pub struct GitRepositories {
    git: Arc<GitClient>,
    artifacts: Arc<ArtifactStore>,
    retention: usize,
}

impl GitRepositories {
    pub fn new(settings: &Settings) -> std::io::Result<Self> {
        Ok(Self {
            git: Arc::new(GitClient::new(settings.storage_dir.join("git"))),
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
        })
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(
    lifecycle: Arc<Lifecycle<GitRepositories>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    reconciler::run(reconciler::controller(&lifecycle), lifecycle, shutdown).await;
}

impl Reconciler for GitRepositories {
    type Object = GitRepository;
    const CONTROLLER: &'static str = "source-controller";
    const SHOWS_RECHECKS_IN_PROGRESS: bool = false;

    async fn reconcile(
        &self,
        repository: &GitRepository,
        status: &mut GitRepositoryStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        let generation = repository.metadata.generation;
        let (artifact, new) = fetch(repository, self, &context.client, status).await.map_err(|(reason, message)| {
            tracing::warn!(namespace = repository.namespace(), name = repository.name_any(), %reason, %message, "fetch failed");
            Failure::new(reason, message, Retry::Backoff)
        })?;
        let message = format!("stored artifact for revision '{}'", artifact.revision);
        let conditions = status.conditions.get_or_insert_default();
        conditions::set(conditions, conditions::ARTIFACT_IN_STORAGE, true, reason::SUCCEEDED, &message, generation);
        if let Some(commit_message) = new {
            tracing::info!(namespace = repository.namespace(), name = repository.name_any(), revision = %artifact.revision, "stored new artifact");
            let note = format!("stored artifact for commit '{commit_message}'");
            context.publish(repository, false, "NewArtifact", note).await;
        }
        status.artifact = Some(artifact);
        status.observed_ignore = repository.spec.ignore.clone();
        Ok(Ready::new(reason::SUCCEEDED, message))
    }

    async fn finalize(&self, repository: &GitRepository, _: &Lifecycle<Self>) {
        crate::remove_artifacts(&self.artifacts, repository).await;
    }

    fn progress_message(&self, _: &GitRepository) -> String {
        "building artifact".into()
    }
}

/// Fetches and stores the revision: the artifact, and the commit message when it is new.
async fn fetch(
    repository: &GitRepository,
    controller: &GitRepositories,
    client: &kube::Client,
    status: &GitRepositoryStatus,
) -> Result<(Artifact, Option<String>), (&'static str, String)> {
    let namespace = repository.namespace().unwrap_or_default();
    let name = repository.name_any();
    let spec = &repository.spec;
    let credentials = match &spec.secret_ref {
        Some(secret) => {
            let data = secrets::secret_data(client, &namespace, &secret.name).await.map_err(|error| {
                (reason::AUTHENTICATION_FAILED, format!("failed to get secret '{namespace}/{}': {error}", secret.name))
            })?;
            GitCredentials::from_secret_data(&data)
        }
        None => GitCredentials::default(),
    };
    let timeout = spec.timeout.as_deref().and_then(|text| parse_duration(text).ok()).unwrap_or(Duration::from_secs(60));
    let reference = GitReference::from_spec(spec.reference.as_ref());
    let url = spec.url.clone();
    let ignore = IgnoreRules::new(spec.ignore.as_deref());
    let (git, artifacts, retention) = (controller.git.clone(), controller.artifacts.clone(), controller.retention);
    let owner = crate::artifact_owner(repository).map_err(|error| (reason::INVALID_SPEC, error.to_string()))?;
    // The last artifact still serves when neither the revision nor the ignore rules changed.
    let previous = status.artifact.clone().filter(|_| status.observed_ignore == spec.ignore);
    let key = format!("{namespace}/{name}");
    let work = move || -> Result<(Artifact, Option<String>), GitError> {
        let request = FetchRequest { key: &key, url: &url, reference: &reference, credentials: &credentials, timeout };
        let commit = git.fetch(&request)?;
        if let Some(previous) = previous
            .filter(|previous| previous.revision == commit.revision && artifacts.path_of(&previous.path).is_dir())
        {
            return Ok((previous, None));
        }
        let stored = git.store_artifact(&key, &commit, &ignore, &artifacts, &owner)?;
        if let Err(error) = artifacts.garbage_collect(&owner, retention) {
            tracing::warn!(%key, %error, "artifact garbage collection failed");
        }
        Ok((crate::artifact(stored), Some(commit.message.lines().next().unwrap_or_default().to_owned())))
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(error)) => {
            let reason = match &error {
                GitError::Auth { .. } | GitError::HostKey { .. } => reason::AUTHENTICATION_FAILED,
                GitError::Io { .. } | GitError::Store(_) => reason::STORAGE_OPERATION_FAILED,
                _ => reason::GIT_OPERATION_FAILED,
            };
            Err((reason, error.to_string()))
        }
        Err(panicked) => Err((reason::GIT_OPERATION_FAILED, format!("fetch task failed: {panicked}"))),
    }
}
