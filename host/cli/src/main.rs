//! `weir`: the GitOps operator's command line.

mod cluster;
mod commands;
mod plugins;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "weir", version, about = "GitOps for Kubernetes, with WebAssembly plugins", propagate_version = true)]
struct Cli {
    #[command(flatten)]
    plugins: plugins::PluginOptions,
    #[command(flatten)]
    cluster: cluster::ClusterOptions,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Image tag policies (Flux ImagePolicy), run by the tag-policy plugin.
    #[command(subcommand)]
    Policy(commands::policy::PolicyCommand),
    /// Serve weir's embedded Kubernetes API server and write a kubeconfig for it.
    Apiserver(commands::apiserver::ApiserverArgs),
    /// Build a kustomization, as `kubectl kustomize`, in the renderer plugin's sandbox.
    Kustomize(commands::kustomize::KustomizeArgs),
    /// Create or update Flux objects (or print them with --export).
    #[command(subcommand)]
    Create(commands::flux::CreateCommand),
    /// List Flux objects with their readiness.
    #[command(subcommand)]
    Get(commands::flux::GetCommand),
    /// Stop reconciling an object.
    #[command(subcommand)]
    Suspend(commands::flux::SuspendTarget),
    /// Reconcile a suspended object again.
    #[command(subcommand)]
    Resume(commands::flux::SuspendTarget),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| "warn".into()))
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Policy(command) => command.run(&cli.plugins).await,
            Command::Apiserver(args) => args.run().await,
            Command::Kustomize(args) => args.run(&cli.plugins).await,
            Command::Create(command) => command.run(&cli.cluster).await,
            Command::Get(command) => command.run(&cli.cluster).await,
            Command::Suspend(target) => target.run(&cli.cluster, true).await,
            Command::Resume(target) => target.run(&cli.cluster, false).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
