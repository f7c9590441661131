//! Helm's actions against the cluster and the release records, as Helm's `action` package
//! runs them: a record in a pending state first, hooks in weight order around the apply,
//! server-side apply of the manifests (CRDs first, per the `crds` policy), pruning of what the
//! new revision no longer holds, a kstatus wait, then the record deployed (and the previous
//! one superseded) — or failed, with the error.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use kube::{Client, ResourceExt};
use weir_api::helm::{CrdsPolicy, HelmRelease, IgnoreRule, ServerSideApplyMode};
use weir_apply::{ApplyOptions, Object, ObjectId, Owner, ResourceManager};
use weir_helm_storage::{
    ApplyMethod, Hook, HookDeletePolicy, HookEvent, HookExecution, HookPhase, Info, Release, ReleaseStore, Status,
    Timestamp, history,
};
use weir_plugin_host::chart_renderer::{
    self as plugin, Capabilities, ChartRendererPlugin, ChartRequest, RenderedChart,
};

use super::chart::{self, ReleaseChart};
use super::values::{self, Values};
use super::{DEFAULT_MAX_HISTORY, FIELD_MANAGER, GROUP, render, timeout};

/// Everything one install, upgrade or rollback needs.
pub(super) struct Action<'a> {
    pub release: &'a HelmRelease,
    pub client: Client,
    pub store: ReleaseStore,
    pub renderer: Arc<ChartRendererPlugin>,
    /// The kustomize renderer, for `spec.postRenderers`' kustomize entries.
    pub post_renderer: Arc<weir_plugin_host::renderer::RendererPlugin>,
    /// `spec.postRenderers`, their plugins found.
    pub post_render_steps: Vec<render::PostRenderStep<'a>>,
    pub capabilities: Capabilities,
    pub chart: &'a ReleaseChart,
    pub values: &'a Values,
    /// Flux's `UseHelm3Defaults` feature gate: install with client-side apply.
    pub helm3_defaults: bool,
}

/// What an action renders and applies.
struct Planned {
    record: Release,
    objects: Vec<Object>,
    hooks: Vec<plugin::Hook>,
}

/// How one action runs, as its section of the spec says.
struct Steps {
    /// The hook events before and after the apply.
    events: (HookEvent, HookEvent),
    hooks: bool,
    waits: bool,
    /// Wait for Jobs to complete too (unless `disableWaitForJobs`).
    wait_for_jobs: bool,
    /// Delete the objects this action created when it fails (`cleanupOnFail`).
    cleanup_on_fail: bool,
    limit: Duration,
    /// The record's description once deployed.
    done: String,
    /// Server-side apply, or Helm's client-side way against the release applied last.
    method: weir_apply::ApplyMethod,
}

