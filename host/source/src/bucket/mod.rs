//! Object storage buckets over the S3 API, as source-controller fetches a Bucket with its
//! `generic` provider:
//!
//! 1. the bucket must exist;
//! 2. its root's `.sourceignore` is downloaded first, and with `spec.ignore` decides which keys
//!    stay out (no default exclusions, unlike Git);
//! 3. every key under `spec.prefix` is listed (all pages), directory markers and ignored keys
//!    skipped, into an [`EtagIndex`] of key → entity tag;
//! 4. the revision is the digest of that index ([`EtagIndex::revision`]), so an unchanged
//!    bucket has the same revision and needs no download;
//! 5. otherwise every indexed object is streamed into the artifact, the index following what
//!    the downloads say (a changed entity tag, an object gone meanwhile).
//!
//! Credentials are static keys (`accesskey`, `secretkey`); requests are presigned with SigV4.
//! Neither keys nor signed URLs are logged or written anywhere.

mod s3;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use reqwest::blocking::Client;
use sha2::{Digest as _, Sha256};

use crate::ignore::{IgnoreMatcher, IgnoreRules, SOURCE_IGNORE_FILE};
use crate::store::{ArtifactOwner, ArtifactStore, StoreError, StoredArtifact};
pub use s3::S3Error;

/// The region requests are signed for when `spec.region` is unset, as S3 clients default.
const DEFAULT_REGION: &str = "us-east-1";

/// Why a bucket could not be fetched. Messages follow source-controller's, naming the bucket,
/// and the S3 errors name the endpoint and what it answered.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// `spec.endpoint` is not a `host[:port]`.
    #[error("invalid endpoint '{endpoint}' of bucket '{bucket}': {message}")]
    Endpoint { bucket: String, endpoint: String, message: String },
    /// Credentials, TLS material or a proxy that cannot be used.
    #[error("{0}")]
    Credentials(String),
    #[error("failed to confirm existence of '{bucket}' bucket: {source}")]
    Exists {
        bucket: String,
        #[source]
        source: S3Error,
    },
    #[error("bucket '{bucket}' not found at {endpoint}")]
    NotFound { bucket: String, endpoint: String },
    #[error("failed to get Etag for '.sourceignore' object of '{bucket}' bucket: {source}")]
    SourceIgnore {
        bucket: String,
        #[source]
        source: S3Error,
    },
    #[error(
        "indexation of objects from bucket '{bucket}' failed: listing objects from bucket '{bucket}' failed: {source}"
    )]
    Index {
        bucket: String,
        #[source]
        source: S3Error,
    },
    #[error("fetch from bucket '{bucket}' failed: failed to get '{key}' object: {message}")]
    Fetch { bucket: String, key: String, message: String },
    /// A key that would not stay inside the artifact as a path (`..`, absolute, empty parts).
    #[error("refusing object key '{key}' of bucket '{bucket}': it is not a relative path inside the artifact")]
    UnsafeKey { bucket: String, key: String },
    #[error("storing the artifact of bucket '{bucket}': {source}")]
    Store {
        bucket: String,
        #[source]
        source: StoreError,
    },
}

/// The static keys and TLS of one Bucket, read from its Secrets. In memory only: handed to the
/// signer and the HTTP client, never written or logged.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct BucketCredentials {
    /// `accesskey` and `secretkey` of `secretRef`; unsigned requests without.
    keys: Option<(String, String)>,
    /// `ca.crt`, `tls.crt`, `tls.key` of `certSecretRef`.
    ca_pem: Option<Vec<u8>>,
    client_cert: Option<(Vec<u8>, Vec<u8>)>,
    /// `address`, `username`, `password` of `proxySecretRef`.
    proxy: Option<(String, Option<(String, String)>)>,
}

type SecretData = BTreeMap<String, Vec<u8>>;

