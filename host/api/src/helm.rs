//! `helm.toolkit.fluxcd.io/v2` HelmRelease: a Helm chart to install, upgrade, test, roll back
//! and keep in sync, with its values and what the controller did about it.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::{CustomResource, ResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::kustomize::{
    CommonMetadata, HealthCheckExpression, Image, KubeConfigReference, Patch, ResourceInventory, Selector,
};
use crate::meta::{self, LocalObjectReference, NamespacedObjectReference};
use crate::source::{self, HelmChartSourceKind, ReconcileStrategy, VerificationProvider};

/// Which chart to release where, and how each Helm action runs.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "helm.toolkit.fluxcd.io",
    version = "v2",
    kind = "HelmRelease",
    doc = "A Helm release Flux installs from a chart and keeps in sync.",
    namespaced,
    status = "HelmReleaseStatus",
    shortname = "hr",
    category = "fluxcd",
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Status","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].message"}"#
)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))",
    "message": "either chart or chartRef must be set"
}]))]
pub struct HelmReleaseSpec {
    /// A HelmChart for the controller to create and keep in step (exclusive with `chartRef`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<HelmChartTemplate>,
    /// An existing chart artifact to release (exclusive with `chart`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<CrossNamespaceSourceReference>,
    /// How often to reconcile the release (upgrade when needed, correct drift).
    #[schemars(schema_with = "meta::duration")]
    pub interval: String,
    /// Release to a remote cluster reached through this kubeconfig; with `serviceAccountName`,
    /// act as that ServiceAccount there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_config: Option<KubeConfigReference>,
    /// Stop reconciling; a reconciliation under way finishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// The Helm release name (default `[<targetNamespace>-]<name>`, shortened with a hash when
    /// longer than 53 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 53))]
    pub release_name: Option<String>,
    /// The namespace the release installs into (default: the HelmRelease's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub target_namespace: Option<String>,
    /// The namespace Helm keeps the release's records in (default: the HelmRelease's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub storage_namespace: Option<String>,
    // Flux's entries may also carry `readyExpr`, a CEL expression replacing the readiness
    // check; weir's dependency gate (`Reconcilable::depends_on`) has no CEL, so, as for
    // Kustomization, the entries are plain references and `readyExpr` is not in the schema.
    /// HelmReleases that must be Ready before this one is reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<NamespacedObjectReference>>,
    /// How long each Kubernetes operation of a Helm action (such as a hook Job) may take
    /// (default 5m0s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// How many release revisions Helm keeps (default 5; 0 keeps all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_history: Option<i64>,
    /// Act as this ServiceAccount (impersonated), not as the controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 253))]
    pub service_account_name: Option<String>,
    /// Reuse one Kubernetes client for a whole reconciliation (default true); charts that
    /// create CRDs outside Helm's CRD handling and use them in hooks need this off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_client: Option<bool>,
    /// Whether and how to find and correct cluster changes to the release's objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drift_detection: Option<DriftDetection>,
    /// How to install.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install: Option<Install>,
    /// How to upgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade: Option<Upgrade>,
    /// Whether and how to run the chart's tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<Test>,
    /// How to roll back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback: Option<Rollback>,
    /// How to uninstall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uninstall: Option<Uninstall>,
    /// ConfigMaps and Secrets holding values, merged in order before `values`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_from: Option<Vec<ValuesReference>>,
    /// The release's values, merged last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "values_schema")]
    pub values: Option<serde_json::Map<String, serde_json::Value>>,
    /// Labels and annotations put on every object of the release, over the chart's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_metadata: Option<CommonMetadata>,
    /// Post-renderers applied, in order, to the rendered manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_renderers: Option<Vec<PostRenderer>>,
    /// Whether hooks go through the post-renderers (default `combined`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_render_strategy: Option<PostRenderStrategy>,
    /// How Helm waits for the applied objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_strategy: Option<WaitStrategy>,
    /// Custom health checks as CEL expressions, per kind, used when an action waits with the
    /// `poller` strategy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_exprs: Option<Vec<HealthCheckExpression>>,
}

/// Helm values are a map; arbitrary below the top, so the API server keeps every field.
fn values_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": "object", "x-kubernetes-preserve-unknown-fields": true })
}

