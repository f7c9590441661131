//! The HelmRelease controller, as Flux's helm-controller: the chart (a HelmChart it creates
//! from `spec.chart`, or `spec.chartRef`) → values ([`values`]) → the chart-renderer plugin
//! ([`render`]) → a Helm action ([`action`]: install, upgrade, rollback, uninstall, with hooks,
//! server-side apply and kstatus waits) → Helm 3's own release records, which the `helm` CLI
//! reads, and Flux's status (`Released`, `Remediated`, `history`, failure counts).
//!
//! The action follows the release's state in its records: no release (or an uninstalled one)
//! is installed; a deployed one whose chart version or values differ is upgraded; a failed one
//! is retried within the remediation budget, remediated (a failed install uninstalled, a failed
//! upgrade rolled back or uninstalled) and stalled once the budget is spent.

mod action;
mod chart;
mod remote;
mod render;
mod values;

use std::sync::Arc;
use std::time::Duration;

use crate::plugin::loaded::TenantPlugins;
use kube::api::Api;
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use weir_api::helm::{
    ChartRefKind, DriftDetectionMode, HelmRelease, HelmReleaseStatus, ReleaseAction, RemediationStrategy, Snapshot,
};
use weir_api::plugins::RENDERER_ANNOTATION;
use weir_api::source::{HelmChart, OCIRepository};
use weir_go_compat::time::parse_duration;
use weir_helm_storage::{Release, ReleaseStore, Status, history};
use weir_plugin_host::chart_renderer::ChartRendererPlugin;
use weir_source::ArtifactStore;

use crate::conditions::{self, reason};
use crate::reconciler::{self, Failure, Lifecycle, Ready, Reconciler, Retry};
use crate::{Plugins, Settings};

/// The field manager of every apply, and the origin label prefix: Flux's.
pub const FIELD_MANAGER: &str = "helm-controller";
const GROUP: &str = "helm.toolkit.fluxcd.io";
/// The condition that says how the last Helm action went.
const RELEASED: &str = "Released";
const REMEDIATED: &str = "Remediated";
const TEST_SUCCESS: &str = "TestSuccess";
/// Flux's default `maxHistory`.
const DEFAULT_MAX_HISTORY: i64 = 5;
/// `RetryOnFailure`'s `retryInterval` when it cannot be read.
const DEFAULT_RETRY_INTERVAL: Duration = Duration::from_secs(300);
/// `flux reconcile hr --force`: upgrade (or install) even when in step or out of retries.
const FORCE_REQUEST: &str = "reconcile.fluxcd.io/forceAt";
/// `flux reconcile hr --reset`: start the failure counts afresh.
const RESET_REQUEST: &str = "reconcile.fluxcd.io/resetAt";

/// The HelmRelease controller's own state.
pub struct HelmReleases {
    client: Client,
    config: kube::Config,
    settings: Settings,
    renderer: Option<Arc<ChartRendererPlugin>>,
    /// The tenants' own plugins: a release's renderer annotation selects a chart renderer.
    tenants: TenantPlugins,
    /// The kustomize renderer, which runs `spec.postRenderers`.
    post_renderer: Arc<weir_plugin_host::renderer::RendererPlugin>,
    artifacts: ArtifactStore,
    capabilities: render::CapabilitiesCache,
    /// When each release retrying under `RetryOnFailure` is due again: the controller also
    /// wakes for its charts' and sources' changes, which must not cut `retryInterval` short.
    retry_due: std::sync::Mutex<std::collections::HashMap<String, std::time::Instant>>,
}

impl HelmReleases {
    pub fn new(client: Client, config: kube::Config, settings: Settings, plugins: &Plugins) -> std::io::Result<Self> {
        let artifacts = ArtifactStore::new(settings.storage_dir.join("artifacts"))?;
        Ok(Self {
            client,
            config,
            settings,
            renderer: plugins.chart_renderer.clone(),
            tenants: plugins.tenants.clone(),
            post_renderer: plugins.renderer.clone(),
            artifacts,
            capabilities: Default::default(),
            retry_due: Default::default(),
        })
    }

