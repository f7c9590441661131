//! `source.toolkit.fluxcd.io/v1` OCIRepository: an OCI artifact in a container registry, and
//! the artifact of the layer last pulled from it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{OidcIdentityMatch, RegistryProvider, VerificationProvider};
use crate::meta::{self, Artifact, LocalObjectReference};

/// Where an OCI artifact is and which of its tags or digests to follow.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "OCIRepository",
    doc = "An OCI artifact Flux pulls from a container registry, and the artifact of its last pulled layer.",
    namespaced,
    status = "OCIRepositoryStatus",
    shortname = "ocirepo",
    category = "fluxcd",
    printcolumn = r#"{"name":"URL","type":"string","jsonPath":".spec.url"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositorySpec {
    /// The repository: `oci://<registry>/<path>`, without tag or digest.
    #[schemars(schema_with = "oci_url_schema")]
    pub url: String,
    /// Which tag or digest to pull; the `latest` tag when unset.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<OCIRepositoryRef>,
    /// Which layer becomes the artifact; the first one when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer_selector: Option<OCILayerSelector>,
    /// Whose identity signs in to the registry (generic when unset: `secretRef`).
    #[serde(default = "default_provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<RegistryProvider>,
    /// A `kubernetes.io/dockerconfigjson` Secret with the registry's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// Checks the artifact's signature before it is stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<OCIRepositoryVerification>,
    /// A ServiceAccount whose `imagePullSecrets` hold the registry's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
    /// A Secret with `tls.crt`/`tls.key` and/or `ca.crt` for the registry's TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// A Secret with the proxy's `address`, `username`, `password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_secret_ref: Option<LocalObjectReference>,
    /// How often to look for a new digest.
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// Timeout for the registry operations (default 60s).
    #[serde(default = "default_timeout", skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "super::helm::timeout_schema")]
    pub timeout: Option<String>,
    /// Files to leave out of the artifact, in .gitignore syntax, instead of Flux's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<String>,
    /// Plain HTTP to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Stop reconciling this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

fn default_provider() -> Option<RegistryProvider> {
    Some(RegistryProvider::Generic)
}

fn default_timeout() -> Option<String> {
    Some("60s".into())
}

fn oci_url_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^oci://.*$" })
}

/// The tag or digest to pull: `digest` wins over `semver`, `semver` over `tag`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryRef {
    /// A digest, `sha256:<hex>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// A semver range: the highest tag in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver: Option<String>,
    /// A regular expression the tags considered for `semver` must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semver_filter: Option<String>,
    /// A tag (`latest` when nothing is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

/// The layer that becomes the artifact, and what is done with it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCILayerSelector {
    /// The first layer of this media type is selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// `extract` (the default) unpacks the layer's tarball; `copy` stores the layer as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<OCILayerOperation>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OCILayerOperation {
    #[default]
    Extract,
    Copy,
}

/// How to check an OCI artifact's signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryVerification {
    /// What signed the artifact.
    #[serde(default)]
    pub provider: VerificationProvider,
    /// A Secret with the trusted public keys (every `*.pub` key); keyless signatures need none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// For keyless Cosign signatures: the identities the signing certificate may carry.
    #[serde(default, rename = "matchOIDCIdentity", skip_serializing_if = "Option::is_none")]
    pub match_oidc_identity: Option<Vec<OidcIdentityMatch>>,
    /// A Secret with a Sigstore trusted root for keyless verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trusted_root_secret_ref: Option<LocalObjectReference>,
}

/// What the source controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OCIRepositoryStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `ArtifactInStorage`, `SourceVerified`, `FetchFailed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Where the latest artifact can be downloaded; `artifact` is the precise record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The artifact of the last successful pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The `spec.ignore` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_ignore: Option<String>,
    /// The `spec.layerSelector` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_layer_selector: Option<OCILayerSelector>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(OCIRepositoryStatus, |status| status
    .artifact
    .as_ref()
    .map(|artifact| artifact.revision.as_str()));

impl crate::status::Reconcilable for OCIRepository {
    type Status = OCIRepositoryStatus;
    const KIND: &'static str = "OCIRepository";
    fn status(&self) -> Option<&OCIRepositoryStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
}