/// The HelmChart the controller creates for a release, in the namespace of its source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HelmChartTemplate {
    /// Labels and annotations of the HelmChart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<HelmChartTemplateObjectMeta>,
    /// The HelmChart's spec.
    pub spec: HelmChartTemplateSpec,
}

/// Labels and annotations for a generated HelmChart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HelmChartTemplateObjectMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

/// The spec of a generated HelmChart; its source may be in another namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplateSpec {
    /// The chart's name in a HelmRepository, or its path in a GitRepository or Bucket.
    #[schemars(length(min = 1, max = 2048))]
    pub chart: String,
    /// A semver range (default `*`, the latest); only HelmRepository charts have versions to pick.
    #[serde(default = "source::default_version", skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The source the chart is in.
    pub source_ref: CrossNamespaceObjectReference,
    /// How often the HelmChart checks its source (default: the HelmRelease's `interval`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub interval: Option<String>,
    /// What makes a new chart artifact (default `ChartVersion`).
    #[serde(default = "source::default_reconcile_strategy", skip_serializing_if = "Option::is_none")]
    pub reconcile_strategy: Option<ReconcileStrategy>,
    /// Values files in the source merged, later ones winning, into the chart's values
    /// instead of its `values.yaml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values_files: Option<Vec<String>>,
    /// A missing values file is skipped, not an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_missing_values_files: Option<bool>,
    /// Signature verification of an OCI chart; dependencies not bundled in it are not verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<HelmChartTemplateVerification>,
}

/// How to check an OCI chart's signature.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmChartTemplateVerification {
    /// What signed the chart.
    #[serde(default)]
    pub provider: VerificationProvider,
    /// A Secret with the trusted public keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<LocalObjectReference>,
}

/// The source of a generated HelmChart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceObjectReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    pub kind: HelmChartSourceKind,
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Its namespace, if not the HelmRelease's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub namespace: Option<String>,
}

/// A chart artifact that already exists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CrossNamespaceSourceReference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `OCIRepository`, `HelmChart` or `ExternalArtifact`.
    pub kind: ChartRefKind,
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Its namespace, if not the HelmRelease's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub namespace: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ChartRefKind {
    #[default]
    OCIRepository,
    HelmChart,
    ExternalArtifact,
}

/// Drift detection, and what it leaves alone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DriftDetection {
    /// `enabled` corrects drift with an upgrade, `warn` only reports it (default `disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<DriftDetectionMode>,
    /// Changes not counted as drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore: Option<Vec<IgnoreRule>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DriftDetectionMode {
    Enabled,
    Warn,
    Disabled,
}

/// Fields drift detection ignores.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IgnoreRule {
    /// JSON Pointers (RFC 6901) to the ignored fields.
    pub paths: Vec<String>,
    /// The objects the rule is for (default: every object of the release).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Selector>,
}

/// The Helm install action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Install {
    /// How long each Kubernetes operation may take (default: `spec.timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// What a failure leads to (default `RemediateOnFailure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ActionStrategy>,
    /// How a failed install is remediated (default: not at all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<InstallRemediation>,
    /// Do not adopt existing objects into the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_take_ownership: Option<bool>,
    /// Do not wait for the objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// Do not wait for Jobs to complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Do not run hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// Do not validate the rendered manifests against the cluster's OpenAPI schema.
    #[serde(default, rename = "disableOpenAPIValidation", skip_serializing_if = "Option::is_none")]
    pub disable_open_api_validation: Option<bool>,
    /// Do not validate the values against the chart's JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_schema_validation: Option<bool>,
    /// Reuse the release name of a deleted release still in the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<bool>,
    /// Do not install CRDs; deprecated for `crds: Skip`.
    #[serde(default, rename = "skipCRDs", skip_serializing_if = "Option::is_none")]
    pub skip_crds: Option<bool>,
    /// What to do with the chart's `crds/` (default `Create`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<CrdsPolicy>,
    /// Create `targetNamespace` if missing; uninstalling leaves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_namespace: Option<bool>,
    /// Apply server-side (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<bool>,
}

/// What a failed install or upgrade leads to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{
    "rule": "!has(self.retryInterval) || self.name == 'RetryOnFailure'",
    "message": ".retryInterval can only be set when .name is 'RetryOnFailure'"
}]))]
pub struct ActionStrategy {
    pub name: ActionStrategyName,
    /// How soon to retry under `RetryOnFailure` (default 5m).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub retry_interval: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ActionStrategyName {
    /// Remediate as `remediation` says (uninstall, roll back).
    #[default]
    RemediateOnFailure,
    /// Leave the failed release and try the same action again after `retryInterval`.
    RetryOnFailure,
}

