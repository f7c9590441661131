//! `source.toolkit.fluxcd.io/v1` HelmRepository and HelmChart: where charts come from, and
//! the packaged chart a HelmRelease installs.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::meta::{self, Artifact, LocalObjectReference};

/// Where a Helm repository is and how to reach it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "HelmRepository",
    doc = "A Helm repository Flux indexes, and the artifact of its last index.",
    namespaced,
    status = "HelmRepositoryStatus",
    shortname = "helmrepo",
    category = "fluxcd",
    printcolumn = r#"{"name":"URL","type":"string","jsonPath":".spec.url"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositorySpec {
    /// The repository URL: `http(s)://` for an index, `oci://` for a registry.
    #[schemars(schema_with = "helm_repository_url_schema")]
    pub url: String,
    /// A Secret with `username`/`password` (the older `certFile`/`keyFile`/`caFile` keys
    /// still work, but `certSecretRef` is the place for TLS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// A Secret with `tls.crt`/`tls.key` and/or `ca.crt`; wins over the same keys in `secretRef`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert_secret_ref: Option<LocalObjectReference>,
    /// Send the credentials also to hosts other than the URL's, for indexes whose chart URLs
    /// point elsewhere; a man in the middle could take them, so it is off unless asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_credentials: Option<bool>,
    /// How often to fetch the index; unset for OCI repositories, which have no index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub interval: Option<String>,
    /// Allow plain HTTP to an OCI registry (`type: oci` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insecure: Option<bool>,
    /// Timeout for fetching the index, or for the OCI pulls of the charts from it (default 60s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "timeout_schema")]
    pub timeout: Option<String>,
    /// Stop reconciling this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Which namespaces may refer to this object; provisional in Flux and not enforced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_from: Option<AccessFrom>,
    /// `default` (an index over HTTP(S)) or `oci` (a registry; then `url` starts with `oci://`).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_: Option<HelmRepositoryType>,
    /// Whose cloud identity logs in to an OCI registry (`type: oci` only).
    #[serde(default = "default_provider", skip_serializing_if = "Option::is_none")]
    pub provider: Option<RegistryProvider>,
}

fn default_provider() -> Option<RegistryProvider> {
    Some(RegistryProvider::Generic)
}

fn helm_repository_url_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^(http|https|oci)://.*$" })
}

/// Flux allows no hours here, unlike other durations.
pub(super) fn timeout_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "string", "pattern": "^([0-9]+(\\.[0-9]+)?(ms|s|m))+$" })
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum HelmRepositoryType {
    Default,
    Oci,
}

/// Who signs in to an OCI registry (a HelmRepository of `type: oci`, an OCIRepository): static
/// credentials, or a cloud's workload identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RegistryProvider {
    Generic,
    Aws,
    Azure,
    Gcp,
}

/// Namespaces allowed to refer to an object across namespaces; any selector may match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessFrom {
    pub namespace_selectors: Vec<NamespaceSelector>,
}

/// Namespaces by label; no labels selects every namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceSelector {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
}

/// What the source controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmRepositoryStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `ArtifactInStorage`, `FetchFailed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Where the latest index can be downloaded; `artifact` is the precise record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The index of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(HelmRepositoryStatus, |status| status
    .artifact
    .as_ref()
    .map(|artifact| artifact.revision.as_str()));

impl crate::status::Reconcilable for HelmRepository {
    type Status = HelmRepositoryStatus;
    const KIND: &'static str = "HelmRepository";
    fn status(&self) -> Option<&HelmRepositoryStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    /// `spec.interval`, or a minute when unset, as Flux requeues.
    fn interval(&self) -> &str {
        self.spec.interval.as_deref().unwrap_or("1m")
    }
}