    /// The chart renderer of `release`: the Plugin (or ClusterPlugin) its renderer annotation
    /// names, else the built-in one.
    fn chart_renderer(&self, release: &HelmRelease) -> Result<Arc<ChartRendererPlugin>, Failure> {
        let Some(name) = release.annotations().get(RENDERER_ANNOTATION) else {
            return self.renderer.clone().ok_or_else(|| {
                Failure::new(reason::INIT_FAILED, "no chart-renderer plugin is loaded", Retry::Stalled)
            });
        };
        let namespace = release.namespace().unwrap_or_default();
        self.tenants.chart_renderer(&namespace, name).map_err(|unavailable| {
            let message = format!("{RENDERER_ANNOTATION}: {unavailable}");
            Failure::new(crate::plugin::reason::PLUGIN_NOT_READY, message, Retry::Backoff)
        })
    }

    /// A client acting as the release's service account.
    fn tenant_client(&self, release: &HelmRelease) -> Result<Client, Failure> {
        let account =
            release.spec.service_account_name.clone().or_else(|| self.settings.default_service_account.clone());
        let namespace = release.namespace().unwrap_or_default();
        crate::impersonation::client_as(&self.client, &self.config, &namespace, account.as_deref())
            .map_err(|message| Failure::new(reason::RECONCILIATION_FAILED, message, Retry::Backoff))
    }

    /// The client Helm's actions run with: the tenant's in this cluster, or, with
    /// `spec.kubeConfig`, one for the remote cluster (as the service account there, if any).
    /// One client serves the whole reconciliation and discovery is asked afresh after new
    /// CRDs, so `persistentClient` has nothing to change.
    async fn action_client(&self, release: &HelmRelease) -> Result<Client, Failure> {
        let Some(reference) = &release.spec.kube_config else {
            return self.tenant_client(release);
        };
        let failed = |message: String| Failure::new(remote::REST_CLIENT_ERROR, message, Retry::Backoff);
        let config = remote::config(&self.client, release, reference).await.map_err(failed)?;
        let client = Client::try_from(config.clone()).map_err(|error| failed(error.to_string()))?;
        let account = release.spec.service_account_name.as_deref();
        let namespace = release.namespace().unwrap_or_default();
        crate::impersonation::client_as(&client, &config, &namespace, account).map_err(failed)
    }
}

/// Runs the controller until `shutdown`; a HelmChart's new artifact, and a dependency's new
/// status, reconcile the releases that use them.
pub async fn run(lifecycle: Arc<Lifecycle<HelmReleases>>, shutdown: impl Future<Output = ()> + Send + Sync + 'static) {
    let client = &lifecycle.client;
    let controller = reconciler::controller(&lifecycle);
    let (by_chart, by_oci, by_dependency) = (controller.store(), controller.store(), controller.store());
    let controller = controller
        .watches(Api::<HelmChart>::all(client.clone()), watcher::Config::default(), move |chart| {
            // A chart the controller made names its release in its labels, which holds before the
            // release's status does; a `chartRef` is found through the status.
            let labels = chart.labels();
            if let (Some(name), Some(namespace)) =
                (labels.get(&format!("{GROUP}/name")), labels.get(&format!("{GROUP}/namespace")))
            {
                return vec![kube::runtime::reflector::ObjectRef::new(name).within(namespace)];
            }
            reconciler::referrers(&by_chart, &chart, |release| {
                release
                    .status
                    .as_ref()?
                    .helm_chart
                    .as_ref()?
                    .split_once('/')
                    .map(|(ns, name)| (ns.to_owned(), name.to_owned()))
            })
        })
        .watches(Api::<OCIRepository>::all(client.clone()), watcher::Config::default(), move |source| {
            reconciler::referrers(&by_oci, &source, |release| {
                let reference = release.spec.chart_ref.as_ref().filter(|r| r.kind == ChartRefKind::OCIRepository)?;
                let namespace = reference.namespace.clone().or_else(|| release.namespace())?;
                Some((namespace, reference.name.clone()))
            })
        })
        .watches(Api::<HelmRelease>::all(client.clone()), watcher::Config::default(), move |dependency| {
            reconciler::dependents(&by_dependency, &dependency)
        });
    let controller = crate::plugin::watch_renderers(controller, client);
    reconciler::run(controller, lifecycle, shutdown).await;
}