/// Remediation of a failed install: uninstall, then retry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstallRemediation {
    /// Attempts after the first (default 0; negative: without end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    /// Failed tests after an install are no failure (default: `test.ignoreFailures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_test_failures: Option<bool>,
    /// Remediate the last failure too, once no retries remain (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
}

/// Remediation of a failed upgrade: roll back or uninstall, then retry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeRemediation {
    /// Attempts after the first (default 0; negative: without end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
    /// Failed tests after an upgrade are no failure (default: `test.ignoreFailures`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_test_failures: Option<bool>,
    /// Remediate the last failure too, once no retries remain (default: whether `retries` > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediate_last_failure: Option<bool>,
    /// How to remediate (default `rollback`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<RemediationStrategy>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RemediationStrategy {
    Rollback,
    Uninstall,
}

/// What an install or upgrade does with the chart's `crds/` directory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum CrdsPolicy {
    /// Neither create nor update CRDs.
    Skip,
    /// Create missing CRDs, leave existing ones.
    Create,
    /// Create missing CRDs and replace existing ones; none are deleted.
    CreateReplace,
}

/// The Helm upgrade action.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Upgrade {
    /// How long each Kubernetes operation may take (default: `spec.timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// What a failure leads to (default `RemediateOnFailure`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ActionStrategy>,
    /// How a failed upgrade is remediated (default: not at all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<UpgradeRemediation>,
    /// Do not adopt existing objects into the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_take_ownership: Option<bool>,
    /// Do not wait for the objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// Do not wait for Jobs to complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Do not run hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// Do not validate the rendered manifests against the cluster's OpenAPI schema.
    #[serde(default, rename = "disableOpenAPIValidation", skip_serializing_if = "Option::is_none")]
    pub disable_open_api_validation: Option<bool>,
    /// Do not validate the values against the chart's JSON Schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_schema_validation: Option<bool>,
    /// Replace objects rather than three-way merge them (client-side apply only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Start from the last release's values; this makes the release depend on its history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preserve_values: Option<bool>,
    /// Delete objects the failed upgrade created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// What to do with the chart's `crds/` (default `Skip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crds: Option<CrdsPolicy>,
    /// Whether to apply server-side (default `auto`: as the release was last applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<ServerSideApplyMode>,
    /// What a changed chart name leads to (default `Reinstall`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_name_change_strategy: Option<ChartNameChangeStrategy>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ServerSideApplyMode {
    Enabled,
    Disabled,
    /// As the release was last applied.
    Auto,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ChartNameChangeStrategy {
    /// Upgrade the release to the new chart.
    InPlaceUpdate,
    /// Uninstall the release, then install the new chart.
    Reinstall,
}

/// The Helm test action, run after an install or upgrade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Test {
    /// Run the tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// How long each Kubernetes operation may take (default: `spec.timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Failed tests are no failure (install and upgrade remediation can say otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ignore_failures: Option<bool>,
    /// Tests to run or leave out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
}

/// One test by name, to run or leave out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Filter {
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// Leave this test out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<bool>,
}

/// The Helm rollback action, used to remediate a failed upgrade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rollback {
    /// How long each Kubernetes operation may take (default: `spec.timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Do not wait for the objects to be ready.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// Do not wait for Jobs to complete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait_for_jobs: Option<bool>,
    /// Do not run hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// Restart the workloads' pods; Helm 4 dropped this, Flux only warns about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recreate: Option<bool>,
    /// Replace objects rather than three-way merge them (client-side apply only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<bool>,
    /// Delete objects the failed rollback created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_on_fail: Option<bool>,
    /// Whether to apply server-side (default `auto`: as the release was last applied).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_side_apply: Option<ServerSideApplyMode>,
}

/// The Helm uninstall action, run on deletion or to remediate.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Uninstall {
    /// How long each Kubernetes operation may take (default: `spec.timeout`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "meta::optional_duration")]
    pub timeout: Option<String>,
    /// Do not run hooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_hooks: Option<bool>,
    /// Delete the objects but keep the release's history, marked deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_history: Option<bool>,
    /// Do not wait for the objects to be gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_wait: Option<bool>,
    /// How dependents of deleted objects go (default `background`).
    #[serde(default = "default_deletion_propagation", skip_serializing_if = "Option::is_none")]
    pub deletion_propagation: Option<DeletionPropagation>,
}

