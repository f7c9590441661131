//! `plugins.weir.dev/v1alpha1`: WebAssembly components a tenant brings, and what the
//! operator's owner lets tenants bring.
//!
//! - [`Plugin`] (namespaced, a tenant's): a component for one world, pulled from an OCI
//!   registry (or a ConfigMap, pinned by digest), verified, checked against the world, and
//!   compiled; a Kustomization of the same namespace selects it with an annotation
//!   ([`RENDERER_ANNOTATION`]).
//! - [`ClusterPlugin`] (cluster-scoped, the operator's owner's): the same, offered to every
//!   namespace, under no policy; a namespace's own Plugin of the same name comes first.
//! - [`PluginPolicy`] (cluster-scoped, the operator's owner's): for the namespaces it selects,
//!   the registries and signers their Plugins may come from and the ceiling of their limits
//!   and grants. A namespace no policy selects may not load plugins at all.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, LabelSelector};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::{self, LocalObjectReference};
use crate::source::OCIRepositoryRef;

/// On a Kustomization (a renderer) or a HelmRelease (a chart renderer): the name of the Plugin
/// (same namespace) or, when the namespace has none of that name, the ClusterPlugin that
/// renders it instead of the built-in renderer.
pub const RENDERER_ANNOTATION: &str = "plugins.weir.dev/renderer";

/// A tenant's WebAssembly plugin.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "plugins.weir.dev",
    version = "v1alpha1",
    kind = "Plugin",
    doc = "A WebAssembly component a tenant runs in weir's sandbox, for one world (renderer, ...).",
    namespaced,
    status = "PluginStatus",
    category = "weir",
    printcolumn = r#"{"name":"World","type":"string","jsonPath":".spec.world"}"#,
    printcolumn = r#"{"name":"Digest","type":"string","jsonPath":".status.digest","priority":1}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct PluginSpec {
    /// Where the component comes from.
    pub source: PluginSource,
    /// The world the component must implement.
    pub world: PluginWorld,
    /// Checks the component's cosign signature before it is compiled (OCI sources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<PluginVerification>,
    /// What one call may consume; the operator's defaults where unset, never more than the
    /// namespace's PluginPolicy allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<PluginLimits>,
    /// What the component may reach beyond what its world grants every call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<PluginGrants>,
    /// How often to look for a new digest.
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// Timeout for fetching the component (default 60s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Stop reconciling; the component last loaded keeps serving.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
}

/// Where a component comes from: exactly one of `oci` and `configMapRef`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginSource {
    /// A Wasm OCI artifact (config `application/vnd.wasm.config.v1+json`, one layer
    /// `application/vnd.wasm.content.layer.v1+wasm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oci: Option<OciPluginSource>,
    /// A key of a ConfigMap in the Plugin's namespace holding the component (`binaryData`);
    /// `sha256` is required with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<ConfigMapKeyReference>,
    /// The component's SHA-256 digest, `sha256:<hex>`: required for a ConfigMap, checked for
    /// OCI when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A Wasm component in an OCI registry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OciPluginSource {
    /// The repository: `oci://<registry>/<path>`, without tag or digest.
    pub url: String,
    /// Which tag, digest or semver range to follow; `latest` when unset.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<OCIRepositoryRef>,
    /// A `kubernetes.io/dockerconfigjson` Secret with the registry's credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// A Secret with `tls.crt`/`tls.key` and/or `ca.crt` for the registry's TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// Plain HTTP to the registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
}

/// A key of a ConfigMap.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConfigMapKeyReference {
    /// The ConfigMap's name.
    pub name: String,
    /// The key (in `binaryData`, or `data`); `plugin.wasm` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The worlds of `weir:plugin` a Plugin may implement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PluginWorld {
    /// A source tree to manifests (as `kustomize build`).
    #[default]
    Renderer,
    /// A chart to manifests (as `helm template`).
    ChartRenderer,
    /// Decrypts SOPS documents.
    Decryptor,
    /// Sends events to a service.
    Notifier,
    /// Picks an image tag.
    TagPolicy,
    /// A KRM function (kustomize generator, transformer or validator).
    KrmFunction,
    /// Changes a Helm release's rendered manifests.
    PostRenderer,
}

impl PluginWorld {
    /// The name the WIT package gives the world.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Renderer => "renderer",
            Self::ChartRenderer => "chart-renderer",
            Self::Decryptor => "decryptor",
            Self::Notifier => "notifier",
            Self::TagPolicy => "tag-policy",
            Self::KrmFunction => "krm-function",
            Self::PostRenderer => "post-renderer",
        }
    }
}