impl Reconciler for HelmReleases {
    type Object = HelmRelease;
    const CONTROLLER: &'static str = FIELD_MANAGER;

    async fn reconcile(
        &self,
        release: &HelmRelease,
        status: &mut HelmReleaseStatus,
        context: &Lifecycle<Self>,
    ) -> Result<Ready, Failure> {
        reconciler::check_dependencies(&self.client, release, self.settings.dependency_requeue, |_, _| None).await?;
        let chart = chart::resolve(release, self).await?;
        status.helm_chart = Some(chart.helm_chart.clone());
        let sources = values::read_sources(release, &self.tenant_client(release)?)
            .await
            .map_err(|message| Failure::new(reason::INIT_FAILED, message, Retry::Backoff))?;
        let values = values::compose(release, &sources)
            .map_err(|message| Failure::new(reason::INIT_FAILED, message, Retry::Stalled))?;
        // `flux reconcile hr --reset` and `--force`: handled once each, whatever else changed.
        let reset = annotation_request(release, RESET_REQUEST, &mut status.last_handled_reset_at);
        let force = annotation_request(release, FORCE_REQUEST, &mut status.last_handled_force_at);
        // A new desired state, or a reset, starts a new budget of retries.
        let generation = release.metadata.generation;
        if status.last_attempted_revision.as_deref() != Some(chart.revision.as_str())
            || status.last_attempted_config_digest.as_deref() != Some(values.digest.as_str())
            || status.last_attempted_generation != generation
            || reset
        {
            status.failures = None;
            status.install_failures = None;
            status.upgrade_failures = None;
        }
        status.last_attempted_revision = Some(chart.revision.clone());
        status.last_attempted_revision_digest = chart.digest.clone();
        status.last_attempted_config_digest = Some(values.digest.clone());
        status.last_attempted_generation = generation;
        let client = self.action_client(release).await?;
        self.uninstall_renamed(release, status, &client).await?;
        let storage_namespace = release.storage_namespace().to_owned();
        status.storage_namespace = Some(storage_namespace.clone());
        let store = ReleaseStore::new(client.clone(), &storage_namespace);
        let releases = store
            .history(&release.release_name())
            .await
            .map_err(|error| Failure::new(reason::INIT_FAILED, error.to_string(), Retry::Backoff))?;
        let renderer = self.chart_renderer(release)?;
        let post_render_steps = render::post_render_steps(release, &self.tenants)?;
        let capabilities = if release.spec.kube_config.is_some() {
            render::discover_capabilities(&client).await
        } else {
            self.capabilities.get(&client).await
        };
        let capabilities =
            capabilities.map_err(|message| Failure::new(reason::INIT_FAILED, message, Retry::Backoff))?;
        let action = action::Action {
            release,
            post_renderer: self.post_renderer.clone(),
            post_render_steps,
            client,
            store,
            renderer,
            capabilities,
            chart: &chart,
            values: &values,
            helm3_defaults: self.settings.helm3_defaults,
        };

        let latest = history::latest(&releases).cloned();
        let deployed = history::deployed(&releases).cloned();
        // Post-rendering changes what is applied without touching chart or values.
        let common_metadata_digest = release.spec.common_metadata.as_ref().map(json_digest);
        let post_renderers_digest = release.spec.post_renderers.as_ref().map(json_digest);
        let post_rendered_same = status.observed_common_metadata_digest == common_metadata_digest
            && status.observed_post_renderers_digest == post_renderers_digest;
        let in_sync = |record: &Release| {
            post_rendered_same
                && record.info.status == Status::DEPLOYED
                && record.chart.as_ref().and_then(|c| c.metadata.as_ref()).map(|m| m.version.as_str())
                    == Some(chart.version())
                && values::digest(&record.config) == values.digest
        };
        // Tests that failed on the deployed revision count against it, unless ignored.
        let tests_failed = release.spec.test.as_ref().and_then(|test| test.enable) == Some(true)
            && !ignores_test_failures(release, status.last_attempted_release_action == Some(ReleaseAction::Install))
            && latest.as_ref().is_some_and(|record| {
                record.hooks.iter().any(|hook| {
                    hook.events.contains(&weir_helm_storage::HookEvent::TEST)
                        && hook.last_run.phase == weir_helm_storage::HookPhase::FAILED
                })
            });
        // A forced reconciliation upgrades even a release in step.
        if let Some(current) = latest.as_ref().filter(|record| in_sync(record) && !tests_failed && !force) {
            record_history(status, &releases, None);
            self.detect_drift(release, &action, current, context).await?;
            // In step: Ready says how the release got here, as its record tells (a release
            // `helm install` made and this HelmRelease adopted reads as installed).
            let upgraded = current.version > 1 && current.info.description != "Install complete";
            let (why, verb) =
                if upgraded { (reason::UPGRADE_SUCCEEDED, "upgrade") } else { (reason::INSTALL_SUCCEEDED, "install") };
            let message = released_message(verb, current, &chart);
            conditions::set(status.conditions.get_or_insert_default(), RELEASED, true, why, &message, generation);
            return Ok(Ready::new(why, message));
        }
        // Under `RetryOnFailure` a failed release is left as it is and upgraded again, as
        // helm-controller does, even a failed install; the retry budget does not apply.
        let retry = status.last_attempted_release_action.as_ref().and_then(|kind| retry_interval(release, kind));
        let retry = retry.filter(|_| latest.as_ref().is_some_and(|record| record.info.status == Status::FAILED));
        let retrying = retry.is_some();
        let key = format!("{}/{}", release.namespace().unwrap_or_default(), release.name_any());
        let requested = release
            .annotations()
            .get(crate::RECONCILE_REQUEST)
            .is_some_and(|token| status.last_handled_reconcile_at.as_deref() != Some(token.as_str()));
        // Not due yet, the same desired state, nothing asked for: the failure stands.
        if let Some(interval) = retry.filter(|_| !force && !requested && status.failures.is_some())
            && let Some(failure) = self.not_due(&key, status, interval)
        {
            return Err(failure);
        }
        // An install whose tests failed is retried as an install.
        let install = !retrying
            && (deployed.is_none()
                || (tests_failed && status.last_attempted_release_action == Some(ReleaseAction::Install)));
        let kind = if install { ReleaseAction::Install } else { ReleaseAction::Upgrade };
        // The budget: retries after the first failure; -1 is forever.
        let (failures, retries) = if install {
            (status.install_failures.unwrap_or(0), install_retries(release))
        } else {
            (status.upgrade_failures.unwrap_or(0), upgrade_retries(release))
        };
        // The budget is spent for this desired state (a remediation may have left a deployed
        // rollback as the latest revision): no more attempts until the spec or chart changes.
        if retries >= 0 && failures > retries && !force && !retrying {
            let verb = if install { "install" } else { "upgrade" };
            return Err(Failure::new(
                reason::RETRIES_EXCEEDED,
                format!("Failed to {verb} after {failures} attempt(s)"),
                Retry::Stalled,
            ));
        }
        status.last_attempted_release_action = Some(kind.clone());
        let started = std::time::Instant::now();
        let mut outcome = if install { action.install(&releases).await } else { action.upgrade(&releases).await };
        let mut failed_tests = None;
        if let Ok(made) = &mut outcome
            && release.spec.test.as_ref().and_then(|test| test.enable) == Some(true)
        {
            let tested = action.test(made).await;
            let generation = release.metadata.generation;
            let subject = format!(
                "release {}/{}.v{} with chart {}@{}",
                made.namespace,
                made.name,
                made.version,
                chart.name(),
                chart.version()
            );
            let conditions = status.conditions.get_or_insert_default();
            match tested {
                Ok(count) => {
                    let message =
                        format!("Helm test succeeded for {subject}: {count} test hook(s) completed successfully");
                    conditions::set(conditions, TEST_SUCCESS, true, reason::TEST_SUCCEEDED, &message, generation);
                }
                Err(error) => {
                    let message = format!("Helm test failed for {subject}: {error}");
                    conditions::set(conditions, TEST_SUCCESS, false, reason::TEST_FAILED, &message, generation);
                    context.publish(release, true, reason::TEST_FAILED, message.clone()).await;
                    if !ignores_test_failures(release, install) {
                        failed_tests = Some(format!("test failed: {error}"));
                    }
                }
            }
        }
        if let Some(error) = failed_tests {
            outcome = Err(error);
        }
        status.last_attempted_release_action_duration = Some(weir_go_compat::time::format_duration(started.elapsed()));
        let generation = release.metadata.generation;
        let conditions = status.conditions.get_or_insert_default();
        match outcome {
            Ok(made) => {
                let verb = if install { "install" } else { "upgrade" };
                let message = released_message(verb, &made, &chart);
                let success = if install { reason::INSTALL_SUCCEEDED } else { reason::UPGRADE_SUCCEEDED };
                conditions::set(conditions, RELEASED, true, success, &message, generation);
                conditions::remove(conditions, REMEDIATED);
                status.failures = None;
                status.install_failures = None;
                status.upgrade_failures = None;
                status.observed_common_metadata_digest = common_metadata_digest;
                status.observed_post_renderers_digest = post_renderers_digest;
                let releases = action.store.history(&release.release_name()).await.unwrap_or_default();
                record_history(status, &releases, Some(kind));
                context.publish(release, false, success, message.clone()).await;
                Ok(Ready::new(success, message))
            }
            Err(failed) => {
                let verb = if install { "install" } else { "upgrade" };
                let failure_reason = if install { reason::INSTALL_FAILED } else { reason::UPGRADE_FAILED };
                let message = format!(
                    "Helm {verb} failed for release {}/{} with chart {}@{}: {}",
                    release.release_namespace(),
                    release.release_name(),
                    chart.name(),
                    chart.version(),
                    failed
                );
                conditions::set(conditions, RELEASED, false, failure_reason, &message, generation);
                status.failures = Some(status.failures.unwrap_or(0) + 1);
                let failures = failures + 1;
                if install {
                    status.install_failures = Some(failures)
                } else {
                    status.upgrade_failures = Some(failures)
                }
                context.publish(release, true, failure_reason, message.clone()).await;
                // `RetryOnFailure`: no remediation; the same release is retried after the interval.
                if let Some(interval) = retry_interval(release, &kind) {
                    let releases = action.store.history(&release.release_name()).await.unwrap_or_default();
                    record_history(status, &releases, Some(kind));
                    self.retry_due
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .insert(key, std::time::Instant::now() + interval);
                    return Err(Failure::new(
                        failure_reason,
                        message,
                        Retry::Progressing { after: interval, interval },
                    ));
                }
                // Remediate while retries remain, and after the last one when asked to.
                let remaining = retries < 0 || failures <= retries;
                if remaining || remediate_last_failure(release, install) {
                    self.remediate(release, &action, install, status, &chart).await;
                }
                let releases = action.store.history(&release.release_name()).await.unwrap_or_default();
                record_history(status, &releases, Some(kind));
                let retry = if remaining { Retry::Backoff } else { Retry::Stalled };
                let failure_reason = if remaining { failure_reason } else { reason::RETRIES_EXCEEDED };
                let message = if remaining { message } else { format!("Failed to {verb} after {failures} attempt(s)") };
                Err(Failure::new(failure_reason, message, retry))
            }
        }
    }

