//! How a controller reaches an OCI registry for an object: credentials from its
//! `kubernetes.io/dockerconfigjson` `secretRef` (or, for a HelmRepository, one with `username`
//! and `password`) or its ServiceAccount's `imagePullSecrets`, TLS
//! from its `certSecretRef`, plain HTTP when `insecure`, as Flux's OCI sources read them. The
//! Secrets' values go into the client's options only: never logged. Also the public keys a
//! `spec.verify` trusts (OCIRepository, and HelmChart from an OCI HelmRepository).

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::ServiceAccount;
use kube::api::Api;
use weir_api::meta::LocalObjectReference;
use weir_api::source::{RegistryProvider, VerificationProvider};
use weir_registry::{ClientOptions, Credentials, DockerConfig};
use weir_source::oci::verify::TrustedKeys;
use weir_tls::TlsMaterial;

use crate::conditions::reason;
use crate::reconciler::{Failure, Retry};
use crate::secrets;

/// What an object says about reaching its registry.
pub struct Access<'a> {
    pub namespace: &'a str,
    /// The registry host (`host[:port]`) the credentials are for.
    pub registry: &'a str,
    pub provider: Option<&'a RegistryProvider>,
    pub secret_ref: Option<&'a LocalObjectReference>,
    /// `secretRef` may hold `username` and `password` instead of a docker config, as a
    /// HelmRepository's does.
    pub username_password: bool,
    pub service_account: Option<&'a str>,
    pub cert_secret_ref: Option<&'a LocalObjectReference>,
    pub insecure: bool,
    pub timeout: Duration,
}

/// The client options for `access`; failures are `AuthenticationFailed` with Flux's messages.
pub async fn client_options(client: &kube::Client, access: &Access<'_>) -> Result<ClientOptions, Failure> {
    let failed = |message: String| Failure::new(reason::AUTHENTICATION_FAILED, message, Retry::Backoff);
    if let Some(provider) = access.provider.filter(|provider| **provider != RegistryProvider::Generic) {
        let name = serde_json::to_value(provider).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        // Cloud identity needs the cloud's metadata service; refusing says so instead of failing obscurely.
        return Err(Failure::new(
            reason::AUTHENTICATION_FAILED,
            format!(
                "failed to get credential from {name}: workload identity is not available to weir; \
                 use provider 'generic' with a secretRef holding static credentials"
            ),
            Retry::Stalled,
        ));
    }
    let read = |name: String| async move {
        secrets::secret_data(client, access.namespace, &name)
            .await
            .map_err(|error| failed(format!("failed to get secret '{}/{name}': {error}", access.namespace)))
    };
    let mut pull_secrets = Vec::new();
    if let Some(secret) = access.secret_ref {
        pull_secrets.push(secret.name.clone());
    }
    if let Some(account) = access.service_account {
        let accounts = Api::<ServiceAccount>::namespaced(client.clone(), access.namespace);
        let account = accounts.get(account).await.map_err(|error| {
            failed(format!("failed to get credential: service account '{}/{account}': {error}", access.namespace))
        })?;
        pull_secrets.extend(account.image_pull_secrets.unwrap_or_default().into_iter().map(|secret| secret.name));
    }
    let mut credentials = None;
    for name in pull_secrets {
        let data = read(name.clone()).await?;
        let basic = access.username_password && Some(&name) == access.secret_ref.map(|secret| &secret.name);
        let found = if basic && !is_docker_config(&data) {
            basic_credentials(&data, &name)
        } else {
            docker_credentials(&data, access.registry)
        };
        let found = found.map_err(|error| {
            failed(format!("failed to get credential: secret '{}/{name}': {error}", access.namespace))
        })?;
        if found.is_some() {
            credentials = found;
            break;
        }
    }
    let tls = match access.cert_secret_ref {
        Some(secret) => {
            let data = read(secret.name.clone()).await?;
            let bytes = |key: &str| data.get(key).filter(|value| !value.is_empty()).map(Vec::as_slice);
            let client = match (bytes("tls.crt"), bytes("tls.key")) {
                (Some(cert), Some(key)) => Some((cert, key)),
                (None, None) => None,
                _ => {
                    return Err(failed(format!(
                        "secret '{}/{}': a client certificate needs both tls.crt and tls.key",
                        access.namespace, secret.name
                    )));
                }
            };
            let material = TlsMaterial { ca_pem: bytes("ca.crt"), client };
            Some(weir_tls::client_config(material).map_err(|error| {
                failed(format!("failed to generate transport: secret '{}/{}': {error}", access.namespace, secret.name))
            })?)
        }
        None => None,
    };
    Ok(ClientOptions { tls, plain_http: access.insecure, credentials, timeout: access.timeout, ..Default::default() })
}

