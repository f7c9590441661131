//! Fetching a Plugin's component: from an OCI registry (the reference resolved as an
//! OCIRepository's, the signature checked against the tenant's and the policy's keys before
//! the layer is even pulled), or from a ConfigMap, pinned by `sha256`. Credentials go into the
//! registry client only; the component's bytes stay in memory.

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::Api;
use weir_api::meta::LocalObjectReference;
use weir_api::plugins::PluginSpec;
use weir_go_compat::time::parse_duration;
use weir_registry::{ClientOptions, Reference, RegistryClient, sha256_digest};
use weir_source::oci::verify::{self, TrustedKeys};
use weir_source::oci::{self, OciReference, component};

use super::policy::{Admission, Origin};
use crate::reconciler::Failure;
use crate::registry_access::{self, Access};
use crate::secrets;

/// The ConfigMap key read when `configMapRef.key` is unset.
const DEFAULT_KEY: &str = "plugin.wasm";

/// A component, fetched and checked.
pub struct Fetched {
    pub wasm: Vec<u8>,
    /// `sha256:<hex>` of `wasm`.
    pub digest: String,
    /// `<tag>@<manifest digest>` for OCI, `configmap/<name>` for a ConfigMap.
    pub revision: String,
    /// Whose keys verified the signature, when any did.
    pub verified_by: Option<String>,
}

/// Why fetching failed.
pub enum Failed {
    /// Not reachable, not found, not a component: retried.
    Pull(String),
    /// A signature is missing or made by no trusted key.
    Verification(String),
}

/// Where a Plugin's component comes from, validated.
pub enum Source {
    Oci {
        repository: Reference,
        /// `registry/repository`, as policies match it.
        location: String,
        wanted: OciReference,
        secret_ref: Option<LocalObjectReference>,
        cert_secret_ref: Option<LocalObjectReference>,
        insecure: bool,
        sha256: Option<String>,
    },
    ConfigMap {
        name: String,
        key: String,
        sha256: String,
    },
}

impl Source {
    /// The source `spec.source` names: exactly one of `oci` and `configMapRef`.
    pub fn of(spec: &PluginSpec) -> Result<Self, Failure> {
        let source = &spec.source;
        let sha256 = source.sha256.clone();
        if let Some(digest) = &sha256
            && !is_sha256(digest)
        {
            return Err(Failure::invalid_spec(
                "spec.source.sha256",
                format!("'{digest}' is not sha256:<64 hex digits>"),
            ));
        }
        match (&source.oci, &source.config_map_ref) {
            (Some(oci), None) => {
                let repository = oci::repository_of(&oci.url)
                    .map_err(|error| Failure::invalid_spec("spec.source.oci.url", error))?;
                Ok(Source::Oci {
                    location: format!("{}/{}", repository.registry, repository.repository),
                    repository,
                    wanted: OciReference::from_spec(oci.reference.as_ref()),
                    secret_ref: oci.secret_ref.clone(),
                    cert_secret_ref: oci.cert_secret_ref.clone(),
                    insecure: oci.insecure == Some(true),
                    sha256,
                })
            }
            (None, Some(config_map)) => Ok(Source::ConfigMap {
                name: config_map.name.clone(),
                key: config_map.key.clone().unwrap_or_else(|| DEFAULT_KEY.into()),
                sha256: sha256.ok_or_else(|| {
                    Failure::invalid_spec("spec.source.sha256", "required with configMapRef: it pins the component")
                })?,
            }),
            (Some(_), Some(_)) => {
                Err(Failure::invalid_spec("spec.source", "set one of oci and configMapRef, not both"))
            }
            (None, None) => Err(Failure::invalid_spec("spec.source", "set one of oci and configMapRef")),
        }
    }

    pub fn origin(&self) -> Origin<'_> {
        match self {
            Source::Oci { location, .. } => Origin::Oci(location),
            Source::ConfigMap { .. } => Origin::ConfigMap,
        }
    }

    /// Fetches and checks the component, reading references in `namespace`.
    pub async fn fetch(
        &self,
        spec: &PluginSpec,
        namespace: &str,
        admission: &Admission,
        client: &kube::Client,
    ) -> Result<Fetched, Failed> {
        match self {
            Source::ConfigMap { name, key, sha256 } => {
                if let Some((policy, signers)) = &admission.signers {
                    return Err(Failed::Verification(format!(
                        "PluginPolicy '{policy}' requires a signature by the keys of '{}/{}', which a ConfigMap source cannot carry",
                        signers.namespace, signers.name
                    )));
                }
                let wasm = config_map_component(client, namespace, name, key).await.map_err(Failed::Pull)?;
                let digest = sha256_digest(&wasm);
                if digest != *sha256 {
                    return Err(Failed::Verification(format!(
                        "ConfigMap '{namespace}/{name}' key '{key}' has digest {digest}, not the pinned {sha256}"
                    )));
                }
                Ok(Fetched { wasm, digest, revision: format!("configmap/{name}"), verified_by: None })
            }
            Source::Oci { repository, wanted, secret_ref, cert_secret_ref, insecure, sha256, .. } => {
                let access = Access {
                    namespace,
                    registry: &repository.registry,
                    provider: None,
                    secret_ref: secret_ref.as_ref(),
                    username_password: false,
                    service_account: None,
                    cert_secret_ref: cert_secret_ref.as_ref(),
                    insecure: *insecure,
                    timeout: timeout(spec),
                };
                let options = registry_access::client_options(client, &access)
                    .await
                    .map_err(|failure| Failed::Pull(failure.message))?;
                let keys = trusted_keys(spec, namespace, admission, client).await?;
                let work = {
                    let (repository, wanted, sha256) = (repository.clone(), wanted.clone(), sha256.clone());
                    move || pull(options, &repository, &wanted, &keys, sha256.as_deref())
                };
                tokio::task::spawn_blocking(work)
                    .await
                    .unwrap_or_else(|panicked| Err(Failed::Pull(format!("pull task failed: {panicked}"))))
            }
        }
    }
}

