//! The Kustomization controller: builds a path of a source's artifact through
//! the renderer plugin, decrypts and substitutes, applies with server-side
//! apply, prunes what left the source, waits for health, reports status.
//!
//! A revision is applied whole or not at all: every failure before the apply
//! (source, dependencies, build, decryption, substitution) and every rejected
//! dry-run leaves the cluster and the inventory as the last good revision left them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Client, ResourceExt};
use serde_json::Value;
use weir_api::kustomize::{Kustomization, KustomizationStatus, ResourceInventory, ResourceRef, SubstituteKind};
use weir_api::source::GitRepository;
use weir_apply::{ApplyOptions, Object, ObjectId, Owner, ResourceManager};
use weir_plugin_host::decryptor::{DocumentFormat, Key};
use weir_plugin_host::renderer::{BuildOptions, CommonMetadata, Image, LoadRestrictor, Patch, ResourceSelector};
use weir_plugin_host::types::KeyValue;
use weir_source::ArtifactStore;

use crate::conditions::{self, reason};
use crate::object::{self, publish, reconcile_request, reconcile_worthy};
use crate::substitute::{self, SubstituteError};
use crate::{Plugins, Settings, duration};

/// The field manager of every apply, and the prefix of the ownership labels: Flux's, so that
/// objects a Flux installation applied are taken over without conflicts.
pub const FIELD_MANAGER: &str = "kustomize-controller";
const GROUP: &str = "kustomize.toolkit.fluxcd.io";
/// `disabled` on an object (annotation or label) turns substitution off for it.
const SUBSTITUTE: &str = "kustomize.toolkit.fluxcd.io/substitute";

/// What the controller works with.
pub struct Context {
    client: Client,
    config: kube::Config,
    settings: Settings,
    plugins: Plugins,
    artifacts: ArtifactStore,
    recorder: Recorder,
}

impl Context {
    pub fn new(client: Client, config: kube::Config, settings: Settings, plugins: Plugins) -> std::io::Result<Self> {
        let artifacts = ArtifactStore::new(settings.storage_dir.join("artifacts"))?;
        let recorder = Recorder::new(client.clone(), Reporter { controller: FIELD_MANAGER.into(), instance: None });
        Ok(Self { client, config, settings, plugins, artifacts, recorder })
    }
}

/// Errors that stop a reconciliation before it could report a status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("talking to the API server: {0}")]
    Kube(#[from] kube::Error),
}

/// A reconciliation that did not reach its goal: the Ready condition's reason and message.
#[derive(Debug)]
pub struct Failure {
    pub reason: &'static str,
    pub message: String,
    /// Whether to retry after the dependency delay instead of `retryInterval`.
    waiting_for_dependency: bool,
}

impl Failure {
    fn new(reason: &'static str, message: impl Into<String>) -> Self {
        Self { reason, message: message.into(), waiting_for_dependency: false }
    }
}

/// Runs the controller until `shutdown`.
pub async fn run(context: Arc<Context>, shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static) {
    let api = Api::<Kustomization>::all(context.client.clone());
    let (reader, writer) = reflector::store();
    let stream = watcher(api.clone(), watcher::Config::default())
        .default_backoff()
        .reflect(writer)
        .applied_objects()
        .predicate_filter(reconcile_worthy, Default::default());
    let controller = Controller::for_stream(stream, reader);
    let by_source = controller.store();
    let by_dependency = controller.store();
    controller
        // A new artifact reconciles every Kustomization built from that source.
        .watches(Api::<GitRepository>::all(context.client.clone()), watcher::Config::default(), move |source| {
            let namespace = source.namespace().unwrap_or_default();
            let name = source.name_any();
            by_source
                .state()
                .into_iter()
                .filter(|kustomization| {
                    let reference = &kustomization.spec.source_ref;
                    reference.name == name
                        && reference.namespace.clone().unwrap_or_else(|| kustomization.namespace().unwrap_or_default())
                            == namespace
                })
                .map(|kustomization| ObjectRef::from_obj(&*kustomization))
                .collect::<Vec<_>>()
        })
        // A dependency's new status (Ready, a new revision) reconciles what depends on it.
        .watches(api, watcher::Config::default(), move |dependency| {
            let namespace = dependency.namespace().unwrap_or_default();
            let name = dependency.name_any();
            by_dependency
                .state()
                .into_iter()
                .filter(|kustomization| {
                    kustomization.spec.depends_on.iter().flatten().any(|reference| {
                        reference.name == name
                            && reference
                                .namespace
                                .clone()
                                .unwrap_or_else(|| kustomization.namespace().unwrap_or_default())
                                == namespace
                    })
                })
                .map(|kustomization| ObjectRef::from_obj(&*kustomization))
                .collect::<Vec<_>>()
        })
        .graceful_shutdown_on(shutdown)
        .run(reconcile, error_policy, context)
        .for_each(|outcome| async move {
            if let Err(error) = outcome {
                tracing::debug!(%error, "kustomization reconcile error");
            }
        })
        .await;
}

