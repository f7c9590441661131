//! The apply step and what follows it: server-side apply as the Kustomization's service
//! account, prune against the inventory, health checks, the changes reported as events; and
//! pruning on deletion as `deletionPolicy` says.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use kube::{Client, ResourceExt};
use weir_api::kustomize::{Kustomization, KustomizationStatus};
use weir_apply::{ApplyOptions, ChangeSet, Object, ObjectId, Owner, ResourceManager};
use weir_go_compat::time::{format_duration, parse_duration};

use super::inventory::{inventory_of, to_inventory};
use super::{FIELD_MANAGER, GROUP, Kustomizations, failed};
use crate::conditions::{self, reason};
use crate::reconciler::{Failure, Lifecycle};

/// Applies `objects` as the Kustomization's service account, prunes what the previous
/// inventory held and this revision does not (with `prune`), records the new inventory and
/// reports the changes; the applied objects.
pub(super) async fn apply(
    kustomization: &Kustomization,
    context: &Kustomizations,
    lifecycle: &Lifecycle<Kustomizations>,
    objects: Vec<Object>,
    status: &mut KustomizationStatus,
    revision: &str,
    timeout: Duration,
) -> Result<Vec<(ObjectId, String)>, Failure> {
    let manager = ResourceManager::new(tenant_client(kustomization, context)?, owner(kustomization));
    let options =
        ApplyOptions { force: kustomization.spec.force, definitions_timeout: timeout, ..ApplyOptions::default() };
    let mut changes = manager
        .apply_all(objects, &options)
        .await
        .map_err(|error| failed(reason::RECONCILIATION_FAILED, error.to_string()))?;
    let inventory: Vec<(ObjectId, String)> =
        changes.changes.iter().map(|change| (change.id.clone(), change.version.clone())).collect();
    if kustomization.spec.prune {
        let kept: BTreeSet<&ObjectId> = inventory.iter().map(|(id, _)| id).collect();
        let stale: Vec<(ObjectId, String)> =
            inventory_of(status).into_iter().filter(|(id, _)| !kept.contains(id)).collect();
        let pruned =
            manager.delete_all(&stale).await.map_err(|error| failed(reason::PRUNE_FAILED, error.to_string()))?;
        changes.changes.extend(pruned.changes);
    }
    status.inventory = Some(to_inventory(&inventory));
    let same_revision = status.last_applied_revision.as_deref() == Some(revision);
    report_changes(kustomization, lifecycle, &changes, same_revision).await;
    Ok(inventory)
}

/// Waits for what `wait` or `healthChecks` names to be ready, setting `Healthy`.
pub(super) async fn check_health(
    kustomization: &Kustomization,
    context: &Kustomizations,
    applied: &[(ObjectId, String)],
    status: &mut KustomizationStatus,
    timeout: Duration,
) -> Result<(), Failure> {
    let checks = health_checks(kustomization, applied);
    if checks.is_empty() {
        return Ok(());
    }
    let manager = ResourceManager::new(tenant_client(kustomization, context)?, owner(kustomization));
    let started = Instant::now();
    let outcome = manager.wait_ready(&checks, timeout).await;
    let generation = kustomization.metadata.generation;
    let conditions = status.conditions.get_or_insert_default();
    match outcome {
        Ok(()) => {
            conditions::set(
                conditions,
                conditions::HEALTHY,
                true,
                reason::SUCCEEDED,
                "Health check passed",
                generation,
            );
            Ok(())
        }
        Err(error) => {
            let message = format!("health check failed after {}: {error}", format_duration(started.elapsed()));
            conditions::set(conditions, conditions::HEALTHY, false, reason::HEALTH_CHECK_FAILED, &message, generation);
            Err(failed(reason::HEALTH_CHECK_FAILED, message))
        }
    }
}

/// What applying `objects` for this Kustomization would change, and what pruning would delete; nothing is written.
pub async fn diff(
    kustomization: &Kustomization,
    context: &Kustomizations,
    objects: Vec<Object>,
) -> Result<ChangeSet, Failure> {
    let manager = ResourceManager::new(tenant_client(kustomization, context)?, owner(kustomization));
    let options = ApplyOptions { force: kustomization.spec.force, dry_run: true, ..ApplyOptions::default() };
    let mut changes = manager
        .apply_all(objects, &options)
        .await
        .map_err(|error| failed(reason::RECONCILIATION_FAILED, error.to_string()))?;
    if kustomization.spec.prune {
        let kept: BTreeSet<ObjectId> = changes.changes.iter().map(|change| change.id.clone()).collect();
        let status = kustomization.status.clone().unwrap_or_default();
        for (id, version) in inventory_of(&status).into_iter().filter(|(id, _)| !kept.contains(id)) {
            if matches!(manager.get(&id, &version).await, Ok(Some(_))) {
                changes.changes.push(weir_apply::Change {
                    id,
                    version,
                    action: weir_apply::Action::Deleted,
                    fields: Vec::new(),
                });
            }
        }
    }
    Ok(changes)
}

