//! The GitRepository controller: fetches the repository (incrementally, into a
//! clone cache), resolves the reference, stores the revision's tree as an
//! artifact and reports it in `status.artifact`, as Flux's source-controller does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use weir_api::meta::Artifact;
use weir_api::source::{GitRepository, GitRepositoryStatus};
use weir_source::{ArtifactStore, FetchRequest, GitClient, GitCredentials, GitError, GitReference, IgnoreRules};

use crate::conditions::{self, reason};
use crate::object::{self, publish, reconcile_request, reconcile_worthy};
use crate::{Settings, duration};

const CONTROLLER: &str = "source-controller";
/// The artifact store's directory for this kind.
const KIND: &str = "gitrepository";
/// The first retry after a failure; each further one waits twice as long, up to the interval.
const FIRST_RETRY: Duration = Duration::from_millis(750);

/// What the controller works with.
pub struct Context {
    client: Client,
    git: Arc<GitClient>,
    artifacts: Arc<ArtifactStore>,
    retention: usize,
    recorder: Recorder,
    /// Consecutive failures per object, for exponential backoff.
    failures: Mutex<HashMap<String, u32>>,
}

impl Context {
    pub fn new(client: Client, settings: &Settings) -> std::io::Result<Self> {
        let recorder = Recorder::new(client.clone(), Reporter { controller: CONTROLLER.into(), instance: None });
        Ok(Self {
            git: Arc::new(GitClient::new(settings.storage_dir.join("git"))),
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
            recorder,
            client,
            failures: Mutex::default(),
        })
    }

    /// How long to wait after this failure: 750ms, 1.5s, 3s, ... never beyond `interval`.
    fn backoff(&self, key: &str, interval: Duration) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = failures.entry(key.to_owned()).or_insert(0);
        let delay = FIRST_RETRY.saturating_mul(1u32 << (*count).min(20));
        *count += 1;
        delay.min(interval)
    }

    fn recovered(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("talking to the API server: {0}")]
    Kube(#[from] kube::Error),
}

/// Runs the controller until `shutdown`.
pub async fn run(context: Arc<Context>, shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static) {
    let api = Api::<GitRepository>::all(context.client.clone());
    let (reader, writer) = reflector::store();
    let stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(reconcile_worthy, Default::default());
    Controller::for_stream(stream, reader)
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, context)
        .for_each(|outcome| async move {
            if let Err(error) = outcome {
                tracing::debug!(%error, "gitrepository reconcile error");
            }
        })
        .await;
}

fn error_policy(_: Arc<GitRepository>, error: &Error, _: Arc<Context>) -> Action {
    tracing::warn!(%error, "gitrepository reconciliation failed");
    Action::requeue(Duration::from_secs(5))
}

