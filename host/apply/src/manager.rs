//! Server-side (or Helm's client-side) apply of a set of objects, pruning, and waiting for
//! readiness.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams, PropagationPolicy};
use kube::core::{ApiResource, GroupVersionKind};
use kube::discovery::Scope;
use kube::{Client, Error as KubeError};
use serde_json::Value;

use crate::health::{self, HealthError, Readiness};
use crate::object::{Object, ObjectId};

/// Annotation values Flux users set on objects to steer the apply.
pub mod annotations {
    /// `disabled`: never changed once it exists, never pruned.
    pub const RECONCILE: &str = "kustomize.toolkit.fluxcd.io/reconcile";
    /// `disabled`: never deleted by pruning.
    pub const PRUNE: &str = "kustomize.toolkit.fluxcd.io/prune";
    /// `IfNotPresent`: created, never updated; `Ignore`: left alone.
    pub const SSA: &str = "kustomize.toolkit.fluxcd.io/ssa";
    /// `enabled`: recreated when an immutable field changes, whatever `force` says.
    pub const FORCE: &str = "kustomize.toolkit.fluxcd.io/force";
}

/// Who applies: the field manager, and the labels marking what it owns.
#[derive(Clone, Debug)]
pub struct Owner {
    /// The server-side apply field manager, e.g. `kustomize-controller`.
    pub field_manager: String,
    /// The label prefix, e.g. `kustomize.toolkit.fluxcd.io`.
    pub group: String,
    pub name: String,
    pub namespace: String,
}

impl Owner {
    /// `<group>/name` and `<group>/namespace`, which every applied object carries.
    pub fn labels(&self) -> [(String, String); 2] {
        [
            (format!("{}/name", self.group), self.name.clone()),
            (format!("{}/namespace", self.group), self.namespace.clone()),
        ]
    }

    fn owns(&self, object: &Value) -> bool {
        self.labels().iter().all(|(key, value)| object["metadata"]["labels"][key.as_str()].as_str() == Some(value))
    }
}

#[derive(Clone, Debug, Default)]
pub struct ApplyOptions {
    /// Recreate objects whose immutable fields changed.
    pub force: bool,
    /// Only dry-run: report what would change, write nothing.
    pub dry_run: bool,
    /// How long to wait for CRDs to be established and Namespaces to be active before the rest.
    pub definitions_timeout: Duration,
    /// The namespace of namespaced objects that name none, as Helm's client gives them the
    /// release's; without it such an object is an error.
    pub default_namespace: Option<String>,
    /// Server-side apply, or Helm's client-side way.
    pub method: ApplyMethod,
}

/// How objects are written.
#[derive(Clone, Debug, Default)]
pub enum ApplyMethod {
    /// Server-side apply, conflicts forced, as Flux applies.
    #[default]
    ServerSide,
    /// Client-side, as Helm without server-side apply: a new object is created; an existing one
    /// is patched with what changed since it was in `originals` (the objects as applied last,
    /// given the default namespace as the objects are; the live object stands in for a missing
    /// one, as for an adopted object) — a three-way strategic merge patch for built-in kinds, a
    /// two-way JSON merge patch for the rest — or, with `replace`, replaced whole.
    ClientSide { originals: Vec<Object>, replace: bool },
}

/// The write a plan makes.
#[derive(Clone, Debug)]
enum Write {
    Apply,
    Create,
    Patch { patch: Value, strategic: bool },
    Replace(Value),
}

/// What happened to one object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Created,
    Configured,
    Unchanged,
    Deleted,
    /// Left alone: annotated so, or not ours to delete.
    Skipped,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
            Action::Skipped => "skipped",
        })
    }
}

/// One object's change.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub id: ObjectId,
    /// The API version it was applied at (an inventory entry's `v`).
    pub version: String,
    pub action: Action,
    /// For `Configured`: the fields the apply changes (`.spec.replicas`), values left out.
    pub fields: Vec<String>,
}

/// The changes of one apply or prune, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
}