    async fn finalize(&self, release: &HelmRelease, _: &Lifecycle<Self>) {
        // A suspended release is left as it is, as Flux leaves it.
        if release.spec.suspend != Some(true) {
            match self.action_client(release).await {
                Ok(client) => {
                    let store = ReleaseStore::new(client.clone(), release.storage_namespace());
                    let keep_history = release.spec.uninstall.as_ref().and_then(|u| u.keep_history) == Some(true);
                    if let Err(error) = action::uninstall(
                        release,
                        &release.release_name(),
                        &client,
                        &store,
                        keep_history,
                        uninstall_timeout(release),
                    )
                    .await
                    {
                        tracing::warn!(namespace = release.namespace(), name = release.name_any(), %error, "uninstall failed");
                    }
                }
                Err(failure) => {
                    tracing::warn!(name = release.name_any(), message = %failure.message, "uninstall skipped")
                }
            }
        }
        chart::delete_helm_chart(release, self).await;
    }

    fn progress_message(&self, _: &HelmRelease) -> String {
        "Fulfilling prerequisites".into()
    }
}

impl HelmReleases {
    /// The standing failure of a release retrying under `RetryOnFailure` before it is due.
    fn not_due(&self, key: &str, status: &HelmReleaseStatus, interval: Duration) -> Option<Failure> {
        let due = *self.retry_due.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get(key)?;
        let after = due.checked_duration_since(std::time::Instant::now()).filter(|left| !left.is_zero())?;
        let released = status.conditions.iter().flatten().find(|condition| condition.type_ == RELEASED)?;
        let why = match released.reason.as_str() {
            reason::INSTALL_FAILED => reason::INSTALL_FAILED,
            reason::UPGRADE_FAILED => reason::UPGRADE_FAILED,
            _ => return None,
        };
        Some(Failure::new(why, released.message.clone(), Retry::Progressing { after, interval }))
    }

