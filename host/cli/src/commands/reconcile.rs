//! `weir reconcile source git NAME` and `weir reconcile kustomization NAME [--with-source]`:
//! ask the controllers for a reconciliation now (Flux's `reconcile.fluxcd.io/requestedAt`
//! annotation) and wait for its outcome.

use std::time::Duration;

use anyhow::{Context, bail};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::jiff::Timestamp;
use kube::Resource;
use kube::api::{Api, Patch, PatchParams};
use serde::de::DeserializeOwned;
use serde_json::json;
use weir_api::kustomize::Kustomization;
use weir_api::source::GitRepository;

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
                let repository =
                    request::<GitRepository>(&api, "GitRepository", &args.name, namespace, timeout).await?;
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
                    request::<GitRepository>(&sources, "GitRepository", &reference.name, &source_namespace, timeout)
                        .await?;
                }
                let kustomization =
                    request::<Kustomization>(&api, "Kustomization", &args.name, namespace, timeout).await?;
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

/// Objects whose status has conditions and a last handled reconcile request.
trait Reconcilable {
    type Status;
    fn status(&self) -> Option<&Self::Status>;
    fn conditions(status: &Self::Status) -> Option<&Vec<Condition>>;
    fn observed_generation(status: &Self::Status) -> Option<i64>;
    fn last_handled(status: &Self::Status) -> Option<&str>;
}

/// Both kinds keep these in the same status fields.
macro_rules! reconcilable {
    ($kind:ty, $status:ty) => {
        impl Reconcilable for $kind {
            type Status = $status;
            fn status(&self) -> Option<&Self::Status> {
                self.status.as_ref()
            }
            fn conditions(status: &Self::Status) -> Option<&Vec<Condition>> {
                status.conditions.as_ref()
            }
            fn observed_generation(status: &Self::Status) -> Option<i64> {
                status.observed_generation
            }
            fn last_handled(status: &Self::Status) -> Option<&str> {
                status.last_handled_reconcile_at.as_deref()
            }
        }
    };
}

reconcilable!(GitRepository, weir_api::source::GitRepositoryStatus);
reconcilable!(Kustomization, weir_api::kustomize::KustomizationStatus);

/// Annotates the object, then waits until the controller handled that request; fails when it is not Ready.
async fn request<K>(api: &Api<K>, kind: &str, name: &str, namespace: &str, timeout: Duration) -> anyhow::Result<K>
where
    K: Resource + Reconcilable + Clone + DeserializeOwned + std::fmt::Debug,
{
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
        if let Some(status) = object.status() {
            let current = K::observed_generation(status) == object.meta().generation;
            if K::last_handled(status) == Some(token.as_str()) && current {
                let ready = K::conditions(status).and_then(|conditions| conditions.iter().find(|c| c.type_ == "Ready"));
                return match ready {
                    Some(condition) if condition.status == "True" => Ok(object),
                    Some(condition) => bail!("{kind} reconciliation failed: {}", condition.message),
                    None => bail!("{kind} reconciliation failed: no Ready condition"),
                };
            }
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out waiting for {kind} {namespace}/{name} to reconcile");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