impl ChangeSet {
    /// Whether anything was (or would be) created, changed or deleted.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|change| matches!(change.action, Action::Created | Action::Configured | Action::Deleted))
    }

    /// One line per change that did something, as Flux's events read: `Deployment/default/web configured`,
    /// with the changed fields of a configured object in parentheses (never their values).
    pub fn summary(&self) -> String {
        let lines: Vec<String> = self
            .changes
            .iter()
            .filter(|change| !matches!(change.action, Action::Unchanged | Action::Skipped))
            .map(|change| match change.fields.as_slice() {
                [] => format!("{} {}", change.id, change.action),
                fields => format!("{} {} ({})", change.id, change.action, fields.join(", ")),
            })
            .collect();
        lines.join("\n")
    }
}

/// Why an apply or prune stopped, naming the object.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("{id} dry-run failed: {message}")]
    DryRun { id: ObjectId, message: String },
    #[error("{id} apply failed: {message}")]
    Apply { id: ObjectId, message: String },
    #[error("{id} delete failed: {message}")]
    Delete { id: ObjectId, message: String },
    #[error("{id}: no matches for kind \"{kind}\" in version \"{api_version}\"")]
    UnknownKind { id: ObjectId, kind: String, api_version: String },
    #[error("{id} namespace not specified")]
    NoNamespace { id: ObjectId },
    #[error("{id} is not ready after {timeout:?}: {message}")]
    NotReady { id: ObjectId, timeout: Duration, message: String },
    #[error("cannot reach the API server: {0}")]
    Api(String),
}

/// A resolved kind: where its objects live and whether they are namespaced.
#[derive(Clone)]
struct Resolved {
    resource: ApiResource,
    namespaced: bool,
}

/// An object and what applying it does, decided by a dry-run.
struct Plan {
    object: Object,
    id: ObjectId,
    resolved: Resolved,
    action: Action,
    fields: Vec<String>,
    recreate: bool,
    write: Write,
}

/// Applies, prunes and health-checks through one client (which may impersonate).
pub struct ResourceManager {
    client: Client,
    owner: Owner,
    kinds: Mutex<HashMap<GroupVersionKind, Resolved>>,
}

/// How often readiness is polled while waiting.
const POLL: Duration = Duration::from_millis(250);

impl ResourceManager {
    pub fn new(client: Client, owner: Owner) -> Self {
        Self { client, owner, kinds: Mutex::default() }
    }

    pub fn owner(&self) -> &Owner {
        &self.owner
    }

    /// Applies `objects` in Flux's order: CRDs and Namespaces first (then waits until
    /// they are established/active), then the rest, cluster-scoped before namespaced.
    /// Each stage is dry-run in full before anything of it is written, so an invalid
    /// object leaves that stage untouched.
    pub async fn apply_all(&self, objects: Vec<Object>, options: &ApplyOptions) -> Result<ChangeSet, ApplyError> {
        let (definitions, rest): (Vec<Object>, Vec<Object>) = objects.into_iter().partition(is_definition);
        let mut changes = ChangeSet::default();
        if !definitions.is_empty() {
            let applied = self.apply_stage(definitions, options).await?;
            if !options.dry_run {
                let ids: Vec<ObjectId> = applied.changes.iter().map(|change| change.id.clone()).collect();
                self.wait_definitions(&ids, options.definitions_timeout).await?;
                // New CRDs add kinds: forget what discovery said before.
                self.kinds.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clear();
            }
            changes.changes.extend(applied.changes);
        }
        changes.changes.extend(self.apply_stage(rest, options).await?.changes);
        Ok(changes)
    }

    async fn apply_stage(&self, objects: Vec<Object>, options: &ApplyOptions) -> Result<ChangeSet, ApplyError> {
        let mut plans = Vec::with_capacity(objects.len());
        for object in objects {
            plans.push(self.plan(object, options).await?);
        }
        plans.sort_by_key(apply_order);
        let mut changes = ChangeSet::default();
        for plan in plans {
            let version = plan.object.gvk().version;
            if !options.dry_run && matches!(plan.action, Action::Created | Action::Configured) {
                self.write(&plan).await?;
            }
            changes.changes.push(Change { id: plan.id, version, action: plan.action, fields: plan.fields });
        }
        Ok(changes)
    }

