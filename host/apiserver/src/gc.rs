//! Garbage collection through `metadata.ownerReferences`, with the three
//! propagation policies of a delete: background (the owner goes now, its
//! dependents right after), foreground (the dependents go first; the owner
//! waits with the `foregroundDeletion` finalizer), orphan (the dependents
//! lose their reference and stay).

use serde_json::Value;

use crate::handlers::Api;
use crate::objects;
use crate::request::Query;
use crate::status::ApiError;
use crate::store::{Change, ObjectKey};

pub const FOREGROUND_FINALIZER: &str = "foregroundDeletion";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

impl Propagation {
    /// From `propagationPolicy` (query or DeleteOptions) or the legacy `orphanDependents`.
    pub fn of_request(query: &Query, options: &Value) -> Result<Self, ApiError> {
        let policy = query.get("propagationPolicy").or_else(|| options["propagationPolicy"].as_str());
        match policy {
            None if options["orphanDependents"] == Value::Bool(true) || query.flag("orphanDependents") => {
                Ok(Self::Orphan)
            }
            None | Some("Background") => Ok(Self::Background),
            Some("Foreground") => Ok(Self::Foreground),
            Some("Orphan") => Ok(Self::Orphan),
            Some(other) => Err(ApiError::bad_request(format!(
                "propagationPolicy {other:?} is not supported: use Background, Foreground or Orphan"
            ))),
        }
    }
}

fn uid(object: &Value) -> &str {
    object["metadata"]["uid"].as_str().unwrap_or("")
}

fn owner_uids(object: &Value) -> Vec<String> {
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|reference| reference["uid"].as_str().map(str::to_owned))
        .collect()
}

impl Api {
    /// Objects that name `owner_uid` among their owners.
    fn dependents(&self, owner_uid: &str) -> Vec<ObjectKey> {
        if owner_uid.is_empty() {
            return Vec::new();
        }
        self.store.find(|object| owner_uids(object).iter().any(|owner| owner == owner_uid))
    }

    fn exists(&self, uid: &str) -> bool {
        !self.store.find(|object| self::uid(object) == uid).is_empty()
    }

    /// Before the owner's deletion: orphans lose their reference.
    pub(crate) fn orphan_dependents(&self, owner: &Value) {
        let owner_uid = uid(owner).to_owned();
        for key in self.dependents(&owner_uid) {
            let _ = self.store.write(&key, false, |current| {
                let Some(current) = current else { return Ok(Change::Keep) };
                let mut orphan = current.clone();
                if let Some(references) = orphan["metadata"]["ownerReferences"].as_array_mut() {
                    references.retain(|reference| reference["uid"].as_str() != Some(&owner_uid));
                }
                Ok(Change::Put(orphan))
            });
        }
    }

    /// Foreground: the owner waits (finalizer) while its dependents are deleted.
    pub(crate) fn delete_dependents_first(&self, owner_key: &ObjectKey, owner: &Value) -> Result<(), ApiError> {
        let dependents = self.dependents(uid(owner));
        if dependents.is_empty() {
            return Ok(());
        }
        self.store.write(owner_key, false, |current| {
            let Some(current) = current else { return Ok(Change::Keep) };
            let mut waiting = current.clone();
            let finalizers = waiting["metadata"]["finalizers"].as_array().cloned().unwrap_or_default();
            if !finalizers.iter().any(|finalizer| finalizer == FOREGROUND_FINALIZER) {
                let mut finalizers = finalizers;
                finalizers.push(Value::String(FOREGROUND_FINALIZER.into()));
                waiting["metadata"]["finalizers"] = Value::Array(finalizers);
            }
            Ok(Change::Put(waiting))
        })?;
        for key in dependents {
            self.delete_key(&key, Propagation::Foreground);
        }
        Ok(())
    }

    /// Deletes the object at `key` (any resource), as the collector does.
    fn delete_key(&self, key: &ObjectKey, propagation: Propagation) {
        if let Some(ty) = self.registry.lookup_resource(&key.resource)
            && let Err(error) = self.delete_object(&ty, key, &Value::Null, propagation, false)
            && error.code != 404
        {
            tracing::warn!(name = key.name, namespace = key.namespace, "garbage collection failed: {error}");
        }
    }

    /// After an object is gone: its dependents without a living owner are
    /// collected, and owners waiting in the foreground for it may now go.
    pub(crate) fn after_removal(&self, removed: &Value) {
        for key in self.dependents(uid(removed)) {
            let Some(dependent) = self.store.get(&key) else { continue };
            if !owner_uids(&dependent).iter().any(|owner| self.exists(owner)) {
                self.delete_key(&key, Propagation::Background);
            }
        }
        for owner_uid in owner_uids(removed) {
            if !self.dependents(&owner_uid).is_empty() {
                continue;
            }
            for key in self.store.find(|object| uid(object) == owner_uid && objects::is_terminating(object)) {
                self.release_foreground(&key);
            }
        }
    }

    /// Removes the `foregroundDeletion` finalizer; with none left, the owner goes.
    fn release_foreground(&self, key: &ObjectKey) {
        let outcome = self.store.write(key, false, |current| {
            let Some(current) = current else { return Ok(Change::Keep) };
            let mut released = current.clone();
            if let Some(finalizers) = released["metadata"]["finalizers"].as_array_mut() {
                finalizers.retain(|finalizer| finalizer != FOREGROUND_FINALIZER);
            }
            Ok(if objects::has_finalizers(&released) { Change::Put(released) } else { Change::Delete })
        });
        if let Ok(crate::store::Written::Deleted(owner)) = outcome {
            self.after_removal(&owner);
        }
    }
}
