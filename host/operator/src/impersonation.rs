//! Acting as a tenant: the controllers that apply (Kustomization, HelmRelease) make their
//! cluster calls as the object's service account (or `--default-service-account`), so RBAC
//! confines what a tenant may change, as Flux does.

use kube::Client;

/// A client impersonating `account` of `namespace`; `client` itself when no account applies.
/// As Flux, no groups are impersonated: the API server gives a service account its own, so
/// the operator needs no right to impersonate groups.
pub fn client_as(
    client: &Client,
    config: &kube::Config,
    namespace: &str,
    account: Option<&str>,
) -> Result<Client, String> {
    let Some(account) = account else {
        return Ok(client.clone());
    };
    let mut config = config.clone();
    config.auth_info.impersonate = Some(format!("system:serviceaccount:{namespace}:{account}"));
    Client::try_from(config).map_err(|error| format!("impersonating {account}: {error}"))
}