    /// Decides, by a dry-run apply, what applying `object` would do.
    async fn plan(&self, mut object: Object, options: &ApplyOptions) -> Result<Plan, ApplyError> {
        let resolved = self.resolve(&object).await?;
        if resolved.namespaced && object.namespace().is_none() {
            match &options.default_namespace {
                Some(namespace) => object.set_namespace(namespace),
                None => return Err(ApplyError::NoNamespace { id: object.id() }),
            }
        }
        let id = object.id();
        let api = self.api(&resolved, object.namespace().filter(|_| resolved.namespaced));
        let existing = api
            .get_opt(object.name())
            .await
            .map_err(|error| ApplyError::DryRun { id: id.clone(), message: error_message(&error) })?;
        let existing = existing.map(|found| serde_json::to_value(found).unwrap_or_default());
        let plan = |action, fields, recreate| Plan {
            object: object.clone(),
            id: id.clone(),
            resolved: resolved.clone(),
            action,
            fields,
            recreate,
            write: Write::Apply,
        };
        if skipped(&object, existing.as_ref()) {
            return Ok(plan(Action::Skipped, Vec::new(), false));
        }
        if let ApplyMethod::ClientSide { originals, replace } = &options.method {
            let original = self.original(originals, &id, options).await;
            let (action, fields, write) =
                self.plan_client_side(&api, &object, existing, original.as_ref(), *replace).await?;
            return Ok(Plan { write, ..plan(action, fields, false) });
        }
        let params = PatchParams::apply(&self.owner.field_manager).force().dry_run();
        match api.patch(object.name(), &params, &Patch::Apply(&object.0)).await {
            Ok(result) => {
                let Some(existing) = existing else {
                    return Ok(plan(Action::Created, Vec::new(), false));
                };
                let fields = changed_fields(&existing, &serde_json::to_value(result).unwrap_or_default());
                let action = if fields.is_empty() { Action::Unchanged } else { Action::Configured };
                Ok(plan(action, fields, false))
            }
            Err(error)
                if is_immutable(&error)
                    && (options.force || object.annotation(annotations::FORCE) == Some("enabled")) =>
            {
                Ok(plan(Action::Configured, vec!["(immutable field: recreated)".into()], true))
            }
            Err(error) => Err(ApplyError::DryRun { id, message: error_message(&error) }),
        }
    }

    /// The object of `originals` that is `id` once namespaced as [`ResourceManager::plan`]
    /// namespaces objects; kinds no longer served have none.
    async fn original(&self, originals: &[Object], id: &ObjectId, options: &ApplyOptions) -> Option<Value> {
        for original in originals.iter().filter(|original| original.name() == id.name && original.kind() == id.kind) {
            let mut original = original.clone();
            let Ok(resolved) = self.resolve(&original).await else { continue };
            if resolved.namespaced && original.namespace().is_none() {
                if let Some(namespace) = &options.default_namespace {
                    original.set_namespace(namespace);
                }
            }
            if original.id() == *id {
                return Some(original.0);
            }
        }
        None
    }

    /// What a client-side apply of `object` does, decided by a dry-run of its write.
    async fn plan_client_side(
        &self,
        api: &Api<DynamicObject>,
        object: &Object,
        existing: Option<Value>,
        original: Option<&Value>,
        replace: bool,
    ) -> Result<(Action, Vec<String>, Write), ApplyError> {
        let id = object.id();
        let dry_run_failed = |error: KubeError| ApplyError::DryRun { id: id.clone(), message: error_message(&error) };
        let Some(live) = existing else {
            self.send(api, object.name(), &Write::Create, &object.0, true).await.map_err(dry_run_failed)?;
            return Ok((Action::Created, Vec::new(), Write::Create));
        };
        let write = if replace {
            let mut body = object.0.clone();
            body["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"].clone();
            Write::Replace(body)
        } else {
            let original = original.unwrap_or(&live);
            let strategic = knows_strategic_merge(object.api_version());
            let patch = if strategic {
                weir_strategic_merge::three_way(original, &object.0, &live, &weir_strategic_merge::BuiltinSchema)
            } else {
                weir_strategic_merge::two_way(original, &object.0)
            };
            if patch.as_object().is_some_and(serde_json::Map::is_empty) {
                return Ok((Action::Unchanged, Vec::new(), Write::Apply));
            }
            Write::Patch { patch, strategic }
        };
        let result = self.send(api, object.name(), &write, &object.0, true).await.map_err(dry_run_failed)?;
        let fields = changed_fields(&live, &result);
        let action = if fields.is_empty() { Action::Unchanged } else { Action::Configured };
        Ok((action, fields, write))
    }

