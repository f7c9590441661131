//! `weir export`: objects as `flux export` prints them — `apiVersion`, `kind`, the name,
//! namespace, labels and annotations, and the spec; nothing the cluster added — so that the
//! output can be committed to a fleet repository. `--with-credentials` adds the Secret a
//! source names (its data and type only).

use anyhow::{Context, bail};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, ListParams};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use weir_api::helm::HelmRelease;
use weir_api::kustomize::Kustomization;
use weir_api::plugins::{ClusterPlugin, Plugin, PluginPolicy};
use weir_api::source::{Bucket, GitRepository, HelmChart, HelmRepository, OCIRepository};

use crate::cluster::ClusterOptions;

#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Sources.
    #[command(subcommand)]
    Source(ExportSource),
    /// Kustomizations.
    #[command(alias = "ks")]
    Kustomization(ExportArgs),
    /// HelmReleases.
    #[command(alias = "hr")]
    Helmrelease(ExportArgs),
    /// Tenants' plugins (weir's Plugin kind).
    Plugin(ExportArgs),
    /// Plugins offered to every namespace (weir's ClusterPlugin kind).
    Clusterplugin(ExportArgs),
    /// What tenants' plugins may be (weir's PluginPolicy kind).
    Pluginpolicy(ExportArgs),
}

#[derive(clap::Subcommand)]
pub enum ExportSource {
    Git(ExportWithCredentials),
    Helm(ExportWithCredentials),
    Oci(ExportWithCredentials),
    Bucket(ExportWithCredentials),
    Chart(ExportArgs),
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The object to export.
    name: Option<String>,
    /// Every object of the kind in the namespace (every one, for cluster-scoped kinds).
    #[arg(long)]
    all: bool,
}

#[derive(clap::Args)]
pub struct ExportWithCredentials {
    #[command(flatten)]
    args: ExportArgs,
    /// Also the Secret of `spec.secretRef`.
    #[arg(long)]
    with_credentials: bool,
}

/// The Secret a source names, if any.
type SecretOf<K> = fn(&K) -> Option<String>;

impl ExportCommand {
    pub async fn run(self, cluster: &ClusterOptions) -> anyhow::Result<()> {
        let git: SecretOf<GitRepository> = |source| source.spec.secret_ref.as_ref().map(|secret| secret.name.clone());
        let helm: SecretOf<HelmRepository> = |source| source.spec.secret_ref.as_ref().map(|secret| secret.name.clone());
        let oci: SecretOf<OCIRepository> = |source| source.spec.secret_ref.as_ref().map(|secret| secret.name.clone());
        let bucket: SecretOf<Bucket> = |source| source.spec.secret_ref.as_ref().map(|secret| secret.name.clone());
        let client = cluster.client().await?;
        let namespace = cluster.namespace();
        let here = || client.clone();
        let text = match self {
            ExportCommand::Source(ExportSource::Git(with)) => {
                exported(Api::namespaced(here(), namespace), namespace, &with.args, with.credentials(git)).await
            }
            ExportCommand::Source(ExportSource::Helm(with)) => {
                exported(Api::namespaced(here(), namespace), namespace, &with.args, with.credentials(helm)).await
            }
            ExportCommand::Source(ExportSource::Oci(with)) => {
                exported(Api::namespaced(here(), namespace), namespace, &with.args, with.credentials(oci)).await
            }
            ExportCommand::Source(ExportSource::Bucket(with)) => {
                exported(Api::namespaced(here(), namespace), namespace, &with.args, with.credentials(bucket)).await
            }
            ExportCommand::Source(ExportSource::Chart(args)) => {
                exported::<HelmChart>(Api::namespaced(here(), namespace), namespace, &args, None).await
            }
            ExportCommand::Kustomization(args) => {
                exported::<Kustomization>(Api::namespaced(here(), namespace), namespace, &args, None).await
            }
            ExportCommand::Helmrelease(args) => {
                exported::<HelmRelease>(Api::namespaced(here(), namespace), namespace, &args, None).await
            }
            ExportCommand::Plugin(args) => {
                exported::<Plugin>(Api::namespaced(here(), namespace), namespace, &args, None).await
            }
            ExportCommand::Clusterplugin(args) => {
                exported::<ClusterPlugin>(Api::all(here()), namespace, &args, None).await
            }
            ExportCommand::Pluginpolicy(args) => {
                exported::<PluginPolicy>(Api::all(here()), namespace, &args, None).await
            }
        }?;
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).context("writing stdout")
    }
}

impl ExportWithCredentials {
    fn credentials<K>(&self, secret: SecretOf<K>) -> Option<SecretOf<K>> {
        self.with_credentials.then_some(secret)
    }
}

/// The export of the object named (or of all) through `api`, each followed by its Secret when
/// asked; `namespace` is where they were looked for.
async fn exported<K>(
    api: Api<K>,
    namespace: &str,
    args: &ExportArgs,
    secret: Option<SecretOf<K>>,
) -> anyhow::Result<String>
where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Serialize + std::fmt::Debug,
{
    let objects = match (&args.name, args.all) {
        (_, true) => {
            let objects = api.list(&ListParams::default()).await?.items;
            if objects.is_empty() {
                bail!("no objects found in {namespace} namespace");
            }
            objects
        }
        (Some(name), false) => vec![api.get(name).await.map_err(crate::commands::flux::api_error)?],
        (None, false) => bail!("name is required"),
    };
    let mut text = String::new();
    for object in &objects {
        text.push_str(&document(&portable(object)?));
        let Some(name) = secret.and_then(|secret| secret(object)) else { continue };
        let secrets = Api::<Secret>::namespaced(api.clone().into_client(), &object.namespace().unwrap_or_default());
        let found = secrets.get(&name).await.with_context(|| format!("failed to retrieve secret {name}"))?;
        let credentials = json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": object.namespace()},
            "data": found.data,
            "type": found.type_,
        });
        text.push_str(&document(&credentials));
    }
    Ok(text)
}

/// `object` as `flux export` keeps it: type, identity, labels, annotations, spec.
fn portable<K: Resource<DynamicType = ()> + Serialize>(object: &K) -> anyhow::Result<Value> {
    let value = serde_json::to_value(object)?;
    let mut metadata = Map::new();
    metadata.insert("name".into(), value["metadata"]["name"].clone());
    for field in ["namespace", "labels", "annotations"] {
        let found = &value["metadata"][field];
        let empty = found.is_null() || found.as_object().is_some_and(Map::is_empty);
        if !empty {
            metadata.insert(field.into(), found.clone());
        }
    }
    Ok(json!({
        "apiVersion": K::api_version(&()),
        "kind": K::kind(&()),
        "metadata": metadata,
        "spec": value["spec"],
    }))
}

/// `---`, then the YAML, as flux prints each.
fn document(value: &Value) -> String {
    format!("---\n{}\n", weir_go_yaml::emit_document(value).trim_end())
}
