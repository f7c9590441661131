//! The Bucket controller: indexes an object storage bucket over the S3 API (the keys under
//! `spec.prefix` and their entity tags, minus what the bucket's `.sourceignore` and
//! `spec.ignore` leave out), and when the index's digest — the revision — changed, downloads
//! the objects into a new artifact, as source-controller does with its `generic` provider.
//! Only static keys work: the cloud providers' identities (`aws`, `gcp`, `azure`) and STS are
//! refused with a message saying so.

use std::sync::Arc;
use std::time::Duration;

use kube::ResourceExt;
use weir_api::meta::Artifact;
use weir_api::source::{Bucket, BucketProvider, BucketStatus};
use weir_go_compat::time::parse_duration;
use weir_source::ArtifactStore;
use weir_source::bucket::{BucketClient, BucketCredentials, BucketError, BucketRequest};

use crate::conditions::{self, reason};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::{Settings, secrets};

/// The Bucket controller's own state.
pub struct Buckets {
    artifacts: Arc<ArtifactStore>,
    retention: usize,
}

impl Buckets {
    pub fn new(settings: &Settings) -> std::io::Result<Self> {
        Ok(Self {
            artifacts: Arc::new(ArtifactStore::new(settings.storage_dir.join("artifacts"))?),
            retention: settings.artifact_retention.max(1),
        })
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(lifecycle: Arc<Lifecycle<Buckets>>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    reconciler::run(reconciler::controller(&lifecycle), lifecycle, shutdown).await;
}

impl Reconciler for Buckets {
    type Object = Bucket;
    const CONTROLLER: &'static str = "source-controller";
    const SHOWS_RECHECKS_IN_PROGRESS: bool = false;

    async fn reconcile(
        &self,
        bucket: &Bucket,
        status: &mut BucketStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        supported(bucket)?;
        let credentials = credentials(bucket, &context.client).await?;
        let (artifact, new) = self.fetch(bucket, credentials, status).await?;
        let message = format!("stored artifact: revision '{}'", artifact.revision);
        let generation = bucket.metadata.generation;
        let conditions = status.conditions.get_or_insert_default();
        conditions::set(conditions, conditions::ARTIFACT_IN_STORAGE, true, reason::SUCCEEDED, &message, generation);
        if let Some(files) = new {
            let note = format!("stored artifact with {files} fetched files from '{}' bucket", bucket.spec.bucket_name);
            tracing::info!(namespace = bucket.namespace(), name = bucket.name_any(), revision = %artifact.revision, "{note}");
            context.publish(bucket, false, "NewArtifact", note).await;
        }
        status.url = Some(artifact.url.clone());
        status.artifact = Some(artifact);
        status.observed_ignore = bucket.spec.ignore.clone();
        Ok(Ready::new(reason::SUCCEEDED, message))
    }

    async fn finalize(&self, bucket: &Bucket, _: &Lifecycle<Self>) {
        crate::remove_artifacts(&self.artifacts, bucket).await;
    }

    fn progress_message(&self, _: &Bucket) -> String {
        "building artifact".into()
    }
}

impl Buckets {
    /// Indexes the bucket and, when its revision is not the artifact's, downloads it into a new
    /// one; the artifact, and the number of fetched files when it is new.
    async fn fetch(
        &self,
        bucket: &Bucket,
        credentials: BucketCredentials,
        status: &BucketStatus,
    ) -> Result<(Artifact, Option<usize>), Failure> {
        let spec = &bucket.spec;
        let request = BucketRequest {
            bucket_name: spec.bucket_name.clone(),
            endpoint: spec.endpoint.clone(),
            insecure: spec.insecure == Some(true),
            region: spec.region.clone(),
            prefix: spec.prefix.clone(),
            ignore: spec.ignore.clone(),
            timeout: timeout(bucket),
        };
        let owner = crate::artifact_owner(bucket).map_err(|error| Failure::invalid_spec("metadata.name", error))?;
        let (artifacts, retention) = (self.artifacts.clone(), self.retention);
        let previous = status.artifact.clone();
        let work = move || -> Result<(Artifact, Option<usize>), BucketError> {
            let client = BucketClient::new(request, &credentials)?;
            let snapshot = client.snapshot()?;
            let revision = snapshot.revision();
            if let Some(previous) =
                previous.filter(|previous| previous.revision == revision && artifacts.path_of(&previous.path).is_dir())
            {
                return Ok((previous, None));
            }
            let (stored, index) = client.store_artifact(snapshot, &artifacts, &owner)?;
            if let Err(error) = artifacts.garbage_collect(&owner, retention) {
                tracing::warn!(%owner, %error, "artifact garbage collection failed");
            }
            Ok((crate::artifact(stored), Some(index.len())))
        };
        match tokio::task::spawn_blocking(work).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(error)) => {
                tracing::warn!(namespace = bucket.namespace(), name = bucket.name_any(), %error, "bucket fetch failed");
                Err(failure(error))
            }
            Err(panicked) => Err(Failure::new(
                reason::BUCKET_OPERATION_FAILED,
                format!("bucket fetch task failed: {panicked}"),
                Retry::Backoff,
            )),
        }
    }
}