fn error_policy(_: Arc<Kustomization>, error: &Error, _: Arc<Context>) -> Action {
    tracing::warn!(%error, "kustomization reconciliation failed");
    Action::requeue(Duration::from_secs(5))
}

/// Reconciles one Kustomization.
pub async fn reconcile(kustomization: Arc<Kustomization>, context: Arc<Context>) -> Result<Action, Error> {
    let namespace = kustomization.namespace().unwrap_or_default();
    let name = kustomization.name_any();
    let api = Api::<Kustomization>::namespaced(context.client.clone(), &namespace);
    if kustomization.metadata.deletion_timestamp.is_some() {
        finalize(&kustomization, &context).await;
        object::remove_finalizer(&api, &*kustomization).await?;
        return Ok(Action::await_change());
    }
    // The finalizer write changes neither generation nor requests, so carry on with this reconciliation.
    object::ensure_finalizer(&api, &*kustomization).await?;
    if kustomization.spec.suspend == Some(true) {
        tracing::info!(%namespace, %name, "reconciliation is suspended");
        return Ok(Action::await_change());
    }
    let interval = duration::parse(&kustomization.spec.interval).unwrap_or(Duration::from_secs(600));
    let retry =
        kustomization.spec.retry_interval.as_deref().and_then(|text| duration::parse(text).ok()).unwrap_or(interval);

    let mut status = kustomization.status.clone().unwrap_or_default();
    let generation = kustomization.metadata.generation;
    if let Some(token) = reconcile_request(&*kustomization, status.last_handled_reconcile_at.as_deref()) {
        status.last_handled_reconcile_at = Some(token);
    }
    let started = Instant::now();
    let outcome = sync(&kustomization, &context, &mut status).await;
    let mut conditions = status.conditions.take().unwrap_or_default();
    conditions::remove(&mut conditions, conditions::RECONCILING);
    let action = match outcome {
        Ok(revision) => {
            let message = format!("Applied revision: {revision}");
            conditions::set(
                &mut conditions,
                conditions::READY,
                true,
                reason::RECONCILIATION_SUCCEEDED,
                &message,
                generation,
            );
            conditions::remove(&mut conditions, conditions::STALLED);
            tracing::info!(%namespace, %name, %revision, elapsed = ?started.elapsed(), "reconciliation finished");
            Action::requeue(interval)
        }
        Err(failure) => {
            conditions::set(&mut conditions, conditions::READY, false, failure.reason, &failure.message, generation);
            tracing::warn!(%namespace, %name, reason = failure.reason, message = %failure.message, "reconciliation failed");
            publish(&context.recorder, &*kustomization, true, failure.reason, failure.message.clone()).await;
            Action::requeue(if failure.waiting_for_dependency { context.settings.dependency_requeue } else { retry })
        }
    };
    status.conditions = Some(conditions);
    status.observed_generation = generation;
    object::patch_status(&api, &name, &status).await?;
    Ok(action)
}