impl Action<'_> {
    /// Installs a new release (after an uninstalled or failed one, as its next revision).
    pub async fn install(&self, releases: &[Release]) -> Result<Release, String> {
        let install = self.release.spec.install.clone().unwrap_or_default();
        let crds = install.crds.clone().unwrap_or(if install.skip_crds == Some(true) {
            CrdsPolicy::Skip
        } else {
            CrdsPolicy::Create
        });
        if install.create_namespace == Some(true) {
            self.create_namespace().await?;
        }
        // `disableOpenAPIValidation` has nothing to turn off: objects are validated by the API
        // server's dry-run apply, not against an OpenAPI schema on this side.
        let skip_schema = install.disable_schema_validation == Some(true);
        let mut planned = self.plan(releases, self.values, true, crds, skip_schema, "Initial install underway").await?;
        let server_side = install.server_side_apply.unwrap_or(!self.helm3_defaults);
        let method = self.apply_method(server_side, None, false, &mut planned.record);
        let steps = Steps {
            events: (HookEvent::PRE_INSTALL, HookEvent::POST_INSTALL),
            hooks: !install.disable_hooks.unwrap_or(false),
            waits: !install.disable_wait.unwrap_or(false),
            wait_for_jobs: !install.disable_wait_for_jobs.unwrap_or(false),
            cleanup_on_fail: false,
            limit: timeout(self.release, install.timeout.as_deref()),
            done: "Install complete".into(),
            method,
        };
        self.run(planned, &steps, releases).await
    }

    /// Upgrades the deployed release (or, with none deployed, the failed latest one, as Helm
    /// does) to the chart and values of this reconciliation; `preserveValues` starts from the
    /// current release's values, as Helm's `--reuse-values`.
    pub async fn upgrade(&self, releases: &[Release]) -> Result<Release, String> {
        let upgrade = self.release.spec.upgrade.clone().unwrap_or_default();
        let crds = upgrade.crds.clone().unwrap_or(CrdsPolicy::Skip);
        let current = history::deployed(releases).or_else(|| history::latest(releases));
        let reused = current.filter(|_| upgrade.preserve_values == Some(true)).map(|c| values::reuse(self.values, c));
        let values = reused.as_ref().unwrap_or(self.values);
        let skip_schema = upgrade.disable_schema_validation == Some(true);
        let mut planned = self.plan(releases, values, false, crds, skip_schema, "Preparing upgrade").await?;
        // `auto` (the default, whatever UseHelm3Defaults says): as the latest release was applied.
        let last_was_server_side =
            history::latest(releases).is_some_and(|last| last.apply_method == ApplyMethod::SERVER_SIDE);
        let server_side = server_side(upgrade.server_side_apply.as_ref(), last_was_server_side);
        let force = upgrade.force == Some(true);
        let method = self.apply_method(server_side, current, force, &mut planned.record);
        let steps = Steps {
            events: (HookEvent::PRE_UPGRADE, HookEvent::POST_UPGRADE),
            hooks: !upgrade.disable_hooks.unwrap_or(false),
            waits: !upgrade.disable_wait.unwrap_or(false),
            wait_for_jobs: !upgrade.disable_wait_for_jobs.unwrap_or(false),
            cleanup_on_fail: upgrade.cleanup_on_fail == Some(true),
            limit: timeout(self.release, upgrade.timeout.as_deref()),
            done: "Upgrade complete".into(),
            method,
        };
        self.run(planned, &steps, releases).await
    }

    /// Rolls back to the last deployed revision before the latest: its manifest, chart and
    /// values again, as a new revision.
    pub async fn rollback(&self) -> Result<Release, String> {
        let releases = self.store.history(&self.release.release_name()).await.map_err(|error| error.to_string())?;
        let latest = history::latest(&releases).map(|r| r.version).unwrap_or_default();
        let target = releases
            .iter()
            .filter(|record| {
                record.version != latest && matches!(record.info.status.as_str(), "deployed" | "superseded")
            })
            .max_by_key(|record| record.version)
            .cloned()
            .ok_or_else(|| "no previous release to roll back to".to_owned())?;
        let mut record = target.clone();
        record.version = history::next_version(&releases);
        record.info = Info {
            first_deployed: target.info.first_deployed,
            last_deployed: Some(Timestamp::now()),
            description: format!("Rollback to {}", target.version),
            status: Status::PENDING_ROLLBACK,
            notes: target.info.notes.clone(),
            ..Info::default()
        };
        let objects = render::to_apply(self.release, &target.manifest)?;
        let rollback = self.release.spec.rollback.clone().unwrap_or_default();
        let hooks = target.hooks.iter().filter_map(to_plugin_hook).collect();
        let mut planned = Planned { record, objects, hooks };
        // `auto`: as the release rolled back to was applied.
        let target_was_server_side = target.apply_method == ApplyMethod::SERVER_SIDE;
        let server_side = server_side(rollback.server_side_apply.as_ref(), target_was_server_side);
        let force = rollback.force == Some(true);
        let method = self.apply_method(server_side, history::latest(&releases), force, &mut planned.record);
        // `recreate` is gone from Helm 4; helm-controller only logs that it has no effect.
        let steps = Steps {
            events: (HookEvent::PRE_ROLLBACK, HookEvent::POST_ROLLBACK),
            hooks: !rollback.disable_hooks.unwrap_or(false),
            waits: !rollback.disable_wait.unwrap_or(false),
            wait_for_jobs: !rollback.disable_wait_for_jobs.unwrap_or(false),
            cleanup_on_fail: rollback.cleanup_on_fail == Some(true),
            limit: timeout(self.release, rollback.timeout.as_deref()),
            done: format!("Rollback to {}", target.version),
            method,
        };
        self.run(planned, &steps, &releases).await
    }

    /// Runs the release's test hooks (`helm test`), as `spec.test.filters` selects them by
    /// name, and records how each went in the release; how many ran.
    pub async fn test(&self, made: &mut Release) -> Result<usize, String> {
        let test = self.release.spec.test.clone().unwrap_or_default();
        let filters = test.filters.unwrap_or_default();
        let selected = |name: &str| {
            let included: Vec<&str> =
                filters.iter().filter(|f| f.exclude != Some(true)).map(|f| f.name.as_str()).collect();
            let excluded = filters.iter().any(|f| f.exclude == Some(true) && f.name == name);
            !excluded && (included.is_empty() || included.contains(&name))
        };
        let tests: Vec<plugin::Hook> = made
            .hooks
            .iter()
            .filter(|hook| hook.events.contains(&HookEvent::TEST) && selected(&hook.name))
            .filter_map(to_plugin_hook)
            .collect();
        let manager = ResourceManager::new(self.client.clone(), owner(self.release));
        let limit = timeout(self.release, test.timeout.as_deref());
        let namespace = self.release.release_namespace().to_owned();
        let outcome =
            run_hooks(self.release, &manager, &tests, &mut made.hooks, &HookEvent::TEST, limit, &namespace).await;
        self.store.update(made).await.map_err(|error| error.to_string())?;
        outcome.map(|()| tests.len())
    }

    /// Compares the release's objects in the cluster with its manifest (a server-side dry-run
    /// apply), leaving out what `ignore` rules name; with `correct`, applies the drifted objects
    /// again (ignored fields left to whoever changed them). What drifted, one line per object.
    pub async fn drift(&self, current: &Release, correct: bool, ignore: &[IgnoreRule]) -> Result<Vec<String>, String> {
        let manager = ResourceManager::new(self.client.clone(), owner(self.release));
        let namespace = self.release.release_namespace().to_owned();
        let mut objects = render::to_apply(self.release, &current.manifest)?;
        for object in &mut objects {
            if object.namespace().is_none() {
                object.set_namespace(&namespace);
            }
        }
        let options =
            ApplyOptions { dry_run: true, default_namespace: Some(namespace.clone()), ..ApplyOptions::default() };
        let planned = manager.apply_all(objects.clone(), &options).await.map_err(|error| error.to_string())?;
        let mut drifted = Vec::new();
        let mut report = Vec::new();
        for change in &planned.changes {
            let Some(object) = objects.iter().find(|object| object.id() == change.id) else { continue };
            let ignored = ignored_paths(ignore, object);
            let fields: Vec<&String> = change
                .fields
                .iter()
                .filter(|field| !ignored.iter().any(|path| *field == path || field.starts_with(&format!("{path}."))))
                .collect();
            let line = match change.action {
                weir_apply::Action::Created => format!("{}: missing", change.id),
                weir_apply::Action::Configured if !fields.is_empty() => {
                    format!("{}: {}", change.id, fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "))
                }
                _ => continue,
            };
            report.push(line);
            drifted.push(without_paths(object.clone(), &ignored));
        }
        if correct && !drifted.is_empty() {
            let options = ApplyOptions { default_namespace: Some(namespace), ..ApplyOptions::default() };
            manager.apply_all(drifted, &options).await.map_err(|error| error.to_string())?;
        }
        Ok(report)
    }

    /// Renders the chart with `values` and writes the new revision in its pending state;
    /// `skip_schema` leaves the chart's `values.schema.json` files out of the rendering.
    async fn plan(
        &self,
        releases: &[Release],
        values: &Values,
        install: bool,
        crds: CrdsPolicy,
        skip_schema: bool,
        description: &str,
    ) -> Result<Planned, String> {
        let version = history::next_version(releases);
        let request = ChartRequest {
            values_json: values.transport.clone(),
            release: render::release_info(self.release, version, install),
            capabilities: self.capabilities.clone(),
            include_crds: crds != CrdsPolicy::Skip,
            skip_tests: false,
        };
        let tenant = self.release.namespace().unwrap_or_default();
        let unpacked = if skip_schema { Some(chart::without_schemas(&self.chart.dir)?) } else { None };
        let dir = unpacked.as_ref().map_or(self.chart.dir.as_path(), |unpacked| unpacked.path());
        let mut rendered = render::render(&self.renderer, &tenant, dir, &request).await?;
        drop(unpacked);
        let (steps, chart) = (&self.post_render_steps, self.chart);
        rendered.manifests =
            render::post_renderers(&self.post_renderer, steps, self.release, chart, rendered.manifests).await?;
        let hooks: Vec<plugin::Manifest> = rendered.hooks.iter().map(|hook| hook.manifest.clone()).collect();
        let hooks = render::post_renderers(&self.post_renderer, steps, self.release, chart, hooks).await?;
        for (hook, manifest) in rendered.hooks.iter_mut().zip(hooks) {
            hook.manifest.content = manifest.content;
        }
        // Hooks go through the post-renderers too, and are recorded as they ran.
        for hook in &mut rendered.hooks {
            hook.manifest.content = render::manifest_text(self.release, std::slice::from_ref(&hook.manifest))?;
        }
        let manifest = render::manifest_text(self.release, &rendered.manifests)?;
        // CRDs are applied, not recorded: Helm keeps `crds/` out of the release. `Create` only
        // creates those missing; `CreateReplace` updates existing ones too.
        let crds = render::manifest_text(self.release, &self.missing_crds(rendered.crds.clone(), &crds).await?)?;
        let objects = render::to_apply(self.release, &format!("{crds}{manifest}"))?;
        let now = Timestamp::now();
        // An upgrade of a release never deployed keeps the failed install's first time, as Helm.
        let current = if install {
            history::deployed(releases)
        } else {
            history::deployed(releases).or(history::latest(releases))
        };
        let first_deployed = current.and_then(|record| record.info.first_deployed).unwrap_or(now);
        let record = Release {
            name: self.release.release_name(),
            info: Info {
                first_deployed: Some(first_deployed),
                last_deployed: Some(now),
                description: description.to_owned(),
                status: if install { Status::PENDING_INSTALL } else { Status::PENDING_UPGRADE },
                notes: rendered.notes.clone().unwrap_or_default(),
                ..Info::default()
            },
            chart: Some(self.chart.chart.clone()),
            config: values.config.clone(),
            manifest,
            hooks: record_hooks(&rendered),
            version,
            namespace: self.release.release_namespace().to_owned(),
            ..Release::default()
        };
        Ok(Planned { record, objects, hooks: rendered.hooks })
    }

    /// How this action applies, recorded in `record` as Helm 4 records it (Helm 3 ignores the
    /// field): server-side, or client-side against the manifest of `previous` (the release
    /// Helm diffs against), replacing objects whole with `force`.
    fn apply_method(
        &self,
        server_side: bool,
        previous: Option<&Release>,
        force: bool,
        record: &mut Release,
    ) -> weir_apply::ApplyMethod {
        if server_side {
            record.apply_method = ApplyMethod::SERVER_SIDE;
            return weir_apply::ApplyMethod::ServerSide;
        }
        record.apply_method = ApplyMethod::CLIENT_SIDE;
        let originals =
            previous.and_then(|previous| render::to_apply(self.release, &previous.manifest).ok()).unwrap_or_default();
        weir_apply::ApplyMethod::ClientSide { originals, replace: force }
    }

    /// Writes the pending record, then hooks, apply, prune, wait, hooks; the record ends
    /// deployed (superseding the others) or failed.
    async fn run(&self, mut planned: Planned, steps: &Steps, releases: &[Release]) -> Result<Release, String> {
        let max_history = self.release.spec.max_history.unwrap_or(DEFAULT_MAX_HISTORY);
        for stale in history::to_prune(releases, max_history) {
            self.store.delete(&stale.name, stale.version).await.map_err(|error| error.to_string())?;
        }
        self.store.create(&planned.record).await.map_err(|error| error.to_string())?;
        let mut created = Vec::new();
        let done = &steps.done;
        match self.apply(&mut planned, steps, releases, &mut created).await {
            Ok(()) => {
                for mut superseded in history::supersede(releases, planned.record.version) {
                    superseded.info.status = Status::SUPERSEDED;
                    self.store.update(&superseded).await.map_err(|error| error.to_string())?;
                }
                // An upgrade of a release never deployed supersedes the failed one it upgraded.
                let upgraded_failed = (planned.record.info.status == Status::PENDING_UPGRADE
                    && history::deployed(releases).is_none())
                .then(|| history::latest(releases).filter(|record| record.info.status == Status::FAILED))
                .flatten();
                // A failed latest revision is superseded too once a newer one is deployed.
                for record in releases.iter().filter(|record| record.info.status.is_pending()).chain(upgraded_failed) {
                    let mut record = record.clone();
                    record.info.status = Status::SUPERSEDED;
                    self.store.update(&record).await.map_err(|error| error.to_string())?;
                }
                planned.record.info.status = Status::DEPLOYED;
                planned.record.info.description = done.to_owned();
                self.store.update(&planned.record).await.map_err(|error| error.to_string())?;
                Ok(planned.record)
            }
            Err(mut error) => {
                // `cleanupOnFail`: what this action created goes again, as Helm deletes it.
                if steps.cleanup_on_fail && !created.is_empty() {
                    let manager = ResourceManager::new(self.client.clone(), owner(self.release));
                    if let Err(cleanup) = manager.delete_all(&created).await {
                        error = format!(
                            "an error occurred while cleaning up resources. original error: {error}: {cleanup}"
                        );
                    }
                }
                planned.record.info.status = Status::FAILED;
                planned.record.info.description = format!("Release \"{}\" failed: {error}", planned.record.name);
                if let Err(store_error) = self.store.update(&planned.record).await {
                    tracing::warn!(release = planned.record.name, %store_error, "recording the failure failed");
                }
                Err(error)
            }
        }
    }

    /// Hooks, apply, prune, wait, hooks; what the apply created is added to `created`.
    async fn apply(
        &self,
        planned: &mut Planned,
        steps: &Steps,
        releases: &[Release],
        created: &mut Vec<(ObjectId, String)>,
    ) -> Result<(), String> {
        let manager = ResourceManager::new(self.client.clone(), owner(self.release));
        let namespace = self.release.release_namespace().to_owned();
        let (pre, post) = &steps.events;
        let limit = steps.limit;
        if steps.hooks {
            run_hooks(self.release, &manager, &planned.hooks, &mut planned.record.hooks, pre, limit, &namespace)
                .await?;
        }
        let options = ApplyOptions {
            force: self.release.spec.upgrade.as_ref().and_then(|u| u.force) == Some(true),
            definitions_timeout: limit,
            default_namespace: Some(namespace.clone()),
            method: steps.method.clone(),
            ..ApplyOptions::default()
        };
        let applied = manager.apply_all(planned.objects.clone(), &options).await.map_err(|error| error.to_string())?;
        let kept: Vec<(ObjectId, String)> =
            applied.changes.iter().map(|change| (change.id.clone(), change.version.clone())).collect();
        created.extend(
            applied
                .changes
                .iter()
                .filter(|change| change.action == weir_apply::Action::Created)
                .map(|change| (change.id.clone(), change.version.clone())),
        );
        // What the previous revision held and this one does not goes, as Helm deletes it.
        let current: BTreeSet<&ObjectId> = kept.iter().map(|(id, _)| id).collect();
        let mut stale = Vec::new();
        for previous in releases.iter().filter(|record| record.info.status == Status::DEPLOYED) {
            for object in render::to_apply(self.release, &previous.manifest).unwrap_or_default() {
                let mut object = object;
                if object.namespace().is_none() {
                    object.set_namespace(&namespace);
                }
                let id = object.id();
                if !current.contains(&id) && !stale.iter().any(|(known, _): &(ObjectId, String)| *known == id) {
                    stale.push((id, object.gvk().version));
                }
            }
        }
        manager.delete_all(&stale).await.map_err(|error| error.to_string())?;
        if steps.waits {
            // Without waiting for Jobs, Helm leaves them to complete in their own time.
            let awaited: Vec<(ObjectId, String)> = kept
                .into_iter()
                .filter(|(id, _)| steps.wait_for_jobs || (id.group.as_str(), id.kind.as_str()) != ("batch", "Job"))
                .collect();
            manager.wait_ready(&awaited, limit).await.map_err(|error| format!("resources not ready: {error}"))?;
        }
        if steps.hooks {
            run_hooks(self.release, &manager, &planned.hooks, &mut planned.record.hooks, post, limit, &namespace)
                .await?;
        }
        Ok(())
    }

    /// The CRDs of `crds` the policy lets this action write.
    async fn missing_crds(
        &self,
        crds: Vec<plugin::Manifest>,
        policy: &CrdsPolicy,
    ) -> Result<Vec<plugin::Manifest>, String> {
        if *policy != CrdsPolicy::Create {
            return Ok(crds);
        }
        let api = kube::Api::<
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
        >::all(self.client.clone());
        let mut missing = Vec::new();
        for crd in crds {
            let name = weir_apply::parse_stream(&crd.content)
                .ok()
                .and_then(|mut objects| objects.pop())
                .map(|object| object.name().to_owned());
            let exists = match &name {
                Some(name) => {
                    api.get_opt(name).await.map_err(|error| format!("reading CRD {name}: {error}"))?.is_some()
                }
                None => false,
            };
            if !exists {
                missing.push(crd);
            }
        }
        Ok(missing)
    }

    async fn create_namespace(&self) -> Result<(), String> {
        let namespace = self.release.release_namespace();
        let object = serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}});
        let api = kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(self.client.clone());
        match api.get_opt(namespace).await {
            Ok(Some(_)) => Ok(()),
            _ => api
                .patch(namespace, &kube::api::PatchParams::apply(FIELD_MANAGER), &kube::api::Patch::Apply(&object))
                .await
                .map(drop)
                .map_err(|error| format!("failed to create namespace {namespace}: {error}")),
        }
    }
}