/// The key sets one of each of which must have signed the component: the Plugin's own
/// `spec.verify` (its Secret in `namespace`) and the policy's `signers`, each named for the
/// messages.
async fn trusted_keys(
    spec: &PluginSpec,
    namespace: &str,
    admission: &Admission,
    client: &kube::Client,
) -> Result<Vec<(String, TrustedKeys)>, Failed> {
    let mut sets = Vec::new();
    if let Some(verify) = &spec.verify {
        let keys = registry_access::trusted_keys(Some((&verify.provider, Some(&verify.secret_ref))), namespace, client)
            .await
            .map_err(|failure| Failed::Verification(failure.message))?;
        if let Some(keys) = keys {
            sets.push((format!("the keys of Secret '{namespace}/{}'", verify.secret_ref.name), keys));
        }
    }
    if let Some((policy, signers)) = &admission.signers {
        let described = format!("{}/{}", signers.namespace, signers.name);
        let data = secrets::secret_data(client, &signers.namespace, &signers.name).await.map_err(|error| {
            Failed::Verification(format!("PluginPolicy '{policy}': signers Secret '{described}': {error}"))
        })?;
        let keys = TrustedKeys::from_secret_data(&described, &data)
            .map_err(|error| Failed::Verification(format!("PluginPolicy '{policy}': {error}")))?;
        sets.push((format!("the signers of PluginPolicy '{policy}'"), keys));
    }
    Ok(sets)
}

/// Resolves, verifies, pulls (on a blocking thread).
fn pull(
    options: ClientOptions,
    repository: &Reference,
    wanted: &OciReference,
    keys: &[(String, TrustedKeys)],
    sha256: Option<&str>,
) -> Result<Fetched, Failed> {
    let location = format!("oci://{}/{}", repository.registry, repository.repository);
    let pull_failed =
        |error: &dyn std::fmt::Display| Failed::Pull(format!("pulling the component from '{location}': {error}"));
    let client = RegistryClient::new(options).map_err(|error| pull_failed(&error))?;
    let resolved = oci::resolve(&client, repository, wanted, None).map_err(|error| pull_failed(&error))?;
    for (whose, keys) in keys {
        verify::verify(&client, &resolved.reference, keys).map_err(|error| {
            Failed::Verification(format!(
                "the signature of {} does not verify with {whose}: {error}",
                resolved.revision
            ))
        })?;
    }
    let pulled = component::pull(&client, &resolved).map_err(|error| pull_failed(&error))?;
    if let Some(pinned) = sha256
        && pulled.digest != pinned
    {
        return Err(Failed::Verification(format!(
            "the component of {} has digest {}, not the pinned {pinned}",
            resolved.revision, pulled.digest
        )));
    }
    let verified_by =
        (!keys.is_empty()).then(|| keys.iter().map(|(whose, _)| whose.as_str()).collect::<Vec<_>>().join(" and "));
    Ok(Fetched { wasm: pulled.wasm, digest: pulled.digest, revision: resolved.revision, verified_by })
}

/// The component in ConfigMap `name`'s `key`: `binaryData`, or `data` for text.
async fn config_map_component(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    key: &str,
) -> Result<Vec<u8>, String> {
    let config_map = Api::<ConfigMap>::namespaced(client.clone(), namespace)
        .get(name)
        .await
        .map_err(|error| format!("reading ConfigMap '{namespace}/{name}': {error}"))?;
    let binary = config_map.binary_data.and_then(|mut data| data.remove(key)).map(|bytes| bytes.0);
    binary
        .or_else(|| config_map.data.and_then(|mut data| data.remove(key)).map(String::into_bytes))
        .ok_or_else(|| format!("ConfigMap '{namespace}/{name}' has no key '{key}'"))
}

fn is_sha256(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `spec.timeout`; a minute by default.
fn timeout(spec: &PluginSpec) -> Duration {
    spec.timeout.as_deref().and_then(|text| parse_duration(text).ok()).unwrap_or(Duration::from_secs(60))
}