    /// A release whose name or namespace changed (`releaseName`, `targetNamespace`,
    /// `storageNamespace`) leaves the old release behind: uninstall it first, as Flux does.
    async fn uninstall_renamed(
        &self,
        release: &HelmRelease,
        status: &mut HelmReleaseStatus,
        client: &Client,
    ) -> Result<(), Failure> {
        let Some(previous) = status.history.as_ref().and_then(|history| history.first()).cloned() else {
            return Ok(());
        };
        let old_storage = status.storage_namespace.clone().unwrap_or_else(|| release.storage_namespace().to_owned());
        if previous.name == release.release_name()
            && previous.namespace == release.release_namespace()
            && old_storage == release.storage_namespace()
        {
            return Ok(());
        }
        let store = ReleaseStore::new(client.clone(), &old_storage);
        action::uninstall(release, &previous.name, client, &store, false, uninstall_timeout(release)).await.map_err(
            |message| {
                Failure::new(
                    reason::UNINSTALL_FAILED,
                    format!("uninstalling the renamed release {}/{}: {message}", previous.namespace, previous.name),
                    Retry::Backoff,
                )
            },
        )?;
        status.history = None;
        Ok(())
    }

    /// Drift detection as `spec.driftDetection` asks: `enabled` corrects what changed behind the
    /// release, `warn` reports it; either way an event lists what drifted.
    async fn detect_drift(
        &self,
        release: &HelmRelease,
        action: &action::Action<'_>,
        current: &Release,
        context: &Lifecycle<Self>,
    ) -> Result<(), Failure> {
        let detection = release.spec.drift_detection.clone().unwrap_or_default();
        let correct = match detection.mode {
            Some(DriftDetectionMode::Enabled) => true,
            Some(DriftDetectionMode::Warn) => false,
            Some(DriftDetectionMode::Disabled) | None => return Ok(()),
        };
        let ignore = detection.ignore.unwrap_or_default();
        let drifted = action
            .drift(current, correct, &ignore)
            .await
            .map_err(|message| Failure::new(reason::DRIFT_DETECTION_FAILED, message, Retry::Backoff))?;
        if !drifted.is_empty() {
            let subject = format!("release {}/{}.v{}", current.namespace, current.name, current.version);
            let (why, note) = if correct {
                ("DriftCorrected", format!("Cluster state of {subject} corrected: {}", drifted.join("; ")))
            } else {
                (
                    "DriftDetected",
                    format!("Cluster state of {subject} has drifted from the desired state: {}", drifted.join("; ")),
                )
            };
            tracing::info!(namespace = release.namespace(), name = release.name_any(), %note, "drift");
            context.publish(release, !correct, why, note).await;
        }
        Ok(())
    }

