//! `weir check [--pre]`: what `flux check` verifies, for weir: the API server's version, then
//! (unless `--pre`) the operator's Deployment, the CRDs it serves, and the plugins this
//! command finds and compiles (or loads from the cache).

use anyhow::{Context, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::ListParams;

use crate::cluster::ClusterOptions;
use crate::plugins::PluginOptions;

/// The oldest Kubernetes weir supports (as Flux 2.7).
const MINIMUM_KUBERNETES: (u64, u64) = (1, 32);
/// The built-in plugins the operator runs.
const BUILT_IN_PLUGINS: &[&str] = &["kustomize", "helm", "sops", "tag-policy"];

#[derive(clap::Args)]
pub struct CheckArgs {
    /// Only the prerequisites: the cluster is one weir can be installed into.
    #[arg(long)]
    pre: bool,
}

impl CheckArgs {
    pub async fn run(self, cluster: &ClusterOptions, plugins: &PluginOptions) -> anyhow::Result<()> {
        let client = cluster.client().await?;
        let mut failed = Vec::new();
        eprintln!("► checking prerequisites");
        let version = client.apiserver_version().await.context("cannot reach the API server")?;
        let (major, minor) = (version.major.trim_end_matches('+'), version.minor.trim_end_matches('+'));
        let found = (major.parse::<u64>().unwrap_or(0), minor.parse::<u64>().unwrap_or(0));
        let minimum = format!(">={}.{}.0-0", MINIMUM_KUBERNETES.0, MINIMUM_KUBERNETES.1);
        if found >= MINIMUM_KUBERNETES {
            eprintln!("✔ Kubernetes {} {minimum}", version.git_version.trim_start_matches('v'));
        } else {
            eprintln!("✗ Kubernetes {} does not match {minimum}", version.git_version.trim_start_matches('v'));
            failed.push("Kubernetes version");
        }
        if self.pre {
            return outcome(&failed, "prerequisites checks passed");
        }

        let namespace = cluster.namespace_or(weir_operator::DEFAULT_NAMESPACE);
        eprintln!("► checking controllers");
        let deployments = Api::<Deployment>::namespaced(client.clone(), namespace);
        let selector = ListParams::default().labels("app.kubernetes.io/part-of=weir");
        let listed =
            deployments.list(&selector).await.with_context(|| format!("listing Deployments in {namespace}"))?;
        if listed.items.is_empty() {
            eprintln!("✗ no weir Deployment in namespace {namespace}: install with `weir install`");
            failed.push("controllers");
        }
        for deployment in &listed.items {
            let name = deployment.metadata.name.clone().unwrap_or_default();
            let value = serde_json::to_value(deployment).unwrap_or_default();
            match weir_apply::health::readiness(&value) {
                weir_apply::Readiness::Current => eprintln!("✔ {name}: deployment ready"),
                weir_apply::Readiness::InProgress(why) | weir_apply::Readiness::Failed(why) => {
                    eprintln!("✗ {name}: deployment not ready: {why}");
                    failed.push("controllers");
                }
            }
            let images =
                deployment.spec.iter().flat_map(|spec| spec.template.spec.iter()).flat_map(|pod| &pod.containers);
            for image in images.filter_map(|container| container.image.as_deref()) {
                eprintln!("► {image}");
            }
        }

        eprintln!("► checking crds");
        let crds = Api::<CustomResourceDefinition>::all(client);
        for expected in weir_api::crds() {
            let name = expected.metadata.name.clone().unwrap_or_default();
            let Some(found) = crds.get_opt(&name).await.with_context(|| format!("reading CRD {name}"))? else {
                eprintln!("✗ {name}: not installed");
                failed.push("crds");
                continue;
            };
            let established =
                found.status.as_ref().and_then(|status| status.conditions.as_ref()).is_some_and(|conditions| {
                    conditions.iter().any(|c| c.type_ == "Established" && c.status == "True")
                });
            let served: Vec<&str> = found.spec.versions.iter().filter(|v| v.served).map(|v| v.name.as_str()).collect();
            let missing: Vec<&str> = expected
                .spec
                .versions
                .iter()
                .map(|version| version.name.as_str())
                .filter(|version| !served.contains(version))
                .collect();
            let storage =
                expected.spec.versions.iter().find(|version| version.storage).map(|version| version.name.clone());
            if !established {
                eprintln!("✗ {name}: not established");
                failed.push("crds");
            } else if !missing.is_empty() {
                eprintln!("✗ {name}: does not serve {} (upgrade with `weir install`)", missing.join(", "));
                failed.push("crds");
            } else {
                eprintln!("✔ {name}/{}", storage.unwrap_or_default());
            }
        }

        eprintln!("► checking plugins");
        let runtime = plugins.runtime()?;
        for name in BUILT_IN_PLUGINS {
            let started = std::time::Instant::now();
            match plugins.load_into(&runtime, name) {
                Ok(_) => eprintln!("✔ {name}: loaded in {:?}", started.elapsed()),
                Err(error) => {
                    eprintln!("✗ {name}: {error:#}");
                    failed.push("plugins");
                }
            }
        }
        outcome(&failed, "all checks passed")
    }
}

fn outcome(failed: &[&str], passed: &str) -> anyhow::Result<()> {
    if failed.is_empty() {
        eprintln!("✔ {passed}");
        return Ok(());
    }
    let mut failed = failed.to_vec();
    failed.dedup();
    bail!("check failed: {}", failed.join(", "))
}