/// Reconciles one GitRepository.
pub async fn reconcile(repository: Arc<GitRepository>, context: Arc<Context>) -> Result<Action, Error> {
    let namespace = repository.namespace().unwrap_or_default();
    let name = repository.name_any();
    let key = format!("{namespace}/{name}");
    let api = Api::<GitRepository>::namespaced(context.client.clone(), &namespace);
    if repository.metadata.deletion_timestamp.is_some() {
        let artifacts = context.artifacts.clone();
        let (namespace, name) = (namespace.clone(), name.clone());
        let removed = tokio::task::spawn_blocking(move || artifacts.remove_all(KIND, &namespace, &name)).await;
        if let Ok(Err(error)) = removed {
            tracing::warn!(%key, %error, "removing artifacts failed");
        }
        context.recovered(&key);
        object::remove_finalizer(&api, &*repository).await?;
        return Ok(Action::await_change());
    }
    // The finalizer write changes neither generation nor requests, so carry on with this reconciliation.
    object::ensure_finalizer(&api, &*repository).await?;
    if repository.spec.suspend == Some(true) {
        tracing::info!(%key, "reconciliation is suspended");
        return Ok(Action::await_change());
    }
    let generation = repository.metadata.generation;
    let mut status = repository.status.clone().unwrap_or_default();
    if let Some(token) = reconcile_request(&*repository, status.last_handled_reconcile_at.as_deref()) {
        status.last_handled_reconcile_at = Some(token);
    }
    let mut conditions = status.conditions.take().unwrap_or_default();
    let action = match duration::parse(&repository.spec.interval) {
        Err(message) => {
            let message = format!("spec.interval: {message}");
            conditions::set(&mut conditions, conditions::READY, false, reason::INVALID_SPEC, &message, generation);
            conditions::set(&mut conditions, conditions::STALLED, true, reason::INVALID_SPEC, &message, generation);
            Action::await_change()
        }
        Ok(interval) => match fetch(&repository, &context, &status).await {
            Ok((artifact, new)) => {
                context.recovered(&key);
                let message = format!("stored artifact for revision '{}'", artifact.revision);
                for kind in [conditions::READY, conditions::ARTIFACT_IN_STORAGE] {
                    conditions::set(&mut conditions, kind, true, reason::SUCCEEDED, &message, generation);
                }
                conditions::remove(&mut conditions, conditions::STALLED);
                if let Some(commit_message) = new {
                    tracing::info!(%key, revision = %artifact.revision, "stored new artifact");
                    let note = format!("stored artifact for commit '{commit_message}'");
                    publish(&context.recorder, &*repository, false, "NewArtifact", note).await;
                }
                status.artifact = Some(artifact);
                status.observed_ignore = repository.spec.ignore.clone();
                Action::requeue(interval)
            }
            Err((reason, message)) => {
                conditions::set(&mut conditions, conditions::READY, false, reason, &message, generation);
                tracing::warn!(%key, %reason, %message, "fetch failed");
                publish(&context.recorder, &*repository, true, reason, message).await;
                Action::requeue(context.backoff(&key, interval))
            }
        },
    };
    conditions::remove(&mut conditions, conditions::RECONCILING);
    status.conditions = Some(conditions);
    status.observed_generation = generation;
    object::patch_status(&api, &name, &status).await?;
    Ok(action)
}

/// Fetches and stores the revision: the artifact, and the commit message when it is new.
async fn fetch(
    repository: &GitRepository,
    context: &Context,
    status: &GitRepositoryStatus,
) -> Result<(Artifact, Option<String>), (&'static str, String)> {
    let namespace = repository.namespace().unwrap_or_default();
    let name = repository.name_any();
    let spec = &repository.spec;
    let credentials = match &spec.secret_ref {
        Some(secret) => {
            let data = object::secret_data(&context.client, &namespace, &secret.name).await.map_err(|error| {
                (reason::AUTHENTICATION_FAILED, format!("failed to get secret '{namespace}/{}': {error}", secret.name))
            })?;
            GitCredentials::from_secret_data(&data)
        }
        None => GitCredentials::default(),
    };
    let timeout =
        spec.timeout.as_deref().and_then(|text| duration::parse(text).ok()).unwrap_or(Duration::from_secs(60));
    let reference = GitReference::from_spec(spec.reference.as_ref());
    let url = spec.url.clone();
    let ignore = IgnoreRules::new(spec.ignore.as_deref());
    let (git, artifacts, retention) = (context.git.clone(), context.artifacts.clone(), context.retention);
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
        let stored = git.store_artifact(&key, &commit, &ignore, &artifacts, KIND, &namespace, &name)?;
        if let Err(error) = artifacts.garbage_collect(KIND, &namespace, &name, retention) {
            tracing::warn!(%key, %error, "artifact garbage collection failed");
        }
        let artifact = Artifact {
            path: stored.path,
            url: stored.url,
            revision: stored.revision,
            digest: Some(stored.digest),
            last_update_time: conditions::now(),
            size: i64::try_from(stored.size).ok(),
            metadata: None,
        };
        Ok((artifact, Some(commit.message.lines().next().unwrap_or_default().to_owned())))
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(error)) => {
            let reason = match &error {
                GitError::Auth { .. } | GitError::HostKey { .. } => reason::AUTHENTICATION_FAILED,
                GitError::Io { .. } => reason::STORAGE_OPERATION_FAILED,
                _ => reason::GIT_OPERATION_FAILED,
            };
            Err((reason, error.to_string()))
        }
        Err(panicked) => Err((reason::GIT_OPERATION_FAILED, format!("fetch task failed: {panicked}"))),
    }
}