    /// Sends a client-side `write` of `object` (or only dry-runs it): the object as it results.
    async fn send(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
        write: &Write,
        object: &Value,
        dry_run: bool,
    ) -> Result<Value, KubeError> {
        let post = PostParams { dry_run, field_manager: Some(self.owner.field_manager.clone()) };
        let typed =
            |value: &Value| serde_json::from_value::<DynamicObject>(value.clone()).map_err(KubeError::SerdeError);
        let result = match write {
            Write::Create => api.create(&post, &typed(object)?).await?,
            Write::Replace(body) => api.replace(name, &post, &typed(body)?).await?,
            Write::Patch { patch, strategic } => {
                let params = PatchParams {
                    dry_run,
                    field_manager: Some(self.owner.field_manager.clone()),
                    ..Default::default()
                };
                let patch = if *strategic { Patch::Strategic(patch) } else { Patch::Merge(patch) };
                api.patch(name, &params, &patch).await?
            }
            Write::Apply => {
                let mut params = PatchParams::apply(&self.owner.field_manager).force();
                params.dry_run = dry_run;
                api.patch(name, &params, &Patch::Apply(object)).await?
            }
        };
        Ok(serde_json::to_value(result).unwrap_or_default())
    }

    async fn write(&self, plan: &Plan) -> Result<(), ApplyError> {
        let api = self.api(&plan.resolved, plan.object.namespace().filter(|_| plan.resolved.namespaced));
        let failed = |error: KubeError| ApplyError::Apply { id: plan.id.clone(), message: error_message(&error) };
        if !matches!(plan.write, Write::Apply) {
            self.send(&api, plan.object.name(), &plan.write, &plan.object.0, false).await.map_err(failed)?;
            return Ok(());
        }
        if plan.recreate {
            let params =
                DeleteParams { propagation_policy: Some(PropagationPolicy::Background), ..DeleteParams::default() };
            api.delete(plan.object.name(), &params).await.map_err(failed)?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
            while api.get_opt(plan.object.name()).await.map_err(failed)?.is_some() {
                if tokio::time::Instant::now() > deadline {
                    return Err(ApplyError::Apply {
                        id: plan.id.clone(),
                        message: "the old object is still being deleted".into(),
                    });
                }
                tokio::time::sleep(POLL).await;
            }
        }
        self.send(&api, plan.object.name(), &Write::Apply, &plan.object.0, false).await.map_err(failed)?;
        Ok(())
    }

    /// Deletes the objects of `stale` that are still ours (labelled with our owner,
    /// not annotated `prune: disabled`), namespaced ones first, Namespaces and CRDs last.
    pub async fn delete_all(&self, stale: &[(ObjectId, String)]) -> Result<ChangeSet, ApplyError> {
        let mut ordered: Vec<&(ObjectId, String)> = stale.iter().collect();
        ordered.sort_by_key(|(id, _)| (std::cmp::Reverse(delete_rank(id)), id.clone()));
        let mut changes = ChangeSet::default();
        for (id, version) in ordered {
            let action = self.delete_one(id, version).await?;
            changes.changes.push(Change { id: id.clone(), version: version.clone(), action, fields: Vec::new() });
        }
        Ok(changes)
    }

    async fn delete_one(&self, id: &ObjectId, version: &str) -> Result<Action, ApplyError> {
        let resolved = match self.resolve(&probe(id, version)).await {
            Ok(resolved) => resolved,
            // The kind is gone (its CRD was deleted), and its objects with it.
            Err(ApplyError::UnknownKind { .. }) => return Ok(Action::Skipped),
            Err(other) => return Err(other),
        };
        let api = self.api(&resolved, Some(id.namespace.as_str()).filter(|namespace| !namespace.is_empty()));
        let failed = |error: KubeError| ApplyError::Delete { id: id.clone(), message: error_message(&error) };
        let Some(found) = api.get_opt(&id.name).await.map_err(failed)? else {
            return Ok(Action::Skipped);
        };
        let found = serde_json::to_value(found).unwrap_or_default();
        let annotated = |key: &str| found["metadata"]["annotations"][key] == "disabled";
        if annotated(annotations::PRUNE) || annotated(annotations::RECONCILE) || !self.owner.owns(&found) {
            return Ok(Action::Skipped);
        }
        if found["metadata"]["deletionTimestamp"].is_string() {
            return Ok(Action::Deleted);
        }
        let params =
            DeleteParams { propagation_policy: Some(PropagationPolicy::Background), ..DeleteParams::default() };
        match api.delete(&id.name, &params).await {
            Ok(_) => Ok(Action::Deleted),
            Err(KubeError::Api(status)) if status.code == 404 => Ok(Action::Skipped),
            Err(error) => Err(failed(error)),
        }
    }