impl BucketCredentials {
    /// Reads the Secrets of `secretRef` (`name`, data), `certSecretRef` and `proxySecretRef`
    /// with Flux's keys and Flux's complaints.
    pub fn from_secrets(
        auth: Option<(&str, &SecretData)>,
        cert: Option<(&str, &SecretData)>,
        proxy: Option<(&str, &SecretData)>,
    ) -> Result<Self, BucketError> {
        let text = |data: &SecretData, key: &str| {
            data.get(key).filter(|value| !value.is_empty()).map(|value| String::from_utf8_lossy(value).into_owned())
        };
        let keys = match auth {
            Some((name, data)) => match (text(data, "accesskey"), text(data, "secretkey")) {
                (Some(access), Some(secret)) => Some((access, secret)),
                _ => {
                    return Err(BucketError::Credentials(format!(
                        "invalid '{name}' secret data: required fields 'accesskey' and 'secretkey'"
                    )));
                }
            },
            None => None,
        };
        let bytes = |data: &SecretData, key: &str| data.get(key).filter(|value| !value.is_empty()).cloned();
        let (ca_pem, client_cert) = match cert {
            Some((name, data)) => {
                let client = match (bytes(data, "tls.crt"), bytes(data, "tls.key")) {
                    (Some(cert), Some(key)) => Some((cert, key)),
                    (None, None) => None,
                    _ => {
                        return Err(BucketError::Credentials(format!(
                            "invalid '{name}' secret data: a client certificate needs both 'tls.crt' and 'tls.key'"
                        )));
                    }
                };
                let ca = bytes(data, "ca.crt");
                if ca.is_none() && client.is_none() {
                    return Err(BucketError::Credentials(format!(
                        "invalid '{name}' secret data: must contain either 'ca.crt' or both 'tls.crt' and 'tls.key'"
                    )));
                }
                (ca, client)
            }
            None => (None, None),
        };
        let proxy = match proxy {
            Some((name, data)) => {
                let Some(address) = text(data, "address") else {
                    return Err(BucketError::Credentials(format!(
                        "invalid proxy secret '{name}': key 'address' is missing"
                    )));
                };
                let login = match (text(data, "username"), text(data, "password")) {
                    (Some(username), Some(password)) => Some((username, password)),
                    (None, None) => None,
                    _ => {
                        return Err(BucketError::Credentials(format!(
                            "invalid proxy secret '{name}': 'username' and 'password' go together"
                        )));
                    }
                };
                Some((address, login))
            }
            None => None,
        };
        Ok(BucketCredentials { keys, ca_pem, client_cert, proxy })
    }

    /// Static keys, for tests and callers that have them at hand.
    pub fn with_keys(access_key: &str, secret_key: &str) -> Self {
        BucketCredentials { keys: Some((access_key.to_owned(), secret_key.to_owned())), ..Default::default() }
    }
}

/// Shows which credentials are present, never their values.
impl fmt::Debug for BucketCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let present = |value: bool| if value { "<redacted>" } else { "<none>" };
        f.debug_struct("BucketCredentials")
            .field("keys", &present(self.keys.is_some()))
            .field("ca_pem", &present(self.ca_pem.is_some()))
            .field("client_cert", &present(self.client_cert.is_some()))
            .field("proxy", &present(self.proxy.is_some()))
            .finish()
    }
}

/// What to fetch: a Bucket's spec, as the client needs it.
#[derive(Debug, Clone, Default)]
pub struct BucketRequest {
    pub bucket_name: String,
    /// `host[:port]`, as Flux's `spec.endpoint`.
    pub endpoint: String,
    /// Plain HTTP.
    pub insecure: bool,
    pub region: Option<String>,
    pub prefix: Option<String>,
    /// `spec.ignore`.
    pub ignore: Option<String>,
    /// Each fetch (the index, then the objects) must finish within this.
    pub timeout: Duration,
}

/// The keys of a bucket's objects and their entity tags, from which the revision comes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EtagIndex {
    entries: BTreeMap<String, String>,
}

impl EtagIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, key: impl Into<String>, etag: impl Into<String>) {
        self.entries.insert(key.into(), etag.into());
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// source-controller's revision of a bucket (`internal/index.Digester` with SHA-256): the
    /// digest over one `<key> <etag>\n` line per object, keys in byte order, as `sha256:<hex>`.
    pub fn revision(&self) -> String {
        let mut hasher = Sha256::new();
        // A BTreeMap of Strings iterates in byte order, as Go's sort.Strings sorts.
        for (key, etag) in &self.entries {
            hasher.update(key.as_bytes());
            hasher.update(b" ");
            hasher.update(etag.as_bytes());
            hasher.update(b"\n");
        }
        format!("sha256:{}", hex::encode(hasher.finalize()))
    }
}

