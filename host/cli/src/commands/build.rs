//! `weir build kustomization NAME --path DIR` and `weir diff kustomization NAME --path DIR`:
//! build a local directory as the cluster's Kustomization would (its overlay fields and
//! post-build variables), and print it, or what applying it would change.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use kube::api::Api;
use weir_api::kustomize::Kustomization;
use weir_apply::{Action, Object};
use weir_operator::kustomization::{self, Kustomizations};

use crate::cluster::ClusterOptions;
use crate::commands::dev::operator_plugins;
use crate::commands::kustomize::enclosing_work_tree;
use crate::plugins::PluginOptions;

#[derive(clap::Subcommand)]
pub enum BuildTarget {
    /// A Kustomization.
    #[command(alias = "ks")]
    Kustomization(BuildArgs),
    /// A tarball of a directory or file, as `flux push artifact` makes it.
    Artifact(crate::commands::artifact::BuildArtifact),
}

#[derive(clap::Subcommand)]
pub enum DiffTarget {
    /// A Kustomization.
    #[command(alias = "ks")]
    Kustomization(BuildArgs),
}

#[derive(clap::Args)]
pub struct BuildArgs {
    name: String,
    /// The local directory to build in place of the Kustomization's source path.
    #[arg(long, value_name = "DIR")]
    path: PathBuf,
}

impl BuildArgs {
    /// Prints the built objects as a YAML stream. SOPS-encrypted Secrets stay encrypted.
    pub async fn print(self, cluster: &ClusterOptions, plugins: &PluginOptions) -> anyhow::Result<()> {
        let (_, _, objects) = self.build(cluster, plugins).await?;
        let documents: Vec<_> = objects.into_iter().map(|object| object.0).collect();
        print!("{}", weir_go_yaml::emit_stream(&documents));
        Ok(())
    }

    /// Prints what applying the build would change; exit status 1 when something would.
    pub async fn diff(self, cluster: &ClusterOptions, plugins: &PluginOptions) -> anyhow::Result<ExitCode> {
        let (context, kustomization, objects) = self.build(cluster, plugins).await?;
        let changes = kustomization::diff(&kustomization, &context, objects)
            .await
            .map_err(|failure| anyhow::anyhow!("{}", failure.message))?;
        for change in &changes.changes {
            match change.action {
                Action::Created => println!("► {} created", change.id),
                Action::Deleted => println!("► {} deleted", change.id),
                Action::Configured => {
                    println!("► {} drifted", change.id);
                    for field in &change.fields {
                        println!("    {field}");
                    }
                }
                Action::Unchanged | Action::Skipped => {}
            }
        }
        Ok(if changes.has_changes() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    }

    async fn build(
        &self,
        cluster: &ClusterOptions,
        plugins: &PluginOptions,
    ) -> anyhow::Result<(Kustomizations, Kustomization, Vec<Object>)> {
        let config = cluster.config().await?;
        let client = kube::Client::try_from(config.clone())?;
        let kustomization = Api::<Kustomization>::namespaced(client.clone(), cluster.namespace())
            .get(&self.name)
            .await
            .with_context(|| format!("Kustomization {}/{}", cluster.namespace(), self.name))?;
        let dir =
            std::fs::canonicalize(&self.path).with_context(|| format!("{}: no such directory", self.path.display()))?;
        let root = enclosing_work_tree(&dir).unwrap_or_else(|| dir.clone());
        let path = dir.strip_prefix(&root).unwrap_or(std::path::Path::new(".")).display().to_string();
        let scratch = tempfile::tempdir()?;
        let settings = weir_operator::Settings::new(scratch.path().to_owned());
        let context = Kustomizations::new(client, config, settings, operator_plugins(plugins)?)?;
        let objects = match kustomization::build(&kustomization, &context, &root, &path, false).await {
            Ok(objects) => objects,
            Err(failure) => bail!("{}", failure.message),
        };
        Ok((context, kustomization, objects))
    }
}