    /// A failed install is uninstalled; a failed upgrade rolled back (or uninstalled, as its
    /// strategy says). `Remediated` records how that went.
    async fn remediate(
        &self,
        release: &HelmRelease,
        action: &action::Action<'_>,
        install: bool,
        status: &mut HelmReleaseStatus,
        chart: &chart::ReleaseChart,
    ) {
        let generation = release.metadata.generation;
        let uninstall = install
            || release.spec.upgrade.as_ref().and_then(|u| u.remediation.as_ref()).and_then(|r| r.strategy.clone())
                == Some(RemediationStrategy::Uninstall);
        let outcome = if uninstall {
            let keep = release.spec.uninstall.as_ref().and_then(|u| u.keep_history) == Some(true);
            action::uninstall(
                release,
                &release.release_name(),
                &action.client,
                &action.store,
                keep,
                uninstall_timeout(release),
            )
            .await
            .map(|()| {
                let message = format!(
                    "Helm uninstall succeeded for release {}/{} with chart {}@{}",
                    release.release_namespace(),
                    release.release_name(),
                    chart.name(),
                    chart.version()
                );
                (reason::UNINSTALL_SUCCEEDED, message)
            })
        } else {
            action.rollback().await.map(|made| {
                let message = format!(
                    "Helm rollback to previous release {}/{}.v{} with chart {}@{} succeeded",
                    release.release_namespace(),
                    release.release_name(),
                    made.version,
                    chart.name(),
                    chart.version()
                );
                (reason::ROLLBACK_SUCCEEDED, message)
            })
        };
        let conditions = status.conditions.get_or_insert_default();
        match outcome {
            Ok((why, message)) => conditions::set(conditions, REMEDIATED, true, why, &message, generation),
            Err(error) => {
                let why = if uninstall { reason::UNINSTALL_FAILED } else { reason::ROLLBACK_FAILED };
                conditions::set(conditions, REMEDIATED, false, why, &error, generation);
            }
        }
    }
}