/// The state of a bucket: its index and revision, and what building its artifact needs.
pub struct BucketSnapshot {
    pub index: EtagIndex,
    source_ignore: Option<Vec<u8>>,
}

impl BucketSnapshot {
    pub fn revision(&self) -> String {
        self.index.revision()
    }
}

/// A client for one Bucket, for one reconciliation.
pub struct BucketClient {
    request: BucketRequest,
    s3: s3::S3Bucket,
}

impl BucketClient {
    pub fn new(request: BucketRequest, credentials: &BucketCredentials) -> Result<Self, BucketError> {
        let bucket = request.bucket_name.clone();
        let invalid = |message: String| BucketError::Endpoint {
            bucket: bucket.clone(),
            endpoint: request.endpoint.clone(),
            message,
        };
        let endpoint = request.endpoint.trim();
        if endpoint.is_empty() || endpoint.contains("://") || endpoint.contains('/') {
            return Err(invalid(
                "an endpoint is 'host[:port]', without a scheme or path (spec.insecure selects plain HTTP)".into(),
            ));
        }
        let scheme = if request.insecure { "http" } else { "https" };
        let base =
            reqwest::Url::parse(&format!("{scheme}://{endpoint}/")).map_err(|error| invalid(error.to_string()))?;
        let host = base.host_str().unwrap_or_default().to_ascii_lowercase();
        // As minio-go's automatic lookup: virtual hosts on AWS for names that can be one.
        let path_style = !(host.ends_with(".amazonaws.com")
            && is_dns_label(&bucket)
            && !(scheme == "https" && bucket.contains('.')));

        let mut builder =
            Client::builder().timeout(request.timeout).user_agent(concat!("weir-source/", env!("CARGO_PKG_VERSION")));
        // Also for plain HTTP: the client has no TLS of its own (a proxy may still speak it).
        let material = weir_tls::TlsMaterial {
            ca_pem: credentials.ca_pem.as_deref(),
            client: credentials.client_cert.as_ref().map(|(cert, key)| (cert.as_slice(), key.as_slice())),
        };
        let tls = weir_tls::client_config(material).map_err(BucketError::Credentials)?;
        builder = builder.tls_backend_preconfigured(tls);
        if let Some((address, login)) = &credentials.proxy {
            let mut proxy = reqwest::Proxy::all(address.as_str())
                .map_err(|error| BucketError::Credentials(format!("invalid proxy address: {error}")))?;
            if let Some((username, password)) = login {
                proxy = proxy.basic_auth(username, password);
            }
            builder = builder.proxy(proxy);
        } else {
            // As Flux's client, an unset proxy is a direct connection, whatever the environment says.
            builder = builder.no_proxy();
        }
        let http =
            builder.build().map_err(|error| BucketError::Credentials(format!("HTTP client set-up failed: {error}")))?;
        let keys = credentials.keys.as_ref().map(|(access, secret)| rusty_s3::Credentials::new(access, secret));
        let region = request.region.as_deref().filter(|region| !region.is_empty()).unwrap_or(DEFAULT_REGION);
        let s3 = s3::S3Bucket::new(base, path_style, &bucket, region, keys, http, request.timeout).map_err(invalid)?;
        Ok(BucketClient { request, s3 })
    }

    /// The bucket's current index, after its `.sourceignore` and `spec.ignore`.
    pub fn snapshot(&self) -> Result<BucketSnapshot, BucketError> {
        let bucket = &self.request.bucket_name;
        if !self.s3.exists().map_err(|source| BucketError::Exists { bucket: bucket.clone(), source })? {
            return Err(BucketError::NotFound { bucket: bucket.clone(), endpoint: self.s3.endpoint().to_owned() });
        }
        let source_ignore = self.source_ignore()?;
        let rules = IgnoreRules::new(self.request.ignore.as_deref());
        let matcher = rules.bucket_matcher(source_ignore.as_deref().map(String::from_utf8_lossy).as_deref());
        let mut index = EtagIndex::new();
        let prefix = self.request.prefix.as_deref().unwrap_or_default();
        let listed = self.s3.list(prefix, |key, etag| {
            if let Some(key) = indexed_key(bucket, key, &matcher)? {
                index.insert(key, etag);
            }
            Ok(())
        });
        match listed {
            Ok(()) => Ok(BucketSnapshot { index, source_ignore }),
            Err(s3::ListError::S3(source)) => Err(BucketError::Index { bucket: bucket.clone(), source }),
            Err(s3::ListError::Visit(error)) => Err(error),
        }
    }