/// Everything from the source to health; the applied revision on success.
async fn sync(
    kustomization: &Kustomization,
    context: &Context,
    status: &mut KustomizationStatus,
) -> Result<String, Failure> {
    let spec = &kustomization.spec;
    let (source_namespace, artifact) = source_artifact(kustomization, context).await?;
    let revision = artifact.revision.clone();
    check_dependencies(kustomization, context, &source_namespace).await?;
    status.last_attempted_revision = Some(revision.clone());

    let timeout = spec.timeout.as_deref().and_then(|text| duration::parse(text).ok());
    let timeout = timeout.unwrap_or_else(|| duration::parse(&spec.interval).unwrap_or(Duration::from_secs(600)));
    let source_dir = context.artifacts.path_of(&artifact.path);
    let path = kustomization.spec.path.as_deref().unwrap_or(".");
    let objects = build(kustomization, context, &source_dir, path, true).await?;

    let manager = ResourceManager::new(tenant_client(kustomization, context)?, owner(kustomization));
    let options = ApplyOptions { force: spec.force, dry_run: false, definitions_timeout: timeout };
    let applied = manager
        .apply_all(objects, &options)
        .await
        .map_err(|error| Failure::new(reason::RECONCILIATION_FAILED, error.to_string()))?;

    let inventory: Vec<(ObjectId, String)> =
        applied.changes.iter().map(|change| (change.id.clone(), change.version.clone())).collect();
    let previous = inventory_of(status);
    let mut changes = applied;
    if spec.prune {
        let kept: BTreeSet<&ObjectId> = inventory.iter().map(|(id, _)| id).collect();
        let stale: Vec<(ObjectId, String)> = previous.into_iter().filter(|(id, _)| !kept.contains(id)).collect();
        let pruned =
            manager.delete_all(&stale).await.map_err(|error| Failure::new(reason::PRUNE_FAILED, error.to_string()))?;
        changes.changes.extend(pruned.changes);
    }
    status.inventory = Some(to_inventory(&inventory));
    report_changes(kustomization, context, &changes, status.last_applied_revision.as_deref() == Some(&revision)).await;

    let checks = health_checks(kustomization, &inventory);
    if !checks.is_empty() {
        let started = Instant::now();
        if let Err(error) = manager.wait_ready(&checks, timeout).await {
            let message = format!("health check failed after {}: {error}", duration::format(started.elapsed()));
            let mut conditions = status.conditions.take().unwrap_or_default();
            conditions::set(
                &mut conditions,
                conditions::HEALTHY,
                false,
                reason::HEALTH_CHECK_FAILED,
                &message,
                kustomization.metadata.generation,
            );
            status.conditions = Some(conditions);
            return Err(Failure::new(reason::HEALTH_CHECK_FAILED, message));
        }
        let mut conditions = status.conditions.take().unwrap_or_default();
        conditions::set(
            &mut conditions,
            conditions::HEALTHY,
            true,
            reason::SUCCEEDED,
            "Health check passed",
            kustomization.metadata.generation,
        );
        status.conditions = Some(conditions);
    }
    status.last_applied_revision = Some(revision.clone());
    Ok(revision)
}

