//! Status conditions as Flux sets them: `Ready`, `Reconciling`, `Stalled`,
//! `Healthy`, with the reasons Flux's controllers use.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

pub use weir_api::status::{READY, RECONCILING, STALLED};
pub const HEALTHY: &str = "Healthy";
pub const ARTIFACT_IN_STORAGE: &str = "ArtifactInStorage";
/// Sources with `spec.verify`: whether the signature of what was pulled checked out.
pub const SOURCE_VERIFIED: &str = "SourceVerified";

/// Reasons, as in Flux's `meta` and controller APIs.
pub mod reason {
    pub const SUCCEEDED: &str = "Succeeded";
    pub const PROGRESSING: &str = "Progressing";
    pub const PROGRESSING_WITH_RETRY: &str = "ProgressingWithRetry";
    pub const RECONCILIATION_SUCCEEDED: &str = "ReconciliationSucceeded";
    pub const RECONCILIATION_FAILED: &str = "ReconciliationFailed";
    pub const ARTIFACT_FAILED: &str = "ArtifactFailed";
    pub const BUILD_FAILED: &str = "BuildFailed";
    pub const DECRYPTION_FAILED: &str = "DecryptionFailed";
    pub const HEALTH_CHECK_FAILED: &str = "HealthCheckFailed";
    pub const DEPENDENCY_NOT_READY: &str = "DependencyNotReady";
    pub const PRUNE_FAILED: &str = "PruneFailed";
    pub const ACCESS_DENIED: &str = "AccessDenied";
    pub const INVALID_SPEC: &str = "InvalidSpec";
    pub const GIT_OPERATION_FAILED: &str = "GitOperationFailed";
    pub const BUCKET_OPERATION_FAILED: &str = "BucketOperationFailed";
    pub const AUTHENTICATION_FAILED: &str = "AuthenticationFailed";
    pub const STORAGE_OPERATION_FAILED: &str = "StorageOperationFailed";
    pub const FAILED: &str = "Failed";
    pub const URL_INVALID: &str = "URLInvalid";
    pub const INDEXATION_FAILED: &str = "IndexationFailed";
    pub const SOURCE_UNAVAILABLE: &str = "SourceUnavailable";
    pub const NO_SOURCE_ARTIFACT: &str = "NoSourceArtifact";
    pub const CHART_REFERENCE: &str = "InvalidChartReference";
    pub const CHART_PULL: &str = "ChartPullError";
    pub const CHART_VERIFICATION: &str = "ChartVerificationError";
    pub const CHART_PACKAGE: &str = "ChartPackageError";
    pub const DEPENDENCY_BUILD: &str = "DependencyBuildError";
    pub const VALUES_FILES: &str = "ValuesFilesError";
    pub const METADATA_PATCH: &str = "MetadataPatchError";
    pub const INIT_FAILED: &str = "InitFailed";
    pub const INSTALL_SUCCEEDED: &str = "InstallSucceeded";
    pub const INSTALL_FAILED: &str = "InstallFailed";
    pub const UPGRADE_SUCCEEDED: &str = "UpgradeSucceeded";
    pub const UPGRADE_FAILED: &str = "UpgradeFailed";
    pub const ROLLBACK_SUCCEEDED: &str = "RollbackSucceeded";
    pub const ROLLBACK_FAILED: &str = "RollbackFailed";
    pub const UNINSTALL_SUCCEEDED: &str = "UninstallSucceeded";
    pub const UNINSTALL_FAILED: &str = "UninstallFailed";
    pub const RETRIES_EXCEEDED: &str = "RetriesExceeded";
    pub const TEST_SUCCEEDED: &str = "TestSucceeded";
    pub const TEST_FAILED: &str = "TestFailed";
    pub const DRIFT_DETECTION_FAILED: &str = "DriftDetectionFailed";
    pub const OCI_PULL_FAILED: &str = "OCIArtifactPullFailed";
    pub const OCI_LAYER_OPERATION_FAILED: &str = "OCIArtifactLayerOperationFailed";
    pub const READ_OPERATION_FAILED: &str = "ReadOperationFailed";
    pub const VERIFICATION_ERROR: &str = "VerificationError";
}

/// Sets a condition True or False, keeping its transition time when the status stays the same.
pub fn set(
    conditions: &mut Vec<Condition>,
    kind: &str,
    status: bool,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    set_status(conditions, kind, if status { "True" } else { "False" }, reason, message, generation);
}

/// Sets a condition to `status` (`True`, `False` or `Unknown`).
pub fn set_status(
    conditions: &mut Vec<Condition>,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    generation: Option<i64>,
) {
    let transition = conditions
        .iter()
        .find(|condition| condition.type_ == kind && condition.status == status)
        .map(|condition| condition.last_transition_time.clone());
    conditions.retain(|condition| condition.type_ != kind);
    conditions.push(Condition {
        type_: kind.to_owned(),
        status: status.to_owned(),
        reason: reason.to_owned(),
        message: message.to_owned(),
        observed_generation: generation,
        last_transition_time: transition.unwrap_or_else(|| Time(Timestamp::now())),
    });
    // Flux keeps Ready first, so `kubectl get` columns and readers find it quickly.
    conditions.sort_by_key(|condition| condition.type_ != READY);
}

pub fn remove(conditions: &mut Vec<Condition>, kind: &str) {
    conditions.retain(|condition| condition.type_ != kind);
}

pub fn find<'a>(conditions: Option<&'a Vec<Condition>>, kind: &str) -> Option<&'a Condition> {
    conditions?.iter().find(|condition| condition.type_ == kind)
}

pub fn is_true(conditions: Option<&Vec<Condition>>, kind: &str) -> bool {
    find(conditions, kind).is_some_and(|condition| condition.status == "True")
}

/// Now, as Kubernetes timestamps read.
pub fn now() -> String {
    Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