/// Whether an upgrade or rollback applies server-side: as `mode` says, or for `auto` (the
/// default) as `previously` (the release it follows) was applied.
fn server_side(mode: Option<&ServerSideApplyMode>, previously: bool) -> bool {
    match mode {
        Some(ServerSideApplyMode::Enabled) => true,
        Some(ServerSideApplyMode::Disabled) => false,
        Some(ServerSideApplyMode::Auto) | None => previously,
    }
}

/// Uninstalls Helm release `name` of `release`: pre-delete hooks, the deployed revision's
/// objects deleted, post-delete hooks, then the records deleted (or kept, marked uninstalled,
/// with `keepHistory`).
pub(super) async fn uninstall(
    release: &HelmRelease,
    name: &str,
    client: &Client,
    store: &ReleaseStore,
    keep_history: bool,
    limit: Duration,
) -> Result<(), String> {
    let releases = store.history(name).await.map_err(|error| error.to_string())?;
    let Some(current) = history::deployed(&releases).or_else(|| history::latest(&releases)).cloned() else {
        return Ok(());
    };
    let manager = ResourceManager::new(client.clone(), owner(release));
    let namespace = current.namespace.clone();
    let disable_hooks = release.spec.uninstall.as_ref().and_then(|u| u.disable_hooks) == Some(true);
    let stored_hooks: Vec<plugin::Hook> = current.hooks.iter().filter_map(to_plugin_hook).collect();
    let mut records = current.hooks.clone();
    if !disable_hooks {
        run_hooks(release, &manager, &stored_hooks, &mut records, &HookEvent::PRE_DELETE, limit, &namespace).await?;
    }
    let mut objects = Vec::new();
    for object in render::to_apply(release, &current.manifest)? {
        let mut object = object;
        if object.namespace().is_none() {
            object.set_namespace(&namespace);
        }
        objects.push((object.id(), object.gvk().version));
    }
    manager.delete_all(&objects).await.map_err(|error| error.to_string())?;
    if !disable_hooks {
        run_hooks(release, &manager, &stored_hooks, &mut records, &HookEvent::POST_DELETE, limit, &namespace).await?;
    }
    if keep_history {
        let mut uninstalled = current.clone();
        uninstalled.info.status = Status::UNINSTALLED;
        uninstalled.info.deleted = Some(Timestamp::now());
        uninstalled.info.description = "Uninstallation complete".into();
        uninstalled.hooks = records;
        store.update(&uninstalled).await.map_err(|error| error.to_string())?;
    } else {
        for record in &releases {
            store.delete(&record.name, record.version).await.map_err(|error| error.to_string())?;
        }
    }
    Ok(())
}