/// What applying `objects` for this Kustomization would change, and what pruning would delete; nothing is written.
pub async fn diff(
    kustomization: &Kustomization,
    context: &Context,
    objects: Vec<Object>,
) -> Result<weir_apply::ChangeSet, Failure> {
    let manager = ResourceManager::new(tenant_client(kustomization, context)?, owner(kustomization));
    let options = ApplyOptions { force: kustomization.spec.force, dry_run: true, definitions_timeout: Duration::ZERO };
    let mut changes = manager
        .apply_all(objects, &options)
        .await
        .map_err(|error| Failure::new(reason::RECONCILIATION_FAILED, error.to_string()))?;
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

/// The source's namespace and its current artifact.
async fn source_artifact(
    kustomization: &Kustomization,
    context: &Context,
) -> Result<(String, weir_api::meta::Artifact), Failure> {
    let namespace = kustomization.namespace().unwrap_or_default();
    let reference = &kustomization.spec.source_ref;
    let source_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
    let kind = serde_json::to_value(&reference.kind)
        .ok()
        .and_then(|kind| kind.as_str().map(str::to_owned))
        .unwrap_or_default();
    let described = format!("{kind}/{source_namespace}/{}", reference.name);
    if context.settings.no_cross_namespace_refs && source_namespace != namespace {
        return Err(Failure::new(
            reason::ACCESS_DENIED,
            format!("can't access '{described}', cross-namespace references have been blocked"),
        ));
    }
    if kind != "GitRepository" {
        return Err(Failure::new(reason::ARTIFACT_FAILED, format!("source '{described}' is not supported yet")));
    }
    let sources = Api::<GitRepository>::namespaced(context.client.clone(), &source_namespace);
    let source = match sources.get_opt(&reference.name).await {
        Ok(Some(source)) => source,
        Ok(None) => {
            return Err(Failure::new(reason::ARTIFACT_FAILED, format!("Source '{described}' not found")));
        }
        Err(error) => return Err(Failure::new(reason::ARTIFACT_FAILED, format!("reading '{described}': {error}"))),
    };
    match source.status.and_then(|status| status.artifact) {
        Some(artifact) => Ok((source_namespace, artifact)),
        None => Err(Failure {
            reason: reason::ARTIFACT_FAILED,
            message: format!(
                "Source artifact not found, retrying in {}",
                duration::format(context.settings.dependency_requeue)
            ),
            waiting_for_dependency: true,
        }),
    }
}

/// Every `dependsOn` Kustomization must be Ready at its latest generation; one built
/// from the same source must have applied the same revision we are about to.
async fn check_dependencies(
    kustomization: &Kustomization,
    context: &Context,
    source_namespace: &str,
) -> Result<(), Failure> {
    let namespace = kustomization.namespace().unwrap_or_default();
    for reference in kustomization.spec.depends_on.iter().flatten() {
        let dependency_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
        let named = format!("{dependency_namespace}/{}", reference.name);
        let not_ready = |why: &str| Failure {
            reason: reason::DEPENDENCY_NOT_READY,
            message: format!("dependency '{named}' {why}"),
            waiting_for_dependency: true,
        };
        let api = Api::<Kustomization>::namespaced(context.client.clone(), &dependency_namespace);
        let dependency = match api.get_opt(&reference.name).await {
            Ok(Some(dependency)) => dependency,
            Ok(None) => return Err(not_ready("not found")),
            Err(error) => return Err(not_ready(&format!("cannot be read: {error}"))),
        };
        let status = dependency.status.clone().unwrap_or_default();
        let current = status.observed_generation == dependency.metadata.generation;
        if !current || !conditions::is_true(status.conditions.as_ref(), conditions::READY) {
            return Err(not_ready("is not ready"));
        }
        let same_source = dependency.spec.source_ref.name == kustomization.spec.source_ref.name
            && dependency.spec.source_ref.namespace.clone().unwrap_or(dependency_namespace.clone()) == source_namespace;
        if same_source && status.last_applied_revision != status.last_attempted_revision {
            return Err(not_ready("is not up to date with its source revision"));
        }
    }
    Ok(())
}

/// Renders `path` of `source_dir` through the renderer plugin with the Kustomization's
/// overlay fields, then decrypts (when `decrypt`), substitutes and labels.
pub async fn build(
    kustomization: &Kustomization,
    context: &Context,
    source_dir: &Path,
    path: &str,
    decrypt_secrets: bool,
) -> Result<Vec<Object>, Failure> {
    let namespace = kustomization.namespace().unwrap_or_default();
    let options = build_options(kustomization, path);
    let rendered = match context.plugins.renderer.build(&namespace, source_dir, &options).await {
        Ok(Ok(rendered)) => rendered,
        Ok(Err(error)) => return Err(Failure::new(reason::BUILD_FAILED, render_error_message(&error))),
        Err(error) => return Err(Failure::new(reason::BUILD_FAILED, format!("renderer plugin failed: {error}"))),
    };
    let variables = variables(kustomization, context).await?;
    let mut objects = Vec::new();
    for (index, document) in split_documents(&rendered.yaml_stream).enumerate() {
        let invalid =
            |message: String| Failure::new(reason::BUILD_FAILED, format!("document {}: {message}", index + 1));
        let mut parsed = weir_apply::parse_stream(document).map_err(|error| invalid(error.to_string()))?;
        let Some(mut object) = parsed.pop() else { continue };
        // Substitution works on YAML text, as Flux's does, so `replicas: ${n}` becomes a number.
        let mut text = std::borrow::Cow::Borrowed(document);
        if decrypt_secrets && is_encrypted(&object) {
            object = decrypt(kustomization, context, object).await?;
            text = serde_yaml_ng::to_string(&object.0).map_err(|error| invalid(error.to_string()))?.into();
        }
        if let Some(variables) = &variables
            && object.annotation(SUBSTITUTE) != Some("disabled")
            && object.label(SUBSTITUTE) != Some("disabled")
        {
            let substituted = substitute::substitute(&text, variables, context.settings.strict_substitution)
                .map_err(|error| Failure::new(reason::BUILD_FAILED, format!("{}: {error}", object.id())))?;
            let mut reparsed = weir_apply::parse_stream(&substituted).map_err(|error| invalid(error.to_string()))?;
            object = reparsed.pop().ok_or_else(|| invalid("empty after substitution".into()))?;
        }
        object.set_labels([
            (format!("{GROUP}/name").as_str(), kustomization.name_any().as_str()),
            (format!("{GROUP}/namespace").as_str(), namespace.as_str()),
        ]);
        objects.push(object);
    }
    Ok(objects)
}

/// Splits a rendered stream into its documents' texts.
fn split_documents(stream: &str) -> impl Iterator<Item = &str> {
    stream.split("\n---\n").map(|document| document.strip_prefix("---\n").unwrap_or(document))
}

fn build_options(kustomization: &Kustomization, path: &str) -> BuildOptions {
    let spec = &kustomization.spec;
    let path = path.trim_start_matches("./").trim_matches('/');
    let key_values = |map: &Option<BTreeMap<String, String>>| -> Vec<KeyValue> {
        map.iter().flatten().map(|(key, value)| KeyValue { key: key.clone(), value: value.clone() }).collect()
    };
    BuildOptions {
        path: if path.is_empty() { ".".into() } else { path.to_owned() },
        // Flux loads files from anywhere in the artifact; the sandbox confines it to the artifact.
        load_restrictor: LoadRestrictor::None,
        reorder: None,
        generate_kustomization: true,
        target_namespace: spec.target_namespace.clone(),
        name_prefix: spec.name_prefix.clone(),
        name_suffix: spec.name_suffix.clone(),
        components: spec.components.clone().unwrap_or_default(),
        patches: spec
            .patches
            .iter()
            .flatten()
            .map(|patch| Patch {
                patch: patch.patch.clone(),
                target: patch.target.as_ref().map(|target| ResourceSelector {
                    group: target.group.clone(),
                    version: target.version.clone(),
                    kind: target.kind.clone(),
                    name: target.name.clone(),
                    namespace: target.namespace.clone(),
                    label_selector: target.label_selector.clone(),
                    annotation_selector: target.annotation_selector.clone(),
                }),
            })
            .collect(),
        images: spec
            .images
            .iter()
            .flatten()
            .map(|image| Image {
                name: image.name.clone(),
                new_name: image.new_name.clone(),
                new_tag: image.new_tag.clone(),
                digest: image.digest.clone(),
            })
            .collect(),
        common_metadata: spec.common_metadata.as_ref().map(|metadata| CommonMetadata {
            labels: key_values(&metadata.labels),
            annotations: key_values(&metadata.annotations),
        }),
    }
}

fn render_error_message(error: &weir_plugin_host::renderer::RenderError) -> String {
    use weir_plugin_host::renderer::RenderError as E;
    let detail = match error {
        E::NotFound(detail)
        | E::InvalidInput(detail)
        | E::LoadRestricted(detail)
        | E::Conflict(detail)
        | E::Unsupported(detail) => detail,
    };
    let mut message = detail.message.clone();
    if let Some(file) = &detail.file {
        message = format!("{file}: {message}");
    }
    if let Some(field) = &detail.field {
        message = format!("{message} (field {field})");
    }
    message
}

/// The post-build variables, when `postBuild` is set: `substituteFrom` in order, then `substitute` over them.
async fn variables(
    kustomization: &Kustomization,
    context: &Context,
) -> Result<Option<BTreeMap<String, String>>, Failure> {
    let Some(post_build) = &kustomization.spec.post_build else {
        return Ok(None);
    };
    let namespace = kustomization.namespace().unwrap_or_default();
    let mut variables = BTreeMap::new();
    for reference in post_build.substitute_from.iter().flatten() {
        let optional = reference.optional == Some(true);
        let data = match reference.kind {
            SubstituteKind::ConfigMap => {
                let api = Api::<k8s_openapi::api::core::v1::ConfigMap>::namespaced(context.client.clone(), &namespace);
                api.get_opt(&reference.name).await.map(|found| found.map(|map| map.data.unwrap_or_default()))
            }
            SubstituteKind::Secret => match object::secret_data(&context.client, &namespace, &reference.name).await {
                Ok(data) => Ok(Some(
                    data.into_iter().map(|(key, value)| (key, String::from_utf8_lossy(&value).into_owned())).collect(),
                )),
                Err(kube::Error::Api(status)) if status.code == 404 => Ok(None),
                Err(error) => Err(error),
            },
        };
        let kind = if matches!(reference.kind, SubstituteKind::ConfigMap) { "ConfigMap" } else { "Secret" };
        match data {
            Ok(Some(data)) => variables.extend(data),
            Ok(None) if optional => {}
            Ok(None) => {
                return Err(Failure::new(
                    reason::BUILD_FAILED,
                    format!("substitute from '{kind}/{}' failed: not found", reference.name),
                ));
            }
            Err(error) => {
                return Err(Failure::new(
                    reason::BUILD_FAILED,
                    format!("substitute from '{kind}/{}' failed: {error}", reference.name),
                ));
            }
        }
    }
    variables.extend(post_build.substitute.clone().unwrap_or_default());
    substitute::validate_names(variables.keys())
        .map_err(|error: SubstituteError| Failure::new(reason::BUILD_FAILED, error.to_string()))?;
    Ok(Some(variables))
}

/// A SOPS-encrypted object carries the `sops` metadata block at its top level.
fn is_encrypted(object: &Object) -> bool {
    object.0.get("sops").is_some_and(Value::is_object)
}

/// Decrypts one object through the decryptor plugin, with the keys of `spec.decryption.secretRef`.
async fn decrypt(kustomization: &Kustomization, context: &Context, object: Object) -> Result<Object, Failure> {
    let id = object.id();
    let failed =
        |message: String| Failure::new(reason::DECRYPTION_FAILED, format!("{id}: decryption failed: {message}"));
    let Some(decryption) = &kustomization.spec.decryption else {
        return Err(failed("the object is SOPS-encrypted but spec.decryption is not set".into()));
    };
    let Some(decryptor) = &context.plugins.decryptor else {
        return Err(failed("no decryptor plugin is installed".into()));
    };
    let namespace = kustomization.namespace().unwrap_or_default();
    let mut keys = Vec::new();
    if let Some(secret) = &decryption.secret_ref {
        let data = object::secret_data(&context.client, &namespace, &secret.name)
            .await
            .map_err(|error| failed(format!("reading the keys of Secret '{namespace}/{}': {error}", secret.name)))?;
        keys = decryption_keys(&data);
    }
    // Built manifests are re-serialised by kustomize, so Flux decrypts them as JSON: the MAC covers values, not layout.
    let document = serde_json::to_vec(&object.0).map_err(|error| failed(error.to_string()))?;
    let plaintext = match decryptor.decrypt(&namespace, &document, DocumentFormat::Json, &keys).await {
        Ok(Ok(plaintext)) => plaintext,
        Ok(Err(error)) => return Err(failed(crypt_error_message(&error))),
        Err(error) => return Err(failed(format!("decryptor plugin failed: {error}"))),
    };
    let value: Value = serde_json::from_slice(&plaintext).map_err(|error| failed(error.to_string()))?;
    Object::new(value).map_err(failed)
}

/// Flux's decryption Secret: `*.agekey` entries hold age identities (one per line), `*.asc` armored PGP keys.
fn decryption_keys(data: &BTreeMap<String, Vec<u8>>) -> Vec<Key> {
    let mut keys = Vec::new();
    for (name, value) in data {
        let text = String::from_utf8_lossy(value);
        if name.ends_with(".agekey") {
            keys.extend(
                text.lines()
                    .map(str::trim)
                    .filter(|line| line.starts_with("AGE-SECRET-KEY-"))
                    .map(|line| Key::AgeIdentity(line.to_owned())),
            );
        } else if name.ends_with(".asc") {
            keys.push(Key::PgpSecretKey(text.into_owned()));
        }
    }
    keys
}

fn crypt_error_message(error: &weir_plugin_host::decryptor::CryptError) -> String {
    use weir_plugin_host::decryptor::CryptError as E;
    let detail = match error {
        E::NotEncrypted(detail)
        | E::NoMatchingKey(detail)
        | E::MacMismatch(detail)
        | E::InvalidDocument(detail)
        | E::InvalidKey(detail)
        | E::Unsupported(detail) => detail,
    };
    detail.message.clone()
}

/// A client for the cluster calls of this Kustomization: impersonating its service
/// account (or the default one) so RBAC confines what a tenant may change.
fn tenant_client(kustomization: &Kustomization, context: &Context) -> Result<Client, Failure> {
    let account =
        kustomization.spec.service_account_name.clone().or_else(|| context.settings.default_service_account.clone());
    let Some(account) = account else {
        return Ok(context.client.clone());
    };
    let namespace = kustomization.namespace().unwrap_or_default();
    let mut config = context.config.clone();
    config.auth_info.impersonate = Some(format!("system:serviceaccount:{namespace}:{account}"));
    config.auth_info.impersonate_groups = Some(vec![
        "system:serviceaccounts".into(),
        format!("system:serviceaccounts:{namespace}"),
        "system:authenticated".into(),
    ]);
    Client::try_from(config)
        .map_err(|error| Failure::new(reason::RECONCILIATION_FAILED, format!("impersonating {account}: {error}")))
}

fn inventory_of(status: &KustomizationStatus) -> Vec<(ObjectId, String)> {
    status
        .inventory
        .iter()
        .flat_map(|inventory| &inventory.entries)
        .filter_map(|entry| Some((ObjectId::from_inventory_id(&entry.id)?, entry.v.clone())))
        .collect()
}

fn to_inventory(objects: &[(ObjectId, String)]) -> ResourceInventory {
    let mut entries: Vec<ResourceRef> =
        objects.iter().map(|(id, version)| ResourceRef { id: id.inventory_id(), v: version.clone() }).collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    entries.dedup();
    ResourceInventory { entries }
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
    context: &Context,
    changes: &weir_apply::ChangeSet,
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
    publish(&context.recorder, kustomization, false, reason, note).await;
}

/// On deletion: prune what the Kustomization applied, as its `deletionPolicy` says.
async fn finalize(kustomization: &Kustomization, context: &Context) {
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
            + spec.timeout.as_deref().and_then(|t| duration::parse(t).ok()).unwrap_or(Duration::from_secs(60));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_split_on_separators_only() {
        let stream = "a: 1\n---\nb: |\n  x---y\n---\nc: 3\n";
        let documents: Vec<&str> = split_documents(stream).collect();
        assert_eq!(documents, ["a: 1", "b: |\n  x---y", "c: 3\n"]);
    }

    #[test]
    fn decryption_keys_from_a_flux_secret() {
        let data = BTreeMap::from([
            ("age.agekey".to_owned(), b"# created: now\nAGE-SECRET-KEY-1ABC\n".to_vec()),
            ("pgp.asc".to_owned(), b"-----BEGIN PGP PRIVATE KEY BLOCK-----".to_vec()),
            ("other".to_owned(), b"x".to_vec()),
        ]);
        let keys = decryption_keys(&data);
        assert_eq!(keys.len(), 2);
        assert!(matches!(&keys[0], Key::AgeIdentity(key) if key == "AGE-SECRET-KEY-1ABC"));
    }

    #[test]
    fn inventory_is_sorted_and_unique() {
        let id = |name: &str| ObjectId {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "a".into(),
            name: name.into(),
        };
        let inventory = to_inventory(&[(id("b"), "v1".into()), (id("a"), "v1".into()), (id("a"), "v1".into())]);
        let ids: Vec<&str> = inventory.entries.iter().map(|entry| entry.id.as_str()).collect();
        assert_eq!(ids, ["a_a_apps_Deployment", "a_b_apps_Deployment"]);
    }
}
