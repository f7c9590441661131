//! Talking to a cluster as kubectl does: `--kubeconfig`, else `KUBECONFIG`,
//! else `~/.kube/config` (or the in-cluster service account).

use std::path::PathBuf;

use anyhow::Context;

#[derive(clap::Args)]
pub struct ClusterOptions {
    /// Path to the kubeconfig file.
    #[arg(long, global = true, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// The namespace to work in (default: flux-system; for `install`, weir-system).
    #[arg(short = 'n', long = "namespace", id = "namespace", global = true, value_name = "NS")]
    namespace_flag: Option<String>,
}

/// Where Flux's verbs look by default: where `flux bootstrap` puts its objects.
const DEFAULT_NAMESPACE: &str = "flux-system";

impl ClusterOptions {
    /// The namespace given, else flux-system.
    pub fn namespace(&self) -> &str {
        self.namespace_or(DEFAULT_NAMESPACE)
    }

    /// The namespace given, else `default`.
    pub fn namespace_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace_flag.as_deref().unwrap_or(default)
    }

    pub async fn client(&self) -> anyhow::Result<kube::Client> {
        Ok(kube::Client::try_from(self.config().await?)?)
    }

    /// The connection settings, for callers that derive clients (e.g. impersonating ones).
    pub async fn config(&self) -> anyhow::Result<kube::Config> {
        Ok(match &self.kubeconfig {
            Some(path) => {
                let kubeconfig = kube::config::Kubeconfig::read_from(path)
                    .with_context(|| format!("reading kubeconfig {}", path.display()))?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default()).await?
            }
            None => kube::Config::infer().await.context("no cluster: set --kubeconfig or KUBECONFIG")?,
        })
    }
}
