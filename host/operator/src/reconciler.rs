//! The lifecycle every controller shares, around the work that is its own: the watch and its
//! predicate, the finalizer, `suspend`, `spec.interval`, the `requestedAt` token, `dependsOn`,
//! backoff after failures, and the status as kstatus reads it — `Reconciling` (and `Ready`
//! Unknown) while the work runs, `Ready` with a reason when it ends, `Stalled` when retrying
//! cannot help — patched through the status subresource.
//!
//! A controller implements [`Reconciler`] (its work toward Ready, and its clean-up on
//! deletion); [`controller`] and [`run`] drive it with kube-rs's controller runtime.

use std::collections::HashMap;
use std::fmt::Debug;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams};
use kube::core::{ClusterResourceScope, NamespaceResourceScope};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector;
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, Resource, ResourceExt};
use serde_json::json;
use weir_api::meta::NamespacedObjectReference;
use weir_api::status::{FluxObject, ObjectStatus, Reconcilable};
use weir_go_compat::time::parse_duration;
use weir_telemetry::metrics;

use crate::conditions::{self, reason};
use crate::events;
use crate::{FINALIZER, RECONCILE_REQUEST};

/// The first retry after a failure with [`Retry::Backoff`]; each further one waits twice as
/// long, up to the interval.
const FIRST_RETRY: Duration = Duration::from_millis(750);

/// One controller's own work.
pub trait Reconciler: Send + Sync + 'static {
    type Object: Reconcilable + Resource<Scope: ObjectScope>;
    /// The reporting controller of events, as Flux names it (`source-controller`).
    const CONTROLLER: &'static str;

    /// Works toward Ready. `status` is the object's status, to which the work adds its own
    /// fields and conditions; `Ready`, `Reconciling` and `Stalled` are the lifecycle's.
    fn reconcile(
        &self,
        object: &Self::Object,
        status: &mut <Self::Object as Reconcilable>::Status,
        context: &Lifecycle<Self>,
    ) -> impl Future<Output = Result<Ready, Failure>> + Send
    where
        Self: Sized;

    /// Cleans up after a deleted object, before its finalizer goes.
    fn finalize(&self, object: &Self::Object, context: &Lifecycle<Self>) -> impl Future<Output = ()> + Send
    where
        Self: Sized;

    /// Whether reconciling a generation already observed shows as in progress while it runs
    /// (`Reconciling=True`, `Ready` Unknown). Sources say no, as source-controller announces
    /// only a new generation: a consumer that needs its source Ready (a HelmRelease its
    /// HelmChart) must not fail because a periodic re-check is under way.
    const SHOWS_RECHECKS_IN_PROGRESS: bool = true;

    /// The message of `Reconciling` while the work runs.
    fn progress_message(&self, _object: &Self::Object) -> String {
        "reconciliation in progress".into()
    }
}

/// How the objects of a kind's scope are reached: in their namespace, or cluster-wide.
pub trait ObjectScope {
    /// The API of `K` for objects in `namespace` (empty for a cluster-scoped object).
    fn api<K: Resource<DynamicType = (), Scope = Self>>(client: Client, namespace: &str) -> Api<K>;
}

impl ObjectScope for NamespaceResourceScope {
    fn api<K: Resource<DynamicType = (), Scope = Self>>(client: Client, namespace: &str) -> Api<K> {
        Api::namespaced(client, namespace)
    }
}

impl ObjectScope for ClusterResourceScope {
    fn api<K: Resource<DynamicType = (), Scope = Self>>(client: Client, _: &str) -> Api<K> {
        Api::all(client)
    }
}

/// A reconciliation that reached its goal.
#[derive(Debug)]
pub struct Ready {
    pub reason: &'static str,
    pub message: String,
    /// When to reconcile again; the interval when unset.
    pub requeue: Option<Duration>,
}

impl Ready {
    pub fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Self { reason, message: message.into(), requeue: None }
    }
}

/// A reconciliation that did not reach its goal: the Ready condition's reason and message,
/// and when to try again.
#[derive(Debug)]
pub struct Failure {
    pub reason: &'static str,
    pub message: String,
    pub retry: Retry,
}

/// When a failed reconciliation is tried again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// After `spec.retryInterval` for kinds that have one (set), else exponentially later
    /// (from 750 ms), never beyond the interval.
    Backoff,
    /// After this long.
    After(Duration),
    /// After `after`, still progressing: `Reconciling` stays True with reason
    /// `ProgressingWithRetry` and `retrying after <interval>`, as helm-controller leaves a
    /// release under `RetryOnFailure`.
    Progressing { after: Duration, interval: Duration },
    /// Not until the object changes: retrying cannot help (`Stalled`).
    Stalled,
}

