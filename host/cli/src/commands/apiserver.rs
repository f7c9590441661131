//! `weir apiserver`: the embedded Kubernetes API server, standalone.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use weir_apiserver::{ApiServer, Authentication, Storage, TokenUser};

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
    /// Serve HTTPS under a CA generated at start-up (written into the
    /// kubeconfig); every request must then carry a token.
    #[arg(long)]
    tls: bool,
    /// Keep objects in this directory across restarts (in memory otherwise).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Stand in for the workload controllers: Deployments, StatefulSets,
    /// DaemonSets, ReplicaSets and Jobs become ready this many seconds after
    /// each change (annotation weir.dev/simulate: unready|fail changes that).
    #[arg(long, value_name = "SECONDS")]
    simulate_workloads: Option<f64>,
    /// More users, as kube-apiserver's --token-auth-file: CSV lines
    /// `token,user,uid,"group1,group2"` (uid and groups optional).
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
}

impl ApiserverArgs {
    pub async fn run(self) -> anyhow::Result<()> {
        let token = self.token.unwrap_or_else(weir_apiserver::random_token);
        let address = SocketAddr::new(self.address, self.port);
        let users = match &self.token_file {
            Some(path) => read_token_file(path)?,
            None => Vec::new(),
        };
        let storage = Storage { data_dir: self.data_dir.clone(), ..Storage::default() };
        let server = ApiServer::bind_with(address, Authentication { admin_token: token.clone(), users }, storage)
            .await
            .with_context(|| format!("cannot listen on {address}"))?;
        let server = if self.tls { server.with_self_signed_tls().context("setting up TLS")? } else { server };
        let server = match self.simulate_workloads {
            Some(seconds) => server.simulate_workloads(
                std::time::Duration::try_from_secs_f64(seconds)
                    .context("--simulate-workloads takes a number of seconds")?,
            ),
            None => server,
        };
        write_private(&self.kubeconfig_out, &server.kubeconfig(&token))
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

/// Reads a static token file (`token,user,uid,"group1,group2"` per line).
fn read_token_file(path: &std::path::Path) -> anyhow::Result<Vec<TokenUser>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut users = Vec::new();
    for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim().is_empty()) {
        let (head, groups) = match line.split_once(",\"") {
            Some((head, quoted)) => (head, quoted.trim_end().trim_end_matches('"')),
            None => (line, ""),
        };
        let mut columns = head.split(',').map(str::trim);
        let (Some(token), Some(name)) =
            (columns.next().filter(|t| !t.is_empty()), columns.next().filter(|n| !n.is_empty()))
        else {
            anyhow::bail!("{}:{}: expected token,user[,uid[,\"groups\"]]", path.display(), index + 1);
        };
        let groups = groups.split(',').map(str::trim).filter(|group| !group.is_empty()).map(str::to_owned).collect();
        users.push(TokenUser { token: token.to_owned(), name: name.to_owned(), groups });
    }
    Ok(users)
}

/// Writes a file only its owner can read: it holds a credential.
pub fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_files_read_as_kube_apiserver_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.csv");
        std::fs::write(&path, "tok-a,alice,1001,\"devs,qa\"\n\ntok-b,bob\n").unwrap();
        let users = read_token_file(&path).unwrap();
        assert_eq!(users.len(), 2);
        assert_eq!((users[0].token.as_str(), users[0].name.as_str()), ("tok-a", "alice"));
        assert_eq!(users[0].groups, ["devs", "qa"]);
        assert!(users[1].groups.is_empty());
        std::fs::write(&path, "just-a-token\n").unwrap();
        assert!(read_token_file(&path).unwrap_err().to_string().contains("tokens.csv:1"));
    }
}