/// The fields `rules` ignore on `object`, as change paths (`.spec.replicas`).
fn ignored_paths(rules: &[IgnoreRule], object: &Object) -> Vec<String> {
    rules
        .iter()
        .filter(|rule| rule.target.as_ref().is_none_or(|target| targets(target, object)))
        .flat_map(|rule| rule.paths.iter())
        .map(|pointer| {
            pointer.split('/').skip(1).map(|part| format!(".{}", part.replace("~1", "/").replace("~0", "~"))).collect()
        })
        .collect()
}

/// Whether a rule's target selects `object` (group, version, kind, name, namespace).
fn targets(target: &weir_api::kustomize::Selector, object: &Object) -> bool {
    let gvk = object.gvk();
    let matches = |wanted: &Option<String>, actual: &str| wanted.as_deref().is_none_or(|wanted| wanted == actual);
    matches(&target.group, &gvk.group)
        && matches(&target.version, &gvk.version)
        && matches(&target.kind, &gvk.kind)
        && matches(&target.name, object.name())
        && matches(&target.namespace, object.namespace().unwrap_or_default())
}

/// `object` with the fields at `paths` removed, so applying it leaves them as they are.
fn without_paths(mut object: Object, paths: &[String]) -> Object {
    for path in paths {
        let parts: Vec<&str> = path.trim_start_matches('.').split('.').collect();
        let Some((last, parents)) = parts.split_last() else { continue };
        let parent: String =
            parents.iter().map(|part| format!("/{}", part.replace('~', "~0").replace('/', "~1"))).collect();
        if let Some(map) = object.0.pointer_mut(&parent).and_then(|node| node.as_object_mut()) {
            map.remove(*last);
        }
    }
    object
}