impl Failure {
    pub fn new(reason: &'static str, message: impl Into<String>, retry: Retry) -> Self {
        Self { reason, message: message.into(), retry }
    }

    /// A spec that cannot work as written: `InvalidSpec`, stalled until it changes.
    pub fn invalid_spec(field: &str, message: impl std::fmt::Display) -> Self {
        Self::new(reason::INVALID_SPEC, format!("{field}: {message}"), Retry::Stalled)
    }
}

/// Errors that stop a reconciliation before it could report a status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("talking to the API server: {0}")]
    Kube(#[from] kube::Error),
}

/// What every reconciliation of one controller shares: the client, the event recorder, and
/// the failure counts behind the backoff.
pub struct Lifecycle<R> {
    pub reconciler: R,
    pub client: Client,
    recorder: Recorder,
    failures: Mutex<HashMap<String, u32>>,
    /// Which of its own objects the controller reconciles, and how many at once.
    watching: Watching,
}

/// Which of its own objects a controller reconciles, and how many at once: Flux's
/// `--watch-all-namespaces=false` (the operator's namespace only), `--watch-label-selector`
/// (a shard: `sharding.fluxcd.io/key=shard1`) and `--concurrent`.
#[derive(Clone, Debug, Default)]
pub struct Watching {
    /// Only this namespace's objects; cluster-scoped kinds are not confined.
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    /// Reconciliations at once; 0 for no limit.
    pub concurrency: u16,
}

impl<R: Reconciler> Lifecycle<R> {
    pub fn new(reconciler: R, client: Client) -> Self {
        let recorder = Recorder::new(client.clone(), Reporter { controller: R::CONTROLLER.into(), instance: None });
        Self { reconciler, client, recorder, failures: Mutex::default(), watching: Watching::default() }
    }

    /// Reconciles only the objects `watching` selects, as many at once as it allows.
    pub fn watching(mut self, watching: &Watching) -> Self {
        self.watching = watching.clone();
        self
    }

    /// Records an event about `object`; failing to is logged, never fatal.
    pub async fn publish(&self, object: &R::Object, warning: bool, reason: &str, note: String) {
        events::publish(&self.recorder, object, warning, reason, note).await;
    }

    /// How long to wait after this failure: 750ms, 1.5s, 3s, ... never beyond `interval`.
    fn backoff(&self, key: &str, interval: Duration) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = failures.entry(key.to_owned()).or_insert(0);
        let delay = FIRST_RETRY.saturating_mul(1u32 << (*count).min(20));
        *count += 1;
        delay.min(interval)
    }

    fn recovered(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
    }
}

/// A controller for the lifecycle's kind, watching the objects it selects, whose watch only
/// passes changes that warrant a reconciliation; add `.watches(…)` for related kinds, then
/// [`run`] it.
pub fn controller<R: Reconciler>(lifecycle: &Lifecycle<R>) -> Controller<R::Object> {
    let (reader, writer) = reflector::store();
    let client = lifecycle.client.clone();
    let api = match &lifecycle.watching.namespace {
        Some(namespace) => <<R::Object as Resource>::Scope as ObjectScope>::api::<R::Object>(client, namespace),
        None => Api::all(client),
    };
    let config = match &lifecycle.watching.label_selector {
        Some(selector) => watcher::Config::default().labels(selector),
        None => watcher::Config::default(),
    };
    let stream = watcher(api, config)
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(reconcile_worthy, Default::default());
    Controller::for_stream(stream, reader)
}

/// Runs `controller` with the shared lifecycle until `shutdown`.
pub async fn run<R: Reconciler>(
    controller: Controller<R::Object>,
    lifecycle: Arc<Lifecycle<R>>,
    shutdown: impl Future<Output = ()> + Send + Sync + 'static,
) {
    let concurrency = lifecycle.watching.concurrency;
    controller
        .with_config(kube::runtime::controller::Config::default().concurrency(concurrency))
        .graceful_shutdown_on(shutdown)
        .run(reconcile::<R>, error_policy::<R>, lifecycle)
        .for_each(|outcome| async move {
            if let Err(error) = outcome {
                tracing::debug!(controller = R::CONTROLLER, %error, "reconcile error");
            }
        })
        .await;
}