    /// Downloads every object of `snapshot` into a new artifact of `owner`, streaming each into
    /// the store; the index follows what the downloads said (changed entity tags, objects gone
    /// since the listing), and the artifact's revision is that index's.
    pub fn store_artifact(
        &self,
        mut snapshot: BucketSnapshot,
        store: &ArtifactStore,
        owner: &ArtifactOwner,
    ) -> Result<(StoredArtifact, EtagIndex), BucketError> {
        let bucket = &self.request.bucket_name;
        let stored = |source| BucketError::Store { bucket: bucket.clone(), source };
        let mut staging = store.stage(owner).map_err(stored)?;
        // Flux downloads `.sourceignore` into the directory it archives, so it is in the artifact
        // (though not in the index).
        if let Some(content) = &snapshot.source_ignore {
            staging.add_file(Path::new(SOURCE_IGNORE_FILE), content, false).map_err(stored)?;
        }
        let keys: Vec<String> = snapshot.index.keys().map(str::to_owned).collect();
        let mut gone = BTreeSet::new();
        for key in keys {
            let failed = |message: String| BucketError::Fetch { bucket: bucket.clone(), key: key.clone(), message };
            let Some(object) = self.s3.get(&key).map_err(|error| failed(error.to_string()))? else {
                tracing::info!(bucket = %bucket, key = %key, "indexed object disappeared from the bucket");
                gone.insert(key);
                continue;
            };
            if let Some(etag) = &object.etag {
                snapshot.index.insert(key.clone(), etag.clone());
            }
            let mut body = Download { body: object.body, failure: None };
            if let Err(error) = staging.add_file_from(Path::new(&key), &mut body, false) {
                return Err(match body.failure {
                    Some(failure) => failed(failure),
                    None => stored(error),
                });
            }
        }
        snapshot.index.entries.retain(|key, _| !gone.contains(key));
        let artifact = staging.finish(&snapshot.index.revision()).map_err(stored)?;
        Ok((artifact, snapshot.index))
    }

    /// The root's `.sourceignore`, if the bucket has one.
    fn source_ignore(&self) -> Result<Option<Vec<u8>>, BucketError> {
        let bucket = &self.request.bucket_name;
        let failed = |source| BucketError::SourceIgnore { bucket: bucket.clone(), source };
        let Some(object) = self.s3.get(SOURCE_IGNORE_FILE).map_err(failed)? else {
            return Ok(None);
        };
        let endpoint = self.s3.endpoint().to_owned();
        let bytes = object
            .body
            .bytes()
            .map_err(|error| failed(S3Error::Request { endpoint, message: error.without_url().to_string() }))?;
        Ok(Some(bytes.to_vec()))
    }
}

/// An object's body on its way into the artifact, remembering why the download failed (so
/// the error says so, not that storing failed).
struct Download {
    body: reqwest::blocking::Response,
    failure: Option<String>,
}

impl std::io::Read for Download {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        self.body.read(buffer).inspect_err(|error| self.failure = Some(format!("download interrupted: {error}")))
    }
}

/// What the index keeps of a listed key: nothing for directory markers, the root
/// `.sourceignore` and ignored keys (as Flux); an error for a key that is not a safe path.
fn indexed_key(bucket: &str, key: String, matcher: &IgnoreMatcher) -> Result<Option<String>, BucketError> {
    if key.ends_with('/') || key == SOURCE_IGNORE_FILE {
        return Ok(None);
    }
    if matcher.is_ignored(Path::new(&key)) {
        return Ok(None);
    }
    if !is_safe_key(&key) {
        return Err(BucketError::UnsafeKey { bucket: bucket.to_owned(), key });
    }
    Ok(Some(key))
}

