//! `weir apiserver`: the embedded Kubernetes API server, standalone.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use weir_apiserver::{ApiServer, Authentication};

#[derive(clap::Args)]
pub struct ApiserverArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 6443)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    address: IpAddr,
    /// Where to write the kubeconfig for the admin user.
    #[arg(long, value_name = "FILE", default_value = "weir.kubeconfig")]
    kubeconfig_out: PathBuf,
    /// The admin's bearer token; a random one by default.
    #[arg(long, env = "WEIR_ADMIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

impl ApiserverArgs {
    pub async fn run(self) -> anyhow::Result<()> {
        let token = self.token.unwrap_or_else(weir_apiserver::random_token);
        let address = SocketAddr::new(self.address, self.port);
        let server = ApiServer::bind(address, Authentication { admin_token: token.clone() })
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        write_private(&self.kubeconfig_out, &weir_apiserver::kubeconfig(&server.url(), &token))
            .with_context(|| format!("cannot write {}", self.kubeconfig_out.display()))?;
        eprintln!("weir apiserver listening on {}", server.url());
        eprintln!("kubeconfig: {}  (export KUBECONFIG={0})", self.kubeconfig_out.display());
        tokio::select! {
            () = server.serve() => {}
            signal = tokio::signal::ctrl_c() => {
                signal.context("waiting for Ctrl-C")?;
                eprintln!("weir apiserver stopped");
            }
        }
        Ok(())
    }
}

/// Writes a file only its owner can read: it holds a credential.
fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}
