//! `weir reconcile`: asks the controllers for a reconciliation now (Flux's
//! `reconcile.fluxcd.io/requestedAt` annotation, for a HelmRelease also `forceAt` and `resetAt`)
//! and waits for its outcome, saying what flux says. Kinds with a source (Kustomization,
//! HelmRelease, HelmChart) reconcile it first with `--with-source`; a HelmRelease's source is its
//! HelmChart, which then reconciles its own source too.

use std::time::Duration;

use anyhow::bail;
use futures::future::BoxFuture;
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams};
use kube::{Client, ResourceExt};
use serde_json::json;
use weir_api::helm::HelmRelease;
use weir_api::kustomize::Kustomization;
use weir_api::source::{Bucket, GitRepository, HelmChart, HelmRepository, OCIRepository};
use weir_api::status::{ObjectStatus, Readiness, readiness};

use super::flux::{DEADLINE_EXCEEDED, FluxKind, POLL, api_error, enum_name, parse_timeout, say};
use crate::cluster::ClusterOptions;

/// Asks helm-controller for a one-off install or upgrade.
const FORCE_REQUEST: &str = "reconcile.fluxcd.io/forceAt";
/// Asks helm-controller to reset the failure counts.
const RESET_REQUEST: &str = "reconcile.fluxcd.io/resetAt";

#[derive(clap::Subcommand)]
pub enum ReconcileCommand {
    /// Fetch a source now.
    #[command(subcommand)]
    Source(ReconcileSource),
    /// Build and apply a Kustomization now.
    #[command(alias = "ks")]
    Kustomization(ReconcileWithSource),
    /// Install or upgrade a HelmRelease now.
    #[command(alias = "hr")]
    Helmrelease(ReconcileHelmRelease),
}

#[derive(clap::Subcommand)]
pub enum ReconcileSource {
    /// A GitRepository.
    Git(ReconcileArgs),
    /// A HelmRepository.
    Helm(ReconcileArgs),
    /// A HelmChart.
    Chart(ReconcileWithSource),
    /// An OCIRepository.
    Oci(ReconcileArgs),
    /// A Bucket.
    Bucket(ReconcileArgs),
}

#[derive(clap::Args)]
pub struct ReconcileArgs {
    name: String,
    /// How long to wait for each reconciliation.
    #[arg(long, default_value = "5m")]
    timeout: String,
}

#[derive(clap::Args)]
pub struct ReconcileWithSource {
    #[command(flatten)]
    args: ReconcileArgs,
    /// Reconcile the source first.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = super::flux::go_bool)]
    with_source: bool,
}

#[derive(clap::Args)]
pub struct ReconcileHelmRelease {
    #[command(flatten)]
    reconcile: ReconcileWithSource,
    /// Force a one-off install or upgrade.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = super::flux::go_bool)]
    force: bool,
    /// Reset the failure counts.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", default_value = "false", value_parser = super::flux::go_bool)]
    reset: bool,
}

impl ReconcileCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let namespace = cluster.namespace().to_owned();
        match self {
            ReconcileCommand::Source(ReconcileSource::Git(args)) => {
                reconcile::<GitRepository>(client, namespace, args.name, parse_timeout(&args.timeout)?).await
            }
            ReconcileCommand::Source(ReconcileSource::Helm(args)) => {
                reconcile::<HelmRepository>(client, namespace, args.name, parse_timeout(&args.timeout)?).await
            }
            ReconcileCommand::Source(ReconcileSource::Oci(args)) => {
                reconcile::<OCIRepository>(client, namespace, args.name, parse_timeout(&args.timeout)?).await
            }
            ReconcileCommand::Source(ReconcileSource::Bucket(args)) => {
                reconcile::<Bucket>(client, namespace, args.name, parse_timeout(&args.timeout)?).await
            }
            ReconcileCommand::Source(ReconcileSource::Chart(chart)) => {
                let timeout = parse_timeout(&chart.args.timeout)?;
                reconcile_with_source::<HelmChart>(client, namespace, chart.args.name, timeout, chart.with_source, &[])
                    .await
            }
            ReconcileCommand::Kustomization(ks) => {
                let timeout = parse_timeout(&ks.args.timeout)?;
                reconcile_with_source::<Kustomization>(client, namespace, ks.args.name, timeout, ks.with_source, &[])
                    .await
            }
            ReconcileCommand::Helmrelease(hr) => {
                let timeout = parse_timeout(&hr.reconcile.args.timeout)?;
                let mut annotations = Vec::new();
                if hr.force {
                    annotations.push(FORCE_REQUEST);
                }
                if hr.reset {
                    annotations.push(RESET_REQUEST);
                }
                let (name, with_source) = (hr.reconcile.args.name, hr.reconcile.with_source);
                reconcile_with_source::<HelmRelease>(client, namespace, name, timeout, with_source, &annotations).await
            }
        }
    }
}

/// Where a kind's source is.
struct SourceRef {
    kind: String,
    name: String,
    /// Unset: the namespace the command works in.
    namespace: Option<String>,
}

/// The kinds that reconcile a source first with `--with-source`.
trait WithSource: FluxKind {
    fn source(&self) -> SourceRef;
}

