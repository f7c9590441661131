//! `spec.kubeConfig`: releasing into another cluster, reached through the kubeconfig a Secret
//! of the HelmRelease's namespace holds (key `value`, else `value.yaml`, unless `key` names
//! one), as helm-controller reads it. The Secret is read by the controller itself; the
//! release's actions, records and drift detection run against the remote cluster, as the
//! release's service account there when one is named.

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, ResourceExt};
use weir_api::helm::HelmRelease;
use weir_api::kustomize::KubeConfigReference;

/// helm-controller's reason when the client for the release's cluster cannot be built.
pub(super) const REST_CLIENT_ERROR: &str = "RESTClientError";

/// The configuration of the cluster `reference`'s Secret points to.
pub(super) async fn config(
    client: &Client,
    release: &HelmRelease,
    reference: &KubeConfigReference,
) -> Result<kube::Config, String> {
    let namespace = release.namespace().unwrap_or_default();
    let secret_ref = reference
        .secret_ref
        .as_ref()
        .ok_or("exactly one of .spec.kubeConfig.configMapRef or spec.kubeConfig.secretRef must be set")?;
    let named = format!("{namespace}/{}", secret_ref.name);
    let secret = Api::<Secret>::namespaced(client.clone(), &namespace)
        .get_opt(&secret_ref.name)
        .await
        .map_err(|error| format!("could not get KubeConfig secret '{named}': {error}"))?
        .ok_or_else(|| {
            format!("could not get KubeConfig secret '{named}': secrets \"{}\" not found", secret_ref.name)
        })?;
    let data = secret.data.unwrap_or_default();
    let text = match secret_ref.key.as_deref().filter(|key| !key.is_empty()) {
        Some(key) => data
            .get(key)
            .ok_or_else(|| format!("KubeConfig secret '{named}' does not contain a '{key}' key with data"))?,
        None => data.get("value").or_else(|| data.get("value.yaml")).ok_or_else(|| {
            format!("KubeConfig secret '{named}' does not contain a 'value' or 'value.yaml' key with data")
        })?,
    };
    let failed = |error: &dyn std::fmt::Display| format!("failed to load KubeConfig from secret '{named}': {error}");
    let kubeconfig = Kubeconfig::from_yaml(&String::from_utf8_lossy(&text.0)).map_err(|error| failed(&error))?;
    kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|error| failed(&error))
}