/// Whether failed tests leave the release standing: `test.ignoreFailures`, which the action's
/// `remediation.ignoreTestFailures` overrides.
fn ignores_test_failures(release: &HelmRelease, install: bool) -> bool {
    let by_remediation = if install {
        release.spec.install.as_ref().and_then(|i| i.remediation.as_ref()).and_then(|r| r.ignore_test_failures)
    } else {
        release.spec.upgrade.as_ref().and_then(|u| u.remediation.as_ref()).and_then(|r| r.ignore_test_failures)
    };
    by_remediation.or(release.spec.test.as_ref().and_then(|test| test.ignore_failures)).unwrap_or(false)
}

/// The retry interval of `RetryOnFailure` when it is `action`'s strategy.
fn retry_interval(release: &HelmRelease, action: &ReleaseAction) -> Option<Duration> {
    release.retry_on_failure(action).map(|text| parse_duration(text).unwrap_or(DEFAULT_RETRY_INTERVAL))
}

/// Whether `annotation` asks for something not handled yet: Flux's requests carry the same
/// token as `requestedAt`. The token is recorded in `handled` when so.
fn annotation_request(release: &HelmRelease, annotation: &str, handled: &mut Option<String>) -> bool {
    let annotations = release.annotations();
    match (annotations.get(crate::RECONCILE_REQUEST), annotations.get(annotation)) {
        (Some(requested), Some(token)) if requested == token && handled.as_deref() != Some(token.as_str()) => {
            *handled = Some(token.clone());
            true
        }
        _ => false,
    }
}

fn install_retries(release: &HelmRelease) -> i64 {
    release.spec.install.as_ref().and_then(|i| i.remediation.as_ref()).and_then(|r| r.retries).unwrap_or(0)
}

fn upgrade_retries(release: &HelmRelease) -> i64 {
    release.spec.upgrade.as_ref().and_then(|u| u.remediation.as_ref()).and_then(|r| r.retries).unwrap_or(0)
}

/// `remediateLastFailure`: by default only when retries are configured, as Flux.
fn remediate_last_failure(release: &HelmRelease, install: bool) -> bool {
    let (explicit, retries) = if install {
        (
            release.spec.install.as_ref().and_then(|i| i.remediation.as_ref()).and_then(|r| r.remediate_last_failure),
            install_retries(release),
        )
    } else {
        (
            release.spec.upgrade.as_ref().and_then(|u| u.remediation.as_ref()).and_then(|r| r.remediate_last_failure),
            upgrade_retries(release),
        )
    };
    explicit.unwrap_or(retries != 0)
}