impl std::fmt::Display for PluginWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to check a component's signature: cosign public keys, as an OCIRepository's `verify`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginVerification {
    /// `cosign`, the only provider.
    #[serde(default)]
    pub provider: crate::source::VerificationProvider,
    /// A Secret in the Plugin's namespace with the trusted public keys (every `*.pub` key).
    pub secret_ref: LocalObjectReference,
}

/// What one call of a plugin may consume. Quantities as Kubernetes writes them (`64Mi`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginLimits {
    /// Linear memory, across all the component's memories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<String>,
    /// Wall-clock time of one call, host calls included (an epoch deadline interrupts a
    /// computing plugin, a timer one waiting in a host call).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Bytes of stdout and of stderr kept for the log, each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_size: Option<String>,
}

/// What a plugin may reach beyond its world's per-call grants.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginGrants {
    /// Origins (`https://host[:port]`) the plugin may send HTTP requests to; only worlds that
    /// import outbound HTTP (notifier) can use them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbound_hosts: Vec<String>,
    /// Environment variables the plugin sees.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
}

/// What the plugin controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PluginStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `Verified`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The component's SHA-256 digest, `sha256:<hex>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Where it came from: `<tag>@<manifest digest>` for OCI, `configmap/<name>` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The world and `weir:plugin` version it exports, e.g. `renderer@0.2.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub world: Option<String>,
    /// The interfaces it imports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imports: Option<Vec<String>>,
    /// The component's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<i64>,
    /// How long compiling (or loading the compiled code from the cache) took, as a Go duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compile_time: Option<String>,
    /// The limits calls run under, after the policy's ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_limits: Option<PluginLimits>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(PluginStatus);

impl crate::status::Reconcilable for Plugin {
    type Status = PluginStatus;
    const KIND: &'static str = "Plugin";
    fn status(&self) -> Option<&PluginStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
}

/// A plugin the operator's owner offers every namespace.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "plugins.weir.dev",
    version = "v1alpha1",
    kind = "ClusterPlugin",
    doc = "A WebAssembly component the operator's owner offers every namespace; under no PluginPolicy.",
    status = "PluginStatus",
    category = "weir",
    printcolumn = r#"{"name":"World","type":"string","jsonPath":".spec.world"}"#,
    printcolumn = r#"{"name":"Digest","type":"string","jsonPath":".status.digest","priority":1}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
pub struct ClusterPluginSpec {
    /// A Plugin's spec. Its Secrets and ConfigMap are read from the operator's namespace;
    /// limits unset are the operator's defaults, and no PluginPolicy applies.
    #[serde(flatten)]
    pub plugin: PluginSpec,
}

impl crate::status::Reconcilable for ClusterPlugin {
    type Status = PluginStatus;
    const KIND: &'static str = "ClusterPlugin";
    fn status(&self) -> Option<&PluginStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.plugin.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.plugin.interval
    }
}

/// What the Plugins of some namespaces may be: cluster-scoped, the operator's owner's.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "plugins.weir.dev",
    version = "v1alpha1",
    kind = "PluginPolicy",
    doc = "Which registries, signers, worlds, limits and grants the Plugins of the selected namespaces may use.",
    category = "weir",
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct PluginPolicySpec {
    /// The namespaces this policy governs; every namespace when empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    /// Repository prefixes (`registry.example.com/team-a/`) Plugins may be pulled from; an
    /// entry matches whole path segments. Empty: no OCI source is allowed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub registries: Vec<String>,
    /// Whether ConfigMap sources (pinned by `sha256`) are allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_config_maps: Option<bool>,
    /// A Secret of cosign public keys (`*.pub`) one of which must have signed every OCI
    /// component; unset: signatures are the tenant's choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signers: Option<PolicySecretReference>,
    /// The worlds Plugins may implement; every world when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub worlds: Vec<PluginWorld>,
    /// The most a Plugin's `limits` may ask; Plugins without limits get these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_limits: Option<PluginLimits>,
    /// The outbound hosts and environment variable names a Plugin's `grants` may name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_grants: Option<AllowedGrants>,
}

/// A Secret in a namespace the policy names (a PluginPolicy has none of its own).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicySecretReference {
    /// The Secret's name.
    pub name: String,
    /// The Secret's namespace.
    pub namespace: String,
}

/// The grants a policy allows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AllowedGrants {
    /// Origins (`https://host[:port]`) Plugins may be granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbound_hosts: Vec<String>,
    /// Environment variable names Plugins may be granted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
}
