//! What every Flux object has in common, so that one reconciler skeleton, `weir get`, `weir
//! reconcile` and health checks serve all kinds: the status fields Flux's controllers share
//! (`conditions`, `observedGeneration`, `lastHandledReconcileAt`), `suspend`, `interval`,
//! `dependsOn`, and the kstatus reading of those conditions.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::Resource;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::meta::NamespacedObjectReference;

pub const READY: &str = "Ready";
pub const RECONCILING: &str = "Reconciling";
pub const STALLED: &str = "Stalled";

/// The status fields every Flux kind has.
pub trait ObjectStatus: Default + Clone + Serialize + std::fmt::Debug + Send + Sync + 'static {
    fn conditions(&self) -> &[Condition];
    fn conditions_mut(&mut self) -> &mut Vec<Condition>;
    fn observed_generation(&self) -> Option<i64>;
    fn set_observed_generation(&mut self, generation: Option<i64>);
    fn last_handled_reconcile_at(&self) -> Option<&str>;
    fn set_last_handled_reconcile_at(&mut self, token: String);
    /// The revision the object reports: a source's artifact's, a Kustomization's applied (else
    /// attempted) one, a HelmRelease's attempted chart version.
    fn revision(&self) -> Option<&str>;
}

/// An object the reconciliation lifecycle drives, of either scope, with the spec fields the
/// lifecycle reads.
pub trait Reconcilable:
    Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + std::fmt::Debug + Send + Sync + 'static
{
    type Status: ObjectStatus;
    /// The kind, as the API spells it.
    const KIND: &'static str;
    fn status(&self) -> Option<&Self::Status>;
    fn suspended(&self) -> bool;
    /// `spec.interval`, unparsed.
    fn interval(&self) -> &str;
    /// How soon to retry a failure, unparsed, for kinds whose spec says (`retryInterval`);
    /// others back off exponentially.
    fn retry_interval(&self) -> Option<&str> {
        None
    }
    /// `spec.dependsOn`: objects of the same kind that must be Ready first.
    fn depends_on(&self) -> &[NamespacedObjectReference] {
        &[]
    }
}

/// A namespaced [`Reconcilable`]: every Flux kind (and weir's own Plugin).
pub trait FluxObject: Reconcilable + Resource<Scope = kube::core::NamespaceResourceScope> {}

impl<K: Reconcilable + Resource<Scope = kube::core::NamespaceResourceScope>> FluxObject for K {}

/// A source kind: what its controller last stored, for the kinds built from it.
pub trait ArtifactSource: FluxObject {
    /// `status.artifact`.
    fn artifact(&self) -> Option<&crate::meta::Artifact>;
}

/// Implements [`ArtifactSource`] for kinds whose status has Flux's `artifact` field.
macro_rules! artifact_source {
    ($($kind:ty),+) => {
        $(impl $crate::status::ArtifactSource for $kind {
            fn artifact(&self) -> Option<&$crate::meta::Artifact> {
                self.status.as_ref()?.artifact.as_ref()
            }
        })+
    };
}
pub(crate) use artifact_source;

/// Implements [`ObjectStatus`] for a status struct with Flux's field names.
macro_rules! object_status {
    ($status:ty) => {
        $crate::status::object_status!($status, |_status| None);
    };
    // `|status| expression`: the revision, read from `status`.
    ($status:ty, |$this:ident| $revision:expr) => {
        impl $crate::status::ObjectStatus for $status {
            fn conditions(&self) -> &[k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition] {
                self.conditions.as_deref().unwrap_or_default()
            }
            fn conditions_mut(&mut self) -> &mut Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
                self.conditions.get_or_insert_default()
            }
            fn observed_generation(&self) -> Option<i64> {
                self.observed_generation
            }
            fn set_observed_generation(&mut self, generation: Option<i64>) {
                self.observed_generation = generation;
            }
            fn last_handled_reconcile_at(&self) -> Option<&str> {
                self.last_handled_reconcile_at.as_deref()
            }
            fn set_last_handled_reconcile_at(&mut self, token: String) {
                self.last_handled_reconcile_at = Some(token);
            }
            fn revision(&self) -> Option<&str> {
                let $this = self;
                $revision
            }
        }
    };
}
pub(crate) use object_status;

/// Where an object stands, read as kstatus reads conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Ready at the latest generation.
    Ready(String),
    /// Work is under way, or the controller has not seen the latest generation yet.
    InProgress(String),
    /// The last attempt failed; the controller retries.
    Failed { reason: String, message: String },
    /// The controller gave up until the object changes.
    Stalled { reason: String, message: String },
}

/// kstatus' reading: a generation the controller has not observed, or `Reconciling=True`, is in
/// progress; `Stalled=True` is stalled; then `Ready` decides.
pub fn readiness<K: Reconcilable>(object: &K) -> Readiness {
    let Some(status) = object.status() else {
        return Readiness::InProgress("waiting to be reconciled".into());
    };
    let find = |kind: &str| status.conditions().iter().find(|condition| condition.type_ == kind);
    if status.observed_generation() != object.meta().generation {
        return Readiness::InProgress("waiting for the latest generation to be reconciled".into());
    }
    if let Some(stalled) = find(STALLED).filter(|condition| condition.status == "True") {
        return Readiness::Stalled { reason: stalled.reason.clone(), message: stalled.message.clone() };
    }
    if let Some(reconciling) = find(RECONCILING).filter(|condition| condition.status == "True") {
        return Readiness::InProgress(reconciling.message.clone());
    }
    match find(READY) {
        Some(ready) if ready.status == "True" => Readiness::Ready(ready.message.clone()),
        Some(ready) if ready.status == "False" => {
            Readiness::Failed { reason: ready.reason.clone(), message: ready.message.clone() }
        }
        Some(ready) => Readiness::InProgress(ready.message.clone()),
        None => Readiness::InProgress("no Ready condition yet".into()),
    }
}