    /// The current object, if it exists.
    pub async fn get(&self, id: &ObjectId, version: &str) -> Result<Option<Value>, ApplyError> {
        let resolved = self.resolve(&probe(id, version)).await?;
        let api = self.api(&resolved, Some(id.namespace.as_str()).filter(|namespace| !namespace.is_empty()));
        let found = api.get_opt(&id.name).await.map_err(|error| ApplyError::Api(error_message(&error)))?;
        Ok(found.map(|found| serde_json::to_value(found).unwrap_or_default()))
    }

    /// Waits until every object is ready (kstatus), failing early when one failed.
    pub async fn wait_ready(&self, objects: &[(ObjectId, String)], timeout: Duration) -> Result<(), HealthError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let mut pending = Vec::new();
            for (id, version) in objects {
                let found = self
                    .get(id, version)
                    .await
                    .map_err(|error| HealthError::Unreadable { id: id.clone(), message: error.to_string() })?;
                match found.as_ref().map(health::readiness) {
                    Some(Readiness::Current) => {}
                    Some(Readiness::Failed(message)) => {
                        return Err(HealthError::Failed(format!("{id} status: 'Failed': {message}")));
                    }
                    Some(Readiness::InProgress(_)) => pending.push(format!("{id} status: 'InProgress'")),
                    None => pending.push(format!("{id} status: 'NotFound'")),
                }
            }
            if pending.is_empty() {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(HealthError::Timeout(pending));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_definitions(&self, ids: &[ObjectId], timeout: Duration) -> Result<(), ApplyError> {
        // Namespaces are v1, CRDs apiextensions.k8s.io/v1.
        let versioned: Vec<(ObjectId, String)> = ids.iter().map(|id| (id.clone(), "v1".to_owned())).collect();
        self.wait_ready(&versioned, timeout).await.map_err(|error| match ids.first() {
            Some(id) => ApplyError::NotReady { id: id.clone(), timeout, message: error.to_string() },
            None => ApplyError::Api(error.to_string()),
        })
    }

    async fn resolve(&self, object: &Object) -> Result<Resolved, ApplyError> {
        let gvk = object.gvk();
        if let Some(resolved) = self.kinds.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(&gvk) {
            return Ok(resolved.clone());
        }
        let (resource, capabilities) = match kube::discovery::pinned_kind(&self.client, &gvk).await {
            Ok(found) => found,
            Err(KubeError::Discovery(_)) | Err(KubeError::Api(_)) => {
                return Err(ApplyError::UnknownKind {
                    id: object.id(),
                    kind: gvk.kind.clone(),
                    api_version: object.api_version().to_owned(),
                });
            }
            Err(error) => return Err(ApplyError::Api(error_message(&error))),
        };
        let resolved = Resolved { resource, namespaced: capabilities.scope == Scope::Namespaced };
        self.kinds.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(gvk, resolved.clone());
        Ok(resolved)
    }

    fn api(&self, resolved: &Resolved, namespace: Option<&str>) -> Api<DynamicObject> {
        match namespace {
            Some(namespace) => Api::namespaced_with(self.client.clone(), namespace, &resolved.resource),
            None => Api::all_with(self.client.clone(), &resolved.resource),
        }
    }
}

/// Whether a client knows the kind's Go type, and so sends it a strategic merge patch, as
/// Helm's client does: the built-in API groups (the core group, unqualified groups and
/// `*.k8s.io`), except v1beta1 CRDs, which Helm patches as JSON.
fn knows_strategic_merge(api_version: &str) -> bool {
    let (group, _) = crate::object::split_api_version(api_version);
    api_version != "apiextensions.k8s.io/v1beta1" && (!group.contains('.') || group.ends_with(".k8s.io"))
}

/// A bare object standing for `id` at `version`, to resolve its kind.
fn probe(id: &ObjectId, version: &str) -> Object {
    let api_version = if id.group.is_empty() { version.to_owned() } else { format!("{}/{version}", id.group) };
    Object(serde_json::json!({"apiVersion": api_version, "kind": id.kind, "metadata": {"name": id.name}}))
}

fn is_definition(object: &Object) -> bool {
    matches!(
        (object.gvk().group.as_str(), object.kind()),
        ("apiextensions.k8s.io", "CustomResourceDefinition") | ("", "Namespace")
    )
}

/// Whether the annotations say to leave the object as it is.
fn skipped(object: &Object, existing: Option<&Value>) -> bool {
    match object.annotation(annotations::SSA) {
        Some("Ignore") => return true,
        Some("IfNotPresent") if existing.is_some() => return true,
        _ => {}
    }
    existing.is_some_and(|existing| {
        existing["metadata"]["annotations"][annotations::RECONCILE] == "disabled"
            || object.annotation(annotations::RECONCILE) == Some("disabled")
    })
}

/// Helm's install order, which Flux and kustomize follow too; other kinds go last.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn kind_rank(kind: &str) -> usize {
    KIND_ORDER.iter().position(|known| *known == kind).unwrap_or(KIND_ORDER.len())
}