fn default_deletion_propagation() -> Option<DeletionPropagation> {
    Some(DeletionPropagation::Background)
}

/// Kubernetes' propagation policies, in lower case as Flux spells them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeletionPropagation {
    Background,
    Foreground,
    Orphan,
}

/// A ConfigMap or Secret holding values.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValuesReference {
    pub kind: ValuesKind,
    /// Its name, in the HelmRelease's namespace.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// The data key (default `values.yaml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 253), regex(pattern = r"^[\-._a-zA-Z0-9]+$"))]
    pub values_key: Option<String>,
    /// Where in the values to put the key's single value, in Helm's `--set` path syntax
    /// (default: the key holds YAML merged at the root).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 250), regex(pattern = r"^([a-zA-Z0-9_\-.\\\/]|\[[0-9]{1,5}\])+$"))]
    pub target_path: Option<String>,
    /// A missing object or key is not an error (other errors still are).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
    /// With `targetPath`, take the value as it is, as `helm --set-literal`, instead of
    /// parsing `--set` syntax in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub literal: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ValuesKind {
    #[default]
    ConfigMap,
    Secret,
}

/// A post-renderer: one of `kustomize` and (weir's) `plugin`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PostRenderer {
    /// Kustomize patches and image overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kustomize: Option<KustomizePostRenderer>,
    /// weir: a `post-renderer` Plugin of the release's namespace (or a ClusterPlugin), given
    /// the rendered manifests and returning them changed. Not in Flux's API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginPostRenderer>,
}

/// The plugin a post-renderer runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PluginPostRenderer {
    /// The Plugin's name; a ClusterPlugin's when the namespace has no Plugin of that name.
    pub name: String,
}

/// Kustomize over the rendered manifests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct KustomizePostRenderer {
    /// Strategic merge and JSON 6902 patches, and what they target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patches: Option<Vec<Patch>>,
    /// Image overrides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<Image>>,
}

/// Which rendered manifests the post-renderers see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostRenderStrategy {
    /// Templates only, not hooks (Helm 3).
    NoHooks,
    /// Templates and hooks in one stream (Helm 4).
    Combined,
    /// Templates and hooks in separate streams.
    Separate,
}

/// How Helm waits for objects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WaitStrategy {
    pub name: WaitStrategyName,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum WaitStrategyName {
    /// Poll the objects' kstatus.
    #[default]
    Poller,
    /// Helm 3's readiness checks.
    Legacy,
}

/// What the helm controller observed and did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HelmReleaseStatus {
    /// The last generation reconciled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Digest of the `postRenderers` of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_post_renderers_digest: Option<String>,
    /// Digest of the `commonMetadata` of the last successful reconciliation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_common_metadata_digest: Option<String>,
    /// The last generation a reconciliation was attempted for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_generation: Option<i64>,
    /// `Ready`, `Reconciling`, `Stalled`, `Released`, `TestSuccess`, `Remediated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    /// The created HelmChart, `<namespace>/<name>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm_chart: Option<String>,
    /// The namespace Helm keeps the current release's records in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63))]
    pub storage_namespace: Option<String>,
    /// The releases made, newest first, down to the last successful one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<Snapshot>>,
    /// The objects of the release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inventory: Option<ResourceInventory>,
    /// The last action attempted, which decides the retry and remediation settings in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_release_action: Option<ReleaseAction>,
    /// How long that action took.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_release_action_duration: Option<String>,
    /// Failed reconciliations against the current desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<i64>,
    /// Failed installs against the current desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub install_failures: Option<i64>,
    /// Failed upgrades against the current desired state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrade_failures: Option<i64>,
    /// The chart revision last attempted; for OCI sources, the chart version with `+` and
    /// the digest's first 12 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision: Option<String>,
    /// The OCI digest last attempted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_revision_digest: Option<String>,
    /// SHA-1 of the values last attempted; deprecated for `lastAttemptedConfigDigest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_values_checksum: Option<String>,
    /// The last successful Helm release revision; deprecated for `history`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_release_revision: Option<i64>,
    /// Digest of the values last attempted, `<algorithm>:<checksum>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempted_config_digest: Option<String>,
    /// The value of the `reconcile.fluxcd.io/requestedAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reconcile_at: Option<String>,
    /// The value of the `reconcile.fluxcd.io/forceAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_force_at: Option<String>,
    /// The value of the `reconcile.fluxcd.io/resetAt` annotation last handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_handled_reset_at: Option<String>,
}

