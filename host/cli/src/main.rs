//! `weir`: the GitOps operator's command line.

mod cluster;
mod commands;
mod kinds;
mod plugins;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use commands::artifact;
use commands::build::{BuildTarget, DiffTarget};

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
    /// Render Helm charts, as `helm`, in the chart-renderer plugin's sandbox.
    #[command(subcommand)]
    Helm(commands::helm::HelmCommand),
    /// Decrypt or encrypt files as sops does, in the sops plugin's sandbox.
    #[command(subcommand)]
    Sops(commands::sops::SopsCommand),
    /// Create or update Flux objects (or print them with --export).
    #[command(subcommand)]
    Create(commands::flux::CreateCommand),
    /// List Flux objects with their readiness.
    #[command(subcommand)]
    Get(commands::flux::GetCommand),
    /// Stop reconciling objects.
    Suspend(commands::flux::SuspendCommand),
    /// Reconcile suspended objects again, and wait for them.
    Resume(commands::flux::ResumeCommand),
    /// Reconcile an object now and wait for the outcome.
    #[command(subcommand)]
    Reconcile(commands::reconcile::ReconcileCommand),
    /// Build a local directory as a Kustomization would, and print it.
    #[command(subcommand)]
    Build(commands::build::BuildTarget),
    /// What applying a local directory as a Kustomization would change (exit 1 when anything).
    #[command(subcommand)]
    Diff(commands::build::DiffTarget),
    /// Push an artifact (a directory or file) to an OCI registry, as `flux push artifact`.
    #[command(subcommand)]
    Push(commands::artifact::PushCommand),
    /// Pull an artifact from an OCI registry and extract it, as `flux pull artifact`.
    #[command(subcommand)]
    Pull(commands::artifact::PullCommand),
    /// Tag an artifact in an OCI registry, as `flux tag artifact`.
    #[command(subcommand)]
    Tag(commands::artifact::TagCommand),
    /// List the artifacts of an OCI repository, as `flux list artifacts`.
    #[command(subcommand)]
    List(commands::artifact::ListCommand),
    /// Push and inspect WebAssembly plugin components.
    #[command(subcommand)]
    Plugin(commands::plugin::PluginCommand),
    /// Run a whole GitOps cluster in this process: API server, controllers, and a bootstrapped repository.
    Dev(commands::dev::DevArgs),
    /// Install weir into a cluster (or print its manifests with --export), as `flux install`.
    Install(commands::install::InstallArgs),
    /// Print objects as YAML to commit to a fleet repository, as `flux export`.
    #[command(subcommand)]
    Export(commands::export::ExportCommand),
    /// Which Kustomization or HelmRelease manages an object, and from which source, as `flux trace`.
    Trace(commands::trace::TraceArgs),
    /// Show what a Kustomization manages, recursively, as `flux tree`.
    #[command(subcommand)]
    Tree(commands::tree::TreeCommand),
    /// The events of the GitOps objects, as `flux events`.
    Events(commands::events::EventsArgs),
    /// Count the GitOps objects per kind: reconciling, failing, suspended, artifact storage, as `flux stats`.
    Stats(commands::stats::StatsArgs),
    /// Remove weir from a cluster, keeping what it applied (or pruning it with --prune), as `flux uninstall`.
    Uninstall(commands::uninstall::UninstallArgs),
    /// Check the cluster for weir (`--pre`: whether it can be installed), as `flux check`.
    Check(commands::check::CheckArgs),
    /// Run every controller against a cluster, as weir's Deployment does (in-cluster or --kubeconfig).
    Operator(commands::operator::OperatorArgs),
}

/// The exit status of a Flux verb, its error printed as flux prints errors.
fn flux_outcome(outcome: anyhow::Result<()>) -> anyhow::Result<ExitCode> {
    Ok(match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("✗ {err:#}");
            ExitCode::FAILURE
        }
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        // The operator logs as Flux's controllers do (`--log-level`, `--log-encoding`).
        Command::Operator(args) => args.init_logging(),
        _ => tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("WEIR_LOG").unwrap_or_else(|_| "warn".into()))
            .init(),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        let done = match cli.command {
            Command::Policy(command) => command.run(&cli.plugins).await,
            Command::Apiserver(args) => args.run().await,
            Command::Kustomize(args) => args.run(&cli.plugins).await,
            Command::Sops(command) => command.run(&cli.plugins).await,
            // Helm's own error format (`Error: …`), so scripts written for helm keep working.
            Command::Helm(command) => return command.run(&cli.plugins).await,
            // Flux's verbs fail as flux does: `✗ <error>`.
            Command::Create(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Get(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Suspend(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Resume(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Reconcile(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Push(command) => return flux_outcome(artifact::off_runtime(move || command.run()).await),
            Command::Pull(command) => return flux_outcome(artifact::off_runtime(move || command.run()).await),
            Command::Tag(command) => return flux_outcome(artifact::off_runtime(move || command.run()).await),
            Command::List(command) => return flux_outcome(artifact::off_runtime(move || command.run()).await),
            Command::Build(BuildTarget::Artifact(args)) => return flux_outcome(args.run()),
            Command::Build(BuildTarget::Kustomization(args)) => args.print(&cli.cluster, &cli.plugins).await,
            // `diff` tells by its exit status whether anything would change, as `flux diff` does.
            Command::Diff(DiffTarget::Kustomization(args)) => return args.diff(&cli.cluster, &cli.plugins).await,
            Command::Plugin(command) => command.run(&cli.plugins).await,
            Command::Dev(args) => args.run(&cli.plugins).await,
            Command::Install(args) => return flux_outcome(args.run(&cli.cluster, &cli.plugins).await),
            Command::Export(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Trace(args) => return flux_outcome(args.run(&cli.cluster).await),
            Command::Tree(command) => return flux_outcome(command.run(&cli.cluster).await),
            Command::Events(args) => return flux_outcome(args.run(&cli.cluster).await),
            Command::Stats(args) => return flux_outcome(args.run(&cli.cluster).await),
            Command::Uninstall(args) => return flux_outcome(args.run(&cli.cluster).await),
            Command::Check(args) => return flux_outcome(args.run(&cli.cluster, &cli.plugins).await),
            Command::Operator(args) => args.run(&cli.cluster, &cli.plugins).await,
        };
        done.map(|()| ExitCode::SUCCESS)
    });
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