fn error_policy<R: Reconciler>(_: Arc<R::Object>, error: &Error, _: Arc<Lifecycle<R>>) -> Action {
    tracing::warn!(controller = R::CONTROLLER, %error, "reconciliation failed");
    Action::requeue(Duration::from_secs(5))
}

/// What a reconciliation left, for the metrics.
enum Outcome<S> {
    Deleted,
    Suspended,
    /// Deleted between the watch event and the reconciliation.
    Gone,
    Reconciled {
        status: S,
        failed: bool,
    },
}

/// One reconciliation of `object`, with the lifecycle around the reconciler's work, counted in
/// the operator's metrics.
pub async fn reconcile<R: Reconciler>(object: Arc<R::Object>, lifecycle: Arc<Lifecycle<R>>) -> Result<Action, Error> {
    // controller-runtime names a controller after its kind, and Flux's dashboards count by that.
    let controller = R::Object::KIND.to_ascii_lowercase();
    let _worker = metrics::active_worker(&controller);
    let started = std::time::Instant::now();
    let outcome = reconcile_once(object.clone(), lifecycle).await;
    let duration = started.elapsed();
    let (group, version) = (R::Object::group(&()), R::Object::version(&()));
    let (namespace, name) = (object.namespace().unwrap_or_default(), object.name_any());
    let reference = metrics::ObjectRef {
        group: &group,
        version: &version,
        kind: R::Object::KIND,
        namespace: &namespace,
        name: &name,
    };
    let record = |status: Option<&<R::Object as Reconcilable>::Status>, result| {
        let conditions: Vec<(&str, &str)> = status
            .map(|status| status.conditions().iter().map(|c| (c.type_.as_str(), c.status.as_str())).collect())
            .unwrap_or_default();
        metrics::record_reconcile(&metrics::Reconciled {
            object: reference,
            controller: &controller,
            duration,
            result,
            conditions: &conditions,
            suspended: object.suspended(),
            revision: status.and_then(ObjectStatus::revision).unwrap_or_default(),
        });
    };
    match outcome {
        Ok((action, Outcome::Reconciled { status, failed })) => {
            let result = if failed { metrics::ReconcileResult::Error } else { metrics::ReconcileResult::RequeueAfter };
            if !failed {
                // One line per reconciliation, as Flux's controllers log it (failures log their own).
                tracing::info!(
                    controller = R::CONTROLLER,
                    kind = R::Object::KIND,
                    %namespace,
                    %name,
                    revision = status.revision().unwrap_or_default(),
                    duration_ms = duration.as_millis() as u64,
                    "reconciliation finished"
                );
            }
            record(Some(&status), result);
            Ok(action)
        }
        Ok((action, Outcome::Suspended)) => {
            record(object.status(), metrics::ReconcileResult::Success);
            Ok(action)
        }
        Ok((action, Outcome::Deleted | Outcome::Gone)) => {
            let types: Vec<&str> = object.status().map_or_else(Vec::new, |status| {
                status.conditions().iter().map(|condition| condition.type_.as_str()).collect()
            });
            metrics::record_deleted(reference, &types);
            Ok(action)
        }
        Err(error) => {
            record(object.status(), metrics::ReconcileResult::Error);
            Err(error)
        }
    }
}