fn apply_order(plan: &Plan) -> (bool, usize, String, String) {
    (plan.resolved.namespaced, kind_rank(&plan.id.kind), plan.id.namespace.clone(), plan.id.name.clone())
}

/// Deletion goes in reverse: the higher, the later.
fn delete_rank(id: &ObjectId) -> (bool, usize) {
    let definition = matches!(id.kind.as_str(), "Namespace" | "CustomResourceDefinition");
    (!definition && !id.namespace.is_empty(), kind_rank(&id.kind))
}

fn is_immutable(error: &KubeError) -> bool {
    matches!(error, KubeError::Api(status) if status.code == 422 && status.message.contains("immutable"))
}

/// The API server's message, without kube's wrapping.
fn error_message(error: &KubeError) -> String {
    match error {
        KubeError::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

/// The fields an apply changes: paths where `after` differs from `before`, server
/// bookkeeping left out. Values are never reported (they may be secret).
pub fn changed_fields(before: &Value, after: &Value) -> Vec<String> {
    let mut fields = Vec::new();
    compare(&strip(before), &strip(after), String::new(), &mut fields);
    fields
}

fn strip(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for field in ["managedFields", "resourceVersion", "generation"] {
            metadata.remove(field);
        }
    }
    object
}

fn compare(before: &Value, after: &Value, path: String, fields: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, value) in new {
                compare(old.get(key).unwrap_or(&Value::Null), value, format!("{path}.{key}"), fields);
            }
            for key in old.keys().filter(|key| !new.contains_key(*key)) {
                fields.push(format!("{path}.{key}"));
            }
        }
        (old, new) if old != new => fields.push(if path.is_empty() { ".".into() } else { path }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn changed_fields_name_paths_not_values() {
        let before = json!({"metadata": {"name": "a", "resourceVersion": "1", "labels": {"x": "1"}}, "spec": {"replicas": 1, "template": {"a": 1}}});
        let after = json!({"metadata": {"name": "a", "resourceVersion": "2", "labels": {"x": "1", "y": "2"}}, "spec": {"replicas": 3, "template": {"a": 1}}});
        assert_eq!(changed_fields(&before, &after), vec![".metadata.labels.y", ".spec.replicas"]);
        assert!(changed_fields(&before, &before).is_empty());
    }

    #[test]
    fn prune_order_deletes_definitions_last() {
        let id = |kind: &str, namespace: &str| ObjectId {
            group: String::new(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: "n".into(),
        };
        let mut ids = [id("Namespace", ""), id("ConfigMap", "a"), id("ClusterRole", ""), id("Deployment", "a")];
        ids.sort_by_key(|id| (std::cmp::Reverse(delete_rank(id)), id.clone()));
        let kinds: Vec<&str> = ids.iter().map(|id| id.kind.as_str()).collect();
        assert_eq!(kinds, ["Deployment", "ConfigMap", "ClusterRole", "Namespace"]);
    }
}
