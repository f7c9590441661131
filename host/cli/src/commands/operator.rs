//! `weir operator`: every controller against a cluster, as the install's Deployment runs it:
//! in-cluster (the pod's service account) or from `--kubeconfig`, with Flux's controller flags.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use weir_operator::Settings;
use weir_operator::leader::{Elector, LeaseSettings};
use weir_telemetry::logging::{Encoding, Level};
use weir_telemetry::probes::ProbeServer;

use crate::cluster::ClusterOptions;
use crate::plugins::PluginOptions;

/// The leader Lease, in the operator's namespace (Flux's `<controller>-leader-election`).
const LEASE_NAME: &str = "weir-controller-leader-election";

#[derive(clap::Args)]
pub struct OperatorArgs {
    /// Where artifacts and Git clones are kept (default: a `weir` directory under $TMPDIR).
    #[arg(long, value_name = "DIR")]
    storage_path: Option<PathBuf>,
    /// Where `/healthz` and `/readyz` are served (`:PORT` is every interface).
    #[arg(long, value_name = "ADDRESS", default_value = ":9440")]
    health_addr: String,
    /// Where Prometheus scrapes `/metrics` (`:PORT` is every interface).
    #[arg(long, value_name = "ADDRESS", default_value = ":8080")]
    metrics_addr: String,
    /// The least severe log level written.
    #[arg(long, value_enum, default_value = "info")]
    log_level: LogLevel,
    /// How log lines are written.
    #[arg(long, value_enum, default_value = "json")]
    log_encoding: LogEncoding,
    /// Kustomizations and HelmReleases naming no service account impersonate this one of their namespace.
    #[arg(long, value_name = "NAME")]
    default_service_account: Option<String>,
    /// Refuse references to sources (and dependencies) in other namespaces.
    #[arg(long, num_args = 0..=1, default_value_t = false, default_missing_value = "true", action = clap::ArgAction::Set, value_name = "BOOL")]
    no_cross_namespace_refs: bool,
    /// How soon a Kustomization or HelmRelease waiting for its dependencies looks again.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    requeue_dependency: String,
    /// Artifacts kept per source.
    #[arg(long, value_name = "N", default_value_t = 2)]
    artifact_retention_records: usize,
    /// Flux's feature gates: `StrictPostBuildSubstitutions=true,UseHelm3Defaults=true`.
    #[arg(long, value_name = "GATES", value_delimiter = ',')]
    feature_gates: Vec<String>,
    /// Reconcile objects in every namespace; `false`: only in the operator's own (`RUNTIME_NAMESPACE`).
    #[arg(long, num_args = 0..=1, default_value_t = true, default_missing_value = "true", action = clap::ArgAction::Set, value_name = "BOOL")]
    watch_all_namespaces: bool,
    /// How many objects of a kind reconcile at once (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    concurrent: u16,
    /// Reconcile only the objects this label selector matches, e.g. `sharding.fluxcd.io/key=shard1`
    /// (and `!sharding.fluxcd.io/key` for the main instance), so a fleet splits over several operators.
    #[arg(long, value_name = "SELECTOR")]
    watch_label_selector: Option<String>,
    /// Run the controllers only while holding the leader Lease, so replicas never both act.
    #[arg(long)]
    enable_leader_election: bool,
    /// How long the leader Lease holds without renewal.
    #[arg(long, value_name = "DURATION", default_value = "35s")]
    leader_election_lease_duration: String,
    /// How long the leader tries to renew before it stops leading.
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    leader_election_renew_deadline: String,
    /// How often replicas try to acquire or renew the Lease.
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    leader_election_retry_period: String,
    /// How long in-flight work may take to finish once SIGTERM arrives.
    #[arg(long, value_name = "DURATION", default_value = "50s")]
    graceful_shutdown_timeout: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogEncoding {
    Json,
    Console,
}

impl OperatorArgs {
    /// Installs the operator's log subscriber, before anything logs.
    pub fn init_logging(&self) {
        let level = match self.log_level {
            LogLevel::Trace => Level::Trace,
            LogLevel::Debug => Level::Debug,
            LogLevel::Info => Level::Info,
            LogLevel::Warn => Level::Warn,
            LogLevel::Error => Level::Error,
        };
        let encoding = match self.log_encoding {
            LogEncoding::Json => Encoding::Json,
            LogEncoding::Console => Encoding::Console,
        };
        weir_telemetry::logging::init(level, encoding);
    }

    pub async fn run(self, cluster: &ClusterOptions, plugins: &PluginOptions) -> anyhow::Result<()> {
        let settings = self.settings()?;
        let grace = duration("--graceful-shutdown-timeout", &self.graceful_shutdown_timeout)?;
        let address = weir_telemetry::parse_address(&self.health_addr)
            .with_context(|| format!("--health-addr {:?} is not an address", self.health_addr))?;
        let (probe_server, readiness) =
            ProbeServer::bind(address).await.with_context(|| format!("cannot listen on {address}"))?;
        tokio::spawn(probe_server.serve());
        let address = weir_telemetry::parse_address(&self.metrics_addr)
            .with_context(|| format!("--metrics-addr {:?} is not an address", self.metrics_addr))?;
        let metrics =
            tokio::net::TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))?;
        tokio::spawn(weir_telemetry::metrics::serve(metrics));

