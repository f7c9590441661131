//! `weir reconcile source git NAME` and `weir reconcile kustomization NAME [--with-source]`:
//! ask the controllers for a reconciliation now (Flux's `reconcile.fluxcd.io/requestedAt`
//! annotation) and wait for its outcome.

use std::time::Duration;

use anyhow::{Context, bail};
use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;
use weir_api::kustomize::Kustomization;
use weir_api::source::GitRepository;
use weir_api::status::{FluxObject, ObjectStatus, Readiness, readiness};

use crate::cluster::ClusterOptions;

#[derive(clap::Subcommand)]
pub enum ReconcileCommand {
    /// Fetch a source now.
    #[command(subcommand)]
    Source(ReconcileSource),
    /// Build and apply a Kustomization now.
    #[command(alias = "ks")]
    Kustomization(ReconcileKustomization),
}

#[derive(clap::Subcommand)]
pub enum ReconcileSource {
    /// A GitRepository.
    Git(ReconcileArgs),
}

#[derive(clap::Args)]
pub struct ReconcileArgs {
    name: String,
    /// How long to wait for the reconciliation.
    #[arg(long, default_value = "5m")]
    timeout: String,
}

#[derive(clap::Args)]
pub struct ReconcileKustomization {
    #[command(flatten)]
    args: ReconcileArgs,
    /// Fetch the Kustomization's source first.
    #[arg(long)]
    with_source: bool,
}

impl ReconcileCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let namespace = &cluster.namespace;
        match self {
            ReconcileCommand::Source(ReconcileSource::Git(args)) => {
                let timeout = parse_timeout(&args.timeout)?;
                let api = Api::<GitRepository>::namespaced(client, namespace);
                let repository = request::<GitRepository>(&api, &args.name, namespace, timeout).await?;
                let revision = repository.status.and_then(|status| status.artifact).map(|artifact| artifact.revision);
                println!("✔ fetched revision {}", revision.unwrap_or_default());
            }
            ReconcileCommand::Kustomization(ReconcileKustomization { args, with_source }) => {
                let timeout = parse_timeout(&args.timeout)?;
                let api = Api::<Kustomization>::namespaced(client.clone(), namespace);
                if with_source {
                    let kustomization =
                        api.get(&args.name).await.with_context(|| format!("Kustomization {}", args.name))?;
                    let reference = &kustomization.spec.source_ref;
                    let source_namespace = reference.namespace.clone().unwrap_or_else(|| namespace.clone());
                    let sources = Api::<GitRepository>::namespaced(client.clone(), &source_namespace);
                    request::<GitRepository>(&sources, &reference.name, &source_namespace, timeout).await?;
                }
                let kustomization = request::<Kustomization>(&api, &args.name, namespace, timeout).await?;
                let revision = kustomization.status.and_then(|status| status.last_applied_revision);
                println!("✔ applied revision {}", revision.unwrap_or_default());
            }
        }
        Ok(())
    }
}

fn parse_timeout(text: &str) -> anyhow::Result<Duration> {
    weir_go_compat::time::parse_duration(text).map_err(|error| anyhow::anyhow!("--timeout: {error}"))
}

/// Annotates the object, then waits until the controller handled that request; fails when it is not Ready.
async fn request<K: FluxObject>(api: &Api<K>, name: &str, namespace: &str, timeout: Duration) -> anyhow::Result<K> {
    let kind = K::KIND;
    println!("► annotating {kind} {name} in {namespace} namespace");
    let token = Timestamp::now().to_string();
    let patch = json!({"metadata": {"annotations": {weir_operator::RECONCILE_REQUEST: token}}});
    api.patch(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await
        .with_context(|| format!("{kind} {namespace}/{name}"))?;
    println!("✔ {kind} annotated");
    println!("◎ waiting for {kind} reconciliation");
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let object = api.get(name).await?;
        let handled = object.status().and_then(ObjectStatus::last_handled_reconcile_at) == Some(token.as_str());
        if handled {
            match readiness(&object) {
                Readiness::Ready(_) => return Ok(object),
                Readiness::Failed { message, .. } | Readiness::Stalled { message, .. } => {
                    bail!("{kind} reconciliation failed: {message}")
                }
                Readiness::InProgress(_) => {}
            }
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out waiting for {kind} {namespace}/{name} to reconcile");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