/// Runs the hooks of `event` in weight order (then by name, as Helm), with their delete
/// policies (`before-hook-creation` when none is given); a hook that fails stops the action.
async fn run_hooks(
    release: &HelmRelease,
    manager: &ResourceManager,
    hooks: &[plugin::Hook],
    records: &mut [Hook],
    event: &HookEvent,
    limit: Duration,
    namespace: &str,
) -> Result<(), String> {
    let mut selected: Vec<&plugin::Hook> =
        hooks.iter().filter(|hook| hook.events.iter().any(|e| hook_event(e) == *event)).collect();
    selected.sort_by_key(|hook| (hook.weight, hook.manifest.source.clone()));
    for hook in selected {
        let mut objects = render::to_apply(release, &hook.manifest.content)?;
        for object in &mut objects {
            if object.namespace().is_none() {
                object.set_namespace(namespace);
            }
        }
        let ids: Vec<(ObjectId, String)> = objects.iter().map(|object| (object.id(), object.gvk().version)).collect();
        let policies: Vec<&plugin::HookDeletePolicy> = hook.delete_policies.iter().collect();
        let before_creation =
            policies.is_empty() || policies.iter().any(|p| matches!(p, plugin::HookDeletePolicy::BeforeHookCreation));
        if before_creation {
            delete_and_wait(manager, &ids, limit).await?;
        }
        let record = records.iter_mut().find(|record| record.path == hook.manifest.source);
        let started = Timestamp::now();
        let options = ApplyOptions {
            definitions_timeout: limit,
            default_namespace: Some(namespace.to_owned()),
            ..ApplyOptions::default()
        };
        let outcome = match manager.apply_all(objects, &options).await {
            Ok(_) => manager.wait_ready(&ids, limit).await.map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        let phase = if outcome.is_ok() { HookPhase::SUCCEEDED } else { HookPhase::FAILED };
        if let Some(record) = record {
            record.last_run =
                HookExecution { started_at: Some(started), completed_at: Some(Timestamp::now()), phase: phase.clone() };
        }
        let delete = if outcome.is_ok() {
            policies.iter().any(|p| matches!(p, plugin::HookDeletePolicy::HookSucceeded))
        } else {
            policies.iter().any(|p| matches!(p, plugin::HookDeletePolicy::HookFailed))
        };
        if delete {
            delete_and_wait(manager, &ids, limit).await?;
        }
        if let Err(error) = outcome {
            return Err(format!("{} hook {} failed: {error}", event.as_str(), hook.manifest.source));
        }
    }
    Ok(())
}

async fn delete_and_wait(manager: &ResourceManager, ids: &[(ObjectId, String)], limit: Duration) -> Result<(), String> {
    manager.delete_all(ids).await.map_err(|error| error.to_string())?;
    let deadline = tokio::time::Instant::now() + limit;
    for (id, version) in ids {
        while matches!(manager.get(id, version).await, Ok(Some(_))) {
            if tokio::time::Instant::now() > deadline {
                return Err(format!("timed out waiting for {id} to be deleted"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(())
}

/// The rendered hooks as the release record keeps them.
fn record_hooks(rendered: &RenderedChart) -> Vec<Hook> {
    rendered
        .hooks
        .iter()
        .map(|hook| {
            let (kind, name) = kind_and_name(&hook.manifest.content);
            Hook {
                name,
                kind,
                path: hook.manifest.source.clone(),
                manifest: hook.manifest.content.clone(),
                events: hook.events.iter().map(hook_event).collect(),
                weight: i64::from(hook.weight),
                delete_policies: hook.delete_policies.iter().map(delete_policy).collect(),
                ..Hook::default()
            }
        })
        .collect()
}

/// A stored hook back in the plugin's shape, to run it again (uninstall hooks).
fn to_plugin_hook(hook: &Hook) -> Option<plugin::Hook> {
    let events = hook.events.iter().filter_map(|event| {
        Some(match event.as_str() {
            "pre-install" => plugin::HookEvent::PreInstall,
            "post-install" => plugin::HookEvent::PostInstall,
            "pre-delete" => plugin::HookEvent::PreDelete,
            "post-delete" => plugin::HookEvent::PostDelete,
            "pre-upgrade" => plugin::HookEvent::PreUpgrade,
            "post-upgrade" => plugin::HookEvent::PostUpgrade,
            "pre-rollback" => plugin::HookEvent::PreRollback,
            "post-rollback" => plugin::HookEvent::PostRollback,
            "test" => plugin::HookEvent::Test,
            _ => return None,
        })
    });
    let delete_policies = hook.delete_policies.iter().filter_map(|policy| {
        Some(match policy.as_str() {
            "before-hook-creation" => plugin::HookDeletePolicy::BeforeHookCreation,
            "hook-succeeded" => plugin::HookDeletePolicy::HookSucceeded,
            "hook-failed" => plugin::HookDeletePolicy::HookFailed,
            _ => return None,
        })
    });
    Some(plugin::Hook {
        manifest: plugin::Manifest { source: hook.path.clone(), content: hook.manifest.clone() },
        events: events.collect(),
        weight: i32::try_from(hook.weight).ok()?,
        delete_policies: delete_policies.collect(),
    })
}

fn hook_event(event: &plugin::HookEvent) -> HookEvent {
    match event {
        plugin::HookEvent::PreInstall => HookEvent::PRE_INSTALL,
        plugin::HookEvent::PostInstall => HookEvent::POST_INSTALL,
        plugin::HookEvent::PreDelete => HookEvent::PRE_DELETE,
        plugin::HookEvent::PostDelete => HookEvent::POST_DELETE,
        plugin::HookEvent::PreUpgrade => HookEvent::PRE_UPGRADE,
        plugin::HookEvent::PostUpgrade => HookEvent::POST_UPGRADE,
        plugin::HookEvent::PreRollback => HookEvent::PRE_ROLLBACK,
        plugin::HookEvent::PostRollback => HookEvent::POST_ROLLBACK,
        plugin::HookEvent::Test => HookEvent::TEST,
    }
}

fn delete_policy(policy: &plugin::HookDeletePolicy) -> HookDeletePolicy {
    match policy {
        plugin::HookDeletePolicy::BeforeHookCreation => HookDeletePolicy::BEFORE_HOOK_CREATION,
        plugin::HookDeletePolicy::HookSucceeded => HookDeletePolicy::HOOK_SUCCEEDED,
        plugin::HookDeletePolicy::HookFailed => HookDeletePolicy::HOOK_FAILED,
    }
}

fn kind_and_name(manifest: &str) -> (String, String) {
    let document = weir_go_yaml::parse_stream(manifest)
        .ok()
        .and_then(|documents| documents.into_iter().next())
        .unwrap_or_default();
    let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
    (text(&document["kind"]), text(&document["metadata"]["name"]))
}

fn owner(release: &HelmRelease) -> Owner {
    Owner {
        field_manager: FIELD_MANAGER.into(),
        group: GROUP.into(),
        name: release.name_any(),
        namespace: release.namespace().unwrap_or_default(),
    }
}