/// `spec.timeout` (default 5m), or an action's own.
fn timeout(release: &HelmRelease, own: Option<&str>) -> Duration {
    own.or(release.spec.timeout.as_deref())
        .and_then(|text| parse_duration(text).ok())
        .unwrap_or(Duration::from_secs(300))
}

fn uninstall_timeout(release: &HelmRelease) -> Duration {
    timeout(release, release.spec.uninstall.as_ref().and_then(|u| u.timeout.as_deref()))
}

/// The test hooks that ran, by name, as the snapshot shows them.
fn test_hooks(record: &Release) -> Option<std::collections::BTreeMap<String, weir_api::helm::TestHookStatus>> {
    let time =
        |time: &Option<weir_helm_storage::Timestamp>| time.as_ref().filter(|t| !t.is_zero()).map(ToString::to_string);
    let ran: std::collections::BTreeMap<String, weir_api::helm::TestHookStatus> = record
        .hooks
        .iter()
        .filter(|hook| hook.events.contains(&weir_helm_storage::HookEvent::TEST) && !hook.last_run.phase.is_empty())
        .map(|hook| {
            let status = weir_api::helm::TestHookStatus {
                last_started: time(&hook.last_run.started_at),
                last_completed: time(&hook.last_run.completed_at),
                phase: Some(hook.last_run.phase.as_str().to_owned()),
            };
            (hook.name.clone(), status)
        })
        .collect();
    (!ran.is_empty()).then_some(ran)
}

/// `sha256:<hex>` of a spec field's JSON, to notice when it changes.
fn json_digest(value: &impl serde::Serialize) -> String {
    use sha2::Digest as _;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(serde_json::to_vec(value).unwrap_or_default())))
}

fn released_message(verb: &str, made: &Release, chart: &chart::ReleaseChart) -> String {
    format!(
        "Helm {verb} succeeded for release {}/{}.v{} with chart {}@{}",
        made.namespace,
        made.name,
        made.version,
        chart.name(),
        chart.version()
    )
}

/// `status.history`: the release's revisions newest first, down to the last deployed one.
fn record_history(status: &mut HelmReleaseStatus, releases: &[Release], action: Option<ReleaseAction>) {
    let mut newest_first: Vec<&Release> = releases.iter().collect();
    newest_first.sort_by_key(|record| std::cmp::Reverse(record.version));
    let mut snapshots = Vec::new();
    for (index, record) in newest_first.into_iter().enumerate() {
        let deployed = record.info.status == Status::DEPLOYED;
        snapshots.push(snapshot(record, if index == 0 { action.clone() } else { None }));
        if deployed || snapshots.len() >= DEFAULT_MAX_HISTORY as usize {
            break;
        }
    }
    status.last_release_revision =
        releases.iter().filter(|r| r.info.status == Status::DEPLOYED).map(|r| r.version).max();
    status.history = Some(snapshots);
}

fn snapshot(record: &Release, action: Option<ReleaseAction>) -> Snapshot {
    use sha2::Digest as _;
    let metadata = record.chart.as_ref().and_then(|chart| chart.metadata.as_ref());
    let encoded = serde_json::to_vec(record).unwrap_or_default();
    let time =
        |time: &Option<weir_helm_storage::Timestamp>| time.as_ref().filter(|t| !t.is_zero()).map(ToString::to_string);
    Snapshot {
        api_version: None,
        digest: format!("sha256:{}", hex::encode(sha2::Sha256::digest(&encoded))),
        name: record.name.clone(),
        namespace: record.namespace.clone(),
        version: record.version,
        status: record.info.status.as_str().to_owned(),
        action,
        chart_name: metadata.map(|m| m.name.clone()).unwrap_or_default(),
        chart_version: metadata.map(|m| m.version.clone()).unwrap_or_default(),
        app_version: metadata.map(|m| m.app_version.clone()).filter(|v| !v.is_empty()),
        config_digest: values::digest(&record.config),
        first_deployed: time(&record.info.first_deployed).unwrap_or_default(),
        last_deployed: time(&record.info.last_deployed).unwrap_or_default(),
        deleted: time(&record.info.deleted),
        test_hooks: test_hooks(record),
        oci_digest: None,
    }
}