impl WithSource for Kustomization {
    fn source(&self) -> SourceRef {
        let reference = &self.spec.source_ref;
        SourceRef {
            kind: enum_name(&reference.kind),
            name: reference.name.clone(),
            namespace: reference.namespace.clone(),
        }
    }
}

impl WithSource for HelmChart {
    /// A HelmChart's source is in its namespace.
    fn source(&self) -> SourceRef {
        let reference = &self.spec.source_ref;
        SourceRef { kind: enum_name(&reference.kind), name: reference.name.clone(), namespace: self.namespace() }
    }
}

impl WithSource for HelmRelease {
    /// `chartRef`'s object, else the HelmChart made from `chart`: `<namespace>-<name>` in the
    /// namespace of the chart's source.
    fn source(&self) -> SourceRef {
        if let Some(reference) = &self.spec.chart_ref {
            return SourceRef {
                kind: enum_name(&reference.kind),
                name: reference.name.clone(),
                namespace: reference.namespace.clone().or_else(|| self.namespace()),
            };
        }
        let namespace = self.spec.chart.as_ref().and_then(|chart| chart.spec.source_ref.namespace.clone());
        SourceRef {
            kind: "HelmChart".to_owned(),
            name: self.helm_chart_name(),
            namespace: namespace.or_else(|| self.namespace()),
        }
    }
}

/// flux's `reconcileCommand`: a source without a source of its own. A failure's message is quoted.
async fn reconcile<K: FluxKind>(
    client: Client,
    namespace: String,
    name: String,
    timeout: Duration,
) -> anyhow::Result<()> {
    let api = Api::<K>::namespaced(client, &namespace);
    let object = api.get(&name).await.map_err(api_error)?;
    if object.is_static() {
        say::success("reconciliation not supported by the object");
        return Ok(());
    }
    if object.suspended() {
        bail!("resource is suspended");
    }
    let object = request(&api, &name, &namespace, timeout, &[], true).await?;
    say::success(object.success_message());
    Ok(())
}

/// flux's `reconcileWithSourceCommand`: the source first when asked, then the object.
fn reconcile_with_source<'a, K: WithSource>(
    client: Client,
    namespace: String,
    name: String,
    timeout: Duration,
    with_source: bool,
    annotations: &'a [&'a str],
) -> BoxFuture<'a, anyhow::Result<()>> {
    Box::pin(async move {
        let api = Api::<K>::namespaced(client.clone(), &namespace);
        let object = api.get(&name).await.map_err(api_error)?;
        if object.suspended() {
            bail!("resource is suspended");
        }
        if with_source {
            let source = object.source();
            let source_namespace = source.namespace.unwrap_or_else(|| namespace.clone());
            match source.kind.as_str() {
                "GitRepository" => reconcile::<GitRepository>(client, source_namespace, source.name, timeout).await?,
                "HelmRepository" => reconcile::<HelmRepository>(client, source_namespace, source.name, timeout).await?,
                "OCIRepository" => reconcile::<OCIRepository>(client, source_namespace, source.name, timeout).await?,
                "Bucket" => reconcile::<Bucket>(client, source_namespace, source.name, timeout).await?,
                // As flux does, a HelmChart reconciled for its HelmRelease reconciles its own source too.
                "HelmChart" => {
                    reconcile_with_source::<HelmChart>(client, source_namespace, source.name, timeout, true, &[])
                        .await?
                }
                other => bail!("cannot reconcile source of kind {other}"),
            }
        }
        let object = request(&api, &name, &namespace, timeout, annotations, false).await?;
        say::success(object.success_message());
        Ok(())
    })
}

/// Annotates the object with a new token (also under `extra`), then waits until the controller
/// has handled that token and the object is no longer in progress; a Ready=False outcome is
/// `Kind reconciliation failed: message` (the message quoted when `quoted`, as flux quotes it for
/// sources), a stalled one its message.
async fn request<K: FluxKind>(
    api: &Api<K>,
    name: &str,
    namespace: &str,
    timeout: Duration,
    extra: &[&str],
    quoted: bool,
) -> anyhow::Result<K> {
    let kind = K::KIND;
    say::action(format!("annotating {kind} {name} in {namespace} namespace"));
    let token = Timestamp::now().to_string();
    let mut annotations = serde_json::Map::new();
    for key in std::iter::once(&weir_operator::RECONCILE_REQUEST).chain(extra) {
        annotations.insert((*key).to_owned(), json!(token));
    }
    let patch = json!({"metadata": {"annotations": annotations}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch)).await.map_err(api_error)?;
    say::success(format!("{kind} annotated"));
    say::waiting(format!("waiting for {kind} reconciliation"));
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let object = api.get(name).await.map_err(api_error)?;
        let handled = object.status().and_then(ObjectStatus::last_handled_reconcile_at) == Some(token.as_str());
        if handled {
            match readiness(&object) {
                Readiness::Ready(_) => return Ok(object),
                Readiness::Failed { message, .. } if quoted => bail!("{kind} reconciliation failed: '{message}'"),
                Readiness::Failed { message, .. } => bail!("{kind} reconciliation failed: {message}"),
                Readiness::Stalled { message, .. } => bail!(message),
                Readiness::InProgress(_) => {}
            }
        }
        if tokio::time::Instant::now() >= deadline {
            bail!(DEADLINE_EXCEEDED);
        }
        tokio::time::sleep(POLL).await;
    }
}