async fn reconcile_once<R: Reconciler>(
    object: Arc<R::Object>,
    lifecycle: Arc<Lifecycle<R>>,
) -> Result<(Action, Outcome<<R::Object as Reconcilable>::Status>), Error> {
    let namespace = object.namespace().unwrap_or_default();
    let name = object.name_any();
    let key = format!("{}/{namespace}/{name}", R::Object::KIND);
    let api = <<R::Object as Resource>::Scope as ObjectScope>::api::<R::Object>(lifecycle.client.clone(), &namespace);
    if object.meta().deletion_timestamp.is_some() {
        lifecycle.reconciler.finalize(&object, &lifecycle).await;
        lifecycle.recovered(&key);
        remove_finalizer(&api, &*object).await?;
        return Ok((Action::await_change(), Outcome::Deleted));
    }
    // The finalizer write changes neither generation nor requests, so carry on with this reconciliation.
    ensure_finalizer(&api, &*object).await?;
    if object.suspended() {
        tracing::info!(%key, "reconciliation is suspended");
        return Ok((Action::await_change(), Outcome::Suspended));
    }
    // The watch's copy may predate our own last status write (a reconciliation triggered by a
    // related object can run before that write comes back through the watch): work from the
    // server's current object, so counts and conditions build on what was last written.
    let object = match api.get_opt(&name).await? {
        Some(current) => Arc::new(current),
        None => return Ok((Action::await_change(), Outcome::Gone)),
    };
    let generation = object.meta().generation;
    let mut status = object.status().cloned().unwrap_or_default();
    let token = reconcile_request(&*object, status.last_handled_reconcile_at());

    let interval = parse_duration(object.interval());
    let outcome = match &interval {
        Err(message) => Err(Failure::invalid_spec("spec.interval", message)),
        Ok(_) => {
            if R::SHOWS_RECHECKS_IN_PROGRESS || status.observed_generation() != generation {
                mark_reconciling(&mut status, &lifecycle.reconciler.progress_message(&object), generation);
                patch_status(&api, &name, &status).await?;
            }
            lifecycle.reconciler.reconcile(&object, &mut status, &lifecycle).await
        }
    };
    // Only a stalled failure has no interval, and it never requeues.
    let interval = interval.unwrap_or(Duration::MAX);

    let conditions = status.conditions_mut();
    match outcome.as_ref().map_err(|failure| failure.retry) {
        Err(Retry::Progressing { interval, .. }) => {
            let message = format!("retrying after {}", weir_go_compat::time::format_duration(interval));
            let why = reason::PROGRESSING_WITH_RETRY;
            conditions::set_status(conditions, conditions::RECONCILING, "True", why, &message, generation);
        }
        _ => conditions::remove(conditions, conditions::RECONCILING),
    }
    let failed = outcome.is_err();
    let action = match outcome {
        Ok(ready) => {
            lifecycle.recovered(&key);
            conditions::set(conditions, conditions::READY, true, ready.reason, &ready.message, generation);
            conditions::remove(conditions, conditions::STALLED);
            Action::requeue(ready.requeue.unwrap_or(interval))
        }
        Err(failure) => {
            conditions::set(conditions, conditions::READY, false, failure.reason, &failure.message, generation);
            if failure.retry == Retry::Stalled {
                conditions::set(conditions, conditions::STALLED, true, failure.reason, &failure.message, generation);
            } else {
                conditions::remove(conditions, conditions::STALLED);
            }
            tracing::warn!(%key, reason = failure.reason, error = %failure.message, "reconciliation failed");
            lifecycle.publish(&object, true, failure.reason, failure.message.clone()).await;
            match failure.retry {
                Retry::Backoff => match object.retry_interval().map(parse_duration) {
                    Some(Ok(retry)) => Action::requeue(retry),
                    _ => Action::requeue(lifecycle.backoff(&key, interval)),
                },
                Retry::After(delay) | Retry::Progressing { after: delay, .. } => Action::requeue(delay),
                Retry::Stalled => Action::await_change(),
            }
        }
    };
    if let Some(token) = token {
        status.set_last_handled_reconcile_at(token);
    }
    status.set_observed_generation(generation);
    patch_status(&api, &name, &status).await?;
    Ok((action, Outcome::Reconciled { status, failed }))
}

/// kstatus while the work runs: `Reconciling=True`, and `Ready` Unknown unless it is False
/// (a failure stays visible until the next outcome). `observedGeneration` is left for the end,
/// so readers keep seeing the generation not yet reconciled as in progress.
fn mark_reconciling(status: &mut impl ObjectStatus, message: &str, generation: Option<i64>) {
    let conditions = status.conditions_mut();
    conditions::set_status(conditions, conditions::RECONCILING, "True", reason::PROGRESSING, message, generation);
    if !conditions.iter().any(|condition| condition.type_ == conditions::READY && condition.status == "False") {
        conditions::set_status(conditions, conditions::READY, "Unknown", reason::PROGRESSING, message, generation);
    }
}

/// Every `dependsOn` object must be Ready at its latest generation, and pass `also`, the
/// kind's own condition (e.g. built from the same revision); the first that is not, as a
/// `DependencyNotReady` failure retried after `requeue`.
pub async fn check_dependencies<K: FluxObject>(
    client: &Client,
    object: &K,
    requeue: Duration,
    also: impl Fn(&K, &str) -> Option<&'static str>,
) -> Result<(), Failure> {
    let namespace = object.namespace().unwrap_or_default();
    for reference in object.depends_on() {
        let dependency_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
        let named = format!("{dependency_namespace}/{}", reference.name);
        let not_ready = |why: &str| {
            Failure::new(reason::DEPENDENCY_NOT_READY, format!("dependency '{named}' {why}"), Retry::After(requeue))
        };
        let api = Api::<K>::namespaced(client.clone(), &dependency_namespace);
        let dependency = match api.get_opt(&reference.name).await {
            Ok(Some(dependency)) => dependency,
            Ok(None) => return Err(not_ready("not found")),
            Err(error) => return Err(not_ready(&format!("cannot be read: {error}"))),
        };
        if !matches!(weir_api::status::readiness(&dependency), weir_api::status::Readiness::Ready(_)) {
            return Err(not_ready("is not ready"));
        }
        if let Some(why) = also(&dependency, &dependency_namespace) {
            return Err(not_ready(why));
        }
    }
    Ok(())
}