crate::status::object_status!(HelmReleaseStatus, |status| status.last_attempted_revision.as_deref());

/// A Helm action, as the status records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReleaseAction {
    Install,
    Upgrade,
    Rollback,
    Uninstall,
    /// An uninstall remediating a failed install or upgrade.
    UninstallRemediation,
}

/// One release revision as Helm stored it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    /// How `digest` was computed (`v2` since Helm 4), so a new method is told from the old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// Digest of the stored release, `<algorithm>:<checksum>`.
    pub digest: String,
    pub name: String,
    pub namespace: String,
    /// The release revision.
    pub version: i64,
    /// `deployed`, `superseded`, `failed`, `uninstalled`, ...
    pub status: String,
    /// The action that made this revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ReleaseAction>,
    pub chart_name: String,
    pub chart_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Digest of the values, `<algorithm>:<checksum>`.
    pub config_digest: String,
    pub first_deployed: String,
    pub last_deployed: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<String>,
    /// The test hooks the controller saw run, by name; empty when the chart has none selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_hooks: Option<BTreeMap<String, TestHookStatus>>,
    /// Digest of the OCI artifact the chart came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oci_digest: Option<String>,
}

/// A test hook's last run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TestHookStatus {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_started: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_completed: Option<String>,
    /// `Succeeded`, `Failed`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
}

/// Helm refuses release names longer than this.
const MAX_RELEASE_NAME: usize = 53;
/// The hex digits of the name's SHA-256 a shortened name ends with.
const SHORT_HASH: usize = 12;

impl HelmRelease {
    /// The name Helm stores the release under: `spec.releaseName`, else
    /// `<targetNamespace>-<name>` when `targetNamespace` is set, else the object's name; a name
    /// over Helm's 53 characters becomes its first 40, `-`, and 12 hex digits of its SHA-256,
    /// as helm-controller shortens it.
    pub fn release_name(&self) -> String {
        let name = match (&self.spec.release_name, &self.spec.target_namespace) {
            (Some(release_name), _) => release_name.clone(),
            (None, Some(target_namespace)) => format!("{target_namespace}-{}", self.name_any()),
            (None, None) => self.name_any(),
        };
        if name.len() <= MAX_RELEASE_NAME {
            return name;
        }
        let mut end = MAX_RELEASE_NAME - SHORT_HASH - 1;
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let hash = format!("{:x}", Sha256::digest(name.as_bytes()));
        format!("{}-{}", &name[..end], &hash[..SHORT_HASH])
    }

    /// The namespace the release installs into: `spec.targetNamespace`, else the object's.
    pub fn release_namespace(&self) -> &str {
        self.spec.target_namespace.as_deref().or(self.metadata.namespace.as_deref()).unwrap_or_default()
    }

    /// The namespace Helm keeps the release's records in: `spec.storageNamespace`, else the
    /// object's.
    pub fn storage_namespace(&self) -> &str {
        self.spec.storage_namespace.as_deref().or(self.metadata.namespace.as_deref()).unwrap_or_default()
    }

    /// The name of the HelmChart created from `spec.chart`: `<namespace>-<name>`, unique even
    /// when releases of several namespaces share a source's namespace.
    pub fn helm_chart_name(&self) -> String {
        format!("{}-{}", self.metadata.namespace.as_deref().unwrap_or_default(), self.name_any())
    }

    /// The `retryInterval` (default 5m) when `action`'s strategy is `RetryOnFailure`.
    pub fn retry_on_failure(&self, action: &ReleaseAction) -> Option<&str> {
        let strategy = match action {
            ReleaseAction::Install => self.spec.install.as_ref()?.strategy.as_ref()?,
            ReleaseAction::Upgrade => self.spec.upgrade.as_ref()?.strategy.as_ref()?,
            _ => return None,
        };
        (strategy.name == ActionStrategyName::RetryOnFailure)
            .then(|| strategy.retry_interval.as_deref().unwrap_or("5m"))
    }
}

