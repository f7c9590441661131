//! A server on a free loopback port and kubectl pointed at it.

#![allow(dead_code)] // each case uses its own subset

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use weir_apiserver::{ApiServer, Authentication};

/// A server on a free loopback port, serving from its own thread, and a kubeconfig for it.
pub struct Cluster {
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Cluster {
    pub fn start() -> Self {
        Self::serving(None, false)
    }

    pub fn start_simulating(delay: std::time::Duration) -> Self {
        Self::serving(Some(delay), false)
    }

    pub fn start_tls() -> Self {
        Self::serving(None, true)
    }

    pub fn serving(simulate: Option<std::time::Duration>, tls: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        let (config_sender, config) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let auth = Authentication { admin_token: "test-token".into(), ..Authentication::default() };
                let mut server = ApiServer::bind("127.0.0.1:0".parse().unwrap(), auth).await.unwrap();
                if let Some(delay) = simulate {
                    server = server.simulate_workloads(delay);
                }
                if tls {
                    server = server.with_self_signed_tls().unwrap();
                }
                config_sender.send(server.kubeconfig("test-token")).unwrap();
                server.serve().await;
            });
        });
        std::fs::write(&kubeconfig, config.recv().unwrap()).unwrap();
        Self { kubeconfig, _dir: dir }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("kubectl");
        command.args(args).env("KUBECONFIG", &self.kubeconfig).env_remove("KUBERNETES_SERVICE_HOST");
        command
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("kubectl runs");
        child.stdin.take().unwrap().write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs kubectl, expects success, returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_with(args, None)
    }

    pub fn ok_with(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        assert!(output.status.success(), "kubectl {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    /// Runs kubectl, expects failure, returns stderr.
    pub fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let output = self.run(args, stdin);
        assert!(!output.status.success(), "kubectl {args:?} should have failed");
        String::from_utf8(output.stderr).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut args = args.to_vec();
        args.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&args)).unwrap()
    }
}