fn owner(kustomization: &Kustomization) -> Owner {
    Owner {
        field_manager: FIELD_MANAGER.into(),
        group: GROUP.into(),
        name: kustomization.name_any(),
        namespace: kustomization.namespace().unwrap_or_default(),
    }
}

/// A client for the cluster calls of this Kustomization, as its service account.
fn tenant_client(kustomization: &Kustomization, context: &Kustomizations) -> Result<Client, Failure> {
    let account =
        kustomization.spec.service_account_name.clone().or_else(|| context.settings.default_service_account.clone());
    let namespace = kustomization.namespace().unwrap_or_default();
    crate::impersonation::client_as(&context.client, &context.config, &namespace, account.as_deref())
        .map_err(|message| failed(reason::RECONCILIATION_FAILED, message))
}

/// What to health-check: everything applied with `wait`, else the `healthChecks` list.
fn health_checks(kustomization: &Kustomization, applied: &[(ObjectId, String)]) -> Vec<(ObjectId, String)> {
    if kustomization.spec.wait == Some(true) {
        return applied.to_vec();
    }
    let namespace = kustomization.namespace().unwrap_or_default();
    kustomization
        .spec
        .health_checks
        .iter()
        .flatten()
        .map(|check| {
            let (group, version) = match check.api_version.as_deref() {
                Some(api_version) => {
                    let (group, version) = weir_apply::object::split_api_version(api_version);
                    (group.to_owned(), version.to_owned())
                }
                None => applied
                    .iter()
                    .find(|(id, _)| id.kind == check.kind && id.name == check.name)
                    .map(|(id, version)| (id.group.clone(), version.clone()))
                    .unwrap_or_else(|| (String::new(), "v1".into())),
            };
            let id = ObjectId {
                group,
                kind: check.kind.clone(),
                namespace: check.namespace.clone().unwrap_or_else(|| namespace.clone()),
                name: check.name.clone(),
            };
            (id, version)
        })
        .collect()
}

/// Logs and events what changed; changes to a revision already applied are drift being reverted.
async fn report_changes(
    kustomization: &Kustomization,
    lifecycle: &Lifecycle<Kustomizations>,
    changes: &ChangeSet,
    same_revision: bool,
) {
    if !changes.has_changes() {
        return;
    }
    let note = changes.summary();
    if same_revision {
        tracing::info!(namespace = kustomization.namespace(), name = kustomization.name_any(), drift = %note, "drift corrected");
    } else {
        tracing::info!(namespace = kustomization.namespace(), name = kustomization.name_any(), changes = %note, "applied");
    }
    let reason = if same_revision { "DriftCorrected" } else { reason::PROGRESSING };
    lifecycle.publish(kustomization, false, reason, note).await;
}

/// On deletion: prune what the Kustomization applied, as its `deletionPolicy` says.
pub(super) async fn finalize(kustomization: &Kustomization, context: &Kustomizations) {
    use weir_api::kustomize::DeletionPolicy;
    let spec = &kustomization.spec;
    let delete = match spec.deletion_policy.as_ref().unwrap_or(&DeletionPolicy::MirrorPrune) {
        DeletionPolicy::MirrorPrune => spec.prune,
        DeletionPolicy::Delete | DeletionPolicy::WaitForTermination => true,
        DeletionPolicy::Orphan => false,
    };
    // A suspended Kustomization leaves its objects, as Flux's does.
    if !delete || spec.suspend == Some(true) {
        return;
    }
    let Some(status) = &kustomization.status else { return };
    let inventory = inventory_of(status);
    let Ok(client) = tenant_client(kustomization, context) else { return };
    let manager = ResourceManager::new(client, owner(kustomization));
    match manager.delete_all(&inventory).await {
        Ok(changes) => tracing::info!(name = kustomization.name_any(), pruned = %changes.summary(), "finalized"),
        Err(error) => tracing::warn!(name = kustomization.name_any(), %error, "pruning on deletion failed"),
    }
    if matches!(spec.deletion_policy, Some(DeletionPolicy::WaitForTermination)) {
        let deadline = Instant::now()
            + spec.timeout.as_deref().and_then(|t| parse_duration(t).ok()).unwrap_or(Duration::from_secs(60));
        while Instant::now() < deadline {
            let mut remaining = 0;
            for (id, version) in &inventory {
                if matches!(manager.get(id, version).await, Ok(Some(_))) {
                    remaining += 1;
                }
            }
            if remaining == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}