/// Whether `key` names a file inside the artifact: relative, made of plain names only (no `.`,
/// `..` or empty parts, no NUL).
pub fn is_safe_key(key: &str) -> bool {
    !key.is_empty() && !key.contains('\0') && key.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Whether a bucket name can be a host name label (virtual-hosted-style requests).
fn is_dns_label(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && !name.starts_with(['-', '.'])
        && !name.ends_with(['-', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revision_is_fluxs_digest_of_the_sorted_index() {
        let mut index = EtagIndex::new();
        // Inserted out of order; 'B' sorts before 'a' in byte order, as in Go.
        index.insert("apps/podinfo.yaml", "9b2cf535f27731c974343645a3985328");
        index.insert("a", "d41d8cd98f00b204e9800998ecf8427e");
        index.insert("B/c.yaml", "5d41402abc4b2a76b9719d911017c592-2");
        let text = "B/c.yaml 5d41402abc4b2a76b9719d911017c592-2\n\
                    a d41d8cd98f00b204e9800998ecf8427e\n\
                    apps/podinfo.yaml 9b2cf535f27731c974343645a3985328\n";
        // Cross-checked with coreutils over the same text, independently of our hashing.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index"), text).unwrap();
        let output = std::process::Command::new("sha256sum").arg(dir.path().join("index")).output().unwrap();
        let expected = String::from_utf8(output.stdout).unwrap().split_whitespace().next().unwrap().to_owned();
        assert_eq!(index.revision(), format!("sha256:{expected}"));
        // And pinned, so a change of formula shows.
        assert_eq!(index.revision(), "sha256:045b578884e665c8367cdded75c22cdbe9f60a58b8f6ee4106e306c776a95767");
        // An empty bucket is the digest of nothing, as Flux's empty Digester.
        assert_eq!(
            EtagIndex::new().revision(),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn unsafe_keys_are_refused() {
        for key in ["../etc/passwd", "a/../../b", "/abs", "a//b", "./a", "a/.", ""] {
            assert!(!is_safe_key(key), "{key:?} must be refused");
        }
        for key in ["a", "dir/file.yaml", "..a/b..", "with space/x"] {
            assert!(is_safe_key(key), "{key:?} is a plain path");
        }
        let matcher = IgnoreRules::new(None).bucket_matcher(None);
        let refused = indexed_key("fleet", "x/../../y".into(), &matcher);
        assert!(matches!(refused, Err(BucketError::UnsafeKey { .. })));
        assert_eq!(
            refused.unwrap_err().to_string(),
            "refusing object key 'x/../../y' of bucket 'fleet': it is not a relative path inside the artifact"
        );
        assert!(indexed_key("fleet", "dir/".into(), &matcher).unwrap().is_none(), "directory markers are skipped");
        assert!(indexed_key("fleet", ".sourceignore".into(), &matcher).unwrap().is_none());
    }

    #[test]
    fn a_bucket_has_no_default_exclusions_only_its_own() {
        let none = IgnoreRules::new(None).bucket_matcher(None);
        assert!(!none.is_ignored(Path::new("logo.png")) && !none.is_ignored(Path::new(".git/config")));
        let rules = IgnoreRules::new(Some("*.tmp\n")).bucket_matcher(Some("secret/\n!secret/keep.yaml\n"));
        assert!(rules.is_ignored(Path::new("secret/key.yaml")));
        assert!(!rules.is_ignored(Path::new("secret/keep.yaml")));
        assert!(rules.is_ignored(Path::new("a/b.tmp")));
        assert!(!rules.is_ignored(Path::new("a/b.yaml")));
    }

    #[test]
    fn secrets_need_both_keys_and_are_never_shown() {
        let data: SecretData = [("accesskey".to_owned(), b"AKIA".to_vec())].into();
        let error = BucketCredentials::from_secrets(Some(("creds", &data)), None, None).unwrap_err();
        assert_eq!(error.to_string(), "invalid 'creds' secret data: required fields 'accesskey' and 'secretkey'");
        let data: SecretData =
            [("accesskey".to_owned(), b"AKIA".to_vec()), ("secretkey".to_owned(), b"hush-hush".to_vec())].into();
        let credentials = BucketCredentials::from_secrets(Some(("creds", &data)), None, None).unwrap();
        assert!(!format!("{credentials:?}").contains("hush"));
    }

    #[test]
    fn endpoints_are_host_and_port() {
        let request = |endpoint: &str| BucketRequest {
            bucket_name: "fleet".into(),
            endpoint: endpoint.into(),
            insecure: true,
            timeout: Duration::from_secs(1),
            ..Default::default()
        };
        let refused = BucketClient::new(request("http://minio:9000"), &BucketCredentials::default());
        assert!(matches!(refused, Err(BucketError::Endpoint { .. })));
        assert!(BucketClient::new(request("minio.example:9000"), &BucketCredentials::default()).is_ok());
    }
}