        let plugins = crate::commands::dev::operator_plugins(plugins)?;
        let config = cluster.config().await?;
        let client = kube::Client::try_from(config.clone()).context("cannot make a client for the API server")?;
        let version = client.apiserver_version().await.context("cannot reach the API server")?;
        if let Some(selector) = &settings.watching.label_selector {
            // The API server parses selectors: a bad one fails here, not in every watch.
            let kustomizations = kube::Api::<weir_api::kustomize::Kustomization>::all(client.clone());
            kustomizations
                .list_metadata(&kube::api::ListParams::default().labels(selector).limit(1))
                .await
                .with_context(|| format!("--watch-label-selector {selector:?}"))?;
        }
        std::fs::create_dir_all(&settings.storage_dir)
            .with_context(|| format!("cannot create the storage directory {}", settings.storage_dir.display()))?;
        tracing::info!(
            server = %config.cluster_url,
            version = %version.git_version,
            namespace = %settings.namespace,
            storage = %settings.storage_dir.display(),
            "starting the controllers"
        );

        // Ready once the API server answers, leading or not, as controller-runtime's probes.
        readiness.set(true);
        let mut leadership = match self.elector(&client, &settings.namespace)? {
            Some(elector) => tokio::select! {
                leadership = elector.acquire() => Some(leadership),
                signal = termination() => return signal,
            },
            None => None,
        };

        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let mut operator = tokio::spawn(weir_operator::run(config, settings, plugins, async {
            let _ = stopped.await;
        }));
        let lost = async {
            match &mut leadership {
                Some(leadership) => leadership.lost().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            outcome = &mut operator => return finished(outcome),
            signal = termination() => signal?,
            // Another replica may be leading already: stop at once, as controller-runtime exits.
            () = lost => anyhow::bail!("leader election lost"),
        }
        tracing::info!("shutting down: finishing in-flight work");
        readiness.set(false);
        let _ = stop.send(());
        let outcome = match tokio::time::timeout(grace, operator).await {
            Ok(outcome) => finished(outcome),
            Err(_) => Err(anyhow::anyhow!("in-flight work did not finish within {}", self.graceful_shutdown_timeout)),
        };
        // Released only once nothing runs any more, so that a successor never overlaps.
        if let Some(leadership) = leadership
            && outcome.is_ok()
        {
            leadership.release().await;
        }
        outcome
    }

    /// The leader elector, with `--enable-leader-election`.
    fn elector(&self, client: &kube::Client, namespace: &str) -> anyhow::Result<Option<Elector>> {
        if !self.enable_leader_election {
            return Ok(None);
        }
        let name = weir_operator::leader::lease_name(LEASE_NAME, self.watch_label_selector.as_deref());
        let mut lease = LeaseSettings::new(&name, namespace);
        lease.lease_duration = duration("--leader-election-lease-duration", &self.leader_election_lease_duration)?;
        lease.renew_deadline = duration("--leader-election-renew-deadline", &self.leader_election_renew_deadline)?;
        lease.retry_period = duration("--leader-election-retry-period", &self.leader_election_retry_period)?;
        Ok(Some(Elector::new(client.clone(), lease)?))
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        let storage = self.storage_path.clone().unwrap_or_else(|| std::env::temp_dir().join("weir"));
        let mut settings = Settings::new(storage);
        settings.default_service_account = self.default_service_account.clone();
        settings.no_cross_namespace_refs = self.no_cross_namespace_refs;
        settings.dependency_requeue = duration("--requeue-dependency", &self.requeue_dependency)?;
        settings.artifact_retention = self.artifact_retention_records;
        settings.watching.label_selector = self.watch_label_selector.clone().filter(|selector| !selector.is_empty());
        settings.watching.concurrency = self.concurrent;
        for gate in &self.feature_gates {
            let (name, enabled) = match gate.split_once('=') {
                Some((name, value)) => {
                    (name.trim(), parse_bool(value).with_context(|| format!("--feature-gates {gate}"))?)
                }
                None => (gate.trim(), true),
            };
            match name {
                "StrictPostBuildSubstitutions" => settings.strict_substitution = enabled,
                "UseHelm3Defaults" => settings.helm3_defaults = enabled,
                other => anyhow::bail!(
                    "--feature-gates: unknown feature gate {other:?} (known: StrictPostBuildSubstitutions, UseHelm3Defaults)"
                ),
            }
        }
        // Where the pod runs, as Flux's controllers learn it from the downward API.
        if let Ok(namespace) = std::env::var("RUNTIME_NAMESPACE")
            && !namespace.is_empty()
        {
            settings.namespace = namespace;
        }
        if !self.watch_all_namespaces {
            settings.watching.namespace = Some(settings.namespace.clone());
        }
        Ok(settings)
    }
}

fn duration(flag: &str, value: &str) -> anyhow::Result<Duration> {
    weir_go_compat::time::parse_duration(value)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("{flag} {value:?} is not a duration"))
}

fn parse_bool(value: &str) -> anyhow::Result<bool> {
    match value.trim() {
        "true" | "True" | "1" => Ok(true),
        "false" | "False" | "0" => Ok(false),
        other => anyhow::bail!("{other:?} is not true or false"),
    }
}

/// SIGTERM (the kubelet stopping the pod) or SIGINT.
async fn termination() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    tokio::select! {
        _ = terminate.recv() => {}
        signal = tokio::signal::ctrl_c() => signal.context("cannot listen for SIGINT")?,
    }
    Ok(())
}

fn finished(outcome: Result<Result<(), weir_operator::StartError>, tokio::task::JoinError>) -> anyhow::Result<()> {
    match outcome {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error).context("the controllers could not start"),
        Err(error) => Err(error).context("the controllers stopped unexpectedly"),
    }
}
