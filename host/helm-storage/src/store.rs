//! Helm's Secret driver over a `kube::Client`, for one storage namespace
//! (where Helm keeps a release's Secrets: the namespace `helm -n` names).

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::{Client, Error as KubeError};

use crate::release::Release;
use crate::secret::{self, CodecError, OWNER, Stamp};
use crate::time::Timestamp;

/// Why a store call failed; each names the release and its Secret.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("release {release} v{version} not found: no Secret {namespace}/{secret}")]
    NotFound { release: String, version: i64, namespace: String, secret: String },
    #[error("release {release} v{version} already exists: Secret {namespace}/{secret}")]
    AlreadyExists { release: String, version: i64, namespace: String, secret: String },
    #[error("{action} release {release} (Secret {namespace}/{secret}): {source}")]
    Api { action: &'static str, release: String, namespace: String, secret: String, source: KubeError },
    #[error("listing the history of release {release} in {namespace}: {source}")]
    List { release: String, namespace: String, source: KubeError },
    #[error(transparent)]
    Codec(#[from] CodecError),
}

/// The release Secrets of one namespace.
#[derive(Clone)]
pub struct ReleaseStore {
    api: Api<Secret>,
    namespace: String,
}

impl ReleaseStore {
    pub fn new(client: Client, namespace: &str) -> Self {
        Self { api: Api::namespaced(client, namespace), namespace: namespace.to_owned() }
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// Every revision of release `name` (Secrets labelled `owner=helm,name=<name>`,
    /// as Helm's `History` queries), oldest first; empty when there is none.
    /// Unlike Helm, which skips a record it cannot decode, this fails naming it.
    pub async fn history(&self, name: &str) -> Result<Vec<Release>, StoreError> {
        let selector = ListParams::default().labels(&format!("owner={OWNER},name={name}"));
        let list = self.api.list(&selector).await.map_err(|source| StoreError::List {
            release: name.to_owned(),
            namespace: self.namespace.clone(),
            source,
        })?;
        let mut history = list.items.iter().map(secret::from_secret).collect::<Result<Vec<_>, _>>()?;
        history.sort_by_key(|release| release.version);
        Ok(history)
    }

    /// Revision `version` of release `name`.
    pub async fn get(&self, name: &str, version: i64) -> Result<Release, StoreError> {
        let key = secret::secret_name(name, version);
        match self.api.get_opt(&key).await {
            Ok(Some(found)) => Ok(secret::from_secret(&found)?),
            Ok(None) => Err(self.not_found(name, version, key)),
            Err(source) => Err(self.api_error("getting", name, key, source)),
        }
    }

    /// Writes a new revision, labelled `createdAt` now; fails with
    /// [`StoreError::AlreadyExists`] if its Secret exists.
    pub async fn create(&self, release: &Release) -> Result<(), StoreError> {
        let object = secret::to_secret(release, Stamp::CreatedAt(Timestamp::now().unix_seconds()))?;
        let key = secret::secret_name(&release.name, release.version);
        match self.api.create(&PostParams::default(), &object).await {
            Ok(_) => Ok(()),
            Err(KubeError::Api(status)) if status.is_already_exists() => Err(StoreError::AlreadyExists {
                release: release.name.clone(),
                version: release.version,
                namespace: self.namespace.clone(),
                secret: key,
            }),
            Err(source) => Err(self.api_error("creating", &release.name, key, source)),
        }
    }

    /// Rewrites an existing revision (a status change), labelled `modifiedAt`
    /// now; replaces the Secret unconditionally, as Helm does.
    pub async fn update(&self, release: &Release) -> Result<(), StoreError> {
        let object = secret::to_secret(release, Stamp::ModifiedAt(Timestamp::now().unix_seconds()))?;
        let key = secret::secret_name(&release.name, release.version);
        match self.api.replace(&key, &PostParams::default(), &object).await {
            Ok(_) => Ok(()),
            Err(KubeError::Api(status)) if status.is_not_found() => {
                Err(self.not_found(&release.name, release.version, key))
            }
            Err(source) => Err(self.api_error("updating", &release.name, key, source)),
        }
    }

    /// Deletes revision `version` of release `name` (pruning, uninstall).
    pub async fn delete(&self, name: &str, version: i64) -> Result<(), StoreError> {
        let key = secret::secret_name(name, version);
        match self.api.delete(&key, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(KubeError::Api(status)) if status.is_not_found() => Err(self.not_found(name, version, key)),
            Err(source) => Err(self.api_error("deleting", name, key, source)),
        }
    }

    fn not_found(&self, release: &str, version: i64, secret: String) -> StoreError {
        StoreError::NotFound { release: release.to_owned(), version, namespace: self.namespace.clone(), secret }
    }

    fn api_error(&self, action: &'static str, release: &str, secret: String, source: KubeError) -> StoreError {
        StoreError::Api { action, release: release.to_owned(), namespace: self.namespace.clone(), secret, source }
    }
}