fn is_docker_config(data: &BTreeMap<String, Vec<u8>>) -> bool {
    data.contains_key(".dockerconfigjson") || data.contains_key(".dockercfg")
}

/// `username` and `password` of Secret `name`, as Flux's `KeychainFromSecret`: neither is
/// anonymous access, one alone an error.
fn basic_credentials(data: &BTreeMap<String, Vec<u8>>, name: &str) -> Result<Option<Credentials>, String> {
    let text = |key: &str| String::from_utf8_lossy(data.get(key).map(Vec::as_slice).unwrap_or_default()).into_owned();
    match (text("username"), text("password")) {
        (username, password) if username.is_empty() && password.is_empty() => Ok(None),
        (username, password) if username.is_empty() || password.is_empty() => {
            Err(format!("invalid '{name}' secret data: required fields 'username' and 'password'"))
        }
        (username, password) => Ok(Some(Credentials::new(username, password))),
    }
}

/// The credentials a docker config Secret holds for `registry`, if any.
fn docker_credentials(data: &BTreeMap<String, Vec<u8>>, registry: &str) -> Result<Option<Credentials>, String> {
    let config = data
        .get(".dockerconfigjson")
        .or_else(|| data.get(".dockercfg"))
        .ok_or("holds neither .dockerconfigjson nor .dockercfg")?;
    Ok(DockerConfig::parse(config).map_err(|error| error.to_string())?.credentials_for(registry))
}

/// The keys a `spec.verify` (its provider and `secretRef`) trusts, or none when nothing is to
/// be verified. Notation and keyless cosign are refused, stalled: they need a trust store or
/// the public Sigstore services weir does not reach.
pub async fn trusted_keys(
    verify: Option<(&VerificationProvider, Option<&LocalObjectReference>)>,
    namespace: &str,
    client: &kube::Client,
) -> Result<Option<TrustedKeys>, Failure> {
    let Some((provider, secret)) = verify else { return Ok(None) };
    let refuse = |message: String| Failure::new(reason::VERIFICATION_ERROR, message, Retry::Stalled);
    if *provider == VerificationProvider::Notation {
        return Err(refuse(
            "failed to verify the signature using provider 'notation': notation is not supported by weir; use cosign"
                .into(),
        ));
    }
    let Some(secret) = secret else {
        return Err(refuse(
            "failed to verify the signature using provider 'cosign keyless': keyless verification needs the \
             public Sigstore services (Fulcio, Rekor), which weir does not reach; give verify.secretRef with \
             the cosign public keys"
                .into(),
        ));
    };
    let described = format!("{namespace}/{}", secret.name);
    let data = secrets::secret_data(client, namespace, &secret.name).await.map_err(|error| {
        Failure::new(
            reason::VERIFICATION_ERROR,
            format!("failed to verify the signature using provider 'cosign': secret '{described}': {error}"),
            Retry::Backoff,
        )
    })?;
    TrustedKeys::from_secret_data(&described, &data)
        .map(Some)
        .map_err(|error| refuse(format!("failed to verify the signature using provider 'cosign': {error}")))
}