/// Which chart to fetch from which source, and when a new artifact is due.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "source.toolkit.fluxcd.io",
    version = "v1",
    kind = "HelmChart",
    doc = "A Helm chart Flux fetches from a source and packages, and the artifact of it.",
    namespaced,
    status = "HelmChartStatus",
    shortname = "hc",
    category = "fluxcd",
    printcolumn = r#"{"name":"Chart","type":"string","jsonPath":".spec.chart"}"#,
    printcolumn = r#"{"name":"Version","type":"string","jsonPath":".spec.version"}"#,
    printcolumn = r#"{"name":"Source Kind","type":"string","jsonPath":".spec.sourceRef.kind"}"#,
    printcolumn = r#"{"name":"Source Name","type":"string","jsonPath":".spec.sourceRef.name"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
    "message": "spec.verify is only supported when spec.sourceRef.kind is 'HelmRepository'"
}]))]
pub struct HelmChartSpec {
    /// The chart's name in a HelmRepository, or its path in a GitRepository or Bucket.
    pub chart: String,
    /// A semver range (default `*`, the latest); only HelmRepository charts have versions to pick.
    #[serde(default = "default_version", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The source the chart is in, in this namespace.
    pub source_ref: LocalHelmChartSourceReference,
    /// How often to check the source for a new chart.
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// What makes a new artifact (default `ChartVersion`).
    #[serde(default = "default_reconcile_strategy", skip_serializing_if = "Option::is_none")]
    pub reconcile_strategy: Option<ReconcileStrategy>,
    /// Values files in the source merged, later ones winning, into the chart's values
    /// instead of its `values.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,
    /// A missing values file is skipped, not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,
    /// Stop reconciling this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// Signature verification of an OCI chart (HelmRepository of `type: oci` only); chart
    /// dependencies not bundled in it are not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<HelmChartVerification>,
}

pub(crate) fn default_version() -> Option<String> {
    Some("*".into())
}

pub(crate) fn default_reconcile_strategy() -> Option<ReconcileStrategy> {
    Some(ReconcileStrategy::ChartVersion)
}

/// The source of a HelmChart, in its namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LocalHelmChartSourceReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub kind: HelmChartSourceKind,
    pub name: String,
}

/// The kinds a chart can come from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum HelmChartSourceKind {
    #[default]
    HelmRepository,
    GitRepository,
    Bucket,
}

/// When a HelmChart makes a new artifact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ReconcileStrategy {
    /// When the chart's version changes.
    #[default]
    ChartVersion,
    /// When the source's revision changes, so that charts from Git update without a version bump.
    Revision,
}

/// How to check an OCI chart's signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartVerification {
    /// What signed the chart.
    #[serde(default)]
    pub provider: VerificationProvider,
    /// A Secret with the trusted public keys; keyless Cosign signatures need none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
    /// For keyless Cosign signatures: the chart is verified when any of these matches the
    /// signing certificate's identity.
    #[serde(default, rename = "matchOIDCIdentity", skip_serializing_if = "Option::is_none")]
    pub match_oidc_identity: Option<Vec<OidcIdentityMatch>>,
}

/// The tool that signed an OCI artifact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationProvider {
    #[default]
    Cosign,
    Notation,
}

/// An identity a keyless signature may carry: Go regular expressions for the certificate's
/// OIDC issuer and subject.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OidcIdentityMatch {
    pub issuer: String,
    pub subject: String,
}

/// What the source controller observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The source artifact revision the chart was last built from, which the `Revision`
    /// strategy compares.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_source_artifact_revision: Option<String>,
    /// The chart name the reference last resolved to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_chart_name: Option<String>,
    /// The `spec.valuesFiles` the artifact was built with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_values_files: Option<Vec<String>>,
    /// `Ready`, `Reconciling`, `Stalled`, `ArtifactInStorage`, `BuildFailed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// Where the latest packaged chart can be downloaded; `artifact` is the precise record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The packaged chart of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact: Option<Artifact>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
}

crate::status::object_status!(HelmChartStatus, |status| status
    .artifact
    .as_ref()
    .map(|artifact| artifact.revision.as_str()));

impl crate::status::Reconcilable for HelmChart {
    type Status = HelmChartStatus;
    const KIND: &'static str = "HelmChart";
    fn status(&self) -> Option<&HelmChartStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
}