impl crate::status::Reconcilable for HelmRelease {
    type Status = HelmReleaseStatus;
    const KIND: &'static str = "HelmRelease";
    fn status(&self) -> Option<&HelmReleaseStatus> {
        self.status.as_ref()
    }
    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }
    fn interval(&self) -> &str {
        &self.spec.interval
    }
    /// Under `RetryOnFailure` for the action last attempted (install or upgrade, as the status
    /// says), Flux retries after its `retryInterval` (default 5m); otherwise remediation runs and
    /// failures back off.
    fn retry_interval(&self) -> Option<&str> {
        self.retry_on_failure(self.status.as_ref()?.last_attempted_release_action.as_ref()?)
    }
    fn depends_on(&self) -> &[NamespacedObjectReference] {
        self.spec.depends_on.as_deref().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::Reconcilable;

    fn release(name: &str, spec: HelmReleaseSpec) -> HelmRelease {
        let mut release = HelmRelease::new(name, spec);
        release.metadata.namespace = Some("flux-system".into());
        release
    }

    #[test]
    fn release_name_is_release_name_else_target_namespace_and_name() {
        let plain = release("podinfo", HelmReleaseSpec::default());
        assert_eq!(plain.release_name(), "podinfo");
        let targeted =
            release("podinfo", HelmReleaseSpec { target_namespace: Some("apps".into()), ..Default::default() });
        assert_eq!(targeted.release_name(), "apps-podinfo");
        let named = release(
            "podinfo",
            HelmReleaseSpec {
                release_name: Some("frontend".into()),
                target_namespace: Some("apps".into()),
                ..Default::default()
            },
        );
        assert_eq!(named.release_name(), "frontend");
    }

    #[test]
    fn long_release_names_are_shortened_with_a_hash_as_flux_does() {
        // helm-controller's own cases (internal/release/name_test.go).
        for (name, expected) in [
            (
                "release-name-with-very-long-name-which-is-longer-than-53-characters",
                "release-name-with-very-long-name-which-i-788ca0d0d7b0",
            ),
            (
                "another-release-name-with-very-long-name-which-is-longer-than-53-characters",
                "another-release-name-with-very-long-name-7e72150d5a36",
            ),
        ] {
            let shortened = release(name, HelmReleaseSpec::default()).release_name();
            assert_eq!(shortened, expected);
            assert_eq!(shortened.len(), MAX_RELEASE_NAME);
        }
        let exactly = "a".repeat(MAX_RELEASE_NAME);
        assert_eq!(release(&exactly, HelmReleaseSpec::default()).release_name(), exactly);
    }

    #[test]
    fn namespaces_default_to_the_objects() {
        let plain = release("podinfo", HelmReleaseSpec::default());
        assert_eq!((plain.release_namespace(), plain.storage_namespace()), ("flux-system", "flux-system"));
        let spec = HelmReleaseSpec {
            target_namespace: Some("apps".into()),
            storage_namespace: Some("helm".into()),
            ..Default::default()
        };
        let moved = release("podinfo", spec);
        assert_eq!((moved.release_namespace(), moved.storage_namespace()), ("apps", "helm"));
        assert_eq!(moved.helm_chart_name(), "flux-system-podinfo");
    }

    #[test]
    fn retry_interval_follows_the_strategy_of_the_last_action() {
        let retry = |interval: Option<&str>| ActionStrategy {
            name: ActionStrategyName::RetryOnFailure,
            retry_interval: interval.map(Into::into),
        };
        let spec = HelmReleaseSpec {
            install: Some(Install { strategy: Some(retry(None)), ..Default::default() }),
            upgrade: Some(Upgrade { strategy: Some(retry(Some("30s"))), ..Default::default() }),
            ..Default::default()
        };
        let mut object = release("podinfo", spec);
        assert_eq!(object.retry_interval(), None, "nothing attempted yet");
        let attempted =
            |action| HelmReleaseStatus { last_attempted_release_action: Some(action), ..Default::default() };
        object.status = Some(attempted(ReleaseAction::Install));
        assert_eq!(object.retry_interval(), Some("5m"));
        object.status = Some(attempted(ReleaseAction::Upgrade));
        assert_eq!(object.retry_interval(), Some("30s"));
        object.spec.upgrade.as_mut().unwrap().strategy.as_mut().unwrap().name = ActionStrategyName::RemediateOnFailure;
        assert_eq!(object.retry_interval(), None);
    }
}