/// The objects of `store` that depend on `dependency`: for a watch on the kind itself, so that a
/// dependency's new status reconciles what waits for it.
pub fn dependents<K: FluxObject>(store: &reflector::Store<K>, dependency: &K) -> Vec<reflector::ObjectRef<K>> {
    let namespace = dependency.namespace().unwrap_or_default();
    let name = dependency.name_any();
    let names = |reference: &NamespacedObjectReference, dependent: &K| {
        reference.name == name
            && reference.namespace.clone().unwrap_or_else(|| dependent.namespace().unwrap_or_default()) == namespace
    };
    store
        .state()
        .into_iter()
        .filter(|dependent| dependent.depends_on().iter().any(|reference| names(reference, dependent)))
        .map(|dependent| reflector::ObjectRef::from_obj(&*dependent))
        .collect()
}

/// The objects of `store` whose source is `source`: `names` gives the namespace and name an
/// object refers to (`None` when it refers to another kind). For a watch on a source kind, so
/// that a source's new artifact reconciles what is built from it.
pub fn referrers<K: FluxObject, S: Resource>(
    store: &reflector::Store<K>,
    source: &S,
    names: impl Fn(&K) -> Option<(String, String)>,
) -> Vec<reflector::ObjectRef<K>> {
    let wanted = (source.namespace().unwrap_or_default(), source.name_any());
    store
        .state()
        .into_iter()
        .filter(|object| names(object).is_some_and(|reference| reference == wanted))
        .map(|object| reflector::ObjectRef::from_obj(&*object))
        .collect()
}

/// Adds our finalizer when missing.
async fn ensure_finalizer<K>(api: &Api<K>, object: &K) -> Result<(), kube::Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + Debug,
{
    if object.finalizers().iter().any(|finalizer| finalizer == FINALIZER) {
        return Ok(());
    }
    let mut finalizers = object.finalizers().to_vec();
    finalizers.push(FINALIZER.to_owned());
    set_finalizers(api, object, finalizers).await
}

/// Drops our finalizer, letting the deletion finish.
async fn remove_finalizer<K>(api: &Api<K>, object: &K) -> Result<(), kube::Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + Debug,
{
    let finalizers: Vec<String> = object.finalizers().iter().filter(|f| *f != FINALIZER).cloned().collect();
    match set_finalizers(api, object, finalizers).await {
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        other => other,
    }
}

async fn set_finalizers<K>(api: &Api<K>, object: &K, finalizers: Vec<String>) -> Result<(), kube::Error>
where
    K: Resource + Clone + serde::de::DeserializeOwned + Debug,
{
    // The resourceVersion makes this fail rather than drop someone else's concurrent change.
    let patch = json!({"metadata": {"finalizers": finalizers, "resourceVersion": object.resource_version()}});
    api.patch(&object.name_any(), &PatchParams::default(), &Patch::Merge(&patch)).await?;
    Ok(())
}

/// Writes `status` through the status subresource.
async fn patch_status<K: Reconcilable>(api: &Api<K>, name: &str, status: &K::Status) -> Result<(), kube::Error> {
    let patch = json!({ "status": status });
    match api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch)).await {
        // Deleted meanwhile: nothing left to report on.
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        other => other.map(drop),
    }
}

/// Whether the object asks for a reconciliation it has not had yet; the request token when so.
fn reconcile_request<K: Resource>(object: &K, last_handled: Option<&str>) -> Option<String> {
    object.annotations().get(RECONCILE_REQUEST).filter(|token| Some(token.as_str()) != last_handled).cloned()
}

/// The hash the watch filters on: what changes warrant a reconciliation (spec changes bump the
/// generation; a reconcile request; deletion), but not our own status writes.
fn reconcile_worthy<K: Resource>(object: &K) -> Option<u64> {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    object.meta().generation.hash(&mut hasher);
    object.annotations().get(RECONCILE_REQUEST).hash(&mut hasher);
    object.meta().deletion_timestamp.is_some().hash(&mut hasher);
    Some(hasher.finish())
}