/// Refuses what weir cannot fetch with: cloud identities and STS. Stalled, since only a
/// change of the spec helps.
fn supported(bucket: &Bucket) -> Result<(), Failure> {
    let spec = &bucket.spec;
    let provider = spec.provider.clone().unwrap_or(BucketProvider::Generic);
    if provider != BucketProvider::Generic {
        return Err(Failure::invalid_spec(
            "spec.provider",
            format!(
                "the '{}' provider is not supported by weir: only static keys work (provider 'generic' with \
                 'accesskey' and 'secretkey' in spec.secretRef, over the S3 API)",
                provider.as_str()
            ),
        ));
    }
    if spec.sts.is_some() {
        return Err(Failure::invalid_spec(
            "spec.sts",
            "a Security Token Service is not supported by weir: only static keys in spec.secretRef work",
        ));
    }
    if spec.service_account_name.is_some() {
        return Err(Failure::invalid_spec(
            "spec.serviceAccountName",
            "workload identity is not supported by weir: only static keys in spec.secretRef work",
        ));
    }
    Ok(())
}

/// Static keys, TLS and proxy from `secretRef`, `certSecretRef` and `proxySecretRef`.
async fn credentials(bucket: &Bucket, client: &kube::Client) -> Result<BucketCredentials, Failure> {
    let namespace = bucket.namespace().unwrap_or_default();
    let read = |name: String, what: &'static str| {
        let namespace = namespace.clone();
        async move {
            let data = secrets::secret_data(client, &namespace, &name).await.map_err(|error| {
                Failure::new(
                    reason::AUTHENTICATION_FAILED,
                    format!("failed to get {what}secret '{namespace}/{name}': {error}"),
                    Retry::Backoff,
                )
            })?;
            Ok::<_, Failure>((name, data))
        }
    };
    let spec = &bucket.spec;
    let auth = match &spec.secret_ref {
        Some(secret) => Some(read(secret.name.clone(), "").await?),
        None => None,
    };
    let cert = match &spec.cert_secret_ref {
        Some(secret) => Some(read(secret.name.clone(), "TLS ").await?),
        None => None,
    };
    let proxy = match &spec.proxy_secret_ref {
        Some(secret) => Some(read(secret.name.clone(), "proxy ").await?),
        None => None,
    };
    BucketCredentials::from_secrets(view(&auth), view(&cert), view(&proxy)).map_err(failure)
}

type Secret = (String, std::collections::BTreeMap<String, Vec<u8>>);

fn view(secret: &Option<Secret>) -> Option<(&str, &std::collections::BTreeMap<String, Vec<u8>>)> {
    secret.as_ref().map(|(name, data)| (name.as_str(), data))
}

/// A bucket error as the condition Flux sets for it.
fn failure(error: BucketError) -> Failure {
    match error {
        BucketError::Endpoint { .. } => Failure::new(reason::URL_INVALID, error.to_string(), Retry::Stalled),
        BucketError::Credentials(_) => Failure::new(reason::AUTHENTICATION_FAILED, error.to_string(), Retry::Backoff),
        BucketError::Store { .. } => Failure::new(reason::STORAGE_OPERATION_FAILED, error.to_string(), Retry::Backoff),
        _ => Failure::new(reason::BUCKET_OPERATION_FAILED, error.to_string(), Retry::Backoff),
    }
}

/// `spec.timeout` of the fetches; a minute by default, as Flux.
fn timeout(bucket: &Bucket) -> Duration {
    bucket.spec.timeout.as_deref().and_then(|text| parse_duration(text).ok()).unwrap_or(Duration::from_secs(60))
}
