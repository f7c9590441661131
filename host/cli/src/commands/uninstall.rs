//! `weir uninstall`: removes what `weir install` installed, as `flux uninstall` does — the
//! operator's own objects, then the finalizers of every object of weir's CRDs (so that
//! deleting the CRDs leaves what those objects applied in place), the CRDs, and the namespace.
//! With `--prune`, Kustomizations and HelmReleases are deleted first, while the operator still
//! runs, so that their finalizers remove what they applied.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, bail};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Service, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use kube::{Client, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use weir_api::helm::HelmRelease;
use weir_api::kustomize::Kustomization;

use crate::cluster::ClusterOptions;

/// What every object of the installation carries.
const PART_OF: &str = "app.kubernetes.io/part-of=weir";

#[derive(clap::Args)]
pub struct UninstallArgs {
    /// Keep the namespace weir ran in.
    #[arg(long)]
    keep_namespace: bool,
    /// Also delete what Kustomizations and HelmReleases applied: they are deleted first, and
    /// the operator's finalizers prune their objects and uninstall their releases.
    #[arg(long)]
    prune: bool,
    /// Do not ask for confirmation.
    #[arg(short, long)]
    silent: bool,
    /// How long `--prune` waits for the operator to finish.
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    timeout: String,
}

impl UninstallArgs {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let namespace = cluster.namespace_or(weir_operator::DEFAULT_NAMESPACE).to_owned();
        if !self.silent && std::io::stdin().is_terminal() && !confirm()? {
            bail!("aborted");
        }
        let client = cluster.client().await?;
        let timeout = weir_go_compat::time::parse_duration(&self.timeout)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--timeout {:?}", self.timeout))?;
        if self.prune {
            eprintln!("► deleting Kustomizations and HelmReleases, pruning what they applied");
            prune::<Kustomization>(&client, timeout).await?;
            prune::<HelmRelease>(&client, timeout).await?;
        }

        eprintln!("► deleting components in {namespace} namespace");
        let installed = ListParams::default().labels(&format!("{PART_OF},app.kubernetes.io/instance={namespace}"));
        delete_all(Api::<Deployment>::namespaced(client.clone(), &namespace), &installed).await?;
        delete_all(Api::<Service>::namespaced(client.clone(), &namespace), &installed).await?;
        delete_all(Api::<NetworkPolicy>::namespaced(client.clone(), &namespace), &installed).await?;
        delete_all(Api::<ServiceAccount>::namespaced(client.clone(), &namespace), &installed).await?;
        delete_all(Api::<ClusterRoleBinding>::all(client.clone()), &installed).await?;
        delete_all(Api::<ClusterRole>::all(client.clone()), &installed).await?;

        eprintln!("► deleting toolkit finalizers");
        let crds = Api::<CustomResourceDefinition>::all(client.clone());
        let ours = crds.list(&ListParams::default().labels(PART_OF)).await.context("listing weir's CRDs")?;
        for crd in &ours.items {
            remove_finalizers(&client, crd).await?;
        }
        eprintln!("► deleting toolkit custom resource definitions");
        delete_all(crds, &ListParams::default().labels(PART_OF)).await?;

        if !self.keep_namespace {
            let namespaces = Api::<Namespace>::all(client);
            if namespaces.get_opt(&namespace).await?.is_some() {
                namespaces.delete(&namespace, &DeleteParams::default()).await?;
                eprintln!("✔ Namespace/{namespace} deleted");
            }
        }
        eprintln!("✔ uninstall finished");
        Ok(())
    }
}

fn confirm() -> anyhow::Result<bool> {
    eprint!("Are you sure you want to delete weir and its custom resource definitions? [y/N] ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer).context("reading the answer")?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// Deletes every `K` in every namespace and waits until the operator has finalized them all.
async fn prune<K>(client: &Client, timeout: Duration) -> anyhow::Result<()>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    let all = Api::<K>::all(client.clone());
    for object in all.list(&ListParams::default()).await? {
        let namespace = object.namespace().unwrap_or_default();
        Api::<K>::namespaced(client.clone(), &namespace).delete(&object.name_any(), &DeleteParams::default()).await?;
        eprintln!("✔ {}/{namespace}/{} deleted", K::kind(&()), object.name_any());
    }
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = all.list(&ListParams::default()).await?.items;
        if left.is_empty() {
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            let names: Vec<String> = left.iter().map(|object| object.name_any()).collect();
            bail!("the operator did not finalize {} {} in time: {}", left.len(), K::kind(&()), names.join(", "));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn delete_all<K>(api: Api<K>, selector: &ListParams) -> anyhow::Result<()>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    for object in api.list(selector).await? {
        api.delete(&object.name_any(), &DeleteParams::default()).await?;
        let namespace = object.namespace().map(|namespace| format!("{namespace}/")).unwrap_or_default();
        eprintln!("✔ {}/{namespace}{} deleted", K::kind(&()), object.name_any());
    }
    Ok(())
}

/// Clears the finalizers of every object of `crd`'s kind, in every namespace.
async fn remove_finalizers(client: &Client, crd: &CustomResourceDefinition) -> anyhow::Result<()> {
    let Some(version) = crd.spec.versions.iter().find(|version| version.storage) else { return Ok(()) };
    let resource = ApiResource {
        group: crd.spec.group.clone(),
        version: version.name.clone(),
        api_version: format!("{}/{}", crd.spec.group, version.name),
        kind: crd.spec.names.kind.clone(),
        plural: crd.spec.names.plural.clone(),
    };
    let all = Api::<DynamicObject>::all_with(client.clone(), &resource);
    let clear = Patch::Merge(serde_json::json!({"metadata": {"finalizers": null}}));
    for object in all.list(&ListParams::default()).await? {
        if object.finalizers().is_empty() {
            continue;
        }
        let api = match object.namespace() {
            Some(namespace) => Api::<DynamicObject>::namespaced_with(client.clone(), &namespace, &resource),
            None => all.clone(),
        };
        api.patch(&object.name_any(), &PatchParams::default(), &clear).await?;
        let namespace = object.namespace().map(|namespace| format!("{namespace}/")).unwrap_or_default();
        eprintln!("✔ {}/{namespace}{} finalizers deleted", resource.kind, object.name_any());
    }
    Ok(())
}
